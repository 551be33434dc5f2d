//! SPC-5 request_sense (placeholder).

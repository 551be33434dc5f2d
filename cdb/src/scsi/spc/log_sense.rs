//! SPC-5 log_sense (placeholder).

//! SPC-5 buffer (placeholder).

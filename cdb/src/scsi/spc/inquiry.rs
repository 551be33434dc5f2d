//! SPC-5 inquiry (placeholder).

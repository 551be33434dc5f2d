//! SPC-5 report_luns (placeholder).

//! SPC-5 report_opcodes (placeholder).

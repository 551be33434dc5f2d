//! SPC-5 test_unit_ready (placeholder).

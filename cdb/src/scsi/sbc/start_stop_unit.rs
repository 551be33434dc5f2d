//! SBC-4 start_stop_unit (placeholder).

//! SBC-4 read_capacity (placeholder).

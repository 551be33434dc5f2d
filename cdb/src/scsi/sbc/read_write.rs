//! SBC-4 read_write (placeholder).

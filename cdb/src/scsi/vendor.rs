//! Vendor-specific commands (placeholder).

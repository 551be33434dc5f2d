//! Operation codes (placeholder).

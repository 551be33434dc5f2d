//! Sense data (placeholder).

//! Mode parameters (placeholder).

//! Sense data (placeholder).

pub mod asc;

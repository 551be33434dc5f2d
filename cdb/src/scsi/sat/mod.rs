//! T10 SAT ATA pass-through (placeholder).

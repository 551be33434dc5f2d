//! Vital product data pages (placeholder).

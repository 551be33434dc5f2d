//! SBC-4 synchronize_cache (placeholder).

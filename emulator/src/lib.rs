//! The built-in emulated devices behind `sim:` — an SBC disk with a volatile write cache,
//! an NVMe controller, USB bridges and named fault profiles.
//!
//! This crate is a placeholder in the workspace layout; the devices arrive with the
//! emulator issue. It exports nothing yet.

//! Drive firmware update: plan, validate, download, activate, verify.
//!
//! - [`manifest`]: the image's sidecar — which devices it is for, what it installs, its
//!   checksums.

pub mod manifest;

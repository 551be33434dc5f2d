//! Cache-integrity verification that names the promise a device broke.
//!
//! This crate is a placeholder in the workspace layout; it is filled by the verify issue.
//! It exports nothing yet.

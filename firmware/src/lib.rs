//! Drive firmware update: plan, validate, download, activate, verify.
//!
//! This crate is a placeholder in the workspace layout; it is filled by the fwupdate issue.
//! It exports nothing yet.

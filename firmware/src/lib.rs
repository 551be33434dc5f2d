//! Drive firmware update: identify the device, probe what it can take, plan the download,
//! validate the image, download it (with retries and resume), activate and verify it, and
//! say truthfully what happened.
//!
//! SCSI devices take microcode through WRITE BUFFER (SPC-5 6.49) in the download
//! microcode modes, described by READ BUFFER mode 03h (SPC-5 6.16), the Extended INQUIRY
//! Data VPD page (SPC-5 7.7.7) and REPORT SUPPORTED OPERATION CODES (SPC-5 6.36); NVMe
//! controllers through Firmware Image Download and Firmware Commit (NVMe Base 2.0 5.14,
//! 5.13), described by Identify Controller (5.17.2.1) and the Firmware Slot Information
//! log (5.16.1.4). An NVMe drive behind a JMicron USB bridge is reached through the
//! bridge's tunnel ([`transports::tunnel`]).
//!
//! The steps, one module each: [`manifest`] (the image's sidecar: which devices it is for,
//! what it installs, its checksums), [`target`] (which protocol reaches the drive), [`identity`],
//! [`probe`], [`validate`], [`plan`], [`download`] (with [`state`] for resume),
//! [`activate`] (activation and verification), [`outcome`]; [`update`] runs them in order.

pub mod activate;
pub mod download;
pub mod error;
pub mod identity;
pub mod manifest;
pub mod outcome;
pub mod plan;
pub mod probe;
pub mod state;
pub mod target;
pub mod update;
pub mod validate;

pub use error::FirmwareError;
pub use identity::Identity;
pub use outcome::{Outcome, RequiredReset};
pub use plan::Plan;
pub use target::Target;

//! Transports that carry `cdb` commands to devices, behind one small trait per protocol:
//! [`scsi::ScsiTransport`] (CDB, data buffer, timeout → status, sense, bytes moved) and
//! [`nvme::NvmeTransport`] (submission entry, data buffer, timeout → completion entry).
//!
//! Backends: [`sim`] (the built-in emulated devices of the `emulator` crate) and, on
//! Linux, SG_IO and NVMe pass-through (`linux`); [`tunnel`] carries NVMe admin commands
//! over any SCSI transport through a USB–NVMe bridge's vendor tunnel; [`usb`] carries SCSI
//! over a USB device's Bulk-Only or UAS interface (through usbfs on Linux). [`dext`] carries
//! SCSI through scsitool's macOS DriverKit extension's user client (the portable part is
//! tested everywhere; the IOKit glue builds on macOS only). [`open`] resolves what the user
//! typed.
//!
//! [`inventory`] holds what device discovery finds (on Linux: `linux::discover`).
//!
//! [`execute`] runs a typed [`cdb::command::ScsiCommand`] over any transport: the buffer
//! is sized and directed by the command itself, and the answer is decoded by it.

pub mod buffer;
pub mod dext;
pub mod execute;
pub mod inventory;
#[cfg(target_os = "linux")]
pub mod linux;
pub mod nvme;
pub mod open;
pub mod scsi;
pub mod sim;
pub mod tunnel;
pub mod usb;

//! Typed SCSI and NVMe commands, and decoders for everything a device returns.
//!
//! A command is a value that knows its CDB (or NVMe submission entry), its data direction,
//! its transfer length and how to decode its response ([`command::ScsiCommand`]), so a CDB
//! whose allocation length disagrees with the transfer it is sent with cannot be built.
//!
//! Layout follows the standards: [`scsi::spc`] (T10 SPC-5 primary commands), [`scsi::sbc`]
//! (T10 SBC-4 block commands), [`scsi::sat`] (T10 SAT-5 ATA pass-through), [`sense`]
//! (SPC-5 4.4 sense data), [`nvme`] (NVM Express Base Specification 2.0) and [`usb`] (the
//! Bulk-Only and UAS wire formats and USB descriptors); [`tunnel`] carries NVMe admin
//! commands in the vendor CDBs of USB–NVMe bridges.
//!
//! This crate is pure: it performs no I/O. Every decoder takes untrusted bytes and returns
//! a typed [`error::DecodeError`] instead of panicking.

mod code_table;
pub mod command;
pub mod error;
mod json;
pub mod nvme;
pub mod scsi;
pub mod sense;
pub mod text;
pub mod tunnel;
pub mod usb;

//! The built-in emulated devices behind `sim:` — an SBC disk with a volatile write cache
//! and power cuts, an NVMe controller, USB bridges and named fault profiles — so every
//! scsitool command runs on a machine with no hardware, and the failures that hurt users
//! can be reproduced on demand.
//!
//! Layers, bottom up:
//! - [`block`]: the contract every emulated medium meets ([`block::BlockDevice`]): blocks,
//!   a volatile write cache, flush and FUA, as SBC-4 4.15 and NVMe's volatile write cache
//!   describe them.
//! - [`store`]: the media under it (sparse RAM, a host file that survives the process) and
//!   the volatile write cache model with seeded power cuts ([`store::CachedDevice`]).
//! - [`fault`]: named fault profiles (lying flush, ignored FUA, misdirected writes, torn
//!   writes, bit rot, slow flush, reordered loss) over any block device.
//! - [`nvme`]: an NVMe controller with one namespace over a block device (NVMe Base 2.0,
//!   NVM Command Set 1.0): Identify, log pages, the write cache feature, firmware update,
//!   Flush, Read and Write, entered through [`nvme::Controller::submit`].
//! - [`sbc`]: an SBC-4 direct-access target over any block device — INQUIRY and VPD
//!   pages, READ/WRITE with FUA, SYNCHRONIZE CACHE, MODE SENSE/SELECT with a changeable
//!   WCE, REPORT LUNS, REPORT SUPPORTED OPERATION CODES, READ/WRITE BUFFER microcode
//!   download and activation, unit attention and sense data as SPC-5 and SAM-5 require.
//! - [`bridge`]: a USB–NVMe bridge chip in front of the NVMe controller — SCSI translated
//!   to NVMe as the NVM Express SCSI Translation Reference describes, and the vendor tunnels
//!   for raw NVMe admin commands of ASMedia (E6h), Realtek (E4h) and JMicron (three A1h
//!   steps, data-out included), each with its chip's limits; a SAT-style bridge reads
//!   JMicron's first CDB as an ATA hardware reset of the drive. [`bridge::Model`] gives
//!   each chip's USB VID:PID for a USB face.
//! - [`target`]: what a USB face or transport needs of a SCSI target device
//!   ([`target::ScsiTarget`]), met by the SBC target and the bridges.
//! - [`usb`]: the USB faces of any SCSI target — Bulk-Only Transport and USB Attached
//!   SCSI (with and without streams, with the field quirks of USB bridges), injectable
//!   pipe faults, and a USB device model with descriptors whose mass-storage interface
//!   offers BOT, UAS or both as alternate settings ([`usb::device::UsbDevice`]).
//! - [`uri`] and [`sim`]: `sim:` device URIs (kind, fault profile, bridge profile, RAM or
//!   file medium, options) and building the device they name.
//!
//! Depends on `cdb` only.

pub mod block;
pub mod bridge;
pub mod fault;
pub mod image;
pub mod nvme;
mod rng;
pub mod sbc;
pub mod sim;
pub mod store;
pub mod target;
#[cfg(test)]
mod testing;
pub mod uri;
pub mod usb;

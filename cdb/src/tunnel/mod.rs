//! NVMe admin commands tunnelled through the vendor SCSI commands of USB–NVMe bridges.
//!
//! A USB–NVMe bridge presents a SCSI direct-access device (its own SCSI-to-NVMe
//! translation); to reach the NVMe drive's Identify data and log pages, hosts send vendor
//! CDBs the bridge forwards as NVMe admin commands. Three families are in the field
//! (facts as smartmontools documents them; no standard covers them):
//! - [`asmedia`]: ASMedia ASM236x, one 16-byte CDB E6h, data-in only.
//! - [`realtek`]: Realtek RTL9210/9220, one 16-byte CDB E4h carrying the transfer length,
//!   data-in only.
//! - [`jmicron`]: JMicron JMS583, three ATA PASS-THROUGH (12) CDBs — the command block, the
//!   data (none, in or out), the completion — so data-out commands such as Firmware Image
//!   Download can be tunnelled too. On a SAT bridge the same CDB is an ATA PASS-THROUGH
//!   whose protocol 0 means ATA hardware reset (SAT-5 12.2.2): never send it to a bridge not
//!   known to be a JMicron.
//!
//! Each builder takes the NVMe command's submission entry and data phase, so the tunnel
//! CDB's transfer and the NVMe command's own length cannot disagree, and refuses what the
//! bridge cannot carry instead of dropping fields.

pub mod asmedia;
mod data_in;
pub mod jmicron;
pub mod realtek;

pub use data_in::{IDENTIFY_LEN, LOG_PAGE_MAX};

//! What the data-in-only tunnels (ASMedia E6h, Realtek E4h) can carry: Identify Controller,
//! Identify Namespace 1 and Get Log Page (NVMe Base 2.0 5.16, 5.17), with the transfer
//! length each implies.

use crate::command::DataPhase;
use crate::error::BuildError;
use crate::nvme::{Queue, SubmissionEntry};

/// Identify's data length: one 4096-byte data structure (NVMe Base 2.0 5.17).
pub const IDENTIFY_LEN: u32 = 4096;
/// The longest log page read the data-in tunnels return intact: ASMedia bridges time out
/// and Realtek bridges return stale data past 512 bytes (smartmontools' bridge notes).
pub const LOG_PAGE_MAX: u32 = 512;

/// Identify (NVMe Base 2.0 5.17) opcode.
pub(crate) const OPC_IDENTIFY: u8 = 0x06;
/// Get Log Page (NVMe Base 2.0 5.16) opcode.
pub(crate) const OPC_GET_LOG_PAGE: u8 = 0x02;
/// Identify CNS 00h: Identify Namespace (NVM Command Set 1.0 4.1.5.1).
const CNS_NAMESPACE: u32 = 0x00;
/// Identify CNS 01h: Identify Controller (NVMe Base 2.0 5.17.2.1).
const CNS_CONTROLLER: u32 = 0x01;
/// The broadcast NSID (NVMe Base 2.0 3.2.1.2).
const NSID_ALL: u32 = 0xffff_ffff;

/// An admin command a data-in tunnel carries: its opcode, the command dwords the tunnels
/// can hold, and its data-in length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AdminIn {
    pub opcode: u8,
    pub cdw10: u32,
    pub cdw12: u32,
    pub cdw13: u32,
    pub len: u32,
}

impl AdminIn {
    /// Checks that `entry` (on `queue`, with `phase`) is a command the data-in tunnel
    /// `bridge` carries; Get Log Page offsets (CDW12, CDW13) only when `offsets` is set.
    pub fn new(
        bridge: &'static str,
        queue: Queue,
        entry: &SubmissionEntry,
        phase: DataPhase<'_>,
        offsets: bool,
    ) -> Result<Self, BuildError> {
        let refuse = |reason| {
            Err(BuildError::Invalid {
                command: bridge,
                reason,
            })
        };
        let DataPhase::In(len) = phase else {
            return refuse("the tunnel carries data-in commands only");
        };
        if queue != Queue::Admin {
            return refuse("the tunnel carries admin commands only");
        }
        if entry.fuse() != 0 || entry.cdw2.get() != 0 || entry.cdw3.get() != 0 {
            return refuse("FUSE, CDW2 and CDW3 cannot be carried");
        }
        if entry.cdw11.get() != 0 || entry.cdw14.get() != 0 || entry.cdw15.get() != 0 {
            return refuse("CDW11, CDW14 and CDW15 cannot be carried (must be zero)");
        }
        let (cdw10, nsid) = (entry.cdw10.get(), entry.nsid.get());
        match entry.opc() {
            OPC_IDENTIFY => {
                match (cdw10, nsid) {
                    (CNS_CONTROLLER, 0) | (CNS_NAMESPACE, 1) => {}
                    _ => return refuse("only Identify Controller and Identify Namespace 1"),
                }
                if len != IDENTIFY_LEN {
                    return refuse("Identify transfers exactly 4096 bytes");
                }
                if entry.cdw12.get() != 0 || entry.cdw13.get() != 0 {
                    return refuse("Identify CDW12 and CDW13 must be zero");
                }
            }
            OPC_GET_LOG_PAGE => {
                if nsid != 0 && nsid != NSID_ALL {
                    return refuse("Get Log Page for the controller only (NSID 0 or FFFFFFFFh)");
                }
                if (cdw10 >> 8) & 0xff != 0 {
                    return refuse("LSP and RAE cannot be carried");
                }
                BuildError::check_max(
                    bridge,
                    "log page length",
                    u64::from(len),
                    u64::from(LOG_PAGE_MAX),
                )?;
                if !offsets && (entry.cdw12.get() != 0 || entry.cdw13.get() != 0) {
                    return refuse("log page offsets cannot be carried");
                }
            }
            _ => return refuse("only Identify and Get Log Page"),
        }
        Ok(AdminIn {
            opcode: entry.opc(),
            cdw10,
            cdw12: entry.cdw12.get(),
            cdw13: entry.cdw13.get(),
            len,
        })
    }

    /// The submission entry a bridge derives for the drive: the tunnels carry no NSID, so
    /// Identify Namespace addresses namespace 1 and Get Log Page the controller (NVMe Base
    /// 2.0 5.16, 5.17).
    pub fn entry(&self) -> SubmissionEntry {
        let nsid = match (self.opcode, self.cdw10) {
            (OPC_IDENTIFY, CNS_NAMESPACE) => 1,
            (OPC_GET_LOG_PAGE, _) => NSID_ALL,
            _ => 0,
        };
        let mut entry = SubmissionEntry::new(self.opcode, nsid);
        entry.cdw10 = self.cdw10.into();
        entry.cdw12 = self.cdw12.into();
        entry.cdw13 = self.cdw13.into();
        entry
    }
}

/// The data-in length a bridge implies from an admin command's opcode and CDW10: 4096 for
/// Identify, (NUMDL + 1) dwords for Get Log Page (NVMe Base 2.0 5.16.1), 0 otherwise.
pub(crate) fn implied_length(opcode: u8, cdw10: u32) -> u32 {
    match opcode {
        OPC_IDENTIFY => IDENTIFY_LEN,
        OPC_GET_LOG_PAGE => ((cdw10 >> 16) + 1) * 4,
        _ => 0,
    }
}

/// The data-in bytes a tunnel answers with: at most `len` (SPC-5 4.2.5.6: fewer when the
/// bridge moved fewer), as the drive returned them — no completion Dword 0 comes back, so
/// the tunnelled command's own decoder reads them.
pub(crate) fn received(len: u32, data_in: &[u8]) -> Vec<u8> {
    DataPhase::input(len).within(data_in).to_vec()
}

/// The CDW10 bits 31:8 a bridge derives from a data-in length: Get Log Page's NUMDL
/// (NVMe Base 2.0 5.16.1), nothing for Identify.
pub(crate) fn implied_length_cdw10(opcode: u8, len: u32) -> u32 {
    match opcode {
        OPC_GET_LOG_PAGE if len >= 4 => ((len / 4 - 1) & 0xffff) << 16,
        _ => 0,
    }
}

//! The data-in tunnels of ASMedia (E6h) and Realtek (E4h) chips: one 16-byte vendor CDB
//! (SPC-5 4.2.5.1, group 7) carries an NVMe admin command, Identify (NVMe Base 2.0 5.17)
//! or Get Log Page (Base 2.0 5.16) only, and its data comes back as data-in. Neither
//! carries an NSID (the chip uses 1 for Identify Namespace, FFFFFFFFh for log pages) nor
//! returns the completion status: a failed command still ends in GOOD, with zeros from
//! ASMedia and whatever the buffer held from Realtek. Layouts (facts from smartmontools'
//! SCSI-to-NVMe tunnels):
//!
//! - ASMedia E6h: byte 1 opcode, byte 3 CDW10 bits 7:0, bytes 6–7 CDW10 bits 31:16
//!   (big-endian), bytes 8–11 CDW13 and 12–15 CDW12 (big-endian). The data-in length is
//!   the command's own: 4096 bytes for Identify, NUMDL + 1 dwords for Get Log Page.
//! - Realtek E4h: bytes 1–2 the transfer length (little-endian), byte 3 opcode, byte 4
//!   CDW10 bits 7:0 (CNS or LID). The chip reads at most 512 bytes of a log page into its
//!   4 KiB buffer and returns the transfer length from that buffer: bytes past 512 are
//!   stale, left over from an earlier command.
//!
//! A malformed tunnel CDB (another opcode, a transfer longer than the buffer) is ILLEGAL
//! REQUEST, INVALID FIELD IN CDB with the field pointer on the offending byte.

use super::{be, transfer, Bridge, Outcome};
use crate::block::BlockDevice;
use crate::sbc::sense::{self, Condition};
use cdb::nvme::identify::{IDENTIFY_LEN, OPC_IDENTIFY};
use cdb::nvme::log_page::OPC_GET_LOG_PAGE;
use cdb::nvme::nvm::NSID_BROADCAST;
use cdb::nvme::{Queue, SubmissionEntry};
use zerocopy::little_endian::U32;

/// The chip's data buffer size: one Identify data structure.
const BUFFER_LEN: usize = IDENTIFY_LEN as usize;
/// The most of a log page a Realtek chip fetches per command.
const REALTEK_LOG_LIMIT: usize = 512;

/// A Realtek chip's tunnel buffer: what the last tunnelled command left in it.
pub(super) struct Buffer(Vec<u8>);

impl Default for Buffer {
    fn default() -> Self {
        Buffer(vec![0; BUFFER_LEN])
    }
}

/// An Identify or Get Log Page entry: the NSID the chip fills in and CDW10, CDW12, CDW13.
fn entry(opcode: u8, cdw10: u32, cdw12: u32, cdw13: u32) -> SubmissionEntry {
    let nsid = match opcode {
        // CNS 00h, Identify Namespace: the namespace the bridge presents.
        OPC_IDENTIFY if cdw10 & 0xff == 0 => super::NSID,
        OPC_IDENTIFY => 0,
        _ => NSID_BROADCAST,
    };
    let mut sqe = SubmissionEntry::new(opcode, nsid);
    sqe.cdw10 = U32::new(cdw10);
    sqe.cdw12 = U32::new(cdw12);
    sqe.cdw13 = U32::new(cdw13);
    sqe
}

/// Checks that the tunnelled opcode at CDB byte `at` is Identify or Get Log Page.
fn check_opcode(opcode: u8, at: u16) -> Result<(), Condition> {
    if [OPC_IDENTIFY, OPC_GET_LOG_PAGE].contains(&opcode) {
        Ok(())
    } else {
        Err(Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, at, 7))
    }
}

impl<D: BlockDevice> Bridge<D> {
    /// ASMedia's E6h tunnel.
    pub(super) fn asmedia(&mut self, cdb: &[u8], data_in: &mut [u8]) -> Outcome {
        let opcode = cdb.get(1).copied().unwrap_or(0);
        check_opcode(opcode, 1)?;
        let cdw10 = be(cdb, 3, 1) as u32 | ((be(cdb, 6, 2) as u32) << 16);
        let len = if opcode == OPC_IDENTIFY {
            BUFFER_LEN
        } else {
            ((cdw10 >> 16) as usize + 1) * 4
        };
        let sqe = entry(opcode, cdw10, be(cdb, 12, 4) as u32, be(cdb, 8, 4) as u32);
        let mut data = vec![0; len.min(data_in.len())];
        let done = self.submit_entry(Queue::Admin, sqe, &[], &mut data);
        if !done.status.is_success() {
            data.fill(0);
        }
        Ok(transfer(data_in, &data, len))
    }

    /// Realtek's E4h tunnel.
    pub(super) fn realtek(&mut self, cdb: &[u8], data_in: &mut [u8]) -> Outcome {
        let len = usize::from(u16::from_le_bytes([
            cdb.get(1).copied().unwrap_or(0),
            cdb.get(2).copied().unwrap_or(0),
        ]));
        if len > BUFFER_LEN {
            return Err(Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 2, 7));
        }
        let opcode = cdb.get(3).copied().unwrap_or(0);
        check_opcode(opcode, 3)?;
        if len == 0 {
            return Ok(0);
        }
        let low = u32::from(cdb.get(4).copied().unwrap_or(0));
        let (fetch, cdw10) = if opcode == OPC_IDENTIFY {
            (BUFFER_LEN, low)
        } else {
            let fetch = len.next_multiple_of(4).min(REALTEK_LOG_LIMIT);
            // NUMDL: dwords, 0's based.
            (fetch, low | (((fetch / 4 - 1) as u32) << 16))
        };
        let mut fresh = vec![0; fetch];
        let done = self.submit_entry(Queue::Admin, entry(opcode, cdw10, 0, 0), &[], &mut fresh);
        if done.status.is_success() {
            if let Some(head) = self.tunnel.0.get_mut(..fetch) {
                head.copy_from_slice(&fresh);
            }
        }
        let buffer = std::mem::take(&mut self.tunnel.0);
        let n = transfer(data_in, &buffer, len);
        self.tunnel.0 = buffer;
        Ok(n)
    }
}

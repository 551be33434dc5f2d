//! The data-in tunnels of ASMedia (E6h, [`cdb::tunnel::asmedia`]) and Realtek (E4h,
//! [`cdb::tunnel::realtek`]) chips: one 16-byte vendor CDB carries an NVMe admin command,
//! Identify (NVMe Base 2.0 5.17) or Get Log Page (Base 2.0 5.16) only, and its data comes
//! back as data-in. Neither carries an NSID (the chip uses 1 for Identify Namespace,
//! FFFFFFFFh for log pages) nor returns the completion status: a failed command still
//! ends in GOOD, with zeros from ASMedia and whatever the buffer held from Realtek.
//!
//! ASMedia moves the command's own length (4096 bytes for Identify, NUMDL + 1 dwords for
//! Get Log Page). Realtek takes the transfer length from the CDB, reads at most 512 bytes
//! of a log page into its 4 KiB buffer and returns the transfer length from that buffer:
//! bytes past 512 are stale, left over from an earlier command. (ASMedia chips time out on
//! log reads over 512 bytes; a timeout is not modelled, the read completes.)
//!
//! A malformed tunnel CDB (another opcode, a transfer longer than the buffer) is ILLEGAL
//! REQUEST, INVALID FIELD IN CDB with the field pointer on the offending byte.

use super::{transfer, Bridge, Outcome};
use crate::block::BlockDevice;
use crate::sbc::sense::{self, Condition};
use cdb::command::CdbLayout;
use cdb::nvme::identify::OPC_IDENTIFY;
use cdb::nvme::log_page::OPC_GET_LOG_PAGE;
use cdb::nvme::Queue;
use cdb::tunnel::asmedia::AsmediaPassThrough;
use cdb::tunnel::realtek::RealtekPassThrough;
use cdb::tunnel::{IDENTIFY_LEN, LOG_PAGE_MAX};

/// The chip's data buffer size: one Identify data structure.
const BUFFER_LEN: usize = IDENTIFY_LEN as usize;

/// A Realtek chip's tunnel buffer: what the last tunnelled command left in it.
pub(super) struct Buffer(Vec<u8>);

impl Default for Buffer {
    fn default() -> Self {
        Buffer(vec![0; BUFFER_LEN])
    }
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
        let parsed = AsmediaPassThrough::parse_cdb(cdb)
            .map_err(|_| Condition::from(sense::INVALID_FIELD_IN_CDB))?;
        check_opcode(parsed.opcode, 1)?;
        let len = parsed.transfer_length() as usize;
        let mut data = vec![0; len.min(data_in.len())];
        let done = self.submit_entry(Queue::Admin, parsed.entry(), &[], &mut data);
        if !done.status.is_success() {
            data.fill(0);
        }
        Ok(transfer(data_in, &data, len))
    }

    /// Realtek's E4h tunnel.
    pub(super) fn realtek(&mut self, cdb: &[u8], data_in: &mut [u8]) -> Outcome {
        let parsed = RealtekPassThrough::parse_cdb(cdb)
            .map_err(|_| Condition::from(sense::INVALID_FIELD_IN_CDB))?;
        let len = usize::from(parsed.transfer_length);
        if len > BUFFER_LEN {
            return Err(Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 2, 7));
        }
        check_opcode(parsed.opcode, 3)?;
        if len == 0 {
            return Ok(0);
        }
        // The chip fetches a whole Identify structure, or at most 512 bytes of a log page.
        let fetch = if parsed.opcode == OPC_IDENTIFY {
            IDENTIFY_LEN as u16
        } else {
            parsed
                .transfer_length
                .next_multiple_of(4)
                .min(LOG_PAGE_MAX as u16)
        };
        let entry = RealtekPassThrough {
            transfer_length: fetch,
            ..parsed
        }
        .entry();
        let mut fresh = vec![0; usize::from(fetch)];
        let done = self.submit_entry(Queue::Admin, entry, &[], &mut fresh);
        if done.status.is_success() {
            if let Some(head) = self.tunnel.0.get_mut(..fresh.len()) {
                head.copy_from_slice(&fresh);
            }
        }
        Ok(transfer(data_in, &self.tunnel.0, len))
    }
}

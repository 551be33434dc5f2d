//! JMicron's tunnel (facts from smartmontools' SCSI-to-NVMe tunnels): three ATA
//! PASS-THROUGH (12) CDBs (A1h, SAT-5 12.2.2 in form only). Byte 1 is 80h for an admin
//! command (0 for I/O) with the step's protocol in bits 3:0; bytes 3–5 hold the transfer
//! length (big-endian).
//!
//! 1. Protocol 0h, data-out of 512 bytes: the NVMe command block, little-endian dwords —
//!    dword 0 the signature 454D564Eh ("NVME"), dword 2 the opcode, dword 3 the NSID,
//!    dwords 12–17 CDW10–CDW15.
//! 2. Protocol 1h (no data), 2h (DMA-in) or 3h (DMA-out) with the command's data: the
//!    chip submits the command, so Firmware Image Download and Firmware Commit go through.
//! 3. Protocol Fh, data-in of 512 bytes: the completion block — dword 0 the signature,
//!    dwords 2–5 the completion queue entry (NVMe Base 2.0 4.6): Dword 0 in dword 2 and
//!    the status field in dword 5 bits 31:17.
//!
//! What the chip answers when the host gets it wrong: a command block length other than
//! 512 or a data length with protocol 1h is INVALID FIELD IN CDB on the length (byte 3);
//! another protocol is INVALID FIELD IN CDB on byte 1; a wrong signature is INVALID FIELD
//! IN PARAMETER LIST on byte 0 of the block; a data step without a command block, or a
//! completion request before any command completed, is COMMAND SEQUENCE ERROR (2Ch/00h).

use super::{be, transfer, Bridge, Outcome};
use crate::block::BlockDevice;
use crate::sbc::sense::{self, Condition};
use cdb::nvme::{Completion, Queue, SubmissionEntry};
use zerocopy::little_endian::U32;

/// The command and completion block signature: "NVME" read as a little-endian dword.
pub(super) const SIGNATURE: u32 = 0x454d_564e;
/// The command and completion block length.
pub(super) const BLOCK_LEN: usize = 512;

/// Protocol 0h: the NVMe command block (data-out).
const COMMAND: u8 = 0x0;
/// Protocol 1h: no data.
const NON_DATA: u8 = 0x1;
/// Protocol 2h: DMA-in.
const DMA_IN: u8 = 0x2;
/// Protocol 3h: DMA-out.
const DMA_OUT: u8 = 0x3;
/// Protocol Fh: the completion block (data-in).
const RESPONSE: u8 = 0xf;

/// The chip's tunnel state: the command block waiting for its data step, and the last
/// completion block.
#[derive(Default)]
pub(super) struct State {
    pending: Option<(Queue, SubmissionEntry)>,
    reply: Option<Vec<u8>>,
}

/// The little-endian dword `i` of `block` (absent bytes read as zero).
fn dword(block: &[u8], i: usize) -> u32 {
    let at = i * 4;
    let b = |k: usize| block.get(at + k).copied().unwrap_or(0);
    u32::from_le_bytes([b(0), b(1), b(2), b(3)])
}

/// The submission entry a command block describes.
fn parse_block(block: &[u8]) -> Result<SubmissionEntry, Condition> {
    if dword(block, 0) != SIGNATURE {
        return Err(Condition::parameter_field(
            sense::INVALID_FIELD_IN_PARAMETER_LIST,
            0,
            7,
        ));
    }
    let mut sqe = SubmissionEntry::new(dword(block, 2) as u8, dword(block, 3));
    let cdws = [
        &mut sqe.cdw10,
        &mut sqe.cdw11,
        &mut sqe.cdw12,
        &mut sqe.cdw13,
        &mut sqe.cdw14,
        &mut sqe.cdw15,
    ];
    for (i, cdw) in cdws.into_iter().enumerate() {
        *cdw = U32::new(dword(block, 12 + i));
    }
    Ok(sqe)
}

/// The completion block for `done`.
fn reply_block(done: &Completion) -> Vec<u8> {
    let dwords = [
        SIGNATURE,
        0,
        done.dw0,
        done.dw1,
        u32::from(done.sqhd) | (u32::from(done.sqid) << 16),
        u32::from(done.cid)
            | (u32::from(done.phase) << 16)
            | (u32::from(done.status.to_field()) << 17),
    ];
    let mut block = vec![0; BLOCK_LEN];
    for (slot, dw) in block.chunks_exact_mut(4).zip(dwords) {
        slot.copy_from_slice(&dw.to_le_bytes());
    }
    block
}

impl<D: BlockDevice> Bridge<D> {
    /// One of the three JMicron tunnel steps.
    pub(super) fn jmicron(&mut self, cdb: &[u8], data_out: &[u8], data_in: &mut [u8]) -> Outcome {
        let byte1 = cdb.get(1).copied().unwrap_or(0);
        let queue = if byte1 & 0x80 != 0 {
            Queue::Admin
        } else {
            Queue::Io
        };
        let len = be(cdb, 3, 3) as usize;
        let bad_length = || Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 3, 7);
        match byte1 & 0x0f {
            COMMAND | RESPONSE if len != BLOCK_LEN => Err(bad_length()),
            NON_DATA if len != 0 => Err(bad_length()),
            COMMAND => {
                let block = data_out.get(..BLOCK_LEN).ok_or(sense::DATA_PHASE_ERROR)?;
                let sqe = parse_block(block)?;
                self.jmicron = State {
                    pending: Some((queue, sqe)),
                    reply: None,
                };
                Ok(0)
            }
            NON_DATA => self.jmicron_submit(&[], &mut []).map(|_| 0),
            DMA_IN => {
                let mut data = vec![0; len.min(data_in.len())];
                self.jmicron_submit(&[], &mut data)?;
                Ok(transfer(data_in, &data, len))
            }
            DMA_OUT => {
                let data = data_out.get(..len).ok_or(sense::DATA_PHASE_ERROR)?;
                self.jmicron_submit(data, &mut []).map(|_| 0)
            }
            RESPONSE => {
                let reply = self
                    .jmicron
                    .reply
                    .as_deref()
                    .ok_or(sense::COMMAND_SEQUENCE_ERROR)?;
                Ok(transfer(data_in, reply, BLOCK_LEN))
            }
            _ => Err(Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 1, 3)),
        }
    }

    /// Submits the pending command block with the data step's data; its completion
    /// block is kept for the response step. Without a command block: COMMAND SEQUENCE
    /// ERROR.
    fn jmicron_submit(&mut self, data_out: &[u8], data_in: &mut [u8]) -> Result<(), Condition> {
        let (queue, sqe) = self
            .jmicron
            .pending
            .take()
            .ok_or(sense::COMMAND_SEQUENCE_ERROR)?;
        let done = self.submit_entry(queue, sqe, data_out, data_in);
        self.jmicron.reply = Some(reply_block(&done));
        Ok(())
    }
}

//! JMicron's tunnel ([`cdb::tunnel::jmicron`]; facts from smartmontools' SCSI-to-NVMe
//! tunnels): three ATA PASS-THROUGH (12) CDBs (A1h, SAT-5 12.2.2 in form only). Byte 1 is
//! 80h for an admin command (0 for I/O) with the step's protocol in bits 3:0; bytes 3–5
//! hold the transfer length (big-endian).
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
//! IN PARAMETER LIST on byte 0 of the block (an opcode wider than a byte, on byte 8); a
//! data step without a command block, or a completion request before any command
//! completed, is COMMAND SEQUENCE ERROR (2Ch/00h).

use super::{transfer, Bridge, Outcome};
use crate::block::BlockDevice;
use crate::sbc::sense::{self, Condition};
use cdb::command::{CdbLayout, Direction};
use cdb::error::DecodeError;
use cdb::nvme::{Queue, SubmissionEntry};
use cdb::tunnel::jmicron::{CommandBlock, Protocol, ReplyBlock, TunnelCdb, BLOCK_LEN};

/// The chip's tunnel state: the command block waiting for its data step, and the last
/// completion block.
#[derive(Default)]
pub(super) struct State {
    pending: Option<(Queue, SubmissionEntry)>,
    reply: Option<ReplyBlock>,
}

/// The submission entry a command block describes: a wrong signature is INVALID FIELD IN
/// PARAMETER LIST on byte 0, an opcode wider than a byte on byte 8.
fn parse_block(block: &[u8]) -> Result<SubmissionEntry, Condition> {
    let invalid =
        |byte| Condition::parameter_field(sense::INVALID_FIELD_IN_PARAMETER_LIST, byte, 7);
    match CommandBlock::parse(block) {
        Ok(parsed) => Ok(parsed.entry()),
        Err(DecodeError::InvalidValue { what, .. }) if what.ends_with("opcode") => Err(invalid(8)),
        Err(_) => Err(invalid(0)),
    }
}

/// The data phase of a JMicron tunnel step: the command block out, the command's data in
/// or out, the reply block in; `None` when `cdb` is not a step.
pub(super) fn data_phase(cdb: &[u8]) -> Option<(Direction, u64)> {
    let step = TunnelCdb::parse_cdb(cdb).ok()?;
    let length = u64::from(step.length());
    Some(match step.protocol() {
        Protocol::NvmCommand | Protocol::DmaOut => (Direction::ToDevice, length),
        Protocol::DmaIn | Protocol::Response => (Direction::FromDevice, length),
        Protocol::NonData => (Direction::None, 0),
    })
}

impl<D: BlockDevice> Bridge<D> {
    /// One of the three JMicron tunnel steps.
    pub(super) fn jmicron(&mut self, cdb: &[u8], data_out: &[u8], data_in: &mut [u8]) -> Outcome {
        let step = TunnelCdb::parse_cdb(cdb)
            .map_err(|_| Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 1, 3))?;
        let queue = if step.admin() {
            Queue::Admin
        } else {
            Queue::Io
        };
        let len = step.length() as usize;
        let bad_length = || Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 3, 7);
        match step.protocol() {
            Protocol::NvmCommand | Protocol::Response if len != BLOCK_LEN => Err(bad_length()),
            Protocol::NonData if len != 0 => Err(bad_length()),
            Protocol::NvmCommand => {
                let block = data_out.get(..BLOCK_LEN).ok_or(sense::DATA_PHASE_ERROR)?;
                let sqe = parse_block(block)?;
                self.jmicron = State {
                    pending: Some((queue, sqe)),
                    reply: None,
                };
                Ok(0)
            }
            Protocol::NonData => self.jmicron_submit(&[], &mut []).map(|_| 0),
            Protocol::DmaIn => {
                let mut data = vec![0; len.min(data_in.len())];
                self.jmicron_submit(&[], &mut data)?;
                Ok(transfer(data_in, &data, len))
            }
            Protocol::DmaOut => {
                let data = data_out.get(..len).ok_or(sense::DATA_PHASE_ERROR)?;
                self.jmicron_submit(data, &mut []).map(|_| 0)
            }
            Protocol::Response => {
                let reply = self.jmicron.reply.ok_or(sense::COMMAND_SEQUENCE_ERROR)?;
                Ok(transfer(data_in, &reply.to_bytes(), BLOCK_LEN))
            }
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
        let completion = self.submit_entry(queue, sqe, data_out, data_in);
        self.jmicron.reply = Some(ReplyBlock { completion });
        Ok(())
    }
}

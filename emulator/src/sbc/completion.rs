//! What a command's execution hands back to the transport (SAM-5 5.1, "Execute Command"
//! procedure call): the status, the sense data and how much data-in was transferred.

use super::sense::Condition;
use cdb::scsi::status::Status;

/// The outcome of one command (SAM-5 5.1): STATUS, SENSE DATA and the number of data-in
/// bytes placed in the buffer the transport supplied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The SCSI status (SAM-5 5.3.1): GOOD or CHECK CONDITION.
    pub status: Status,
    /// Sense data (SPC-5 4.4) with CHECK CONDITION (autosense); empty with GOOD.
    pub sense: Vec<u8>,
    /// Data-in bytes transferred, never more than the allocation length or the buffer.
    pub data_in_len: usize,
}

impl Completion {
    /// GOOD status (SAM-5 5.3.1) after `data_in_len` bytes of data-in.
    pub fn good(data_in_len: usize) -> Self {
        Completion {
            status: Status::Good,
            sense: Vec::new(),
            data_in_len,
        }
    }

    /// CHECK CONDITION with `condition` as sense data, fixed or descriptor format
    /// (SPC-5 4.4.1, D_SENSE in the control mode page).
    pub fn check(condition: &Condition, descriptor: bool) -> Self {
        Completion {
            status: Status::CheckCondition,
            sense: condition.encode(descriptor),
            data_in_len: 0,
        }
    }

    /// The residual for a transfer of `expected` bytes: what was not transferred
    /// (SAM-5 5.1, the data-in buffer length less the bytes transferred).
    pub fn residual(&self, expected: usize) -> usize {
        expected.saturating_sub(self.data_in_len)
    }
}

/// Copies `data` into `data_in`, truncated to `allocation_length` and to the buffer
/// (SPC-5 4.2.5.6); returns the bytes transferred.
pub(crate) fn transfer(data_in: &mut [u8], data: &[u8], allocation_length: usize) -> usize {
    let n = data.len().min(allocation_length).min(data_in.len());
    data_in[..n].copy_from_slice(&data[..n]);
    n
}

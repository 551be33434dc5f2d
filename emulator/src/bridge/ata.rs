//! ATA PASS-THROUGH (12) A1h and (16) 85h (SAT-5 12.2.2, 12.2.3) on a bridge that keeps a
//! SAT layer in front of an NVMe drive ([`super::Model::sat_layer`]).
//!
//! PROTOCOL (byte 1 bits 4:1) 0h is an ATA hardware reset and 1h a software reset
//! (SAT-5 table "PROTOCOL field"): the chip resets the drive behind it — here an NVMe
//! Controller Level Reset — and completes with GOOD; the next command sees UNIT ATTENTION
//! 29h/00h. That is what JMicron's first tunnel CDB (byte 1 = 80h) does to such a bridge,
//! and why a host must never send it to an unknown bridge. Every other protocol needs an
//! ATA device, which an NVMe drive is not: INVALID FIELD IN CDB pointing at PROTOCOL.

use super::{Bridge, Outcome};
use crate::block::BlockDevice;
use crate::sbc::sense::{self, Condition};

/// PROTOCOL 0h: ATA hardware reset (SAT-5).
const HARD_RESET: u8 = 0x0;
/// PROTOCOL 1h: software reset (SAT-5).
const SOFT_RESET: u8 = 0x1;

impl<D: BlockDevice> Bridge<D> {
    /// ATA PASS-THROUGH (12) or (16) on a SAT layer with an NVMe drive behind it.
    pub(super) fn ata_pass_through(&mut self, cdb: &[u8]) -> Outcome {
        let protocol = cdb.get(1).map_or(0, |b| (b >> 1) & 0x0f);
        if ![HARD_RESET, SOFT_RESET].contains(&protocol) {
            return Err(Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 1, 4));
        }
        self.reset_drive()
            .map_err(|_| Condition::from(sense::INTERNAL_TARGET_FAILURE))?;
        Ok(0)
    }
}

//! REQUEST SENSE (SPC-5 6.39): asks the logical unit for its sense data.

use crate::command::{Cdb, CdbField, CdbLayout, DataInCommand};
use crate::error::DecodeError;
use crate::scsi::cdb_bytes::{bit, byte, check};
use crate::sense::{self, SenseData};

/// REQUEST SENSE operation code (SPC-5 6.39, table 318).
pub const OPCODE: u8 = 0x03;

/// The largest sense data a device returns in one REQUEST SENSE (SPC-5 4.4.1: 252 bytes).
pub const MAX_SENSE_LEN: u8 = 252;

/// REQUEST SENSE (SPC-5 6.39, table 318): a 6-byte CDB with DESC and an 8-bit ALLOCATION
/// LENGTH; the response is sense data (SPC-5 4.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestSense {
    /// DESC (byte 1 bit 0): ask for descriptor format sense data.
    pub desc: bool,
    /// ALLOCATION LENGTH (byte 4).
    pub allocation_length: u8,
    /// CONTROL (byte 5, SAM-6 5.2).
    pub control: u8,
}

impl RequestSense {
    /// REQUEST SENSE for `allocation_length` bytes, in descriptor format when `desc`.
    pub fn new(desc: bool, allocation_length: u8) -> Self {
        RequestSense {
            desc,
            allocation_length,
            control: 0,
        }
    }
}

impl Default for RequestSense {
    /// Fixed format, room for the largest sense data ([`MAX_SENSE_LEN`]).
    fn default() -> Self {
        RequestSense::new(false, MAX_SENSE_LEN)
    }
}

impl DataInCommand for RequestSense {
    type Response = SenseData;

    fn allocation_length(&self) -> u32 {
        u32::from(self.allocation_length)
    }

    /// Decodes the returned sense data; fails only when no byte came back.
    fn decode_data(&self, data_in: &[u8]) -> Result<SenseData, DecodeError> {
        sense::decode(data_in)
    }
}

impl CdbLayout for RequestSense {
    const NAME: &'static str = "REQUEST SENSE";

    fn parse_cdb(cdb: &[u8]) -> Result<Self, DecodeError> {
        check(cdb, 6, OPCODE, Self::NAME)?;
        Ok(RequestSense {
            desc: bit(cdb, 1, 0),
            allocation_length: byte(cdb, 4),
            control: byte(cdb, 5),
        })
    }

    fn to_cdb(&self) -> Cdb {
        let mut cdb = Cdb::zeroed(6);
        let b = cdb.bytes_mut();
        b[0] = OPCODE;
        b[1] = u8::from(self.desc);
        b[4] = self.allocation_length;
        b[5] = self.control;
        cdb
    }

    fn fields(&self) -> Vec<CdbField> {
        vec![
            CdbField::flag("DESC", self.desc),
            CdbField::new("ALLOCATION LENGTH", self.allocation_length),
            CdbField::new("CONTROL", self.control),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{DataPhase, ScsiCommand};
    use proptest::prelude::*;

    #[test]
    fn cdb_matches_spc5_table_318() {
        // SPC-5 6.39: opcode 03h, DESC in byte 1 bit 0, ALLOCATION LENGTH in byte 4.
        let cmd = RequestSense::new(true, 252);
        assert_eq!(cmd.cdb().as_bytes(), &[0x03, 0x01, 0x00, 0x00, 0xFC, 0x00]);
        assert_eq!(cmd.data_phase(), DataPhase::In(252));
        assert_eq!(cmd.name(), "REQUEST SENSE");
        let fixed = RequestSense::new(false, 18);
        assert_eq!(
            fixed.cdb().as_bytes(),
            &[0x03, 0x00, 0x00, 0x00, 0x12, 0x00]
        );
    }

    #[test]
    fn parse_rejects_wrong_opcode_and_length() {
        assert!(RequestSense::parse_cdb(&[0x00, 0, 0, 0, 18, 0]).is_err());
        assert!(RequestSense::parse_cdb(&[0x03, 0, 0, 0, 18]).is_err());
        assert!(RequestSense::parse_cdb(&[0x03, 0, 0, 0, 18, 0, 0, 0, 0, 0]).is_err());
    }

    #[test]
    fn decodes_qemu_not_ready_response() {
        // QEMU scsi-disk answers REQUEST SENSE with fixed format sense built from
        // SENSE_CODE(...): 70h, key, ADDITIONAL SENSE LENGTH 0Ah, ASC, ASCQ.
        let data = [
            0x70, 0, 0x02, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x3A, 0x00, 0, 0, 0, 0,
        ];
        let sense = RequestSense::default().decode(&data).unwrap();
        assert_eq!(sense.sense_key_code(), Some(0x02));
        assert_eq!(sense.asc_ascq(), Some((0x3A, 0x00)));
        assert!(RequestSense::default().decode(&[]).is_err());
    }

    proptest! {
        #[test]
        fn cdb_round_trips(desc: bool, allocation_length: u8, control: u8) {
            let cmd = RequestSense { desc, allocation_length, control };
            prop_assert_eq!(RequestSense::parse_cdb(cmd.to_cdb().as_bytes()).unwrap(), cmd);
            prop_assert_eq!(cmd.fields().len(), 3);
        }
    }
}

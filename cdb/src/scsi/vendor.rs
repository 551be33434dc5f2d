//! A raw command: any 6–16 byte CDB or a 32-byte variable-length CDB (SPC-5 4.2.4), with
//! an explicit data phase. The escape hatch for vendor-specific commands (groups 6 and 7,
//! SPC-5 4.2.5.1) and for standard commands without a typed builder. Where the CDB has a
//! typed layout, the data phase must agree with it (direction, data-out length).

use crate::command::{Cdb, DataPhase, Direction, ScsiCommand};
use crate::error::{BuildError, DecodeError};
use crate::scsi::cdb_decode::{self, ImpliedData};
use crate::scsi::opcode::{self, CdbLength};

/// A command built from raw CDB bytes and an explicit direction and length: data-in with
/// an allocation length, or data-out holding the bytes to send (SPC-5 4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawCommand<'a> {
    cdb: Cdb,
    data: DataPhase<'a>,
}

const NAME: &str = "raw command";

impl<'a> RawCommand<'a> {
    /// Checks the CDB as [`RawCommand::with_any_phase`] does, and that the data phase agrees
    /// with what a CDB with a typed layout implies: the direction, a data-out length the CDB
    /// states in bytes, and a data-out that is a whole number of the blocks it counts.
    pub fn new(cdb: &[u8], data: DataPhase<'a>) -> Result<Self, BuildError> {
        let command = Self::with_any_phase(cdb, data)?;
        if let Some(implied) = cdb_decode::decode(cdb).ok().and_then(|d| d.data) {
            check_phase(&implied, &data).map_err(|reason| BuildError::Invalid {
                command: NAME,
                reason,
            })?;
        }
        Ok(command)
    }

    /// For a device known to reinterpret a standard operation code (a USB bridge whose
    /// vendor tunnel reuses ATA PASS-THROUGH, say): checks only the CDB's length against its
    /// operation code (SPC-5 4.2.5.1: the group code fixes it, except vendor-specific and
    /// reserved groups, which may be 6 to 16 bytes; a 7Fh CDB must be 32 bytes with
    /// ADDITIONAL CDB LENGTH 18h, SPC-5 4.2.4) and that a data-out buffer fits a 32-bit
    /// transfer length.
    pub fn with_any_phase(cdb: &[u8], data: DataPhase<'a>) -> Result<Self, BuildError> {
        let invalid = |reason| BuildError::Invalid {
            command: NAME,
            reason,
        };
        let cdb = Cdb::new(cdb)?;
        let len = cdb.len();
        match opcode::cdb_length(cdb.opcode()) {
            CdbLength::Fixed(n) if n != len => {
                return Err(invalid(
                    "CDB length does not match the operation code's group code",
                ))
            }
            CdbLength::Variable if opcode::expected_len(cdb.as_bytes()) != Some(len) => {
                return Err(invalid(
                    "variable-length CDB: ADDITIONAL CDB LENGTH must equal the length less 8",
                ))
            }
            CdbLength::Reserved | CdbLength::VendorSpecific if len > 16 => {
                return Err(invalid(
                    "only a 7Fh variable-length CDB may exceed 16 bytes",
                ))
            }
            _ => {}
        }
        if let DataPhase::Out(bytes) = data {
            BuildError::check_max(
                NAME,
                "data-out length",
                bytes.len() as u64,
                u64::from(u32::MAX),
            )?;
        }
        Ok(RawCommand { cdb, data })
    }
}

/// The smallest logical block (SBC-4 4.5): a data-out of fewer bytes per block than this
/// cannot be what a block-counting CDB means.
const MIN_BLOCK: usize = 512;

/// Checks a data phase against what a CDB with a typed layout implies (SAM-5 5.1: the
/// device transfers what the CDB says; a host that offers a different amount gets a phase
/// error, an aborted command or a hung transport — BOT 6.7, UAS 6.2): the direction, a
/// data-out length the CDB states in bytes, and a data-out that is a whole number of the
/// blocks it counts. Data-in may be shorter or longer than the allocation length (the
/// residual shows it).
fn check_phase(implied: &ImpliedData, data: &DataPhase<'_>) -> Result<(), &'static str> {
    let wants = implied.bytes.or(implied.blocks).unwrap_or(1) > 0;
    match (implied.direction, data) {
        (Direction::None, DataPhase::None) | (Direction::FromDevice, DataPhase::In(_)) => Ok(()),
        (Direction::None, _) => Err("the CDB has no data phase, but one was given"),
        (Direction::FromDevice, DataPhase::Out(_)) => {
            Err("the CDB moves data from the device, but data-out was given")
        }
        (Direction::ToDevice, DataPhase::In(_)) => {
            Err("the CDB moves data to the device, but a data-in phase was given")
        }
        (Direction::FromDevice, DataPhase::None) if wants => {
            Err("the CDB moves data from the device, but no data-in buffer was given")
        }
        (Direction::ToDevice, DataPhase::None) if wants => {
            Err("the CDB moves data to the device, but no data-out was given")
        }
        (_, DataPhase::None) => Ok(()),
        (Direction::ToDevice, DataPhase::Out(bytes)) => match (implied.bytes, implied.blocks) {
            (Some(n), _) if n as usize != bytes.len() => {
                Err("the data-out length differs from the parameter list length in the CDB")
            }
            (None, Some(0)) => Err("the CDB transfers no blocks, but data-out was given"),
            (None, Some(n))
                if bytes.len() % n as usize != 0 || bytes.len() / (n as usize) < MIN_BLOCK =>
            {
                Err("the data-out is not a whole number of the logical blocks the CDB counts")
            }
            _ => Ok(()),
        },
    }
}

impl ScsiCommand for RawCommand<'_> {
    /// The data-in bytes, unchanged.
    type Response = Vec<u8>;

    /// The CDB's name from the operation code table, or "vendor specific" / "unknown".
    fn name(&self) -> &'static str {
        opcode::cdb_name(self.cdb.as_bytes()).unwrap_or(
            match opcode::cdb_length(self.cdb.opcode()) {
                CdbLength::VendorSpecific => "vendor specific",
                _ => "unknown",
            },
        )
    }

    fn cdb(&self) -> Cdb {
        self.cdb
    }

    fn data_phase(&self) -> DataPhase<'_> {
        self.data
    }

    /// Returns what the device sent, bounded by the allocation length.
    fn decode(&self, data_in: &[u8]) -> Result<Vec<u8>, DecodeError> {
        Ok(self.data.within(data_in).to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_data_phase_that_disagrees_with_the_cdb_is_refused() {
        let write_one_block = [0x2a, 0, 0, 0, 0, 100, 0, 0, 1, 0];
        let short = [0u8; 480];
        let block = [0u8; 512];
        let big_block = [0u8; 4096];
        assert!(RawCommand::new(&write_one_block, DataPhase::Out(&short)).is_err());
        assert!(RawCommand::new(&write_one_block, DataPhase::None).is_err());
        assert!(RawCommand::new(&write_one_block, DataPhase::In(512)).is_err());
        assert!(RawCommand::new(&write_one_block, DataPhase::Out(&block)).is_ok());
        assert!(RawCommand::new(&write_one_block, DataPhase::Out(&big_block)).is_ok());
        // MODE SELECT (10) with a PARAMETER LIST LENGTH of 20 bytes.
        let select = [0x55, 0x10, 0, 0, 0, 0, 0, 0, 20, 0];
        assert!(RawCommand::new(&select, DataPhase::Out(&block[..20])).is_ok());
        assert!(RawCommand::new(&select, DataPhase::Out(&block[..24])).is_err());
        // TEST UNIT READY moves nothing; INQUIRY moves data in.
        assert!(RawCommand::new(&[0, 0, 0, 0, 0, 0], DataPhase::In(8)).is_err());
        assert!(RawCommand::new(&[0x12, 0, 0, 0, 36, 0], DataPhase::Out(&block)).is_err());
        assert!(RawCommand::new(&[0x12, 0, 0, 0, 36, 0], DataPhase::None).is_err());
        // The escape hatch sends it anyway; vendor CDBs are never judged.
        assert!(RawCommand::with_any_phase(&write_one_block, DataPhase::Out(&short)).is_ok());
        assert!(RawCommand::new(
            &[0xe4, 0, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            DataPhase::In(512)
        )
        .is_ok());
    }

    #[test]
    fn accepts_matching_lengths() {
        let inq = RawCommand::new(&[0x12, 0, 0, 0, 36, 0], DataPhase::In(36)).unwrap();
        assert_eq!(inq.name(), "INQUIRY");
        assert_eq!(inq.data_phase(), DataPhase::In(36));
        // Vendor specific (group 6): any 6..=16 length.
        for len in 6..=16 {
            let mut cdb = vec![0u8; len];
            cdb[0] = 0xc5;
            let c = RawCommand::new(&cdb, DataPhase::None).unwrap();
            assert_eq!(c.name(), "vendor specific");
        }
        // READ (32): 7Fh, ADDITIONAL CDB LENGTH 18h, service action 0009h.
        let mut read32 = [0u8; 32];
        read32[0] = 0x7f;
        read32[7] = 0x18;
        read32[9] = 0x09;
        let c = RawCommand::new(&read32, DataPhase::In(512)).unwrap();
        assert_eq!(c.name(), "READ (32)");
        let data = [1u8, 2, 3];
        let w = RawCommand::new(&[0x3b, 2, 0, 0, 0, 0, 0, 0, 3, 0], DataPhase::Out(&data)).unwrap();
        assert_eq!(w.data_phase().len(), 3);
    }

    #[test]
    fn rejects_bad_lengths() {
        // INQUIRY is group 0: 6 bytes.
        assert!(RawCommand::new(&[0x12, 0, 0, 0, 36, 0, 0, 0, 0, 0], DataPhase::In(36)).is_err());
        assert!(RawCommand::new(&[0x28, 0, 0, 0, 0], DataPhase::None).is_err());
        assert!(RawCommand::new(&[0xc0; 17], DataPhase::None).is_err());
        let mut bad32 = [0u8; 32];
        bad32[0] = 0x7f;
        bad32[7] = 0x10;
        assert!(RawCommand::new(&bad32, DataPhase::None).is_err());
        let mut vendor32 = [0u8; 32];
        vendor32[0] = 0xc0;
        assert!(RawCommand::new(&vendor32, DataPhase::None).is_err());
    }

    #[test]
    fn decode_is_bounded_by_allocation_length() {
        let c = RawCommand::new(&[0x12, 0, 0, 0, 4, 0], DataPhase::In(4)).unwrap();
        assert_eq!(c.decode(&[1, 2, 3, 4, 5, 6]).unwrap(), vec![1, 2, 3, 4]);
        assert_eq!(c.decode(&[1, 2]).unwrap(), vec![1, 2]);
    }

    proptest! {
        #[test]
        fn arbitrary_cdbs(bytes in proptest::collection::vec(any::<u8>(), 0..40), alloc: u16) {
            if let Ok(c) = RawCommand::new(&bytes, DataPhase::In(u32::from(alloc))) {
                let cdb = c.cdb();
                prop_assert_eq!(cdb.as_bytes(), &bytes[..]);
                prop_assert!(!c.name().is_empty());
            }
        }
    }
}

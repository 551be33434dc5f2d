//! The LOGICAL BLOCK ADDRESS / length / GROUP NUMBER layout that SBC-4's 10- and 16-byte
//! block commands share (SBC-4 5.15, 5.16, 5.28, 5.29, 5.40, 5.41), parameterised by CDB
//! size so that each command is written once.

use crate::command::CdbField;
use crate::error::BuildError;
use crate::scsi::cdb_bytes::{byte, get_be, max_for_width, put_be};
use std::fmt::Debug;

/// An operation code and the command name SBC-4 gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Op {
    /// The OPERATION CODE (SPC-5 4.2.5.1).
    pub opcode: u8,
    /// The command's name, e.g. `"READ (10)"`.
    pub name: &'static str,
}

/// The size of an LBA-addressed SBC-4 CDB: where its fields are and which operation codes
/// each command uses at that size (SBC-4 5.15/5.16, 5.28/5.29, 5.40/5.41).
pub trait CdbSize: Copy + Debug + PartialEq + Eq + Default {
    /// The CDB length in bytes.
    const LEN: usize;
    /// Width of the LOGICAL BLOCK ADDRESS field, which starts at byte 2.
    const LBA_BYTES: usize;
    /// Offset of the TRANSFER LENGTH / NUMBER OF LOGICAL BLOCKS field.
    const COUNT_AT: usize;
    /// Width of the TRANSFER LENGTH / NUMBER OF LOGICAL BLOCKS field.
    const COUNT_BYTES: usize;
    /// Offset of the byte holding GROUP NUMBER (bits 5:0).
    const GROUP_AT: usize;
    /// READ at this size (SBC-4 5.15, 5.16).
    const READ: Op;
    /// WRITE at this size (SBC-4 5.40, 5.41).
    const WRITE: Op;
    /// SYNCHRONIZE CACHE at this size (SBC-4 5.28, 5.29).
    const SYNCHRONIZE_CACHE: Op;
}

/// The 10-byte CDB size: 32-bit LBA, 16-bit length, GROUP NUMBER in byte 6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ten;

/// The 16-byte CDB size: 64-bit LBA, 32-bit length, GROUP NUMBER in byte 14.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sixteen;

impl CdbSize for Ten {
    const LEN: usize = 10;
    const LBA_BYTES: usize = 4;
    const COUNT_AT: usize = 7;
    const COUNT_BYTES: usize = 2;
    const GROUP_AT: usize = 6;
    const READ: Op = Op {
        opcode: 0x28,
        name: "READ (10)",
    };
    const WRITE: Op = Op {
        opcode: 0x2a,
        name: "WRITE (10)",
    };
    const SYNCHRONIZE_CACHE: Op = Op {
        opcode: 0x35,
        name: "SYNCHRONIZE CACHE (10)",
    };
}

impl CdbSize for Sixteen {
    const LEN: usize = 16;
    const LBA_BYTES: usize = 8;
    const COUNT_AT: usize = 10;
    const COUNT_BYTES: usize = 4;
    const GROUP_AT: usize = 14;
    const READ: Op = Op {
        opcode: 0x88,
        name: "READ (16)",
    };
    const WRITE: Op = Op {
        opcode: 0x8a,
        name: "WRITE (16)",
    };
    const SYNCHRONIZE_CACHE: Op = Op {
        opcode: 0x91,
        name: "SYNCHRONIZE CACHE (16)",
    };
}

/// The largest GROUP NUMBER (6 bits, SBC-4 4.22 / SPC-5 4.2.5.4).
pub const GROUP_NUMBER_MAX: u8 = 0x3f;

/// The address, length and group fields of one LBA-addressed CDB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BlockRange {
    pub(crate) lba: u64,
    pub(crate) count: u32,
    pub(crate) group_number: u8,
}

impl BlockRange {
    /// Validates the fields against size `S`, naming `command` and the count field.
    pub(crate) fn new<S: CdbSize>(
        command: &'static str,
        count_name: &'static str,
        lba: u64,
        count: u64,
        group_number: u8,
    ) -> Result<Self, BuildError> {
        BuildError::check_max(
            command,
            "LOGICAL BLOCK ADDRESS",
            lba,
            max_for_width(S::LBA_BYTES),
        )?;
        BuildError::check_max(command, count_name, count, max_for_width(S::COUNT_BYTES))?;
        BuildError::check_max(
            command,
            "GROUP NUMBER",
            u64::from(group_number),
            u64::from(GROUP_NUMBER_MAX),
        )?;
        Ok(BlockRange {
            lba,
            // Checked against at most 32 bits above.
            count: count as u32,
            group_number,
        })
    }

    /// Reads the fields from a CDB whose length the caller has checked.
    pub(crate) fn parse<S: CdbSize>(cdb: &[u8]) -> Self {
        BlockRange {
            lba: get_be(cdb, 2, S::LBA_BYTES),
            count: get_be(cdb, S::COUNT_AT, S::COUNT_BYTES) as u32,
            group_number: byte(cdb, S::GROUP_AT) & GROUP_NUMBER_MAX,
        }
    }

    /// Writes the fields into a CDB of size `S`.
    pub(crate) fn emit<S: CdbSize>(&self, cdb: &mut [u8]) {
        put_be(cdb, 2, S::LBA_BYTES, self.lba);
        put_be(cdb, S::COUNT_AT, S::COUNT_BYTES, u64::from(self.count));
        if let Some(b) = cdb.get_mut(S::GROUP_AT) {
            *b = self.group_number & GROUP_NUMBER_MAX;
        }
    }

    /// The fields in CDB order.
    pub(crate) fn fields<S: CdbSize>(&self, count_name: &'static str) -> Vec<CdbField> {
        let lba = CdbField::new("LOGICAL BLOCK ADDRESS", self.lba);
        let count = CdbField::new(count_name, self.count);
        let group = CdbField::new("GROUP NUMBER", self.group_number);
        if S::GROUP_AT < S::COUNT_AT {
            vec![lba, group, count]
        } else {
            vec![lba, count, group]
        }
    }
}

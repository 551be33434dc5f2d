//! The two CDB and header forms of MODE SENSE / MODE SELECT: 6-byte and 10-byte
//! (SPC-5 6.11 to 6.14, 7.5.5).
//!
//! Every mode command and the mode parameter header are written once and parameterised by
//! a [`ModeForm`]; the forms differ only in opcodes, CDB length, the width and position of
//! the length field and the header layout.

use std::fmt::Debug;

/// What distinguishes the 6-byte from the 10-byte form of the mode commands and the mode
/// parameter header (SPC-5 6.11 to 6.14, 7.5.5).
pub trait ModeForm: Debug + Clone + Copy + PartialEq + Eq + Default + 'static {
    /// CDB length in bytes (6 or 10).
    const CDB_LEN: usize;
    /// MODE SENSE operation code (1Ah or 5Ah; SPC-5 6.13, 6.14).
    const SENSE_OPCODE: u8;
    /// MODE SELECT operation code (15h or 55h; SPC-5 6.11, 6.12).
    const SELECT_OPCODE: u8;
    /// MODE SENSE name as SPC-5 spells it.
    const SENSE_NAME: &'static str;
    /// MODE SELECT name as SPC-5 spells it.
    const SELECT_NAME: &'static str;
    /// Byte offset of the ALLOCATION LENGTH / PARAMETER LIST LENGTH field in the CDB.
    const LENGTH_AT: usize;
    /// Width in bytes of that length field (1 or 2).
    const LENGTH_WIDTH: usize;
    /// Mode parameter header length (4 or 8; SPC-5 7.5.5).
    const HEADER_LEN: usize;
    /// Whether the CDB has the LLBAA bit and the header the LONGLBA bit (10-byte only).
    const LONG_LBA: bool;

    /// The largest value the length fields (CDB length, MODE DATA LENGTH, BLOCK DESCRIPTOR
    /// LENGTH) can hold.
    fn max_length() -> u64 {
        (1u64 << (8 * Self::LENGTH_WIDTH)) - 1
    }
}

/// The 6-byte form: MODE SENSE (6) 1Ah, MODE SELECT (6) 15h, 4-byte header
/// (SPC-5 6.11, 6.13, 7.5.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Six;

/// The 10-byte form: MODE SENSE (10) 5Ah, MODE SELECT (10) 55h, 8-byte header
/// (SPC-5 6.12, 6.14, 7.5.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ten;

impl ModeForm for Six {
    const CDB_LEN: usize = 6;
    const SENSE_OPCODE: u8 = 0x1a;
    const SELECT_OPCODE: u8 = 0x15;
    const SENSE_NAME: &'static str = "MODE SENSE (6)";
    const SELECT_NAME: &'static str = "MODE SELECT (6)";
    const LENGTH_AT: usize = 4;
    const LENGTH_WIDTH: usize = 1;
    const HEADER_LEN: usize = 4;
    const LONG_LBA: bool = false;
}

impl ModeForm for Ten {
    const CDB_LEN: usize = 10;
    const SENSE_OPCODE: u8 = 0x5a;
    const SELECT_OPCODE: u8 = 0x55;
    const SENSE_NAME: &'static str = "MODE SENSE (10)";
    const SELECT_NAME: &'static str = "MODE SELECT (10)";
    const LENGTH_AT: usize = 7;
    const LENGTH_WIDTH: usize = 2;
    const HEADER_LEN: usize = 8;
    const LONG_LBA: bool = true;
}

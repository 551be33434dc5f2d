//! SENSE KEY values (SPC-5 4.4.5, table 52).

use serde::Serialize;

/// A SENSE KEY (SPC-5 4.4.5): the general category of the condition reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct SenseKey {
    /// The four-bit code.
    pub code: u8,
    /// The standard's name for the code, e.g. `"ILLEGAL REQUEST"`.
    pub name: &'static str,
}

/// NO SENSE (0h), SPC-5 table 52.
pub const NO_SENSE: u8 = 0x0;
/// RECOVERED ERROR (1h), SPC-5 table 52.
pub const RECOVERED_ERROR: u8 = 0x1;
/// NOT READY (2h), SPC-5 table 52.
pub const NOT_READY: u8 = 0x2;
/// MEDIUM ERROR (3h), SPC-5 table 52.
pub const MEDIUM_ERROR: u8 = 0x3;
/// HARDWARE ERROR (4h), SPC-5 table 52.
pub const HARDWARE_ERROR: u8 = 0x4;
/// ILLEGAL REQUEST (5h), SPC-5 table 52.
pub const ILLEGAL_REQUEST: u8 = 0x5;
/// UNIT ATTENTION (6h), SPC-5 table 52.
pub const UNIT_ATTENTION: u8 = 0x6;
/// DATA PROTECT (7h), SPC-5 table 52.
pub const DATA_PROTECT: u8 = 0x7;
/// COPY ABORTED (Ah), SPC-5 table 52.
pub const COPY_ABORTED: u8 = 0xA;
/// ABORTED COMMAND (Bh), SPC-5 table 52.
pub const ABORTED_COMMAND: u8 = 0xB;
/// MISCOMPARE (Eh), SPC-5 table 52.
pub const MISCOMPARE: u8 = 0xE;
/// COMPLETED (Fh), SPC-5 table 52.
pub const COMPLETED: u8 = 0xF;

/// Names of the sixteen sense keys, indexed by code (SPC-5 table 52).
const NAMES: [&str; 16] = [
    "NO SENSE",
    "RECOVERED ERROR",
    "NOT READY",
    "MEDIUM ERROR",
    "HARDWARE ERROR",
    "ILLEGAL REQUEST",
    "UNIT ATTENTION",
    "DATA PROTECT",
    "BLANK CHECK",
    "VENDOR SPECIFIC",
    "COPY ABORTED",
    "ABORTED COMMAND",
    "RESERVED",
    "VOLUME OVERFLOW",
    "MISCOMPARE",
    "COMPLETED",
];

impl SenseKey {
    /// The sense key held in the low four bits of `byte` (SPC-5 4.4.2 byte 1, 4.4.3 byte 2).
    pub fn from_bits(byte: u8) -> Self {
        let code = byte & 0x0F;
        SenseKey {
            code,
            name: NAMES[usize::from(code)],
        }
    }
}

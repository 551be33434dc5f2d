//! The sense data the logical unit returns with CHECK CONDITION and from REQUEST SENSE
//! (SPC-5 4.4): the conditions it reports, the sense-key specific FIELD POINTER
//! (SPC-5 4.4.2.4.2) and both formats — fixed (70h, SPC-5 4.4.3) and descriptor (72h,
//! SPC-5 4.4.2), chosen by D_SENSE in the control mode page or DESC in REQUEST SENSE.

use cdb::sense::key;

/// A SENSE KEY with its ADDITIONAL SENSE CODE and QUALIFIER (SPC-5 4.4.5, table D.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenseCode {
    /// SENSE KEY (SPC-5 table 52).
    pub key: u8,
    /// ADDITIONAL SENSE CODE.
    pub asc: u8,
    /// ADDITIONAL SENSE CODE QUALIFIER.
    pub ascq: u8,
}

const fn code(key: u8, asc: u8, ascq: u8) -> SenseCode {
    SenseCode { key, asc, ascq }
}

/// NO SENSE, 00h/00h NO ADDITIONAL SENSE INFORMATION (SPC-5 6.39: nothing to report).
pub const NO_SENSE: SenseCode = code(key::NO_SENSE, 0x00, 0x00);
/// NOT READY, 04h/02h LOGICAL UNIT NOT READY, INITIALIZING COMMAND REQUIRED: stopped by
/// START STOP UNIT (SBC-4 4.20, 5.27).
pub const NOT_READY_START_REQUIRED: SenseCode = code(key::NOT_READY, 0x04, 0x02);
/// NOT READY, 04h/1Fh LOGICAL UNIT NOT READY, MICROCODE DOWNLOAD REQUIRED: a truncated
/// download left the unit without usable microcode (SPC-5 6.49, table D.1).
pub const NOT_READY_MICROCODE_DOWNLOAD_REQUIRED: SenseCode = code(key::NOT_READY, 0x04, 0x1f);
/// MEDIUM ERROR, 0Ch/00h WRITE ERROR.
pub const WRITE_ERROR: SenseCode = code(key::MEDIUM_ERROR, 0x0c, 0x00);
/// MEDIUM ERROR, 11h/00h UNRECOVERED READ ERROR.
pub const UNRECOVERED_READ_ERROR: SenseCode = code(key::MEDIUM_ERROR, 0x11, 0x00);
/// HARDWARE ERROR, 44h/00h INTERNAL TARGET FAILURE.
pub const INTERNAL_TARGET_FAILURE: SenseCode = code(key::HARDWARE_ERROR, 0x44, 0x00);
/// ILLEGAL REQUEST, 1Ah/00h PARAMETER LIST LENGTH ERROR (SPC-5 6.11).
pub const PARAMETER_LIST_LENGTH_ERROR: SenseCode = code(key::ILLEGAL_REQUEST, 0x1a, 0x00);
/// ILLEGAL REQUEST, 20h/00h INVALID COMMAND OPERATION CODE (SPC-5 4.2.5.1).
pub const INVALID_COMMAND_OPERATION_CODE: SenseCode = code(key::ILLEGAL_REQUEST, 0x20, 0x00);
/// ILLEGAL REQUEST, 21h/00h LOGICAL BLOCK ADDRESS OUT OF RANGE (SBC-4 4.5).
pub const LBA_OUT_OF_RANGE: SenseCode = code(key::ILLEGAL_REQUEST, 0x21, 0x00);
/// ILLEGAL REQUEST, 24h/00h INVALID FIELD IN CDB.
pub const INVALID_FIELD_IN_CDB: SenseCode = code(key::ILLEGAL_REQUEST, 0x24, 0x00);
/// ILLEGAL REQUEST, 25h/00h LOGICAL UNIT NOT SUPPORTED (SPC-5 6.7.2, SAM-5 5.11).
pub const LOGICAL_UNIT_NOT_SUPPORTED: SenseCode = code(key::ILLEGAL_REQUEST, 0x25, 0x00);
/// ILLEGAL REQUEST, 26h/00h INVALID FIELD IN PARAMETER LIST.
pub const INVALID_FIELD_IN_PARAMETER_LIST: SenseCode = code(key::ILLEGAL_REQUEST, 0x26, 0x00);
/// ILLEGAL REQUEST, 2Ch/00h COMMAND SEQUENCE ERROR: WRITE BUFFER mode 0Fh with no
/// deferred microcode (SPC-5 6.49).
pub const COMMAND_SEQUENCE_ERROR: SenseCode = code(key::ILLEGAL_REQUEST, 0x2c, 0x00);
/// ILLEGAL REQUEST, 39h/00h SAVING PARAMETERS NOT SUPPORTED (SPC-5 6.13, PC = 11b).
pub const SAVING_PARAMETERS_NOT_SUPPORTED: SenseCode = code(key::ILLEGAL_REQUEST, 0x39, 0x00);
/// UNIT ATTENTION, 29h/00h POWER ON, RESET, OR BUS DEVICE RESET OCCURRED (SAM-5 6.3).
pub const POWER_ON_RESET: SenseCode = code(key::UNIT_ATTENTION, 0x29, 0x00);
/// UNIT ATTENTION, 3Fh/01h MICROCODE HAS BEEN CHANGED: new microcode was activated
/// (SPC-5 6.49; 3Fh/16h, WITHOUT RESET, is not used: the disk reports SPC-5's code).
pub const MICROCODE_CHANGED: SenseCode = code(key::UNIT_ATTENTION, 0x3f, 0x01);
/// ABORTED COMMAND, 4Bh/00h DATA PHASE ERROR: the data-out phase brought fewer bytes than
/// the CDB requires.
pub const DATA_PHASE_ERROR: SenseCode = code(key::ABORTED_COMMAND, 0x4b, 0x00);

/// Where an ILLEGAL REQUEST error is: the sense-key specific FIELD POINTER
/// (SPC-5 4.4.2.4.2, table 34).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldPointer {
    /// C/D: true for the CDB, false for the parameter list.
    pub in_cdb: bool,
    /// The byte in error.
    pub byte: u16,
    /// The most significant bit of the field in error (BPV = 1), or `None` (BPV = 0).
    pub bit: Option<u8>,
}

impl FieldPointer {
    /// The SENSE KEY SPECIFIC bytes: SKSV, C/D, BPV, BIT POINTER, FIELD POINTER.
    fn bytes(self) -> [u8; 3] {
        let [hi, lo] = self.byte.to_be_bytes();
        let cd = if self.in_cdb { 0x40 } else { 0 };
        let bit = self.bit.map_or(0, |b| 0x08 | (b & 0x07));
        [0x80 | cd | bit, hi, lo]
    }
}

/// A condition the logical unit reports: CHECK CONDITION sense, or REQUEST SENSE data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Condition {
    /// Sense key, ASC and ASCQ.
    pub code: SenseCode,
    /// The FIELD POINTER, for ILLEGAL REQUEST errors that name a field.
    pub field: Option<FieldPointer>,
}

impl From<SenseCode> for Condition {
    fn from(code: SenseCode) -> Self {
        Condition { code, field: None }
    }
}

impl Condition {
    /// The condition `code` pointing at a CDB field whose most significant bit is `bit` of
    /// byte `byte`.
    pub fn cdb_field(code: SenseCode, byte: u16, bit: u8) -> Self {
        Self::pointing(code, true, byte, bit)
    }

    /// The condition `code` pointing at a parameter-list field whose most significant bit
    /// is `bit` of byte `byte`.
    pub fn parameter_field(code: SenseCode, byte: usize, bit: u8) -> Self {
        let byte = u16::try_from(byte).unwrap_or(u16::MAX);
        Self::pointing(code, false, byte, bit)
    }

    fn pointing(code: SenseCode, in_cdb: bool, byte: u16, bit: u8) -> Self {
        Condition {
            code,
            field: Some(FieldPointer {
                in_cdb,
                byte,
                bit: Some(bit),
            }),
        }
    }

    /// The sense data in fixed (SPC-5 4.4.3) or, with `descriptor`, descriptor format
    /// (SPC-5 4.4.2).
    pub fn encode(&self, descriptor: bool) -> Vec<u8> {
        if descriptor {
            self.descriptor_format()
        } else {
            self.fixed_format()
        }
    }

    /// Fixed format, 18 bytes (SPC-5 4.4.3, table 51), current error (70h).
    fn fixed_format(&self) -> Vec<u8> {
        let mut s = vec![0u8; FIXED_LEN];
        s[0] = 0x70;
        s[2] = self.code.key & 0x0f;
        s[7] = (FIXED_LEN - 8) as u8;
        s[12] = self.code.asc;
        s[13] = self.code.ascq;
        if let Some(field) = self.field {
            s[15..18].copy_from_slice(&field.bytes());
        }
        s
    }

    /// Descriptor format (SPC-5 4.4.2, table 28), current error (72h), with a sense key
    /// specific descriptor (SPC-5 4.4.2.4) when a field is named.
    fn descriptor_format(&self) -> Vec<u8> {
        let mut s = vec![
            0x72,
            self.code.key & 0x0f,
            self.code.asc,
            self.code.ascq,
            0,
            0,
            0,
            0,
        ];
        if let Some(field) = self.field {
            let [a, b, c] = field.bytes();
            s.extend_from_slice(&[0x02, 0x06, 0, 0, a, b, c, 0]);
        }
        s[7] = (s.len() - 8) as u8;
        s
    }
}

/// Length of fixed format sense data with the SENSE KEY SPECIFIC field (SPC-5 4.4.3).
pub const FIXED_LEN: usize = 18;

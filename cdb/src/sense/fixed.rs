//! Fixed format sense data (SPC-5 4.4.3, table 51): response codes 70h and 71h.

use super::problem::Problem;
use super::sks::SenseKeySpecific;
use super::Header;
use crate::scsi::cdb_bytes::be_uint;
use serde::Serialize;

/// Length of fixed format sense data up to and including the SENSE KEY SPECIFIC field.
pub const FIXED_HEADER_LEN: usize = 18;

/// The fields of fixed format sense data (SPC-5 4.4.3). A field is `None` when the buffer
/// or the ADDITIONAL SENSE LENGTH ends before it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct FixedSense {
    /// VALID (byte 0 bit 7): the INFORMATION field is defined by a standard.
    pub valid: bool,
    /// FILEMARK (byte 2 bit 7, SSC): a filemark or setmark was read.
    pub filemark: bool,
    /// EOM (byte 2 bit 6, SSC): end-of-medium condition.
    pub eom: bool,
    /// ILI (byte 2 bit 5): incorrect length indicator.
    pub ili: bool,
    /// SDAT_OVFL (byte 2 bit 4): the sense data did not fit the device's sense buffer.
    pub sdat_ovfl: bool,
    /// INFORMATION (bytes 3–6), whatever VALID says.
    pub information: Option<u32>,
    /// ADDITIONAL SENSE LENGTH (byte 7).
    pub additional_sense_length: Option<u8>,
    /// COMMAND-SPECIFIC INFORMATION (bytes 8–11).
    pub command_specific_information: Option<u32>,
    /// FIELD REPLACEABLE UNIT CODE (byte 14); zero means none is reported.
    pub field_replaceable_unit_code: Option<u8>,
    /// SKSV (byte 15 bit 7): the SENSE KEY SPECIFIC field is valid.
    pub sksv: bool,
    /// SENSE KEY SPECIFIC (bytes 15–17), decoded for the sense key when SKSV is one.
    pub sense_key_specific: Option<SenseKeySpecific>,
    /// Additional sense bytes (byte 18 onward).
    pub additional_sense_bytes: Vec<u8>,
    /// With ASC/ASCQ 00h/1Dh (ATA PASS-THROUGH INFORMATION AVAILABLE), the ATA registers
    /// that SAT-5 12.2.2.6 places in the INFORMATION and COMMAND-SPECIFIC INFORMATION
    /// fields.
    pub ata_pass_through: Option<AtaPassThroughFixed>,
}

/// ATA registers returned in fixed format sense data for ATA PASS-THROUGH (SAT-5 12.2.2.6,
/// ASC/ASCQ 00h/1Dh): INFORMATION bytes 3–6 and COMMAND-SPECIFIC INFORMATION bytes 8–11.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AtaPassThroughFixed {
    /// ERROR (byte 3).
    pub error: u8,
    /// STATUS (byte 4).
    pub status: u8,
    /// DEVICE (byte 5).
    pub device: u8,
    /// COUNT (7:0) (byte 6).
    pub count: u8,
    /// EXTEND (byte 8 bit 7): the ATA command was a 48-bit command.
    pub extend: bool,
    /// COUNT UPPER NONZERO (byte 8 bit 6): COUNT (15:8) is not zero.
    pub count_upper_nonzero: bool,
    /// LBA UPPER NONZERO (byte 8 bit 5): LBA (47:24) is not zero.
    pub lba_upper_nonzero: bool,
    /// LOG INDEX (byte 8 bits 3:0): the ATA PASS-THROUGH results log parameter holding
    /// the full registers.
    pub log_index: u8,
    /// LBA (23:0) from bytes 9 (7:0), 10 (15:8) and 11 (23:16).
    pub lba: u32,
}

/// ASC/ASCQ 00h/1Dh: ATA PASS-THROUGH INFORMATION AVAILABLE (SAT-5 12.2.2.6).
const ATA_PASS_THROUGH_INFORMATION: (u8, u8) = (0x00, 0x1D);

/// The ATA registers of SAT-5 12.2.2.6 in bytes 3–11 of `data`, if all are present.
fn ata_pass_through(data: &[u8]) -> Option<AtaPassThroughFixed> {
    let r: [u8; 9] = data.get(3..12)?.try_into().ok()?;
    Some(AtaPassThroughFixed {
        error: r[0],
        status: r[1],
        device: r[2],
        count: r[3],
        extend: r[5] & 0x80 != 0,
        count_upper_nonzero: r[5] & 0x40 != 0,
        lba_upper_nonzero: r[5] & 0x20 != 0,
        log_index: r[5] & 0x0F,
        lba: u32::from_be_bytes([0, r[8], r[7], r[6]]),
    })
}

/// Decodes fixed format sense data, collecting what is wrong with it in `problems`.
pub(super) fn decode(buf: &[u8], problems: &mut Vec<Problem>) -> (Header, FixedSense) {
    let have = buf.len();
    let end = match buf.get(7) {
        Some(&asl) => {
            let declared = 8 + usize::from(asl);
            if declared > have {
                problems.push(Problem::Truncated { declared, have });
            } else if declared < FIXED_HEADER_LEN && have > declared {
                problems.push(Problem::FieldsBeyondAdditionalLength { declared });
            }
            declared.min(have)
        }
        None => have,
    };
    if have < FIXED_HEADER_LEN {
        problems.push(Problem::ShortHeader {
            need: FIXED_HEADER_LEN,
            have,
        });
    }
    let data = buf.get(..end).unwrap_or(buf);
    let byte2 = data.get(2).copied();
    let flags = byte2.unwrap_or(0);
    let header = Header {
        sense_key: byte2,
        asc_ascq: data.get(12).zip(data.get(13)).map(|(&a, &q)| (a, q)),
    };
    let sks_bytes = data
        .get(15..FIXED_HEADER_LEN)
        .and_then(|s| <[u8; 3]>::try_from(s).ok());
    let fixed = FixedSense {
        valid: buf.first().is_some_and(|b| b & 0x80 != 0),
        filemark: flags & 0x80 != 0,
        eom: flags & 0x40 != 0,
        ili: flags & 0x20 != 0,
        sdat_ovfl: flags & 0x10 != 0,
        information: data.get(3..7).map(|b| be_uint(b) as u32),
        additional_sense_length: buf.get(7).copied(),
        command_specific_information: data.get(8..12).map(|b| be_uint(b) as u32),
        field_replaceable_unit_code: data.get(14).copied(),
        sksv: sks_bytes.is_some_and(|b| b[0] & 0x80 != 0),
        sense_key_specific: sks_bytes.and_then(|b| SenseKeySpecific::decode(flags, b)),
        additional_sense_bytes: data.get(FIXED_HEADER_LEN..).unwrap_or_default().to_vec(),
        ata_pass_through: (header.asc_ascq == Some(ATA_PASS_THROUGH_INFORMATION))
            .then(|| ata_pass_through(data))
            .flatten(),
    };
    (header, fixed)
}

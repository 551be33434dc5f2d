//! Fixed format sense data (SPC-5 4.4.3, table 51): response codes 70h and 71h.

use super::problem::Problem;
use super::sks::SenseKeySpecific;
use super::Header;
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
        information: be32(data.get(3..7)),
        additional_sense_length: buf.get(7).copied(),
        command_specific_information: be32(data.get(8..12)),
        field_replaceable_unit_code: data.get(14).copied(),
        sksv: sks_bytes.is_some_and(|b| b[0] & 0x80 != 0),
        sense_key_specific: sks_bytes.and_then(|b| SenseKeySpecific::decode(flags, b)),
        additional_sense_bytes: data.get(FIXED_HEADER_LEN..).unwrap_or_default().to_vec(),
    };
    (header, fixed)
}

/// A big-endian u32 from exactly four bytes, if present.
fn be32(bytes: Option<&[u8]>) -> Option<u32> {
    bytes
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(u32::from_be_bytes)
}

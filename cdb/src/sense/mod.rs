//! Sense data (SPC-5 4.4): decoding any sense buffer, classifying it for retry policy and
//! rendering it for people.
//!
//! [`decode`] accepts whatever a device returned. It fails only on an empty buffer;
//! anything else decodes as far as the bytes allow, with each defect listed in
//! [`SenseData::problems`].

pub mod asc;
pub mod classify;
pub mod descriptor;
pub mod fixed;
pub mod key;
pub mod problem;
mod render;
pub mod sks;
#[cfg(test)]
mod tests;

pub use classify::{classify, RetryClass};
pub use descriptor::{DescriptorBody, DescriptorSense, SenseDescriptor};
pub use fixed::{AtaPassThroughFixed, FixedSense};
pub use key::SenseKey;
pub use problem::Problem;
pub use sks::SenseKeySpecific;

use crate::error::DecodeError;
use serde::Serialize;

/// How deeply forwarded sense data (SPC-5 4.4.2.11) is followed before decoding stops.
pub const MAX_NESTING: usize = 4;

/// Decoded sense data (SPC-5 4.4), in fixed, descriptor or vendor specific format.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SenseData {
    /// RESPONSE CODE (byte 0 bits 6:0) and what it says about the format.
    pub response_code: ResponseCode,
    /// SENSE KEY, when the format defines one and the buffer holds it.
    pub sense_key: Option<SenseKey>,
    /// ADDITIONAL SENSE CODE and QUALIFIER, when the buffer holds them.
    pub additional_sense: Option<AdditionalSense>,
    /// The format-specific fields.
    pub format: SenseFormat,
    /// What is wrong with the buffer; empty for well-formed sense data.
    pub problems: Vec<Problem>,
}

/// The RESPONSE CODE field (SPC-5 4.4.1, table 27).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ResponseCode {
    /// The seven-bit code.
    pub code: u8,
    /// The sense data format it selects.
    pub format: Format,
    /// True for deferred errors (71h, 73h): the sense data reports on an earlier command
    /// (SPC-5 4.4.4).
    pub deferred: bool,
}

/// Sense data format selected by the RESPONSE CODE (SPC-5 4.4.1, table 27).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// 70h, 71h: fixed format (SPC-5 4.4.3).
    Fixed,
    /// 72h, 73h: descriptor format (SPC-5 4.4.2).
    Descriptor,
    /// 7Fh: vendor specific format.
    VendorSpecific,
    /// Any other code: not sense data the standard defines.
    Unknown,
}

impl ResponseCode {
    /// Classifies the RESPONSE CODE in bits 6:0 of `byte0` (SPC-5 4.4.1).
    pub fn from_byte(byte0: u8) -> Self {
        let code = byte0 & 0x7F;
        let format = match code {
            0x70 | 0x71 => Format::Fixed,
            0x72 | 0x73 => Format::Descriptor,
            0x7F => Format::VendorSpecific,
            _ => Format::Unknown,
        };
        ResponseCode {
            code,
            format,
            deferred: code == 0x71 || code == 0x73,
        }
    }
}

/// ADDITIONAL SENSE CODE and ADDITIONAL SENSE CODE QUALIFIER (SPC-5 4.4.1, annex D).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AdditionalSense {
    /// ADDITIONAL SENSE CODE.
    pub asc: u8,
    /// ADDITIONAL SENSE CODE QUALIFIER.
    pub ascq: u8,
    /// The T10 description of the pair; `None` for an unassigned pair.
    pub description: Option<String>,
}

impl AdditionalSense {
    /// The pair with its T10 description (SPC-5 table D.1).
    pub fn new(asc: u8, ascq: u8) -> Self {
        AdditionalSense {
            asc,
            ascq,
            description: asc::describe(asc, ascq),
        }
    }
}

/// The format-specific part of sense data.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SenseFormat {
    /// Fixed format (SPC-5 4.4.3).
    Fixed(FixedSense),
    /// Descriptor format (SPC-5 4.4.2).
    Descriptor(DescriptorSense),
    /// Vendor specific (7Fh) or unknown response code: the bytes after byte 0.
    Raw {
        /// Bytes 1 onward, as received.
        bytes: Vec<u8>,
    },
}

/// The fields both formats share, as found by a format decoder.
pub(crate) struct Header {
    /// The byte holding the SENSE KEY in bits 3:0, if present.
    sense_key: Option<u8>,
    /// ASC and ASCQ, if present.
    asc_ascq: Option<(u8, u8)>,
}

/// Decodes sense data of any format (SPC-5 4.4).
///
/// Fails only on an empty buffer. Every other defect (short or truncated data, a bad
/// response code, overrunning descriptors) is recorded in [`SenseData::problems`] and the
/// bytes present are decoded.
pub fn decode(buf: &[u8]) -> Result<SenseData, DecodeError> {
    decode_at(buf, 0)
}

/// [`decode`] at forwarding depth `depth`.
fn decode_at(buf: &[u8], depth: usize) -> Result<SenseData, DecodeError> {
    let &byte0 = buf.first().ok_or(DecodeError::Truncated {
        what: "sense data",
        need: 1,
        have: 0,
    })?;
    let response_code = ResponseCode::from_byte(byte0);
    let mut problems = Vec::new();
    let (header, format) = match response_code.format {
        Format::Fixed => {
            let (h, f) = fixed::decode(buf, &mut problems);
            (Some(h), SenseFormat::Fixed(f))
        }
        Format::Descriptor => {
            let (h, d) = descriptor::decode(buf, depth, &mut problems);
            (Some(h), SenseFormat::Descriptor(d))
        }
        Format::VendorSpecific | Format::Unknown => {
            if response_code.format == Format::Unknown {
                problems.push(Problem::UnknownResponseCode {
                    code: response_code.code,
                });
            }
            let bytes = buf.get(1..).unwrap_or_default().to_vec();
            (None, SenseFormat::Raw { bytes })
        }
    };
    let header = header.unwrap_or(Header {
        sense_key: None,
        asc_ascq: None,
    });
    Ok(SenseData {
        response_code,
        sense_key: header.sense_key.map(SenseKey::from_bits),
        additional_sense: header
            .asc_ascq
            .map(|(asc, ascq)| AdditionalSense::new(asc, ascq)),
        format,
        problems,
    })
}

/// Decodes forwarded sense data (SPC-5 4.4.2.11) at `depth`, stopping at [`MAX_NESTING`].
pub(crate) fn decode_nested(
    buf: &[u8],
    depth: usize,
    problems: &mut Vec<Problem>,
) -> Option<SenseData> {
    if depth > MAX_NESTING {
        problems.push(Problem::NestingTooDeep { depth: MAX_NESTING });
        return None;
    }
    decode_at(buf, depth).ok()
}

impl SenseData {
    /// Decodes sense data; see [`decode`].
    pub fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        decode(buf)
    }

    /// True for a deferred error (response code 71h or 73h, SPC-5 4.4.4).
    pub fn is_deferred(&self) -> bool {
        self.response_code.deferred
    }

    /// True for current errors (70h or 72h).
    pub fn is_current(&self) -> bool {
        matches!(self.response_code.code, 0x70 | 0x72)
    }

    /// The SENSE KEY code, if present.
    pub fn sense_key_code(&self) -> Option<u8> {
        self.sense_key.map(|k| k.code)
    }

    /// The (ASC, ASCQ) pair, if present.
    pub fn asc_ascq(&self) -> Option<(u8, u8)> {
        self.additional_sense.as_ref().map(|a| (a.asc, a.ascq))
    }

    /// The INFORMATION field when VALID is one: fixed bytes 3–6 (SPC-5 4.4.3), or the
    /// first Information or Direct-access block device descriptor (SPC-5 4.4.2.2).
    pub fn information(&self) -> Option<u64> {
        match &self.format {
            SenseFormat::Fixed(f) => f.information.filter(|_| f.valid).map(u64::from),
            SenseFormat::Descriptor(d) => d.descriptors.iter().find_map(|x| match x.body {
                DescriptorBody::Information {
                    valid: true,
                    information,
                }
                | DescriptorBody::DirectAccessBlockDevice {
                    valid: true,
                    information,
                    ..
                } => Some(information),
                _ => None,
            }),
            SenseFormat::Raw { .. } => None,
        }
    }

    /// The decoded SENSE KEY SPECIFIC field (SPC-5 4.4.2.4), from fixed bytes 15–17 or the
    /// first descriptor carrying one with SKSV set.
    pub fn sense_key_specific(&self) -> Option<&SenseKeySpecific> {
        match &self.format {
            SenseFormat::Fixed(f) => f.sense_key_specific.as_ref(),
            SenseFormat::Descriptor(d) => d.descriptors.iter().find_map(|x| match &x.body {
                DescriptorBody::SenseKeySpecific {
                    sense_key_specific, ..
                }
                | DescriptorBody::DirectAccessBlockDevice {
                    sense_key_specific, ..
                } => sense_key_specific.as_ref(),
                _ => None,
            }),
            SenseFormat::Raw { .. } => None,
        }
    }

    /// The progress of the operation in progress, as a percentage: from the sense key
    /// specific PROGRESS INDICATION (SPC-5 4.4.2.4.4) or, failing that, the first Another
    /// progress indication descriptor (SPC-5 4.4.2.9).
    pub fn progress_percent(&self) -> Option<f64> {
        if let Some(SenseKeySpecific::ProgressIndication { percent, .. }) =
            self.sense_key_specific()
        {
            return Some(*percent);
        }
        self.descriptors().iter().find_map(|x| match x.body {
            DescriptorBody::AnotherProgressIndication { percent, .. } => Some(percent),
            _ => None,
        })
    }

    /// The sense data descriptors (empty unless descriptor format).
    pub fn descriptors(&self) -> &[SenseDescriptor] {
        match &self.format {
            SenseFormat::Descriptor(d) => &d.descriptors,
            _ => &[],
        }
    }
}

//! What was wrong with a sense buffer that could still be partly decoded (SPC-5 4.4).

use serde::Serialize;
use std::fmt;

/// One defect found while decoding sense data. Decoding continues past each of these; the
/// decoded value holds whatever the buffer did contain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    /// The RESPONSE CODE is none of 70h–73h or 7Fh (SPC-5 4.4.1, table 27).
    UnknownResponseCode {
        /// The RESPONSE CODE found in byte 0, bits 6:0.
        code: u8,
    },
    /// The buffer ends before the fixed part of the header does (8 bytes for descriptor
    /// format, SPC-5 4.4.2; 18 bytes for fixed format, SPC-5 4.4.3); missing fields are
    /// reported as absent.
    ShortHeader {
        /// Bytes the header needs.
        need: usize,
        /// Bytes present.
        have: usize,
    },
    /// The ADDITIONAL SENSE LENGTH claims more bytes than the buffer holds: the sense data
    /// was truncated (for example by a short allocation length, SPC-5 6.39).
    Truncated {
        /// Total length implied by the ADDITIONAL SENSE LENGTH (8 + n).
        declared: usize,
        /// Bytes present.
        have: usize,
    },
    /// The ADDITIONAL SENSE LENGTH of fixed format sense data stops before a field the
    /// buffer does hold; those fields are not sense data and are ignored (SPC-5 4.4.3).
    FieldsBeyondAdditionalLength {
        /// Total length implied by the ADDITIONAL SENSE LENGTH.
        declared: usize,
    },
    /// A sense data descriptor's ADDITIONAL LENGTH runs past the end of the sense data
    /// (SPC-5 4.4.2.1); the bytes that are present are kept.
    DescriptorOverrun {
        /// Offset of the descriptor in the sense buffer.
        offset: usize,
        /// The DESCRIPTOR TYPE.
        descriptor_type: u8,
        /// Bytes the descriptor claims (2 + ADDITIONAL LENGTH).
        declared: usize,
        /// Bytes available.
        have: usize,
    },
    /// A descriptor is shorter than its type requires; it is kept as raw bytes.
    DescriptorTooShort {
        /// Offset of the descriptor in the sense buffer.
        offset: usize,
        /// The DESCRIPTOR TYPE.
        descriptor_type: u8,
        /// Bytes present (2 + ADDITIONAL LENGTH, or fewer when overrunning).
        have: usize,
        /// Bytes the type needs.
        need: usize,
    },
    /// A forwarded sense data descriptor (SPC-5 4.4.2.12) carries no sense data bytes.
    EmptyForwardedSense {
        /// Offset of the descriptor in the sense buffer.
        offset: usize,
    },
    /// Forwarded sense data (SPC-5 4.4.2.12) nested deeper than the decoder follows.
    NestingTooDeep {
        /// The depth at which decoding stopped.
        depth: usize,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::UnknownResponseCode { code } => {
                write!(f, "response code {code:#04x} is not a sense data format")
            }
            Problem::ShortHeader { need, have } => {
                write!(f, "header needs {need} bytes, only {have} present")
            }
            Problem::Truncated { declared, have } => write!(
                f,
                "additional sense length implies {declared} bytes, only {have} present"
            ),
            Problem::FieldsBeyondAdditionalLength { declared } => write!(
                f,
                "additional sense length ends the data at {declared} bytes; later fields ignored"
            ),
            Problem::DescriptorOverrun {
                offset,
                descriptor_type,
                declared,
                have,
            } => write!(
                f,
                "descriptor {descriptor_type:#04x} at byte {offset} claims {declared} bytes, \
                 only {have} present"
            ),
            Problem::DescriptorTooShort {
                offset,
                descriptor_type,
                have,
                need,
            } => write!(
                f,
                "descriptor {descriptor_type:#04x} at byte {offset} has {have} bytes, needs {need}"
            ),
            Problem::EmptyForwardedSense { offset } => write!(
                f,
                "forwarded sense data descriptor at byte {offset} holds no sense data"
            ),
            Problem::NestingTooDeep { depth } => {
                write!(f, "forwarded sense data nested deeper than {depth} levels")
            }
        }
    }
}

//! The SENSE KEY SPECIFIC field (SPC-5 4.4.2.4): three bytes whose meaning depends on the
//! sense key, valid when SKSV (byte 0 bit 7) is one.

use super::key;
use serde::Serialize;

/// A decoded SENSE KEY SPECIFIC field (SPC-5 4.4.2.4.1, table 33).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SenseKeySpecific {
    /// ILLEGAL REQUEST: where the error is (SPC-5 4.4.2.4.2, table 34).
    FieldPointer {
        /// C/D: true when the error is in the CDB, false when in the parameter data.
        command: bool,
        /// BIT POINTER, present when BPV is one: the bit of the byte in error.
        bit_pointer: Option<u8>,
        /// FIELD POINTER: the byte in error (of the CDB or the parameter list).
        field_pointer: u16,
    },
    /// RECOVERED ERROR, HARDWARE ERROR or MEDIUM ERROR: ACTUAL RETRY COUNT
    /// (SPC-5 4.4.2.4.3, table 35).
    ActualRetryCount {
        /// The number of retries of the recovery algorithm (vendor specific meaning).
        actual_retry_count: u16,
    },
    /// NO SENSE or NOT READY: PROGRESS INDICATION (SPC-5 4.4.2.4.4, table 36).
    ProgressIndication {
        /// Progress as a numerator over 65 536.
        progress_indication: u16,
        /// The same as a percentage.
        percent: f64,
    },
    /// COPY ABORTED: SEGMENT POINTER (SPC-5 4.4.2.4.5, table 37).
    SegmentPointer {
        /// SD: true when FIELD POINTER is relative to the segment descriptor, false when to
        /// the parameter list.
        segment_descriptor: bool,
        /// BIT POINTER, present when BPV is one.
        bit_pointer: Option<u8>,
        /// FIELD POINTER: the byte in error.
        field_pointer: u16,
    },
    /// UNIT ATTENTION: unit attention condition queue overflow (SPC-5 4.4.2.4.6, table 38).
    UnitAttentionConditionQueue {
        /// OVERFLOW: the unit attention condition queue has overflowed.
        overflow: bool,
    },
    /// Another sense key: the field is reserved; bytes kept as received (SKSV bit cleared).
    Reserved {
        /// The three bytes, SKSV bit cleared.
        bytes: [u8; 3],
    },
}

/// The PROGRESS INDICATION as a percentage (SPC-5 4.4.2.4.4: a numerator over 65 536).
pub fn progress_percent(progress: u16) -> f64 {
    f64::from(progress) * 100.0 / 65536.0
}

impl SenseKeySpecific {
    /// Decodes the three SENSE KEY SPECIFIC bytes for `sense_key`; `None` when SKSV is zero.
    pub fn decode(sense_key: u8, bytes: [u8; 3]) -> Option<Self> {
        let [b0, b1, b2] = bytes;
        if b0 & 0x80 == 0 {
            return None;
        }
        let value = u16::from_be_bytes([b1, b2]);
        let bit_pointer = (b0 & 0x08 != 0).then_some(b0 & 0x07);
        Some(match sense_key & 0x0F {
            key::ILLEGAL_REQUEST => SenseKeySpecific::FieldPointer {
                command: b0 & 0x40 != 0,
                bit_pointer,
                field_pointer: value,
            },
            key::RECOVERED_ERROR | key::MEDIUM_ERROR | key::HARDWARE_ERROR => {
                SenseKeySpecific::ActualRetryCount {
                    actual_retry_count: value,
                }
            }
            key::NO_SENSE | key::NOT_READY => SenseKeySpecific::ProgressIndication {
                progress_indication: value,
                percent: progress_percent(value),
            },
            key::COPY_ABORTED => SenseKeySpecific::SegmentPointer {
                segment_descriptor: b0 & 0x20 != 0,
                bit_pointer,
                field_pointer: value,
            },
            key::UNIT_ATTENTION => SenseKeySpecific::UnitAttentionConditionQueue {
                overflow: b0 & 0x01 != 0,
            },
            _ => SenseKeySpecific::Reserved {
                bytes: [b0 & 0x7F, b1, b2],
            },
        })
    }
}

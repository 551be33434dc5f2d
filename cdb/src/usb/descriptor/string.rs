//! String descriptors (USB 2.0 9.6.7): UTF-16LE text, and descriptor zero's LANGIDs.

use super::{split_descriptor, STRING};
use crate::error::{BuildError, DecodeError};

/// LANGID US English (USB LANGIDs 1.0), the language of the emulated strings.
pub const LANGID_EN_US: u16 = 0x0409;

/// A string descriptor for `text` (USB 2.0 9.6.7): UTF-16LE, at most 126 code units so
/// bLength fits a byte.
pub fn string_descriptor(text: &str) -> Result<Vec<u8>, BuildError> {
    let units: Vec<u16> = text.encode_utf16().collect();
    BuildError::check_max("string descriptor", "bString", units.len() as u64, 126)?;
    Ok(descriptor_of_units(&units))
}

/// String descriptor zero: the supported LANGIDs (USB 2.0 9.6.7, Table 9-15).
pub fn language_ids(languages: &[u16]) -> Result<Vec<u8>, BuildError> {
    BuildError::check_max("string descriptor", "wLANGID", languages.len() as u64, 126)?;
    Ok(descriptor_of_units(languages))
}

fn descriptor_of_units(units: &[u16]) -> Vec<u8> {
    // Callers bound `units` to 126 entries: bLength is at most 254.
    let mut out = vec![(2 + 2 * units.len()) as u8, STRING];
    out.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    out
}

/// The text of a string descriptor (USB 2.0 9.6.7): bLength bytes of UTF-16LE after the
/// header; an odd trailing byte is ignored.
pub fn parse_string(bytes: &[u8]) -> Result<String, DecodeError> {
    let (body, _) = split_descriptor(bytes)?;
    if body.get(1) != Some(&STRING) {
        return Err(DecodeError::InvalidValue {
            what: "string descriptor bDescriptorType",
            value: body.get(1).copied().unwrap_or(0).into(),
        });
    }
    let units: Vec<u16> = body
        .get(2..)
        .unwrap_or_default()
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .collect();
    String::from_utf16(&units).map_err(|_| DecodeError::Malformed {
        what: "string descriptor",
        reason: "bString is not valid UTF-16",
    })
}

//! JSON forms for values a JSON number cannot carry exactly, used through
//! `#[serde(serialize_with = ...)]` on decoded types: counters beyond 2^53 as decimal
//! strings (as nvme-cli prints them), identifiers as hex strings in structure byte order.
//! JavaScript and jq read numbers as doubles, exact only to 2^53.

use serde::Serializer;
use std::fmt::Display;

/// An integer as a decimal string, e.g. NVMe SMART data units (128 bits) or the Linux
/// 64-bit LUN.
pub(crate) fn decimal<T: Display, S: Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

/// A 64-bit identifier as 16 lower-case hex digits, its big-endian bytes in order.
pub(crate) fn hex_u64<S: Serializer>(value: &u64, serializer: S) -> Result<S::Ok, S::Error> {
    hex(&value.to_be_bytes(), serializer)
}

/// An optional 64-bit identifier as [`hex_u64`] does it, or null.
pub(crate) fn hex_u64_option<S: Serializer>(
    value: &Option<u64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => hex_u64(v, serializer),
        None => serializer.serialize_none(),
    }
}

/// Bytes as one lower-case hex string, e.g. an EUI-64 or NGUID.
pub(crate) fn hex<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&hex_string(bytes))
}

/// Sixteen bytes as a GUID string in byte order, `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
pub(crate) fn guid<S: Serializer>(bytes: &[u8; 16], serializer: S) -> Result<S::Ok, S::Error> {
    let text = hex_string(bytes);
    serializer.collect_str(&format_args!(
        "{}-{}-{}-{}-{}",
        &text[0..8],
        &text[8..12],
        &text[12..16],
        &text[16..20],
        &text[20..32]
    ))
}

/// Lower-case hex digits of `bytes`, two per byte, `separator` between bytes: the one hex
/// text form for identifiers (no separator) and byte dumps (a space).
pub(crate) fn hex_text(bytes: &[u8], separator: &str) -> String {
    let mut text = String::with_capacity(bytes.len() * (2 + separator.len()));
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            text.push_str(separator);
        }
        text.push_str(&format!("{b:02x}"));
    }
    text
}

/// Lower-case hex digits of `bytes`, without separators.
fn hex_string(bytes: &[u8]) -> String {
    hex_text(bytes, "")
}

#[cfg(test)]
mod tests {
    #[derive(serde::Serialize)]
    struct Sample {
        #[serde(serialize_with = "super::decimal")]
        big: u128,
        #[serde(serialize_with = "super::hex")]
        eui: [u8; 8],
        #[serde(serialize_with = "super::guid")]
        id: [u8; 16],
        #[serde(serialize_with = "super::decimal")]
        lun: u64,
        #[serde(serialize_with = "super::hex_u64")]
        naa: u64,
        #[serde(serialize_with = "super::hex_u64_option")]
        some: Option<u64>,
        #[serde(serialize_with = "super::hex_u64_option")]
        none: Option<u64>,
    }

    #[test]
    fn values_beyond_u64_survive_json() {
        let sample = Sample {
            big: u128::MAX,
            eui: [0x00, 0x25, 0x38, 0xb5, 0x71, 0xb0, 0x00, 0x01],
            id: *b"\x12\x34\x56\x78\x9a\xbc\xde\xf0\x01\x23\x45\x67\x89\xab\xcd\xef",
            lun: u64::MAX,
            naa: 0x0123_4567_89ab_cdef,
            some: Some(1),
            none: None,
        };
        let value = serde_json::to_value(&sample).unwrap();
        assert_eq!(value["big"], "340282366920938463463374607431768211455");
        assert_eq!(value["eui"], "002538b571b00001");
        assert_eq!(value["id"], "12345678-9abc-def0-0123-456789abcdef");
        assert_eq!(value["lun"], "18446744073709551615");
        assert_eq!(value["naa"], "0123456789abcdef");
        assert_eq!(value["some"], "0000000000000001");
        assert!(value["none"].is_null());
        assert_eq!(super::hex_text(&[0x0a, 0xff, 0x10], " "), "0a ff 10");
        assert_eq!(super::hex_text(&[], " "), "");
    }
}

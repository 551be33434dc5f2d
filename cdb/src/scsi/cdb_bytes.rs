//! Byte-level access shared by the SCSI CDB layouts and parameter data of SPC-5, SBC-4
//! and SAT-5 (SPC-5 3.5.2 big-endian fields, 4.2.5 CDB format):
//! checking a CDB's length, operation code and service action, and reading and writing
//! big-endian fields of any width up to 8 bytes, and the scattered little-endian ATA
//! register fields of SAT-5.

use crate::error::{BuildError, DecodeError};

/// Checks that `cdb` is exactly `len` bytes long and starts with `opcode` (SPC-5 4.2.5.1).
pub(crate) fn check(
    cdb: &[u8],
    len: usize,
    opcode: u8,
    what: &'static str,
) -> Result<(), DecodeError> {
    if cdb.len() != len {
        return Err(DecodeError::Malformed {
            what,
            reason: "wrong CDB length for this command",
        });
    }
    match cdb.first() {
        Some(&op) if op == opcode => Ok(()),
        Some(&op) => Err(DecodeError::InvalidValue {
            what,
            value: u64::from(op),
        }),
        None => Err(DecodeError::Truncated {
            what,
            need: len,
            have: 0,
        }),
    }
}

/// Checks the 5-bit SERVICE ACTION in byte 1 (SPC-5 4.2.5.2) after [`check`].
pub(crate) fn check_service_action(
    cdb: &[u8],
    service_action: u8,
    what: &'static str,
) -> Result<(), DecodeError> {
    let found = cdb.get(1).map_or(0, |b| b & 0x1f);
    if found == service_action {
        Ok(())
    } else {
        Err(DecodeError::InvalidValue {
            what,
            value: u64::from(found),
        })
    }
}

/// A builder's rejection of the values a parsed CDB holds, as the decode error that names
/// the same field (out of range) or the command and reason (an invalid combination), so
/// that `parse_cdb` accepts exactly what the builder builds.
pub(crate) fn rejected(e: BuildError) -> DecodeError {
    match e {
        BuildError::OutOfRange { field, value, .. } => {
            DecodeError::InvalidValue { what: field, value }
        }
        BuildError::Invalid { command, reason } => DecodeError::Malformed {
            what: command,
            reason,
        },
    }
}

/// Reads the big-endian unsigned field at `bytes[at..at + width]`; bytes past the end read
/// as zero, so callers check the CDB length first and this never panics.
pub(crate) fn get_be(bytes: &[u8], at: usize, width: usize) -> u64 {
    (at..at + width).fold(0, |acc, i| {
        (acc << 8) | u64::from(bytes.get(i).copied().unwrap_or(0))
    })
}

/// Writes the low `width` bytes of `value` big-endian at `bytes[at..]`; bytes past the end
/// are skipped. Builders check the value's range before calling this.
pub(crate) fn put_be(bytes: &mut [u8], at: usize, width: usize, value: u64) {
    for k in 0..width {
        if let Some(b) = bytes.get_mut(at + k) {
            *b = (value >> (8 * (width - 1 - k))) as u8;
        }
    }
}

/// Reads the unsigned field whose bytes sit at the offsets `at`, least significant first
/// (the scattered register bytes of SAT-5 ATA PASS-THROUGH); offsets past the end read as
/// zero.
pub(crate) fn get_le(bytes: &[u8], at: &[usize]) -> u64 {
    at.iter()
        .rev()
        .fold(0, |acc, &i| (acc << 8) | u64::from(byte(bytes, i)))
}

/// Writes the low bytes of `value` at the offsets `at`, least significant first; offsets
/// past the end are skipped.
pub(crate) fn put_le(bytes: &mut [u8], at: &[usize], value: u64) {
    for (k, &i) in at.iter().enumerate() {
        if let Some(b) = bytes.get_mut(i) {
            *b = (value >> (8 * k)) as u8;
        }
    }
}

/// Reads all of `bytes` (at most 8) as one big-endian unsigned integer.
pub(crate) fn be_uint(bytes: &[u8]) -> u64 {
    get_be(bytes, 0, bytes.len())
}

/// The byte at `at`, or zero past the end.
pub(crate) fn byte(bytes: &[u8], at: usize) -> u8 {
    bytes.get(at).copied().unwrap_or(0)
}

/// Bit `bit` of the byte at `at`.
pub(crate) fn bit(bytes: &[u8], at: usize, bit: u8) -> bool {
    byte(bytes, at) & (1 << bit) != 0
}

/// The largest value a field `width` bytes wide holds.
pub(crate) const fn max_for_width(width: usize) -> u64 {
    if width >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * width)) - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_endian_fields_round_trip_and_stay_in_bounds() {
        let mut b = [0u8; 6];
        put_be(&mut b, 1, 4, 0x1234_5678);
        assert_eq!(b, [0, 0x12, 0x34, 0x56, 0x78, 0]);
        assert_eq!(get_be(&b, 1, 4), 0x1234_5678);
        // Past the end: zero, no panic.
        assert_eq!(get_be(&b, 4, 4), 0x7800_0000);
        put_be(&mut b, 5, 3, 0xAABBCC);
        assert_eq!(b[5], 0xAA);
        assert_eq!(max_for_width(2), 0xFFFF);
        assert_eq!(max_for_width(8), u64::MAX);
    }

    #[test]
    fn scattered_little_endian_fields() {
        let mut b = [0u8; 4];
        put_le(&mut b, &[3, 0, 9], 0x00cc_bbaa);
        assert_eq!(b, [0xbb, 0, 0, 0xaa]);
        // Offset 9 is past the end: skipped on write, zero on read.
        assert_eq!(get_le(&b, &[3, 0, 9]), 0xbbaa);
    }

    #[test]
    fn check_rejects_wrong_length_and_opcode() {
        assert!(check(&[0x28; 10], 10, 0x28, "X").is_ok());
        assert!(check(&[0x28; 9], 10, 0x28, "X").is_err());
        assert_eq!(
            check(&[0x2a; 10], 10, 0x28, "X"),
            Err(DecodeError::InvalidValue {
                what: "X",
                value: 0x2a
            })
        );
        assert!(check_service_action(&[0x9e, 0x10], 0x10, "X").is_ok());
        assert!(check_service_action(&[0x9e, 0x12], 0x10, "X").is_err());
    }
}

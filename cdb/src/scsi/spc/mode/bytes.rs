//! Byte helpers shared by the SPC-5 builders and decoders in this crate's `spc` modules:
//! big-endian fields of any width (SPC-5 3.5.2) and the CDB opcode/length check.

/// Reads a big-endian unsigned integer of `bytes.len()` (at most 8) bytes.
pub(crate) fn be_uint(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
}

/// Writes `value` big-endian into all of `out` (the caller checked that it fits).
pub(crate) fn put_be(out: &mut [u8], value: u64) {
    let width = out.len();
    for (i, b) in out.iter_mut().enumerate() {
        let shift = 8 * (width - 1 - i);
        *b = (value >> shift) as u8;
    }
}

/// Checks that a CDB has `len` bytes and starts with `opcode`.
pub(crate) fn check_cdb(
    cdb: &[u8],
    len: usize,
    opcode: u8,
    what: &'static str,
) -> Result<(), crate::error::DecodeError> {
    if cdb.len() != len {
        return Err(crate::error::DecodeError::InvalidValue {
            what,
            value: cdb.len() as u64,
        });
    }
    if cdb.first() != Some(&opcode) {
        return Err(crate::error::DecodeError::InvalidValue {
            what,
            value: cdb.first().copied().map_or(0, u64::from),
        });
    }
    Ok(())
}

//! Fixed-width ASCII text fields, as used by INQUIRY (SPC-5 4.3.1), VPD designators and
//! NVMe Identify (serial number, model number, firmware revision).

/// Decodes a space- or NUL-padded ASCII field into a trimmed string.
///
/// Bytes outside printable ASCII (20h–7Eh) are replaced with `.` so that device data can
/// always be shown and serialised; trailing spaces and NULs are removed.
pub fn ascii_field(bytes: &[u8]) -> String {
    let end = bytes
        .iter()
        .rposition(|&b| b != b' ' && b != 0)
        .map_or(0, |i| i + 1);
    bytes[..end]
        .iter()
        .map(|&b| {
            if (0x20..=0x7e).contains(&b) {
                b as char
            } else {
                '.'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::ascii_field;

    #[test]
    fn trims_padding_and_masks_control_bytes() {
        assert_eq!(ascii_field(b"QEMU    "), "QEMU");
        assert_eq!(ascii_field(b"AB\0\0"), "AB");
        assert_eq!(ascii_field(b" X\x01Y  "), " X.Y");
        assert_eq!(ascii_field(b"    "), "");
        assert_eq!(ascii_field(b""), "");
    }
}

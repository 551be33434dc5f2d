//! The emulated controller's firmware image format: an 8-byte magic `SIMNVMFW`, the
//! 8-byte ASCII Firmware Revision the image installs (reported in Identify Controller FR
//! and the Firmware Slot Information log, NVMe Base 2.0 5.17.2.1, 5.16.1.4), then any
//! payload. Real controllers check a vendor signature instead; this is the emulator's.

/// The magic every valid image starts with (the emulator's own; Base 2.0 5.13 leaves
/// image validation to the vendor).
pub const MAGIC: [u8; 8] = *b"SIMNVMFW";

/// Builds a valid image installing `revision` (printable ASCII, as the FR field holds,
/// Base 2.0 5.17.2.1), followed by `payload`.
pub fn build(revision: [u8; 8], payload: &[u8]) -> Vec<u8> {
    let mut image = Vec::with_capacity(16 + payload.len());
    image.extend_from_slice(&MAGIC);
    image.extend_from_slice(&revision);
    image.extend_from_slice(payload);
    image
}

/// The revision a valid image installs, or `None` when the magic is missing or the
/// revision is not printable ASCII (the controller then answers Invalid Firmware Image,
/// Base 2.0 5.13).
pub fn revision(image: &[u8]) -> Option<[u8; 8]> {
    let magic = image.get(..8)?;
    let revision: [u8; 8] = image.get(8..16)?.try_into().ok()?;
    let printable = revision.iter().all(|b| (0x20..=0x7e).contains(b));
    (magic == MAGIC && printable && revision != [b' '; 8]).then_some(revision)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_carry_their_revision() {
        let image = build(*b"2.0     ", &[0xaa; 4080]);
        assert_eq!(image.len(), 4096);
        assert_eq!(revision(&image), Some(*b"2.0     "));
        assert_eq!(revision(&image[..15]), None);
        assert_eq!(revision(&build(*b"2.0\x01    ", &[])), None);
        assert_eq!(revision(&build(*b"        ", &[])), None);
        let mut bad = image.clone();
        bad[0] = b'X';
        assert_eq!(revision(&bad), None);
    }
}

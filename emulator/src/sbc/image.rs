//! The emulated disk's microcode image format. SPC-5 6.49 leaves the microcode that WRITE
//! BUFFER downloads vendor specific; the emulator defines this one so that a host can
//! build images the disk accepts and damage them on purpose:
//!
//! | bytes          | field                                                        |
//! |----------------|--------------------------------------------------------------|
//! | 0–7            | [`MAGIC`], `SCSITLFW`                                        |
//! | 8–11           | the new PRODUCT REVISION LEVEL, 4 printable ASCII characters (SPC-5 4.3.1, 6.7.2) |
//! | 12–15          | PAYLOAD LENGTH n, big-endian                                 |
//! | 16 to 15 + n   | payload (anything)                                           |
//! | 16 + n to 19 + n | CRC-32 (IEEE 802.3, as [`crc32`] computes it) of bytes 0 to 15 + n, big-endian |
//!
//! The header declares the image's length, which is how the disk knows that the last
//! piece of a download with offsets has arrived.

/// The first 8 bytes of every image.
pub const MAGIC: [u8; 8] = *b"SCSITLFW";
/// Magic, revision and payload length.
pub const HEADER_LEN: usize = 16;
/// The CRC-32 after the payload.
pub const TRAILER_LEN: usize = 4;

/// Why the disk rejects an image (it then reports INVALID FIELD IN PARAMETER LIST).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageError {
    /// Shorter than a header and a trailer, or not the length the header declares.
    Length,
    /// The first 8 bytes are not [`MAGIC`].
    Magic,
    /// The revision holds a byte outside printable ASCII (SPC-5 4.3.1).
    Revision,
    /// The CRC-32 does not match.
    Crc,
    /// A well-formed image the device refuses anyway (a fault profile whose firmware
    /// accepts no image, see [`refuse`]).
    Refused,
}

/// An image carrying `revision` (truncated or space-padded to 4 characters; characters
/// outside printable ASCII become `?`) and `payload`, which must be shorter than 4 GiB.
pub fn build(revision: &str, payload: &[u8]) -> Vec<u8> {
    let mut image = MAGIC.to_vec();
    let mut rev = [b' '; 4];
    for (slot, ch) in rev.iter_mut().zip(revision.chars()) {
        *slot = if ch == ' ' || ch.is_ascii_graphic() {
            ch as u8
        } else {
            b'?'
        };
    }
    image.extend_from_slice(&rev);
    image.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    image.extend_from_slice(payload);
    let crc = crc32(&image);
    image.extend_from_slice(&crc.to_be_bytes());
    image
}

/// The total length the header at the start of `staged` declares, once the header is
/// there.
pub fn declared_len(staged: &[u8]) -> Option<u64> {
    let length = staged.get(12..HEADER_LEN)?;
    let payload = u32::from_be_bytes([length[0], length[1], length[2], length[3]]);
    Some(u64::from(payload) + (HEADER_LEN + TRAILER_LEN) as u64)
}

/// Whether the bytes staged so far can still become a valid image of at most `capacity`
/// bytes: right magic, and a declared length that fits and is not already exceeded.
pub fn plausible(staged: &[u8], capacity: u32) -> bool {
    let magic_ok = staged
        .iter()
        .zip(MAGIC.iter())
        .all(|(byte, magic)| byte == magic);
    magic_ok
        && declared_len(staged)
            .is_none_or(|len| len <= u64::from(capacity) && staged.len() as u64 <= len)
}

/// Checks a complete image; its PRODUCT REVISION LEVEL on success.
pub fn parse(image: &[u8]) -> Result<String, ImageError> {
    if image.len() < HEADER_LEN + TRAILER_LEN || declared_len(image) != Some(image.len() as u64) {
        return Err(ImageError::Length);
    }
    if image[..8] != MAGIC {
        return Err(ImageError::Magic);
    }
    let revision = &image[8..12];
    if !revision.iter().all(|b| (0x20..0x7f).contains(b)) {
        return Err(ImageError::Revision);
    }
    let (body, crc) = image.split_at(image.len() - TRAILER_LEN);
    if crc32(body).to_be_bytes() != crc {
        return Err(ImageError::Crc);
    }
    Ok(revision.iter().map(|&b| char::from(b)).collect())
}

/// Refuses every image with [`ImageError::Refused`]: the check of a device that rejects
/// all microcode (`fw-reject-image`).
pub fn refuse(_image: &[u8]) -> Result<String, ImageError> {
    Err(ImageError::Refused)
}

/// The CRC-32 of IEEE 802.3 (reflected polynomial EDB88320h, initial value and final XOR
/// FFFFFFFFh): "123456789" gives CBF43926h.
pub fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0u32, |crc, &b| {
        CRC_TABLE[usize::from((crc as u8) ^ b)] ^ (crc >> 8)
    })
}

/// The CRC-32 of every byte value, for [`crc32`].
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u32;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_check_value() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn built_images_parse_and_damage_is_caught() {
        let image = build("0002", b"new firmware");
        assert_eq!(image.len(), HEADER_LEN + 12 + TRAILER_LEN);
        assert_eq!(parse(&image), Ok("0002".into()));
        assert_eq!(declared_len(&image[..16]), Some(image.len() as u64));
        let mut flipped = image.clone();
        flipped[20] ^= 1;
        assert_eq!(parse(&flipped), Err(ImageError::Crc));
        assert_eq!(parse(&image[..image.len() - 1]), Err(ImageError::Length));
        let mut magic = image.clone();
        magic[0] = b'X';
        assert_eq!(parse(&magic), Err(ImageError::Magic));
        assert!(!plausible(&magic[..3], 1 << 20));
        assert!(plausible(&image[..3], 1 << 20));
        assert!(!plausible(&image, 8));
        assert_eq!(parse(&build("A\u{7f}", b"")), Ok("A?  ".into()));
        let mut control = build("0003", b"");
        control[8] = 0x07;
        let crc = crc32(&control[..HEADER_LEN]);
        control[HEADER_LEN..].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(parse(&control), Err(ImageError::Revision));
    }
}

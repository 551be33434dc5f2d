//! The emulated devices' firmware image format. SPC-5 6.49 leaves the microcode that WRITE
//! BUFFER downloads vendor specific, and NVMe Base 2.0 5.13 leaves image validation to the
//! vendor; the emulator defines one format, with a magic per device kind, so that a host
//! can build images a device accepts and damage them on purpose:
//!
//! | bytes                    | field                                                  |
//! |--------------------------|--------------------------------------------------------|
//! | 0–7                      | the magic: [`SCSI`] `SCSITLFW`, [`NVME`] `SIMNVMFW`     |
//! | 8 to 7 + r               | the revision it installs, r printable ASCII characters: the PRODUCT REVISION LEVEL (r = 4, SPC-5 6.7.2) or the Firmware Revision (r = 8, NVMe Base 2.0 5.17.2.1) |
//! | 8 + r to 11 + r          | PAYLOAD LENGTH n, big-endian                           |
//! | 12 + r to 11 + r + n     | payload (anything)                                     |
//! | the last 4 bytes         | CRC-32 (IEEE 802.3, crc32fast) of everything before it, big-endian |
//!
//! The header declares the image's length, which is how a device knows that the last
//! piece of a download has arrived, and that a download which stopped early is truncated.

/// The CRC-32 trailer's length.
pub const TRAILER_LEN: usize = 4;

/// Why a device rejects an image (SCSI: INVALID FIELD IN PARAMETER LIST; NVMe: Invalid
/// Firmware Image).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageError {
    /// Shorter than a header and a trailer, or not the length the header declares.
    Length,
    /// The first 8 bytes are not the format's magic.
    Magic,
    /// The revision holds a byte outside printable ASCII, or only spaces.
    Revision,
    /// The CRC-32 does not match.
    Crc,
    /// A well-formed image the device refuses anyway (a fault profile whose firmware
    /// accepts no image, see [`refuse`]).
    Refused,
}

/// One device kind's image format: its magic and the width of its revision field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageFormat {
    /// The first 8 bytes of every image.
    pub magic: [u8; 8],
    /// The revision field's width in characters.
    pub revision_len: usize,
}

/// The SBC disk's microcode (SPC-5 6.49): a 4-character PRODUCT REVISION LEVEL.
pub const SCSI: ImageFormat = ImageFormat {
    magic: *b"SCSITLFW",
    revision_len: 4,
};

/// The NVMe controller's firmware (NVMe Base 2.0 5.13): an 8-character Firmware Revision.
pub const NVME: ImageFormat = ImageFormat {
    magic: *b"SIMNVMFW",
    revision_len: 8,
};

impl ImageFormat {
    /// The header's length: magic, revision and payload length.
    pub fn header_len(&self) -> usize {
        8 + self.revision_len + 4
    }

    /// An image carrying `revision` (truncated or space-padded to the field; characters
    /// outside printable ASCII become `?`) and `payload`, which must be shorter than 4 GiB.
    pub fn build(&self, revision: &str, payload: &[u8]) -> Vec<u8> {
        let mut image = self.magic.to_vec();
        let mut rev = vec![b' '; self.revision_len];
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
        let crc = crc32fast::hash(&image);
        image.extend_from_slice(&crc.to_be_bytes());
        image
    }

    /// The total length the header at the start of `staged` declares, once the header is
    /// there.
    pub fn declared_len(&self, staged: &[u8]) -> Option<u64> {
        let at = 8 + self.revision_len;
        let length = staged.get(at..at + 4)?;
        let payload = u32::from_be_bytes([length[0], length[1], length[2], length[3]]);
        Some(u64::from(payload) + (self.header_len() + TRAILER_LEN) as u64)
    }

    /// Whether the bytes staged so far can still become a valid image of at most
    /// `capacity` bytes: right magic, and a declared length that fits and is not already
    /// exceeded.
    pub fn plausible(&self, staged: &[u8], capacity: u64) -> bool {
        let magic_ok = staged
            .iter()
            .zip(self.magic.iter())
            .all(|(byte, magic)| byte == magic);
        magic_ok
            && self
                .declared_len(staged)
                .is_none_or(|len| len <= capacity && staged.len() as u64 <= len)
    }

    /// Checks a complete image; the revision it installs on success.
    pub fn parse(&self, image: &[u8]) -> Result<String, ImageError> {
        let header_len = self.header_len();
        if image.len() < header_len + TRAILER_LEN
            || self.declared_len(image) != Some(image.len() as u64)
        {
            return Err(ImageError::Length);
        }
        if image[..8] != self.magic {
            return Err(ImageError::Magic);
        }
        let revision = &image[8..8 + self.revision_len];
        let printable = revision.iter().all(|b| (0x20..0x7f).contains(b));
        if !printable || revision.iter().all(|&b| b == b' ') {
            return Err(ImageError::Revision);
        }
        let (body, crc) = image.split_at(image.len() - TRAILER_LEN);
        if crc32fast::hash(body).to_be_bytes() != crc {
            return Err(ImageError::Crc);
        }
        Ok(revision.iter().map(|&b| char::from(b)).collect())
    }
}

/// Refuses every image with [`ImageError::Refused`]: the check of a device that rejects
/// all firmware (`fw-reject-image`).
pub fn refuse(_image: &[u8]) -> Result<String, ImageError> {
    Err(ImageError::Refused)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_images_parse_and_damage_is_caught() {
        for format in [SCSI, NVME] {
            let image = format.build("0002", b"new firmware");
            let header = format.header_len();
            assert_eq!(image.len(), header + 12 + TRAILER_LEN);
            let padded = format!("{:<width$}", "0002", width = format.revision_len);
            assert_eq!(format.parse(&image), Ok(padded));
            assert_eq!(
                format.declared_len(&image[..header]),
                Some(image.len() as u64)
            );
            assert_eq!(format.declared_len(&image[..header - 1]), None);
            let mut flipped = image.clone();
            flipped[header + 2] ^= 1;
            assert_eq!(format.parse(&flipped), Err(ImageError::Crc));
            assert_eq!(
                format.parse(&image[..image.len() - 1]),
                Err(ImageError::Length)
            );
            let mut magic = image.clone();
            magic[0] = b'X';
            assert_eq!(format.parse(&magic), Err(ImageError::Magic));
            assert!(!format.plausible(&magic[..3], 1 << 20));
            assert!(format.plausible(&image[..3], 1 << 20));
            assert!(!format.plausible(&image, 8));
            assert_eq!(
                format.parse(&format.build("        ", b"")),
                Err(ImageError::Revision)
            );
        }
    }

    #[test]
    fn revisions_are_printable_ascii() {
        assert_eq!(SCSI.parse(&SCSI.build("A\u{7f}", b"")), Ok("A?  ".into()));
        let mut control = SCSI.build("0003", b"");
        control[8] = 0x07;
        let header = SCSI.header_len();
        let crc = crc32fast::hash(&control[..header]);
        control[header..].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(SCSI.parse(&control), Err(ImageError::Revision));
    }

    #[test]
    fn the_trailer_is_the_ieee_crc32() {
        // "123456789" has the IEEE 802.3 CRC-32 check value CBF43926h.
        assert_eq!(crc32fast::hash(b"123456789"), 0xcbf4_3926);
        let image = NVME.build("1.0", b"");
        let (body, crc) = image.split_at(image.len() - TRAILER_LEN);
        assert_eq!(crc, crc32fast::hash(body).to_be_bytes());
    }
}

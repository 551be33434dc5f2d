//! READ BUFFER mode 1Ch, error history (SPC-5 6.16, error history mode): buffer IDs and
//! the error history directory.

use crate::error::DecodeError;
use crate::scsi::cdb_bytes::be_uint;
use crate::text::ascii_field;
use serde::Serialize;

/// Buffer ID 00h: return the error history directory.
pub const DIRECTORY: u8 = 0x00;
/// Buffer ID 01h: directory, and create a new error history snapshot.
pub const DIRECTORY_NEW_SNAPSHOT: u8 = 0x01;
/// Buffer ID 02h: directory, and establish a new error history I_T nexus.
pub const DIRECTORY_NEW_NEXUS: u8 = 0x02;
/// Buffer ID 03h: directory, new error history I_T nexus and new snapshot.
pub const DIRECTORY_NEW_NEXUS_AND_SNAPSHOT: u8 = 0x03;
/// Buffer ID FEh: clear the error history I_T nexus.
pub const CLEAR_NEXUS: u8 = 0xfe;
/// Buffer ID FFh: clear the error history I_T nexus and release the snapshot.
pub const CLEAR_NEXUS_RELEASE_SNAPSHOT: u8 = 0xff;

/// Whether an error history buffer ID returns the directory (00h to 03h).
pub fn returns_directory(buffer_id: u8) -> bool {
    buffer_id <= DIRECTORY_NEW_NEXUS_AND_SNAPSHOT
}

/// The error history directory (SPC-5 6.16, error history directory).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct ErrorHistoryDirectory {
    /// T10 VENDOR IDENTIFICATION, bytes 0-7.
    pub t10_vendor_identification: String,
    /// VERSION, byte 8.
    pub version: u8,
    /// EHS_RETRIEVED, byte 9 bits 4:3.
    pub ehs_retrieved: u8,
    /// EHS_SOURCE, byte 9 bits 2:1.
    pub ehs_source: u8,
    /// CLR_SUP (clear supported), byte 9 bit 0.
    pub clr_sup: bool,
    /// DIRECTORY LENGTH, bytes 30-31.
    pub directory_length: u16,
    /// The directory entries present.
    pub entries: Vec<ErrorHistoryDirectoryEntry>,
    /// True when the data ended before DIRECTORY LENGTH said.
    pub truncated: bool,
}

/// One error history directory entry (SPC-5 6.16, error history directory).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct ErrorHistoryDirectoryEntry {
    /// SUPPORTED BUFFER ID.
    pub supported_buffer_id: u8,
    /// BUFFER FORMAT.
    pub buffer_format: u8,
    /// BUFFER SOURCE, 4 bits.
    pub buffer_source: u8,
    /// MAXIMUM AVAILABLE LENGTH.
    pub maximum_available_length: u32,
}

impl ErrorHistoryDirectory {
    /// Decodes the directory: a 32-byte header, then 8-byte entries.
    pub fn decode(data: &[u8]) -> Result<Self, DecodeError> {
        DecodeError::ensure_len(data, 32, "error history directory header")?;
        let directory_length = u16::from_be_bytes([data[30], data[31]]);
        let body = &data[32..];
        let present = &body[..body.len().min(directory_length.into())];
        let entries = present
            .chunks_exact(8)
            .map(|e| ErrorHistoryDirectoryEntry {
                supported_buffer_id: e[0],
                buffer_format: e[1],
                buffer_source: e[2] & 0x0f,
                maximum_available_length: be_uint(&e[4..8]) as u32,
            })
            .collect::<Vec<_>>();
        Ok(ErrorHistoryDirectory {
            t10_vendor_identification: ascii_field(&data[..8]),
            version: data[8],
            ehs_retrieved: (data[9] >> 3) & 3,
            ehs_source: (data[9] >> 1) & 3,
            clr_sup: data[9] & 1 != 0,
            directory_length,
            truncated: entries.len() * 8 < usize::from(directory_length),
            entries,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn directory_with_two_entries() {
        let mut data = b"SEAGATE ".to_vec();
        data.extend_from_slice(&[1, 0x0b]);
        data.resize(30, 0);
        data.extend_from_slice(&[0, 16]);
        data.extend_from_slice(&[0x10, 0x00, 0x01, 0, 0, 0, 0x40, 0]);
        data.extend_from_slice(&[0x11, 0x00, 0x02, 0, 0, 0x01, 0, 0]);
        let d = ErrorHistoryDirectory::decode(&data).unwrap();
        assert_eq!(d.t10_vendor_identification, "SEAGATE");
        assert_eq!(
            (d.version, d.ehs_retrieved, d.ehs_source, d.clr_sup),
            (1, 1, 1, true)
        );
        assert_eq!(d.entries.len(), 2);
        assert_eq!(d.entries[1].maximum_available_length, 0x10000);
        assert!(!d.truncated);
        assert!(
            ErrorHistoryDirectory::decode(&data[..40])
                .unwrap()
                .truncated
        );
        assert!(returns_directory(DIRECTORY_NEW_SNAPSHOT) && !returns_directory(0x10));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_do_not_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            if let Ok(d) = ErrorHistoryDirectory::decode(&bytes) {
                prop_assert!(d.entries.len() <= bytes.len() / 8);
            }
        }
    }
}

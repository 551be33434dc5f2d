//! READ BUFFER mode 0Fh, read microcode status (SPC-5 6.16; download status codes
//! extended in SPC-6): the state of the active, redundant and downloading microcode.

use crate::error::DecodeError;
use serde::Serialize;

/// A status code with its meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct StatusCode {
    /// The code.
    pub code: u8,
    /// What it means (`None` for reserved or unknown codes).
    pub name: Option<&'static str>,
}

/// The microcode status data (SPC-5 6.16, read microcode status mode).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct MicrocodeStatus {
    /// ACTIVATED MICROCODE STATUS, byte 0.
    pub activated_microcode_status: StatusCode,
    /// REDUNDANT MICROCODE STATUS, byte 1.
    pub redundant_microcode_status: StatusCode,
    /// DOWNLOAD MICROCODE STATUS, byte 2.
    pub download_microcode_status: StatusCode,
    /// DOWNLOAD MICROCODE MAXIMUM SIZE in bytes, bytes 4-7 (when returned).
    pub download_microcode_maximum_size: Option<u32>,
    /// DOWNLOAD MICROCODE EXPECTED BUFFER OFFSET, bytes 12-15 (when returned).
    pub download_microcode_expected_buffer_offset: Option<u32>,
}

fn activated_name(code: u8) -> Option<&'static str> {
    Some(match code {
        0 => "status not reported",
        1 => "activated microcode is valid",
        2 => "activated microcode is not valid",
        3 => "activated microcode is not a complete image",
        _ => return None,
    })
}

fn redundant_name(code: u8) -> Option<&'static str> {
    Some(match code {
        0 => "status not reported",
        1 => "a redundant copy is valid",
        2 => "no redundant copy is valid",
        3 => "redundant microcode is not a complete image",
        _ => return None,
    })
}

/// The DOWNLOAD MICROCODE STATUS codes: SPC-6's list (21h-23h, 30h-35h, 90h-95h) and
/// the SES Download Microcode Status diagnostic page's values that earlier devices return
/// (01h-03h, 10h-13h, 80h-85h).
fn download_name(code: u8) -> Option<&'static str> {
    Some(match code {
        0x00 => "no download microcode operation in progress",
        0x01 | 0x21 => "download in progress, awaiting more data",
        0x02 | 0x22 => "download complete, updating non-volatile storage",
        0x03 | 0x23 => "updating non-volatile storage with deferred microcode",
        0x10 => "complete, new microcode active now",
        0x11 => "complete, new microcode active after hard reset or power cycle",
        0x12 => "complete, new microcode active after power cycle",
        0x13 => "complete, active after activate deferred microcode, hard reset or power cycle",
        0x30 => "deferred microcode downloaded, activation events not reported",
        0x31 => "deferred microcode downloaded, awaiting hard reset or power on",
        0x32 => "deferred microcode downloaded, awaiting power on",
        0x33 => "deferred microcode downloaded, awaiting any activation event",
        0x34 => "deferred microcode downloaded, awaiting WRITE BUFFER activate",
        0x35 => "deferred microcode downloaded, awaiting any event, WRITE BUFFER on this LU only",
        0x80 | 0x90 => "error, microcode discarded, see additional status",
        0x81 | 0x91 => "error, microcode image discarded as invalid",
        0x82 | 0x92 => "timeout, microcode discarded",
        0x83 | 0x93 => "internal error, new microcode needed before reset",
        0x84 | 0x94 => "internal error, reset safe, new microcode needed",
        0x85 | 0x95 => "unexpected activate deferred microcode, microcode discarded",
        _ => return None,
    })
}

impl MicrocodeStatus {
    /// Decodes the status data; the first 3 bytes are required, the sizes are optional.
    pub fn decode(data: &[u8]) -> Result<Self, DecodeError> {
        DecodeError::ensure_len(data, 3, "microcode status")?;
        let be32 = |at: usize| {
            data.get(at..at + 4)
                .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        };
        let status = |code: u8, name: fn(u8) -> Option<&'static str>| StatusCode {
            code,
            name: name(code),
        };
        Ok(MicrocodeStatus {
            activated_microcode_status: status(data[0], activated_name),
            redundant_microcode_status: status(data[1], redundant_name),
            download_microcode_status: status(data[2], download_name),
            download_microcode_maximum_size: be32(4),
            download_microcode_expected_buffer_offset: be32(12),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn deferred_download_waiting() {
        let data = [1, 1, 0x34, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0];
        let s = MicrocodeStatus::decode(&data).unwrap();
        assert_eq!(
            s.activated_microcode_status.name,
            Some("activated microcode is valid")
        );
        assert_eq!(s.download_microcode_status.code, 0x34);
        assert!(s
            .download_microcode_status
            .name
            .unwrap()
            .contains("WRITE BUFFER"));
        assert_eq!(s.download_microcode_maximum_size, Some(0x100000));
        assert_eq!(s.download_microcode_expected_buffer_offset, Some(0x8000));
        let short = MicrocodeStatus::decode(&data[..6]).unwrap();
        assert_eq!(short.download_microcode_maximum_size, None);
        assert!(MicrocodeStatus::decode(&data[..2]).is_err());
        assert_eq!(
            MicrocodeStatus::decode(&[7, 0, 0x40])
                .unwrap()
                .activated_microcode_status
                .name,
            None
        );
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_do_not_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            if let Ok(s) = MicrocodeStatus::decode(&bytes) {
                prop_assert_eq!(s.download_microcode_status.code, bytes[2]);
            }
        }
    }
}

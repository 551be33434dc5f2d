//! The 16-byte completion queue entry (NVMe Base 2.0 4.6).

use super::status::Status;
use crate::error::DecodeError;
use serde::Serialize;
use zerocopy::little_endian::{U16, U32};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// Size of a completion queue entry in bytes (Base 2.0 4.6, CQES = 4).
pub const CQE_LEN: usize = 16;

/// Raw completion entry layout (Base 2.0 4.6, Figure "Common Completion Queue Entry").
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
struct RawCompletion {
    dw0: U32,
    dw1: U32,
    sqhd: U16,
    sqid: U16,
    cid: U16,
    status_phase: U16,
}

/// A decoded completion queue entry (Base 2.0 4.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Completion {
    /// Dword 0, command specific (e.g. the Get Features result).
    pub dw0: u32,
    /// Dword 1, command specific.
    pub dw1: u32,
    /// SQ Head Pointer (SQHD).
    pub sqhd: u16,
    /// SQ Identifier (SQID).
    pub sqid: u16,
    /// Command Identifier (CID).
    pub cid: u16,
    /// Phase Tag (P), Dword 3 bit 16.
    pub phase: bool,
    /// Status Field, Dword 3 bits 31:17 (Base 2.0 4.6.1).
    #[serde(serialize_with = "super::status::serialize_described")]
    #[schemars(with = "super::status::StatusDescription")]
    pub status: Status,
}

impl Completion {
    /// Decodes a completion entry; needs at least [`CQE_LEN`] bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self, DecodeError> {
        let (raw, _) =
            RawCompletion::ref_from_prefix(bytes).map_err(|_| DecodeError::Truncated {
                what: "completion queue entry",
                need: CQE_LEN,
                have: bytes.len(),
            })?;
        let sp = raw.status_phase.get();
        Ok(Completion {
            dw0: raw.dw0.get(),
            dw1: raw.dw1.get(),
            sqhd: raw.sqhd.get(),
            sqid: raw.sqid.get(),
            cid: raw.cid.get(),
            phase: sp & 1 != 0,
            status: Status::from_field(sp >> 1),
        })
    }

    /// The entry's 16 bytes.
    pub fn to_bytes(&self) -> [u8; CQE_LEN] {
        let raw = RawCompletion {
            dw0: U32::new(self.dw0),
            dw1: U32::new(self.dw1),
            sqhd: U16::new(self.sqhd),
            sqid: U16::new(self.sqid),
            cid: U16::new(self.cid),
            status_phase: U16::new(u16::from(self.phase) | (self.status.to_field() << 1)),
        };
        let mut out = [0; CQE_LEN];
        out.copy_from_slice(raw.as_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decodes_invalid_opcode_dnr() {
        // Dword 3 = CID 0012h, phase 1, status 4001h (QEMU 7.2's answer to Firmware
        // Commit, tests/fixtures/qemu-7.2/capture.log).
        let mut b = [0u8; 16];
        b[0] = 0x01;
        b[8] = 0x05;
        b[10] = 0x00;
        b[12] = 0x12;
        b[14] = 0x03; // (0x4001 << 1 | 1) = 0x8003, little-endian 03 80
        b[15] = 0x80;
        let c = Completion::parse(&b).unwrap();
        assert_eq!(
            (c.dw0, c.sqhd, c.sqid, c.cid, c.phase),
            (1, 5, 0, 0x12, true)
        );
        assert_eq!(c.status, Status::from_field(0x4001));
        assert!(c.status.dnr);
        assert_eq!(c.to_bytes(), b);
        assert!(Completion::parse(&b[..15]).is_err());
        let json = serde_json::to_value(c).unwrap();
        assert_eq!(json["status"]["name"], "Invalid Command Opcode");
        assert_eq!(json["status"]["status"]["dnr"], true);
        let schema = serde_json::to_string(&schemars::schema_for!(Completion)).unwrap();
        assert!(schema.contains("sct_name"));
    }

    proptest! {
        #[test]
        fn round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            if let Ok(c) = Completion::parse(&bytes) {
                prop_assert_eq!(&c.to_bytes()[..], &bytes[..CQE_LEN]);
            } else {
                prop_assert!(bytes.len() < CQE_LEN);
            }
        }
    }
}

//! The READ BUFFER descriptor (mode 03h; SPC-5 6.16, descriptor mode): offset boundary and capacity.

use crate::error::DecodeError;
use serde::Serialize;

/// OFFSET BOUNDARY: the alignment BUFFER OFFSET must have (SPC-5 6.16, descriptor mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OffsetBoundary {
    /// Offsets must be multiples of 2^`exponent` bytes (codes 00h to FEh).
    Aligned {
        /// The OFFSET BOUNDARY code n.
        exponent: u8,
    },
    /// FFh: only BUFFER OFFSET 0 is allowed.
    ZeroOnly,
}

impl OffsetBoundary {
    /// The boundary for an OFFSET BOUNDARY code.
    pub fn from_code(code: u8) -> Self {
        if code == 0xff {
            OffsetBoundary::ZeroOnly
        } else {
            OffsetBoundary::Aligned { exponent: code }
        }
    }

    /// The OFFSET BOUNDARY code.
    pub fn code(self) -> u8 {
        match self {
            OffsetBoundary::Aligned { exponent } => exponent,
            OffsetBoundary::ZeroOnly => 0xff,
        }
    }

    /// The alignment in bytes, when it fits 64 bits (`None` for FFh or 2^64 and above).
    pub fn alignment(self) -> Option<u64> {
        match self {
            OffsetBoundary::Aligned { exponent } => 1u64.checked_shl(exponent.into()),
            OffsetBoundary::ZeroOnly => None,
        }
    }

    /// Whether a BUFFER OFFSET obeys this boundary.
    pub fn permits(self, offset: u32) -> bool {
        match self.alignment() {
            Some(a) => u64::from(offset) % a == 0,
            None => offset == 0,
        }
    }
}

/// READ BUFFER descriptor, mode 03h (SPC-5 6.16, descriptor mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct BufferDescriptor {
    /// OFFSET BOUNDARY.
    pub offset_boundary: OffsetBoundary,
    /// BUFFER CAPACITY in bytes.
    pub buffer_capacity: u32,
}

impl BufferDescriptor {
    /// Decodes the 4-byte descriptor.
    pub fn decode(data: &[u8]) -> Result<Self, DecodeError> {
        DecodeError::ensure_len(data, 4, "READ BUFFER descriptor")?;
        Ok(BufferDescriptor {
            offset_boundary: OffsetBoundary::from_code(data[0]),
            buffer_capacity: u32::from_be_bytes([0, data[1], data[2], data[3]]),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn descriptor_fixtures() {
        // Boundary 2^9 = 512 bytes, capacity 0x040000.
        let d = BufferDescriptor::decode(&[0x09, 0x04, 0x00, 0x00]).unwrap();
        assert_eq!(d.offset_boundary.alignment(), Some(512));
        assert_eq!(d.buffer_capacity, 0x40000);
        assert!(d.offset_boundary.permits(1024) && !d.offset_boundary.permits(100));
        let z = BufferDescriptor::decode(&[0xff, 0, 0x10, 0]).unwrap();
        assert_eq!(z.offset_boundary, OffsetBoundary::ZeroOnly);
        assert!(z.offset_boundary.permits(0) && !z.offset_boundary.permits(4096));
        let big = OffsetBoundary::from_code(0x40);
        assert!(big.permits(0) && !big.permits(1 << 23));
        assert!(BufferDescriptor::decode(&[9, 0, 0]).is_err());
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_do_not_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            if let Ok(d) = BufferDescriptor::decode(&bytes) {
                prop_assert_eq!(d.offset_boundary.code(), bytes[0]);
                prop_assert!(d.buffer_capacity < 1 << 24);
            }
        }
    }
}

//! Little-endian field reads from a buffer whose length the caller has checked (NVMe data
//! structures are little-endian, Base 2.0 1.5).

use crate::text::ascii_field;

/// A little-endian view of a data structure. Reads past the end yield zero rather than
/// panicking; decoders check the length they need before reading.
#[derive(Clone, Copy)]
pub(crate) struct Le<'a>(pub(crate) &'a [u8]);

impl Le<'_> {
    /// The `N` bytes at `off`, zero-filled where the buffer ends.
    pub(crate) fn bytes<const N: usize>(&self, off: usize) -> [u8; N] {
        let mut out = [0; N];
        if let Some(src) = self.0.get(off..) {
            let n = src.len().min(N);
            out[..n].copy_from_slice(&src[..n]);
        }
        out
    }

    /// The byte at `off`.
    pub(crate) fn u8(&self, off: usize) -> u8 {
        self.0.get(off).copied().unwrap_or(0)
    }

    /// The 16-bit value at `off`.
    pub(crate) fn u16(&self, off: usize) -> u16 {
        u16::from_le_bytes(self.bytes(off))
    }

    /// The 32-bit value at `off`.
    pub(crate) fn u32(&self, off: usize) -> u32 {
        u32::from_le_bytes(self.bytes(off))
    }

    /// The 64-bit value at `off`.
    pub(crate) fn u64(&self, off: usize) -> u64 {
        u64::from_le_bytes(self.bytes(off))
    }

    /// The 128-bit value at `off`.
    pub(crate) fn u128(&self, off: usize) -> u128 {
        u128::from_le_bytes(self.bytes(off))
    }

    /// The ASCII field of `len` bytes at `off`, trimmed.
    pub(crate) fn ascii(&self, off: usize, len: usize) -> String {
        let end = off.saturating_add(len).min(self.0.len());
        self.0.get(off..end).map(ascii_field).unwrap_or_default()
    }
}

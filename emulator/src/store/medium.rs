//! The durable layer under the volatile write cache: what survives a power cut (SBC-4 4.15
//! "Write caching" calls it the medium; NVMe Base 2.0 5.27.1.4 calls it non-volatile media).

use crate::block::BlockError;

/// Byte-addressed durable storage of a fixed length. Everything written here has left the
/// volatile cache: it survives a power cut (SBC-4 4.15; NVMe Base 2.0 5.27.1.4).
///
/// Callers keep every access inside `0 .. len()`; [`super::CachedDevice`] checks ranges with
/// [`crate::block::check_range`] before it reaches the medium.
pub trait Medium: Send {
    /// Length of the medium in bytes.
    fn len(&self) -> u64;

    /// Whether the medium holds no bytes at all.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Reads `buf.len()` bytes at byte `offset`; never-written bytes read as zeros.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), BlockError>;

    /// Writes `data` at byte `offset`, durably (it survives a power cut from now on).
    fn write_at(&mut self, offset: u64, data: &[u8]) -> Result<(), BlockError>;
}

/// A boxed medium is a medium, so a device can choose RAM or a file at run time
/// (`sim:` versus `sim:/path/disk.img`).
impl<M: Medium + ?Sized> Medium for Box<M> {
    fn len(&self) -> u64 {
        (**self).len()
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), BlockError> {
        (**self).read_at(offset, buf)
    }

    fn write_at(&mut self, offset: u64, data: &[u8]) -> Result<(), BlockError> {
        (**self).write_at(offset, data)
    }
}

//! The block-device contract the emulated SCSI disk and NVMe controller are built on: a
//! medium of fixed-size logical blocks behind a volatile write cache (SBC-4 4.15 "Write
//! caching"; NVMe Base 2.0 5.27.1.4 Volatile Write Cache).
//!
//! Durability rules every implementation follows:
//! - with the write cache enabled, a completed write may sit in volatile cache;
//! - a write with FUA, a completed [`BlockDevice::flush`] (SYNCHRONIZE CACHE, NVMe Flush),
//!   and any write while the cache is disabled are durable when they complete;
//! - disabling the cache makes everything cached durable first.

use std::fmt;

/// Why a block operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockError {
    /// The range `lba .. lba + blocks` is not inside the medium.
    OutOfRange {
        /// First logical block of the request.
        lba: u64,
        /// Number of blocks requested.
        blocks: u64,
        /// Blocks on the medium.
        capacity: u64,
    },
    /// The buffer is not a whole number of logical blocks.
    Misaligned {
        /// Buffer length in bytes.
        len: usize,
        /// Logical block size in bytes.
        block_size: u32,
    },
    /// The backing store failed (a file-backed medium's I/O error), with its message.
    Backing(String),
}

impl fmt::Display for BlockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlockError::OutOfRange {
                lba,
                blocks,
                capacity,
            } => write!(
                f,
                "blocks {lba}..{} are beyond the {capacity}-block medium",
                lba.saturating_add(*blocks)
            ),
            BlockError::Misaligned { len, block_size } => write!(
                f,
                "{len} bytes is not a whole number of {block_size}-byte blocks"
            ),
            BlockError::Backing(message) => write!(f, "backing store: {message}"),
        }
    }
}

impl std::error::Error for BlockError {}

/// A medium of logical blocks behind a volatile write cache.
pub trait BlockDevice {
    /// Logical block size in bytes (512 or 4096 typically).
    fn block_size(&self) -> u32;

    /// Number of logical blocks.
    fn block_count(&self) -> u64;

    /// Reads whole blocks starting at `lba` into `buf`: the newest data, cached or durable.
    /// Never-written blocks read as zeros.
    fn read(&mut self, lba: u64, buf: &mut [u8]) -> Result<(), BlockError>;

    /// Writes whole blocks starting at `lba`. With `fua` (force unit access) the data is
    /// durable when this returns; otherwise it may stay in the volatile cache.
    fn write(&mut self, lba: u64, data: &[u8], fua: bool) -> Result<(), BlockError>;

    /// Makes every cached block durable (SYNCHRONIZE CACHE, NVMe Flush).
    fn flush(&mut self) -> Result<(), BlockError>;

    /// Whether the volatile write cache is enabled (WCE, NVMe VWC feature).
    fn write_cache_enabled(&self) -> bool;

    /// Enables or disables the volatile write cache; disabling flushes it first.
    fn set_write_cache(&mut self, enabled: bool) -> Result<(), BlockError>;

    /// Cuts the power: what was not durable is lost, as far as this device's power-cut
    /// behaviour says, and the device comes back as after power-on (SBC-4 4.15).
    fn lose_power(&mut self) -> Result<(), BlockError>;
}

/// A boxed device is a device, so media and faults can be chosen at run time.
impl<T: BlockDevice + ?Sized> BlockDevice for Box<T> {
    fn block_size(&self) -> u32 {
        (**self).block_size()
    }

    fn block_count(&self) -> u64 {
        (**self).block_count()
    }

    fn read(&mut self, lba: u64, buf: &mut [u8]) -> Result<(), BlockError> {
        (**self).read(lba, buf)
    }

    fn write(&mut self, lba: u64, data: &[u8], fua: bool) -> Result<(), BlockError> {
        (**self).write(lba, data, fua)
    }

    fn flush(&mut self) -> Result<(), BlockError> {
        (**self).flush()
    }

    fn write_cache_enabled(&self) -> bool {
        (**self).write_cache_enabled()
    }

    fn set_write_cache(&mut self, enabled: bool) -> Result<(), BlockError> {
        (**self).set_write_cache(enabled)
    }

    fn lose_power(&mut self) -> Result<(), BlockError> {
        (**self).lose_power()
    }
}

/// Checks that `len` bytes at `lba` are whole blocks inside a medium of `capacity` blocks of
/// `block_size` bytes; returns the number of blocks.
pub fn check_range(
    lba: u64,
    len: usize,
    block_size: u32,
    capacity: u64,
) -> Result<u64, BlockError> {
    let size = u64::from(block_size);
    if size == 0 || len as u64 % size != 0 {
        return Err(BlockError::Misaligned { len, block_size });
    }
    let blocks = len as u64 / size;
    match lba.checked_add(blocks) {
        Some(end) if end <= capacity => Ok(blocks),
        _ => Err(BlockError::OutOfRange {
            lba,
            blocks,
            capacity,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_checked_without_overflow() {
        assert_eq!(check_range(0, 4096, 512, 8), Ok(8));
        assert_eq!(check_range(7, 512, 512, 8), Ok(1));
        assert!(matches!(
            check_range(8, 512, 512, 8),
            Err(BlockError::OutOfRange { .. })
        ));
        assert!(matches!(
            check_range(u64::MAX, 512, 512, 8),
            Err(BlockError::OutOfRange { .. })
        ));
        assert!(matches!(
            check_range(0, 100, 512, 8),
            Err(BlockError::Misaligned { .. })
        ));
        assert_eq!(check_range(3, 0, 512, 8), Ok(0));
    }
}

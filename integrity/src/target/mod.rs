//! What verification needs of a device: whole logical blocks read and written (with FUA),
//! the volatile write cache flushed, read and switched — over SCSI (SBC-4), NVMe (NVM
//! Command Set 1.0) or a plain block device or file, so the same check runs on all.

use std::time::Duration;

#[cfg(unix)]
pub mod file;

/// The logical block geometry of a target (SBC-4 4.5; NVM Command Set 1.0 2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    /// Logical block length in bytes (a multiple of 512).
    pub block_size: u32,
    /// Number of logical blocks.
    pub blocks: u64,
    /// The most bytes one read or write may move (the transport's and device's limit).
    pub max_transfer: u32,
}

/// Why a target operation failed, in the user's terms.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// The device answered with an error (sense or NVMe status), described.
    #[error("{0}")]
    Device(String),
    /// The command did not complete (timeout, link, device gone).
    #[error("{0}")]
    Transport(String),
    /// The target cannot do this (e.g. switch the write cache of a plain file).
    #[error("{0}")]
    Unsupported(String),
    /// A host-side I/O error (a file target, a journal).
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// A block device under verification.
pub trait BlockTarget {
    /// The target's geometry.
    fn geometry(&self) -> Geometry;

    /// Reads `buf.len() / block_size` whole blocks from `lba` into `buf`.
    fn read(&mut self, lba: u64, buf: &mut [u8]) -> Result<(), TargetError>;

    /// Sends several reads `(lba, buf)` that may be in flight together and complete in
    /// any order (SAM-5 4.16 task set: SIMPLE tasks), returning once all have completed.
    /// Targets that cannot queue send them one after the other.
    fn read_many(&mut self, reads: &mut [(u64, &mut [u8])]) -> Result<(), TargetError> {
        reads
            .iter_mut()
            .try_for_each(|(lba, buf)| self.read(*lba, buf))
    }

    /// Writes whole blocks from `data` at `lba`; with `fua` the write is durable when it
    /// completes (SBC-4 5.40 FUA; NVM Command Set 1.0 3.2.6 FUA).
    fn write(&mut self, lba: u64, data: &[u8], fua: bool) -> Result<(), TargetError>;

    /// Sends several writes `(lba, data)` that may be in flight together and complete in
    /// any order (SAM-5 4.16 task set: SIMPLE tasks), returning once all have completed.
    /// Targets that cannot queue send them one after the other.
    fn write_many(&mut self, writes: &[(u64, &[u8])], fua: bool) -> Result<(), TargetError> {
        writes
            .iter()
            .try_for_each(|&(lba, data)| self.write(lba, data, fua))
    }

    /// Makes every completed write durable (SYNCHRONIZE CACHE, SBC-4 5.24; Flush, NVM
    /// Command Set 1.0 3.2.3; fdatasync).
    fn flush(&mut self) -> Result<(), TargetError>;

    /// Whether the volatile write cache is on (WCE, SBC-4 7.5.7; VWC feature 06h, NVMe
    /// Base 2.0 5.27.1.4), if the target can tell.
    fn write_cache(&mut self) -> Result<Option<bool>, TargetError>;

    /// Switches the volatile write cache.
    fn set_write_cache(&mut self, enabled: bool) -> Result<(), TargetError>;

    /// Cuts the device's power and brings it back, where the target controls it (the
    /// emulated devices).
    fn power_cycle(&mut self) -> Result<(), TargetError>;

    /// Where the blocks go, e.g. `SG_IO on /dev/sg1`.
    fn describe(&self) -> String;
}

/// How long one command may take before the target gives up.
pub const TIMEOUT: Duration = Duration::from_secs(60);

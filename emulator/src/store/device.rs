//! A block device over a durable medium with a volatile write cache (SBC-4 4.15 "Write
//! caching"; NVMe Base 2.0 5.27.1.4 Volatile Write Cache), with power cuts: the model the
//! SCSI disk and the NVMe controller share.

use super::cache::WriteCache;
use super::medium::Medium;
use super::power::PowerCut;
use crate::block::{check_range, BlockDevice, BlockError};

/// Default bound of the volatile cache in bytes: cached data beyond it is written back to
/// the medium, oldest write first, as a real drive destages when its cache fills.
pub const DEFAULT_CACHE_BYTES: usize = 64 << 20;

/// A [`BlockDevice`] over a [`Medium`] with a bounded volatile write cache
/// (SBC-4 4.15; NVMe Base 2.0 5.27.1.4).
///
/// - With the cache enabled, a write without FUA lands in the cache; reads always return
///   the newest data, cached or durable.
/// - A FUA write, any write with the cache disabled, [`BlockDevice::flush`] (SYNCHRONIZE
///   CACHE, SBC-4 5.28, 5.29; NVMe Flush) and disabling the cache make data durable.
///   A flush writes the cached blocks back in LBA order; a full cache destages its oldest
///   write first.
/// - [`CachedDevice::power_cut`] drops what was not durable, as a [`PowerCut`] policy says.
///
/// Complexity, with `e` cached extents (runs of cached blocks, at most one per cached
/// block) of which `k` overlap the request: a read or a write costs `O((k + 1) log e)`
/// plus the copy and one allocation per cached write, none per block (a write that fills
/// the cache also destages its oldest writes); a flush or a power cut costs `O(e log e)`
/// plus the copy. Memory is the medium's (sparse for
/// [`super::RamMedium`]) plus at most the cache bound, never proportional to the device
/// size.
pub struct CachedDevice<M> {
    medium: M,
    block_size: u32,
    block_count: u64,
    cache: WriteCache,
    cache_bound: usize,
    write_cache: bool,
    power_on_write_cache: bool,
    power_cut: PowerCut,
}

impl<M: Medium> CachedDevice<M> {
    /// A device of `block_size`-byte blocks covering the whole blocks of `medium`, with the
    /// write cache enabled (also after power-on) and a [`DEFAULT_CACHE_BYTES`] bound.
    /// A zero block size is refused with [`BlockError::Misaligned`].
    pub fn new(medium: M, block_size: u32) -> Result<Self, BlockError> {
        if block_size == 0 {
            return Err(BlockError::Misaligned { len: 0, block_size });
        }
        Ok(CachedDevice {
            block_count: medium.len() / u64::from(block_size),
            medium,
            block_size,
            cache: WriteCache::new(block_size as usize),
            cache_bound: DEFAULT_CACHE_BYTES,
            write_cache: true,
            power_on_write_cache: true,
            power_cut: PowerCut::LoseAll,
        })
    }

    /// Sets the cache bound in bytes (write buffers plus bookkeeping); past it, the oldest
    /// cached writes are made durable.
    pub fn with_cache_bound(mut self, bytes: usize) -> Self {
        self.cache_bound = bytes;
        self
    }

    /// Sets whether the write cache is enabled now and after every power-on (the saved
    /// WCE bit of the Caching mode page, SBC-4 6.5.5; the NVMe VWC feature default).
    pub fn with_write_cache(mut self, enabled: bool) -> Self {
        self.write_cache = enabled;
        self.power_on_write_cache = enabled;
        self
    }

    /// Sets what [`BlockDevice::lose_power`] keeps (default [`PowerCut::LoseAll`]).
    pub fn with_power_cut(mut self, policy: PowerCut) -> Self {
        self.power_cut = policy;
        self
    }

    /// Sets the write cache state a power-on restores (MODE SELECT with SP set saves the
    /// WCE bit, SBC-4 6.5.5 and SPC-5 6.11, 6.12).
    pub fn set_power_on_write_cache(&mut self, enabled: bool) {
        self.power_on_write_cache = enabled;
    }

    /// Cuts the power (SBC-4 4.15; NVMe Base 2.0 5.27.1.4): the cached writes reach the
    /// medium only as far as `policy` lets them, the rest is lost, and the device comes back
    /// as after power-on: empty cache, write cache state as saved. Fails only if the medium
    /// fails while surviving data is written; the cache is empty either way.
    pub fn power_cut(&mut self, policy: PowerCut) -> Result<(), BlockError> {
        let mut survivors = policy.survivors();
        let (medium, size) = (&mut self.medium, u64::from(self.block_size));
        let outcome = self.cache.cut(
            |blocks| survivors.kept(blocks),
            |lba, data| medium.write_at(lba * size, data),
        );
        self.write_cache = self.power_on_write_cache;
        outcome
    }

    /// Bytes the volatile cache holds now (data plus bookkeeping).
    pub fn cached_bytes(&self) -> usize {
        self.cache.cost()
    }

    /// The durable layer.
    pub fn medium(&self) -> &M {
        &self.medium
    }

    /// Makes the oldest cached writes durable until the cache fits its bound.
    fn destage_to_bound(&mut self) -> Result<(), BlockError> {
        while self.cache.cost() > self.cache_bound && self.destage_oldest()? {}
        Ok(())
    }

    /// Makes the oldest cached write durable; false if the cache was empty.
    fn destage_oldest(&mut self) -> Result<bool, BlockError> {
        let (medium, size) = (&mut self.medium, u64::from(self.block_size));
        self.cache
            .destage_oldest(|lba, data| medium.write_at(lba * size, data))
    }
}

impl<M: Medium> BlockDevice for CachedDevice<M> {
    fn block_size(&self) -> u32 {
        self.block_size
    }

    fn block_count(&self) -> u64 {
        self.block_count
    }

    fn read(&mut self, lba: u64, buf: &mut [u8]) -> Result<(), BlockError> {
        check_range(lba, buf.len(), self.block_size, self.block_count)?;
        let (medium, size) = (&self.medium, u64::from(self.block_size));
        self.cache
            .read(lba, buf, |at, part| medium.read_at(at * size, part))
    }

    fn write(&mut self, lba: u64, data: &[u8], fua: bool) -> Result<(), BlockError> {
        let blocks = check_range(lba, data.len(), self.block_size, self.block_count)?;
        if fua || !self.write_cache {
            self.cache.discard(lba, blocks);
            return self.medium.write_at(lba * u64::from(self.block_size), data);
        }
        self.cache.insert(lba, data);
        self.destage_to_bound()
    }

    fn flush(&mut self) -> Result<(), BlockError> {
        let (medium, size) = (&mut self.medium, u64::from(self.block_size));
        self.cache
            .flush(|lba, data| medium.write_at(lba * size, data))
    }

    fn write_cache_enabled(&self) -> bool {
        self.write_cache
    }

    fn set_write_cache(&mut self, enabled: bool) -> Result<(), BlockError> {
        if !enabled {
            self.flush()?;
        }
        self.write_cache = enabled;
        Ok(())
    }

    fn lose_power(&mut self) -> Result<(), BlockError> {
        self.power_cut(self.power_cut)
    }
}

//! The medium under the tests: the store's [`CachedDevice`] over a sparse [`RamMedium`],
//! shared between the target and the test so the test can look at the durable layer and
//! cut the power.

use crate::block::{BlockDevice, BlockError};
use crate::store::{CachedDevice, Medium, RamMedium};
use std::sync::{Arc, Mutex, MutexGuard};

type Ram = CachedDevice<RamMedium>;

/// The test's handle on a medium the target also holds.
#[derive(Clone)]
pub(crate) struct Media(Arc<Mutex<Ram>>);

impl Media {
    /// A RAM disk of `blocks` blocks of `block_size` bytes, write cache on; the device to
    /// give the target and the handle to keep.
    pub fn new(blocks: u64, block_size: u32) -> (Box<dyn BlockDevice + Send>, Self) {
        let device = Ram::new(RamMedium::new(blocks * u64::from(block_size)), block_size)
            .expect("non-zero block size");
        let media = Media(Arc::new(Mutex::new(device)));
        (Box::new(media.clone()), media)
    }

    fn lock(&self) -> MutexGuard<'_, Ram> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The durable content of block `lba`.
    pub fn durable(&self, lba: u64) -> Vec<u8> {
        let device = self.lock();
        let size = device.block_size();
        let mut block = vec![0; size as usize];
        device
            .medium()
            .read_at(lba * u64::from(size), &mut block)
            .expect("block on the medium");
        block
    }

    /// Whether anything sits only in the volatile cache.
    pub fn cached(&self) -> bool {
        self.lock().cached_bytes() > 0
    }

    /// Whether the write cache is enabled.
    pub fn wce(&self) -> bool {
        self.lock().write_cache_enabled()
    }

    /// Cuts the power like an honest device: the cache is lost (SBC-4 4.15).
    pub fn power_cut(&self) {
        self.lock().lose_power().expect("power cut");
    }
}

impl BlockDevice for Media {
    fn block_size(&self) -> u32 {
        self.lock().block_size()
    }

    fn block_count(&self) -> u64 {
        self.lock().block_count()
    }

    fn read(&mut self, lba: u64, buf: &mut [u8]) -> Result<(), BlockError> {
        self.lock().read(lba, buf)
    }

    fn write(&mut self, lba: u64, data: &[u8], fua: bool) -> Result<(), BlockError> {
        self.lock().write(lba, data, fua)
    }

    fn flush(&mut self) -> Result<(), BlockError> {
        self.lock().flush()
    }

    fn write_cache_enabled(&self) -> bool {
        self.lock().write_cache_enabled()
    }

    fn set_write_cache(&mut self, enabled: bool) -> Result<(), BlockError> {
        self.lock().set_write_cache(enabled)
    }

    fn lose_power(&mut self) -> Result<(), BlockError> {
        self.lock().lose_power()
    }
}

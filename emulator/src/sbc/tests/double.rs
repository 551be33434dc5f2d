//! A sparse in-memory [`BlockDevice`] for the tests, whose durable and cached blocks the
//! test can inspect: the durability rules of `crate::block` and nothing more.

use crate::block::{check_range, BlockDevice, BlockError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// The medium's state, shared with the test.
pub(crate) struct Media {
    block_size: u32,
    blocks: u64,
    /// Blocks on the medium.
    durable: HashMap<u64, Vec<u8>>,
    /// Blocks only in the volatile write cache.
    cached: HashMap<u64, Vec<u8>>,
    wce: bool,
}

impl Media {
    /// The durable content of block `lba` (zeros if never written).
    pub fn durable(&self, lba: u64) -> Vec<u8> {
        self.durable
            .get(&lba)
            .cloned()
            .unwrap_or_else(|| vec![0; self.block_size as usize])
    }

    /// How many blocks sit only in the cache.
    pub fn dirty(&self) -> usize {
        self.cached.len()
    }

    /// Whether the write cache is enabled.
    pub fn wce(&self) -> bool {
        self.wce
    }

    fn flush(&mut self) {
        let cached = std::mem::take(&mut self.cached);
        self.durable.extend(cached);
    }
}

/// The device handed to the target.
pub(crate) struct VecDevice(Arc<Mutex<Media>>);

impl VecDevice {
    /// A device of `blocks` blocks of `block_size` bytes, write cache on, and the handle
    /// the test keeps.
    pub fn new(blocks: u64, block_size: u32) -> (Self, Arc<Mutex<Media>>) {
        let media = Arc::new(Mutex::new(Media {
            block_size,
            blocks,
            durable: HashMap::new(),
            cached: HashMap::new(),
            wce: true,
        }));
        (VecDevice(media.clone()), media)
    }

    fn media(&self) -> MutexGuard<'_, Media> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Locks the shared state.
pub(crate) fn lock(media: &Arc<Mutex<Media>>) -> MutexGuard<'_, Media> {
    media.lock().unwrap_or_else(|e| e.into_inner())
}

impl BlockDevice for VecDevice {
    fn block_size(&self) -> u32 {
        self.media().block_size
    }

    fn block_count(&self) -> u64 {
        self.media().blocks
    }

    fn read(&mut self, lba: u64, buf: &mut [u8]) -> Result<(), BlockError> {
        let m = self.media();
        check_range(lba, buf.len(), m.block_size, m.blocks)?;
        for (i, chunk) in buf.chunks_mut(m.block_size as usize).enumerate() {
            let at = lba + i as u64;
            match m.cached.get(&at).or_else(|| m.durable.get(&at)) {
                Some(block) => chunk.copy_from_slice(block),
                None => chunk.fill(0),
            }
        }
        Ok(())
    }

    fn write(&mut self, lba: u64, data: &[u8], fua: bool) -> Result<(), BlockError> {
        let mut m = self.media();
        check_range(lba, data.len(), m.block_size, m.blocks)?;
        let durable = fua || !m.wce;
        for (i, chunk) in data.chunks(m.block_size as usize).enumerate() {
            let at = lba + i as u64;
            if durable {
                m.cached.remove(&at);
                m.durable.insert(at, chunk.to_vec());
            } else {
                m.cached.insert(at, chunk.to_vec());
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), BlockError> {
        self.media().flush();
        Ok(())
    }

    fn write_cache_enabled(&self) -> bool {
        self.media().wce
    }

    fn set_write_cache(&mut self, enabled: bool) -> Result<(), BlockError> {
        let mut m = self.media();
        if !enabled {
            m.flush();
        }
        m.wce = enabled;
        Ok(())
    }
}

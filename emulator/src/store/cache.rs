//! The volatile write cache itself (SBC-4 4.15; NVMe Base 2.0 5.27.1.4): the newest cached
//! data of every cached block, remembered per write so that a power cut can keep or lose
//! whole writes, or tear them.
//!
//! Layout: each cached write owns one buffer (one allocation per write, none per block);
//! an extent map keyed by first LBA records, for every cached block range, which write holds
//! its newest data. Extents never overlap; a write that replaces cached blocks trims the
//! older extents, and an older write whose blocks are all replaced is freed at once.
//!
//! Complexity, with `e` extents and `w` writes cached: insert and discard cost
//! `O(log e)` per extent they trim plus the copy; a read costs `O(log e + k)` for the `k`
//! extents it overlaps plus the copy; a flush or a power cut costs `O(e log w)` plus the
//! copy; destaging the oldest write (when the cache is full) costs `O(k log e)` for the `k`
//! extents inside its range. Memory is the cached writes' buffers plus a constant per write
//! and per extent; extents are at most one per cached block, so the whole is proportional to
//! what is cached, and the owner bounds it with [`WriteCache::cost`].

use std::collections::BTreeMap;

/// Bookkeeping charged per cached write on top of its data (map nodes, headers).
const WRITE_OVERHEAD: usize = 128;

/// One write still (at least partly) in the cache.
struct CachedWrite {
    lba: u64,
    data: Box<[u8]>,
    /// Blocks of this write that no later write replaced.
    live: u64,
}

/// A run of cached blocks whose newest data sits in one write.
#[derive(Clone, Copy)]
struct Extent {
    blocks: u64,
    /// The write holding the data (its sequence number).
    seq: u64,
    /// Blocks into that write's data where this run starts.
    skip: u64,
}

/// The cache: cached writes in write order and the extent map over them.
pub(crate) struct WriteCache {
    block_size: usize,
    writes: BTreeMap<u64, CachedWrite>,
    extents: BTreeMap<u64, Extent>,
    next_seq: u64,
    cost: usize,
}

impl WriteCache {
    pub(crate) fn new(block_size: usize) -> Self {
        WriteCache {
            block_size,
            writes: BTreeMap::new(),
            extents: BTreeMap::new(),
            next_seq: 0,
            cost: 0,
        }
    }

    /// Bytes the cache holds: write buffers plus bookkeeping.
    pub(crate) fn cost(&self) -> usize {
        self.cost
    }

    /// Caches `data` (whole blocks) as the newest data of the blocks from `lba`.
    pub(crate) fn insert(&mut self, lba: u64, data: &[u8]) {
        let blocks = (data.len() / self.block_size) as u64;
        if blocks == 0 {
            return;
        }
        self.discard(lba, blocks);
        let seq = self.next_seq;
        self.next_seq += 1;
        self.cost += data.len() + WRITE_OVERHEAD;
        self.writes.insert(
            seq,
            CachedWrite {
                lba,
                data: data.into(),
                live: blocks,
            },
        );
        self.extents.insert(
            lba,
            Extent {
                blocks,
                seq,
                skip: 0,
            },
        );
    }

    /// Forgets the cached data of `lba .. lba + blocks` (newer data went to the medium).
    pub(crate) fn discard(&mut self, lba: u64, blocks: u64) {
        let end = lba + blocks;
        while let Some((start, extent)) = self.first_overlap(lba, end) {
            self.extents.remove(&start);
            let stop = start + extent.blocks;
            if start < lba {
                let kept = Extent {
                    blocks: lba - start,
                    ..extent
                };
                self.extents.insert(start, kept);
            }
            if stop > end {
                let kept = Extent {
                    blocks: stop - end,
                    skip: extent.skip + (end - start),
                    ..extent
                };
                self.extents.insert(end, kept);
            }
            let replaced = stop.min(end) - start.max(lba);
            self.release(extent.seq, replaced);
        }
    }

    /// Fills `buf` (whole blocks from `lba`) with cached data, and asks `medium` for every
    /// run of blocks the cache does not hold.
    pub(crate) fn read<E>(
        &self,
        lba: u64,
        buf: &mut [u8],
        mut medium: impl FnMut(u64, &mut [u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        let bs = self.block_size;
        let end = lba + (buf.len() / bs) as u64;
        let mut cursor = lba;
        for (&start, extent) in self.overlapping(lba, end) {
            let from = start.max(lba);
            let to = (start + extent.blocks).min(end);
            if from > cursor {
                medium(
                    cursor,
                    &mut buf[byte(cursor - lba, bs)..byte(from - lba, bs)],
                )?;
            }
            let source = &self.writes[&extent.seq].data;
            let at = byte(extent.skip + (from - start), bs);
            buf[byte(from - lba, bs)..byte(to - lba, bs)]
                .copy_from_slice(&source[at..at + byte(to - from, bs)]);
            cursor = to;
        }
        if cursor < end {
            medium(cursor, &mut buf[byte(cursor - lba, bs)..])?;
        }
        Ok(())
    }

    /// Hands the oldest cached write's live blocks to `medium` and drops it from the cache
    /// (only if every piece was accepted). Returns whether there was one.
    pub(crate) fn destage_oldest<E>(
        &mut self,
        medium: impl FnMut(u64, &[u8]) -> Result<(), E>,
    ) -> Result<bool, E> {
        let Some((&seq, write)) = self.writes.first_key_value() else {
            return Ok(false);
        };
        let end = write.lba + (write.data.len() / self.block_size) as u64;
        self.persist(seq, end, medium)?;
        let lba = write.lba;
        self.forget(seq, lba, end);
        Ok(true)
    }

    /// Flush: hands every cached run to `medium` in LBA order, then empties the cache (only
    /// if every run was accepted).
    pub(crate) fn flush<E>(
        &mut self,
        medium: impl FnMut(u64, &[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        self.write_back(|_| u64::MAX, medium)?;
        self.clear();
        Ok(())
    }

    /// Power cut: every cached write, oldest first, persists the number of leading blocks
    /// `kept` chooses for its length; then the cache is empty.
    pub(crate) fn cut<E>(
        &mut self,
        mut kept: impl FnMut(u64) -> u64,
        medium: impl FnMut(u64, &[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        let limits: BTreeMap<u64, u64> = self
            .writes
            .iter()
            .map(|(&seq, write)| {
                let blocks = (write.data.len() / self.block_size) as u64;
                (seq, write.lba + kept(blocks).min(blocks))
            })
            .collect();
        let outcome = self.write_back(|seq| limits.get(&seq).copied().unwrap_or(0), medium);
        self.clear();
        outcome
    }

    /// Hands every cached run to `medium`, oldest write first, as far as it lies below the
    /// limit `limit` gives for its write. Oldest first, so that a write-back cut short (the
    /// emulator's process killed in the middle of a flush) leaves a prefix of the writes on
    /// the medium, as an honest device's would.
    fn write_back<E>(
        &self,
        limit: impl Fn(u64) -> u64,
        mut medium: impl FnMut(u64, &[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        let bs = self.block_size;
        let mut runs: Vec<(&u64, &Extent)> = self.extents.iter().collect();
        runs.sort_by_key(|(_, extent)| extent.seq);
        for (&start, extent) in runs {
            let end = (start + extent.blocks).min(limit(extent.seq));
            if end > start {
                let at = byte(extent.skip, bs);
                let data = &self.writes[&extent.seq].data;
                medium(start, &data[at..at + byte(end - start, bs)])?;
            }
        }
        Ok(())
    }

    /// Empties the cache.
    fn clear(&mut self) {
        self.writes.clear();
        self.extents.clear();
        self.cost = 0;
    }

    /// Passes the live blocks of write `seq` below `limit` to `medium`.
    fn persist<E>(
        &self,
        seq: u64,
        limit: u64,
        mut medium: impl FnMut(u64, &[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        let bs = self.block_size;
        let write = &self.writes[&seq];
        for (&start, extent) in self.extents.range(write.lba..limit) {
            if extent.seq == seq {
                let blocks = extent.blocks.min(limit - start);
                let at = byte(extent.skip, bs);
                medium(start, &write.data[at..at + byte(blocks, bs)])?;
            }
        }
        Ok(())
    }

    /// Drops write `seq`, whose blocks lie in `lba .. end`, and its extents.
    fn forget(&mut self, seq: u64, lba: u64, end: u64) {
        let mut from = lba;
        while let Some(start) = self
            .extents
            .range(from..end)
            .find(|(_, extent)| extent.seq == seq)
            .map(|(&start, _)| start)
        {
            self.extents.remove(&start);
            from = start + 1;
        }
        if let Some(write) = self.writes.remove(&seq) {
            self.cost -= write.data.len() + WRITE_OVERHEAD;
        }
    }

    /// Counts `replaced` blocks of write `seq` as superseded; frees the write when none is
    /// left.
    fn release(&mut self, seq: u64, replaced: u64) {
        let Some(write) = self.writes.get_mut(&seq) else {
            return;
        };
        write.live -= replaced;
        if write.live == 0 {
            self.cost -= write.data.len() + WRITE_OVERHEAD;
            self.writes.remove(&seq);
        }
    }

    /// The first extent overlapping `lba .. end`, if any.
    fn first_overlap(&self, lba: u64, end: u64) -> Option<(u64, Extent)> {
        self.overlapping(lba, end)
            .next()
            .map(|(&start, &extent)| (start, extent))
    }

    /// Extents overlapping `lba .. end`, in LBA order.
    fn overlapping(&self, lba: u64, end: u64) -> impl Iterator<Item = (&u64, &Extent)> {
        let before = self
            .extents
            .range(..lba)
            .next_back()
            .filter(|(&start, extent)| start + extent.blocks > lba);
        before.into_iter().chain(self.extents.range(lba..end))
    }
}

/// Bytes in `blocks` blocks of `block_size` bytes (cached runs are in memory, so this fits).
fn byte(blocks: u64, block_size: usize) -> usize {
    blocks as usize * block_size
}

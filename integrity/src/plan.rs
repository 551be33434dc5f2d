//! The write plan: which blocks are written, in which order and generation, and when the
//! written data is made durable — computed from a handful of numbers, never stored, so
//! memory does not grow with the device.
//!
//! The range of `blocks` logical blocks from `start_lba` is cut into writes of
//! `blocks_per_write` blocks (the last may be shorter). In epoch `e` every write of the
//! range is issued once, in the order of a seeded permutation of the writes; the data
//! written carries generation `e`. Write sequence numbers count from 0 across epochs, so
//! write `s` is position `s % W` of epoch `s / W` (W writes per epoch). The permutation is
//! a keyed four-round Feistel network over the index bits with cycle-walking: a bijection
//! of `0..W`, computed (and inverted) in O(1) time and memory per index.

use std::ops::Range;

use cdb::error::BuildError;
use serde::Serialize;

use crate::block::mix;

/// How the plan makes written data durable (SBC-4 4.15 write caching; NVMe Base 2.0
/// 5.27.1.4 Volatile Write Cache).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case", tag = "policy")]
pub enum Durability {
    /// SYNCHRONIZE CACHE (SBC-4 5.24) or Flush (NVM Command Set 1.0 3.2.3) after every
    /// `writes` writes and after the last.
    FlushEvery {
        /// Writes between flushes (at least 1).
        writes: u64,
    },
    /// Every write with FUA set (SBC-4 5.40; NVM Command Set 1.0 3.2.6).
    Fua,
    /// The volatile write cache switched off (WCE = 0, SBC-4 7.5.7; VWC off, NVMe Base
    /// 2.0 5.27.1.4): every acknowledged write is durable.
    CacheOff,
}

/// One write of the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Write {
    /// Its sequence number (0 is the first write of the run).
    pub seq: u64,
    /// The first LBA it writes.
    pub lba: u64,
    /// How many logical blocks it writes.
    pub blocks: u32,
    /// The generation its blocks carry (its epoch).
    pub generation: u32,
}

/// A seeded bijection of `0..n`: a keyed Feistel network over the smallest even number of
/// index bits that covers `n`, cycle-walked back into range.
#[derive(Debug, Clone, Copy)]
struct Permutation {
    n: u64,
    half: u32,
    keys: [u64; 4],
}

impl Permutation {
    fn new(n: u64, key: u64) -> Self {
        let bits = (64 - n.saturating_sub(1).leading_zeros()).max(2);
        let half = bits.div_ceil(2);
        let mut keys = [0; 4];
        for (i, k) in keys.iter_mut().enumerate() {
            *k = mix(key ^ mix(i as u64 + 1));
        }
        Permutation { n, half, keys }
    }

    fn mask(&self) -> u64 {
        u64::MAX >> (64 - self.half)
    }

    fn round(&self, key: u64, half_value: u64) -> u64 {
        mix(key ^ half_value) & self.mask()
    }

    fn forward_once(&self, x: u64) -> u64 {
        let (mut l, mut r) = (x >> self.half, x & self.mask());
        for &k in &self.keys {
            (l, r) = (r, l ^ self.round(k, r));
        }
        (l << self.half) | r
    }

    fn backward_once(&self, y: u64) -> u64 {
        let (mut l, mut r) = (y >> self.half, y & self.mask());
        for &k in self.keys.iter().rev() {
            (l, r) = (r ^ self.round(k, l), l);
        }
        (l << self.half) | r
    }

    /// Walks `step` from `x` (in range) until it lands in range again.
    fn walk(&self, x: u64, step: impl Fn(u64) -> u64) -> u64 {
        let mut y = step(x);
        while y >= self.n {
            y = step(y);
        }
        y
    }

    fn apply(&self, x: u64) -> u64 {
        self.walk(x, |v| self.forward_once(v))
    }

    fn invert(&self, y: u64) -> u64 {
        self.walk(y, |v| self.backward_once(v))
    }
}

/// The write plan of one verification run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Plan {
    start_lba: u64,
    blocks: u64,
    blocks_per_write: u32,
    epochs: u32,
    seed: u64,
    durability: Durability,
}

impl Plan {
    /// A plan over `blocks` blocks from `start_lba`, `epochs` passes of writes of
    /// `blocks_per_write` blocks in an order seeded by `seed`. Rejects empty ranges, zero
    /// counts and ranges that run past LBA 2^64 - 1.
    pub fn new(
        start_lba: u64,
        blocks: u64,
        blocks_per_write: u32,
        epochs: u32,
        seed: u64,
        durability: Durability,
    ) -> Result<Self, BuildError> {
        let invalid = |reason| {
            Err(BuildError::Invalid {
                command: "write plan",
                reason,
            })
        };
        if blocks == 0 || blocks_per_write == 0 || epochs == 0 {
            return invalid("blocks, blocks per write and epochs must be at least 1");
        }
        if start_lba.checked_add(blocks - 1).is_none() {
            return invalid("the range runs past the last LBA");
        }
        if blocks
            .div_ceil(u64::from(blocks_per_write))
            .checked_mul(u64::from(epochs))
            .is_none()
        {
            return invalid("more writes than sequence numbers");
        }
        if durability == (Durability::FlushEvery { writes: 0 }) {
            return invalid("a flush interval must be at least 1 write");
        }
        Ok(Plan {
            start_lba,
            blocks,
            blocks_per_write,
            epochs,
            seed,
            durability,
        })
    }

    /// The first LBA of the range.
    pub fn start_lba(&self) -> u64 {
        self.start_lba
    }

    /// The number of blocks in the range.
    pub fn blocks(&self) -> u64 {
        self.blocks
    }

    /// The number of passes over the range.
    pub fn epochs(&self) -> u32 {
        self.epochs
    }

    /// The durability policy.
    pub fn durability(&self) -> Durability {
        self.durability
    }

    /// Writes in one epoch.
    pub fn writes_per_epoch(&self) -> u64 {
        self.blocks.div_ceil(u64::from(self.blocks_per_write))
    }

    /// Writes in the whole plan.
    pub fn total_writes(&self) -> u64 {
        self.writes_per_epoch() * u64::from(self.epochs)
    }

    fn permutation(&self, epoch: u64) -> Permutation {
        Permutation::new(self.writes_per_epoch(), mix(self.seed ^ mix(epoch ^ !0)))
    }

    fn write_of_unit(&self, seq: u64, epoch: u64, unit: u64) -> Write {
        let per = u64::from(self.blocks_per_write);
        let offset = unit * per;
        Write {
            seq,
            lba: self.start_lba + offset,
            blocks: (self.blocks - offset).min(per) as u32,
            generation: epoch as u32,
        }
    }

    /// The write with sequence number `seq`, if the plan has one.
    pub fn write(&self, seq: u64) -> Option<Write> {
        if seq >= self.total_writes() {
            return None;
        }
        let w = self.writes_per_epoch();
        let epoch = seq / w;
        Some(self.write_of_unit(seq, epoch, self.permutation(epoch).apply(seq % w)))
    }

    /// The writes whose sequence numbers lie in `seqs`, in order.
    pub fn writes(&self, seqs: Range<u64>) -> impl Iterator<Item = Write> + '_ {
        let end = seqs.end.min(self.total_writes());
        (seqs.start..end).filter_map(|s| self.write(s))
    }

    /// The latest write of the plan to `lba` with a sequence number at most `through`:
    /// what the block must hold if every write up to `through` is durable. `None` when
    /// `lba` is outside the range or not yet written by then.
    pub fn latest_write(&self, lba: u64, through: u64) -> Option<Write> {
        let offset = lba
            .checked_sub(self.start_lba)
            .filter(|&o| o < self.blocks)?;
        let unit = offset / u64::from(self.blocks_per_write);
        let w = self.writes_per_epoch();
        let last_epoch = u64::from(self.epochs) - 1;
        let mut epoch = (through / w).min(last_epoch);
        loop {
            let seq = epoch * w + self.permutation(epoch).invert(unit);
            if seq <= through {
                return Some(self.write_of_unit(seq, epoch, unit));
            }
            epoch = epoch.checked_sub(1)?;
        }
    }

    /// Whether the plan flushes after write `seq` (always false unless flushing every N).
    pub fn flush_after(&self, seq: u64) -> bool {
        match self.durability {
            Durability::FlushEvery { writes } => {
                (seq + 1) % writes == 0 || seq + 1 == self.total_writes()
            }
            Durability::Fua | Durability::CacheOff => false,
        }
    }
}

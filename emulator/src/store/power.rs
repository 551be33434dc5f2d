//! What a power cut does to the volatile write cache (SBC-4 4.15: cached data not yet on
//! the medium is lost; NVMe Base 2.0 5.27.1.4), from an honest device that loses all of it
//! to devices that lose part of it in any order or tear multi-block writes. Outcomes are
//! deterministic for a seed.

/// Which cached writes reach the medium when power is cut (SBC-4 4.15).
///
/// Writes still in the cache are considered one by one, oldest first; each one persists a
/// prefix of its blocks (all, none, or some). Blocks a later cached write replaced are no
/// longer in the cache and never persist from the older write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PowerCut {
    /// An honest device: everything not yet durable is lost.
    LoseAll,
    /// A seeded random subset of the cached writes reaches the medium whole, regardless of
    /// the order they were written in: a later write may survive where an earlier one did
    /// not (unserializable loss, the `reorder` fault profile).
    KeepSome {
        /// Seed of the choice; the same seed and cache give the same outcome.
        seed: u64,
    },
    /// Every cached write of two or more blocks is torn: a seeded random non-empty, proper
    /// prefix of its blocks reaches the medium and the rest is lost; single-block writes are
    /// lost whole, since a block is written atomically (the `torn` fault profile).
    Tear {
        /// Seed of the tear points; the same seed and cache give the same outcome.
        seed: u64,
    },
}

impl PowerCut {
    /// The chooser of surviving prefixes for this policy.
    pub(crate) fn survivors(self) -> Survivors {
        let seed = match self {
            PowerCut::LoseAll => 0,
            PowerCut::KeepSome { seed } | PowerCut::Tear { seed } => seed,
        };
        Survivors {
            policy: self,
            rng: SplitMix64(seed),
        }
    }
}

/// Decides, write after write, how many leading blocks of each cached write survive.
pub(crate) struct Survivors {
    policy: PowerCut,
    rng: SplitMix64,
}

impl Survivors {
    /// How many leading blocks of a cached write of `blocks` blocks reach the medium.
    pub(crate) fn kept(&mut self, blocks: u64) -> u64 {
        match self.policy {
            PowerCut::LoseAll => 0,
            PowerCut::KeepSome { .. } if self.rng.next() & 1 == 1 => blocks,
            PowerCut::KeepSome { .. } => 0,
            PowerCut::Tear { .. } if blocks >= 2 => 1 + self.rng.next() % (blocks - 1),
            PowerCut::Tear { .. } => 0,
        }
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, well-mixed, seedable generator.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_the_reference_sequence() {
        // First outputs of the reference splitmix64.c seeded with 0.
        let mut rng = SplitMix64(0);
        assert_eq!(rng.next(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn tears_are_proper_prefixes_and_lose_all_keeps_nothing() {
        let mut tear = PowerCut::Tear { seed: 9 }.survivors();
        for blocks in 2..200 {
            let kept = tear.kept(blocks);
            assert!((1..blocks).contains(&kept), "{kept} of {blocks}");
        }
        assert_eq!(tear.kept(1), 0);
        let mut honest = PowerCut::LoseAll.survivors();
        assert_eq!(honest.kept(8), 0);
    }

    #[test]
    fn keep_some_keeps_whole_writes_and_repeats_per_seed() {
        let run = |seed| {
            let mut s = PowerCut::KeepSome { seed }.survivors();
            (0..64).map(|_| s.kept(5)).collect::<Vec<_>>()
        };
        let first = run(3);
        assert_eq!(first, run(3));
        assert!(first.iter().all(|&k| k == 0 || k == 5));
        assert!(first.contains(&0) && first.contains(&5));
        assert_ne!(first, run(4));
    }
}

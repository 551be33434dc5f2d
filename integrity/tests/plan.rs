//! The write plan against a brute-force simulation of what it describes.

use integrity::plan::{Durability, Plan, Write};
use proptest::prelude::*;

const FLUSH4: Durability = Durability::FlushEvery { writes: 4 };

fn plan(blocks: u64, per: u32, epochs: u32, seed: u64) -> Plan {
    Plan::new(1000, blocks, per, epochs, seed, FLUSH4).expect("valid plan")
}

/// Brute force: the last write covering `lba` among writes 0..=through.
fn brute_latest(p: &Plan, lba: u64, through: u64) -> Option<Write> {
    (0..p.total_writes().min(through.saturating_add(1)))
        .filter_map(|s| p.write(s))
        .rfind(|w| lba >= w.lba && lba < w.lba + u64::from(w.blocks))
}

proptest! {
    #[test]
    fn each_epoch_writes_every_block_exactly_once(
        blocks in 1u64..3000, per in 1u32..9, seed: u64, epochs in 1u32..3,
    ) {
        let p = plan(blocks, per, epochs, seed);
        let w = p.writes_per_epoch();
        for epoch in 0..u64::from(epochs) {
            let mut seen = vec![0u32; blocks as usize];
            for s in epoch * w..(epoch + 1) * w {
                let wr = p.write(s).expect("in plan");
                prop_assert_eq!(wr.seq, s);
                prop_assert_eq!(u64::from(wr.generation), epoch);
                prop_assert!(wr.blocks >= 1 && wr.blocks <= per);
                prop_assert_eq!((wr.lba - 1000) % u64::from(per), 0);
                for lba in wr.lba..wr.lba + u64::from(wr.blocks) {
                    seen[(lba - 1000) as usize] += 1;
                }
            }
            prop_assert!(seen.iter().all(|&n| n == 1));
        }
        prop_assert_eq!(p.write(p.total_writes()), None);
    }

    #[test]
    fn latest_write_agrees_with_brute_force(
        blocks in 1u64..40, per in 1u32..5, epochs in 1u32..4, seed: u64, through in 0u64..200,
    ) {
        let p = plan(blocks, per, epochs, seed);
        for lba in 998..1000 + blocks + 2 {
            prop_assert_eq!(p.latest_write(lba, through), brute_latest(&p, lba, through), "lba {}", lba);
        }
    }

    #[test]
    fn writes_in_a_range_are_the_writes_by_sequence(
        blocks in 1u64..100, seed: u64, start in 0u64..300, len in 0u64..50,
    ) {
        let p = plan(blocks, 2, 3, seed);
        let listed: Vec<Write> = p.writes(start..start + len).collect();
        let expected: Vec<Write> = (start..start + len).filter_map(|s| p.write(s)).collect();
        prop_assert_eq!(listed, expected);
    }
}

#[test]
fn seeds_and_epochs_change_the_order() {
    let order = |seed, epoch: u64| -> Vec<u64> {
        let p = plan(1000, 1, 2, seed);
        (epoch * 1000..(epoch + 1) * 1000)
            .map(|s| p.write(s).expect("in plan").lba)
            .collect()
    };
    let sequential: Vec<u64> = (1000..2000).collect();
    assert_ne!(order(1, 0), sequential);
    assert_ne!(order(1, 0), order(2, 0));
    assert_ne!(order(1, 0), order(1, 1));
    assert_eq!(order(1, 0), order(1, 0));
}

#[test]
fn huge_ranges_need_no_memory() {
    // 2^40 blocks (4 PiB of 4 KiB blocks): queries stay O(1).
    let p = Plan::new(0, 1 << 40, 16, 3, 7, Durability::Fua).expect("valid plan");
    assert!(std::mem::size_of::<Plan>() <= 64);
    let w = p.write(p.total_writes() - 1).expect("last write");
    assert_eq!(w.generation, 2);
    let back = p.latest_write(w.lba + 3, w.seq).expect("written");
    assert_eq!(back, w);
}

#[test]
fn invalid_plans_are_rejected() {
    assert!(Plan::new(0, 0, 1, 1, 0, FLUSH4).is_err());
    assert!(Plan::new(0, 1, 0, 1, 0, FLUSH4).is_err());
    assert!(Plan::new(0, 1, 1, 0, 0, FLUSH4).is_err());
    assert!(Plan::new(u64::MAX, 2, 1, 1, 0, FLUSH4).is_err());
    assert!(Plan::new(0, u64::MAX, 1, 2, 0, FLUSH4).is_err());
    assert!(Plan::new(0, 1, 1, 1, 0, Durability::FlushEvery { writes: 0 }).is_err());
    assert!(Plan::new(u64::MAX, 1, 1, 1, 0, FLUSH4).is_ok());
}

#[test]
fn flushes_follow_the_policy() {
    let p = plan(10, 1, 1, 0);
    let flushed: Vec<u64> = (0..10).filter(|&s| p.flush_after(s)).collect();
    assert_eq!(flushed, [3, 7, 9]);
    let fua = Plan::new(0, 10, 1, 1, 0, Durability::Fua).expect("valid plan");
    assert!((0..10).all(|s| !fua.flush_after(s)));
}

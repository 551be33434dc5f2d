//! The durability rules of SBC-4 4.15 / NVMe Base 2.0 5.27.1.4 on [`CachedDevice`], and
//! what each [`PowerCut`] policy keeps.

use super::*;
use crate::block::{BlockDevice, BlockError};

const BS: usize = 512;

fn device(blocks: u64) -> CachedDevice<RamMedium> {
    CachedDevice::new(RamMedium::new(blocks * BS as u64), BS as u32).expect("device")
}

fn fill(blocks: usize, byte: u8) -> Vec<u8> {
    vec![byte; blocks * BS]
}

/// First byte of each block as the host reads it (newest data).
fn seen(dev: &mut CachedDevice<RamMedium>) -> Vec<u8> {
    let mut buf = vec![0u8; dev.block_count() as usize * BS];
    dev.read(0, &mut buf).expect("read");
    buf.chunks(BS).map(|b| b[0]).collect()
}

/// First byte of each block on the medium (what survives a power cut).
fn durable(dev: &CachedDevice<RamMedium>) -> Vec<u8> {
    let mut buf = vec![0u8; dev.block_count() as usize * BS];
    dev.medium().read_at(0, &mut buf).expect("medium");
    buf.chunks(BS).map(|b| b[0]).collect()
}

#[test]
fn a_cached_write_is_read_back_and_lost_on_power_cut() {
    let mut dev = device(8);
    assert!(dev.write_cache_enabled());
    dev.write(3, &fill(2, 0x11), false).expect("write");
    assert_eq!(seen(&mut dev), [0, 0, 0, 0x11, 0x11, 0, 0, 0]);
    assert_eq!(durable(&dev), [0; 8]);
    dev.power_cut(PowerCut::LoseAll).expect("cut");
    assert_eq!(seen(&mut dev), [0; 8]);
    assert_eq!(dev.cached_bytes(), 0);
}

#[test]
fn fua_flush_and_disabling_the_cache_make_writes_durable() {
    let mut dev = device(8);
    dev.write(0, &fill(1, 1), true).expect("fua write");
    assert_eq!(durable(&dev)[0], 1, "FUA is durable on completion");

    dev.write(1, &fill(1, 2), false).expect("write");
    dev.flush().expect("flush");
    assert_eq!(durable(&dev)[1], 2, "flush makes cached data durable");

    dev.write(2, &fill(1, 3), false).expect("write");
    dev.set_write_cache(false).expect("disable");
    assert!(!dev.write_cache_enabled());
    assert_eq!(durable(&dev)[2], 3, "disabling the cache flushes it");

    dev.write(3, &fill(1, 4), false).expect("write through");
    assert_eq!(
        durable(&dev)[3],
        4,
        "with the cache off every write is durable"
    );

    dev.power_cut(PowerCut::LoseAll).expect("cut");
    assert_eq!(seen(&mut dev), [1, 2, 3, 4, 0, 0, 0, 0]);
}

#[test]
fn a_fua_write_over_cached_blocks_is_not_undone_by_a_later_flush() {
    let mut dev = device(8);
    dev.write(0, &fill(4, 0x11), false).expect("write");
    dev.write(1, &fill(2, 0x22), true).expect("fua write");
    assert_eq!(seen(&mut dev)[..4], [0x11, 0x22, 0x22, 0x11]);
    dev.flush().expect("flush");
    assert_eq!(durable(&dev)[..4], [0x11, 0x22, 0x22, 0x11]);
}

#[test]
fn reads_merge_overlapping_cached_writes_with_the_medium() {
    let mut dev = device(16);
    dev.write(0, &fill(16, 9), true).expect("durable base");
    dev.write(2, &fill(8, 1), false).expect("write");
    dev.write(5, &fill(2, 2), false).expect("write");
    dev.write(9, &fill(3, 3), false).expect("write");
    let expect = [9, 9, 1, 1, 1, 2, 2, 1, 1, 3, 3, 3, 9, 9, 9, 9];
    assert_eq!(seen(&mut dev), expect);
    let mut middle = vec![0u8; 5 * BS];
    dev.read(4, &mut middle).expect("read");
    let firsts: Vec<u8> = middle.chunks(BS).map(|b| b[0]).collect();
    assert_eq!(firsts, expect[4..9]);
    dev.flush().expect("flush");
    assert_eq!(durable(&dev), expect);
}

#[test]
fn a_power_cut_restores_the_power_on_write_cache_state() {
    let mut dev = device(4);
    dev.set_write_cache(false).expect("disable");
    dev.power_cut(PowerCut::LoseAll).expect("cut");
    assert!(
        dev.write_cache_enabled(),
        "current WCE reverts to the saved value"
    );

    let mut dev = device(4).with_write_cache(false);
    dev.set_write_cache(true).expect("enable");
    dev.power_cut(PowerCut::LoseAll).expect("cut");
    assert!(!dev.write_cache_enabled());
    dev.set_power_on_write_cache(true);
    dev.power_cut(PowerCut::LoseAll).expect("cut");
    assert!(dev.write_cache_enabled());
}

/// Which of two cached single-block writes, A then B, survive `policy`.
fn two_writes_survive(policy: PowerCut) -> (bool, bool) {
    let mut dev = device(2);
    dev.write(0, &fill(1, 0xA), false).expect("write A");
    dev.write(1, &fill(1, 0xB), false).expect("write B");
    dev.power_cut(policy).expect("cut");
    let after = seen(&mut dev);
    (after[0] == 0xA, after[1] == 0xB)
}

#[test]
fn partial_loss_is_unserializable_for_some_seed_and_repeats_per_seed() {
    let outcomes: Vec<(bool, bool)> = (0..64)
        .map(|seed| two_writes_survive(PowerCut::KeepSome { seed }))
        .collect();
    for (seed, outcome) in outcomes.iter().enumerate() {
        let again = two_writes_survive(PowerCut::KeepSome { seed: seed as u64 });
        assert_eq!(*outcome, again, "seed {seed} is deterministic");
    }
    assert!(
        outcomes.contains(&(false, true)),
        "a later write survives where an earlier one did not"
    );
    assert!(outcomes.contains(&(true, false)));
    assert!(outcomes.contains(&(true, true)));
    assert!(outcomes.contains(&(false, false)));
    assert_eq!(two_writes_survive(PowerCut::LoseAll), (false, false));
}

#[test]
fn keep_some_keeps_whole_writes() {
    for seed in 0..32 {
        let mut dev = device(8);
        dev.write(0, &fill(8, 5), false).expect("write");
        dev.power_cut(PowerCut::KeepSome { seed }).expect("cut");
        let after = seen(&mut dev);
        assert!(after == [5; 8] || after == [0; 8], "seed {seed}: {after:?}");
    }
}

/// Blocks of a cached 8-block write that reach the medium under `Tear { seed }`.
fn torn_prefix(seed: u64) -> usize {
    let mut dev = device(8);
    dev.write(0, &fill(8, 7), false).expect("write");
    dev.power_cut(PowerCut::Tear { seed }).expect("cut");
    let after = seen(&mut dev);
    let kept = after.iter().take_while(|&&b| b == 7).count();
    assert!(
        after[kept..].iter().all(|&b| b == 0),
        "seed {seed}: a prefix persists, the rest is old data: {after:?}"
    );
    kept
}

#[test]
fn torn_writes_persist_a_proper_prefix_per_seed() {
    let kept: Vec<usize> = (0..32).map(torn_prefix).collect();
    assert!(kept.iter().all(|k| (1..8).contains(k)), "{kept:?}");
    assert_eq!(kept, (0..32).map(torn_prefix).collect::<Vec<_>>());
    assert!(kept.iter().any(|&k| k != kept[0]), "seeds vary the tear");

    let mut dev = device(4);
    dev.write(0, &fill(1, 7), false).expect("single block");
    dev.power_cut(PowerCut::Tear { seed: 1 }).expect("cut");
    assert_eq!(
        seen(&mut dev),
        [0; 4],
        "a single block is not torn, it is lost"
    );
}

#[test]
fn a_tear_persists_only_blocks_still_cached_from_that_write() {
    for seed in 0..16 {
        let mut dev = device(8);
        dev.write(0, &fill(8, 1), false).expect("write");
        dev.write(0, &fill(2, 2), true).expect("fua over the start");
        dev.power_cut(PowerCut::Tear { seed }).expect("cut");
        let after = seen(&mut dev);
        assert_eq!(after[..2], [2, 2], "seed {seed}: durable newer data stays");
    }
}

#[test]
fn the_cache_is_bounded_and_frees_replaced_writes() {
    let bound = 16 * 1024;
    let mut dev = device(1024).with_cache_bound(bound);
    for lba in 0..1024u64 {
        dev.write(lba, &fill(1, (lba % 250) as u8 + 1), false)
            .expect("write");
        assert!(dev.cached_bytes() <= bound);
    }
    let all = seen(&mut dev);
    assert!(all
        .iter()
        .enumerate()
        .all(|(i, &b)| b == (i % 250) as u8 + 1));
    let on_medium = durable(&dev);
    assert_eq!(on_medium[0], 1, "the oldest writes were destaged");
    assert_eq!(on_medium[1023], 0, "the newest are still volatile");

    let mut dev = device(8);
    for round in 0..1000u32 {
        dev.write(0, &fill(4, (round % 200) as u8), false)
            .expect("overwrite");
    }
    let one_write = dev.cached_bytes();
    dev.write(0, &fill(4, 1), false).expect("overwrite");
    assert_eq!(dev.cached_bytes(), one_write, "replaced writes are freed");
    assert!(one_write < 4 * BS + 1024);
}

#[test]
fn bad_ranges_are_errors_not_panics() {
    let mut dev = device(8);
    assert!(matches!(
        dev.write(7, &fill(2, 1), false),
        Err(BlockError::OutOfRange { .. })
    ));
    assert!(matches!(
        dev.write(u64::MAX, &fill(1, 1), true),
        Err(BlockError::OutOfRange { .. })
    ));
    assert!(matches!(
        dev.read(0, &mut [0u8; 100]),
        Err(BlockError::Misaligned { .. })
    ));
    assert!(matches!(
        CachedDevice::new(RamMedium::new(4096), 0),
        Err(BlockError::Misaligned { .. })
    ));
    dev.write(8, &[], false)
        .expect("an empty write at the end is fine");
    assert_eq!(seen(&mut dev), [0; 8]);
}

#[test]
fn a_tebibyte_device_costs_only_what_is_written() {
    let tib = 1u64 << 40;
    let mut dev = CachedDevice::new(RamMedium::new(tib), 4096).expect("device");
    assert_eq!(dev.block_count(), tib / 4096);
    let mib = vec![0x5Au8; 1 << 20];
    dev.write(dev.block_count() - 256, &mib, true)
        .expect("write at the end");
    dev.write(12345, &mib, false).expect("cached write");
    dev.flush().expect("flush");
    assert!(dev.medium().allocated_bytes() <= 3 << 20);
    assert_eq!(dev.cached_bytes(), 0);
}

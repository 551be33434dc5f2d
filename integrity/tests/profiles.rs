//! Whole verification runs on the emulated devices, each fault profile cut mid-run: the
//! honest device shows no finding across many power cuts, and every faulty profile is
//! classified as its own class.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use integrity::classify::Class;
use integrity::journal::Journal;
use integrity::nvme_target::NvmeBlockTarget;
use integrity::plan::Durability;
use integrity::run::{run, Outcome, RunParams};
use integrity::scsi_target::ScsiBlockTarget;
use integrity::target::BlockTarget;
use transports::open::{open, Access, Device};

fn target(uri: &str) -> Box<dyn BlockTarget> {
    match open(uri, Access::Write).unwrap() {
        Device::Scsi(t) => Box::new(ScsiBlockTarget::new(t).unwrap()),
        Device::Nvme(t) => Box::new(NvmeBlockTarget::new(t, 1).unwrap()),
    }
}

/// 2048 blocks from LBA 64 in writes of 4 blocks over 2 epochs (1024 writes); the block
/// size is the device's.
fn params(uri: &str, seed: u64, durability: Durability) -> RunParams {
    RunParams {
        device: uri.to_string(),
        nonce: 0x5eed_0000 + seed,
        block_size: 512,
        start_lba: 64,
        blocks: 2048,
        blocks_per_write: 4,
        epochs: 2,
        seed,
        durability,
        queue_depth: 1,
    }
}

const FLUSH_EVERY_32: Durability = Durability::FlushEvery { writes: 32 };

/// Runs `uri` with power cut after write `cut`.
fn cut_run(uri: &str, seed: u64, durability: Durability, cut: Option<u64>) -> Outcome {
    let journal = std::env::temp_dir().join(format!(
        "scsitool-verify-{}-{seed}-{}",
        std::process::id(),
        uri.replace(['/', ':', '?', '=', '&', ','], "_")
    ));
    let _ = std::fs::remove_file(&journal);
    let mut t = target(uri);
    let p = RunParams {
        block_size: t.geometry().block_size,
        ..params(uri, seed, durability)
    };
    let mut j = Journal::create(&journal, &p).unwrap();
    let outcome = run(t.as_mut(), &p, &mut j, cut, &mut |_, _| {}).unwrap();
    let _ = std::fs::remove_file(&journal);
    outcome
}

#[test]
fn the_honest_device_keeps_every_promise_across_power_cuts() {
    for (i, cut) in [0u64, 1, 31, 32, 33, 500, 777, 1023]
        .into_iter()
        .enumerate()
    {
        for uri in ["sim:?size=2M", "sim:nvme?size=2M"] {
            let out = cut_run(uri, i as u64, FLUSH_EVERY_32, Some(cut));
            let c = out.verify.tally.counts;
            assert_eq!(
                c.faults(),
                0,
                "{uri} cut after {cut}: {:?}",
                out.verify.tally
            );
            assert_eq!(out.power_cut_after, Some(cut));
            assert_eq!(
                c.ok + c.ok_older_allowed + c.never_written,
                2048,
                "{uri}: {c:?}"
            );
            // Writes after the last flush before the cut were lost, as allowed.
            let durable = out.facts.durable_through;
            assert!(durable.is_none_or(|d| d <= cut), "{uri}: {durable:?}");
        }
    }
    let whole = cut_run("sim:?size=2M", 9, FLUSH_EVERY_32, None);
    assert_eq!(
        whole.verify.tally.counts.ok, 2048,
        "an uncut run reads back whole"
    );
}

#[test]
fn a_lying_flush_is_lost_after_flush() {
    for uri in ["sim:lying-flush?size=2M", "sim:nvme,lying-flush?size=2M"] {
        let out = cut_run(uri, 1, FLUSH_EVERY_32, Some(700));
        let c = out.verify.tally.counts;
        assert!(c.lost_after_flush > 1000, "{uri}: {c:?}");
        assert_eq!((c.misdirected, c.torn, c.corrupt), (0, 0, 0), "{uri}");
        let verdicts = out.verify.tally.verdicts.join(" ");
        assert!(verdicts.contains("flush"), "{uri}: {verdicts}");
    }
}

#[test]
fn ignored_fua_is_lost_fua_write() {
    let out = cut_run("sim:fua-ignored?size=2M", 2, Durability::Fua, Some(600));
    let c = out.verify.tally.counts;
    assert!(c.lost_fua_write > 100, "{c:?}");
    assert_eq!(c.lost_after_flush, 0, "{c:?}");
    let honest = cut_run("sim:?size=2M", 2, Durability::Fua, Some(600));
    assert_eq!(honest.verify.tally.counts.faults(), 0);
}

#[test]
fn misdirected_writes_name_where_they_came_from() {
    let out = cut_run("sim:misdirected?size=2M", 3, FLUSH_EVERY_32, None);
    let tally = &out.verify.tally;
    assert!(tally.counts.misdirected > 0, "{:?}", tally.counts);
    let run = tally
        .bad_runs
        .iter()
        .find(|r| matches!(r.class, Class::Misdirected { .. }))
        .unwrap();
    let Class::Misdirected { from_lba } = run.class else {
        unreachable!()
    };
    assert_ne!(
        from_lba, run.first_lba,
        "the data was meant for another LBA"
    );
    assert!((64..64 + 2048).contains(&from_lba), "{from_lba}");
}

#[test]
fn torn_writes_are_torn_at_a_sector() {
    // Torn tears multi-block writes in flight at the cut; use 4 KiB blocks so one block
    // spans 8 sectors and writes of 4 blocks.
    let mut found = false;
    for seed in 0..8 {
        let out = cut_run(
            "sim:torn?size=16M&bs=4096",
            seed,
            FLUSH_EVERY_32,
            Some(400 + seed),
        );
        let c = out.verify.tally.counts;
        assert_eq!(
            (c.lost_after_flush, c.corrupt, c.misdirected),
            (0, 0, 0),
            "{c:?}"
        );
        found |= c.torn > 0 || c.unserializable > 0;
    }
    assert!(found, "no tear in 8 power cuts");
}

#[test]
fn bit_rot_is_corrupt_with_its_flips_counted() {
    let out = cut_run("sim:bitrot?size=2M", 4, FLUSH_EVERY_32, None);
    let tally = &out.verify.tally;
    assert!(tally.counts.corrupt > 0, "{:?}", tally.counts);
    assert_eq!(
        tally.bit_flips, tally.counts.corrupt,
        "one flipped bit per corrupt block"
    );
}

#[test]
fn reordered_loss_is_unserializable() {
    let mut found = false;
    for seed in 0..4 {
        let out = cut_run(
            "sim:reorder?size=2M",
            seed,
            FLUSH_EVERY_32,
            Some(650 + seed),
        );
        let c = out.verify.tally.counts;
        assert_eq!(c.lost_after_flush, 0, "flushes were honoured: {c:?}");
        found |= c.unserializable > 0;
    }
    assert!(found, "no unserializable outcome in 4 power cuts");
}

#[test]
fn cache_off_writes_survive_and_the_cache_is_restored() {
    for uri in ["sim:?size=2M", "sim:nvme?size=2M"] {
        let out = cut_run(uri, 5, Durability::CacheOff, Some(300));
        assert_eq!(out.verify.tally.counts.faults(), 0, "{uri}");
        assert_eq!(out.write_cache.before, Some(true), "{uri}");
        assert_eq!(out.write_cache.during, Some(false), "{uri}");
        assert_eq!(out.write_cache.after, Some(true), "{uri}: restored");
        assert_eq!(out.facts.durable_through, Some(300), "{uri}");
    }
}

#[test]
fn batches_of_writes_in_flight_keep_the_journal_exact() {
    for (depth, durability) in [
        (8, FLUSH_EVERY_32),
        (5, FLUSH_EVERY_32),
        (8, Durability::Fua),
    ] {
        for cut in [3u64, 31, 400] {
            let uri = "sim:?size=2M";
            let journal = std::env::temp_dir().join(format!(
                "scsitool-verify-qd-{}-{depth}-{cut}",
                std::process::id()
            ));
            let _ = std::fs::remove_file(&journal);
            let p = RunParams {
                queue_depth: depth,
                ..params(uri, cut, durability)
            };
            let mut j = Journal::create(&journal, &p).unwrap();
            let mut t = target(uri);
            let out = run(t.as_mut(), &p, &mut j, Some(cut), &mut |_, _| {}).unwrap();
            let _ = std::fs::remove_file(&journal);
            assert_eq!(
                out.verify.tally.counts.faults(),
                0,
                "depth {depth} cut {cut}"
            );
            assert_eq!(out.write.writes, cut + 1, "depth {depth}");
            // Flushes fall every 32 writes whatever the batch size; FUA writes are durable
            // as soon as their batch completes.
            let durable = out.facts.durable_through;
            match durability {
                Durability::Fua => assert_eq!(durable, Some(cut), "depth {depth}"),
                _ => assert_eq!(
                    durable,
                    (cut >= 31).then(|| (cut + 1) / 32 * 32 - 1),
                    "depth {depth} cut {cut}"
                ),
            }
        }
    }
}

//! Classification of synthetic device states: the plan is simulated on an in-memory device,
//! a fault is applied, and the classes and LBAs found are compared with the fault's
//! expected consequences, computed by brute force over the plan's writes.

use integrity::block::{decode, encode, Stamp, SECTOR};
use integrity::classify::{Class, Classifier, Facts, Tally, MAX_BAD_RUNS};
use integrity::plan::{Durability, Plan, Write};

const NONCE: u64 = 0xfeed_f00d;
const START: u64 = 1000;
const BLOCKS: u64 = 64;
const BS: usize = 4 * SECTOR;

fn plan(durability: Durability) -> Plan {
    Plan::new(START, BLOCKS, 2, 3, 42, durability).expect("valid plan")
}

fn flush5() -> Plan {
    plan(Durability::FlushEvery { writes: 5 })
}

/// An in-memory device over the plan's range.
struct Device {
    blocks: Vec<Vec<u8>>,
}

impl Device {
    fn new(blocks: u64) -> Self {
        Device {
            blocks: vec![vec![0; BS]; blocks as usize],
        }
    }

    fn block(&mut self, lba: u64) -> &mut Vec<u8> {
        &mut self.blocks[(lba - START) as usize]
    }

    /// Writes `w`'s data at `at` (its own LBA unless misdirected).
    fn put(&mut self, w: &Write, at: u64) {
        for i in 0..u64::from(w.blocks) {
            let stamp = Stamp {
                nonce: NONCE,
                lba: w.lba + i,
                generation: w.generation,
                seq: w.seq,
            };
            encode(&stamp, self.block(at + i)).expect("valid length");
        }
    }

    /// Runs writes `0..=upto` of `p`, applying those `keep` lets through (the others are
    /// lost at the power cut).
    fn run(p: &Plan, upto: u64, keep: impl Fn(&Write) -> bool) -> Self {
        let mut dev = Device::new(p.blocks());
        for w in p.writes(0..upto + 1).filter(|w| keep(w)) {
            dev.put(&w, w.lba);
        }
        dev
    }
}

/// What the journal would hold after issuing writes `0..=upto`, all acknowledged.
fn facts(p: &Plan, upto: u64) -> Facts {
    let durable_through = match p.durability() {
        Durability::FlushEvery { .. } => (0..=upto).rfind(|&s| p.flush_after(s)),
        Durability::Fua | Durability::CacheOff => Some(upto),
    };
    Facts {
        durable_through,
        issued_through: Some(upto),
    }
}

/// Brute force: the sequence number of the last write covering `lba` among `0..=through`.
fn last_seq(p: &Plan, lba: u64, through: u64) -> Option<u64> {
    p.writes(0..through + 1)
        .filter(|w| lba >= w.lba && lba < w.lba + u64::from(w.blocks))
        .map(|w| w.seq)
        .last()
}

fn classify_all(p: &Plan, f: Facts, dev: &Device) -> (Vec<Class>, Tally) {
    let mut c = Classifier::new(p, f);
    let mut provisional = Vec::new();
    for (i, bytes) in dev.blocks.iter().enumerate() {
        let lba = START + i as u64;
        let content = decode(bytes, NONCE, lba).expect("whole sectors");
        provisional.push(c.observe(lba, &content));
    }
    (provisional, c.finish())
}

/// LBAs whose listed runs have a class of the same kind as `class`.
fn listed(t: &Tally, class: Class) -> Vec<u64> {
    let kind = std::mem::discriminant(&class);
    t.bad_runs
        .iter()
        .filter(|r| std::mem::discriminant(&r.class) == kind)
        .flat_map(|r| r.first_lba..r.first_lba + r.blocks)
        .collect()
}

fn lbas_of(p: &Plan, seqs: impl IntoIterator<Item = u64>) -> Vec<u64> {
    let mut out: Vec<u64> = seqs
        .into_iter()
        .filter_map(|s| p.write(s))
        .flat_map(|w| w.lba..w.lba + u64::from(w.blocks))
        .collect();
    out.sort_unstable();
    out
}

/// Faulty blocks as the listed runs and the unlisted count say, checked against the
/// tally's own total.
fn faults(t: &Tally) -> u64 {
    let listed = t.bad_runs.iter().map(|r| r.blocks).sum::<u64>() + t.bad_blocks_unlisted;
    assert_eq!(t.faults, listed, "the fault total and the bad runs agree");
    listed
}

#[test]
fn honest_device_cut_after_a_flush_keeps_every_promise() {
    let p = flush5();
    let f = facts(&p, 50);
    assert_eq!(f.durable_through, Some(49));
    let dev = Device::run(&p, 50, |w| w.seq <= 49);
    let (_, t) = classify_all(&p, f, &dev);
    assert_eq!(faults(&t), 0);
    assert_eq!(
        t.counts.ok_older_allowed, 2,
        "write 50 (2 blocks) not yet durable"
    );
    assert_eq!(t.counts.ok, BLOCKS - 2);
    assert!(
        t.verdicts[0].starts_with("Every promise was kept"),
        "{:?}",
        t.verdicts
    );
}

#[test]
fn blocks_the_plan_had_not_reached_are_never_written() {
    let p = flush5();
    let dev = Device::run(&p, 10, |w| w.seq <= 9);
    let (_, t) = classify_all(&p, facts(&p, 10), &dev);
    assert_eq!(t.counts.never_written, BLOCKS - 22);
    assert_eq!(t.counts.ok, 20);
    assert_eq!(t.counts.ok_older_allowed, 2);
    assert_eq!(faults(&t), 0);
}

#[test]
fn lying_flush_loses_blocks_written_before_an_acknowledged_flush() {
    let p = flush5();
    // The device acknowledged the flushes after 34..49 but kept nothing after write 29.
    let dev = Device::run(&p, 50, |w| w.seq <= 29);
    let (_, t) = classify_all(&p, facts(&p, 50), &dev);
    let expected: Vec<u64> = (START..START + BLOCKS)
        .filter(|&lba| last_seq(&p, lba, 49) > last_seq(&p, lba, 29))
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(listed(&t, Class::LostAfterFlush), expected);
    assert_eq!(t.counts.lost_after_flush, expected.len() as u64);
    assert_eq!(faults(&t), expected.len() as u64);
    let n = expected.len();
    assert!(
        t.verdicts.iter().any(|v| v.contains(&format!(
            "acknowledged but {n} blocks written before it were lost"
        ))),
        "{:?}",
        t.verdicts
    );
}

#[test]
fn ignored_fua_loses_acknowledged_writes() {
    let p = plan(Durability::Fua);
    let dev = Device::run(&p, 50, |w| w.seq <= 45);
    let (_, t) = classify_all(&p, facts(&p, 50), &dev);
    assert_eq!(listed(&t, Class::LostFuaWrite), lbas_of(&p, 46..=50));
    assert_eq!(faults(&t), 10);
    assert!(
        t.verdicts.iter().any(|v| v.contains("FUA")),
        "{:?}",
        t.verdicts
    );
}

#[test]
fn write_cache_off_but_caching_loses_acknowledged_writes() {
    let p = plan(Durability::CacheOff);
    let dev = Device::run(&p, 20, |w| w.seq <= 17);
    let (_, t) = classify_all(&p, facts(&p, 20), &dev);
    assert_eq!(listed(&t, Class::LostFuaWrite), lbas_of(&p, 18..=20));
    assert!(
        t.verdicts.iter().any(|v| v.contains("write cache was off")),
        "{:?}",
        t.verdicts
    );
}

#[test]
fn misdirected_write_names_its_source_and_loses_its_target() {
    let p = flush5();
    let stray = p.write(49).expect("in plan");
    let victim = p.write(33).expect("in plan");
    let mut dev = Device::run(&p, 49, |w| w.seq != 49);
    dev.put(&stray, victim.lba);
    let (classes, t) = classify_all(&p, facts(&p, 49), &dev);
    for i in 0..2 {
        let at = (victim.lba - START + i) as usize;
        assert_eq!(
            classes[at],
            Class::Misdirected {
                from_lba: stray.lba + i
            }
        );
    }
    assert_eq!(listed(&t, Class::LostAfterFlush), lbas_of(&p, [49]));
    assert_eq!(t.counts.misdirected, 2);
    assert!(t
        .verdicts
        .iter()
        .any(|v| v.contains(&format!("holds LBA {}'s", stray.lba))));
}

#[test]
fn torn_write_names_the_sector() {
    let p = flush5();
    let w = p.write(49).expect("in plan");
    let mut dev = Device::run(&p, 49, |w| w.seq != 49);
    let old = dev.block(w.lba + 1).clone();
    dev.put(&w, w.lba);
    dev.block(w.lba + 1)[2 * SECTOR..].copy_from_slice(&old[2 * SECTOR..]);
    let (classes, t) = classify_all(&p, facts(&p, 49), &dev);
    assert_eq!(classes[(w.lba - START) as usize], Class::Ok);
    assert_eq!(
        classes[(w.lba + 1 - START) as usize],
        Class::Torn { sector: 2 }
    );
    assert_eq!(listed(&t, Class::Torn { sector: 0 }), [w.lba + 1]);
    assert_eq!(faults(&t), 1);
}

#[test]
fn bit_rot_is_counted() {
    let p = flush5();
    let mut dev = Device::run(&p, 49, |_| true);
    let block = dev.block(START + 17);
    block[700] ^= 0x81;
    block[1900] ^= 0x10;
    let (classes, t) = classify_all(&p, facts(&p, 49), &dev);
    assert_eq!(classes[17], Class::Corrupt { bit_flips: 3 });
    assert_eq!(t.bit_flips, 3);
    assert_eq!(faults(&t), 1);
    assert!(
        t.verdicts.iter().any(|v| v.contains("3 bits flipped")),
        "{:?}",
        t.verdicts
    );
}

#[test]
fn a_later_write_surviving_an_earlier_loss_is_unserializable() {
    let p = flush5();
    let f = facts(&p, 47);
    assert_eq!(f.durable_through, Some(44));
    let dev = Device::run(&p, 47, |w| w.seq <= 44 || w.seq == 47);
    let (classes, t) = classify_all(&p, f, &dev);
    assert_eq!(listed(&t, Class::Unserializable), lbas_of(&p, [45, 46]));
    for lba in lbas_of(&p, [45, 46]) {
        assert_eq!(
            classes[(lba - START) as usize],
            Class::OkOlderAllowed,
            "provisional"
        );
    }
    assert_eq!(t.counts.unserializable, 4);
    assert!(t.verdicts.iter().any(|v| v.contains("reordered")));
}

#[test]
fn writes_in_flight_together_have_no_order() {
    let p = flush5();
    let f = facts(&p, 47);
    // Writes 45..=47 went out in one batch of 3: 47 surviving 45 and 46 is no reordering.
    let dev = Device::run(&p, 47, |w| w.seq <= 44 || w.seq == 47);
    let classify_at = |depth| {
        let mut c = Classifier::new(&p, f).with_queue_depth(depth);
        for (i, bytes) in dev.blocks.iter().enumerate() {
            let lba = START + i as u64;
            c.observe(lba, &decode(bytes, NONCE, lba).expect("whole sectors"));
        }
        c.finish()
    };
    let t = classify_at(3);
    assert_eq!(faults(&t), 0, "{:?}", t.bad_runs);
    assert_eq!(t.counts.ok_older_allowed, 4);
    // Sent two at a time, 47 left after 45 had completed: 45 alone is unserializable.
    let t = classify_at(2);
    assert_eq!(listed(&t, Class::Unserializable), lbas_of(&p, [45]));
}

#[test]
fn losing_only_the_newest_writes_is_serializable() {
    let p = flush5();
    let dev = Device::run(&p, 47, |w| w.seq <= 45);
    let (_, t) = classify_all(&p, facts(&p, 47), &dev);
    assert_eq!(faults(&t), 0);
    assert_eq!(t.counts.ok_older_allowed, 4);
}

#[test]
fn foreign_data_where_a_durable_write_should_be() {
    let p = flush5();
    let mut dev = Device::run(&p, 49, |_| true);
    dev.block(START + 5).fill(0xa5);
    let other = Stamp {
        nonce: NONCE + 1,
        lba: START + 6,
        generation: 1,
        seq: 40,
    };
    encode(&other, dev.block(START + 6)).expect("valid length");
    let (_, t) = classify_all(&p, facts(&p, 49), &dev);
    assert_eq!(listed(&t, Class::Foreign), [START + 5, START + 6]);
    assert_eq!(t.bad_runs.len(), 1, "adjacent blocks of one class merge");
}

#[test]
fn a_stamp_the_plan_never_put_there_is_foreign() {
    let p = flush5();
    let mut dev = Device::run(&p, 49, |_| true);
    let lba = START + 9;
    let wrong_generation = Stamp {
        nonce: NONCE,
        lba,
        generation: 2,
        seq: 40,
    };
    encode(&wrong_generation, dev.block(lba)).expect("valid length");
    let (classes, _) = classify_all(&p, facts(&p, 49), &dev);
    assert_eq!(classes[9], Class::Foreign);
}

#[test]
fn bad_runs_are_capped_and_the_rest_counted() {
    let blocks = 3000;
    let p = Plan::new(START, blocks, 1, 1, 3, Durability::Fua).expect("valid plan");
    let dev = Device::run(&p, blocks - 1, |w| w.lba % 2 == 0);
    let (_, t) = classify_all(&p, facts(&p, blocks - 1), &dev);
    assert_eq!(t.counts.lost_fua_write, 1500);
    assert_eq!(t.bad_runs.len(), MAX_BAD_RUNS);
    assert_eq!(t.bad_blocks_unlisted, 1500 - MAX_BAD_RUNS as u64);
    assert!(
        t.verdicts
            .iter()
            .any(|v| v.starts_with("1,500 blocks written with FUA")),
        "{:?}",
        t.verdicts
    );
}

#[test]
fn the_summary_serialises_with_named_classes() {
    let p = flush5();
    let mut dev = Device::run(&p, 49, |_| true);
    dev.block(START + 3)[600] ^= 1;
    let (_, t) = classify_all(&p, facts(&p, 49), &dev);
    let json = serde_json::to_value(&t).expect("serialisable");
    assert_eq!(json["counts"]["corrupt"], 1);
    assert_eq!(json["bad_runs"][0]["class"]["class"], "corrupt");
    assert_eq!(json["bad_runs"][0]["class"]["bit_flips"], 1);
    let schema = serde_json::to_value(schemars::schema_for!(Tally)).expect("schema");
    assert!(schema["properties"]["verdicts"].is_object());
}

mod reorder {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A power cut that keeps every durable write and any subset of the others is
        /// never a loss; exactly the blocks whose latest write was dropped while a later
        /// write was kept are unserializable (brute force over the kept writes).
        #[test]
        fn any_subset_of_unflushed_writes_is_classified(
            upto in 0u64..96, interval in 1u64..12, kept in any::<u64>(),
        ) {
            let p = plan(Durability::FlushEvery { writes: interval });
            let f = facts(&p, upto);
            let durable = f.durable_through;
            let keep = |w: &Write| Some(w.seq) <= durable || (kept >> (w.seq % 64)) & 1 == 1;
            let dev = Device::run(&p, upto, keep);
            let (_, t) = classify_all(&p, f, &dev);
            let highest_kept = p.writes(0..upto + 1).filter(|w| keep(w)).map(|w| w.seq).max();
            let expected: Vec<u64> = (START..START + BLOCKS)
                .filter(|&lba| {
                    let latest = last_seq(&p, lba, upto);
                    let lost = latest.and_then(|s| p.write(s)).is_some_and(|w| !keep(&w));
                    lost && highest_kept > latest
                })
                .collect();
            prop_assert_eq!(listed(&t, Class::Unserializable), expected.clone());
            prop_assert_eq!(faults(&t), expected.len() as u64);
        }
    }
}

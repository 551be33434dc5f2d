//! `--preserve`: restore brings back every original byte — after a clean run, with ranges
//! saved twice, with a torn last record, and after the writing process was SIGKILLed at
//! random points; damaged or foreign journals are refused.

use proptest::prelude::*;

use super::*;
use crate::target::file::{FileOptions, FileTarget};
use crate::test_support::{random_file, Rng, Scratch};

const BS: usize = 512;
const BLOCKS: u64 = 128;

fn open_target(path: &Path) -> FileTarget {
    FileTarget::open(path, FileOptions::default()).expect("open device file")
}

/// A random "device" file and a target over it.
fn device(tag: &str, rng: &mut Rng) -> (Scratch, Vec<u8>, FileTarget) {
    let scratch = Scratch::new(tag);
    let original = random_file(scratch.path(), BS * BLOCKS as usize, rng);
    let target = open_target(scratch.path());
    (scratch, original, target)
}

fn overwrite(target: &mut FileTarget, rng: &mut Rng, lba: u64, count: u64) {
    let data = rng.bytes(count as usize * BS);
    target.write(lba, &data, false).expect("overwrite");
}

#[test]
fn saved_ranges_coalesce_and_report_gaps() {
    let mut set = SavedRanges::default();
    assert_eq!(set.gaps(5, 10), [(5, 10)]);
    assert!(set.gaps(5, 5).is_empty());
    set.insert(10, 20);
    set.insert(30, 40);
    assert_eq!(set.gaps(0, 50), [(0, 10), (20, 30), (40, 50)]);
    assert_eq!(set.gaps(12, 35), [(20, 30)]);
    assert!(set.gaps(10, 20).is_empty());
    set.insert(20, 30);
    assert_eq!(set.0.len(), 1, "touching ranges merge");
    assert_eq!(set.gaps(0, 50), [(0, 10), (40, 50)]);
    set.insert(5, 45);
    assert_eq!(set.0.iter().collect::<Vec<_>>(), [(&5, &45)]);
}

#[test]
fn restore_brings_back_every_overwritten_block_once() {
    let mut rng = Rng::new(10);
    let (_device, original, mut target) = device("pres-rt", &mut rng);
    let journal = Scratch::new("pres-rt-journal");
    let mut preserver =
        Preserver::create(journal.path(), "test disk", target.geometry()).expect("create");
    assert_eq!(preserver.path(), journal.path());
    for (lba, count) in [(0, 8), (100, 28), (4, 8), (50, 1)] {
        preserver.save(&mut target, lba, count).expect("save");
        overwrite(&mut target, &mut rng, lba, count);
    }
    assert_eq!(
        preserver.save(&mut target, 0, 12).expect("saved already"),
        0,
        "nothing new to save"
    );
    drop(preserver);
    assert_ne!(std::fs::read(_device.path()).expect("device"), original);

    let report = restore(journal.path(), &mut target).expect("restore");
    assert_eq!(std::fs::read(_device.path()).expect("device"), original);
    assert_eq!(
        report,
        RestoreReport {
            identity: "test disk".into(),
            block_size: 512,
            blocks: BLOCKS,
            records: 4,
            blocks_restored: 8 + 28 + 4 + 1,
            torn_tail_bytes: 0,
        }
    );
    assert!(matches!(
        restore(journal.path(), &mut target),
        Err(PreserveError::AlreadyRestored { .. })
    ));
}

#[test]
fn the_first_saved_content_wins() {
    let mut rng = Rng::new(11);
    let (device, original, mut target) = device("pres-first", &mut rng);
    let journal = Scratch::new("pres-first-journal");
    let mut preserver = Preserver::create(journal.path(), "d", target.geometry()).expect("create");
    preserver.save(&mut target, 10, 10).expect("save");
    overwrite(&mut target, &mut rng, 10, 10);
    // Forget what was saved, so the journal holds the range twice: the second copy holds
    // the overwritten data and must not win.
    preserver.saved = SavedRanges::default();
    assert_eq!(preserver.save(&mut target, 5, 10).expect("save again"), 10);
    overwrite(&mut target, &mut rng, 5, 10);
    drop(preserver);
    let report = restore(journal.path(), &mut target).expect("restore");
    assert_eq!(report.records, 2);
    assert_eq!(std::fs::read(device.path()).expect("device"), original);
}

#[test]
fn large_ranges_span_several_records() {
    let mut rng = Rng::new(12);
    let scratch = Scratch::new("pres-large");
    let blocks = 2 * (MAX_RECORD_BYTES as usize / BS) + 10;
    let original = random_file(scratch.path(), blocks * BS, &mut rng);
    let mut target = open_target(scratch.path());
    let journal = Scratch::new("pres-large-journal");
    let mut preserver = Preserver::create(journal.path(), "d", target.geometry()).expect("create");
    assert_eq!(
        preserver.save(&mut target, 0, blocks as u64).expect("save"),
        blocks as u64
    );
    overwrite(&mut target, &mut rng, 0, blocks as u64);
    let report = restore(journal.path(), &mut target).expect("restore");
    assert_eq!(report.records, 3);
    assert!(std::fs::read(scratch.path()).expect("device") == original);
}

/// Builds a journal with records for 0..4 and 8..12 (the device overwritten for the first
/// only, as after a crash during the second append) and returns the length of the second.
fn two_records(journal: &Path, target: &mut FileTarget, rng: &mut Rng) -> u64 {
    let mut preserver = Preserver::create(journal, "d", target.geometry()).expect("create");
    preserver.save(target, 0, 4).expect("save");
    overwrite(target, rng, 0, 4);
    let before = preserver.end;
    preserver.save(target, 8, 4).expect("save");
    preserver.end - before
}

#[test]
fn a_torn_last_record_is_ignored() {
    let mut rng = Rng::new(13);
    let (device, original, mut target) = device("pres-torn", &mut rng);
    let second = two_records(&Scratch::new("unused").0, &mut target, &mut rng);
    for cut in [1, 4, 15, 17, second / 2, second - 5, second - 1] {
        let journal = Scratch::new("pres-torn-journal");
        std::fs::write(device.path(), &original).expect("reset device");
        two_records(journal.path(), &mut target, &mut rng);
        let len = std::fs::metadata(journal.path()).expect("stat").len();
        let file = OpenOptions::new()
            .write(true)
            .open(journal.path())
            .expect("open");
        file.set_len(len - cut).expect("tear");
        let report = restore(journal.path(), &mut target).expect("restore");
        assert_eq!(report.records, 1, "cut {cut}");
        assert_eq!(report.torn_tail_bytes, second - cut, "cut {cut}");
        assert_eq!(std::fs::read(device.path()).expect("device"), original);
        assert!(matches!(
            restore(journal.path(), &mut target),
            Err(PreserveError::AlreadyRestored { .. })
        ));
    }
}

/// Replaces the byte at `offset` of the file at `path` with `change` of it.
fn change_byte(path: &std::path::Path, offset: u64, change: impl Fn(u8) -> u8) {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .expect("open");
    let mut byte = [0u8; 1];
    file.read_exact_at(&mut byte, offset).expect("read");
    file.write_all_at(&[change(byte[0])], offset)
        .expect("write");
}

#[test]
fn a_last_record_failing_its_crc_is_ignored() {
    let mut rng = Rng::new(14);
    let (device, original, mut target) = device("pres-crc", &mut rng);
    let journal = Scratch::new("pres-crc-journal");
    let second = two_records(journal.path(), &mut target, &mut rng);
    let len = std::fs::metadata(journal.path()).expect("stat").len();
    change_byte(journal.path(), len - second / 2, |b| b ^ 0x10);
    // A flipped data bit in the last record is indistinguishable from a torn append with
    // a stale sector: ignored, as the device was not yet written for it.
    let report = restore(journal.path(), &mut target).expect("restore");
    assert_eq!((report.records, report.torn_tail_bytes), (1, second));
    assert_eq!(std::fs::read(device.path()).expect("device"), original);
}

#[test]
fn damage_before_the_last_record_is_refused() {
    let mut rng = Rng::new(15);
    let (_device, _original, mut target) = device("pres-mid", &mut rng);
    let journal = Scratch::new("pres-mid-journal");
    let second = two_records(journal.path(), &mut target, &mut rng);
    let len = std::fs::metadata(journal.path()).expect("stat").len();
    // A data byte of the first record.
    change_byte(journal.path(), len - second - 100, |b| !b);
    assert!(matches!(
        restore(journal.path(), &mut target),
        Err(PreserveError::Corrupt { .. })
    ));
}

#[test]
fn foreign_files_and_other_geometries_are_refused() {
    let mut rng = Rng::new(16);
    let (_device, _original, mut target) = device("pres-foreign", &mut rng);
    let junk = Scratch::new("pres-junk");
    random_file(junk.path(), 4096, &mut rng);
    assert!(matches!(
        restore(junk.path(), &mut target),
        Err(PreserveError::NotAJournal { .. })
    ));

    let journal = Scratch::new("pres-geom-journal");
    let mut other = target.geometry();
    other.blocks += 1;
    Preserver::create(journal.path(), "bigger disk", other).expect("create");
    assert!(matches!(
        restore(journal.path(), &mut target),
        Err(PreserveError::GeometryMismatch { .. })
    ));
    let mut preserver =
        Preserver::create(&journal.0.with_extension("2"), "d", other).expect("create second");
    let second = Scratch(preserver.path().to_path_buf());
    assert!(matches!(
        preserver.save(&mut target, 0, 1),
        Err(PreserveError::GeometryMismatch { .. })
    ));
    drop(second);

    let refused = Preserver::create(journal.path(), "d", target.geometry()).expect_err("exists");
    assert!(
        matches!(refused, PreserveError::Journal { .. }),
        "{refused}"
    );

    let journal = Scratch::new("pres-range-journal");
    let mut preserver = Preserver::create(journal.path(), "d", target.geometry()).expect("create");
    for (lba, count) in [(BLOCKS, 1), (BLOCKS - 1, 2), (u64::MAX, 2)] {
        assert!(matches!(
            preserver.save(&mut target, lba, count),
            Err(PreserveError::OutOfRange { .. })
        ));
    }
}

proptest! {
    /// Arbitrary bytes after a valid header never panic restore, and whatever it accepts
    /// it accounts for within the file.
    #[test]
    fn arbitrary_journal_tails_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut rng = Rng::new(17);
        let (_device, _original, mut target) = device("pres-prop", &mut rng);
        let journal = Scratch::new("pres-prop-journal");
        let header = Preserver::create(journal.path(), "d", target.geometry()).expect("create").end;
        let file = OpenOptions::new().write(true).open(journal.path()).expect("open");
        file.write_all_at(&tail, header).expect("append");
        if let Ok(report) = restore(journal.path(), &mut target) {
            prop_assert!(report.torn_tail_bytes <= tail.len() as u64);
        }
    }
}

/// Names `device|journal|seed` for the child; its presence selects the child mode.
const CHILD_ENV: &str = "SCSITOOL_PRESERVE_KILL_CHILD";
/// What the child prints after each overwrite completed.
const WROTE: &str = "PRESERVE-CHILD-WROTE";

/// The child half of `restore_survives_sigkill_at_random_points`: overwrites random
/// ranges through a [`Preserver`] until killed.
#[test]
#[ignore = "child process of restore_survives_sigkill_at_random_points"]
fn child_overwrites_through_a_preserver_until_killed() {
    let Some(spec) = std::env::var(CHILD_ENV).ok() else {
        return;
    };
    let mut parts = spec.split('|');
    let (Some(device), Some(journal), Some(seed)) = (parts.next(), parts.next(), parts.next())
    else {
        panic!("bad {CHILD_ENV}: {spec}");
    };
    let mut rng = Rng::new(seed.parse().expect("seed"));
    let mut target = open_target(Path::new(device));
    let mut preserver =
        Preserver::create(Path::new(journal), "child", target.geometry()).expect("create");
    for _ in 0..100_000 {
        let lba = rng.below(BLOCKS);
        let count = 1 + rng.below((BLOCKS - lba).min(16));
        preserver.save(&mut target, lba, count).expect("save");
        let data = rng.bytes(count as usize * BS);
        target.write(lba, &data, rng.below(4) == 0).expect("write");
        println!("{WROTE}");
    }
}

#[test]
fn restore_survives_sigkill_at_random_points() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Stdio};

    let mut rng = Rng::new(0x5EED);
    let device = Scratch::new("pres-kill");
    let original = random_file(device.path(), BS * BLOCKS as usize, &mut rng);
    let mut modified = 0;
    for iteration in 0..40 {
        std::fs::write(device.path(), &original).expect("reset device");
        let journal = Scratch::new(&format!("pres-kill-journal-{iteration}"));
        let spec = format!(
            "{}|{}|{}",
            device.path().display(),
            journal.path().display(),
            rng.next()
        );
        let mut child = Command::new(std::env::current_exe().expect("test binary"))
            .args([
                "--exact",
                "preserve::tests::child_overwrites_through_a_preserver_until_killed",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, spec)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn child");
        // Wait for a random number of completed overwrites, then a random delay, so the
        // kill lands anywhere: before the journal exists, mid-append, between the journal
        // fsync and the device write, mid-write.
        let writes = rng.below(12) as usize;
        // The pipe stays open until the child is dead: a closed pipe would end it first.
        let stdout = child.stdout.take().expect("child stdout");
        let mut lines = BufReader::new(stdout).lines();
        let seen = lines
            .by_ref()
            .map_while(Result::ok)
            .filter(|line| line.contains(WROTE))
            .take(writes)
            .count();
        std::thread::sleep(std::time::Duration::from_micros(rng.below(3000)));
        child.kill().expect("SIGKILL");
        let status = child.wait().expect("wait");
        drop(lines);
        assert_eq!(
            seen, writes,
            "iteration {iteration}: the child kept writing"
        );
        assert_eq!(status.signal(), Some(9), "iteration {iteration}: {status}");

        let mut target = open_target(device.path());
        if writes > 0 {
            assert_ne!(
                std::fs::read(device.path()).expect("device"),
                original,
                "iteration {iteration}: {writes} overwrites reached the device"
            );
            modified += 1;
        }
        if journal.path().exists() {
            restore(journal.path(), &mut target)
                .unwrap_or_else(|e| panic!("iteration {iteration}: restore: {e}"));
        }
        assert!(
            std::fs::read(device.path()).expect("device") == original,
            "iteration {iteration}: the device is byte-identical after restore"
        );
    }
    assert!(
        modified >= 20,
        "most kills came after overwrites: {modified}"
    );
}

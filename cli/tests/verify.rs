//! `scsitool verify` end to end: power cuts on the emulated devices, a real kill -9 of a
//! writing process with a file-backed medium then `--resume`, `--preserve` and
//! `--restore` on a plain file, and the safety refusals.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{json_exiting, scsitool, Scratch};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The fault counts of a verify report.
fn faults(report: &serde_json::Value) -> u64 {
    report["outcome"]["verify"]["tally"]["faults"]
        .as_u64()
        .unwrap()
}

#[test]
fn a_power_cut_on_the_honest_disk_breaks_no_promise_and_a_lying_flush_does() {
    let dir = Scratch::new("verify-cut");
    for (uri, code) in [
        ("sim:?size=16M", 0),
        ("sim:nvme?size=16M", 0),
        ("sim:lying-flush?size=16M", 9),
        ("sim:nvme,lying-flush?size=16M", 9),
    ] {
        let journal = dir.path(&format!("{}.journal", uri.len() + code as usize));
        let report = json_exiting(
            "verify",
            &[
                "verify",
                uri,
                "--power-cut",
                "--seed",
                "11",
                "--journal",
                &journal,
            ],
            code,
        );
        assert!(report["outcome"]["power_cut_after"].is_u64(), "{uri}");
        let lost = report["outcome"]["verify"]["tally"]["counts"]["lost_after_flush"]
            .as_u64()
            .unwrap();
        assert_eq!(faults(&report) > 0, code == 9, "{uri}: {report}");
        assert_eq!(lost > 0, code == 9, "{uri}");
        assert_eq!(report["outcome"]["write_cache"]["after"], true, "{uri}");
    }
}

/// Waits until `journal` holds at least `records` durable records, while `child` runs.
fn wait_for_durable(child: &mut std::process::Child, journal: &Path, records: usize) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            panic!(
                "the writer ended early ({status}) before {}",
                journal.display()
            );
        }
        let text = std::fs::read_to_string(journal).unwrap_or_default();
        if text.lines().filter(|l| l.starts_with("D ")).count() >= records {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!(
        "{} never reached {records} durable records",
        journal.display()
    );
}

#[test]
fn a_killed_writer_is_a_power_cut_that_resume_classifies() {
    let dir = Scratch::new("verify-kill");
    for (profile, code) in [("", 0), ("lying-flush,", 9)] {
        let tag = profile.trim_end_matches(',');
        let image = dir.path(&format!("{tag}disk.img"));
        let journal = dir.path(&format!("{tag}run.journal"));
        let uri = format!("sim:{profile}{image}?size=8M");
        let mut child = Command::new(env!("CARGO_BIN_EXE_scsitool"))
            .args(["verify", &uri, "--epochs", "1000", "--flush-every", "8"])
            .args(["--write-size", "4K", "--seed", "3", "--journal", &journal])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_for_durable(&mut child, Path::new(&journal), 20);
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert!(!status.success(), "{profile}: killed, not finished");
        let report = json_exiting("verify", &["verify", "--resume", &journal], code);
        let durable = report["outcome"]["facts"]["durable_through"]
            .as_u64()
            .unwrap();
        assert!(durable >= 8 * 20 - 1, "{profile}: {durable}");
        assert_eq!(faults(&report) > 0, code == 9, "{profile}: {report}");
    }
}

/// A file of `len` pseudo-random bytes.
fn random_file(path: &str, len: usize) -> Vec<u8> {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let data: Vec<u8> = (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    std::fs::write(path, &data).unwrap();
    data
}

#[test]
fn preserve_puts_a_file_back_as_it_was_after_queued_writes() {
    let dir = Scratch::new("verify-preserve");
    let file = dir.path("device.bin");
    let original = random_file(&file, 2 << 20);
    let journal = dir.path("run.journal");
    let report = json_exiting(
        "verify",
        &[
            "verify",
            &file,
            "--preserve",
            "--journal",
            &journal,
            "--seed",
            "1",
            "--queue-depth",
            "8",
        ],
        0,
    );
    assert_eq!(report["params"]["queue_depth"], 8);
    assert_eq!(report["restored"]["blocks_restored"], 512, "{report}");
    assert_eq!(faults(&report), 0);
    assert_eq!(std::fs::read(&file).unwrap(), original);
}

#[test]
fn restore_after_a_kill_puts_a_file_back_as_it_was() {
    let dir = Scratch::new("verify-restore");
    let file = dir.path("device.bin");
    let original = random_file(&file, 4 << 20);
    let journal = dir.path("run.journal");
    let mut child = Command::new(env!("CARGO_BIN_EXE_scsitool"))
        .args([
            "verify",
            &file,
            "--preserve",
            "--epochs",
            "1000",
            "--journal",
            &journal,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_durable(&mut child, Path::new(&journal), 5);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_ne!(
        std::fs::read(&file).unwrap(),
        original,
        "the run had overwritten it"
    );
    let preserve = format!("{journal}.preserve");
    let report = json_exiting("verify-restore", &["verify", "--restore", &preserve], 0);
    assert_eq!(report["restored"]["blocks_restored"], 1024);
    assert_eq!(std::fs::read(&file).unwrap(), original);
    // A second restore is refused: it could undo later writes.
    assert_ne!(
        scsitool(&["verify", "--restore", &preserve]).status.code(),
        Some(0)
    );
}

#[test]
fn partition_tables_and_power_cuts_without_power_control_are_refused() {
    let dir = Scratch::new("verify-safety");
    let file = dir.path("disk.bin");
    let mut data = vec![0u8; 1 << 20];
    data[510] = 0x55;
    data[511] = 0xaa;
    std::fs::write(&file, &data).unwrap();
    let out = scsitool(&["verify", &file, "--bs", "512"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("MBR partition table"), "{stderr}");
    assert_eq!(std::fs::read(&file).unwrap(), data, "nothing was written");
    let journal = dir.path("ok.journal");
    let out = scsitool(&[
        "verify",
        &file,
        "--bs",
        "512",
        "--destructive",
        &file,
        "--journal",
        &journal,
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = scsitool(&["verify", &file, "--destructive", &file, "--power-cut"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("power"),
        "{out:?}"
    );
}

#[test]
fn compare_shows_which_promise_a_lying_flush_breaks() {
    let dir = Scratch::new("verify-compare");
    let journal = dir.path("cmp.journal");
    let report = json_exiting(
        "verify-compare",
        &[
            "verify",
            "sim:lying-flush?size=8M",
            "--compare",
            "--power-cut",
            "--seed",
            "4",
            "--journal",
            &journal,
        ],
        9,
    );
    let runs = report["runs"].as_array().unwrap();
    let policies: Vec<&str> = runs
        .iter()
        .map(|r| r["params"]["durability"]["policy"].as_str().unwrap())
        .collect();
    assert_eq!(policies, ["flush_every", "fua", "cache_off"]);
    let faults: Vec<u64> = runs.iter().map(faults).collect();
    assert!(faults[0] > 0, "the flush run lost data: {faults:?}");
    assert_eq!(
        &faults[1..],
        &[0, 0],
        "FUA and cache-off keep their promises"
    );
}

#[test]
fn a_power_cut_command_runs_between_the_writes_and_the_read_back() {
    let dir = Scratch::new("verify-cmd");
    // With a file-backed sim: medium, closing the device is its power cut; the command
    // then runs, and the device is opened again as after power-on.
    for (profile, code) in [("", 0), ("lying-flush,", 9)] {
        let tag = profile.trim_end_matches(',');
        let uri = format!("sim:{profile}{}?size=8M", dir.path(&format!("{tag}d.img")));
        let marker = dir.path(&format!("{tag}cut"));
        let journal = dir.path(&format!("{tag}j"));
        let report = json_exiting(
            "verify",
            &[
                "verify",
                &uri,
                "--power-cut-cmd",
                &format!("touch {marker}"),
                "--journal",
                &journal,
                "--seed",
                "6",
            ],
            code,
        );
        assert!(Path::new(&marker).exists(), "the command ran");
        let cut = report["outcome"]["power_cut_after"].as_u64().unwrap();
        assert_eq!(report["outcome"]["write"]["writes"], cut + 1);
        assert_eq!(faults(&report) > 0, code == 9, "{profile}: {report}");
    }
    let journal = dir.path("false.journal");
    let failing = scsitool(&[
        "verify",
        "sim:?size=1M",
        "--power-cut-cmd",
        "false",
        "--journal",
        &journal,
    ]);
    assert_eq!(failing.status.code(), Some(1), "{failing:?}");
}

#[test]
fn cache_off_runs_cut_by_a_command_or_by_hand_switch_the_cache_off_and_back() {
    let dir = Scratch::new("verify-cmd-cache-off");
    let uri = format!("sim:{}?size=2M", dir.path("d.img"));
    for (tag, cut) in [
        ("cmd", ["--power-cut-cmd", "true"]),
        ("hand", ["--stop-after", "20"]),
    ] {
        let journal = dir.path(tag);
        let mut args = vec![
            "verify",
            &uri,
            "--durability",
            "cache-off",
            "--journal",
            &journal,
        ];
        args.extend(cut);
        let report = json_exiting("verify", &args, 0);
        let cache = &report["outcome"]["write_cache"];
        assert_eq!(cache["during"], false, "{tag}: {report}");
        assert_eq!(cache["after"], cache["before"], "{tag}: {report}");
        let verified = if tag == "hand" {
            let resumed = json_exiting("verify", &["verify", "--resume", &journal, &uri], 0);
            assert_eq!(resumed["outcome"]["facts"]["durable_through"], 19);
            resumed
        } else {
            report
        };
        assert_eq!(faults(&verified), 0, "{tag}: {verified}");
    }
}

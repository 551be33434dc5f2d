//! `scsitool nvme id-ctrl --count N` on the emulated controller (`sim:nvme`): N Identify
//! Controller commands (NVMe Base 2.0 5.17.2.1) reported as a count and a rate in the
//! committed schema, one command still printing the data structure, and no count at all
//! refused as a usage error.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{json, scsitool};

const DEVICE: &str = "sim:nvme?serial=NV42&product=MODEL7&size=8M";

#[test]
fn count_reports_every_command_and_a_rate() {
    let value = json(
        "nvme-id-ctrl-count",
        &["nvme", "id-ctrl", "--count", "40", DEVICE],
    );
    assert_eq!(value["device"], DEVICE);
    assert_eq!(value["count"], 40);
    let rate = value["commands_per_second"].as_f64().unwrap();
    let seconds = value["elapsed_seconds"].as_f64().unwrap();
    assert!(rate > 0.0, "{value}");
    assert!(seconds > 0.0, "{value}");
    // The whole Identify dump is not printed with a count.
    assert!(value.get("sn").is_none(), "{value}");
}

#[test]
fn count_human_form_is_sg_turs_like() {
    let out = scsitool(&["nvme", "id-ctrl", "--count", "3", DEVICE]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("Completed 3 Identify Controller commands with 0 errors\n"),
        "{text}"
    );
    assert!(text.contains("operations/sec"), "{text}");
}

#[test]
fn count_of_one_prints_the_data_structure() {
    let value = json("nvme-id-ctrl", &["nvme", "id-ctrl", "--count", "1", DEVICE]);
    assert_eq!(value["sn"], "NV42");
    assert_eq!(value["mn"], "MODEL7");
}

#[test]
fn count_of_zero_is_a_usage_error() {
    let out = scsitool(&["nvme", "id-ctrl", "--count", "0", DEVICE]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

#[test]
fn count_on_a_scsi_device_is_refused_before_sending() {
    let out = scsitool(&["nvme", "id-ctrl", "--count", "5", "sim:scsi"]);
    assert_ne!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
}

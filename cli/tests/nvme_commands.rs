//! NVMe commands end to end on the emulated controller (`sim:nvme`): their JSON against
//! the committed schemas, the facts the URI configured, and the exit statuses NVMe error
//! statuses map to.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{json, scsitool};

const DEVICE: &str = "sim:nvme?serial=NV42&size=64M&bs=4096";

fn text(out: &[u8]) -> String {
    String::from_utf8(out.to_vec()).unwrap()
}

#[test]
fn id_ctrl_reports_the_identity_the_uri_gave() {
    let value = json(
        "nvme-id-ctrl",
        &[
            "nvme",
            "id-ctrl",
            "sim:nvme?serial=NV42&product=MODEL7&size=8M",
        ],
    );
    // nvme-cli's JSON field names (the specification's abbreviations), at the top level.
    assert_eq!(value["sn"], "NV42");
    assert_eq!(value["mn"], "MODEL7");
    // One namespace (NN), an I/O controller (CNTRLTYPE 1, Base 2.0 5.17.2.1).
    assert_eq!(value["nn"], 1);
    assert_eq!(value["cntrltype"], 1);
    let human = scsitool(&["nvme", "id-ctrl", DEVICE]);
    let human = text(&human.stdout);
    assert!(human.starts_with("NVME Identify Controller:\n"), "{human}");
    assert!(human.contains("\nsn        : NV42\n"), "{human}");
}

#[test]
fn id_ns_reports_the_size_and_block_size_the_uri_gave() {
    let value = json("nvme-id-ns", &["nvme", "id-ns", DEVICE]);
    // 64 MiB in 4096-byte blocks.
    assert_eq!(value["nsze"], 16384);
    assert_eq!(value["ncap"], 16384);
    assert_eq!(value["lba_data_size"], 4096);
    let index = value["format_index"].as_u64().unwrap() as usize;
    assert_eq!(value["lbaf"][index]["lbads"], 12);
    let explicit = json("nvme-id-ns", &["nvme", "id-ns", "--nsid", "0x1", DEVICE]);
    assert_eq!(explicit["nsid"], 1);
    let human = text(&scsitool(&["nvme", "id-ns", DEVICE]).stdout);
    assert!(human.contains("nsze    : 0x4000\n"), "{human}");
    assert!(human.contains("lbads:12 rp:0x0 (in use)"), "{human}");
}

#[test]
fn smart_log_decodes() {
    let value = json("nvme-log", &["nvme", "log", DEVICE, "--lid", "2"]);
    assert_eq!(
        (value["lid"].as_u64(), value["length"].as_u64()),
        (Some(2), Some(512))
    );
    assert_eq!(value["log"]["kind"], "smart_health");
    let smart = &value["log"]["data"];
    // A fresh device: no critical warning, its spare at or above the threshold, and
    // 128-bit counters as decimal strings.
    assert_eq!(smart["critical_warning"]["raw"], 0);
    assert!(smart["available_spare"].as_u64() >= smart["available_spare_threshold"].as_u64());
    assert_eq!(smart["data_units_written"], "0");
    assert!(
        smart["composite_temperature"].as_u64().unwrap() > 273,
        "{smart}"
    );
    let human = text(&scsitool(&["nvme", "log", DEVICE, "--lid", "0x02"]).stdout);
    assert!(human.contains("namespace-id:ffffffff"), "{human}");
    assert!(human.contains("°C"), "{human}");
}

#[test]
fn error_and_firmware_slot_logs_decode() {
    // Error Information entries are 64 bytes (Base 2.0 5.16.1.2).
    let errors = json(
        "nvme-log",
        &["nvme", "log", DEVICE, "--lid", "1", "--len", "128"],
    );
    assert_eq!(errors["log"]["kind"], "error_information");
    assert_eq!(
        errors["log"]["data"]["entries"].as_array().unwrap().len(),
        2
    );
    let slots = json("nvme-log", &["nvme", "log", DEVICE, "--lid", "3"]);
    assert_eq!(slots["log"]["kind"], "firmware_slot");
    // Firmware slots are numbered 1 to 7 (Base 2.0 5.16.1.4), FRS1–FRS7.
    let active = slots["log"]["data"]["active_slot"].as_u64().unwrap();
    assert!((1..=7).contains(&active), "{slots}");
    assert_eq!(slots["log"]["data"]["frs"].as_array().unwrap().len(), 7);
}

#[test]
fn get_feature_reflects_the_write_cache_the_uri_set() {
    let off = json(
        "nvme-get-feature",
        &[
            "nvme",
            "get-feature",
            "sim:nvme?wce=off&size=8M",
            "--fid",
            "6",
        ],
    );
    assert_eq!(off["volatile_write_cache"]["wce"], false);
    assert_eq!(off["dw0"], 0);
    assert_eq!(off["sel"], "current");
    let on = json(
        "nvme-get-feature",
        &["nvme", "get-feature", "sim:nvme", "--fid", "0x06"],
    );
    assert_eq!(on["volatile_write_cache"]["wce"], true);
    // The default is what the URI configured for power-on.
    let default = json(
        "nvme-get-feature",
        &[
            "nvme",
            "get-feature",
            "sim:nvme?wce=off",
            "--fid",
            "6",
            "--sel",
            "default",
        ],
    );
    assert_eq!(default["volatile_write_cache"]["wce"], false);
    // Supported capabilities are not a cache setting: only Dword 0 is shown.
    let caps = json(
        "nvme-get-feature",
        &[
            "nvme",
            "get-feature",
            "sim:nvme",
            "--fid",
            "6",
            "--sel",
            "supported",
        ],
    );
    assert_eq!(caps["volatile_write_cache"], serde_json::Value::Null);
    let human = text(&scsitool(&["nvme", "get-feature", "sim:nvme?wce=off", "--fid", "6"]).stdout);
    assert!(
        human.contains("get-feature:0x06 (Volatile Write Cache), Current value:0x00000000"),
        "{human}"
    );
    assert!(
        human.contains("Volatile Write Cache Enable (WCE): Disabled"),
        "{human}"
    );
}

#[test]
fn set_feature_returns_the_new_value_and_must_be_explicit() {
    let on = json(
        "nvme-set-feature",
        &[
            "nvme",
            "set-feature",
            "sim:nvme?wce=off",
            "--fid",
            "6",
            "--value",
            "on",
        ],
    );
    assert_eq!(on["cdw11"], 1);
    assert_eq!(on["volatile_write_cache"]["wce"], true);
    let off = json(
        "nvme-set-feature",
        &[
            "nvme",
            "set-feature",
            "sim:nvme",
            "--fid",
            "6",
            "--value",
            "off",
        ],
    );
    assert_eq!(off["volatile_write_cache"]["wce"], false);
    for args in [
        &["nvme", "set-feature", "sim:nvme", "--fid", "6"][..],
        &["nvme", "set-feature", "sim:nvme", "--value", "on"],
        &[
            "nvme",
            "set-feature",
            "sim:nvme",
            "--fid",
            "7",
            "--value",
            "on",
        ],
    ] {
        let out = scsitool(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn protocol_mismatches_and_bad_arguments_are_usage_errors() {
    for args in [
        &["nvme", "id-ctrl", "sim:"][..],
        &["nvme", "log", "sim:?size=8M", "--lid", "2"],
        &["inquiry", "sim:nvme"],
        &["tur", "sim:nvme"],
        &["nvme", "id-ns", "sim:nvme", "--nsid", "0"],
        &["nvme", "id-ns", "sim:nvme", "--nsid", "0x1g"],
        &["nvme", "log", "sim:nvme", "--lid", "256"],
        &["nvme", "log", "sim:nvme", "--lid", "2", "--len", "6"],
        &[
            "nvme",
            "get-feature",
            "sim:nvme",
            "--fid",
            "6",
            "--sel",
            "later",
        ],
    ] {
        let out = scsitool(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
    let scsi = text(&scsitool(&["nvme", "id-ctrl", "sim:"]).stderr);
    assert!(scsi.contains("SCSI device"), "{scsi}");
}

#[test]
fn nvme_error_statuses_map_to_exit_statuses_and_are_named() {
    // Only namespace 1 exists: Invalid Namespace or Format (Base 2.0 4.6.1.2.1), a
    // rejected command (exit 5).
    let out = scsitool(&["nvme", "id-ns", "sim:nvme", "--nsid", "2"]);
    assert_eq!(out.status.code(), Some(5));
    let message = text(&out.stderr);
    assert!(message.contains("Invalid Namespace or Format"), "{message}");
    assert!(message.contains("Identify"), "{message}");
    // A log the controller does not have: Invalid Log Page (Base 2.0 4.6.1.2.2).
    let out = scsitool(&["nvme", "log", "sim:nvme", "--lid", "0x80"]);
    assert_eq!(out.status.code(), Some(5));
    assert!(text(&out.stderr).contains("Invalid Log Page"));
    // A feature the controller does not have: Invalid Field in Command.
    let out = scsitool(&["nvme", "get-feature", "sim:nvme", "--fid", "7"]);
    assert_eq!(out.status.code(), Some(5));
    assert!(text(&out.stderr).contains("Invalid Field in Command"));
}

#[test]
fn verbose_traces_the_submission_and_completion_entries() {
    let out = scsitool(&["-vv", "nvme", "id-ctrl", "sim:nvme?size=8M"]);
    let trace = text(&out.stderr);
    assert!(
        trace.contains("Identify submission queue entry (64 bytes):"),
        "{trace}"
    );
    // Opcode 06h in byte 0, CNS 01h in CDW10 (byte 40) (Base 2.0 5.17).
    assert!(trace.contains("0000  06 00 00 00"), "{trace}");
    assert!(
        trace.contains("0020  00 00 00 00 00 00 00 00  01 00"),
        "{trace}"
    );
    assert!(
        trace.contains("completion queue entry (16 bytes):"),
        "{trace}"
    );
    assert!(trace.contains("data-in (4096 bytes):"), "{trace}");
}

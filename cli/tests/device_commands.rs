//! Device commands end to end on the built-in emulated devices (`sim:`): what they print,
//! their JSON against the committed schemas, and their exit statuses.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{json, scsitool};

#[test]
fn inquiry_reports_the_identity_the_uri_gave() {
    let value = json(
        "inquiry",
        &["inquiry", "sim:?vendor=ACME&product=DISK9&size=8M"],
    );
    assert_eq!(value["inquiry"]["kind"], "standard");
    assert_eq!(
        value["inquiry"]["data"]["t10_vendor_identification"],
        "ACME"
    );
    assert_eq!(value["inquiry"]["data"]["product_identification"], "DISK9");
    let serial = json(
        "inquiry",
        &["inquiry", "--vpd", "0x80", "sim:?serial=ABC123&size=8M"],
    );
    assert!(serial.to_string().contains("ABC123"), "{serial}");
    let human = scsitool(&["inquiry", "sim:?size=8M"]);
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(text.contains("Vendor identification: SCSITOOL"), "{text}");
}

#[test]
fn readcap_reports_the_size_and_block_size_the_uri_gave() {
    let value = json("readcap", &["readcap", "sim:?size=64M&bs=4096"]);
    assert_eq!(value["block_length"], 4096);
    assert_eq!(value["blocks"], 16384);
    assert_eq!(value["last_lba"], 16383);
    assert_eq!(value["capacity_bytes"], 64 << 20);
    assert_eq!(value["command"], "READ CAPACITY (10)");
    let sixteen = json("readcap", &["readcap", "--16", "sim:?size=64M"]);
    assert_eq!(sixteen["command"], "READ CAPACITY (16)");
    assert_eq!(sixteen["blocks"], 131072);
    assert!(sixteen["details"].is_object());
    // Beyond 2^32 blocks READ CAPACITY (10) says FFFFFFFFh and (16) is used.
    let big = json("readcap", &["readcap", "sim:?size=4T&bs=512"]);
    assert_eq!(big["command"], "READ CAPACITY (16)");
    assert_eq!(big["blocks"], 1u64 << 33);
}

#[test]
fn tur_counts_and_reports_a_rate() {
    let value = json("tur", &["tur", "--count", "500", "sim:?size=8M"]);
    assert_eq!(value["count"], 500);
    assert!(value["commands_per_second"].as_f64().unwrap() > 0.0);
    let zero = scsitool(&["tur", "--count", "0", "sim:"]);
    assert_eq!(zero.status.code(), Some(2));
}

#[test]
fn sim_profiles_lists_every_profile() {
    let value = json("sim-profiles", &["sim", "profiles"]);
    let names: Vec<&str> = value["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for name in [
        "honest",
        "lying-flush",
        "fua-ignored",
        "misdirected",
        "torn",
        "bitrot",
        "fw-reject-image",
        "fw-needs-reset",
        "fw-brick-on-truncated",
    ] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    for name in names {
        assert_eq!(
            scsitool(&["tur", &format!("sim:{name}?size=1M")])
                .status
                .code(),
            Some(0)
        );
    }
}

#[test]
fn verbose_traces_the_cdb_and_the_unit_attention() {
    let out = scsitool(&["-vv", "readcap", "sim:?size=1M"]);
    let trace = String::from_utf8(out.stderr).unwrap();
    assert!(
        trace.contains("READ CAPACITY (10) CDB (10 bytes):"),
        "{trace}"
    );
    assert!(
        trace.contains("0000  25 00 00 00 00 00 00 00  00 00"),
        "{trace}"
    );
    assert!(
        trace.contains("unit attention, command reissued"),
        "{trace}"
    );
    assert!(trace.contains("data-in (8 bytes):"), "{trace}");
}

#[test]
fn bad_devices_and_arguments_are_usage_errors() {
    for args in [
        &["inquiry", "/dev/sda"][..],
        &["inquiry", "sim:frobnicate"],
        &["inquiry", "sim:?size=12Q"],
        &["readcap", "sim:nvme"],
        &["inquiry", "--vpd", "zz", "sim:"],
        &["inquiry", "--len", "2", "sim:"],
    ] {
        let out = scsitool(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn paths_that_are_not_the_right_device_node_are_refused_before_sending() {
    let file = std::env::temp_dir().join(format!("scsitool-notadev-{}", std::process::id()));
    std::fs::write(&file, b"not a disk").unwrap();
    let file = file.to_str().unwrap().to_string();
    let cases = [
        (
            vec!["inquiry", file.as_str()],
            "regular file, not a device node",
        ),
        (vec!["inquiry", "/"], "directory, not a device node"),
        (vec!["inquiry", "/dev/no-such-node"], "/dev/no-such-node"),
        (
            vec!["inquiry", "/dev/null"],
            "expected a SCSI (/dev/sdX, /dev/sgN) or NVMe",
        ),
        (
            vec!["nvme", "id-ctrl", "/dev/null"],
            "character device of class mem (null)",
        ),
        (vec!["inquiry", "usb:1234:5678"], "no such USB device"),
        (vec!["inquiry", "usb:46f4"], "expected usb:VID:PID"),
        (
            vec!["inquiry", "disk0"],
            "expected a sim: URI or a device node",
        ),
    ];
    for (args, message) in cases {
        let out = scsitool(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    let _ = std::fs::remove_file(&file);
}

//! The built-in USB mass-storage devices (`sim:...?usb=bot|uas|dual`) end to end: the
//! commands reach the disk or bridge through the host's Bulk-Only or UAS transport over
//! the emulated device's USB face, `--usb-proto` picks the alternate setting, and `-v`
//! shows the wire.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{json, scsitool};

#[test]
fn commands_reach_the_disk_over_bulk_only() {
    let direct = json("readcap", &["readcap", "sim:?size=64M"]);
    let usb = json("readcap", &["readcap", "sim:?size=64M&usb=bot"]);
    for field in ["block_length", "blocks", "last_lba"] {
        assert_eq!(usb[field], direct[field], "{field}");
    }
    let inquiry = json("inquiry", &["inquiry", "sim:?usb=bot&vendor=ACME"]);
    let vendor = &inquiry["inquiry"]["data"]["t10_vendor_identification"];
    assert_eq!(
        vendor.as_str().map(str::trim_end),
        Some("ACME"),
        "{inquiry}"
    );
    let sync = json("sync", &["sync", "sim:?usb=bot"]);
    assert_eq!(sync["command"], "SYNCHRONIZE CACHE (10)", "{sync}");
}

#[test]
fn nvme_commands_tunnel_through_a_bridge_behind_bulk_only() {
    let drive = json("nvme-id-ctrl", &["nvme", "id-ctrl", "sim:nvme?size=1M"]);
    for bridge in ["bridge-asmedia", "bridge-realtek", "bridge-jmicron"] {
        let uri = format!("sim:{bridge}?size=1M&usb=bot");
        let id = json("nvme-id-ctrl", &["nvme", "id-ctrl", &uri]);
        assert_eq!(id["sn"], drive["sn"], "{bridge}");
    }
}

#[test]
fn verbose_shows_the_bulk_only_wire() {
    let out = scsitool(&["-v", "tur", "sim:?usb=bot"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let trace = String::from_utf8_lossy(&out.stderr);
    // TEST UNIT READY's CBW (no data, CDB 00h x6) and its CSW, with their bytes (BOT 5.1,
    // 5.2: signatures USBC and USBS).
    assert!(
        trace.contains("CBW tag 00000001 LUN 0 length 0 out CDB 00 00 00 00 00 00"),
        "{trace}"
    );
    assert!(trace.contains("0000  55 53 42 43"), "{trace}");
    assert!(trace.contains("CSW tag 00000001 status Failed"), "{trace}");
    assert!(trace.contains("0000  55 53 42 53"), "{trace}");
    // Without -v, nothing of the wire.
    let quiet = scsitool(&["tur", "sim:?usb=bot"]);
    assert!(!String::from_utf8_lossy(&quiet.stderr).contains("CBW"));
}

#[test]
fn a_protocol_the_interface_lacks_is_refused() {
    let out = scsitool(&["--usb-proto", "uas", "inquiry", "sim:?usb=bot"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("UAS"), "{text}");
}

/// Each USB face and protocol choice: the sim: options and the `--usb-proto` flag.
const FACES: [(&str, &str); 5] = [
    ("usb=bot", "auto"),
    ("usb=uas", "auto"),
    ("usb=uas&speed=high", "uas"),
    ("usb=dual", "bot"),
    ("usb=dual&speed=high", "uas"),
];

/// Runs a `--json` command over `face`, checking exit 0 and the schema.
fn over(face: (&str, &str), schema: &str, args: &[&str], uri: &str) -> serde_json::Value {
    let mut full = vec!["--usb-proto", face.1];
    full.extend_from_slice(args);
    full.push(uri);
    json(schema, &full)
}

#[test]
fn every_device_command_works_over_each_usb_face() {
    for face in FACES {
        let uri = format!("sim:?size=4M&luns=2&{}", face.0);
        let uri = uri.as_str();
        let inquiry = over(face, "inquiry-all", &["inquiry", "--all"], uri);
        assert!(
            inquiry["vpd"].as_array().is_some_and(|p| p.len() >= 3),
            "{face:?}"
        );
        let cap = over(face, "readcap", &["readcap", "--16"], uri);
        assert_eq!(cap["blocks"], 8192, "{face:?}");
        let tur = over(face, "tur", &["tur", "--count", "5"], uri);
        assert_eq!(tur["count"], 5, "{face:?}: {tur}");
        let luns = over(face, "luns", &["luns"], uri);
        assert_eq!(luns["luns"].as_array().map(Vec::len), Some(2), "{face:?}");
        let opcodes = over(face, "opcodes", &["opcodes"], uri);
        let commands = &opcodes["report"]["commands"];
        assert!(
            commands.as_array().is_some_and(|c| c.len() > 10),
            "{face:?}"
        );
        let sync = over(face, "sync", &["sync"], uri);
        assert_eq!(sync["command"], "SYNCHRONIZE CACHE (10)");
        let wce = over(face, "wce-set", &["wce", "set", "off"], uri);
        assert_eq!(wce["wce"], false, "{face:?}");
        let journal = journal(face);
        let verify = over(
            face,
            "verify",
            &["verify", "--size", "1M", "--journal", &journal],
            uri,
        );
        std::fs::remove_file(&journal).expect("the run's journal");
        let tally = &verify["outcome"]["verify"]["tally"];
        assert_eq!(tally["faults"], 0, "{face:?}: {verify}");
        assert_eq!(tally["counts"]["ok"], 2048, "{face:?}: {tally}");
    }
}

/// A fresh journal path of this test process for `face`.
fn journal(face: (&str, &str)) -> String {
    let path = std::env::temp_dir().join(format!(
        "scsitool-usb-sim-{}-{}-{}.journal",
        std::process::id(),
        face.0.replace(['=', '&'], "-"),
        face.1
    ));
    path.display().to_string()
}

#[test]
fn a_vendor_cdb_moves_its_data_over_bot_and_loses_it_over_uas_on_the_field_bridge() {
    // ASMedia's E6h Identify tunnel CDB on a bridge with alt 0 BOT and alt 1 UAS whose
    // UAS firmware runs unknown CDBs without their data phase.
    let uri = "sim:bridge-asmedia?size=1M&serial=FIELD1&usb=dual&uas-quirk=drop-unknown-data-phase";
    let cdb = "e6 06 00 01 00 00 00 00 00 00 00 00 00 00 00 00";
    let run = |proto: &'static str| {
        let mut args = vec!["--usb-proto", proto, "raw", uri];
        args.extend(cdb.split_whitespace());
        args.extend(["--in", "4096"]);
        args
    };
    let bot = json("raw", &run("bot"));
    assert_eq!(bot["residual"], 0);
    // Identify Controller's SN, bytes 4 to 23 (NVMe Base 2.0 5.17.2.1).
    assert!(
        bot["data_in"]
            .as_str()
            .unwrap()
            .starts_with("36 1b f4 1a 46 49 45 4c 44 31"),
        "{bot}"
    );
    let uas = json("raw", &run("uas"));
    assert_eq!(uas["status"]["name"], "GOOD");
    assert_eq!(uas["residual"], 4096, "{uas}");
    assert_eq!(uas["data_in"], "");
    // People are told what happened.
    let human = scsitool(&run("uas"));
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("none of the data phase moved"), "{text}");
    assert!(text.contains("--usb-proto bot"), "{text}");
}

#[test]
fn verbose_shows_the_uas_ius() {
    let out = scsitool(&[
        "-v",
        "--usb-proto",
        "uas",
        "readcap",
        "sim:?usb=dual&speed=high",
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let trace = String::from_utf8_lossy(&out.stderr);
    // SET_INTERFACE to alt 1, READ CAPACITY (10)'s Command IU, the Read Ready IU of high
    // speed, the data and the Sense IU (UAS-2 6.2).
    assert!(trace.contains("control 01 0b wValue 0001"), "{trace}");
    assert!(
        trace.contains("Command IU tag 1 LUN 00 00 00 00 00 00 00 00 CDB 25 00"),
        "{trace}"
    );
    assert!(trace.contains("Read Ready IU"), "{trace}");
    assert!(trace.contains("data-in 8 bytes"), "{trace}");
    assert!(trace.contains("Sense IU tag 1 status GOOD"), "{trace}");
}

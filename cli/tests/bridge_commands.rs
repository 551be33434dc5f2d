//! The USB–NVMe bridge profiles end to end (`sim:bridge-...`): each bridge answers as a
//! SCSI disk, rejects WRITE BUFFER, and answers its own vendor tunnel CDBs — and only its
//! own — as the layouts in smartmontools' SCSI-to-NVMe tunnels say. Multi-command symptoms
//! (Realtek's stale bytes, JMicron's firmware download, the A1h reset seen by the next
//! command) need one device across commands and are tested in the emulator's bridge tests.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{json, json_exiting, scsitool};
use serde_json::Value;

const BRIDGES: [&str; 4] = [
    "bridge-no-write-buffer",
    "bridge-asmedia",
    "bridge-realtek",
    "bridge-jmicron",
];

/// The bytes of a space-separated hex string.
fn bytes(hex: &Value) -> Vec<u8> {
    hex.as_str()
        .unwrap()
        .split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect()
}

/// `raw` with `cdb` (hex bytes) and extra arguments, expecting exit status `code`.
fn raw(uri: &str, cdb: &str, extra: &[&str], code: i32) -> Value {
    let mut args = vec!["raw", uri];
    args.extend(cdb.split_whitespace());
    args.extend_from_slice(extra);
    json_exiting("raw", &args, code)
}

/// The sense key, ASC and ASCQ of a `raw` answer.
fn sense(value: &Value) -> (u64, u64, u64) {
    (
        value["sense"]["sense_key"]["code"].as_u64().unwrap(),
        value["sense"]["additional_sense"]["asc"].as_u64().unwrap(),
        value["sense"]["additional_sense"]["ascq"].as_u64().unwrap(),
    )
}

/// The FIELD POINTER of a `raw` answer's fixed-format sense: C/D and the byte.
fn field_pointer(value: &Value) -> (bool, u64) {
    let sks = &value["sense"]["format"]["fixed"]["sense_key_specific"];
    assert_eq!(sks["kind"], "field_pointer", "{value}");
    (
        sks["command"].as_bool().unwrap(),
        sks["field_pointer"].as_u64().unwrap(),
    )
}

#[test]
fn sim_profiles_lists_the_bridges() {
    let value = json("sim-profiles", &["sim", "profiles"]);
    let listed = value["profiles"].to_string();
    for name in BRIDGES {
        assert!(listed.contains(&format!("\"{name}\"")), "{name}: {listed}");
    }
}

#[test]
fn every_bridge_is_a_scsi_disk_over_the_namespace() {
    for name in BRIDGES {
        let uri = format!("sim:{name}?size=64M&bs=4096");
        let cap = json("readcap", &["readcap", &uri]);
        assert_eq!(cap["block_length"], 4096, "{name}");
        assert_eq!(cap["blocks"], 16384, "{name}");
        let inquiry = json("inquiry", &["inquiry", &uri]);
        assert_eq!(inquiry["inquiry"]["kind"], "standard");
        let serial = json("inquiry", &["inquiry", "--vpd", "0x80", &uri]);
        assert!(serial.to_string().contains("SIM0001"), "{name}: {serial}");
    }
    let realtek = json("inquiry", &["inquiry", "sim:bridge-realtek?size=1M"]);
    assert_eq!(
        realtek["inquiry"]["data"]["t10_vendor_identification"],
        "Realtek"
    );
}

#[test]
fn write_buffer_on_every_bridge_is_an_invalid_opcode() {
    for name in BRIDGES {
        let value = raw(
            &format!("sim:{name}?size=1M"),
            "3b 05 00 00 00 00 00 00 00 00",
            &[],
            5,
        );
        assert_eq!(value["command"], "WRITE BUFFER");
        // ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE.
        assert_eq!(sense(&value), (5, 0x20, 0), "{name}");
    }
}

#[test]
fn asmedia_tunnel_returns_the_identify_controller_of_the_drive() {
    let id = json("nvme-id-ctrl", &["nvme", "id-ctrl", "sim:nvme?size=1M"]);
    let value = raw(
        "sim:bridge-asmedia?size=1M",
        "e6 06 00 01 00 00 00 00 00 00 00 00 00 00 00 00",
        &["--in", "4096"],
        0,
    );
    let data = bytes(&value["data_in"]);
    assert_eq!(data.len(), 4096);
    // Identify Controller SN, bytes 4 to 23, space padded (NVMe Base 2.0 5.17.2.1).
    let sn = String::from_utf8(data[4..24].to_vec()).unwrap();
    assert_eq!(sn.trim_end(), id["sn"].as_str().unwrap());
    // Realtek's tunnel reads the same structure.
    let value = raw(
        "sim:bridge-realtek?size=1M",
        "e4 00 10 06 01 00 00 00 00 00 00 00 00 00 00 00",
        &["--in", "4096"],
        0,
    );
    assert_eq!(bytes(&value["data_in"]), data);
}

#[test]
fn each_bridge_rejects_the_others_tunnels() {
    let asmedia = "e6 06 00 01 00 00 00 00 00 00 00 00 00 00 00 00";
    let realtek = "e4 00 10 06 01 00 00 00 00 00 00 00 00 00 00 00";
    for (name, cdb) in [
        ("bridge-no-write-buffer", asmedia),
        ("bridge-no-write-buffer", realtek),
        ("bridge-asmedia", realtek),
        ("bridge-realtek", asmedia),
        ("bridge-jmicron", asmedia),
        ("bridge-jmicron", realtek),
    ] {
        let value = raw(&format!("sim:{name}?size=1M"), cdb, &["--in", "4096"], 5);
        assert_eq!(sense(&value), (5, 0x20, 0), "{name} {cdb}");
    }
}

#[test]
fn malformed_tunnel_cdbs_get_invalid_field_with_a_field_pointer() {
    // ASMedia: opcode 10h (Firmware Commit) is not Identify or Get Log Page.
    let value = raw(
        "sim:bridge-asmedia?size=1M",
        "e6 10 00 01 00 00 00 00 00 00 00 00 00 00 00 00",
        &["--in", "512"],
        5,
    );
    assert_eq!(sense(&value), (5, 0x24, 0));
    assert_eq!(field_pointer(&value), (true, 1));
    // Realtek: a transfer longer than the chip's 4 KiB buffer (LE16 2000h).
    let value = raw(
        "sim:bridge-realtek?size=1M",
        "e4 00 20 06 01 00 00 00 00 00 00 00 00 00 00 00",
        &["--in", "8192"],
        5,
    );
    assert_eq!(sense(&value), (5, 0x24, 0));
    assert_eq!(field_pointer(&value), (true, 2));
    // JMicron: the response step asks for 256 bytes, not the 512-byte block.
    let value = raw(
        "sim:bridge-jmicron?size=1M",
        "a1 8f 00 00 01 00 00 00 00 00 00 00",
        &["--in", "256"],
        5,
    );
    assert_eq!(sense(&value), (5, 0x24, 0));
    assert_eq!(field_pointer(&value), (true, 3));
}

#[test]
fn jmicrons_command_block_is_a_tunnel_step_on_jmicron_and_a_reset_elsewhere() {
    let dir = std::env::temp_dir().join(format!("scsitool-bridge-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let block = dir.join("block.bin");
    std::fs::write(&block, [0u8; 512]).unwrap();
    let out = block.to_str().unwrap();
    let cdb = "a1 80 00 00 02 00 00 00 00 00 00 00";
    // JMicron checks the block: no "NVME" signature is INVALID FIELD IN PARAMETER LIST.
    let value = raw(
        "sim:bridge-jmicron?size=1M",
        cdb,
        &["--out", out, "--any-phase"],
        5,
    );
    assert_eq!(sense(&value), (5, 0x26, 0));
    assert_eq!(field_pointer(&value), (false, 0));
    // A SAT-style bridge reads PROTOCOL 0 as an ATA hardware reset and completes it.
    for name in ["bridge-no-write-buffer", "bridge-asmedia", "bridge-realtek"] {
        let value = raw(
            &format!("sim:{name}?size=1M"),
            cdb,
            &["--out", out, "--any-phase"],
            0,
        );
        assert_eq!(value["status"]["name"], "GOOD", "{name}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn nvme_commands_reach_the_drive_behind_a_known_bridge() {
    for name in ["bridge-asmedia", "bridge-realtek", "bridge-jmicron"] {
        let uri = format!("sim:{name}?size=1M&serial=BEHIND1");
        let value = common::json("nvme-id-ctrl", &["nvme", "id-ctrl", &uri]);
        assert_eq!(value["sn"].as_str().unwrap().trim(), "BEHIND1", "{name}");
    }
    let out = common::scsitool(&["nvme", "id-ctrl", "sim:bridge-no-write-buffer?size=1M"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a known USB–NVMe bridge"));
}

#[test]
fn bridge_flag_overrides_the_vid_pid_table() {
    let drive = json("nvme-id-ctrl", &["nvme", "id-ctrl", "sim:nvme?size=1M"]);
    // The named tunnel is the one used: Realtek's works on the Realtek bridge, ASMedia's
    // reaches the same bridge as an E6h CDB it does not know.
    let named = json(
        "nvme-id-ctrl",
        &[
            "--bridge",
            "realtek",
            "nvme",
            "id-ctrl",
            "sim:bridge-realtek?size=1M",
        ],
    );
    assert_eq!(named["sn"], drive["sn"]);
    let wrong = scsitool(&[
        "--bridge",
        "asmedia",
        "nvme",
        "id-ctrl",
        "sim:bridge-realtek?size=1M",
    ]);
    assert_eq!(wrong.status.code(), Some(8));
    let stderr = String::from_utf8_lossy(&wrong.stderr);
    assert!(
        stderr.contains("ASMedia") && stderr.contains("20h/00h"),
        "{stderr}"
    );
    // JMicron's steps on the SAT-style bridge: its first CDB is refused, nothing is invented.
    let sat = scsitool(&[
        "--bridge",
        "jmicron",
        "nvme",
        "id-ctrl",
        "sim:bridge-no-write-buffer?size=1M",
    ]);
    assert_eq!(sat.status.code(), Some(8));
    // `none` keeps a known bridge's tunnel shut.
    let none = scsitool(&[
        "--bridge",
        "none",
        "nvme",
        "id-ctrl",
        "sim:bridge-jmicron?size=1M",
    ]);
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("--bridge none"));
    let unknown = scsitool(&["--bridge", "sat", "nvme", "id-ctrl", "sim:"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr)
        .contains("expected asmedia, realtek, jmicron or none"));
}

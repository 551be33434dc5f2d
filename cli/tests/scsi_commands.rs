//! `sync`, `wce`, `luns`, `opcodes` and `raw` end to end on the built-in emulated devices
//! (`sim:`): facts from the URI's configuration and the standards, JSON against the
//! committed schemas, and exit statuses. Each run of the binary is a fresh device, so a
//! change is checked by the command's own read-back, or through a file-backed medium.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{json, json_exiting, scsitool};
use serde_json::Value;

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

#[test]
fn sync_sends_the_form_asked_for_and_the_device_checks_the_range() {
    let ten = json("sync", &["sync", "sim:?size=1M"]);
    assert_eq!(ten["command"], "SYNCHRONIZE CACHE (10)");
    assert_eq!(ten["number_of_logical_blocks"], 0);
    let sixteen = json(
        "sync",
        &[
            "sync",
            "--16",
            "--immed",
            "--lba",
            "7",
            "--blocks",
            "9",
            "sim:?size=1M",
        ],
    );
    assert_eq!(sixteen["command"], "SYNCHRONIZE CACHE (16)");
    assert_eq!(sixteen["immed"], true);
    assert_eq!(sixteen["logical_block_address"], 7);
    assert_eq!(sixteen["number_of_logical_blocks"], 9);
    // 1 MiB of 512-byte blocks: LBAs 0 to 2047 (SBC-4 5.28: beyond is 21h/00h).
    let last = scsitool(&["sync", "--lba", "2047", "--blocks", "1", "sim:?size=1M"]);
    assert_eq!(last.status.code(), Some(0), "{last:?}");
    let beyond = scsitool(&["sync", "--lba", "2047", "--blocks", "2", "sim:?size=1M"]);
    assert_eq!(beyond.status.code(), Some(5), "{beyond:?}");
    assert!(
        stderr(&beyond).contains("LOGICAL BLOCK ADDRESS OUT OF RANGE"),
        "{beyond:?}"
    );
    let human = scsitool(&["sync", "sim:?size=1M"]);
    assert!(stdout(&human).contains("SYNCHRONIZE CACHE (10) completed"));
}

#[test]
fn sync_10_refuses_what_its_fields_cannot_hold() {
    // SBC-4 5.28: a 32-bit LOGICAL BLOCK ADDRESS and a 16-bit NUMBER OF LOGICAL BLOCKS.
    for (args, limit) in [
        (&["--lba", "4294967296"][..], "maximum 4294967295"),
        (&["--blocks", "65536"], "maximum 65535"),
    ] {
        let mut full = vec!["sync"];
        full.extend_from_slice(args);
        full.push("sim:?size=1M");
        let out = scsitool(&full);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let message = stderr(&out);
        assert!(
            message.contains(limit) && message.contains("--16"),
            "{message}"
        );
        // The same values fit SYNCHRONIZE CACHE (16); the device then judges the range.
        full.insert(1, "--16");
        assert_ne!(scsitool(&full).status.code(), Some(2), "{full:?}");
    }
}

#[test]
fn wce_get_reports_the_power_on_state_the_uri_gave() {
    let off = json("wce-get", &["wce", "get", "sim:?wce=off&size=1M"]);
    assert_eq!(off["wce"], false);
    assert_eq!(off["changeable"], true);
    let on = json("wce-get", &["wce", "get", "sim:?size=1M"]);
    assert_eq!(on["wce"], true);
    let human = scsitool(&["wce", "get", "sim:?wce=off&size=1M"]);
    assert!(
        stdout(&human).contains("WCE         0  [cha: y]"),
        "{human:?}"
    );
}

#[test]
fn wce_set_changes_the_bit_and_reads_it_back() {
    let off = json("wce-set", &["wce", "set", "off", "sim:?size=1M"]);
    assert_eq!(off["previous"], true);
    assert_eq!(off["wce"], false);
    assert_eq!(off["changeable"], true);
    let on = json("wce-set", &["wce", "set", "on", "sim:?wce=off&size=1M"]);
    assert_eq!(on["previous"], false);
    assert_eq!(on["wce"], true);
    // Setting the value it already has is allowed and says so.
    let same = json("wce-set", &["wce", "set", "on", "sim:?size=1M"]);
    assert_eq!(
        (&same["previous"], &same["wce"]),
        (&Value::Bool(true), &Value::Bool(true))
    );
    for args in [
        &["wce", "set", "maybe", "sim:"][..],
        &["wce", "set", "on"],
        &["wce", "get", "sim:nvme"],
    ] {
        assert_eq!(scsitool(args).status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn luns_lists_the_logical_units_the_uri_gave() {
    let value = json("luns", &["luns", "sim:?luns=3&size=1M"]);
    assert_eq!(value["lun_list_length"], 24);
    assert_eq!(value["truncated"], false);
    let luns = value["luns"].as_array().unwrap();
    assert_eq!(luns.len(), 3);
    for (n, lun) in luns.iter().enumerate() {
        // SAM-5 4.7.5: peripheral device addressing, bus 0, LUN n in byte 1.
        assert_eq!(lun["linux_lun"], n.to_string());
        assert_eq!(lun["bytes"][1], n);
        assert_eq!(lun["levels"][0]["address_method"], "peripheral_device");
        assert_eq!(lun["levels"][0]["target_or_lun"], n);
    }
    let human = stdout(&scsitool(&["luns", "sim:?luns=3&size=1M"]));
    assert!(human.contains("which implies 3 lun entries"), "{human}");
    assert!(
        human.contains("    0002000000000000  Peripheral device addressing: lun=2\n"),
        "{human}"
    );
    // SELECT REPORT 01h: well known logical units only; the disk has none (SPC-5 6.33).
    let wlun = json("luns", &["luns", "--select", "1", "sim:?luns=3&size=1M"]);
    assert_eq!(wlun["luns"].as_array().unwrap().len(), 0);
    // A reserved SELECT REPORT is an invalid field in the CDB.
    assert_eq!(
        scsitool(&["luns", "--select", "0x13", "sim:"])
            .status
            .code(),
        Some(5)
    );
    assert_eq!(
        scsitool(&["luns", "--select", "zz", "sim:"]).status.code(),
        Some(2)
    );
}

/// The all-commands list from `opcodes` as (operation code, name) pairs.
fn supported(uri: &str) -> Vec<(u64, String)> {
    let value = json("opcodes", &["opcodes", uri]);
    assert_eq!(value["report"]["format"], "all_commands");
    value["report"]["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["operation_code"].as_u64().unwrap(),
                c["name"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn opcodes_lists_what_the_disk_does_and_not_log_sense() {
    // The disk's command table (emulator/src/sbc/commands.rs) has INQUIRY, READ (10) and
    // WRITE BUFFER (microcode download), and no LOG SENSE.
    let list = supported("sim:?size=1M");
    assert!(list.contains(&(0x12, "INQUIRY".to_string())), "{list:?}");
    assert!(list.contains(&(0x28, "READ (10)".to_string())), "{list:?}");
    assert!(
        list.contains(&(0x3b, "WRITE BUFFER".to_string())),
        "{list:?}"
    );
    assert!(!list.iter().any(|(op, _)| *op == 0x4d), "{list:?}");
    let human = stdout(&scsitool(&["opcodes", "sim:?size=1M"]));
    assert!(
        human.contains("   28                 10    READ (10)"),
        "{human}"
    );
}

#[test]
fn opcodes_one_command_reports_support_and_cdb_usage() {
    let read10 = json("opcodes", &["opcodes", "--op", "28", "sim:?size=1M"]);
    let report = &read10["report"];
    assert_eq!(report["format"], "one_command");
    assert_eq!(report["name"], "READ (10)");
    // SPC-5 6.36.3: SUPPORT 011b, CDB SIZE 10, usage data starting with the opcode.
    assert_eq!(report["support"]["code"], 3);
    assert_eq!(report["cdb_size"], 10);
    assert_eq!(report["cdb_usage_data"][0], 0x28);
    let write_buffer = json("opcodes", &["opcodes", "--op", "0x3b", "sim:?size=1M"]);
    assert_eq!(write_buffer["report"]["name"], "WRITE BUFFER");
    assert_eq!(write_buffer["report"]["support"]["code"], 3);
    let log_sense = json("opcodes", &["opcodes", "--op", "0x4d", "sim:?size=1M"]);
    assert_eq!(log_sense["report"]["name"], "LOG SENSE");
    assert_eq!(log_sense["report"]["support"]["code"], 1);
    let human = stdout(&scsitool(&["opcodes", "--op", "4dh", "sim:"]));
    assert!(
        human.contains("SUPPORT: command not supported (1)"),
        "{human}"
    );
    let rc16 = json(
        "opcodes",
        &["opcodes", "--op", "9e", "--sa", "10", "sim:?size=1M"],
    );
    assert_eq!(rc16["report"]["name"], "READ CAPACITY (16)");
    assert_eq!(rc16["report"]["cdb_size"], 16);
    for args in [
        &["opcodes", "--op", "9e", "sim:"][..],
        &["opcodes", "--sa", "10", "sim:"],
        &["opcodes", "--op", "100", "sim:"],
    ] {
        let out = scsitool(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
    }
}

#[test]
fn raw_unsupported_opcode_prints_the_sense_and_exits_5() {
    // LOG SENSE, which the emulated disk does not implement.
    let cdb = ["4d", "00", "40", "00", "00", "00", "00", "00", "00", "00"];
    let mut args = vec!["raw", "sim:?size=1M"];
    args.extend_from_slice(&cdb);
    let out = scsitool(&args);
    assert_eq!(out.status.code(), Some(5), "{out:?}");
    let text = stdout(&out);
    assert!(text.contains("SCSI Status: CHECK CONDITION"), "{text}");
    assert!(text.contains("ILLEGAL REQUEST"), "{text}");
    assert!(text.contains("INVALID COMMAND OPERATION CODE"), "{text}");
    let value = json_exiting("raw", &args, 5);
    assert_eq!(value["status"]["code"], 2);
    assert_eq!(value["command"], "LOG SENSE");
    assert_eq!(value["sense"]["additional_sense"]["asc"], 0x20);
    assert_eq!(value["sense"]["additional_sense"]["ascq"], 0);
}

/// The bytes of a space-separated hex string.
fn bytes(hex: &Value) -> Vec<u8> {
    hex.as_str()
        .unwrap()
        .split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect()
}

#[test]
fn raw_inquiry_returns_the_data_in_asked_for() {
    let args = [
        "raw",
        "sim:?vendor=ACME&size=1M",
        "12",
        "00",
        "00",
        "00",
        "24",
        "00",
        "--in",
        "36",
    ];
    let value = json("raw", &args);
    assert_eq!(value["status"]["name"], "GOOD");
    let data = bytes(&value["data_in"]);
    assert_eq!(data.len(), 36);
    // SPC-5 6.7.2: T10 VENDOR IDENTIFICATION, bytes 8 to 15, space padded.
    assert_eq!(&data[8..16], b"ACME    ");
    assert_eq!(value["residual"], 0);
    let human = stdout(&scsitool(&args));
    assert!(human.contains("Received 36 bytes of data:"), "{human}");
    // Asking for more than INQUIRY's allocation length says leaves a residual.
    let longer = json(
        "raw",
        &["raw", "sim:?size=1M", "120000002400", "--in", "96"],
    );
    assert_eq!(bytes(&longer["data_in"]).len(), 36);
    assert_eq!(longer["residual"], 60);
}

#[test]
fn raw_writes_with_out_and_only_durable_data_outlives_the_run() {
    let dir = std::env::temp_dir().join(format!("scsitool-raw-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let uri = format!("sim:{}?size=1M", dir.join("disk.img").display());
    let block: Vec<u8> = (0..512u32).map(|i| (i * 7 + 3) as u8).collect();
    let out_path = dir.join("block.bin");
    std::fs::write(&out_path, &block).unwrap();
    let out = out_path.to_str().unwrap();
    // WRITE (10) with FUA (SBC-4 5.40: byte 1 bit 3) of one block at LBA 5: durable in the
    // file, so a new run (a fresh device) reads it back.
    let write = scsitool(&["raw", &uri, "2a 08 00 00 00 05 00 00 01 00", "--out", out]);
    assert_eq!(write.status.code(), Some(0), "{write:?}");
    let read_path = dir.join("read.bin");
    let read = read_path.to_str().unwrap();
    let value = json(
        "raw",
        &[
            "raw",
            &uri,
            "28 00 00 00 00 05 00 00 01 00",
            "--in",
            "512",
            "--outfile",
            read,
        ],
    );
    assert_eq!(value["outfile"], read);
    assert_eq!(std::fs::read(&read_path).unwrap(), block);

    // The same write without FUA lands in the volatile write cache (WCE is on): the run
    // ends, which is a power cut, so the next run reads LBA 6 as it was before — zeros.
    let cached = scsitool(&["raw", &uri, "2a 00 00 00 00 06 00 00 01 00", "--out", out]);
    assert_eq!(cached.status.code(), Some(0), "{cached:?}");
    let after = json(
        "raw",
        &["raw", &uri, "28 00 00 00 00 06 00 00 01 00", "--in", "512"],
    );
    assert_eq!(bytes(&after["data_in"]), vec![0u8; 512]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn raw_usage_errors() {
    for args in [
        // INQUIRY is a 6-byte CDB (SPC-5 4.2.5.1 group 0).
        &["raw", "sim:", "12", "00", "00"][..],
        &["raw", "sim:", "12", "00", "00", "00", "24", "00", "00"],
        &["raw", "sim:", "zz"],
        &["raw", "sim:"],
        &[
            "raw",
            "sim:",
            "120000002400",
            "--in",
            "36",
            "--out",
            "/dev/null",
        ],
        &["raw", "sim:", "120000002400", "--outfile", "/tmp/x"],
    ] {
        let out = scsitool(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
    }
    let missing = scsitool(&[
        "raw",
        "sim:",
        "2a 00 00 00 00 00 00 00 01 00",
        "--out",
        "/nonexistent/block",
    ]);
    assert_eq!(missing.status.code(), Some(1), "{missing:?}");
}

#[test]
fn raw_refuses_a_data_phase_the_cdb_contradicts_unless_told() {
    let dir = std::env::temp_dir().join(format!("scsitool-phase-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let short = dir.join("short.bin");
    std::fs::write(&short, [0x5au8; 480]).unwrap();
    let short = short.to_str().unwrap();
    // WRITE (10) of one block with 480 bytes: a real transport would hang or abort.
    let refused = scsitool(&[
        "raw",
        "sim:?size=1M",
        "2a 00 00 00 00 05 00 00 01 00",
        "--out",
        short,
    ]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    let message = stderr(&refused);
    assert!(
        message.contains("not a whole number of the logical blocks"),
        "{message}"
    );
    assert!(message.contains("--any-phase"), "{message}");
    let write_without_data = scsitool(&["raw", "sim:?size=1M", "2a 00 00 00 00 05 00 00 01 00"]);
    assert_eq!(write_without_data.status.code(), Some(2));
    assert!(stderr(&write_without_data).contains("no data-out was given"));
    // Told to, it sends it; the emulated disk does what a device may: it refuses it.
    let sent = scsitool(&[
        "raw",
        "sim:?size=1M",
        "2a 00 00 00 00 05 00 00 01 00",
        "--out",
        short,
        "--any-phase",
    ]);
    assert_ne!(sent.status.code(), Some(2), "{sent:?}");
    assert!(
        stdout(&sent).contains("DATA PHASE ERROR (4Bh/00h)"),
        "{sent:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

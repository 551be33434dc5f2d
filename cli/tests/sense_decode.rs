//! `scsitool sense decode` end to end: human and JSON output, JSON Schema conformance,
//! malformed buffers, `--status` and streams from standard input.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn scsitool(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scsitool"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = scsitool(args, "");
    assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// QEMU 7.2 scsi-hd's answer to WRITE BUFFER, captured in the test VM.
const QEMU_INVALID_OPCODE: &str = "70 00 05 00 00 00 00 0a 00 00 00 00 20 00 00 00 00 00";

#[test]
fn human_output_reads_like_sg3_utils() {
    let out = scsitool(&["sense", "decode", QEMU_INVALID_OPCODE], "");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Fixed format"), "{text}");
    assert!(text.contains("ILLEGAL REQUEST"), "{text}");
    assert!(text.contains("INVALID COMMAND OPERATION CODE"), "{text}");
}

#[test]
fn json_conforms_to_the_committed_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/schemas/sense-decode.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for sense in [
        QEMU_INVALID_OPCODE,
        // Descriptor format: SKS field pointer, ATA status return, forwarded sense.
        "72 05 24 00 00 00 00 08 02 06 00 00 c0 00 04 00",
        "72 01 00 1d 00 00 00 0e 09 0c 01 00 00 00 00 00 00 00 00 00 00 50",
        "72 0b 00 00 00 00 00 0c 0c 0a 01 72 05 20 00 00 00 00 00 00",
        // Deferred, truncated, unknown response code, vendor specific.
        "71 00 03 00 00 00 00 0a 00 00 00 00 11 00",
        "70 00 06",
        "45 00 05 00",
        "7f 01 02 03",
    ] {
        let value = json(&["--json", "sense", "decode", sense]);
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{sense}: {errors:?} in {value}");
    }
}

#[test]
fn malformed_buffers_decode_what_is_there_and_list_problems() {
    let truncated = json(&[
        "--json",
        "sense",
        "decode",
        "70 00 05 00 00 00 00 0a 00 00 00 00 24",
    ]);
    assert_eq!(truncated["sense_key"]["name"], "ILLEGAL REQUEST");
    assert!(!truncated["problems"].as_array().unwrap().is_empty());

    let bad_code = json(&["--json", "sense", "decode", "45 00 05 00"]);
    assert_eq!(bad_code["response_code"]["format"], "unknown");
    assert!(!bad_code["problems"].as_array().unwrap().is_empty());
}

#[test]
fn status_drives_the_classification() {
    let becoming_ready = "70 00 02 00 00 00 00 0a 00 00 00 00 04 01 00 00 00 00";
    let value = json(&["--json", "sense", "decode", becoming_ready]);
    assert_eq!(value["classification"], "retry_later");
    assert_eq!(value["status"], 2);
    let value = json(&[
        "--json",
        "sense",
        "decode",
        "--status",
        "0x00",
        becoming_ready,
    ]);
    assert_eq!(value["classification"], "good");
    let bad = scsitool(&["sense", "decode", "--status", "zz", becoming_ready], "");
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn empty_or_non_hex_input_is_a_usage_error() {
    let bad = scsitool(&["sense", "decode", "70 00 xx"], "");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8(bad.stderr).unwrap().contains("'xx'"));
    let empty = scsitool(&["sense", "decode", "#"], "");
    assert_eq!(empty.status.code(), Some(2));
}

#[test]
fn stdin_gives_one_json_line_per_buffer() {
    let out = scsitool(
        &["--json", "sense", "decode", "-"],
        &format!("{QEMU_INVALID_OPCODE}\n70 00 06 00 00 00 00 0a 00 00 00 00 29 00 00 00 00 00\n"),
    );
    assert_eq!(out.status.code(), Some(0));
    let keys: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["sense_key"]["name"].to_string()
        })
        .collect();
    assert_eq!(keys, ["\"ILLEGAL REQUEST\"", "\"UNIT ATTENTION\""]);
}

#[test]
fn exit_status_reports_the_category_of_the_sense() {
    let cases = [
        (QEMU_INVALID_OPCODE, 5),
        ("70 00 02 00 00 00 00 0a 00 00 00 00 04 01 00 00 00 00", 3),
        ("70 00 03 00 00 00 00 0a 00 00 00 00 11 00 00 00 00 00", 4),
        ("70 00 02 00 00 00 00 0a 00 00 00 00 04 22 00 00 00 00", 7),
        ("70 00 0e 00 00 00 00 0a 00 00 00 00 1d 00 00 00 00 00", 9),
        ("70 00 07 00 00 00 00 0a 00 00 00 00 27 00 00 00 00 00", 6),
        ("70 00 01 00 00 00 00 0a 00 00 00 00 17 01 00 00 00 00", 0),
    ];
    for (sense, code) in cases {
        let out = scsitool(&["sense", "decode", "--exit-status", sense], "");
        assert_eq!(out.status.code(), Some(code), "{sense}");
        // The decoded text is still printed.
        assert!(!out.stdout.is_empty(), "{sense}");
        // Without the flag, decoding itself succeeds.
        assert_eq!(
            scsitool(&["sense", "decode", sense], "").status.code(),
            Some(0)
        );
    }
}

#[test]
fn stdin_is_handled_line_by_line_with_specific_errors() {
    // A bad line stops the run, naming the line, after the good lines were printed.
    let out = scsitool(
        &["--json", "sense", "decode", "-"],
        &format!("{QEMU_INVALID_OPCODE}\nzz\n{QEMU_INVALID_OPCODE}\n"),
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 1);
    let message = String::from_utf8(out.stderr).unwrap();
    assert!(message.contains("standard input line 2"), "{message}");

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_scsitool"))
        .args(["sense", "decode", "-"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"\xff 70\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("line 1: not UTF-8"));

    let long = "7".repeat(70_000);
    let out = scsitool(&["sense", "decode", "-"], &long);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("longer than"));

    let mixed = scsitool(&["sense", "decode", "-", "70"], "");
    assert_eq!(mixed.status.code(), Some(2));
    assert!(String::from_utf8(mixed.stderr)
        .unwrap()
        .contains("must be the only HEX argument"));
}

#[test]
fn exit_status_of_a_stream_is_the_first_failure() {
    let no_sense = "70 00 00 00 00 00 00 0a 00 00 00 00 00 00 00 00 00 00";
    let not_ready = "70 00 02 00 00 00 00 0a 00 00 00 00 04 01 00 00 00 00";
    let input = format!("{no_sense}\n{QEMU_INVALID_OPCODE}\n{not_ready}\n");
    let out = scsitool(&["--json", "sense", "decode", "--exit-status", "-"], &input);
    assert_eq!(out.status.code(), Some(5));
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 3);
}

#[test]
fn status_must_be_one_hex_byte() {
    for bad in ["0x0x2", "+2", "100", ""] {
        let out = scsitool(
            &["sense", "decode", "--status", bad, QEMU_INVALID_OPCODE],
            "",
        );
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
    let ok = scsitool(
        &["sense", "decode", "--status", "0x08", QEMU_INVALID_OPCODE],
        "",
    );
    assert_eq!(ok.status.code(), Some(0));
}

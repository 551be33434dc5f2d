//! `scsitool cdb decode` end to end: human and JSON output, JSON Schema conformance,
//! streams from standard input and malformed input.

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
        .expect("running scsitool");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schemas/cdb-decode.json"
    ))
    .unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

#[test]
fn human_output_names_fields_and_data_phase() {
    let out = scsitool(&["cdb", "decode", "28 00 00 00 10 00 00 00 08 00"], "");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("READ (10)"), "{text}");
    assert!(
        text.contains("LOGICAL BLOCK ADDRESS: 4096 (0x1000)"),
        "{text}"
    );
    assert!(
        text.contains("data phase: data-in 8 logical blocks"),
        "{text}"
    );
}

#[test]
fn json_output_conforms_to_the_committed_schema() {
    let validator = validator();
    for cdb in [
        "00 00 00 00 00 00",
        "9e 10 00 00 00 00 00 00 00 00 00 00 00 20 00 00",
        "2a 08 00 00 00 01 00 00 01 00",
        "c1 00 00 00 00 00",
        "28 00 00 00",
    ] {
        let out = scsitool(&["--json", "cdb", "decode", cdb], "");
        assert_eq!(out.status.code(), Some(0), "{cdb}");
        let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(validator.is_valid(&value), "{cdb}: {value}");
    }
}

#[test]
fn stdin_gives_one_json_line_per_cdb() {
    let out = scsitool(
        &["--json", "cdb", "decode", "-"],
        "12 00 00 00 24 00\n\n# a comment line\n35 02 00 00 00 00 00 00 00 00\n",
    );
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let names: Vec<String> = text
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap()["name"].to_string())
        .collect();
    assert_eq!(names, ["\"INQUIRY\"", "\"SYNCHRONIZE CACHE (10)\""]);
}

#[test]
fn short_cdb_is_decoded_with_a_problem_and_bad_hex_is_a_usage_error() {
    let out = scsitool(&["--json", "cdb", "decode", "28 00 00 00"], "");
    assert_eq!(out.status.code(), Some(0));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!value["problems"].as_array().unwrap().is_empty(), "{value}");

    let bad = scsitool(&["cdb", "decode", "12 0g"], "");
    assert_eq!(bad.status.code(), Some(2));
    let message = String::from_utf8(bad.stderr).unwrap();
    assert!(message.contains("hex token 2 '0g'"), "{message}");

    let empty = scsitool(&["cdb", "decode", "-"], "\n");
    assert_eq!(empty.status.code(), Some(0));
    assert!(empty.stdout.is_empty());
}

#[test]
fn verbose_dumps_the_cdb_on_stderr() {
    let out = scsitool(&["-v", "cdb", "decode", "12 00 00 00 24 00"], "");
    let trace = String::from_utf8(out.stderr).unwrap();
    assert!(trace.contains("CDB (6 bytes):"), "{trace}");
    assert!(trace.contains("0000  12 00 00 00 24 00"), "{trace}");
}

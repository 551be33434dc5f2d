//! What the CLI's end-to-end tests share: running the binary, and checking a `--json`
//! document against the committed schema of its command.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use serde_json::Value;
use std::process::{Command, Output};

/// Runs `scsitool` with `args`.
pub fn scsitool(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scsitool"))
        .args(args)
        .output()
        .unwrap()
}

/// Runs a `--json` command, checks it succeeded and that its output conforms to the
/// committed schema of `schema`.
pub fn json(schema: &str, args: &[&str]) -> Value {
    json_exiting(schema, args, 0)
}

/// Runs a `--json` command, checks it exited with `code` and that its output conforms to
/// the committed schema of `schema`.
pub fn json_exiting(schema: &str, args: &[&str], code: i32) -> Value {
    let mut full = vec!["--json"];
    full.extend_from_slice(args);
    let out = scsitool(&full);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {out:?}");
    let value: Value = serde_json::from_slice(&out.stdout).unwrap();
    let path = format!("{}/schemas/{schema}.json", env!("CARGO_MANIFEST_DIR"));
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{args:?}: {errors:?}");
    value
}

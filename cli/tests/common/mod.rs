//! What the CLI's end-to-end tests share: running the binary, checking a `--json`
//! document against the committed schema of its command, and scratch directories.

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

/// A scratch directory for one test of this process, removed when dropped.
pub struct Scratch(std::path::PathBuf);

impl Scratch {
    /// An empty directory named after the test binary's `tag`.
    pub fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("scsitool-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// The path of `name` in it.
    pub fn path(&self, name: &str) -> String {
        self.0.join(name).display().to_string()
    }

    /// Writes `bytes` to `name` in it and returns the path.
    pub fn write(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.path(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

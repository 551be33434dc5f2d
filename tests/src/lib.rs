//! Shared helpers for the integration tests in `tests/tests/`.

use std::path::PathBuf;
use std::sync::OnceLock;

/// The `scsitool` binary of this build, built (once per test binary) with the same cargo,
/// profile and target directory as the tests, so a test never runs a stale binary.
pub fn scsitool_bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let exe = std::env::current_exe().expect("the test executable's path");
        let profile_dir = exe
            .parent()
            .and_then(|deps| deps.parent())
            .expect("the test executable lives in target/PROFILE/deps");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
        let mut build = std::process::Command::new(cargo);
        build.args(["build", "--quiet", "-p", "scsitool", "--bin", "scsitool"]);
        if profile_dir
            .file_name()
            .is_some_and(|name| name == "release")
        {
            build.arg("--release");
        }
        let status = build.status().expect("running cargo build -p scsitool");
        assert!(status.success(), "cargo build -p scsitool failed");
        let bin = profile_dir.join(format!("scsitool{}", std::env::consts::EXE_SUFFIX));
        assert!(bin.exists(), "{} was not built", bin.display());
        bin
    })
    .clone()
}

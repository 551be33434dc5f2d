//! Shared helpers for the integration tests in `tests/tests/`.

use std::path::PathBuf;

/// The `scsitool` binary of this build, next to the test executable's `deps` directory.
///
/// `cargo test --workspace` builds it (the `scsitool` package has integration tests of its
/// own); running this package's tests alone needs `cargo build -p scsitool` first.
pub fn scsitool_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("the test executable lives in target/PROFILE/deps");
    let bin = profile_dir.join(format!("scsitool{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build -p scsitool` (or `cargo test --workspace`)",
        bin.display()
    );
    bin
}

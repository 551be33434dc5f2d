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

/// The repository's root directory.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives in the repository")
        .to_path_buf()
}

/// Boots the test VM (tests/vm/run) with `tests/vm/scenarios/SCENARIO`, this build's
/// scsitool binary in the guest when `with_scsitool`, and returns the directory holding
/// what the scenario left; panics (pointing at the console log) when the scenario fails.
pub fn run_vm(scenario: &str, with_scsitool: bool) -> PathBuf {
    let tag = scenario.trim_end_matches(".sh");
    let out = std::env::temp_dir().join(format!("scsitool-vm-{tag}-{}", std::process::id()));
    let mut run = std::process::Command::new(repo().join("tests/vm/run"));
    if with_scsitool {
        run.env("SCSITOOL_VM_BIN", scsitool_bin());
    }
    let status = run
        .arg(repo().join("tests/vm/scenarios").join(scenario))
        .arg(&out)
        .status()
        .expect("running tests/vm/run");
    assert!(
        status.success(),
        "the VM scenario {scenario} failed: see {}",
        out.join("console.log").display()
    );
    out
}

/// What one boot of a VM scenario left: each step's standard output (NAME), standard
/// error (NAME.err) and exit status (NAME.rc), and the files it copied out.
pub struct ScenarioOutput(PathBuf);

impl ScenarioOutput {
    /// Boots the VM with `scenario` and this build's scsitool ([`run_vm`]).
    pub fn boot(scenario: &str) -> Self {
        ScenarioOutput(run_vm(scenario, true))
    }

    /// A step's standard output, or a file the scenario left.
    pub fn text(&self, name: &str) -> String {
        std::fs::read_to_string(self.0.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// A file's bytes.
    pub fn bytes(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.0.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// A step's exit status.
    pub fn rc(&self, name: &str) -> i32 {
        let text = self.text(&format!("{name}.rc"));
        text.trim()
            .parse()
            .unwrap_or_else(|e| panic!("{name}.rc '{text}': {e}"))
    }

    /// A step's standard error.
    pub fn err(&self, name: &str) -> String {
        self.text(&format!("{name}.err"))
    }

    /// A scsitool `--json` step that must have exited with `code`.
    pub fn json(&self, name: &str, code: i32) -> serde_json::Value {
        assert_eq!(self.rc(name), code, "{name}: {}", self.err(name));
        serde_json::from_str(&self.text(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }
}

/// Asserts that a line of `listing` (a scenario's device list, `LABEL ...` per line)
/// starts with `label`.
pub fn assert_listed(listing: &str, label: &str) {
    assert!(
        listing.lines().any(|l| l.starts_with(&format!("{label} "))),
        "{label} missing:\n{listing}"
    );
}

/// The value after `key` on the line of `output` that contains it, trimmed.
pub fn after<'a>(output: &'a str, key: &str) -> &'a str {
    output
        .lines()
        .find_map(|line| line.split_once(key).map(|(_, v)| v.trim()))
        .unwrap_or_else(|| panic!("'{key}' not in:\n{output}"))
}

/// Hex bytes separated by spaces, as sg_raw and our JSON print them.
pub fn hex_bytes(hex: &str) -> Vec<u8> {
    hex.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap_or_else(|e| panic!("'{b}': {e}")))
        .collect()
}

/// xorshift64*: the fixed, dependency-free pseudo-random sequence the generated test
/// corpora are built from. Changing it changes every committed corpus file.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 pseudo-random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A pseudo-random byte.
    pub fn byte(&mut self) -> u8 {
        (self.next_u64() >> 24) as u8
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// A coin toss.
    pub fn coin(&mut self) -> bool {
        self.next_u64() & 1 == 1
    }

    /// `n` pseudo-random bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.byte()).collect()
    }

    /// `n` printable ASCII characters without spaces (no trailing-space ambiguity).
    pub fn text(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| b'!' + (self.below(94) as u8)).collect()
    }

    /// One of `items` (not empty).
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

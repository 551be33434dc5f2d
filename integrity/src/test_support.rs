//! Helpers shared by the unit tests: scratch files and a seeded pseudo-random generator.

use std::path::{Path, PathBuf};

/// A fresh path in the temporary directory, removed (with its `.tmp` sibling) on drop.
pub(crate) struct Scratch(pub(crate) PathBuf);

impl Scratch {
    pub(crate) fn new(tag: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let name = format!("scsitool-integrity-{tag}-{}-{nanos}", std::process::id());
        Scratch(std::env::temp_dir().join(name))
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
        let mut temporary = self.0.clone().into_os_string();
        temporary.push(".tmp");
        let _ = std::fs::remove_file(temporary);
    }
}

/// xorshift64*: reproducible test data and choices from a seed.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed | 1)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A value in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub(crate) fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// Writes `len` pseudo-random bytes to `path` and returns them.
pub(crate) fn random_file(path: &Path, len: usize, rng: &mut Rng) -> Vec<u8> {
    let data = rng.bytes(len);
    std::fs::write(path, &data).expect("write scratch file");
    data
}

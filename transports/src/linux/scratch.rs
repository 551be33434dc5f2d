//! A scratch directory for tests that build fake sysfs trees and files.

use std::fs;
use std::path::{Path, PathBuf};

/// A fresh directory under the system's temporary directory, removed on drop.
pub(crate) struct Scratch(PathBuf);

impl Scratch {
    /// A new empty directory named after `tag` and this process.
    pub(crate) fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("scsitool-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("creating a scratch directory");
        Scratch(dir)
    }

    /// The directory.
    pub(crate) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

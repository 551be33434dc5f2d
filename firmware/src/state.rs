//! The resume state file: which image (CRC-32 and length), which device (its
//! [`Identity`]), which method, and how far the device has acknowledged. It is rewritten
//! after every acknowledged chunk, crash-safely: the new contents go to a temporary file
//! in the same directory, which is flushed to stable storage (fsync) and then renamed over
//! the old one (rename is atomic on POSIX file systems), and the directory is flushed too.

use crate::identity::Identity;
use serde::{Deserialize, Serialize};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The state file format version.
pub const VERSION: u32 = 1;

/// Where an interrupted download stood.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumeState {
    /// [`VERSION`].
    pub version: u32,
    /// CRC-32 (IEEE 802.3) of the whole image.
    pub image_crc32: u32,
    /// The image length in bytes.
    pub image_len: u64,
    /// The device the download went to.
    pub identity: Identity,
    /// The method ([`crate::plan::Method::tag`]).
    pub method: String,
    /// Bytes from the start of the image the device has acknowledged.
    pub acknowledged: u64,
}

/// Why the state file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// Reading or writing it failed.
    #[error("state file {path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        error: io::Error,
    },
    /// Its contents are not a state file.
    #[error("state file {path}: not a scsitool firmware state file: {error}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        error: serde_json::Error,
    },
}

/// The CRC-32 (IEEE 802.3) of an image.
pub fn crc32(image: &[u8]) -> u32 {
    crc32fast::hash(image)
}

/// Reads the state at `path`; `None` when there is no file.
pub fn load(path: &Path) -> Result<Option<ResumeState>, StateError> {
    let text = match fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => {
            return Err(StateError::Io {
                path: path.into(),
                error,
            })
        }
    };
    serde_json::from_slice(&text)
        .map(Some)
        .map_err(|error| StateError::Format {
            path: path.into(),
            error,
        })
}

/// Writes `state` to `path` crash-safely (temporary file, fsync, rename, fsync of the
/// directory).
pub fn save(path: &Path, state: &ResumeState) -> Result<(), StateError> {
    let io = |error| StateError::Io {
        path: path.into(),
        error,
    };
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(".tmp");
    let tmp = PathBuf::from(tmp_name);
    let text = serde_json::to_vec_pretty(state).map_err(|error| StateError::Format {
        path: path.into(),
        error,
    })?;
    let mut file = File::create(&tmp).map_err(io)?;
    file.write_all(&text).map_err(io)?;
    file.sync_all().map_err(io)?;
    drop(file);
    fs::rename(&tmp, path).map_err(io)?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // Flushing the directory makes the rename durable; not every platform can open one.
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Removes the state file after a finished download; a missing file is fine.
pub fn remove(path: &Path) -> Result<(), StateError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(StateError::Io {
            path: path.into(),
            error: e,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_and_loads_and_leaves_no_temporary_file() {
        let dir = std::env::temp_dir().join(format!("fw-state-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("image.bin.fwstate");
        assert!(load(&path).unwrap().is_none());
        let state = ResumeState {
            version: VERSION,
            image_crc32: crc32(b"123456789"),
            image_len: 9,
            identity: Identity {
                vendor: "V".into(),
                model: "M".into(),
                revision: "R".into(),
                serial: "S".into(),
            },
            method: "write-buffer-0eh".into(),
            acknowledged: 4096,
        };
        // The CRC-32 check value of "123456789" (IEEE 802.3).
        assert_eq!(state.image_crc32, 0xcbf4_3926);
        save(&path, &state).unwrap();
        save(
            &path,
            &ResumeState {
                acknowledged: 8192,
                ..state.clone()
            },
        )
        .unwrap();
        assert_eq!(load(&path).unwrap().unwrap().acknowledged, 8192);
        assert!(!dir.join("image.bin.fwstate.tmp").exists());
        fs::write(&path, b"garbage").unwrap();
        assert!(matches!(load(&path), Err(StateError::Format { .. })));
        remove(&path).unwrap();
        remove(&path).unwrap();
        fs::remove_dir_all(&dir).unwrap();
    }
}

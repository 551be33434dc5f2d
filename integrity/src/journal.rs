//! The run journal: a small host-side file (never on the device under test) holding a
//! run's parameters and how far the device's promises reach — the last write issued and
//! the last write known durable (covered by an acknowledged flush, or itself acknowledged
//! with FUA or the write cache off). An `issued` record is fsynced before the writes it
//! announces are sent, so the journal never claims fewer issued writes than the device
//! may hold (which would make this run's data look foreign). `durable` records are
//! group-committed: appended at once (they survive a killed process in the page cache)
//! and fsynced at most [`DURABLE_SYNC_INTERVAL`] apart, so a host that loses power loses
//! at most that much of the journal's knowledge — the run then claims less than the
//! device promised, never more. Memory and file size do not grow with the device: the
//! plan is recomputed from the parameters.
//!
//! Format: line 1 is the parameters as JSON; then one record per line, `I <seq>` (writes
//! through `seq` may have been issued) or `D <seq>` (writes through `seq` are durable). A
//! torn last line (a crash mid-append) is ignored.

use crate::classify::Facts;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The longest time `durable` records wait for their fsync.
pub const DURABLE_SYNC_INTERVAL: Duration = Duration::from_millis(50);

/// An open journal, appended to as the run goes.
pub struct Journal {
    file: File,
    path: PathBuf,
    facts: Facts,
    last_sync: Instant,
}

/// Why a journal could not be read.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// The file could not be read or written.
    #[error("journal {path}: {source}")]
    Io {
        /// The journal's path.
        path: String,
        /// The operating system's error.
        source: io::Error,
    },
    /// The file is not a journal of this version.
    #[error("journal {path}: {reason}")]
    Format {
        /// The journal's path.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

impl Journal {
    /// Creates a journal at `path` (refusing to overwrite one) holding `params`, and
    /// fsyncs it and its directory.
    pub fn create<P: Serialize>(path: &Path, params: &P) -> Result<Journal, JournalError> {
        let io = |source| JournalError::Io {
            path: path.display().to_string(),
            source,
        };
        let mut file = OpenOptions::new()
            .create_new(true)
            .write(true)
            .open(path)
            .map_err(io)?;
        let header = serde_json::to_string(params).map_err(|e| JournalError::Format {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        writeln!(file, "{header}").map_err(io)?;
        file.sync_all().map_err(io)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            File::open(dir).and_then(|d| d.sync_all()).map_err(io)?;
        }
        Ok(Journal {
            file,
            path: path.to_path_buf(),
            facts: Facts::default(),
            last_sync: Instant::now(),
        })
    }

    /// Opens an existing journal to go on with it: its parameters and facts.
    /// A torn tail is cut off first, so new records start on a line of their own.
    pub fn resume<P: DeserializeOwned>(path: &Path) -> Result<(Journal, P), JournalError> {
        let (params, facts, complete) = read_complete(path)?;
        let io = |source| JournalError::Io {
            path: path.display().to_string(),
            source,
        };
        let file = OpenOptions::new().append(true).open(path).map_err(io)?;
        file.set_len(complete).map_err(io)?;
        Ok((
            Journal {
                file,
                path: path.to_path_buf(),
                facts,
                last_sync: Instant::now(),
            },
            params,
        ))
    }

    /// The facts recorded so far.
    pub fn facts(&self) -> Facts {
        self.facts
    }

    /// Records, before they are sent, that writes through `seq` may be issued; fsynced
    /// before this returns.
    pub fn issued(&mut self, seq: u64) -> Result<(), JournalError> {
        self.append('I', seq)?;
        self.sync()?;
        self.facts.issued_through = Some(seq);
        Ok(())
    }

    /// Records that writes through `seq` are durable (a flush covering them was
    /// acknowledged, or they were acknowledged with FUA or the cache off); fsynced with
    /// the records of the last [`DURABLE_SYNC_INTERVAL`].
    pub fn durable(&mut self, seq: u64) -> Result<(), JournalError> {
        self.append('D', seq)?;
        if self.last_sync.elapsed() >= DURABLE_SYNC_INTERVAL {
            self.sync()?;
        }
        self.facts.durable_through = Some(seq);
        Ok(())
    }

    /// Fsyncs every record appended so far.
    pub fn sync(&mut self) -> Result<(), JournalError> {
        self.file.sync_data().map_err(|source| self.io(source))?;
        self.last_sync = Instant::now();
        Ok(())
    }

    /// Appends one record.
    fn append(&mut self, kind: char, seq: u64) -> Result<(), JournalError> {
        writeln!(self.file, "{kind} {seq}").map_err(|source| self.io(source))
    }

    /// An I/O error on this journal.
    fn io(&self, source: io::Error) -> JournalError {
        JournalError::Io {
            path: self.path.display().to_string(),
            source,
        }
    }
}

/// Reads a journal: its parameters and the facts its complete records establish.
pub fn read<P: DeserializeOwned>(path: &Path) -> Result<(P, Facts), JournalError> {
    read_complete(path).map(|(params, facts, _)| (params, facts))
}

/// Reads a journal as [`read`] does, and the length of its complete lines (a torn tail
/// lies beyond it).
fn read_complete<P: DeserializeOwned>(path: &Path) -> Result<(P, Facts, u64), JournalError> {
    let shown = || path.display().to_string();
    let io = |source| JournalError::Io {
        path: shown(),
        source,
    };
    let mut reader = BufReader::new(File::open(path).map_err(io)?);
    let mut line = Vec::new();
    let mut complete = 0u64;
    let mut params = None;
    let mut facts = Facts::default();
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line).map_err(io)?;
        // Only a line that reached its newline was fsynced whole.
        if n == 0 || line.last() != Some(&b'\n') {
            break;
        }
        complete += n as u64;
        if params.is_none() {
            params = Some(
                serde_json::from_slice(&line).map_err(|e| JournalError::Format {
                    path: shown(),
                    reason: format!("the parameters line does not parse: {e}"),
                })?,
            );
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        let record = text
            .trim_end()
            .split_once(' ')
            .and_then(|(kind, seq)| Some((kind, seq.parse::<u64>().ok()?)));
        match record {
            Some(("I", seq)) => facts.issued_through = facts.issued_through.max(Some(seq)),
            Some(("D", seq)) => facts.durable_through = facts.durable_through.max(Some(seq)),
            _ => {
                return Err(JournalError::Format {
                    path: shown(),
                    reason: format!("unknown record {:?}", text.trim_end()),
                })
            }
        }
    }
    let params = params.ok_or_else(|| JournalError::Format {
        path: shown(),
        reason: "no parameters line".to_string(),
    })?;
    Ok((params, facts, complete))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Params {
        seed: u64,
        device: String,
    }

    fn path(tag: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("scsitool-journal-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_file(&p);
        p
    }

    #[test]
    fn records_come_back_and_torn_tails_are_ignored() {
        let p = path("roundtrip");
        let params = Params {
            seed: 7,
            device: "sim:".into(),
        };
        let mut j = Journal::create(&p, &params).unwrap();
        j.issued(1023).unwrap();
        j.durable(63).unwrap();
        j.durable(127).unwrap();
        drop(j);
        // A crash mid-append leaves a record without its newline or number.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&p)
            .unwrap()
            .write_all(b"D 99999")
            .unwrap();
        let (back, facts): (Params, Facts) = read(&p).unwrap();
        assert_eq!(back, params);
        // "D 99999" never reached its newline: it was not fsynced whole and must not count.
        assert_eq!(facts.issued_through, Some(1023));
        assert_eq!(facts.durable_through, Some(127), "{facts:?}");
        let (mut j, _): (Journal, Params) = Journal::resume(&p).unwrap();
        assert_eq!(j.facts().durable_through, Some(127));
        j.durable(200).unwrap();
        drop(j);
        let (_, facts): (Params, Facts) = read(&p).unwrap();
        assert_eq!(
            facts.durable_through,
            Some(200),
            "the torn tail was cut before appending"
        );
        assert!(Journal::create(&p, &params).is_err(), "never overwritten");
        let _ = std::fs::remove_file(&p);
    }

    #[test]
    fn garbage_is_a_format_error() {
        let p = path("garbage");
        std::fs::write(&p, b"\x00\x01not json\nD 5\n").unwrap();
        let err = read::<Params>(&p).unwrap_err();
        assert!(matches!(err, JournalError::Format { .. }), "{err}");
        let _ = std::fs::remove_file(&p);
    }
}

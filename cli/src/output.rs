//! How results reach the user: human text modelled on sg3_utils, or `--json` documents
//! whose shape is fixed by a JSON Schema per command (`cli/schemas/`), and `-v`/`-vv`
//! hex dumps of what was sent and received, on standard error.

use crate::hexdump::hexdump;
use anyhow::{Context, Result};
use serde::Serialize;
use std::io::Write;

/// A command's result: serialisable for `--json`, renderable for people.
pub trait Report: Serialize {
    /// The human-readable rendering, ending in a newline.
    fn human(&self) -> String;
}

/// Output settings shared by every command (the global `--json` and `-v` flags).
#[derive(Debug, Clone, Copy, Default)]
pub struct Output {
    /// Print JSON documents instead of text.
    pub json: bool,
    /// 0: results only; 1 (`-v`): also CDBs and sense in hex; 2 (`-vv`): also data.
    pub verbose: u8,
}

impl Output {
    /// Prints one result: pretty JSON with `--json`, else its human rendering.
    pub fn emit(&self, report: &impl Report) -> Result<()> {
        let text = if self.json {
            let mut text = serde_json::to_string_pretty(report).context("serialising JSON")?;
            text.push('\n');
            text
        } else {
            report.human()
        };
        write_stdout(&text)
    }

    /// Prints one result of a stream: a single JSON line (JSON Lines) with `--json`, else
    /// its human rendering followed by a blank line.
    pub fn emit_line(&self, report: &impl Report) -> Result<()> {
        let text = if self.json {
            let mut text = serde_json::to_string(report).context("serialising JSON")?;
            text.push('\n');
            text
        } else {
            format!("{}\n", report.human())
        };
        write_stdout(&text)
    }

    /// With at least `level` `-v` flags, dumps `bytes` in hex on standard error under
    /// `label`.
    pub fn trace(&self, level: u8, label: &str, bytes: &[u8]) {
        if self.verbose >= level {
            eprint!("{label} ({} bytes):\n{}", bytes.len(), hexdump(bytes, 4));
        }
    }
}

/// Writes to standard output; a closed pipe (`scsitool ... | head`) is not an error.
fn write_stdout(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing to standard output"),
    }
}

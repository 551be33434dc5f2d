//! `scsitool schema`: prints or writes the JSON Schema of each command's `--json` output.

use crate::exit::Failure;
use crate::schema::{find, to_text, SCHEMAS};
use anyhow::{Context, Result};
use std::path::Path;

/// Lists the commands with schemas, prints one, or writes them all into `write`.
pub fn run(command: Option<&str>, write: Option<&Path>) -> Result<()> {
    if let Some(dir) = write {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        for entry in SCHEMAS {
            let path = dir.join(format!("{}.json", entry.command));
            std::fs::write(&path, to_text(&(entry.generate)()))
                .with_context(|| format!("writing {}", path.display()))?;
        }
        return Ok(());
    }
    match command {
        None => {
            for entry in SCHEMAS {
                println!("{}", entry.command);
            }
            Ok(())
        }
        Some(name) => {
            let entry = find(name).ok_or_else(|| {
                let known: Vec<&str> = SCHEMAS.iter().map(|e| e.command).collect();
                Failure::usage(format!(
                    "no schema for '{name}'; commands with --json output: {}",
                    known.join(", ")
                ))
            })?;
            print!("{}", to_text(&(entry.generate)()));
            Ok(())
        }
    }
}

//! `scsitool completions` and `scsitool man`: generated from the clap declaration, so they
//! never drift from the real arguments.

use crate::cli::Cli;
use anyhow::{Context, Result};
use clap::CommandFactory;
use std::io::Write;
use std::path::Path;

/// Prints the completion script for `shell`.
pub fn completions(shell: clap_complete::Shell) -> Result<()> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "scsitool", &mut script);
    std::io::stdout()
        .write_all(&script)
        .context("writing the completion script")
}

/// Prints the top-level man page, or writes a page per command into `out_dir`.
pub fn man(out_dir: Option<&Path>) -> Result<()> {
    let command = Cli::command();
    match out_dir {
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut page)
                .context("rendering the man page")?;
            std::io::stdout()
                .write_all(&page)
                .context("writing the man page")
        }
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            clap_mangen::generate_to(command, dir)
                .with_context(|| format!("writing man pages into {}", dir.display()))
        }
    }
}

//! `scsitool sim profiles`: the named fault profiles `sim:` devices can take.

use crate::output::{Output, Report};
use anyhow::Result;
use emulator::fault::Profile;
use serde::Serialize;

/// One fault profile.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ProfileEntry {
    /// The name used in `sim:` URIs.
    pub name: &'static str,
    /// What the profile does and what it imitates.
    pub imitates: &'static str,
}

/// The `--json` document of `scsitool sim profiles`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ProfileList {
    /// Every profile.
    pub profiles: Vec<ProfileEntry>,
}

impl Report for ProfileList {
    fn human(&self) -> String {
        let width = self
            .profiles
            .iter()
            .map(|p| p.name.len())
            .max()
            .unwrap_or(0);
        self.profiles
            .iter()
            .map(|p| format!("{:<width$}  {}\n", p.name, p.imitates))
            .collect()
    }
}

/// Lists the fault profiles.
pub fn profiles(out: Output) -> Result<()> {
    out.emit(&ProfileList {
        profiles: Profile::ALL
            .iter()
            .map(|p| ProfileEntry {
                name: p.name(),
                imitates: p.imitates(),
            })
            .collect(),
    })
}

//! `scsitool nvme ...`: NVMe admin commands (NVMe Base 2.0 5) on a controller, with the
//! human forms nvme-cli users know: Identify ([`identify`]), Get Log Page ([`log`]), and
//! Get/Set Features ([`features`]).

pub mod features;
pub mod identify;
pub mod log;

use crate::cli::NvmeCommand;
use crate::output::Output;
use anyhow::Result;

/// Runs one `scsitool nvme` command.
pub fn command(out: Output, command: NvmeCommand) -> Result<()> {
    match command {
        NvmeCommand::IdCtrl { device, count } => identify::id_ctrl(out, &device, count),
        NvmeCommand::IdNs { device, nsid } => identify::id_ns(out, &device, nsid),
        NvmeCommand::Log {
            device,
            lid,
            length,
        } => log::command(out, &device, lid, length),
        NvmeCommand::GetFeature { device, fid, sel } => features::get(out, &device, fid, sel),
        NvmeCommand::SetFeature { device, fid, value } => features::set(out, &device, fid, value),
    }
}

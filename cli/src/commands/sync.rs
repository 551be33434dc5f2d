//! `scsitool sync DEVICE [--16] [--immed] [--lba N] [--blocks N]`: SYNCHRONIZE CACHE (10)
//! or (16) (SBC-4 5.28, 5.29), like sg_sync.

use crate::commands::device::{open_scsi, run};
use crate::exit::Failure;
use crate::output::{Output, Report};
use anyhow::Result;
use cdb::command::CdbLayout;
use cdb::scsi::sbc::lba_cdb::CdbSize;
use cdb::scsi::sbc::synchronize_cache::{Sixteen, SynchronizeCache, Ten};
use serde::Serialize;
use transports::open::Access;

/// The `--json` document of `scsitool sync`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct SyncReport {
    /// The device as named on the command line.
    pub device: String,
    /// The command sent: SYNCHRONIZE CACHE (10) or (16).
    pub command: &'static str,
    /// IMMED: status was returned before the cache was written (SBC-4 5.28).
    pub immed: bool,
    /// LOGICAL BLOCK ADDRESS: the first block synchronized.
    pub logical_block_address: u64,
    /// NUMBER OF LOGICAL BLOCKS (0: through the last logical block).
    pub number_of_logical_blocks: u32,
}

impl Report for SyncReport {
    fn human(&self) -> String {
        let range = match self.number_of_logical_blocks {
            0 => format!("from LBA {} to the last LBA", self.logical_block_address),
            n => format!("{n} blocks from LBA {}", self.logical_block_address),
        };
        let immed = if self.immed {
            " (IMMED: started, not awaited)"
        } else {
            ""
        };
        format!("{} completed: {range}{immed}\n", self.command)
    }
}

/// Sends SYNCHRONIZE CACHE (10), or (16) with `sixteen`, and reports the range.
pub fn command(
    out: Output,
    device: &str,
    sixteen: bool,
    immed: bool,
    lba: u64,
    blocks: u32,
) -> Result<()> {
    if sixteen {
        send::<Sixteen>(out, device, immed, lba, blocks)
    } else {
        send::<Ten>(out, device, immed, lba, blocks)
    }
}

/// Builds and sends SYNCHRONIZE CACHE of size `S`; a value that does not fit the CDB is a
/// usage error naming the field's limit, found before the device is opened.
fn send<S: CdbSize>(out: Output, device: &str, immed: bool, lba: u64, blocks: u32) -> Result<()> {
    let sync = SynchronizeCache::<S>::new(immed, lba, blocks, 0).map_err(|error| {
        let hint = if S::LEN < Sixteen::LEN {
            "; use --16"
        } else {
            ""
        };
        Failure::usage(format!("{error}{hint}"))
    })?;
    let mut transport = open_scsi(device, Access::Read)?;
    run(out, transport.as_mut(), &sync)?;
    out.emit(&SyncReport {
        device: device.to_string(),
        command: SynchronizeCache::<S>::NAME,
        immed: sync.immed(),
        logical_block_address: sync.logical_block_address(),
        number_of_logical_blocks: sync.number_of_logical_blocks(),
    })
}

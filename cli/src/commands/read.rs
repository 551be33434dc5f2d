//! `scsitool read DEVICE [--lba N] [--size BYTES] [--transfer BYTES] [--out FILE]`:
//! sequential reads in large transfers with the throughput measured — READ (10)/(16) on
//! SCSI (SBC-4 5.15, 5.16) or Read on NVMe (NVMe NVM Command Set 1.0 3.2.6) through the
//! block targets `verify` uses.

use crate::commands::device::open_block;
use crate::exit::{ExitStatus, Failure};
use crate::output::{Output, Report};
use anyhow::{Context, Result};
use integrity::target::{Geometry, TargetError};
use serde::Serialize;
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::time::Instant;
use transports::open::Access;

/// The `--json` document of `scsitool read`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ReadReport {
    /// The device as named on the command line.
    pub device: String,
    /// What the device was reached through.
    pub target: String,
    /// The first logical block read.
    pub lba: u64,
    /// The logical block length in bytes.
    pub block_size: u32,
    /// The bytes read.
    pub bytes: u64,
    /// The largest transfer of one command, in bytes.
    pub transfer: u32,
    /// The commands sent.
    pub commands: u64,
    /// The most commands in flight at once.
    pub queue_depth: u32,
    /// Wall-clock seconds from the first command to the last completion.
    pub seconds: f64,
    /// Bytes read per second, in MiB/s.
    pub mib_per_second: f64,
}

impl Report for ReadReport {
    fn human(&self) -> String {
        format!(
            "read {} bytes ({} blocks of {}) from LBA {} in {} commands of up to {} bytes: \
             {:.3} s, {:.1} MiB/s, up to {} in flight\nthrough {}\n",
            self.bytes,
            self.bytes / u64::from(self.block_size),
            self.block_size,
            self.lba,
            self.commands,
            self.transfer,
            self.seconds,
            self.mib_per_second,
            self.queue_depth,
            self.target
        )
    }
}

/// What to read and where the data goes.
pub struct ReadArgs<'a> {
    /// The device.
    pub device: &'a str,
    /// The first logical block.
    pub lba: u64,
    /// Bytes to read (default: to the last block).
    pub size: Option<u64>,
    /// The largest transfer per command.
    pub transfer: u64,
    /// Where the data goes (`-`: standard output).
    pub out: Option<&'a Path>,
    /// Commands in flight at once.
    pub queue_depth: u32,
}

/// Reads the range, writing the data out if asked, and reports the throughput.
pub fn command(out: Output, args: &ReadArgs<'_>) -> Result<()> {
    let mut target = open_block(args.device, Access::Read)?;
    let geometry = target.geometry();
    let (blocks, per_command) = plan(args, geometry)?;
    let mut sink: Option<Box<dyn Write>> = match args.out {
        None => None,
        Some(path) if path == Path::new("-") => Some(Box::new(std::io::stdout().lock())),
        Some(path) => Some(Box::new(
            File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
    };
    let bs = u64::from(geometry.block_size);
    let chunk_len = (per_command * bs) as usize;
    let depth = u64::from(args.queue_depth.max(1));
    let mut buf = vec![0u8; chunk_len * depth as usize];
    let (mut done, mut commands) = (0u64, 0u64);
    let started = Instant::now();
    while done < blocks {
        // Up to `depth` commands of `per_command` blocks, the last one shorter.
        let batch = (blocks - done).min(per_command * depth);
        let first = args.lba + done;
        let mut reads: Vec<(u64, &mut [u8])> = buf[..(batch * bs) as usize]
            .chunks_mut(chunk_len)
            .zip((first..).step_by(per_command as usize))
            .map(|(chunk, lba)| (lba, chunk))
            .collect();
        let sent = reads.len() as u64;
        target.read_many(&mut reads).map_err(|e| {
            let status = match e {
                TargetError::Transport(_) => ExitStatus::Transport,
                _ => ExitStatus::Other,
            };
            Failure::new(
                status,
                format!("reading {batch} blocks at LBA {first}: {e}"),
            )
        })?;
        if let Some(sink) = sink.as_mut() {
            sink.write_all(&buf[..(batch * bs) as usize])
                .context("writing the data out")?;
        }
        done += batch;
        commands += sent;
    }
    let seconds = started.elapsed().as_secs_f64();
    if let Some(mut sink) = sink {
        sink.flush().context("writing the data out")?;
    }
    let bytes = blocks * bs;
    let report = ReadReport {
        device: args.device.to_string(),
        target: target.describe(),
        lba: args.lba,
        block_size: geometry.block_size,
        bytes,
        transfer: (per_command * bs) as u32,
        commands,
        queue_depth: args.queue_depth,
        seconds,
        mib_per_second: bytes as f64 / (1 << 20) as f64 / seconds.max(f64::MIN_POSITIVE),
    };
    if args.out == Some(Path::new("-")) {
        eprint!("{}", report.human());
        return Ok(());
    }
    out.emit(&report)
}

/// The blocks to read and the blocks per command; a range past the end, a size that is
/// not whole blocks or a transfer under one block is a usage error.
fn plan(args: &ReadArgs<'_>, geometry: Geometry) -> Result<(u64, u64)> {
    let bs = u64::from(geometry.block_size);
    if args.lba >= geometry.blocks {
        return Err(Failure::usage(format!(
            "LBA {} is past the last block ({})",
            args.lba,
            geometry.blocks - 1
        ))
        .into());
    }
    let left = geometry.blocks - args.lba;
    let blocks = match args.size {
        None => left,
        Some(size) if size == 0 || size % bs != 0 => {
            return Err(Failure::usage(format!(
                "--size {size} is not a positive whole number of {bs}-byte blocks"
            ))
            .into())
        }
        Some(size) if size / bs > left => {
            return Err(Failure::usage(format!(
                "--size {size} runs past the last block: {left} blocks from LBA {}",
                args.lba
            ))
            .into())
        }
        Some(size) => size / bs,
    };
    if args.transfer < bs {
        return Err(Failure::usage(format!(
            "--transfer {} is under one block ({bs})",
            args.transfer
        ))
        .into());
    }
    let per_command = (args.transfer.min(u64::from(geometry.max_transfer)) / bs).max(1);
    Ok((blocks, per_command))
}

//! `scsitool verify DEVICE`: cache-integrity verification that names the broken promise
//! (the `integrity` crate), with power cuts, resume, and preserve/restore.

use crate::cli::{DurabilityArg, VerifyArgs};
use crate::commands::device::open_block;
use crate::exit::{ExitStatus, Failure};
use crate::output::{Output, Report};
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use integrity::classify::{Class, Counts, Facts};
use integrity::journal::{self, Journal};
use integrity::latency::LatencyHistogram;
use integrity::plan::Durability;
use integrity::preserve::{self, Preserver, RestoreReport};
use integrity::run::{self, Outcome, Phase, RunParams, VerifyStats, WriteStats};
use integrity::target::file::{FileOptions, FileTarget};
use integrity::target::BlockTarget;
use serde::Serialize;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};
use transports::open::Access;

/// The `--json` document of `scsitool verify`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct VerifyReport {
    /// The run's parameters (as its journal holds them).
    pub params: RunParams,
    /// The run journal.
    pub journal: String,
    /// What happened: a whole run, writes stopped for a manual power cut, or a resumed
    /// verify.
    pub outcome: VerifyOutcome,
    /// With --preserve: the original blocks put back.
    pub restored: Option<RestoreReport>,
}

/// The parts of a run that took place.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct VerifyOutcome {
    /// The write phase, when this invocation wrote.
    pub write: Option<WriteStats>,
    /// The write sequence number after which power was cut, if it was. After `--resume`,
    /// the last write the journal announced: exact after `--stop-after`, but a writer
    /// killed mid-run may not have sent the last (up to 1,023) announced writes.
    pub power_cut_after: Option<u64>,
    /// What the journal held when the device was read back.
    pub facts: Facts,
    /// The verify phase, when this invocation read the device back.
    pub verify: Option<VerifyStats>,
    /// The volatile write cache around the run.
    pub write_cache: Option<run::WriteCacheReport>,
    /// What the user must do next (a manual power cut).
    pub next: Option<String>,
}

/// The `--json` document of `scsitool verify --restore`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct RestoreOnly {
    /// The preserve journal.
    pub journal: String,
    /// What was put back.
    pub restored: RestoreReport,
}

impl Report for RestoreOnly {
    fn human(&self) -> String {
        restore_line(&self.restored)
    }
}

/// One line on a restore.
fn restore_line(r: &RestoreReport) -> String {
    format!(
        "restored {} blocks of {} bytes from {} records{}\n",
        r.blocks_restored,
        r.block_size,
        r.records,
        if r.torn_tail_bytes > 0 {
            format!(" (a torn tail of {} bytes ignored)", r.torn_tail_bytes)
        } else {
            String::new()
        }
    )
}

/// A histogram line: count and percentiles.
fn latency_line(name: &str, hist: &LatencyHistogram) -> Option<String> {
    let pct = |p| {
        hist.percentile(p)
            .map_or_else(|| "-".to_string(), |d| format!("{:.0?}", d))
    };
    (hist.count > 0).then(|| {
        format!(
            "{name}: {} (p50 {}, p99 {}, max {})\n",
            hist.count,
            pct(50.0),
            pct(99.0),
            pct(100.0)
        )
    })
}

/// The class counts that are not zero, as `name count` pairs.
fn counts_lines(c: &Counts) -> String {
    [
        ("ok", c.ok),
        ("ok-older-allowed", c.ok_older_allowed),
        ("lost-after-flush", c.lost_after_flush),
        ("lost-fua-write", c.lost_fua_write),
        ("never-written", c.never_written),
        ("misdirected", c.misdirected),
        ("torn", c.torn),
        ("corrupt", c.corrupt),
        ("foreign", c.foreign),
        ("unserializable", c.unserializable),
    ]
    .iter()
    .filter(|(_, n)| *n > 0)
    .map(|(name, n)| format!("  {name:<18} {n}\n"))
    .collect()
}

/// A class as the report names it, with its details.
fn class_text(class: &Class) -> String {
    match class {
        Class::Ok => "ok".to_string(),
        Class::OkOlderAllowed => "ok-older-allowed".to_string(),
        Class::LostAfterFlush => "lost-after-flush".to_string(),
        Class::LostFuaWrite => "lost-fua-write".to_string(),
        Class::NeverWritten => "never-written".to_string(),
        Class::Misdirected { from_lba } => format!("misdirected (written for LBA {from_lba})"),
        Class::Torn { sector } => format!("torn (from sector {sector})"),
        Class::Corrupt { bit_flips } => format!("corrupt ({bit_flips} bits flipped)"),
        Class::Foreign => "foreign".to_string(),
        Class::Unserializable => "unserializable".to_string(),
    }
}

/// Bytes per second in MB/s.
fn rate(bytes: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        bytes as f64 / seconds / 1e6
    } else {
        0.0
    }
}

impl Report for VerifyReport {
    fn human(&self) -> String {
        let p = &self.params;
        let o = &self.outcome;
        let mut text = format!(
            "verify {}: {} blocks of {} bytes from LBA {}, {} epochs, {}\njournal: {}\n",
            p.device,
            p.blocks,
            p.block_size,
            p.start_lba,
            p.epochs,
            durability_name(p.durability),
            self.journal
        );
        if let Some(w) = &o.write {
            text += &format!(
                "wrote {} writes, {} bytes in {:.2} s ({:.0} MB/s)\n",
                w.writes,
                w.bytes,
                w.seconds,
                rate(w.bytes, w.seconds)
            );
            text += &latency_line("flushes", &w.flush_latency).unwrap_or_default();
            text += &latency_line("FUA writes", &w.fua_latency).unwrap_or_default();
            for warning in &w.too_fast {
                text += &format!("warning: {warning}\n");
            }
        }
        if let Some(seq) = o.power_cut_after {
            text += &format!("power cut after write {seq}\n");
        }
        if let Some(c) = &o.write_cache {
            let show = |v: Option<bool>| v.map_or("unknown", |on| if on { "on" } else { "off" });
            text += &format!(
                "write cache: {} before, {} during, {} after\n",
                show(c.before),
                show(c.during),
                show(c.after)
            );
        }
        if let Some(v) = &o.verify {
            text += &format!(
                "verified {} blocks in {:.2} s ({:.0} MB/s):\n{}",
                v.blocks,
                v.seconds,
                rate(v.blocks * u64::from(p.block_size), v.seconds),
                counts_lines(&v.tally.counts)
            );
            for run in v.tally.bad_runs.iter().take(20) {
                text += &format!(
                    "  LBA {}+{}: {}\n",
                    run.first_lba,
                    run.blocks,
                    class_text(&run.class)
                );
            }
            for verdict in &v.tally.verdicts {
                text += &format!("{verdict}\n");
            }
        }
        if let Some(next) = &o.next {
            text += &format!("{next}\n");
        }
        if let Some(r) = &self.restored {
            text += &restore_line(r);
        }
        text
    }
}

/// Opens `name` as a block target: a plain file (or `--file`) through pread/pwrite, else
/// the SCSI or NVMe transport the name resolves to.
fn open_target(name: &str, args: &VerifyArgs) -> Result<Box<dyn BlockTarget>> {
    let usage = |e: &dyn std::fmt::Display| Failure::usage(format!("{name}: {e}"));
    let is_file = std::fs::metadata(name).is_ok_and(|m| m.is_file());
    if args.file || is_file {
        let options = FileOptions {
            block_size: Some(args.bs),
            direct: args.direct,
        };
        return Ok(Box::new(
            FileTarget::open(Path::new(name), options).map_err(|e| usage(&e))?,
        ));
    }
    open_block(name, Access::Write)
}

/// Refuses a device in use, and one with a partition table unless `--destructive` names it.
fn check_safe(name: &str, target: &mut dyn BlockTarget, args: &VerifyArgs) -> Result<()> {
    let uses = transports::open::in_use(name);
    if !uses.is_empty() {
        return Err(Failure::usage(format!(
            "refusing to verify {name}: it is in use ({}); verify overwrites it",
            uses.join(", ")
        ))
        .into());
    }
    if args.destructive.as_deref() == Some(name) || name.starts_with("sim:") {
        return Ok(());
    }
    let bs = target.geometry().block_size as usize;
    let mut first = vec![0u8; 2 * bs];
    if target.geometry().blocks < 2 || target.read(0, &mut first).is_err() {
        return Ok(());
    }
    let mbr = first.get(510..512) == Some(&[0x55, 0xaa][..]);
    let gpt = first.get(bs..bs + 8) == Some(&b"EFI PART"[..]);
    if mbr || gpt {
        return Err(Failure::usage(format!(
            "refusing to verify {name}: it holds a {} partition table, which verify would \
             overwrite; add --destructive {name} to go ahead (or --preserve to restore it)",
            if gpt { "GPT" } else { "MBR" }
        ))
        .into());
    }
    Ok(())
}

/// A progress bar on standard error when it is a terminal and the output is not JSON.
fn progress_bar(out: Output, total: u64, what: &str) -> ProgressBar {
    if out.json || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{what:>7} [{{bar:40}}] {{pos}}/{{len}} {{per_sec}} ETA {{eta}}"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// A number from the clock and the process ID, for nonces and default seeds.
fn clock_seed() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    nanos ^ (u64::from(std::process::id()) << 32)
}

/// One SplitMix64 step: spreads a seed over 64 bits.
fn mix(z: u64) -> u64 {
    integrity::block::mix(z.wrapping_add(0x9e37_79b9_7f4a_7c15))
}

/// Runs `scsitool verify`.
pub fn command(out: Output, args: &VerifyArgs) -> Result<()> {
    if let Some(path) = &args.restore {
        return restore(out, path, args);
    }
    if let Some(path) = &args.resume {
        return resume(out, path, args);
    }
    let name = args.device.as_deref().unwrap_or_default();
    if args.power_cut && !name.starts_with("sim:") {
        return Err(Failure::usage(format!(
            "--power-cut needs a device whose power scsitool controls (sim:); for {name} use \
             --power-cut-cmd CMD or --stop-after N and cut it by hand"
        ))
        .into());
    }
    let mut target = open_target(name, args)?;
    check_safe(name, target.as_mut(), args)?;
    if args.compare {
        return compare(out, target, name, args);
    }
    let params = plan_params(name, target.as_ref(), args)?;
    let journal_path = args
        .journal
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("scsitool-verify-{:016x}.journal", params.nonce)));
    let mut journal = Journal::create(&journal_path, &params)
        .map_err(|e| Failure::new(ExitStatus::Other, e.to_string()))?;
    let preserve_path = preserve_path(&journal_path);
    if args.preserve {
        let mut preserver = Preserver::create(&preserve_path, name, target.geometry())
            .map_err(|e| Failure::new(ExitStatus::Other, e.to_string()))?;
        preserver
            .save(target.as_mut(), params.start_lba, params.blocks)
            .map_err(|e| Failure::new(ExitStatus::Other, e.to_string()))?;
    }
    let plan = params.plan().map_err(|e| Failure::usage(e.to_string()))?;
    let total = plan.total_writes();
    let cut = (args.power_cut || args.power_cut_cmd.is_some())
        .then(|| total / 4 + mix(params.seed) % (total / 2).max(1));
    let outcome = if let Some(stop) = args.stop_after {
        manual_cut(
            out,
            target.as_mut(),
            &params,
            &mut journal,
            stop,
            &journal_path,
        )?
    } else if let Some(cmd) = &args.power_cut_cmd {
        command_cut(out, target, &params, &mut journal, cut, cmd, args)?
    } else {
        whole_run(
            out,
            target.as_mut(),
            &params,
            &mut journal,
            cut.filter(|_| args.power_cut),
        )?
    };
    let restored = if args.preserve && args.stop_after.is_none() {
        let mut target = open_target(name, args)?;
        Some(
            preserve::restore(&preserve_path, target.as_mut())
                .map_err(|e| Failure::new(ExitStatus::Other, e.to_string()))?,
        )
    } else {
        None
    };
    finish(out, params, &journal_path, outcome, restored)
}

/// One run of `--compare`: its durability and report.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct CompareReport {
    /// The same range verified with flushes, with FUA, and with the write cache off.
    pub runs: Vec<VerifyReport>,
}

impl Report for CompareReport {
    fn human(&self) -> String {
        let mut text = format!(
            "{:<22} {:>9} {:>12} {:>12} {:>8}  verdict\n",
            "durability", "write MB/s", "promise p50", "promise p99", "faults"
        );
        for run in &self.runs {
            let o = &run.outcome;
            let Some(write) = &o.write else { continue };
            let hist = match run.params.durability {
                Durability::Fua => &write.fua_latency,
                _ => &write.flush_latency,
            };
            let pct = |p| {
                hist.percentile(p)
                    .map_or("-".to_string(), |d| format!("{d:.0?}"))
            };
            let verdict = o
                .verify
                .as_ref()
                .and_then(|v| v.tally.verdicts.first().cloned())
                .unwrap_or_default();
            text += &format!(
                "{:<22} {:>9.0} {:>12} {:>12} {:>8}  {verdict}\n",
                durability_name(run.params.durability),
                rate(write.bytes, write.seconds),
                pct(50.0),
                pct(99.0),
                o.verify.as_ref().map_or(0, |v| v.tally.faults),
            );
        }
        text
    }
}

/// A durability policy in words.
fn durability_name(d: Durability) -> String {
    match d {
        Durability::FlushEvery { writes } => format!("flush every {writes} writes"),
        Durability::Fua => "FUA on every write".to_string(),
        Durability::CacheOff => "write cache off".to_string(),
    }
}

/// `--compare`: the same range verified with each durability policy in turn (power cut
/// too with --power-cut), one journal each.
fn compare(
    out: Output,
    mut target: Box<dyn BlockTarget>,
    name: &str,
    args: &VerifyArgs,
) -> Result<()> {
    let base = plan_params(name, target.as_ref(), args)?;
    let mut runs = Vec::new();
    for (tag, durability) in [
        (
            "flush",
            Durability::FlushEvery {
                writes: args.flush_every,
            },
        ),
        ("fua", Durability::Fua),
        ("cache-off", Durability::CacheOff),
    ] {
        let params = RunParams {
            durability,
            nonce: mix(base.nonce ^ durability_name(durability).len() as u64),
            ..base.clone()
        };
        let journal_path = PathBuf::from(format!(
            "{}.{tag}",
            args.journal.clone().map_or_else(
                || format!("scsitool-verify-{:016x}.journal", base.nonce),
                |p| p.display().to_string()
            )
        ));
        let mut journal = Journal::create(&journal_path, &params)
            .map_err(|e| Failure::new(ExitStatus::Other, e.to_string()))?;
        let total = params
            .plan()
            .map_err(|e| Failure::usage(e.to_string()))?
            .total_writes();
        let cut = args
            .power_cut
            .then(|| total / 4 + mix(params.seed) % (total / 2).max(1));
        let outcome = whole_run(out, target.as_mut(), &params, &mut journal, cut)?;
        runs.push(VerifyReport {
            params,
            journal: journal_path.display().to_string(),
            outcome,
            restored: None,
        });
    }
    let broken: u64 = runs
        .iter()
        .filter_map(|r| r.outcome.verify.as_ref())
        .map(|v| v.tally.faults)
        .sum();
    out.emit(&CompareReport { runs })?;
    if broken > 0 {
        return Err(Failure::new(
            ExitStatus::Miscompare,
            format!("{broken} blocks broke a promise (see the report)"),
        )
        .into());
    }
    Ok(())
}

/// The journal of the originals saved by --preserve, next to the run journal.
fn preserve_path(journal: &Path) -> PathBuf {
    let mut name = journal.as_os_str().to_owned();
    name.push(".preserve");
    PathBuf::from(name)
}

/// The run's parameters from the arguments and the target's geometry.
fn plan_params(name: &str, target: &dyn BlockTarget, args: &VerifyArgs) -> Result<RunParams> {
    let g = target.geometry();
    let bs = u64::from(g.block_size);
    if args.start >= g.blocks {
        return Err(Failure::usage(format!(
            "--start {} is past the last LBA {}",
            args.start,
            g.blocks - 1
        ))
        .into());
    }
    let available = g.blocks - args.start;
    let blocks = args
        .size
        .map_or(available, |size| (size / bs).min(available));
    if blocks == 0 {
        return Err(Failure::usage(format!("--size is less than one {bs}-byte block")).into());
    }
    if args.write_size % bs != 0 || args.write_size == 0 {
        return Err(Failure::usage(format!(
            "--write-size {} is not a whole number of {bs}-byte blocks",
            args.write_size
        ))
        .into());
    }
    let per_write = (args.write_size / bs)
        .min(u64::from(g.max_transfer) / bs)
        .max(1);
    let durability = match args.durability {
        DurabilityArg::Flush => Durability::FlushEvery {
            writes: args.flush_every,
        },
        DurabilityArg::Fua => Durability::Fua,
        DurabilityArg::CacheOff => Durability::CacheOff,
    };
    let seed = args.seed.unwrap_or_else(clock_seed);
    Ok(RunParams {
        device: name.to_string(),
        nonce: mix(clock_seed() ^ seed.rotate_left(17)),
        block_size: g.block_size,
        start_lba: args.start,
        blocks,
        // At most max_transfer / block size.
        blocks_per_write: per_write as u32,
        epochs: args.epochs,
        seed,
        durability,
        queue_depth: args.queue_depth,
    })
}

/// Turns a run error into the failure that ends the process: the device's refusals and
/// transport failures as such, the rest as other errors.
fn failed(error: run::RunError) -> anyhow::Error {
    use integrity::target::TargetError;
    let status = match &error {
        run::RunError::Target(TargetError::Transport(_)) => ExitStatus::Transport,
        run::RunError::Target(TargetError::Device(_)) => ExitStatus::DeviceOtherSense,
        run::RunError::Target(TargetError::Unsupported(_)) | run::RunError::Plan(_) => {
            ExitStatus::Usage
        }
        _ => ExitStatus::Other,
    };
    Failure::new(status, error.to_string()).into()
}

/// Progress bars for both phases of `params`.
fn bars(out: Output, params: &RunParams) -> Result<(ProgressBar, ProgressBar)> {
    let total = params
        .plan()
        .map_err(|e| Failure::usage(e.to_string()))?
        .total_writes();
    Ok((
        progress_bar(out, total, "writing"),
        progress_bar(out, params.blocks, "reading"),
    ))
}

/// A whole run, power cut (sim:) after write `cut` if given.
fn whole_run(
    out: Output,
    target: &mut dyn BlockTarget,
    params: &RunParams,
    journal: &mut Journal,
    cut: Option<u64>,
) -> Result<VerifyOutcome> {
    let (writing, reading) = bars(out, params)?;
    let outcome: Outcome = run::run(target, params, journal, cut, &mut |phase, n| match phase {
        Phase::Write => writing.set_position(n),
        Phase::Verify => reading.set_position(n),
    })
    .map_err(failed)?;
    writing.finish_and_clear();
    reading.finish_and_clear();
    Ok(VerifyOutcome {
        write: Some(outcome.write),
        power_cut_after: outcome.power_cut_after,
        facts: outcome.facts,
        verify: Some(outcome.verify),
        write_cache: Some(outcome.write_cache),
        next: None,
    })
}

/// Writes the first `stop` writes (the write cache switched as the policy needs and put
/// back), then tells the user to cut the power and resume.
fn manual_cut(
    out: Output,
    target: &mut dyn BlockTarget,
    params: &RunParams,
    journal: &mut Journal,
    stop: u64,
    journal_path: &Path,
) -> Result<VerifyOutcome> {
    let (writing, _) = bars(out, params)?;
    let (write, cache) = run::write_with_cache(target, params, journal, Some(stop), &mut |n| {
        writing.set_position(n)
    })
    .map_err(failed)?;
    writing.finish_and_clear();
    Ok(VerifyOutcome {
        write: Some(write),
        power_cut_after: None,
        facts: journal.facts(),
        verify: None,
        write_cache: Some(cache),
        next: Some(format!(
            "Now cut the device's power (unplug it, or its enclosure), bring it back, then run:\n  \
             scsitool verify --resume {} {}",
            journal_path.display(),
            params.device
        )),
    })
}

/// Writes through write `cut` (the write cache switched as the policy needs and put
/// back), runs the user's power-cut command, reopens the device and verifies.
fn command_cut(
    out: Output,
    mut target: Box<dyn BlockTarget>,
    params: &RunParams,
    journal: &mut Journal,
    cut: Option<u64>,
    cmd: &str,
    args: &VerifyArgs,
) -> Result<VerifyOutcome> {
    let (writing, reading) = bars(out, params)?;
    let until = cut.map(|seq| seq.saturating_add(1));
    let (write, cache) = run::write_with_cache(target.as_mut(), params, journal, until, &mut |n| {
        writing.set_position(n)
    })
    .map_err(failed)?;
    writing.finish_and_clear();
    drop(target);
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .status()
        .with_context(|| format!("running the power-cut command {cmd:?}"))?;
    if !status.success() {
        return Err(Failure::new(
            ExitStatus::Other,
            format!("the power-cut command {cmd:?} failed ({status}); verify with --resume"),
        )
        .into());
    }
    let mut target = open_target(&params.device, args)?;
    let facts = journal.facts();
    let verify = run::verify_phase(target.as_mut(), params, facts, &mut |n| {
        reading.set_position(n)
    })
    .map_err(failed)?;
    reading.finish_and_clear();
    Ok(VerifyOutcome {
        write: Some(write),
        power_cut_after: cut,
        facts,
        verify: Some(verify),
        write_cache: Some(cache),
        next: None,
    })
}

/// `--resume JOURNAL`: verifies a run whose writes were cut short.
fn resume(out: Output, path: &Path, args: &VerifyArgs) -> Result<()> {
    let (params, facts): (RunParams, Facts) =
        journal::read(path).map_err(|e| Failure::usage(e.to_string()))?;
    let name = args.device.clone().unwrap_or_else(|| params.device.clone());
    let mut target = open_target(&name, args)?;
    let reading = progress_bar(out, params.blocks, "reading");
    let verify = run::verify_phase(target.as_mut(), &params, facts, &mut |n| {
        reading.set_position(n)
    })
    .map_err(failed)?;
    reading.finish_and_clear();
    let outcome = VerifyOutcome {
        write: None,
        power_cut_after: facts.issued_through,
        facts,
        verify: Some(verify),
        write_cache: None,
        next: None,
    };
    finish(out, params, path, outcome, None)
}

/// `--restore JOURNAL`: puts back what a --preserve run saved.
fn restore(out: Output, path: &Path, args: &VerifyArgs) -> Result<()> {
    let name = match &args.device {
        Some(name) => name.clone(),
        None => preserve::identity(path).map_err(|e| Failure::usage(e.to_string()))?,
    };
    let mut target = open_target(&name, args)?;
    let restored = preserve::restore(path, target.as_mut())
        .map_err(|e| Failure::new(ExitStatus::Other, e.to_string()))?;
    out.emit(&RestoreOnly {
        journal: path.display().to_string(),
        restored,
    })
}

/// Prints the report; a broken promise is exit status 9.
fn finish(
    out: Output,
    params: RunParams,
    journal: &Path,
    outcome: VerifyOutcome,
    restored: Option<RestoreReport>,
) -> Result<()> {
    let broken = outcome.verify.as_ref().map(|v| v.tally.faults);
    out.emit(&VerifyReport {
        params,
        journal: journal.display().to_string(),
        outcome,
        restored,
    })?;
    match broken {
        Some(n) if n > 0 => Err(Failure::new(
            ExitStatus::Miscompare,
            format!("{n} blocks broke a promise (see the report)"),
        )
        .into()),
        _ => Ok(()),
    }
}

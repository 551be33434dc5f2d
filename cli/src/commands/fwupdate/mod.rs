//! `scsitool fwupdate IMAGE [DEVICE]`: a drive firmware update through the `firmware`
//! crate — image and manifest checks, device choice, the printed plan (`--dry-run`: and
//! every command), the download with progress and resume, activation, `--reset`, and an
//! exit status per outcome.

mod progress;
pub mod report;
mod reset;
mod select;
mod source;

use crate::cli::{BridgeChoice, FwupdateArgs};
use crate::commands::device::{bridge_flag, ensure_unused, open_device, TIMEOUT};
use crate::exit::{ExitStatus, Failure};
use crate::output::Output;
use anyhow::Result;
use firmware::manifest::Manifest;
use firmware::update::{prepare, update_prepared, Prepared, Report, UpdateOptions};
use firmware::{Outcome, Target};
use report::{exit_status, plan_text, CommandHex, FwupdateReport};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use transports::open::{Access, Device};

/// Runs `scsitool fwupdate`.
pub fn command(out: Output, args: &FwupdateArgs) -> Result<()> {
    let image = source::read_image(&args.image)?;
    let state_file = args
        .state
        .clone()
        .unwrap_or_else(|| source::default_state_file(&args.image));
    let mut report = FwupdateReport {
        image: image.facts,
        manifest: None,
        device: args.device.clone(),
        state_file: state_file.display().to_string(),
        prepared: None,
        commands: None,
        update: None,
        reset: None,
        outcome: None,
        exit_status: 0,
    };
    report.outcome = run(out, args, &image.bytes, state_file, &mut report)?;
    let status = exit_status(report.outcome.as_ref());
    report.exit_status = status.code();
    out.emit(&report)?;
    match &report.outcome {
        Some(outcome) if status != ExitStatus::Success => {
            Err(Failure::new(status, format!("fwupdate: {}", outcome.name())).into())
        }
        _ => Ok(()),
    }
}

/// A refusal before anything was sent.
fn refused(why: impl Into<String>) -> Result<Option<Outcome>> {
    Ok(Some(Outcome::Refused { why: why.into() }))
}

/// The update's steps; `None` after `--dry-run`.
fn run(
    out: Output,
    args: &FwupdateArgs,
    image: &[u8],
    state_file: PathBuf,
    report: &mut FwupdateReport,
) -> Result<Option<Outcome>> {
    let manifest = match source::manifest(&args.image, image) {
        Ok(found) => found.map(|(path, manifest)| {
            report.manifest = Some(source::facts(&path, &manifest));
            manifest
        }),
        Err(why) => return refused(why),
    };
    let name = match (&args.device, &manifest) {
        (Some(name), _) => name.clone(),
        (None, Some(manifest)) => match select::pick(manifest, &select::candidates()) {
            Ok(name) => name,
            Err(why) => return refused(why),
        },
        (None, None) => {
            return refused(
                "the image has no manifest (IMAGE.toml or IMAGE.json beside it): name the \
                 DEVICE to update",
            )
        }
    };
    report.device = Some(name.clone());
    if !args.dry_run {
        if let Err(e) = ensure_unused(&name) {
            return refused(e.to_string());
        }
    }
    let mut target = to_target(open_device(&name, Access::Write)?);
    let prepared = match prepare(&mut target, image.len() as u64, args.max_chunk, TIMEOUT) {
        Ok(prepared) => prepared,
        Err(ended) => {
            let outcome = ended.outcome.clone();
            report.update = Some(Report::ended(*ended));
            return Ok(Some(outcome));
        }
    };
    if let (Some(m), Some(facts)) = (&manifest, report.manifest.as_mut()) {
        if let Err(why) = source::check_identity(m, facts, &prepared.identity, args.force) {
            report.prepared = Some(prepared);
            return refused(why);
        }
    }
    if !out.json {
        print!("{}", plan_text(&name, &prepared));
    }
    if args.dry_run {
        let planned = prepared.plan.commands();
        report.prepared = Some(prepared);
        let planned = planned.map_err(|e| Failure::new(ExitStatus::Other, e.to_string()))?;
        report.commands = Some(planned.iter().map(CommandHex::from_planned).collect());
        return Ok(None);
    }
    if manifest.is_none() {
        if let Err(why) = confirm(args.yes, &name) {
            return refused(why);
        }
    }
    let expected = manifest.as_ref().map(|m: &Manifest| m.revision.clone());
    let done = download(
        out,
        &mut target,
        &prepared,
        image,
        state_file,
        expected.clone(),
    );
    report.prepared = Some(prepared);
    let mut outcome = done.outcome.clone();
    report.update = Some(done);
    if args.reset && matches!(outcome, Outcome::PendingReset { .. }) {
        let (reset, after) = reset::perform(&name, &mut target, outcome, expected.as_deref());
        report.reset = Some(reset);
        outcome = after;
    }
    Ok(Some(outcome))
}

/// The firmware target an opened device is, honouring `--bridge`.
fn to_target(device: Device) -> Target {
    match (device, bridge_flag()) {
        (Device::Scsi(t), Some(BridgeChoice::Tunnel(bridge))) => Target::through_bridge(t, bridge),
        (Device::Scsi(t), Some(BridgeChoice::None)) => Target::Scsi(t),
        (device, _) => Target::from_device(device),
    }
}

/// Asks on the terminal whether to update without a manifest; `Err` is the refusal.
fn confirm(yes: bool, device: &str) -> Result<(), String> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(
            "the image has no manifest, so the update must be confirmed, and standard input \
             is not a terminal: pass --yes to update without a manifest"
                .into(),
        );
    }
    eprint!("{device}: no manifest vouches for this image. Update the firmware? [y/N] ");
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("reading the answer: {e}"))?;
    match line.trim() {
        "y" | "Y" | "yes" => Ok(()),
        _ => Err("the update was not confirmed".into()),
    }
}

/// Runs the update `prepared` planned, with progress and the resume state file.
fn download(
    out: Output,
    target: &mut Target,
    prepared: &Prepared,
    image: &[u8],
    state_file: PathBuf,
    expected_revision: Option<String>,
) -> Report {
    announce_state(&state_file);
    let mut shown = progress::Shown::new(out, image.len() as u64);
    let mut on_progress = |p| shown.update(p);
    let mut options = UpdateOptions::new();
    options.timeout = TIMEOUT;
    options.download.state_file = Some(state_file);
    options.download.progress = Some(&mut on_progress);
    options.expected_revision = expected_revision;
    let done = update_prepared(target, prepared, image, &mut options);
    drop(options);
    shown.finish();
    done
}

/// Says, on standard error, that an earlier run's state file will be tried.
fn announce_state(path: &Path) {
    if path.exists() {
        eprintln!(
            "{}: an earlier download was interrupted; resuming where the device and the mode \
             allow",
            path.display()
        );
    }
}

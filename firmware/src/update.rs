//! The whole update, step by step: identity, probe, validation and plan (nothing sent
//! until they pass), download, activation, verification — each failure mapped to the
//! [`Outcome`] that tells the truth about the device's state. After a failed command the
//! device is asked for its revision again: a device that answers with the old revision
//! is unchanged; one that does not answer is in an unknown state. An NVMe download
//! resumed from a state file whose commit fails with Invalid Firmware Image (the
//! controller lost the earlier pieces, e.g. at a reset) is downloaded again from 0 once.

use crate::activate::{activate, verify, Activated, Verified};
use crate::download::{download, DownloadError, DownloadOptions, Downloaded, Start};
use crate::error::FirmwareError;
use crate::identity::Identity;
use crate::outcome::{Outcome, RequiredReset};
use crate::plan::{plan, Method, Plan};
use crate::probe::{probe, Capabilities};
use crate::state;
use crate::target::Target;
use serde::Serialize;
use std::time::Duration;

/// What a planned update knows before sending anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Prepared {
    /// The device.
    pub identity: Identity,
    /// Its capabilities.
    pub capabilities: Capabilities,
    /// The plan.
    pub plan: Plan,
}

/// Identifies and probes `target` and plans the update of an image of `image_len` bytes,
/// each download command carrying at most `max_chunk` bytes when given; only reading
/// commands are sent. `Err` is how the update ends here: Refused, or
/// FailedUnchanged when the device could not be read.
pub fn prepare(
    target: &mut Target,
    image_len: u64,
    max_chunk: Option<u64>,
    timeout: Duration,
) -> Result<Prepared, Box<Ended>> {
    let ended = |identity, outcome| Box::new(Ended { identity, outcome });
    let identity = Identity::read(target, timeout).map_err(|e| {
        let why = format!("the device's identity could not be read: {e}");
        ended(None, Outcome::FailedUnchanged { why })
    })?;
    let mut capabilities = match probe(target, timeout) {
        Ok(c) => c,
        Err(e) => {
            let why = format!("the device's firmware capabilities could not be read: {e}");
            return Err(ended(Some(identity), Outcome::FailedUnchanged { why }));
        }
    };
    if let Some(max) = max_chunk {
        capabilities.limit_transfer(max);
    }
    match plan(&capabilities, image_len) {
        Ok(plan) => Ok(Prepared {
            identity,
            capabilities,
            plan,
        }),
        Err(refusal) => Err(ended(Some(identity), Outcome::Refused { why: refusal.0 })),
    }
}

/// An update that ended before anything was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Ended {
    /// The device, when its identity could be read.
    pub identity: Option<Identity>,
    /// Refused or FailedUnchanged.
    pub outcome: Outcome,
}

/// How to run an update.
pub struct UpdateOptions<'a> {
    /// The timeout of the probing, activation and verification commands.
    pub timeout: Duration,
    /// The download's options (chunk timeout, retries, state file, progress).
    pub download: DownloadOptions<'a>,
    /// The revision the image installs (from its manifest), when known: the revision read
    /// back must be this one.
    pub expected_revision: Option<String>,
    /// The most bytes one download command may carry, when the caller limits it.
    pub max_chunk: Option<u64>,
}

impl UpdateOptions<'_> {
    /// 30 s command timeout, the download defaults, no expected revision.
    pub fn new() -> Self {
        UpdateOptions {
            timeout: Duration::from_secs(30),
            download: DownloadOptions::new(),
            expected_revision: None,
            max_chunk: None,
        }
    }
}

impl Default for UpdateOptions<'_> {
    fn default() -> Self {
        Self::new()
    }
}

/// Everything an update found and did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Report {
    /// The device before the update, when it could be read.
    pub identity: Option<Identity>,
    /// The plan, when planning succeeded.
    pub plan: Option<Plan>,
    /// The download, when it ran to the end or was stopped.
    pub download: Option<Downloaded>,
    /// What activation achieved.
    pub activated: Option<Activated>,
    /// What the device reported afterwards.
    pub verified: Option<Verified>,
    /// The outcome.
    pub outcome: Outcome,
}

impl Report {
    /// The report of an update that ended before anything was sent.
    pub fn ended(ended: Ended) -> Self {
        Report {
            identity: ended.identity,
            plan: None,
            download: None,
            activated: None,
            verified: None,
            outcome: ended.outcome,
        }
    }
}

/// Updates the firmware of `target` with `image`: [`prepare`], then [`update_prepared`].
pub fn update(target: &mut Target, image: &[u8], options: &mut UpdateOptions<'_>) -> Report {
    let len = image.len() as u64;
    match prepare(target, len, options.max_chunk, options.timeout) {
        Ok(prepared) => update_prepared(target, &prepared, image, options),
        Err(ended) => Report::ended(*ended),
    }
}

/// Updates the firmware of `target` with `image` by the plan `prepared` holds (from
/// [`prepare`] on the same device and image, whose reads need not be sent again).
pub fn update_prepared(
    target: &mut Target,
    prepared: &Prepared,
    image: &[u8],
    options: &mut UpdateOptions<'_>,
) -> Report {
    let mut report = Report {
        identity: None,
        plan: None,
        download: None,
        activated: None,
        verified: None,
        outcome: Outcome::Refused { why: String::new() },
    };
    let from = prepared.identity.revision.clone();
    report.identity = Some(prepared.identity.clone());
    report.plan = Some(prepared.plan.clone());
    let plan = &prepared.plan;
    let timeout = options.timeout;
    let state_file = options.download.state_file.clone();
    let forget_state = || {
        if let Some(path) = &state_file {
            let _ = state::remove(path);
        }
    };
    let mut done = match run_download(target, prepared, image, options, &from) {
        Ok(done) => done,
        Err(halted) => {
            report.download = halted.download;
            report.outcome = halted.outcome;
            return report;
        }
    };
    forget_state();
    let mut activation = activate(target, plan, timeout);
    if let (Err(error), Start::Resumed { offset }) = (&activation, &done.start) {
        if lost_earlier_pieces(error) {
            let why = format!(
                "the controller rejected the image resumed at offset {offset} at commit \
                 (Invalid Firmware Image): it no longer held the earlier pieces, so the image \
                 was downloaded again from 0"
            );
            match run_download(target, prepared, image, options, &from) {
                Ok(again) => {
                    done = Downloaded {
                        start: Start::Restarted { why },
                        ..again
                    }
                }
                Err(halted) => {
                    report.download = halted.download;
                    report.outcome = halted.outcome;
                    return report;
                }
            }
            forget_state();
            activation = activate(target, plan, timeout);
        }
    }
    report.download = Some(done);
    let activated = match activation {
        Ok(a) => a,
        Err(error) if error.no_answer() => {
            report.outcome = Outcome::FailedUnknown {
                why: format!("activation got no answer: {error}"),
                next_step: "check the device's revision (scsitool inquiry / identify); power \
                            cycle it if it does not answer, then check again"
                    .into(),
            };
            return report;
        }
        Err(error) => {
            report.outcome = after_failure(
                target,
                &from,
                format!("activation failed: {error}"),
                timeout,
            );
            return report;
        }
    };
    report.activated = Some(activated);
    let verified = match verify(target, timeout) {
        Ok(v) => v,
        Err(error) => {
            report.outcome = Outcome::FailedUnknown {
                why: format!("the revision could not be read back after activation: {error}"),
                next_step: "power cycle the device and check its revision".into(),
            };
            return report;
        }
    };
    report.outcome = judge(
        activated,
        &verified,
        &from,
        options.expected_revision.as_deref(),
        plan,
    );
    report.verified = Some(verified);
    report
}

/// A download that ended before activation, and how the update ends.
struct Halted {
    download: Option<Downloaded>,
    outcome: Outcome,
}

/// Runs the download step and maps its failures to outcomes; the state file is removed
/// when the device rejected a chunk (its partial download is void).
fn run_download(
    target: &mut Target,
    prepared: &Prepared,
    image: &[u8],
    options: &mut UpdateOptions<'_>,
    from: &str,
) -> Result<Downloaded, Box<Halted>> {
    let plan = &prepared.plan;
    let halt = |download, outcome| Box::new(Halted { download, outcome });
    match download(
        target,
        plan,
        image,
        &prepared.identity,
        &mut options.download,
    ) {
        Ok(done) if !done.finished => {
            let outcome = Outcome::FailedUnknown {
                why: format!(
                    "the download stopped after {} of {} bytes",
                    done.acknowledged, plan.image_len
                ),
                next_step: resume_advice(plan, done.acknowledged),
            };
            Err(halt(Some(done), outcome))
        }
        Ok(done) => Ok(done),
        Err(DownloadError::NoAnswer { offset, error }) => {
            let outcome = Outcome::FailedUnknown {
                why: format!("the chunk at offset {offset} got no answer: {error}"),
                next_step: resume_advice(plan, offset),
            };
            Err(halt(None, outcome))
        }
        Err(DownloadError::Rejected {
            offset,
            error,
            start,
        }) => {
            if let Some(path) = &options.download.state_file {
                let _ = state::remove(path);
            }
            let resumed = match &start {
                Start::Resumed { offset } => format!(" (resumed at offset {offset})"),
                _ => String::new(),
            };
            let why = format!("the device rejected the chunk at offset {offset}{resumed}: {error}");
            Err(halt(
                None,
                after_failure(target, from, why, options.timeout),
            ))
        }
        Err(other) => {
            let why = format!("nothing more was sent: {other}");
            Err(halt(None, Outcome::FailedUnchanged { why }))
        }
    }
}

/// Invalid Firmware Image (Command Specific Status 07h, NVMe Base 2.0 5.13) at the commit
/// of a resumed download: the controller lost the pieces sent before the interruption
/// (a reset discards a partial download).
fn lost_earlier_pieces(error: &FirmwareError) -> bool {
    error
        .nvme_status()
        .is_some_and(|s| s.sct == cdb::nvme::status::sct::COMMAND_SPECIFIC && s.sc == 0x07)
}

/// The outcome once the device answered after activation. An NVMe controller that says
/// the image runs must report, as its FR, the revision the committed slot holds (log 03h).
fn judge(
    activated: Activated,
    verified: &Verified,
    from: &str,
    expected: Option<&str>,
    plan: &Plan,
) -> Outcome {
    let to = verified.revision.clone();
    let slot_revision = match plan.method {
        Method::Nvme { slot, .. } => verified
            .slot_revisions
            .get(usize::from(slot).wrapping_sub(1))
            .cloned()
            .flatten(),
        Method::Scsi { .. } => None,
    };
    let wanted = expected.map(str::to_string).or(slot_revision);
    match activated {
        Activated::Pending { reset } => Outcome::pending(from.to_string(), reset),
        Activated::NotIndicated if to == from && wanted.as_deref() != Some(to.as_str()) => {
            Outcome::pending(from.to_string(), RequiredReset::HardReset)
        }
        _ => match wanted {
            Some(wanted) if wanted.trim() != to.trim() => Outcome::FailedUnknown {
                why: format!(
                    "activation succeeded but the device reports revision {to:?}, not the \
                     {wanted:?} of the image"
                ),
                next_step: "power cycle the device and check its revision; if it is still \
                            wrong, the image did not take"
                    .into(),
            },
            _ => Outcome::UpdatedActive {
                from: from.to_string(),
                to,
            },
        },
    }
}

/// After a command failed: unchanged when the device still reports `from`.
fn after_failure(target: &mut Target, from: &str, why: String, timeout: Duration) -> Outcome {
    match verify(target, timeout) {
        Ok(v) if v.revision == from => Outcome::FailedUnchanged { why },
        Ok(v) => Outcome::FailedUnknown {
            why: format!("{why}; the device now reports revision {:?}", v.revision),
            next_step: "power cycle the device and check its revision".into(),
        },
        Err(e) => Outcome::FailedUnknown {
            why: format!("{why}; the device does not answer: {e}"),
            next_step: "power cycle the device; if it reports MICROCODE DOWNLOAD REQUIRED or \
                        is not ready, download the image again"
                .into(),
        },
    }
}

/// What to do after an interrupted download.
fn resume_advice(plan: &Plan, acknowledged: u64) -> String {
    if plan.method.offset_addressed() {
        format!(
            "run the update again with the same state file: it resumes at offset \
             {acknowledged} where the device still holds the partial download, or restarts"
        )
    } else {
        "run the update again: mode 05h restarts from the beginning".into()
    }
}

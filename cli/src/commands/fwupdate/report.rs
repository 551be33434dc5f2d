//! The `--json` document of `scsitool fwupdate`, its human rendering, and the exit status
//! each outcome ends with.

use crate::exit::ExitStatus;
use crate::output::Report as Render;
use firmware::activate::Verified;
use firmware::download::Start;
use firmware::plan::{Activation, Method, Plan, PlannedCommand};
use firmware::probe::Capabilities;
use firmware::update::{Prepared, Report};
use firmware::Outcome;
use serde::Serialize;

/// The `--json` document of `scsitool fwupdate`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct FwupdateReport {
    /// The image.
    pub image: ImageFacts,
    /// The image's manifest, when it has one.
    pub manifest: Option<ManifestFacts>,
    /// The device: the one named, or the one discovery found.
    pub device: Option<String>,
    /// The resume state file.
    pub state_file: String,
    /// What probing found (identity, capabilities, plan); only reading commands were
    /// sent for it.
    pub prepared: Option<Prepared>,
    /// With `--dry-run`: every command the plan would send, in order.
    pub commands: Option<Vec<CommandHex>>,
    /// The firmware library's report of the update, when it ran.
    pub update: Option<Report>,
    /// With `--reset`: the reset and what the device reported after it.
    pub reset: Option<ResetDone>,
    /// How the update ended, after `--reset` if one was performed; absent after
    /// `--dry-run`.
    pub outcome: Option<Outcome>,
    /// The process exit status (`docs/exit-codes.md`).
    pub exit_status: u8,
}

/// The image file.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ImageFacts {
    /// Its path.
    pub path: String,
    /// Its length in bytes.
    pub length: u64,
    /// Its CRC-32 (IEEE 802.3), hex.
    pub crc32: String,
}

/// The image's manifest and how the device matched it.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ManifestFacts {
    /// The sidecar file.
    pub path: String,
    /// The vendor it names.
    pub vendor: Option<String>,
    /// The models it names (empty: any).
    pub models: Vec<String>,
    /// The revisions it may update from (empty: any).
    pub from_revisions: Vec<String>,
    /// The revision it installs.
    pub revision: String,
    /// How the device differs from what it names.
    pub mismatches: Vec<String>,
    /// True when `--force` overrode the mismatches.
    pub forced: bool,
}

/// One command the plan would send (`--dry-run`).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct CommandHex {
    /// The command's name.
    pub name: String,
    /// The CDB (SCSI) or the 64-byte submission queue entry (NVMe), hex.
    pub bytes: String,
    /// Bytes of the image it carries.
    pub data_out: u64,
}

impl CommandHex {
    /// A planned command in hex.
    pub fn from_planned(command: &PlannedCommand) -> Self {
        CommandHex {
            name: command.name.to_string(),
            bytes: command
                .bytes
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<Vec<_>>()
                .join(" "),
            data_out: command.data_out,
        }
    }
}

/// A reset `--reset` performed, or could not.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ResetDone {
    /// What was (or would have been) done.
    pub action: String,
    /// Why it was not done or failed, if so.
    pub error: Option<String>,
    /// What the device reported after it.
    pub verified: Option<Verified>,
}

/// The exit status `outcome` ends the process with; no outcome (`--dry-run`) is success.
pub fn exit_status(outcome: Option<&Outcome>) -> ExitStatus {
    match outcome {
        None | Some(Outcome::UpdatedActive { .. }) => ExitStatus::Success,
        Some(Outcome::PendingReset { .. }) => ExitStatus::FirmwarePendingReset,
        Some(Outcome::Refused { .. }) => ExitStatus::FirmwareRefused,
        Some(Outcome::FailedUnchanged { .. }) => ExitStatus::FirmwareFailedUnchanged,
        Some(Outcome::FailedUnknown { .. }) => ExitStatus::FirmwareFailedUnknown,
    }
}

/// What the plan expects of activation, in words.
fn activation_text(activation: Activation) -> String {
    match activation {
        Activation::WithFinalChunk => "active when the final WRITE BUFFER completes".into(),
        Activation::ByActivateCommand => "activated by WRITE BUFFER mode 0Fh, no reset".into(),
        Activation::ByCommit => "activated by the Firmware Commit, no reset expected".into(),
        Activation::AtReset { reset } => format!("runs after a reset: {}", reset.instruction()),
        Activation::NotIndicated => {
            "the device does not say; the revision read back decides".into()
        }
    }
}

/// The method in words.
fn method_text(method: Method) -> String {
    match method {
        Method::Scsi { mode } => format!(
            "WRITE BUFFER mode {:02X}h{}",
            mode.mode().code(),
            if mode.deferred() {
                ", then mode 0Fh (activate deferred microcode)"
            } else {
                ""
            }
        ),
        Method::Nvme {
            slot,
            commit_action,
        } => format!(
            "Firmware Image Download, then Firmware Commit to slot {slot} with Commit Action \
             {:03b}b",
            commit_action as u8
        ),
    }
}

/// The probe's notes and refusal evidence.
fn notes(capabilities: &Capabilities) -> Vec<String> {
    match capabilities {
        Capabilities::Scsi(c) => c.refusal.iter().chain(&c.notes).cloned().collect(),
        Capabilities::Nvme(c) => {
            let tunnel = c.tunnel.map(|t| format!("through the {t} bridge tunnel"));
            tunnel.into_iter().chain(c.notes.iter().cloned()).collect()
        }
    }
}

/// The plan as printed before anything is sent.
pub fn plan_text(device: &str, prepared: &Prepared) -> String {
    let id = &prepared.identity;
    let plan: &Plan = &prepared.plan;
    let mut text = format!(
        "device: {device}: {} {} revision {} serial {}\n",
        id.vendor.trim_end(),
        id.model.trim_end(),
        id.revision.trim_end(),
        id.serial.trim()
    );
    let chunks = plan.chunks().count();
    text += &format!(
        "plan: {} bytes by {}\n  {chunks} chunk{} of up to {} bytes; {}\n",
        plan.image_len,
        method_text(plan.method),
        if chunks == 1 { "" } else { "s" },
        plan.chunk_size,
        activation_text(plan.activation)
    );
    for line in plan.reasons.iter().chain(&notes(&prepared.capabilities)) {
        text += &format!("  - {line}\n");
    }
    text
}

/// The outcome and what the user must do next.
fn outcome_text(outcome: &Outcome) -> String {
    match outcome {
        Outcome::UpdatedActive { from, to } => {
            format!("updated: revision {from} -> {to}, active now; nothing more to do\n")
        }
        Outcome::PendingReset {
            from, instruction, ..
        } => format!(
            "downloaded and committed; revision {from} still runs. Next: {instruction}, then \
             check the revision\n"
        ),
        Outcome::Refused { why } => format!("refused, nothing was sent: {why}\n"),
        Outcome::FailedUnchanged { why } => {
            format!("failed, the device still runs its old firmware: {why}\n")
        }
        Outcome::FailedUnknown { why, next_step } => {
            format!("failed, the device's state is unknown: {why}\nNext: {next_step}\n")
        }
    }
}

/// Where the download started, in words.
fn start_text(start: &Start) -> String {
    match start {
        Start::Fresh => "from offset 0".into(),
        Start::Resumed { offset } => format!("resumed at offset {offset} (state file)"),
        Start::Restarted { why } => format!("restarted from offset 0: {why}"),
    }
}

impl Render for FwupdateReport {
    /// The result; the plan was printed before the download.
    fn human(&self) -> String {
        let mut text = String::new();
        if let Some(commands) = &self.commands {
            text += "dry run: the commands the update would send (nothing was sent):\n";
            for c in commands {
                text += &format!("  {:<28} {}  data-out {}\n", c.name, c.bytes, c.data_out);
            }
        }
        if let Some(d) = self.update.as_ref().and_then(|u| u.download.as_ref()) {
            text += &format!(
                "download: {}; {} chunks sent, {} bytes acknowledged\n",
                start_text(&d.start),
                d.chunks_sent,
                d.acknowledged
            );
        }
        if let Some(v) = self.update.as_ref().and_then(|u| u.verified.as_ref()) {
            text += &format!("revision read back: {}\n", v.revision.trim_end());
        }
        if let Some(r) = &self.reset {
            text += &match (&r.error, &r.verified) {
                (Some(e), _) => format!("reset: {} not done: {e}\n", r.action),
                (None, Some(v)) => format!(
                    "reset: {}; revision now {}\n",
                    r.action,
                    v.revision.trim_end()
                ),
                (None, None) => format!("reset: {}\n", r.action),
            };
        }
        if let Some(m) = self.manifest.as_ref().filter(|m| m.forced) {
            text += &format!("forced past the manifest: {}\n", m.mismatches.join("; "));
        }
        if let Some(outcome) = &self.outcome {
            text += &outcome_text(outcome);
        }
        text
    }
}

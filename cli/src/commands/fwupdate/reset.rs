//! `--reset`: performing the reset a PendingReset outcome waits for, where scsitool can —
//! a power cycle of an emulated (`sim:`) device, a Controller Level Reset of a Linux NVMe
//! controller (NVMe Base 2.0 3.7.2, `NVME_IOCTL_RESET`) — then reading the revision again
//! (`firmware::activate::verify`). Elsewhere the outcome's instruction stands.

use super::report::ResetDone;
use crate::commands::device::TIMEOUT;
use firmware::activate::verify;
use firmware::{Outcome, RequiredReset, Target};
use transports::scsi::TransportError;

/// Performs `reset` on `target` (opened as `device`) and re-reads the revision: the
/// record of it, and the outcome it leads to (the pending outcome when nothing changed).
pub fn perform(
    device: &str,
    target: &mut Target,
    pending: Outcome,
    expected: Option<&str>,
) -> (ResetDone, Outcome) {
    let Outcome::PendingReset { from, reset, .. } = &pending else {
        let done = ResetDone {
            action: "none".into(),
            error: Some("no reset is pending".into()),
            verified: None,
        };
        return (done, pending);
    };
    let (action, result) = run(device, target, *reset);
    let mut done = ResetDone {
        action,
        error: result.err().map(|e| e.to_string()),
        verified: None,
    };
    if done.error.is_some() {
        return (done, pending);
    }
    let outcome = match verify(target, TIMEOUT) {
        Err(e) => Outcome::FailedUnknown {
            why: format!("the device did not answer after the reset: {e}"),
            next_step: "power cycle the device and check its revision".into(),
        },
        Ok(verified) => {
            let to = verified.revision.trim_end().to_string();
            let outcome = if to == from.trim_end() {
                pending.clone()
            } else if expected.is_some_and(|e| e.trim_end() != to) {
                Outcome::FailedUnknown {
                    why: format!(
                        "after the reset the device reports revision {to:?}, not the image's {:?}",
                        expected.unwrap_or_default()
                    ),
                    next_step: "power cycle the device and check its revision".into(),
                }
            } else {
                Outcome::UpdatedActive {
                    from: from.clone(),
                    to: verified.revision.clone(),
                }
            };
            done.verified = Some(verified);
            outcome
        }
    };
    (done, outcome)
}

/// Runs the reset scsitool can perform for `reset`: what it is, and whether it worked.
fn run(
    device: &str,
    target: &mut Target,
    reset: RequiredReset,
) -> (String, Result<(), TransportError>) {
    if device.starts_with("sim:") {
        let result = match target {
            Target::Scsi(t) => t.power_cycle(),
            Target::Nvme { transport, .. } => transport.power_cycle(),
        };
        return ("power cycle of the emulated device".into(), result);
    }
    match (target, reset) {
        (
            Target::Nvme {
                transport,
                bridge: None,
            },
            RequiredReset::ControllerLevel,
        ) => (
            "NVMe Controller Level Reset (NVME_IOCTL_RESET)".into(),
            transport.reset_controller(),
        ),
        _ => (
            format!("{reset:?} reset"),
            Err(TransportError::Refused(format!(
                "scsitool cannot perform this reset on {device}: {}",
                reset.instruction()
            ))),
        ),
    }
}

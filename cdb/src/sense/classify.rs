//! Retry policy from a SCSI status and its sense data (SAM-6 5.3, SPC-5 4.4).
//!
//! The class says what an initiator can usefully do next, following what the standards say
//! each condition means:
//! - UNIT ATTENTION (SPC-5 4.4.5, SAM-6 5.14) reports an event (reset, changed parameters,
//!   new microcode, ...) and the command was not executed: reissuing it is correct, so every
//!   UNIT ATTENTION is [`RetryClass::RetryLater`], including 3F/01 MICROCODE HAS BEEN
//!   CHANGED, which reports a change that has already taken effect.
//! - NOT READY with an "in progress" or "becoming ready" qualifier (04/01, 04/04–04/0A,
//!   04/11, 04/13, 04/14, 04/1A–04/1D, 04/24, 04/25) clears by itself:
//!   [`RetryClass::RetryLater`].
//! - NOT READY 04/02 (initializing command required, i.e. START STOP UNIT), 04/1E
//!   (microcode activation required), 04/20 (logical unit reset required), 04/21 (hard
//!   reset required) and 04/22 (power cycle required) never clear by themselves: the
//!   initiator must act on the logical unit first, [`RetryClass::NeedsReset`].
//! - ABORTED COMMAND (the device ended the command, often for a transport problem) is
//!   worth retrying, except 10/xx protection information check failures, which report bad
//!   data rather than a transient condition.
//! - BUSY, TASK SET FULL, ACA ACTIVE and TASK ABORTED (SAM-6 5.3.1) mean the command was
//!   not executed for a transient reason: [`RetryClass::RetryLater`].
//! - Deferred errors (SPC-5 4.4.4) are classified by their sense key like current ones: the
//!   class describes the condition; [`SenseData::is_deferred`] tells callers that it
//!   concerns an earlier command (whose data may be lost) rather than the one just sent.
//! - RESERVATION CONFLICT will recur until another initiator releases its reservation,
//!   and CHECK CONDITION without sense data gives no grounds to retry: [`RetryClass::Fatal`].

use super::key;
use super::SenseData;
use crate::scsi::status::Status;
use serde::Serialize;

/// What to do about a completed command (see the module documentation for the reasons).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RetryClass {
    /// The command succeeded (GOOD, CONDITION MET, or sense key COMPLETED).
    Good,
    /// The command succeeded after the device recovered from an error (RECOVERED ERROR), or
    /// with informational sense (NO SENSE: FILEMARK, EOM, ILI, ...).
    Recovered,
    /// A transient condition: reissue the command, after a delay for BUSY and "in progress".
    RetryLater,
    /// The logical unit needs a reset, a power cycle, microcode activation or an
    /// initializing command before it will accept the command.
    NeedsReset,
    /// Retrying will not help.
    Fatal,
}

/// Classifies a SCSI status and the sense data returned with it.
pub fn classify(status: Status, sense: Option<&SenseData>) -> RetryClass {
    match status {
        Status::Good
        | Status::ConditionMet
        | Status::Intermediate
        | Status::IntermediateConditionMet => RetryClass::Good,
        Status::Busy | Status::TaskSetFull | Status::AcaActive | Status::TaskAborted => {
            RetryClass::RetryLater
        }
        Status::CheckCondition | Status::CommandTerminated => {
            sense.map_or(RetryClass::Fatal, classify_sense)
        }
        Status::ReservationConflict | Status::Reserved(_) => RetryClass::Fatal,
    }
}

/// Classifies sense data returned with CHECK CONDITION.
pub fn classify_sense(sense: &SenseData) -> RetryClass {
    let (asc, ascq) = sense.asc_ascq().unwrap_or((0, 0));
    match sense.sense_key_code() {
        Some(key::NO_SENSE | key::RECOVERED_ERROR) => RetryClass::Recovered,
        Some(key::COMPLETED) => RetryClass::Good,
        Some(key::UNIT_ATTENTION) => RetryClass::RetryLater,
        Some(key::NOT_READY) => not_ready(asc, ascq),
        Some(key::ABORTED_COMMAND) if asc == 0x10 => RetryClass::Fatal,
        Some(key::ABORTED_COMMAND) => RetryClass::RetryLater,
        _ => RetryClass::Fatal,
    }
}

/// NOT READY by ASC/ASCQ (SPC-5 table D.1, ASC 04h "LOGICAL UNIT NOT READY, ...").
fn not_ready(asc: u8, ascq: u8) -> RetryClass {
    match (asc, ascq) {
        (0x04, 0x01 | 0x04..=0x0A | 0x11 | 0x13 | 0x14 | 0x1A..=0x1D | 0x24 | 0x25) => {
            RetryClass::RetryLater
        }
        (0x04, 0x02 | 0x1E | 0x20..=0x22) => RetryClass::NeedsReset,
        _ => RetryClass::Fatal,
    }
}

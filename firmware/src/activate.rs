//! Activation and verification. SCSI: WRITE BUFFER mode 0Fh activates deferred microcode
//! (SPC-5 6.49); after modes 05h and 07h the microcode is active already or waits for a
//! hard reset or power on, as ACTIVATE MICROCODE (SPC-5 7.7.7) and the DOWNLOAD
//! MICROCODE STATUS (READ BUFFER mode 0Fh, SPC-5 6.16 / SPC-6) say. The UNIT ATTENTION
//! MICROCODE HAS BEEN CHANGED (3Fh/01h) that follows is cleared by the next command and
//! recorded. NVMe: Firmware Commit (NVMe Base 2.0 5.13), whose command specific statuses
//! 0Bh, 10h, 11h and 12h mean "committed, activate with a reset". Verification re-reads
//! the revision: INQUIRY (SPC-5 6.7.2), Identify Controller FR and the Firmware Slot
//! Information log (Base 2.0 5.17.2.1, 5.16.1.4).

use crate::error::FirmwareError;
use crate::outcome::RequiredReset;
use crate::plan::{Activation, Method, Plan};
use crate::target::Target;
use cdb::nvme::fw_slot::FirmwareSlotLog;
use cdb::nvme::identify::IdentifyController;
use cdb::nvme::log_page::LogPage;
use cdb::nvme::StatusClass;
use cdb::scsi::spc::buffer::{ReadBuffer, ReadBufferData, WriteBuffer};
use cdb::scsi::spc::inquiry::{Inquiry, InquiryData};
use cdb::scsi::spc::test_unit_ready::TestUnitReady;
use serde::Serialize;
use std::time::Duration;
use transports::execute::execute;
use transports::nvme::NvmeError;

/// What activation achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Activated {
    /// The device says the new firmware runs.
    Active,
    /// The new firmware runs after `reset`.
    Pending {
        /// The reset.
        reset: RequiredReset,
    },
    /// The device does not say: the revision read back decides.
    NotIndicated,
}

/// Activates the firmware `plan` downloaded.
pub fn activate(
    target: &mut Target,
    plan: &Plan,
    timeout: Duration,
) -> Result<Activated, FirmwareError> {
    match (target, plan.method) {
        (Target::Scsi(t), Method::Scsi { mode }) if mode.deferred() => {
            execute(
                t.as_mut(),
                &WriteBuffer::activate_deferred_microcode(),
                timeout,
            )?;
            Ok(Activated::Active)
        }
        (Target::Scsi(t), Method::Scsi { .. }) => {
            let status = execute(t.as_mut(), &ReadBuffer::microcode_status(), timeout)
                .ok()
                .and_then(|done| match done.response {
                    ReadBufferData::MicrocodeStatus(s) => Some(s.download_microcode_status.code),
                    _ => None,
                });
            Ok(match status.and_then(pending_from_status) {
                Some(reset) => Activated::Pending { reset },
                None => from_plan(plan.activation),
            })
        }
        (Target::Nvme { transport, .. }, Method::Nvme { .. }) => {
            let Some(commit) = plan.commit() else {
                return Err(FirmwareError::Unexpected("Firmware Commit"));
            };
            match transports::nvme::execute(transport.as_mut(), &commit, timeout) {
                Ok(_) => Ok(from_plan(plan.activation)),
                Err(error) => {
                    let class = match &error {
                        NvmeError::Device { status, .. } => Some(status.class()),
                        _ => None,
                    };
                    match class {
                        Some(StatusClass::NeedsReset { reset }) => Ok(Activated::Pending {
                            reset: RequiredReset::from_nvme(reset),
                        }),
                        _ => Err(error.into()),
                    }
                }
            }
        }
        _ => Err(FirmwareError::Unexpected(
            "activation for the other protocol",
        )),
    }
}

/// What the plan expected, once the commands succeeded.
fn from_plan(activation: Activation) -> Activated {
    match activation {
        Activation::WithFinalChunk | Activation::ByActivateCommand | Activation::ByCommit => {
            Activated::Active
        }
        Activation::AtReset { reset } => Activated::Pending { reset },
        Activation::NotIndicated => Activated::NotIndicated,
    }
}

/// The reset a DOWNLOAD MICROCODE STATUS waits for (SPC-6; the SES codes 11h–13h).
fn pending_from_status(code: u8) -> Option<RequiredReset> {
    match code {
        0x11 | 0x13 | 0x31 => Some(RequiredReset::HardReset),
        0x12 | 0x32 => Some(RequiredReset::PowerCycle),
        _ => None,
    }
}

/// The firmware a device reports after activation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Verified {
    /// PRODUCT REVISION LEVEL or FR: the running revision.
    pub revision: String,
    /// ASC/ASCQ of the unit attentions reported on the way (e.g. 3Fh/01h MICROCODE HAS
    /// BEEN CHANGED; 29h/00h after a reset).
    pub unit_attentions: Vec<(u8, u8)>,
    /// NVMe: the slot the next Controller Level Reset activates and its revision (log 03h
    /// AFI bits 6:4 and FRSn).
    pub next_reset: Option<(u8, Option<String>)>,
    /// NVMe: FRS1–FRS7 of the Firmware Slot Information log (empty when not read).
    pub slot_revisions: Vec<Option<String>>,
}

/// Reads the running revision back.
pub fn verify(target: &mut Target, timeout: Duration) -> Result<Verified, FirmwareError> {
    match target {
        Target::Scsi(t) => {
            // INQUIRY does not report a unit attention (SAM-5 5.14); TEST UNIT READY does,
            // and execute() clears it by reissuing.
            let mut unit_attentions: Vec<(u8, u8)> = execute(t.as_mut(), &TestUnitReady, timeout)
                .map(|done| done.unit_attentions)
                .unwrap_or_default()
                .iter()
                .filter_map(|s| s.asc_ascq())
                .collect();
            let done = execute(t.as_mut(), &Inquiry::standard(), timeout)?;
            unit_attentions.extend(done.unit_attentions.iter().filter_map(|s| s.asc_ascq()));
            let InquiryData::Standard(data) = done.response else {
                return Err(FirmwareError::Unexpected("INQUIRY"));
            };
            Ok(Verified {
                revision: data.product_revision_level,
                unit_attentions,
                next_reset: None,
                slot_revisions: Vec::new(),
            })
        }
        Target::Nvme { transport, .. } => {
            let t = transport.as_mut();
            let ctrl = transports::nvme::execute(t, &IdentifyController::controller(), timeout)?;
            let log: Option<FirmwareSlotLog> =
                transports::nvme::execute(t, &LogPage::firmware_slot(), timeout)
                    .ok()
                    .map(|d| d.response);
            let slot_revisions = log.as_ref().map(|l| l.frs.clone()).unwrap_or_default();
            let next_reset = log.and_then(|log| {
                let slot = log.next_reset_slot?;
                let revision = log
                    .frs
                    .get(usize::from(slot).wrapping_sub(1))
                    .cloned()
                    .flatten();
                Some((slot, revision))
            });
            Ok(Verified {
                revision: ctrl.response.fr,
                unit_attentions: Vec::new(),
                next_reset,
                slot_revisions,
            })
        }
    }
}

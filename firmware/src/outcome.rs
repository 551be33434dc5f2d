//! What a firmware update did, told truthfully: five outcomes the CLI maps to distinct
//! exit codes and JSON (the issue's "updated and active / pending reset / refused /
//! failed unchanged / failed unknown").

use cdb::nvme::ResetKind;
use serde::Serialize;

/// The reset or power event that activates downloaded firmware.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequiredReset {
    /// An NVMe Controller Level Reset (NVMe Base 2.0 3.7.2; Linux: `nvme reset`).
    ControllerLevel,
    /// An NVMe Conventional Reset (Base 2.0 3.7.2: PCIe reset, power cycle).
    Conventional,
    /// An NVM Subsystem Reset (Base 2.0 3.7.1; Linux: `nvme subsystem-reset`).
    NvmSubsystem,
    /// A SCSI hard reset or power on (SAM-5 6.3; SPC-5 7.7.7 ACTIVATE MICROCODE 10b).
    HardReset,
    /// A power cycle only (SPC-6 DOWNLOAD MICROCODE STATUS 32h).
    PowerCycle,
}

impl RequiredReset {
    /// The reset an NVMe Firmware Commit status asks for (Base 2.0 5.13).
    pub fn from_nvme(kind: ResetKind) -> Self {
        match kind {
            ResetKind::ControllerLevel => RequiredReset::ControllerLevel,
            ResetKind::Conventional => RequiredReset::Conventional,
            ResetKind::NvmSubsystem => RequiredReset::NvmSubsystem,
        }
    }

    /// What the user must do, in words.
    pub fn instruction(self) -> &'static str {
        match self {
            RequiredReset::ControllerLevel => {
                "reset the NVMe controller (a Controller Level Reset: `nvme reset`, or reboot)"
            }
            RequiredReset::Conventional => {
                "perform a Conventional Reset: reboot the host or power cycle the drive"
            }
            RequiredReset::NvmSubsystem => {
                "perform an NVM Subsystem Reset (`nvme subsystem-reset`) or power cycle the drive"
            }
            RequiredReset::HardReset => {
                "reset the logical unit (a hard reset: target or bus reset) or power cycle the drive"
            }
            RequiredReset::PowerCycle => "power cycle the drive",
        }
    }
}

/// The result of a firmware update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The new firmware runs: the revision read back after activation.
    UpdatedActive {
        /// The revision before the update.
        from: String,
        /// The revision the device reports now.
        to: String,
    },
    /// The image is downloaded and committed; it runs after the reset named.
    PendingReset {
        /// The revision still running.
        from: String,
        /// The event that activates the new firmware.
        reset: RequiredReset,
        /// What the user must do.
        instruction: String,
    },
    /// Nothing was sent to the device: planning or validation refused.
    Refused {
        /// Why, plainly.
        why: String,
    },
    /// The update failed and the device still runs its firmware (it rejected the image or
    /// a command before anything was committed).
    FailedUnchanged {
        /// Why.
        why: String,
    },
    /// The update failed at a point where the device's state is not known.
    FailedUnknown {
        /// Why.
        why: String,
        /// What to do next.
        next_step: String,
    },
}

impl Outcome {
    /// A pending-reset outcome with the reset's instruction.
    pub fn pending(from: String, reset: RequiredReset) -> Self {
        Outcome::PendingReset {
            from,
            reset,
            instruction: reset.instruction().to_string(),
        }
    }

    /// The outcome's name as the JSON `outcome` tag spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::UpdatedActive { .. } => "updated_active",
            Outcome::PendingReset { .. } => "pending_reset",
            Outcome::Refused { .. } => "refused",
            Outcome::FailedUnchanged { .. } => "failed_unchanged",
            Outcome::FailedUnknown { .. } => "failed_unknown",
        }
    }
}

//! Exit statuses: usage errors, device refusals (by sense category), transport failures
//! and data miscompares each get their own code, so scripts can tell them apart.
//!
//! The table is printed in `--help`, the man page and README; `docs/exit-codes.md` explains
//! each code.

use cdb::nvme::status::sct;
use cdb::nvme::StatusClass;
use cdb::scsi::status::Status;
use cdb::sense::{classify, key, RetryClass, SenseData};
use std::fmt;

/// Why `scsitool` exited; each variant has a fixed, documented process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: the command did what was asked.
    Success,
    /// 1: an error not covered below (a bug, an I/O error on a local file).
    Other,
    /// 2: bad arguments or unusable input (malformed hex, unknown option).
    Usage,
    /// 3: the device is not ready, or asks to be retried (NOT READY, UNIT ATTENTION, BUSY).
    DeviceNotReady,
    /// 4: the device reported a medium or hardware error.
    DeviceMediumOrHardware,
    /// 5: the device rejected the command (ILLEGAL REQUEST: unsupported opcode or field).
    DeviceIllegalRequest,
    /// 6: the device refused with another sense key (DATA PROTECT, ABORTED COMMAND, ...).
    DeviceOtherSense,
    /// 7: the device needs a reset or power cycle before it can continue.
    DeviceNeedsReset,
    /// 8: the transport failed: the command did not complete (timeout, link or host error).
    Transport,
    /// 9: data read back differs from what was written or expected.
    Miscompare,
    /// 10: firmware downloaded and committed; it runs after a reset or power cycle.
    FirmwarePendingReset,
    /// 11: firmware update refused before anything was sent.
    FirmwareRefused,
    /// 12: firmware update failed; the device still runs its old firmware.
    FirmwareFailedUnchanged,
    /// 13: firmware update failed; the device's state is unknown.
    FirmwareFailedUnknown,
}

impl ExitStatus {
    /// Every status, in code order, for documentation and tests.
    pub const ALL: [ExitStatus; 14] = [
        ExitStatus::Success,
        ExitStatus::Other,
        ExitStatus::Usage,
        ExitStatus::DeviceNotReady,
        ExitStatus::DeviceMediumOrHardware,
        ExitStatus::DeviceIllegalRequest,
        ExitStatus::DeviceOtherSense,
        ExitStatus::DeviceNeedsReset,
        ExitStatus::Transport,
        ExitStatus::Miscompare,
        ExitStatus::FirmwarePendingReset,
        ExitStatus::FirmwareRefused,
        ExitStatus::FirmwareFailedUnchanged,
        ExitStatus::FirmwareFailedUnknown,
    ];

    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Other => 1,
            ExitStatus::Usage => 2,
            ExitStatus::DeviceNotReady => 3,
            ExitStatus::DeviceMediumOrHardware => 4,
            ExitStatus::DeviceIllegalRequest => 5,
            ExitStatus::DeviceOtherSense => 6,
            ExitStatus::DeviceNeedsReset => 7,
            ExitStatus::Transport => 8,
            ExitStatus::Miscompare => 9,
            ExitStatus::FirmwarePendingReset => 10,
            ExitStatus::FirmwareRefused => 11,
            ExitStatus::FirmwareFailedUnchanged => 12,
            ExitStatus::FirmwareFailedUnknown => 13,
        }
    }

    /// A one-line description, as printed in `--help` and the man page.
    pub fn meaning(self) -> &'static str {
        match self {
            ExitStatus::Success => "success",
            ExitStatus::Other => "other error (local I/O, internal)",
            ExitStatus::Usage => "usage error: bad arguments, malformed input, or a request refused before sending",
            ExitStatus::DeviceNotReady => {
                "device not ready or asks for a retry (NOT READY, UNIT ATTENTION, BUSY; transient NVMe status)"
            }
            ExitStatus::DeviceMediumOrHardware => "device reported MEDIUM ERROR or HARDWARE ERROR (NVMe: media error, Internal Error)",
            ExitStatus::DeviceIllegalRequest => {
                "device rejected the command (ILLEGAL REQUEST; NVMe: invalid opcode, field or namespace)"
            }
            ExitStatus::DeviceOtherSense => {
                "device refused with another sense key or NVMe status (DATA PROTECT, ABORTED COMMAND, ...)"
            }
            ExitStatus::DeviceNeedsReset => "device needs a reset or power cycle",
            ExitStatus::Transport => "transport failure: the command did not complete",
            ExitStatus::Miscompare => "data miscompare",
            ExitStatus::FirmwarePendingReset => {
                "fwupdate: firmware downloaded, runs after a reset or power cycle"
            }
            ExitStatus::FirmwareRefused => "fwupdate: refused before anything was sent",
            ExitStatus::FirmwareFailedUnchanged => {
                "fwupdate: failed, the device still runs its old firmware"
            }
            ExitStatus::FirmwareFailedUnknown => {
                "fwupdate: failed, the device's state is unknown (see the next step printed)"
            }
        }
    }

    /// How a command ends when the device answered with `status` and `sense`: by the
    /// retry classification (SAM-5 5.3, SPC-5 4.4), then by sense key for refusals.
    pub fn for_device(status: Status, sense: Option<&SenseData>) -> ExitStatus {
        match classify(status, sense) {
            RetryClass::Good | RetryClass::Recovered => ExitStatus::Success,
            RetryClass::RetryLater => ExitStatus::DeviceNotReady,
            RetryClass::NeedsReset => ExitStatus::DeviceNeedsReset,
            RetryClass::Fatal => match sense.and_then(SenseData::sense_key_code) {
                Some(key::ILLEGAL_REQUEST) => ExitStatus::DeviceIllegalRequest,
                Some(key::MEDIUM_ERROR | key::HARDWARE_ERROR) => ExitStatus::DeviceMediumOrHardware,
                Some(key::NOT_READY) => ExitStatus::DeviceNotReady,
                Some(key::MISCOMPARE) => ExitStatus::Miscompare,
                _ => ExitStatus::DeviceOtherSense,
            },
        }
    }

    /// How an NVMe command ends when the controller completed it with `status`: by the
    /// status's class (NVMe Base 2.0 4.6.1: DNR and the transient codes; 5.13: the
    /// firmware activation resets), then by status code for commands that failed.
    pub fn for_nvme(status: cdb::nvme::Status) -> ExitStatus {
        match status.class() {
            StatusClass::Success => ExitStatus::Success,
            StatusClass::RetryLater => ExitStatus::DeviceNotReady,
            StatusClass::NeedsReset { .. } => ExitStatus::DeviceNeedsReset,
            StatusClass::Fatal => match (status.sct, status.sc) {
                (sct::GENERIC, code) if NVME_REJECTED_GENERIC.contains(&code) => {
                    ExitStatus::DeviceIllegalRequest
                }
                (sct::COMMAND_SPECIFIC, code) if NVME_REJECTED_SPECIFIC.contains(&code) => {
                    ExitStatus::DeviceIllegalRequest
                }
                (sct::GENERIC, NVME_INTERNAL_ERROR) | (sct::MEDIA_AND_DATA_INTEGRITY, _) => {
                    ExitStatus::DeviceMediumOrHardware
                }
                _ => ExitStatus::DeviceOtherSense,
            },
        }
    }

    /// The exit-status table as text, for `--help`.
    pub fn table() -> String {
        let mut text = String::from("Exit status:\n");
        for status in ExitStatus::ALL {
            text.push_str(&format!("  {:>2}  {}\n", status.code(), status.meaning()));
        }
        text
    }
}

/// Generic Command Status codes that reject the command as sent (Base 2.0 4.6.1.2.1; 80h
/// NVM Command Set 1.0): Invalid Command Opcode, Invalid Field in Command, Invalid
/// Namespace or Format, LBA Out of Range — SCSI's ILLEGAL REQUEST.
const NVME_REJECTED_GENERIC: &[u8] = &[0x01, 0x02, 0x0b, 0x80];

/// Command Specific Status codes that reject a field of the command (Base 2.0 4.6.1.2.2):
/// Invalid Firmware Slot, Invalid Firmware Image, Invalid Log Page, Invalid Format,
/// Feature Identifier Not Saveable, Feature Not Changeable, Feature Not Namespace
/// Specific.
const NVME_REJECTED_SPECIFIC: &[u8] = &[0x06, 0x07, 0x09, 0x0a, 0x0d, 0x0e, 0x0f];

/// Internal Error (Base 2.0 4.6.1.2.1): the controller failed, like SCSI's HARDWARE ERROR.
const NVME_INTERNAL_ERROR: u8 = 0x06;

/// An error that carries the exit status it should end the process with.
///
/// Commands attach one to an `anyhow::Error` (as its source or context); `main` looks for
/// it in the error chain and falls back to [`ExitStatus::Other`].
#[derive(Debug)]
pub struct Failure {
    /// How the process should exit.
    pub status: ExitStatus,
    /// What went wrong, for the user.
    pub message: String,
}

impl Failure {
    /// A failure with `status` and `message`.
    pub fn new(status: ExitStatus, message: impl Into<String>) -> Self {
        Failure {
            status,
            message: message.into(),
        }
    }

    /// A usage error: bad arguments or malformed input.
    pub fn usage(message: impl Into<String>) -> Self {
        Failure::new(ExitStatus::Usage, message)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// The exit status an error chain asks for: the first [`Failure`] in it, else `Other`.
pub fn status_of(error: &anyhow::Error) -> ExitStatus {
    error
        .chain()
        .find_map(|cause| cause.downcast_ref::<Failure>())
        .map_or(ExitStatus::Other, |failure| failure.status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn codes_are_distinct_and_in_order() {
        let codes: Vec<u8> = ExitStatus::ALL.iter().map(|s| s.code()).collect();
        let expected: Vec<u8> = (0..ExitStatus::ALL.len() as u8).collect();
        assert_eq!(codes, expected);
    }

    #[test]
    fn status_is_found_through_context() {
        let error = anyhow::Error::new(Failure::usage("bad hex"))
            .context("reading sense data")
            .context("sense decode");
        assert_eq!(status_of(&error), ExitStatus::Usage);
        let plain: anyhow::Result<()> = Err(std::io::Error::other("disk")).context("x");
        assert_eq!(status_of(&plain.unwrap_err()), ExitStatus::Other);
    }

    fn sense(bytes: &[u8]) -> SenseData {
        cdb::sense::decode(bytes).unwrap()
    }

    /// Fixed-format sense with `key`, `asc`, `ascq` (SPC-5 4.4.3).
    fn fixed(key: u8, asc: u8, ascq: u8) -> SenseData {
        sense(&[
            0x70, 0, key, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, asc, ascq, 0, 0, 0, 0,
        ])
    }

    #[test]
    fn device_answers_map_to_their_category() {
        let check = Status::CheckCondition;
        let cases = [
            (fixed(0x05, 0x20, 0x00), ExitStatus::DeviceIllegalRequest),
            (fixed(0x05, 0x24, 0x00), ExitStatus::DeviceIllegalRequest),
            (fixed(0x03, 0x11, 0x00), ExitStatus::DeviceMediumOrHardware),
            (fixed(0x04, 0x44, 0x00), ExitStatus::DeviceMediumOrHardware),
            (fixed(0x02, 0x04, 0x01), ExitStatus::DeviceNotReady),
            (fixed(0x02, 0x3a, 0x00), ExitStatus::DeviceNotReady),
            (fixed(0x06, 0x29, 0x00), ExitStatus::DeviceNotReady),
            (fixed(0x02, 0x04, 0x22), ExitStatus::DeviceNeedsReset),
            (fixed(0x0e, 0x1d, 0x00), ExitStatus::Miscompare),
            (fixed(0x07, 0x27, 0x00), ExitStatus::DeviceOtherSense),
            (fixed(0x01, 0x17, 0x01), ExitStatus::Success),
        ];
        for (sense, expected) in cases {
            assert_eq!(
                ExitStatus::for_device(check, Some(&sense)),
                expected,
                "{sense}"
            );
        }
        assert_eq!(
            ExitStatus::for_device(Status::Good, None),
            ExitStatus::Success
        );
        assert_eq!(
            ExitStatus::for_device(Status::Busy, None),
            ExitStatus::DeviceNotReady
        );
        assert_eq!(
            ExitStatus::for_device(Status::ReservationConflict, None),
            ExitStatus::DeviceOtherSense
        );
    }

    #[test]
    fn nvme_statuses_map_by_class_then_code() {
        // Status fields as Linux and nvme-cli print them (Base 2.0 4.6.1): bit 14 DNR,
        // bits 10:8 SCT, bits 7:0 SC.
        let cases = [
            (0x0000, ExitStatus::Success),
            (0x4001, ExitStatus::DeviceIllegalRequest), // Invalid Command Opcode, DNR
            (0x4002, ExitStatus::DeviceIllegalRequest), // Invalid Field in Command
            (0x400b, ExitStatus::DeviceIllegalRequest), // Invalid Namespace or Format
            (0x4080, ExitStatus::DeviceIllegalRequest), // LBA Out of Range
            (0x4109, ExitStatus::DeviceIllegalRequest), // Invalid Log Page
            (0x410d, ExitStatus::DeviceIllegalRequest), // Feature Identifier Not Saveable
            (0x0082, ExitStatus::DeviceNotReady),       // Namespace Not Ready, no DNR
            (0x0022, ExitStatus::DeviceNotReady),       // Transient Transport Error
            (0x4082, ExitStatus::DeviceOtherSense),     // Namespace Not Ready, DNR
            (0x010b, ExitStatus::DeviceNeedsReset), // Firmware Activation Requires Conventional Reset
            (0x0110, ExitStatus::DeviceNeedsReset), // ... NVM Subsystem Reset
            (0x0111, ExitStatus::DeviceNeedsReset), // ... Controller Level Reset
            (0x4281, ExitStatus::DeviceMediumOrHardware), // Unrecovered Read Error
            (0x4280, ExitStatus::DeviceMediumOrHardware), // Write Fault
            (0x4006, ExitStatus::DeviceMediumOrHardware), // Internal Error
            (0x4020, ExitStatus::DeviceOtherSense), // Namespace is Write Protected
            (0x4113, ExitStatus::DeviceOtherSense), // Firmware Activation Prohibited
            (0x4783, ExitStatus::DeviceOtherSense), // Vendor Specific
        ];
        for (field, expected) in cases {
            let status = cdb::nvme::Status::from_field(field);
            assert_eq!(ExitStatus::for_nvme(status), expected, "{field:#06x}");
        }
    }

    #[test]
    fn table_lists_every_code() {
        let table = ExitStatus::table();
        for status in ExitStatus::ALL {
            assert!(table.contains(status.meaning()), "{status:?} missing");
        }
    }
}

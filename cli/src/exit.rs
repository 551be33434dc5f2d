//! Exit statuses: usage errors, device refusals (by sense category), transport failures
//! and data miscompares each get their own code, so scripts can tell them apart.
//!
//! The table is printed in `--help`, the man page and README; `docs/exit-codes.md` explains
//! each code.

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
}

impl ExitStatus {
    /// Every status, in code order, for documentation and tests.
    pub const ALL: [ExitStatus; 10] = [
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
        }
    }

    /// A one-line description, as printed in `--help` and the man page.
    pub fn meaning(self) -> &'static str {
        match self {
            ExitStatus::Success => "success",
            ExitStatus::Other => "other error (local I/O, internal)",
            ExitStatus::Usage => "usage error: bad arguments or malformed input",
            ExitStatus::DeviceNotReady => {
                "device not ready or asks for a retry (NOT READY, UNIT ATTENTION, BUSY)"
            }
            ExitStatus::DeviceMediumOrHardware => "device reported MEDIUM ERROR or HARDWARE ERROR",
            ExitStatus::DeviceIllegalRequest => {
                "device rejected the command (ILLEGAL REQUEST: unsupported opcode or field)"
            }
            ExitStatus::DeviceOtherSense => {
                "device refused with another sense key (DATA PROTECT, ABORTED COMMAND, ...)"
            }
            ExitStatus::DeviceNeedsReset => "device needs a reset or power cycle",
            ExitStatus::Transport => "transport failure: the command did not complete",
            ExitStatus::Miscompare => "data miscompare",
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

    #[test]
    fn table_lists_every_code() {
        let table = ExitStatus::table();
        for status in ExitStatus::ALL {
            assert!(table.contains(status.meaning()), "{status:?} missing");
        }
    }
}

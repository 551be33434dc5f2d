//! `scsitool sense decode`: decodes any sense buffer (SPC-5 4.4) — fixed or descriptor
//! format, current or deferred, every descriptor type and the full ASC/ASCQ list — and
//! says what a retry policy should do about it.

use crate::exit::{ExitStatus, Failure};
use crate::hexin::for_each_input;
use crate::output::{Output, Report};
use anyhow::Result;
use cdb::scsi::status::Status;
use cdb::sense::{classify, RetryClass, SenseData};
use serde::Serialize;

/// The `--json` document of `scsitool sense decode`: the decoded sense data, plus the
/// retry classification for the status it came with.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct SenseReport {
    /// The decoded sense data.
    #[serde(flatten)]
    pub sense: SenseData,
    /// The SCSI status the sense was taken with (CHECK CONDITION unless `--status`).
    pub status: u8,
    /// What a retry policy should do: good, recovered, retry_later, needs_reset or fatal.
    pub classification: RetryClass,
}

impl Report for SenseReport {
    fn human(&self) -> String {
        let mut text = self.sense.to_string();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        let action = match self.classification {
            RetryClass::Good => "none (good)",
            RetryClass::Recovered => "none (recovered or informational)",
            RetryClass::RetryLater => "retry later",
            RetryClass::NeedsReset => "reset, power cycle or initialize the logical unit",
            RetryClass::Fatal => "none: retrying will not help",
        };
        text.push_str(&format!("Action: {action}\n"));
        text
    }
}

/// Decodes each sense buffer given and prints it. With `exit_status`, the run ends with
/// the exit status of the first buffer whose category is not success
/// ([`ExitStatus::for_device`]), after every buffer was printed.
pub fn decode_command(out: Output, hex: &[String], status: u8, exit_status: bool) -> Result<()> {
    let status = Status::from(status);
    let mut first_failure = None;
    for_each_input(hex, |bytes, stream| {
        out.trace(1, "sense", &bytes);
        let sense = cdb::sense::decode(&bytes).map_err(|e| Failure::usage(e.to_string()))?;
        let category = ExitStatus::for_device(status, Some(&sense));
        if category != ExitStatus::Success {
            first_failure.get_or_insert(category);
        }
        let report = SenseReport {
            classification: classify(status, Some(&sense)),
            sense,
            status: status.code(),
        };
        if stream {
            out.emit_line(&report)
        } else {
            out.emit(&report)
        }
    })?;
    match first_failure {
        Some(category) if exit_status => {
            let message = format!("exit status {}: {}", category.code(), category.meaning());
            Err(Failure::new(category, message).into())
        }
        _ => Ok(()),
    }
}

//! The report of a command sent N times for its rate (`tur --count`, `nvme id-ctrl
//! --count`), worded like `sg_turs -t`.

use crate::output::Report;
use serde::Serialize;
use std::time::Duration;

/// The `--json` document of a command repeated `--count` times.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct RateReport {
    /// The device as named on the command line.
    pub device: String,
    /// The command repeated, e.g. `Test Unit Ready`.
    pub command: String,
    /// Commands completed successfully (the first failure ends the run with an error).
    pub count: u64,
    /// Wall-clock time for all of them, in seconds.
    pub elapsed_seconds: f64,
    /// Commands per second.
    pub commands_per_second: f64,
}

impl RateReport {
    /// `count` commands named `command` sent to `device` in `elapsed`.
    pub fn new(device: &str, command: &str, count: u64, elapsed: Duration) -> Self {
        let seconds = elapsed.as_secs_f64();
        RateReport {
            device: device.to_string(),
            command: command.to_string(),
            count,
            elapsed_seconds: seconds,
            commands_per_second: if seconds > 0.0 {
                count as f64 / seconds
            } else {
                0.0
            },
        }
    }
}

impl Report for RateReport {
    fn human(&self) -> String {
        let mut text = format!(
            "Completed {} {} commands with 0 errors\n",
            self.count, self.command
        );
        if self.count > 1 {
            text.push_str(&format!(
                "time to perform commands was {:.3} secs; {:.2} operations/sec\n",
                self.elapsed_seconds, self.commands_per_second
            ));
        }
        text
    }
}

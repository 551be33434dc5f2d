//! `scsitool tur DEVICE [--count N]`: TEST UNIT READY (SPC-5 6.47), once or N times with
//! the command rate, like `sg_turs -n N -t`.

use crate::commands::device::{open_scsi, run};
use crate::output::{Output, Report};
use anyhow::Result;
use cdb::scsi::spc::test_unit_ready::TestUnitReady;
use serde::Serialize;
use std::time::Instant;
use transports::open::Access;

/// The `--json` document of `scsitool tur`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct TurReport {
    /// The device as named on the command line.
    pub device: String,
    /// TEST UNIT READY commands completed with GOOD status.
    pub count: u64,
    /// Wall-clock time for all of them, in seconds.
    pub elapsed_seconds: f64,
    /// Commands per second.
    pub commands_per_second: f64,
}

impl Report for TurReport {
    fn human(&self) -> String {
        let mut text = format!(
            "Completed {} Test Unit Ready commands with 0 errors\n",
            self.count
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

/// Sends TEST UNIT READY `count` times; the first refusal ends the run with its status.
pub fn command(out: Output, device: &str, count: u64) -> Result<()> {
    let mut transport = open_scsi(device, Access::Read)?;
    let start = Instant::now();
    for _ in 0..count {
        run(out, transport.as_mut(), &TestUnitReady)?;
    }
    let elapsed = start.elapsed().as_secs_f64();
    out.emit(&TurReport {
        device: device.to_string(),
        count,
        elapsed_seconds: elapsed,
        commands_per_second: if elapsed > 0.0 {
            count as f64 / elapsed
        } else {
            0.0
        },
    })
}

//! `scsitool tur DEVICE [--count N]`: TEST UNIT READY (SPC-5 6.47), once or N times with
//! the command rate, like `sg_turs -n N -t`.

use crate::commands::device::{open_scsi, run};
use crate::commands::rate::RateReport;
use crate::output::Output;
use anyhow::Result;
use cdb::scsi::spc::test_unit_ready::TestUnitReady;
use std::time::Instant;
use transports::open::Access;

/// Sends TEST UNIT READY `count` times; the first refusal ends the run with its status.
pub fn command(out: Output, device: &str, count: u64) -> Result<()> {
    let mut transport = open_scsi(device, Access::Read)?;
    let start = Instant::now();
    for _ in 0..count {
        run(out, transport.as_mut(), &TestUnitReady)?;
    }
    let report = RateReport::new(device, "Test Unit Ready", count, start.elapsed());
    out.emit(&report)
}

//! The logical unit's readiness: TEST UNIT READY (SPC-5 6.47), REQUEST SENSE (SPC-5 6.39)
//! and START STOP UNIT (SBC-4 5.27).

use super::checked;
use super::commands::Request;
use super::completion::transfer;
use super::disk::Disk;
use super::sense::{self, Condition};
use cdb::command::CdbLayout;
use cdb::scsi::spc::request_sense::RequestSense;
use cdb::scsi::spc::test_unit_ready::TestUnitReady;

/// TEST UNIT READY (SPC-5 6.47): GOOD when ready; the dispatcher has already reported a
/// unit attention or the stopped state (NOT READY 04h/02h).
pub(crate) fn test_unit_ready(
    _disk: &mut Disk,
    request: &Request<'_>,
    _data_in: &mut [u8],
) -> Result<usize, Condition> {
    TestUnitReady::parse_cdb(request.cdb)
        .map_err(|_| Condition::from(sense::INVALID_FIELD_IN_CDB))?;
    Ok(0)
}

/// REQUEST SENSE (SPC-5 6.39): returns, with GOOD status, the pending unit attention
/// (clearing it, SAM-5 5.14), else why the unit is not ready (NOT READY 04h/1Fh or
/// 04h/02h, SBC-4 4.20), else NO SENSE; fixed format, or descriptor format with DESC = 1.
pub(crate) fn request_sense(
    disk: &mut Disk,
    request: &Request<'_>,
    data_in: &mut [u8],
) -> Result<usize, Condition> {
    let code = match disk.take_unit_attention() {
        Some(ua) => ua,
        None => disk.not_ready().unwrap_or(sense::NO_SENSE),
    };
    return_sense(request.cdb, &code.into(), data_in)
}

/// REQUEST SENSE to a LUN with no logical unit: LOGICAL UNIT NOT SUPPORTED as sense data
/// with GOOD status (SPC-5 6.39).
pub(crate) fn request_sense_absent(
    request: &Request<'_>,
    data_in: &mut [u8],
) -> Result<usize, Condition> {
    return_sense(
        request.cdb,
        &sense::LOGICAL_UNIT_NOT_SUPPORTED.into(),
        data_in,
    )
}

/// Transfers `condition` as the parameter data of the REQUEST SENSE `cdb` (SPC-5 6.39),
/// in the format DESC asks for.
pub(crate) fn return_sense(
    cdb: &[u8],
    condition: &Condition,
    data_in: &mut [u8],
) -> Result<usize, Condition> {
    let parsed =
        RequestSense::parse_cdb(cdb).map_err(|_| Condition::from(sense::INVALID_FIELD_IN_CDB))?;
    let data = condition.encode(parsed.desc);
    Ok(transfer(
        data_in,
        &data,
        usize::from(parsed.allocation_length),
    ))
}

/// START STOP UNIT (SBC-4 5.27), checked by [`checked::start_stop_unit`]: START = 1 makes
/// the unit ready; START = 0 writes the cache to the medium (unless NO_FLUSH) and stops it.
pub(crate) fn start_stop_unit(
    disk: &mut Disk,
    request: &Request<'_>,
    _data_in: &mut [u8],
) -> Result<usize, Condition> {
    let asked = checked::start_stop_unit(request.cdb)?;
    if asked.flush {
        disk.device_mut()
            .flush()
            .map_err(|_| Condition::from(sense::WRITE_ERROR))?;
    }
    disk.set_stopped(!asked.start);
    Ok(0)
}

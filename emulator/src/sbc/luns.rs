//! REPORT LUNS (SPC-5 6.33): the logical unit inventory, each LUN in the single level
//! format of SAM-5 4.7.

use super::commands::Request;
use super::completion::transfer;
use super::disk::Disk;
use super::sense::{self, Condition};
use cdb::command::CdbLayout;
use cdb::scsi::spc::report_luns::{ReportLuns, MIN_ALLOCATION_LENGTH};

/// The eight-byte LUN of logical unit `lun` (SAM-5 4.7): peripheral device addressing
/// (SAM-5 4.7.5) below 256, flat space addressing (SAM-5 4.7.6) above.
pub fn lun_bytes(lun: u16) -> [u8; 8] {
    let [hi, lo] = lun.to_be_bytes();
    let first = if lun < 0x100 { 0 } else { 0x40 | (hi & 0x3f) };
    [first, lo, 0, 0, 0, 0, 0, 0]
}

/// REPORT LUNS as a command of a logical unit.
pub(crate) fn report_luns(
    _disk: &mut Disk,
    request: &Request<'_>,
    data_in: &mut [u8],
) -> Result<usize, Condition> {
    report(request.cdb, request.luns, data_in)
}

/// REPORT LUNS (SPC-5 6.33) of a target with `luns` logical units numbered from 0,
/// answered for any LUN of it: SELECT REPORT 00h and 02h list every logical unit, 01h
/// (well known logical units) an empty list, others are INVALID FIELD IN CDB; an
/// ALLOCATION LENGTH below 16 is INVALID FIELD IN CDB.
pub(crate) fn report(cdb: &[u8], luns: u16, data_in: &mut [u8]) -> Result<usize, Condition> {
    let allocation_length = cdb
        .get(6..10)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map_or(0, u32::from_be_bytes);
    if allocation_length < MIN_ALLOCATION_LENGTH {
        return Err(Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 6, 7));
    }
    let parsed =
        ReportLuns::parse_cdb(cdb).map_err(|_| Condition::from(sense::INVALID_FIELD_IN_CDB))?;
    let count = match parsed.select_report() {
        0x00 | 0x02 => luns,
        0x01 => 0,
        _ => return Err(Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 2, 7)),
    };
    let mut data = Vec::with_capacity(8 + 8 * usize::from(count));
    data.extend_from_slice(&(u32::from(count) * 8).to_be_bytes());
    data.extend_from_slice(&[0; 4]);
    for lun in 0..count {
        data.extend_from_slice(&lun_bytes(lun));
    }
    Ok(transfer(data_in, &data, allocation_length as usize))
}

//! The mode pages the logical unit has — Caching (08h, SBC-4 6.5.5) and Control (0Ah,
//! SPC-5 7.5.10) — as current, changeable and default values (SPC-5 7.5.3), and how a
//! validated page from MODE SELECT changes the logical unit.

use super::checked::WCE;
use super::disk::Disk;
use super::mode_data::{self, Values};
use super::sense::{self, Condition};
use cdb::scsi::spc::mode::caching::CACHING_PAGE_LENGTH;
use cdb::scsi::spc::mode::control::CONTROL_PAGE_LENGTH;

/// Caching mode page code (SBC-4 6.5.5).
pub(crate) const CACHING: u8 = 0x08;
/// Control mode page code (SPC-5 7.5.10).
pub(crate) const CONTROL: u8 = 0x0a;
/// The supported pages, in the order MODE SENSE returns them for 3Fh (SPC-5 6.13).
pub(crate) const PAGES: [u8; 2] = [CACHING, CONTROL];

/// D_SENSE (descriptor format sense data): control page byte 2 bit 2 (SPC-5 7.5.10).
const D_SENSE: u8 = 0x04;

/// Page `code` with its 2-byte header (page_0 format, PS = 0: nothing is saveable).
pub(crate) fn page(disk: &Disk, code: u8, values: Values) -> Option<Vec<u8>> {
    let (length, bit, on) = match code {
        CACHING => (
            CACHING_PAGE_LENGTH,
            WCE,
            match values {
                Values::Current => disk.device().write_cache_enabled(),
                Values::Changeable => true,
                Values::Default => disk.default_wce(),
            },
        ),
        CONTROL => (
            CONTROL_PAGE_LENGTH,
            D_SENSE,
            match values {
                Values::Current => disk.d_sense(),
                Values::Changeable => true,
                Values::Default => false,
            },
        ),
        _ => return None,
    };
    // Both pages are 18 or 10 bytes long: the length fits its byte.
    Some(mode_data::page_0(
        code,
        length as u8,
        if on { bit } else { 0 },
    ))
}

/// Makes a MODE SELECT page (already checked against the changeable mask) current:
/// WCE turns the medium's write cache on or off (SBC-4 4.15), D_SENSE selects the sense
/// data format (SPC-5 4.4.1).
pub(crate) fn apply(disk: &mut Disk, bytes: &[u8]) -> Result<(), Condition> {
    let flag = |bit: u8| bytes.get(2).is_some_and(|b| b & bit != 0);
    match bytes.first().map(|b| b & 0x3f) {
        Some(CACHING) => disk
            .device_mut()
            .set_write_cache(flag(WCE))
            .map_err(|_| Condition::from(sense::WRITE_ERROR)),
        Some(CONTROL) => {
            disk.set_d_sense(flag(D_SENSE));
            Ok(())
        }
        _ => Err(sense::INTERNAL_TARGET_FAILURE.into()),
    }
}

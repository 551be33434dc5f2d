//! The checks of MODE SELECT (SPC-5 6.11, 6.12) and START STOP UNIT (SBC-4 5.27) that
//! every emulated direct-access device makes — the SBC disk and the bridge alike. Each
//! returns what the initiator asked for; what that does to the device is the caller's.

use super::sense::{self, Condition};
use cdb::command::CdbLayout;
use cdb::scsi::sbc::start_stop_unit::StartStopUnit;
use cdb::scsi::spc::mode::{ModeForm, ModeParameterHeader, ModeParameters, ModeSelectCdb};

/// WCE (write cache enable): caching page byte 2 bit 2 (SBC-4 6.5.5).
pub(crate) const WCE: u8 = 0x04;

/// A MODE SELECT parameter list (SPC-5 7.5.4) whose CDB and header passed the checks.
pub(crate) struct SelectList<'a> {
    /// The mode parameter header (SPC-5 7.5.5).
    pub header: ModeParameterHeader,
    /// The whole list, PARAMETER LIST LENGTH bytes.
    pub list: &'a [u8],
}

/// Checks a MODE SELECT (6)/(10) CDB of form `F` (SPC-5 6.11, 6.12): PF must be one (the
/// list uses the standard page formats) and SP zero (no page is saveable), else INVALID
/// FIELD IN CDB. A PARAMETER LIST LENGTH of zero transfers nothing and is not an error
/// (`None`); fewer data-out bytes than it is DATA PHASE ERROR; a list too short for its
/// header is PARAMETER LIST LENGTH ERROR.
pub(crate) fn mode_select_list<'a, F: ModeForm>(
    cdb: &[u8],
    data_out: &'a [u8],
) -> Result<Option<SelectList<'a>>, Condition> {
    let parsed = ModeSelectCdb::<F>::parse_cdb(cdb)
        .map_err(|_| Condition::from(sense::INVALID_FIELD_IN_CDB))?;
    if !parsed.pf {
        return Err(Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 1, 4));
    }
    if parsed.sp {
        return Err(Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 1, 0));
    }
    let length = usize::from(parsed.parameter_list_length());
    if length == 0 {
        return Ok(None);
    }
    let list = data_out.get(..length).ok_or(sense::DATA_PHASE_ERROR)?;
    let header = ModeParameters::decode_parameter_list::<F>(list)
        .map_err(|_| Condition::from(sense::PARAMETER_LIST_LENGTH_ERROR))?
        .header;
    Ok(Some(SelectList { header, list }))
}

/// A mode page as the device holds it: its current values and its changeable mask, each
/// with the 2-byte page header (SPC-5 7.5.7).
pub(crate) struct PageValues {
    /// The current values (PC = 00b).
    pub current: Vec<u8>,
    /// The bits MODE SELECT may change (PC = 01b).
    pub changeable: Vec<u8>,
}

/// Checks the pages of `list` from byte `from` to its end against `page` (the device's
/// values of a page code, `None` for an unsupported one) and returns them, each with its
/// header. Each page must have SPF = 0, a supported page code, the device's PAGE LENGTH
/// and lie wholly inside the list (else PARAMETER LIST LENGTH ERROR), and change no bit
/// outside the changeable mask (SPC-5 6.11); a wrong field is INVALID FIELD IN PARAMETER
/// LIST pointing at it. PS is reserved in MODE SELECT and ignored.
pub(crate) fn mode_pages(
    list: &[u8],
    from: usize,
    page: impl Fn(u8) -> Option<PageValues>,
) -> Result<Vec<&[u8]>, Condition> {
    let mut pages = Vec::new();
    let mut at = from;
    while at < list.len() {
        let checked = check_page(list, at, &page)?;
        at += checked.len();
        pages.push(checked);
    }
    Ok(pages)
}

/// Checks the page at `list[at..]`; see [`mode_pages`].
fn check_page(
    list: &[u8],
    at: usize,
    page: impl Fn(u8) -> Option<PageValues>,
) -> Result<&[u8], Condition> {
    let invalid = |offset: usize, bit: u8| {
        Condition::parameter_field(sense::INVALID_FIELD_IN_PARAMETER_LIST, at + offset, bit)
    };
    let byte0 = list.get(at).copied().unwrap_or(0);
    if byte0 & 0x40 != 0 {
        return Err(invalid(0, 6));
    }
    let Some(PageValues {
        current,
        changeable,
    }) = page(byte0 & 0x3f)
    else {
        return Err(invalid(0, 5));
    };
    let length = list.get(at + 1).ok_or(sense::PARAMETER_LIST_LENGTH_ERROR)?;
    if current.get(1) != Some(length) {
        return Err(invalid(1, 7));
    }
    let bytes = list
        .get(at..at + current.len())
        .ok_or(sense::PARAMETER_LIST_LENGTH_ERROR)?;
    let masked = bytes.iter().zip(&current).zip(&changeable);
    for (i, ((new, old), allowed)) in masked.enumerate().skip(2) {
        let forbidden = (new ^ old) & !allowed;
        if forbidden != 0 {
            return Err(invalid(i, 7 - forbidden.leading_zeros() as u8));
        }
    }
    Ok(bytes)
}

/// What a START STOP UNIT asked for (SBC-4 5.27), once checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StartStop {
    /// START: make the logical unit ready (true) or stop it (false).
    pub start: bool,
    /// Write the volatile cache to the medium first: START = 0 without NO_FLUSH.
    pub flush: bool,
}

/// Checks a START STOP UNIT CDB (SBC-4 5.27): only POWER CONDITION 0h (START_VALID) is
/// supported and the medium is not removable, so a power condition or LOEJ = 1 is
/// INVALID FIELD IN CDB.
pub(crate) fn start_stop_unit(cdb: &[u8]) -> Result<StartStop, Condition> {
    let parsed =
        StartStopUnit::parse_cdb(cdb).map_err(|_| Condition::from(sense::INVALID_FIELD_IN_CDB))?;
    if parsed.power_condition() != 0 {
        return Err(Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 4, 7));
    }
    if parsed.loej() {
        return Err(Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 4, 1));
    }
    let start = parsed.start_bit();
    Ok(StartStop {
        start,
        flush: !start && !parsed.no_flush(),
    })
}

//! MODE SELECT (6) and (10) (SPC-5 6.11, 6.12): checks the whole parameter list against
//! the changeable values, then applies it, so a rejected list changes nothing.

use super::commands::Request;
use super::disk::Disk;
use super::mode_pages::{self, Values};
use super::sense::{self, Condition};
use cdb::command::CdbLayout;
use cdb::scsi::spc::mode::{ModeForm, ModeParameters, ModeSelectCdb};

/// MODE SELECT (6)/(10) (SPC-5 6.11, 6.12). PF must be one (the list uses the standard
/// page formats) and SP zero (no page is saveable), else INVALID FIELD IN CDB. A PARAMETER
/// LIST LENGTH of zero transfers nothing and is not an error.
pub(crate) fn mode_select<F: ModeForm>(
    disk: &mut Disk,
    request: &Request<'_>,
    _data_in: &mut [u8],
) -> Result<usize, Condition> {
    let parsed = ModeSelectCdb::<F>::parse_cdb(request.cdb)
        .map_err(|_| Condition::from(sense::INVALID_FIELD_IN_CDB))?;
    if !parsed.pf {
        return Err(Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 1, 4));
    }
    if parsed.sp {
        return Err(Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 1, 0));
    }
    let length = usize::from(parsed.parameter_list_length());
    if length == 0 {
        return Ok(0);
    }
    let list = request
        .data_out
        .get(..length)
        .ok_or(sense::DATA_PHASE_ERROR)?;
    let pages = check_list::<F>(disk, list)?;
    for page in pages {
        mode_pages::apply(disk, page)?;
    }
    Ok(0)
}

/// Checks a parameter list (SPC-5 7.5.4): the header, the block descriptors (only the
/// current LOGICAL BLOCK LENGTH is accepted; NUMBER OF LOGICAL BLOCKS takes effect only
/// through FORMAT UNIT, which is not supported, so it is not checked) and every page.
/// Returns the pages, each with its header.
fn check_list<'a, F: ModeForm>(disk: &Disk, list: &'a [u8]) -> Result<Vec<&'a [u8]>, Condition> {
    let header = ModeParameters::decode_parameter_list::<F>(list)
        .map_err(|_| Condition::from(sense::PARAMETER_LIST_LENGTH_ERROR))?
        .header;
    let descriptor_len = if header.longlba { 16 } else { 8 };
    let descriptors = usize::from(header.block_descriptor_length);
    let bdl_at = if F::LONG_LBA { 6 } else { 3 };
    if descriptors % descriptor_len != 0 {
        return Err(Condition::parameter_field(
            sense::INVALID_FIELD_IN_PARAMETER_LIST,
            bdl_at,
            7,
        ));
    }
    let pages_at = F::HEADER_LEN + descriptors;
    if pages_at > list.len() {
        return Err(sense::PARAMETER_LIST_LENGTH_ERROR.into());
    }
    let length_at = if header.longlba { 12 } else { 5 };
    let block_size = disk.device().block_size().to_be_bytes();
    for at in (F::HEADER_LEN..pages_at).step_by(descriptor_len) {
        let field = at + length_at;
        let width = descriptor_len - length_at;
        if list.get(field..field + width) != block_size.get(4 - width..) {
            return Err(Condition::parameter_field(
                sense::INVALID_FIELD_IN_PARAMETER_LIST,
                field,
                7,
            ));
        }
    }
    let mut pages = Vec::new();
    let mut at = pages_at;
    while at < list.len() {
        let page = check_page(disk, list, at)?;
        at += page.len();
        pages.push(page);
    }
    Ok(pages)
}

/// Checks the page at `list[at..]`: a supported page code without subpage (SPF = 0), the
/// page's own PAGE LENGTH, wholly inside the list (else PARAMETER LIST LENGTH ERROR), and
/// no bit changed that the changeable values do not allow (SPC-5 6.11). PS is reserved in
/// MODE SELECT and ignored.
fn check_page<'a>(disk: &Disk, list: &'a [u8], at: usize) -> Result<&'a [u8], Condition> {
    let invalid = |offset: usize, bit: u8| {
        Condition::parameter_field(sense::INVALID_FIELD_IN_PARAMETER_LIST, at + offset, bit)
    };
    let byte0 = list.get(at).copied().unwrap_or(0);
    if byte0 & 0x40 != 0 {
        return Err(invalid(0, 6));
    }
    let code = byte0 & 0x3f;
    let (Some(current), Some(mask)) = (
        mode_pages::page(disk, code, Values::Current),
        mode_pages::page(disk, code, Values::Changeable),
    ) else {
        return Err(invalid(0, 5));
    };
    let length = list.get(at + 1).ok_or(sense::PARAMETER_LIST_LENGTH_ERROR)?;
    if current.get(1) != Some(length) {
        return Err(invalid(1, 7));
    }
    let page = list
        .get(at..at + current.len())
        .ok_or(sense::PARAMETER_LIST_LENGTH_ERROR)?;
    for (i, ((new, old), allowed)) in page.iter().zip(&current).zip(&mask).enumerate().skip(2) {
        let forbidden = (new ^ old) & !allowed;
        if forbidden != 0 {
            return Err(invalid(i, 7 - forbidden.leading_zeros() as u8));
        }
    }
    Ok(page)
}

//! MODE SELECT (6) and (10) (SPC-5 6.11, 6.12): checks the whole parameter list against
//! the changeable values, then applies it, so a rejected list changes nothing.

use super::checked::{self, PageValues, SelectList};
use super::commands::Request;
use super::disk::Disk;
use super::mode_data::Values;
use super::mode_pages;
use super::sense::{self, Condition};
use cdb::scsi::spc::mode::ModeForm;

/// MODE SELECT (6)/(10) (SPC-5 6.11, 6.12): the CDB and header checks of
/// [`checked::mode_select_list`], then the block descriptors and pages.
pub(crate) fn mode_select<F: ModeForm>(
    disk: &mut Disk,
    request: &Request<'_>,
    _data_in: &mut [u8],
) -> Result<usize, Condition> {
    let Some(list) = checked::mode_select_list::<F>(request.cdb, request.data_out)? else {
        return Ok(0);
    };
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
fn check_list<'a, F: ModeForm>(
    disk: &Disk,
    SelectList { header, list }: SelectList<'a>,
) -> Result<Vec<&'a [u8]>, Condition> {
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
    checked::mode_pages(list, pages_at, |code| {
        Some(PageValues {
            current: mode_pages::page(disk, code, Values::Current)?,
            changeable: mode_pages::page(disk, code, Values::Changeable)?,
        })
    })
}

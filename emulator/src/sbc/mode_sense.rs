//! MODE SENSE (6) and (10) (SPC-5 6.13, 6.14): the mode parameter header, a block
//! descriptor (SBC-4 6.5.2) and the pages of [`super::mode_pages`].

use super::commands::Request;
use super::completion::transfer;
use super::disk::Disk;
use super::mode_pages::{self, Values, PAGES};
use super::sense::{self, Condition};
use cdb::command::CdbLayout;
use cdb::scsi::spc::mode::sense::{ALL_PAGES, ALL_SUBPAGES};
use cdb::scsi::spc::mode::{ModeForm, ModeSense, PageControl};

/// DPOFUA (device-specific parameter bit 4): DPO and FUA are supported (SBC-4 6.5.1).
pub(crate) const DPOFUA: u8 = 0x10;

/// MODE SENSE (6)/(10) (SPC-5 6.13, 6.14). Saved values (PC = 11b) are SAVING PARAMETERS
/// NOT SUPPORTED; an unsupported page or subpage is INVALID FIELD IN CDB. The MODE DATA
/// LENGTH counts everything the logical unit has, whatever the ALLOCATION LENGTH cuts.
pub(crate) fn mode_sense<F: ModeForm>(
    disk: &mut Disk,
    request: &Request<'_>,
    data_in: &mut [u8],
) -> Result<usize, Condition> {
    let parsed = ModeSense::<F>::parse_cdb(request.cdb)
        .map_err(|_| Condition::from(sense::INVALID_FIELD_IN_CDB))?;
    let values = match parsed.pc() {
        PageControl::Current => Values::Current,
        PageControl::Changeable => Values::Changeable,
        PageControl::Default => Values::Default,
        PageControl::Saved => {
            return Err(Condition::cdb_field(
                sense::SAVING_PARAMETERS_NOT_SUPPORTED,
                2,
                7,
            ))
        }
    };
    let codes = match parsed.page_code() {
        ALL_PAGES => PAGES.to_vec(),
        code if PAGES.contains(&code) => vec![code],
        _ => return Err(Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 2, 5)),
    };
    if !matches!(parsed.subpage_code(), 0 | ALL_SUBPAGES) {
        return Err(Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 3, 7));
    }
    let descriptor = if parsed.dbd() {
        Vec::new()
    } else {
        block_descriptor(disk, parsed.llbaa(), values)
    };
    let mut body = descriptor.clone();
    for code in codes {
        body.extend(mode_pages::page(disk, code, values).unwrap_or_default());
    }
    let longlba = parsed.llbaa() && !descriptor.is_empty();
    let data = with_header::<F>(&body, descriptor.len(), longlba);
    Ok(transfer(
        data_in,
        &data,
        usize::from(parsed.allocation_length()),
    ))
}

/// The block descriptor (SBC-4 6.5.2): short (8 bytes, NUMBER OF LOGICAL BLOCKS
/// FFFFFFFFh when the capacity does not fit) or, with LLBAA, long (16 bytes). Nothing in
/// it is changeable, so the changeable mask is zeros.
fn block_descriptor(disk: &Disk, long: bool, values: Values) -> Vec<u8> {
    let len = if long { 16 } else { 8 };
    let mut d = vec![0u8; len];
    if values == Values::Changeable {
        return d;
    }
    let device = disk.device();
    let blocks = device.block_count();
    let block_size = device.block_size();
    if long {
        d[..8].copy_from_slice(&blocks.to_be_bytes());
        d[12..].copy_from_slice(&block_size.to_be_bytes());
    } else {
        let short = u32::try_from(blocks).unwrap_or(u32::MAX);
        d[..4].copy_from_slice(&short.to_be_bytes());
        d[5..].copy_from_slice(&block_size.to_be_bytes()[1..]);
    }
    d
}

/// Prefixes `body` with the mode parameter header of form `F` (SPC-5 7.5.5): MODE DATA
/// LENGTH, MEDIUM TYPE 0, DPOFUA, LONGLBA and BLOCK DESCRIPTOR LENGTH.
fn with_header<F: ModeForm>(body: &[u8], block_descriptor_length: usize, longlba: bool) -> Vec<u8> {
    let total = F::HEADER_LEN + body.len();
    let mut data = vec![0u8; F::HEADER_LEN];
    let mode_data_length = (total - F::LENGTH_WIDTH) as u16;
    if F::LONG_LBA {
        data[..2].copy_from_slice(&mode_data_length.to_be_bytes());
        data[3] = DPOFUA;
        data[4] = u8::from(longlba);
        data[6..8].copy_from_slice(&(block_descriptor_length as u16).to_be_bytes());
    } else {
        data[0] = mode_data_length as u8;
        data[2] = DPOFUA;
        data[3] = block_descriptor_length as u8;
    }
    data.extend_from_slice(body);
    data
}

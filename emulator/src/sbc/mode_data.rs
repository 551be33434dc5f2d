//! MODE SENSE (6)/(10) (SPC-5 6.13, 6.14) as every emulated direct-access device answers
//! it — the SBC disk and the bridge alike: the CDB checks, the block descriptor (SBC-4
//! 6.5.2) and the mode parameter header (SPC-5 7.5.5). The pages are the caller's.

use super::sense::{self, Condition};
use cdb::command::CdbLayout;
use cdb::scsi::spc::mode::sense::{ALL_PAGES, ALL_SUBPAGES};
use cdb::scsi::spc::mode::{ModeForm, ModeSense, PageControl};

/// DPOFUA (device-specific parameter bit 4): DPO and FUA are supported (SBC-4 6.5.1).
const DPOFUA: u8 = 0x10;

/// Which values of a page MODE SENSE asks for (SPC-5 6.13, PC field); saved values are
/// not implemented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Values {
    /// PC = 00b.
    Current,
    /// PC = 01b: a mask of the bits MODE SELECT may change.
    Changeable,
    /// PC = 10b: the values after power on or reset.
    Default,
}

/// What a MODE SENSE CDB asked for, once checked.
pub(crate) struct SenseRequest {
    /// The values asked for.
    pub values: Values,
    /// The page codes to return, in order.
    pub pages: Vec<u8>,
    /// The block descriptor: `None` with DBD, else `Some(long)` (long with LLBAA).
    pub descriptor: Option<bool>,
    /// The ALLOCATION LENGTH.
    pub allocation_length: usize,
}

/// Checks a MODE SENSE CDB of form `F` against the device's `pages` (in the order page
/// 3Fh returns them): saved values (PC = 11b) are SAVING PARAMETERS NOT SUPPORTED; a page
/// the device does not have, or a subpage other than 00h and FFh, is INVALID FIELD IN
/// CDB.
pub(crate) fn mode_sense_request<F: ModeForm>(
    cdb: &[u8],
    pages: &[u8],
) -> Result<SenseRequest, Condition> {
    let parsed =
        ModeSense::<F>::parse_cdb(cdb).map_err(|_| Condition::from(sense::INVALID_FIELD_IN_CDB))?;
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
    let pages = match parsed.page_code() {
        ALL_PAGES => pages.to_vec(),
        code if pages.contains(&code) => vec![code],
        _ => return Err(Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 2, 5)),
    };
    if !matches!(parsed.subpage_code(), 0 | ALL_SUBPAGES) {
        return Err(Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 3, 7));
    }
    Ok(SenseRequest {
        values,
        pages,
        descriptor: (!parsed.dbd()).then_some(parsed.llbaa()),
        allocation_length: usize::from(parsed.allocation_length()),
    })
}

/// A mode page in the page_0 format (SPC-5 7.5.7) with PS = 0: PAGE CODE `code`, PAGE
/// LENGTH `length`, `byte2` in its first parameter byte and zeros after it.
pub(crate) fn page_0(code: u8, length: u8, byte2: u8) -> Vec<u8> {
    let mut page = vec![0u8; 2 + usize::from(length)];
    page[0] = code;
    page[1] = length;
    if let Some(b) = page.get_mut(2) {
        *b = byte2;
    }
    page
}

/// The block descriptor (SBC-4 6.5.2) of a unit of `blocks` logical blocks of
/// `block_size` bytes: short (8 bytes, NUMBER OF LOGICAL BLOCKS FFFFFFFFh when the
/// capacity does not fit) or `long` (16 bytes). Nothing in it is changeable, so the
/// changeable mask is zeros.
pub(crate) fn block_descriptor(
    long: bool,
    values: Values,
    blocks: u64,
    block_size: u32,
) -> Vec<u8> {
    let mut d = vec![0u8; if long { 16 } else { 8 }];
    if values == Values::Changeable {
        return d;
    }
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

/// The mode parameter data of form `F` (SPC-5 7.5.5): the header — MODE DATA LENGTH,
/// MEDIUM TYPE 0, DPOFUA, LONGLBA (a long descriptor) and BLOCK DESCRIPTOR LENGTH — then
/// `descriptor` and `pages`.
pub(crate) fn mode_data<F: ModeForm>(descriptor: &[u8], pages: &[u8]) -> Vec<u8> {
    let total = F::HEADER_LEN + descriptor.len() + pages.len();
    let mut data = vec![0u8; F::HEADER_LEN];
    // The devices' pages and descriptors are a few dozen bytes: every length fits.
    let mode_data_length = (total - F::LENGTH_WIDTH) as u16;
    if F::LONG_LBA {
        data[..2].copy_from_slice(&mode_data_length.to_be_bytes());
        data[3] = DPOFUA;
        data[4] = u8::from(descriptor.len() == 16);
        data[6..8].copy_from_slice(&(descriptor.len() as u16).to_be_bytes());
    } else {
        data[0] = mode_data_length as u8;
        data[2] = DPOFUA;
        data[3] = descriptor.len() as u8;
    }
    data.extend_from_slice(descriptor);
    data.extend_from_slice(pages);
    data
}

//! MODE SENSE and MODE SELECT (6)/(10) (SPC-5 6.11 to 6.14) through a bridge: a block
//! descriptor (SBC-4 6.5.2) and the Caching mode page (SBC-4 6.5.5), whose WCE is the
//! drive's Volatile Write Cache feature (NVMe Base 2.0 5.27.1.4) — Get Features 06h to
//! read it, Set Features 06h to change it (NVM Express SCSI Translation Reference 1.5).

use super::{transfer, Bridge, Outcome};
use crate::block::BlockDevice;
use crate::sbc::checked::{self, PageValues, SelectList, WCE};
use crate::sbc::sense::{self, Condition};
use cdb::command::CdbLayout;
use cdb::nvme::features::{GetFeatures, Select, SetFeatures};
use cdb::scsi::spc::mode::caching::CACHING_PAGE_LENGTH;
use cdb::scsi::spc::mode::sense::{ALL_PAGES, ALL_SUBPAGES};
use cdb::scsi::spc::mode::{ModeForm, ModeSense, PageControl, Six, Ten};

/// Caching mode page code (SBC-4 6.5.5).
const CACHING: u8 = 0x08;
/// DPOFUA: device-specific parameter bit 4 (SBC-4 6.5.1); FUA reaches the drive.
const DPOFUA: u8 = 0x10;

/// The Caching mode page with WCE `wce` (page_0 format, PS = 0).
fn caching_page(wce: bool) -> Vec<u8> {
    let mut page = vec![0u8; 2 + CACHING_PAGE_LENGTH];
    page[0] = CACHING;
    page[1] = CACHING_PAGE_LENGTH as u8;
    page[2] = if wce { WCE } else { 0 };
    page
}

impl<D: BlockDevice> Bridge<D> {
    /// MODE SENSE (6) or (10), by operation code.
    pub(super) fn mode_sense(&mut self, cdb: &[u8], data_in: &mut [u8]) -> Outcome {
        if cdb.first() == Some(&0x1a) {
            self.mode_sense_form::<Six>(cdb, data_in)
        } else {
            self.mode_sense_form::<Ten>(cdb, data_in)
        }
    }

    /// MODE SELECT (6) or (10), by operation code.
    pub(super) fn mode_select(&mut self, cdb: &[u8], data_out: &[u8]) -> Outcome {
        if cdb.first() == Some(&0x15) {
            self.mode_select_form::<Six>(cdb, data_out)
        } else {
            self.mode_select_form::<Ten>(cdb, data_out)
        }
    }

    /// The Volatile Write Cache feature's `select` value (Base 2.0 5.27.1.4): WCE.
    fn wce(&mut self, select: Select) -> Result<bool, Condition> {
        let dw0 = self.submit(&GetFeatures::volatile_write_cache(select), &mut [])?;
        Ok(dw0 & 1 != 0)
    }

    /// MODE SENSE (SPC-5 6.13, 6.14): page 08h or 3Fh, current, changeable (WCE only) or
    /// default values; saved values are SAVING PARAMETERS NOT SUPPORTED.
    fn mode_sense_form<F: ModeForm>(&mut self, cdb: &[u8], data_in: &mut [u8]) -> Outcome {
        let parsed = ModeSense::<F>::parse_cdb(cdb)
            .map_err(|_| Condition::from(sense::INVALID_FIELD_IN_CDB))?;
        if !matches!(parsed.page_code(), CACHING | ALL_PAGES) {
            return Err(Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 2, 5));
        }
        if !matches!(parsed.subpage_code(), 0 | ALL_SUBPAGES) {
            return Err(Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 3, 7));
        }
        let changeable = parsed.pc() == PageControl::Changeable;
        let wce = match parsed.pc() {
            PageControl::Current => self.wce(Select::Current)?,
            PageControl::Default => self.wce(Select::Default)?,
            PageControl::Changeable => true,
            PageControl::Saved => {
                return Err(Condition::cdb_field(
                    sense::SAVING_PARAMETERS_NOT_SUPPORTED,
                    2,
                    7,
                ))
            }
        };
        let long = parsed.llbaa();
        let descriptor = if parsed.dbd() {
            Vec::new()
        } else {
            self.block_descriptor(long, changeable)?
        };
        let mut header = vec![0u8; F::HEADER_LEN];
        let total = F::HEADER_LEN + descriptor.len() + 2 + CACHING_PAGE_LENGTH;
        // At most 8 + 16 + 20 bytes: every length fits its field.
        let mode_data_length = (total - F::LENGTH_WIDTH) as u16;
        if F::LONG_LBA {
            header[..2].copy_from_slice(&mode_data_length.to_be_bytes());
            header[3] = DPOFUA;
            header[4] = u8::from(long && !descriptor.is_empty());
            header[7] = descriptor.len() as u8;
        } else {
            header[0] = mode_data_length as u8;
            header[2] = DPOFUA;
            header[3] = descriptor.len() as u8;
        }
        header.extend(descriptor);
        header.extend(caching_page(wce));
        Ok(transfer(
            data_in,
            &header,
            usize::from(parsed.allocation_length()),
        ))
    }

    /// The block descriptor (SBC-4 6.5.2): short, or long with LLBAA; nothing in it is
    /// changeable.
    fn block_descriptor(&mut self, long: bool, changeable: bool) -> Result<Vec<u8>, Condition> {
        let mut d = vec![0u8; if long { 16 } else { 8 }];
        if changeable {
            return Ok(d);
        }
        let ns = self.identify_namespace()?;
        let size = ns.lba_data_size().unwrap_or(0) as u32;
        if long {
            d[..8].copy_from_slice(&ns.nsze.to_be_bytes());
            d[12..].copy_from_slice(&size.to_be_bytes());
        } else {
            let short = u32::try_from(ns.nsze).unwrap_or(u32::MAX);
            d[..4].copy_from_slice(&short.to_be_bytes());
            d[5..].copy_from_slice(&size.to_be_bytes()[1..]);
        }
        Ok(d)
    }

    /// MODE SELECT (SPC-5 6.11, 6.12), checked by [`checked::mode_select_list`]. The list
    /// may carry block descriptors (skipped) and the Caching page, in which only WCE may
    /// change; WCE goes to the drive with Set Features 06h.
    fn mode_select_form<F: ModeForm>(&mut self, cdb: &[u8], data_out: &[u8]) -> Outcome {
        let Some(SelectList { header, list }) = checked::mode_select_list::<F>(cdb, data_out)?
        else {
            return Ok(0);
        };
        let from = F::HEADER_LEN + usize::from(header.block_descriptor_length);
        let pages = checked::mode_pages(list, from, |code| {
            (code == CACHING).then(|| PageValues {
                current: caching_page(false),
                changeable: caching_page(true),
            })
        })?;
        if let Some(page) = pages.last() {
            let wce = page.get(2).is_some_and(|b| b & WCE != 0);
            self.submit(&SetFeatures::volatile_write_cache(wce, false), &mut [])?;
        }
        Ok(0)
    }
}

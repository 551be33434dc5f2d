//! MODE SENSE and MODE SELECT (6)/(10) (SPC-5 6.11 to 6.14) through a bridge: a block
//! descriptor (SBC-4 6.5.2) and the Caching mode page (SBC-4 6.5.5), whose WCE is the
//! drive's Volatile Write Cache feature (NVMe Base 2.0 5.27.1.4) — Get Features 06h to
//! read it, Set Features 06h to change it (NVM Express SCSI Translation Reference 1.5).

use super::{transfer, Bridge, Outcome};
use crate::block::BlockDevice;
use crate::sbc::checked::{self, PageValues, SelectList, WCE};
use crate::sbc::mode_data::{self, Values};
use crate::sbc::sense::Condition;
use cdb::nvme::features::{GetFeatures, Select, SetFeatures};
use cdb::scsi::spc::mode::caching::CACHING_PAGE_LENGTH;
use cdb::scsi::spc::mode::{ModeForm, Six, Ten};

/// Caching mode page code (SBC-4 6.5.5).
const CACHING: u8 = 0x08;

/// The Caching mode page with WCE `wce` (SBC-4 6.5.5); nothing else is set.
fn caching_page(wce: bool) -> Vec<u8> {
    // PAGE LENGTH 12h.
    let length = CACHING_PAGE_LENGTH as u8;
    mode_data::page_0(CACHING, length, if wce { WCE } else { 0 })
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

    /// MODE SENSE (SPC-5 6.13, 6.14), checked by [`mode_data::mode_sense_request`]:
    /// page 08h or 3Fh, current, changeable (WCE only) or default values.
    fn mode_sense_form<F: ModeForm>(&mut self, cdb: &[u8], data_in: &mut [u8]) -> Outcome {
        let asked = mode_data::mode_sense_request::<F>(cdb, &[CACHING])?;
        let wce = match asked.values {
            Values::Current => self.wce(Select::Current)?,
            Values::Default => self.wce(Select::Default)?,
            Values::Changeable => true,
        };
        let descriptor = match asked.descriptor {
            None => Vec::new(),
            Some(long) => self.block_descriptor(long, asked.values)?,
        };
        let data = mode_data::mode_data::<F>(&descriptor, &caching_page(wce));
        Ok(transfer(data_in, &data, asked.allocation_length))
    }

    /// The block descriptor (SBC-4 6.5.2) of namespace 1: NSZE blocks of its LBA data
    /// size (NVM Command Set 1.0 4.1.5.1); nothing in it is changeable.
    fn block_descriptor(&mut self, long: bool, values: Values) -> Result<Vec<u8>, Condition> {
        if values == Values::Changeable {
            return Ok(mode_data::block_descriptor(long, values, 0, 0));
        }
        let ns = self.identify_namespace()?;
        let size = ns.lba_data_size().unwrap_or(0) as u32;
        Ok(mode_data::block_descriptor(long, values, ns.nsze, size))
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

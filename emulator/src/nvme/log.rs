//! Get Log Page (NVMe Base 2.0 5.16): Error Information (01h), SMART / Health Information
//! (02h) and Firmware Slot Information (03h), read from the Log Page Offset for NUMD + 1
//! dwords.

use super::reply::{specific, Done, Outcome, Reject};
use super::{copy_in, Controller, NSID};
use crate::block::BlockDevice;
use cdb::nvme::log_page::GetLogPage;
use cdb::nvme::nvm::NSID_BROADCAST;
use cdb::nvme::{SqeLayout, SubmissionEntry};

/// Size of the Firmware Slot Information log page (Base 2.0 5.16.1.4).
const FW_SLOT_LOG_LEN: usize = 512;

impl<D: BlockDevice> Controller<D> {
    /// Get Log Page: the page's bytes from LPO, at most NUMD + 1 dwords, bounded by the
    /// buffer; bytes past the page's end read as zero.
    pub(super) fn get_log_page(&mut self, sqe: &SubmissionEntry, data_in: &mut [u8]) -> Outcome {
        let glp = GetLogPage::parse_sqe(sqe).map_err(|_| Reject::invalid_field())?;
        let page = match glp.lid() {
            0x01 => self.health.error_log(),
            0x02 => {
                if ![0, NSID, NSID_BROADCAST].contains(&glp.nsid()) {
                    return Err(Reject::invalid_namespace());
                }
                self.health.smart_log(self.config.temperature_kelvin)
            }
            0x03 => self.firmware_slot_log(),
            _ => return Err(Reject::specific(specific::INVALID_LOG_PAGE)),
        };
        let from = usize::try_from(glp.lpo())
            .ok()
            .filter(|&lpo| lpo < page.len())
            .ok_or(Reject::invalid_field())?;
        let want = usize::try_from(glp.len()).unwrap_or(usize::MAX);
        let out_len = want.min(data_in.len());
        let out = &mut data_in[..out_len];
        out.fill(0);
        copy_in(&page[from..], out);
        Ok(Done::ok())
    }

    /// The Firmware Slot Information log page (Base 2.0 5.16.1.4): AFI, then FRS1–FRS7.
    fn firmware_slot_log(&self) -> Vec<u8> {
        let mut page = vec![0; FW_SLOT_LOG_LEN];
        page[0] = self.firmware.afi();
        for (frs, revision) in page[8..64]
            .chunks_exact_mut(8)
            .zip(self.firmware.slot_revisions())
        {
            frs.copy_from_slice(&revision);
        }
        page
    }
}

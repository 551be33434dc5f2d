//! The I/O commands: Flush (NVMe Base 2.0 7.1), and Read and Write with FUA honoured
//! (NVM Command Set 1.0 3.3, "Read command", "Write command").

use super::reply::{generic, media, Done, Outcome, Reject};
use super::{Controller, NSID};
use crate::block::{BlockDevice, BlockError};
use cdb::nvme::nvm::{ReadWriteFields, NSID_BROADCAST};
use cdb::nvme::{SqeLayout, SubmissionEntry};

/// The status for a failed block operation: `backing` (a media error) when the medium
/// failed, LBA Out of Range or Internal Error when the request was impossible.
fn block_failure(err: BlockError, backing: u8) -> Reject {
    match err {
        BlockError::OutOfRange { lba, .. } => {
            Reject::generic(generic::LBA_OUT_OF_RANGE).at_lba(lba)
        }
        BlockError::Misaligned { .. } => Reject::generic(generic::INTERNAL_ERROR),
        BlockError::Backing(_) => {
            Reject::new(cdb::nvme::status::sct::MEDIA_AND_DATA_INTEGRITY, backing)
        }
    }
}

impl<D: BlockDevice> Controller<D> {
    /// Flush (Base 2.0 7.1): makes the volatile write cache durable; NSID FFFFFFFFh
    /// flushes every namespace (VWC bits 2:1 = 11b).
    pub(super) fn flush(&mut self, sqe: &SubmissionEntry) -> Outcome {
        if ![NSID, NSID_BROADCAST].contains(&sqe.nsid.get()) {
            return Err(Reject::invalid_namespace());
        }
        self.device
            .flush()
            .map_err(|e| block_failure(e, media::WRITE_FAULT))?;
        Ok(Done::ok())
    }

    /// Read and Write: checks NSID, MDTS, the LBA range and the buffer, then moves the
    /// blocks (SLBA and the 0's based NLB, NVM Command Set 1.0 3.3).
    pub(super) fn read_write(
        &mut self,
        sqe: &SubmissionEntry,
        data_out: &[u8],
        data_in: &mut [u8],
    ) -> Outcome {
        let rw = ReadWriteFields::parse_sqe(sqe).map_err(|_| Reject::invalid_field())?;
        if rw.nsid != NSID {
            return Err(Reject::invalid_namespace());
        }
        let blocks = u64::from(rw.nlb) + 1;
        let len = blocks * u64::from(self.block_size());
        let mdts = self.config.mdts;
        if mdts != 0 && len > 4096u64 << mdts.min(40) {
            return Err(Reject::invalid_field());
        }
        let in_range = rw
            .slba
            .checked_add(blocks)
            .is_some_and(|end| end <= self.device.block_count());
        if !in_range {
            return Err(Reject::generic(generic::LBA_OUT_OF_RANGE).at_lba(rw.slba));
        }
        let short = || Reject::generic(generic::DATA_SGL_LENGTH_INVALID).at_lba(rw.slba);
        let len = len as usize;
        if rw.write {
            let data = data_out.get(..len).ok_or_else(short)?;
            self.device
                .write(rw.slba, data, rw.fua)
                .map_err(|e| block_failure(e, media::WRITE_FAULT).at_lba(rw.slba))?;
            self.health.written(len as u64);
        } else {
            let buf = data_in.get_mut(..len).ok_or_else(short)?;
            self.device
                .read(rw.slba, buf)
                .map_err(|e| block_failure(e, media::UNRECOVERED_READ_ERROR).at_lba(rw.slba))?;
            self.health.read(len as u64);
        }
        Ok(Done::ok())
    }
}

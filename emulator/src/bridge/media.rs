//! The block commands a bridge translates to NVM commands (NVM Express SCSI Translation
//! Reference 1.5): READ CAPACITY (10)/(16) from Identify Namespace, READ and WRITE
//! (10)/(16) to Read and Write with FUA, SYNCHRONIZE CACHE (10)/(16) and START STOP UNIT
//! to Flush.

use super::{Bridge, Outcome, NSID};
use crate::block::BlockDevice;
use crate::sbc::media::{self, RwRequest};
use crate::sbc::sense::{self, Condition};
use crate::sbc::{capacity, checked};
use cdb::nvme::nvm::{Flush, Read, Write, MAX_BLOCKS};
use cdb::scsi::sbc::lba_cdb::{Sixteen, Ten};
use cdb::scsi::sbc::read_write::{ReadOp, RwKind, WriteOp};

/// The namespace as a logical unit: its block count and logical block length.
struct Geometry {
    blocks: u64,
    block_size: u32,
}

impl<D: BlockDevice> Bridge<D> {
    /// NSZE and the LBA data size of the format in use (NVM Command Set 1.0 4.1.5.1).
    fn geometry(&mut self) -> Result<Geometry, Condition> {
        let ns = self.identify_namespace()?;
        let block_size = ns
            .lba_data_size()
            .and_then(|size| u32::try_from(size).ok())
            .ok_or(sense::INTERNAL_TARGET_FAILURE)?;
        Ok(Geometry {
            blocks: ns.nsze,
            block_size,
        })
    }

    /// READ CAPACITY (10) (SBC-4 5.20) and (16) (SBC-4 5.21, service action 10h) of
    /// the namespace: NSZE blocks of its LBA data size.
    pub(super) fn read_capacity(&mut self, cdb: &[u8], data_in: &mut [u8]) -> Outcome {
        let answer = if cdb.first() == Some(&0x9e) {
            if cdb.get(1).map(|b| b & 0x1f) != Some(0x10) {
                return Err(Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 1, 4));
            }
            capacity::answer_16
        } else {
            capacity::answer_10
        };
        let geometry = self.geometry()?;
        answer(cdb, geometry.blocks, geometry.block_size, data_in)
    }

    /// READ (10)/(16) (SBC-4 5.15, 5.16) as NVMe Reads, FUA to FUA. Only what fits the
    /// transport's buffer moves.
    pub(super) fn read(&mut self, cdb: &[u8], data_in: &mut [u8]) -> Outcome {
        let (transfer, block_size) = self.checked::<ReadOp>(cdb)?;
        let most = self.most_blocks(block_size)?;
        let bs = block_size as usize;
        let mut done = 0;
        let mut at = 0;
        while at < transfer.blocks && done < data_in.len() {
            let blocks = most.min(transfer.blocks - at);
            let cmd = Read::new(NSID, transfer.lba + u64::from(at), blocks, block_size)
                .map_err(|_| sense::INTERNAL_TARGET_FAILURE)?
                .with_flags(transfer.fua, false);
            let mut piece = vec![0; blocks as usize * bs];
            self.submit(&cmd, &mut piece)?;
            done += super::transfer(
                data_in.get_mut(done..).unwrap_or_default(),
                &piece,
                piece.len(),
            );
            at += blocks;
        }
        Ok(done)
    }

    /// WRITE (10)/(16) (SBC-4 5.40, 5.41) as NVMe Writes, FUA to FUA. Fewer data-out bytes
    /// than the CDB asks for is DATA PHASE ERROR, and nothing is written.
    pub(super) fn write(&mut self, cdb: &[u8], data_out: &[u8]) -> Outcome {
        let (transfer, block_size) = self.checked::<WriteOp>(cdb)?;
        let bs = block_size as usize;
        let data = data_out
            .get(..transfer.blocks as usize * bs)
            .ok_or(sense::DATA_PHASE_ERROR)?;
        let most = self.most_blocks(block_size)?;
        for (i, piece) in data.chunks(most as usize * bs).enumerate() {
            let lba = transfer.lba + i as u64 * u64::from(most);
            let cmd = Write::new(NSID, lba, piece, block_size)
                .map_err(|_| sense::INTERNAL_TARGET_FAILURE)?
                .with_flags(transfer.fua, false);
            self.submit(&cmd, &mut [])?;
        }
        Ok(0)
    }

    /// Parses a READ or WRITE CDB of either size with [`media::rw_request`] against the
    /// namespace's size; returns it with the logical block length.
    fn checked<K: RwKind>(&mut self, cdb: &[u8]) -> Result<(RwRequest, u32), Condition> {
        let geometry = self.geometry()?;
        let request = match cdb.len() {
            16 => media::rw_request::<Sixteen, K>(cdb, geometry.blocks),
            _ => media::rw_request::<Ten, K>(cdb, geometry.blocks),
        }?;
        Ok((request, geometry.block_size))
    }

    /// The most blocks one NVMe Read or Write carries: MDTS (Base 2.0 5.17.2.1: 2^MDTS
    /// pages of 4 KiB, 0 for no limit) and the 16-bit NLB field bound it; longer transfers
    /// are split.
    fn most_blocks(&mut self, block_size: u32) -> Result<u32, Condition> {
        let by_mdts = match self.identify_controller()?.mdts {
            0 => MAX_BLOCKS,
            n => u32::try_from((4096u64 << n.min(32)) / u64::from(block_size.max(1)))
                .unwrap_or(MAX_BLOCKS),
        };
        Ok(by_mdts.clamp(1, MAX_BLOCKS))
    }

    /// SYNCHRONIZE CACHE (10)/(16) (SBC-4 5.28, 5.29) as Flush: the whole volatile write
    /// cache is made durable, which covers any range.
    pub(super) fn synchronize_cache(&mut self, _cdb: &[u8]) -> Outcome {
        self.flush()
    }

    /// Flush of namespace 1 (NVM Command Set 1.0 3.2.2).
    fn flush(&mut self) -> Outcome {
        let cmd = Flush::new(NSID).map_err(|_| sense::INTERNAL_TARGET_FAILURE)?;
        self.submit(&cmd, &mut [])?;
        Ok(0)
    }

    /// START STOP UNIT (SBC-4 5.27), checked by [`checked::start_stop_unit`]: START = 0
    /// writes the cache with Flush (unless NO_FLUSH); START = 1 needs nothing (the drive is
    /// always ready).
    pub(super) fn start_stop_unit(&mut self, cdb: &[u8]) -> Outcome {
        if checked::start_stop_unit(cdb)?.flush {
            self.flush()?;
        }
        Ok(0)
    }
}

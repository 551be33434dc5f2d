//! READ (10)/(16), WRITE (10)/(16) and SYNCHRONIZE CACHE (10)/(16) (SBC-4 5.15, 5.16,
//! 5.40, 5.41, 5.28, 5.29): the commands that move blocks through the write cache.

use super::commands::Request;
use super::completion::transfer;
use super::disk::{Disk, MAX_TRANSFER_BYTES};
use super::sense::{self, Condition, SenseCode};
use crate::block::BlockError;
use cdb::command::CdbLayout;
use cdb::scsi::sbc::lba_cdb::CdbSize;
use cdb::scsi::sbc::read_write::{ReadOp, RwCdb, RwKind, WriteOp};
use cdb::scsi::sbc::synchronize_cache::SynchronizeCache;

/// The MAXIMUM TRANSFER LENGTH in logical blocks (SBC-4 6.6.4) for `block_size`.
pub(crate) fn max_transfer_blocks(block_size: u32) -> u32 {
    (MAX_TRANSFER_BYTES / block_size.max(1)).max(1)
}

/// READ (10)/(16) (SBC-4 5.15, 5.16): the blocks go to data-in. FUA = 1 asks for the
/// medium's data; a [`crate::block::BlockDevice`] read returns the newest data, which is
/// what the medium holds once cached blocks are written, so it is the same bytes.
pub(crate) fn read<S: CdbSize>(
    disk: &mut Disk,
    request: &Request<'_>,
    data_in: &mut [u8],
) -> Result<usize, Condition> {
    let (lba, len, _) = checked_transfer::<S, ReadOp>(disk, request.cdb)?;
    if len == 0 {
        return Ok(0);
    }
    let device = disk.device_mut();
    let read = match data_in.get_mut(..len) {
        Some(buf) => device.read(lba, buf).map(|()| len),
        None => {
            // The transport's buffer is shorter than the transfer: only what fits moves.
            let mut buf = vec![0; len];
            device
                .read(lba, &mut buf)
                .map(|()| transfer(data_in, &buf, len))
        }
    };
    read.map_err(|e| medium_error(e, sense::UNRECOVERED_READ_ERROR))
}

/// WRITE (10)/(16) (SBC-4 5.40, 5.41): the data-out blocks go through the write cache, or
/// straight to the medium with FUA = 1 (SBC-4 4.15).
pub(crate) fn write<S: CdbSize>(
    disk: &mut Disk,
    request: &Request<'_>,
    _data_in: &mut [u8],
) -> Result<usize, Condition> {
    let (lba, len, fua) = checked_transfer::<S, WriteOp>(disk, request.cdb)?;
    let data = request.data_out.get(..len).ok_or(sense::DATA_PHASE_ERROR)?;
    if len > 0 {
        disk.device_mut()
            .write(lba, data, fua)
            .map_err(|e| medium_error(e, sense::WRITE_ERROR))?;
    }
    Ok(0)
}

/// Parses and checks a READ or WRITE CDB for the disk: [`rw_request`], and the TRANSFER
/// LENGTH must not exceed the MAXIMUM TRANSFER LENGTH (24h/00h). Returns the LBA, the
/// byte count and FUA.
fn checked_transfer<S: CdbSize, D: RwKind>(
    disk: &Disk,
    cdb: &[u8],
) -> Result<(u64, usize, bool), Condition> {
    let device = disk.device();
    let request = rw_request::<S, D>(cdb, device.block_count())?;
    if request.blocks > max_transfer_blocks(device.block_size()) {
        return Err(Condition::cdb_field(
            sense::INVALID_FIELD_IN_CDB,
            S::COUNT_AT as u16,
            7,
        ));
    }
    // At most MAX_TRANSFER_BYTES, checked above.
    let len = request.blocks as usize * device.block_size() as usize;
    Ok((request.lba, len, request.fua))
}

/// What a READ or WRITE CDB asks for, once checked.
pub(crate) struct RwRequest {
    /// The LOGICAL BLOCK ADDRESS.
    pub lba: u64,
    /// The TRANSFER LENGTH in logical blocks.
    pub blocks: u32,
    /// FUA (force unit access).
    pub fua: bool,
}

/// Parses and checks a READ or WRITE CDB of size `S` (SBC-4 5.15, 5.16, 5.40, 5.41) for a
/// logical unit of `capacity` blocks: RDPROTECT/WRPROTECT must be zero (no protection
/// information) and the blocks must lie on the medium (21h/00h).
pub(crate) fn rw_request<S: CdbSize, D: RwKind>(
    cdb: &[u8],
    capacity: u64,
) -> Result<RwRequest, Condition> {
    if cdb.get(1).is_some_and(|b| b >> 5 != 0) {
        return Err(Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 1, 7));
    }
    let parsed =
        RwCdb::<S, D>::parse_cdb(cdb).map_err(|_| Condition::from(sense::INVALID_FIELD_IN_CDB))?;
    let lba = parsed.logical_block_address();
    let blocks = parsed.transfer_length();
    check_lba_range(capacity, lba, u64::from(blocks))?;
    Ok(RwRequest {
        lba,
        blocks,
        fua: parsed.options().fua,
    })
}

/// LOGICAL BLOCK ADDRESS OUT OF RANGE (SBC-4 4.5) unless `lba` is a block of a medium of
/// `capacity` blocks and `blocks` blocks from it end on the medium.
fn check_lba_range(capacity: u64, lba: u64, blocks: u64) -> Result<(), Condition> {
    match lba.checked_add(blocks) {
        Some(end) if lba < capacity && end <= capacity => Ok(()),
        _ => Err(sense::LBA_OUT_OF_RANGE.into()),
    }
}

/// SYNCHRONIZE CACHE (10)/(16) (SBC-4 5.28, 5.29): the range must lie on the medium
/// (NUMBER OF LOGICAL BLOCKS 0: through the last block); the whole cache is then made
/// durable, which covers the range. IMMED = 1 is accepted: status after the flush is
/// allowed.
pub(crate) fn synchronize_cache<S: CdbSize>(
    disk: &mut Disk,
    request: &Request<'_>,
    _data_in: &mut [u8],
) -> Result<usize, Condition> {
    let parsed = SynchronizeCache::<S>::parse_cdb(request.cdb)
        .map_err(|_| Condition::from(sense::INVALID_FIELD_IN_CDB))?;
    let lba = parsed.logical_block_address();
    let blocks = match parsed.number_of_logical_blocks() {
        0 => disk.device().block_count().saturating_sub(lba),
        n => u64::from(n),
    };
    check_lba_range(disk.device().block_count(), lba, blocks)?;
    disk.device_mut()
        .flush()
        .map_err(|e| medium_error(e, sense::WRITE_ERROR))?;
    Ok(0)
}

/// The sense for a failed medium access: the backing store's failure as `medium`
/// (MEDIUM ERROR), a range the checks above let through as 21h/00h, anything else as
/// INTERNAL TARGET FAILURE.
fn medium_error(error: BlockError, medium: SenseCode) -> Condition {
    match error {
        BlockError::Backing(_) => medium.into(),
        BlockError::OutOfRange { .. } => sense::LBA_OUT_OF_RANGE.into(),
        BlockError::Misaligned { .. } => sense::INTERNAL_TARGET_FAILURE.into(),
    }
}

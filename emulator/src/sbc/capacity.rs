//! READ CAPACITY (10) and (16) (SBC-4 5.20, 5.21): the last logical block address and the
//! logical block length.

use super::commands::Request;
use super::completion::transfer;
use super::disk::Disk;
use super::sense::{self, Condition};
use cdb::command::CdbLayout;
use cdb::scsi::sbc::read_capacity::{
    ReadCapacity10, ReadCapacity16, READ_CAPACITY_16_DATA_LEN, USE_READ_CAPACITY_16,
};

/// RC BASIS 01b: the RETURNED LOGICAL BLOCK ADDRESS is the last LBA of the logical unit
/// (SBC-4 5.21.2, byte 12 bits 5:4).
const RC_BASIS_LAST_LBA: u8 = 0x10;

/// READ CAPACITY (10) (SBC-4 5.20) of the logical unit.
pub(crate) fn read_capacity_10(
    disk: &mut Disk,
    request: &Request<'_>,
    data_in: &mut [u8],
) -> Result<usize, Condition> {
    let (blocks, block_size) = geometry(disk);
    answer_10(request.cdb, blocks, block_size, data_in)
}

/// READ CAPACITY (16) (SBC-4 5.21) of the logical unit.
pub(crate) fn read_capacity_16(
    disk: &mut Disk,
    request: &Request<'_>,
    data_in: &mut [u8],
) -> Result<usize, Condition> {
    let (blocks, block_size) = geometry(disk);
    answer_16(request.cdb, blocks, block_size, data_in)
}

/// READ CAPACITY (10) (SBC-4 5.20) of `blocks` logical blocks of `block_size` bytes: 8
/// bytes; a last LBA that does not fit below FFFFFFFFh is reported as FFFFFFFFh, telling
/// the host to use READ CAPACITY (16).
pub(crate) fn answer_10(
    cdb: &[u8],
    blocks: u64,
    block_size: u32,
    data_in: &mut [u8],
) -> Result<usize, Condition> {
    ReadCapacity10::parse_cdb(cdb).map_err(|_| Condition::from(sense::INVALID_FIELD_IN_CDB))?;
    // A last LBA of FFFFFFFFh itself reads as "use READ CAPACITY (16)", as it should: the
    // capacity then needs 33 bits.
    let last = u32::try_from(blocks.saturating_sub(1)).unwrap_or(USE_READ_CAPACITY_16);
    let mut data = [0u8; 8];
    data[..4].copy_from_slice(&last.to_be_bytes());
    data[4..].copy_from_slice(&block_size.to_be_bytes());
    Ok(transfer(data_in, &data, data.len()))
}

/// READ CAPACITY (16) (SBC-4 5.21) of `blocks` logical blocks of `block_size` bytes: 32
/// bytes, truncated to the ALLOCATION LENGTH; no protection, one logical block per
/// physical block, fully provisioned.
pub(crate) fn answer_16(
    cdb: &[u8],
    blocks: u64,
    block_size: u32,
    data_in: &mut [u8],
) -> Result<usize, Condition> {
    let parsed =
        ReadCapacity16::parse_cdb(cdb).map_err(|_| Condition::from(sense::INVALID_FIELD_IN_CDB))?;
    let mut data = [0u8; READ_CAPACITY_16_DATA_LEN as usize];
    data[..8].copy_from_slice(&blocks.saturating_sub(1).to_be_bytes());
    data[8..12].copy_from_slice(&block_size.to_be_bytes());
    data[12] = RC_BASIS_LAST_LBA;
    Ok(transfer(data_in, &data, parsed.allocation_length as usize))
}

/// The logical unit's block count and logical block length.
fn geometry(disk: &Disk) -> (u64, u32) {
    let device = disk.device();
    (device.block_count(), device.block_size())
}

//! MODE SENSE (6) and (10) (SPC-5 6.13, 6.14): the mode parameter header, a block
//! descriptor (SBC-4 6.5.2) and the pages of [`super::mode_pages`].

use super::commands::Request;
use super::completion::transfer;
use super::disk::Disk;
use super::mode_data;
use super::mode_pages::{self, PAGES};
use super::sense::Condition;
use cdb::scsi::spc::mode::ModeForm;

/// MODE SENSE (6)/(10) (SPC-5 6.13, 6.14), checked by [`mode_data::mode_sense_request`].
/// The MODE DATA LENGTH counts everything the logical unit has, whatever the ALLOCATION
/// LENGTH cuts.
pub(crate) fn mode_sense<F: ModeForm>(
    disk: &mut Disk,
    request: &Request<'_>,
    data_in: &mut [u8],
) -> Result<usize, Condition> {
    let asked = mode_data::mode_sense_request::<F>(request.cdb, &PAGES)?;
    let descriptor = asked.descriptor.map_or_else(Vec::new, |long| {
        let device = disk.device();
        let (blocks, block_size) = (device.block_count(), device.block_size());
        mode_data::block_descriptor(long, asked.values, blocks, block_size)
    });
    let pages: Vec<u8> = asked
        .pages
        .iter()
        .flat_map(|&code| mode_pages::page(disk, code, asked.values).unwrap_or_default())
        .collect();
    let data = mode_data::mode_data::<F>(&descriptor, &pages);
    Ok(transfer(data_in, &data, asked.allocation_length))
}

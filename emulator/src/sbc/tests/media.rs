//! READ/WRITE, SYNCHRONIZE CACHE and READ CAPACITY (SBC-4 5.15–5.41) against the write
//! cache rules of SBC-4 4.15.

use super::{assert_field, assert_sense, Harness};
use crate::target::ScsiTarget;
use cdb::scsi::sbc::read_capacity::{ReadCapacity10, ReadCapacity16};
use cdb::scsi::sbc::read_write::{Read10, Read16, RwOptions, Write10, Write16};
use cdb::scsi::sbc::synchronize_cache::{SynchronizeCache10, SynchronizeCache16};

fn fua_only() -> RwOptions {
    RwOptions {
        fua: true,
        ..RwOptions::default()
    }
}

fn pattern(blocks: usize, seed: u8) -> Vec<u8> {
    (0..blocks * 512)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

#[test]
fn cached_write_reads_back_and_becomes_durable_on_synchronize_cache() {
    let mut h = Harness::ready();
    let data = pattern(4, 1);
    h.good(&Write10::new(100, &data, 512, RwOptions::default()).unwrap());
    // SBC-4 4.15: with WCE = 1 a completed write may be only in the cache, but a read
    // returns it.
    assert_eq!(
        h.good(&Read10::new(100, 4, 512, RwOptions::default()).unwrap()),
        data
    );
    assert!(h.media.cached());
    assert_eq!(h.media.durable(101), vec![0; 512]);
    h.good(&SynchronizeCache10::all());
    assert!(!h.media.cached());
    assert_eq!(h.media.durable(101), data[512..1024]);
}

#[test]
fn fua_write_is_durable_when_it_completes() {
    let mut h = Harness::ready();
    let data = pattern(2, 7);
    h.good(&Write16::new(2046, &data, 512, fua_only()).unwrap());
    assert!(!h.media.cached());
    assert_eq!(h.media.durable(2047), data[512..]);
    let dpo_fua = RwOptions {
        dpo: true,
        ..fua_only()
    };
    assert_eq!(h.good(&Read16::new(2046, 2, 512, dpo_fua).unwrap()), data);
}

#[test]
fn synchronize_cache_16_with_range_and_immed() {
    let mut h = Harness::ready();
    h.good(&Write10::new(5, &pattern(1, 3), 512, RwOptions::default()).unwrap());
    h.good(&SynchronizeCache16::new(true, 0, 2048, 0).unwrap());
    assert!(!h.media.cached());
    // SBC-4 5.29: a range past the last LBA is LOGICAL BLOCK ADDRESS OUT OF RANGE.
    let sense = h.check(&SynchronizeCache16::new(false, 2000, 49, 0).unwrap());
    assert_sense(&sense, 0x05, 0x21, 0x00);
    let sense = h.check(&SynchronizeCache10::new(false, 2048, 0, 0).unwrap());
    assert_sense(&sense, 0x05, 0x21, 0x00);
}

#[test]
fn transfers_past_the_last_lba_are_out_of_range() {
    let mut h = Harness::ready();
    let sense = h.check(&Read10::new(2047, 2, 512, RwOptions::default()).unwrap());
    assert_sense(&sense, 0x05, 0x21, 0x00);
    let sense = h.check(&Write16::new(u64::MAX, &pattern(1, 0), 512, fua_only()).unwrap());
    assert_sense(&sense, 0x05, 0x21, 0x00);
    // TRANSFER LENGTH 0 transfers nothing and is not an error (SBC-4 5.15).
    let (completion, data) = h.send(&Read10::new(2047, 0, 512, RwOptions::default()).unwrap());
    assert_eq!(completion.status, cdb::scsi::status::Status::Good);
    assert!(data.is_empty());
}

#[test]
fn transfer_length_above_the_block_limit_points_at_the_field() {
    let mut h = Harness::with(1, 1 << 20, 512);
    h.check(&cdb::scsi::spc::test_unit_ready::TestUnitReady);
    let max = crate::sbc::MAX_TRANSFER_BYTES / 512;
    let over = Read16::new(0, max + 1, 512, RwOptions::default()).unwrap();
    // TRANSFER LENGTH is bytes 10-13 of READ (16).
    assert_field(&h.check(&over), 0x24, true, 10, 7);
    let at_limit = Read16::new(0, max, 512, RwOptions::default()).unwrap();
    assert_eq!(
        h.good(&at_limit).len(),
        crate::sbc::MAX_TRANSFER_BYTES as usize
    );
}

#[test]
fn read_capacity_reports_last_lba_and_block_length() {
    let mut h = Harness::with(1, 1000, 4096);
    h.check(&cdb::scsi::spc::test_unit_ready::TestUnitReady);
    let rc10 = h.good(&ReadCapacity10);
    assert_eq!(rc10.returned_logical_block_address, 999);
    assert_eq!(rc10.logical_block_length, 4096);
    let rc16 = h.good(&ReadCapacity16::default());
    assert_eq!(rc16.returned_logical_block_address, 999);
    assert_eq!(rc16.logical_block_length, 4096);
    let details = rc16.details.unwrap();
    assert_eq!(details.protection.code, 0);
    assert_eq!(details.rc_basis, 1);
    assert!(!details.lbpme);
    let (_, short) = h.send(&ReadCapacity16 {
        allocation_length: 12,
    });
    assert_eq!(short.len(), 12);
}

#[test]
fn read_capacity_10_defers_to_16_above_32_bits() {
    // 2^32 + 10 blocks: the last LBA needs 33 bits (SBC-4 5.20.2).
    let mut h = Harness::with(1, (1 << 32) + 10, 512);
    h.check(&cdb::scsi::spc::test_unit_ready::TestUnitReady);
    let rc10 = h.good(&ReadCapacity10);
    assert!(rc10.use_read_capacity_16);
    assert_eq!(rc10.returned_logical_block_address, 0xffff_ffff);
    let rc16 = h.good(&ReadCapacity16::default());
    assert_eq!(rc16.returned_logical_block_address, (1 << 32) + 9);
    // And the blocks above 2^32 are addressable with the 16-byte commands.
    let data = pattern(1, 9);
    h.good(&Write16::new((1 << 32) + 9, &data, 512, fua_only()).unwrap());
    assert_eq!(
        h.good(&Read16::new((1 << 32) + 9, 1, 512, RwOptions::default()).unwrap()),
        data
    );
}

#[test]
fn short_data_in_buffer_is_never_overrun() {
    let mut h = Harness::ready();
    let cdb = Read10::new(0, 4, 512, RwOptions::default()).unwrap();
    let bytes = cdb::command::ScsiCommand::cdb(&cdb);
    let mut small = vec![0u8; 1000];
    let completion = h.target.execute(0, bytes.as_bytes(), &[], &mut small);
    assert_eq!(completion.data_in_len, 1000);
    assert_eq!(completion.residual(2048), 1048);
}

#[test]
fn missing_data_out_is_a_data_phase_error() {
    let mut h = Harness::ready();
    let data = pattern(2, 0);
    let cmd = Write10::new(0, &data, 512, RwOptions::default()).unwrap();
    let bytes = cdb::command::ScsiCommand::cdb(&cmd);
    let completion = h.target.execute(0, bytes.as_bytes(), &data[..600], &mut []);
    let sense = cdb::sense::decode(&completion.sense).unwrap();
    assert_sense(&sense, 0x0b, 0x4b, 0x00);
    assert_eq!(h.media.durable(0), vec![0; 512]);
    assert!(!h.media.cached());
}

#[test]
fn power_cut_loses_exactly_what_was_not_made_durable() {
    let mut h = Harness::ready();
    let (synced, fua, cached) = (pattern(1, 1), pattern(1, 2), pattern(1, 3));
    h.good(&Write10::new(10, &synced, 512, RwOptions::default()).unwrap());
    h.good(&SynchronizeCache10::all());
    h.good(&Write10::new(11, &fua, 512, fua_only()).unwrap());
    h.good(&Write10::new(12, &cached, 512, RwOptions::default()).unwrap());
    h.media.power_cut();
    h.target.reset().unwrap();
    assert_sense(
        &h.check(&Read10::new(10, 3, 512, RwOptions::default()).unwrap()),
        0x06,
        0x29,
        0x00,
    );
    let after = h.good(&Read10::new(10, 3, 512, RwOptions::default()).unwrap());
    assert_eq!(after[..512], synced);
    assert_eq!(after[512..1024], fua);
    assert_eq!(after[1024..], [0; 512]);
}

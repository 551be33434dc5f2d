//! The thirteen cases of BOT 6.7: the host expects no data (Hn), data in (Hi) or data
//! out (Ho); the device intends none (Dn), data in (Di) or data out (Do).

use super::{Host, BLOCK};
use crate::usb::{Endpoint, UsbError, UsbPipe};
use cdb::command::ScsiCommand;
use cdb::scsi::sbc::read_write::{Read10, RwOptions, Write10};
use cdb::scsi::spc::inquiry::Inquiry;
use cdb::scsi::spc::test_unit_ready::TestUnitReady;

/// CSW status codes (BOT 5.2 Table 5.3).
const PASSED: u8 = 0x00;
const PHASE_ERROR: u8 = 0x02;

fn read10(lba: u64, blocks: u32) -> Vec<u8> {
    Read10::new(lba, blocks, BLOCK, RwOptions::default())
        .expect("read")
        .cdb()
        .as_bytes()
        .to_vec()
}

fn write10_cdb(lba: u64, data: &[u8]) -> Vec<u8> {
    Write10::new(lba, data, BLOCK, RwOptions::default())
        .expect("write")
        .cdb()
        .as_bytes()
        .to_vec()
}

fn inquiry(allocation_length: u16) -> Vec<u8> {
    Inquiry::standard_with_length(allocation_length)
        .expect("inquiry")
        .cdb()
        .as_bytes()
        .to_vec()
}

#[test]
fn case_1_hn_dn_passes() {
    let mut host = Host::new(1);
    let answer = host.raw(0, TestUnitReady.cdb().as_bytes(), 0, false, &[]);
    assert_eq!((answer.csw.status, answer.csw.residue), (PASSED, 0));
}

#[test]
fn case_2_hn_di_is_a_phase_error() {
    let mut host = Host::new(1);
    let answer = host.raw(0, &inquiry(36), 0, true, &[]);
    assert_eq!(answer.csw.status, PHASE_ERROR);
}

#[test]
fn case_3_hn_do_is_a_phase_error_and_writes_nothing() {
    let mut host = Host::new(1);
    let data = vec![0xa5; BLOCK as usize];
    let answer = host.raw(0, &write10_cdb(5, &data), 0, false, &[]);
    assert_eq!(answer.csw.status, PHASE_ERROR);
    let read = host.raw(0, &read10(5, 1), BLOCK, true, &[]);
    assert_eq!(read.data, vec![0; BLOCK as usize]);
}

#[test]
fn case_4_hi_dn_pads_and_reports_the_whole_residue() {
    let mut host = Host::new(1);
    let answer = host.raw(0, TestUnitReady.cdb().as_bytes(), 64, true, &[]);
    assert_eq!(answer.data, vec![0; 64], "zero padding, as QEMU does");
    assert_eq!((answer.csw.status, answer.csw.residue), (PASSED, 64));
}

#[test]
fn case_5_hi_more_than_di_pads_with_residue() {
    let mut host = Host::new(1);
    let answer = host.raw(0, &inquiry(36), 100, true, &[]);
    assert_eq!(answer.data.len(), 100);
    assert_eq!((answer.csw.status, answer.csw.residue), (PASSED, 64));
    assert_eq!(answer.data[0] & 0x1f, 0x00, "direct access device");
    assert!(answer.data[36..].iter().all(|&b| b == 0));
}

#[test]
fn case_6_hi_equals_di_passes() {
    let mut host = Host::new(1);
    let answer = host.raw(0, &read10(0, 1), BLOCK, true, &[]);
    assert_eq!(answer.data.len(), BLOCK as usize);
    assert_eq!((answer.csw.status, answer.csw.residue), (PASSED, 0));
}

#[test]
fn case_7_hi_less_than_di_sends_hi_and_a_phase_error() {
    let mut host = Host::new(1);
    let answer = host.raw(0, &read10(0, 2), BLOCK, true, &[]);
    assert_eq!(answer.data.len(), BLOCK as usize);
    assert_eq!(answer.csw.status, PHASE_ERROR);
}

/// After a direction mismatch every bulk transfer STALLs, even after Reset Recovery,
/// until a port reset (QEMU's usb-storage).
fn assert_wedged_until_port_reset(host: &mut Host) {
    host.assert_stalled();
    host.reset_recovery();
    host.assert_stalled();
    assert_eq!(host.dev.port_reset(), Ok(vec![]));
    host.assert_serves();
}

#[test]
fn case_8_hi_do_stalls_until_port_reset() {
    let mut host = Host::new(1);
    let data = vec![0x5a; BLOCK as usize];
    let tag = host.next_tag();
    let cbw = super::cbw(tag, BLOCK, true, 0, &write10_cdb(0, &data));
    assert_eq!(host.dev.bulk_out(&cbw), Ok(vec![]));
    assert_wedged_until_port_reset(&mut host);
}

#[test]
fn case_9_ho_dn_accepts_and_ignores_the_data() {
    let mut host = Host::new(1);
    let answer = host.raw(0, TestUnitReady.cdb().as_bytes(), 32, false, &[1; 32]);
    assert_eq!((answer.csw.status, answer.csw.residue), (PASSED, 32));
}

#[test]
fn case_10_ho_di_stalls_until_port_reset() {
    let mut host = Host::new(1);
    let tag = host.next_tag();
    let cbw = super::cbw(tag, BLOCK, false, 0, &read10(0, 1));
    assert_eq!(host.dev.bulk_out(&cbw), Ok(vec![]));
    assert_wedged_until_port_reset(&mut host);
}

#[test]
fn case_11_ho_more_than_do_writes_do_with_residue() {
    let mut host = Host::new(1);
    let block = vec![0x3c; BLOCK as usize];
    let mut sent = block.clone();
    sent.extend_from_slice(&[0xff; 100]);
    let answer = host.raw(0, &write10_cdb(7, &block), sent.len() as u32, false, &sent);
    assert_eq!((answer.csw.status, answer.csw.residue), (PASSED, 100));
    let read = host.raw(0, &read10(7, 1), BLOCK, true, &[]);
    assert_eq!(read.data, block);
}

#[test]
fn case_12_ho_equals_do_data_out_in_several_transfers() {
    let mut host = Host::new(1);
    let data: Vec<u8> = (0..2 * BLOCK).map(|i| (i * 7) as u8).collect();
    let tag = host.next_tag();
    let cbw = super::cbw(tag, 2 * BLOCK, false, 0, &write10_cdb(9, &data));
    assert_eq!(host.dev.bulk_out(&cbw), Ok(vec![]));
    for chunk in data.chunks(64) {
        assert_eq!(host.dev.bulk_out(chunk), Ok(vec![]));
    }
    let csw = super::RawCsw::decode(&host.dev.bulk_in(13).expect("CSW"));
    csw.assert_answers(tag);
    assert_eq!((csw.status, csw.residue), (PASSED, 0));
    let read = host.raw(0, &read10(9, 2), 2 * BLOCK, true, &[]);
    assert_eq!(read.data, data);
}

#[test]
fn case_13_ho_less_than_do_is_a_phase_error_and_writes_nothing() {
    let mut host = Host::new(1);
    let data = vec![0x77; 2 * BLOCK as usize];
    let answer = host.raw(
        0,
        &write10_cdb(3, &data),
        BLOCK,
        false,
        &data[..BLOCK as usize],
    );
    assert_eq!(answer.csw.status, PHASE_ERROR);
    let read = host.raw(0, &read10(3, 1), BLOCK, true, &[]);
    assert_eq!(read.data, vec![0; BLOCK as usize]);
}

/// A CBW that is not valid or not meaningful (BOT 6.2): both pipes STALL, and stay
/// stalled through CLEAR HALT until Reset Recovery (BOT 6.6.1).
fn assert_rejected(cbw: &[u8]) {
    let mut host = Host::new(1);
    assert_eq!(host.dev.bulk_out(cbw), Ok(vec![]));
    host.assert_stalled();
    assert_eq!(host.dev.clear_halt(Endpoint::BulkIn), Ok(vec![]));
    assert_eq!(host.dev.clear_halt(Endpoint::BulkOut), Ok(vec![]));
    host.assert_stalled();
    host.reset_recovery();
    host.assert_serves();
}

#[test]
fn invalid_cbws_stall_until_reset_recovery() {
    let tur = TestUnitReady.cdb();
    let good = super::cbw(1, 0, false, 0, tur.as_bytes());
    assert_rejected(&good[..30]);
    assert_rejected(&[good.clone(), vec![0]].concat());
    let mut bad_signature = good.clone();
    bad_signature[3] = b'T';
    assert_rejected(&bad_signature);
    let mut no_cb = good.clone();
    no_cb[14] = 0;
    assert_rejected(&no_cb);
    let mut long_cb = good.clone();
    long_cb[14] = 17;
    assert_rejected(&long_cb);
}

#[test]
fn mass_storage_reset_keeps_halts_until_clear_feature() {
    let mut host = Host::new(1);
    assert_eq!(
        host.dev.bulk_in(13),
        Err(UsbError::Stall),
        "bulk-in with no command"
    );
    assert_eq!(host.dev.mass_storage_reset(), Ok(vec![]));
    assert_eq!(
        host.dev.bulk_in(13),
        Err(UsbError::Stall),
        "halt survives the reset"
    );
    assert_eq!(host.dev.clear_halt(Endpoint::BulkIn), Ok(vec![]));
    host.assert_serves();
}

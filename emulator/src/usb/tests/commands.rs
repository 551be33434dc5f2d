//! SCSI commands through the Bulk-Only pipes (BOT 5.3): data, CSW status and residue,
//! sense kept for REQUEST SENSE, Get Max LUN.

use super::{Host, BLOCK, BLOCKS};
use crate::usb::{UsbError, UsbPipe};
use cdb::command::ScsiCommand;
use cdb::scsi::sbc::read_capacity::ReadCapacity10;
use cdb::scsi::sbc::read_write::{Read10, RwOptions, Write10};
use cdb::scsi::spc::inquiry::{Inquiry, InquiryData, PeripheralDeviceType};
use cdb::scsi::spc::log_sense::LogSense;

#[test]
fn inquiry_returns_standard_data_with_passed_csw() {
    let mut host = Host::new(1);
    let cmd = Inquiry::standard_with_length(36).expect("inquiry");
    let answer = host.send(0, &cmd);
    assert_eq!((answer.csw.status, answer.csw.residue), (0x00, 0));
    assert_eq!(answer.data.len(), 36);
    match cmd.decode(&answer.data).expect("standard inquiry") {
        InquiryData::Standard(data) => {
            assert_eq!(
                data.peripheral_device_type,
                PeripheralDeviceType::DirectAccess
            );
        }
        other => panic!("not standard data: {other:?}"),
    }
}

#[test]
fn read_capacity_10_reports_the_disk() {
    let mut host = Host::new(1);
    let answer = host.send(0, &ReadCapacity10);
    assert_eq!((answer.csw.status, answer.csw.residue), (0x00, 0));
    let data = ReadCapacity10.decode(&answer.data).expect("capacity data");
    assert_eq!(u64::from(data.returned_logical_block_address), BLOCKS - 1);
    assert_eq!(data.logical_block_length, BLOCK);
}

#[test]
fn write_10_then_read_10_round_trip() {
    let mut host = Host::new(1);
    let data: Vec<u8> = (0..2 * BLOCK).map(|i| (i % 251) as u8).collect();
    let write = Write10::new(100, &data, BLOCK, RwOptions::default()).expect("write");
    let answer = host.send(0, &write);
    assert_eq!((answer.csw.status, answer.csw.residue), (0x00, 0));
    let read = Read10::new(100, 2, BLOCK, RwOptions::default()).expect("read");
    let answer = host.send(0, &read);
    assert_eq!((answer.csw.status, answer.csw.residue), (0x00, 0));
    assert_eq!(answer.data, data);
}

#[test]
fn unsupported_opcode_fails_and_request_sense_reports_20_00() {
    let mut host = Host::new(1);
    let log_sense = LogSense::new(0x00, 0, 64).expect("log sense");
    let answer = host.send(0, &log_sense);
    // Command Failed; no data moved, so the whole transfer is residue (BOT 6.7.4).
    assert_eq!((answer.csw.status, answer.csw.residue), (0x01, 64));
    let sense = host.request_sense(0);
    assert_eq!(sense.sense_key_code(), Some(0x05));
    assert_eq!(sense.asc_ascq(), Some((0x20, 0x00)));
    // The sense was reported once: the next REQUEST SENSE reports NO SENSE.
    let sense = host.request_sense(0);
    assert_eq!(sense.sense_key_code(), Some(0x00));
}

#[test]
fn get_max_lun_reports_two_luns_and_both_serve() {
    let mut host = Host::new(2);
    assert_eq!(host.dev.get_max_lun(), Ok(vec![1]));
    let answer = host.send(1, &ReadCapacity10);
    assert_eq!(answer.csw.status, 0x00);
    assert_eq!(
        u64::from(
            ReadCapacity10
                .decode(&answer.data)
                .expect("capacity")
                .returned_logical_block_address
        ),
        BLOCKS - 1
    );
}

#[test]
fn get_max_lun_of_one_lun_is_zero() {
    let mut host = Host::new(1);
    assert_eq!(host.dev.get_max_lun(), Ok(vec![0]));
}

#[test]
fn cbw_to_a_lun_beyond_max_lun_stalls_until_reset_recovery() {
    let mut host = Host::new(2);
    let cdb = cdb::scsi::spc::test_unit_ready::TestUnitReady.cdb();
    let tag = host.next_tag();
    assert_eq!(
        host.dev
            .bulk_out(&super::cbw(tag, 0, false, 2, cdb.as_bytes())),
        Ok(vec![])
    );
    host.assert_stalled();
    host.reset_recovery();
    host.assert_serves();
    assert_eq!(
        host.dev.bulk_in(13),
        Err(UsbError::Stall),
        "no CSW without a CBW"
    );
}

#[test]
fn wrapper_layouts_match_bot_tables() {
    use cdb::usb::bot::{Cbw, Csw, CswStatus};
    use zerocopy::IntoBytes;
    let cdb = ReadCapacity10.cdb();
    let built = Cbw::new(0x1234_5678, 1, cdb.as_bytes(), 8, true).expect("CBW");
    assert_eq!(
        built.as_bytes(),
        super::cbw(0x1234_5678, 8, true, 1, cdb.as_bytes())
    );
    let csw = Csw::new(0x0a0b_0c0d, 5, CswStatus::Failed);
    assert_eq!(
        super::RawCsw::decode(csw.as_bytes()),
        super::RawCsw {
            signature: *b"USBS",
            tag: 0x0a0b_0c0d,
            residue: 5,
            status: 0x01,
        }
    );
}

#[test]
fn sense_is_kept_per_lun() {
    let mut host = Host::new(2);
    let log_sense = LogSense::new(0x00, 0, 64).expect("log sense");
    assert_eq!(host.send(1, &log_sense).csw.status, 0x01);
    assert_eq!(
        host.request_sense(0).sense_key_code(),
        Some(0x00),
        "LUN 0 has nothing"
    );
    let sense = host.request_sense(1);
    assert_eq!(
        (sense.sense_key_code(), sense.asc_ascq()),
        (Some(0x05), Some((0x20, 0x00)))
    );
}

#[test]
fn any_command_discards_the_kept_sense() {
    let mut host = Host::new(1);
    let log_sense = LogSense::new(0x00, 0, 64).expect("log sense");
    assert_eq!(host.send(0, &log_sense).csw.status, 0x01);
    host.assert_serves();
    assert_eq!(host.request_sense(0).sense_key_code(), Some(0x00));
}

#[test]
fn request_sense_with_desc_returns_descriptor_format_with_the_field_pointer() {
    use cdb::scsi::spc::request_sense::RequestSense;
    use cdb::sense::SenseKeySpecific;
    let mut host = Host::new(1);
    // INQUIRY with EVPD = 0 and a PAGE CODE is INVALID FIELD IN CDB at byte 2 (SPC-5 6.7.1).
    let mut cdb = Inquiry::standard_with_length(36)
        .expect("inquiry")
        .cdb()
        .as_bytes()
        .to_vec();
    cdb[2] = 0x80;
    assert_eq!(host.raw(0, &cdb, 36, true, &[]).csw.status, 0x01);
    let answer = host.send(0, &RequestSense::new(true, 252));
    assert_eq!(answer.csw.status, 0x00);
    assert_eq!(
        answer.payload()[0] & 0x7f,
        0x72,
        "descriptor format, current"
    );
    let sense = cdb::sense::decode(answer.payload()).expect("sense");
    assert_eq!(
        (sense.sense_key_code(), sense.asc_ascq()),
        (Some(0x05), Some((0x24, 0x00)))
    );
    match sense.sense_key_specific() {
        Some(&SenseKeySpecific::FieldPointer {
            command,
            field_pointer,
            ..
        }) => {
            assert!(command);
            assert_eq!(field_pointer, 2);
        }
        other => panic!("no field pointer: {other:?}"),
    }
}

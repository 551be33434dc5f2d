//! UAS-2 4.4 and 6.2 as the standard states them: a Sense IU ends every command, carrying
//! the target's sense with CHECK CONDITION; Read Ready precedes data-in and Write Ready
//! precedes data-out without streams; with streams the stream ID is the tag.

use super::Host;
use crate::usb::test_target::BLOCK;
use crate::usb::UsbError;
use cdb::command::ScsiCommand;
use cdb::scsi::sbc::read_write::{Read10, RwOptions, Write10};
use cdb::scsi::spc::inquiry::{Inquiry, InquiryData, PeripheralDeviceType};
use cdb::scsi::spc::log_sense::LogSense;
use cdb::scsi::spc::test_unit_ready::TestUnitReady;
use cdb::scsi::status::Status;
use cdb::sense::key;
use cdb::usb::uas::Iu;

#[test]
fn good_status_still_gets_a_sense_iu_without_sense_data() {
    for streams in [false, true] {
        let mut host = Host::new(streams);
        let sense = host.run(3, 0, &TestUnitReady, &[]);
        assert_eq!((sense.status, sense.sense_data.len()), (Status::Good, 0));
    }
}

#[test]
fn check_condition_carries_the_targets_sense_data() {
    let mut host = Host::new(false);
    let log_sense = LogSense::new(0x00, 0, 64).expect("log sense");
    let sense = host.run(2, 0, &log_sense, &[]);
    assert_eq!(sense.status, Status::CheckCondition);
    let decoded = cdb::sense::decode(&sense.sense_data).expect("sense data");
    assert_eq!(decoded.sense_key_code(), Some(key::ILLEGAL_REQUEST));
}

#[test]
fn power_on_unit_attention_arrives_in_the_sense_iu() {
    let mut host = Host {
        dev: crate::usb::UasDevice::new(super::target(1), false),
    };
    let sense = host.run(1, 0, &TestUnitReady, &[]);
    assert_eq!(sense.status, Status::CheckCondition);
    let decoded = cdb::sense::decode(&sense.sense_data).expect("sense data");
    assert_eq!(decoded.sense_key_code(), Some(key::UNIT_ATTENTION));
    assert_eq!(decoded.asc_ascq().map(|(asc, _)| asc), Some(0x29));
}

#[test]
fn read_ready_precedes_data_in_without_streams() {
    let mut host = Host::new(false);
    let inquiry = Inquiry::standard_with_length(36).expect("inquiry");
    host.command(9, 0, inquiry.cdb().as_bytes());
    assert_eq!(host.status(9), Iu::ReadReady { tag: 9 });
    let data = host.dev.data_in(0, 36).expect("data-in");
    match inquiry.decode(&data).expect("standard inquiry data") {
        InquiryData::Standard(d) => {
            assert_eq!(d.peripheral_device_type, PeripheralDeviceType::DirectAccess)
        }
        other => panic!("not standard data: {other:?}"),
    }
    assert_eq!(host.sense(9).status, Status::Good);
}

#[test]
fn write_ready_precedes_data_out_and_data_round_trips() {
    for streams in [false, true] {
        let mut host = Host::new(streams);
        let data: Vec<u8> = (0..2 * BLOCK).map(|i| (i % 253) as u8).collect();
        let write = Write10::new(40, &data, BLOCK, RwOptions::default()).expect("write");
        host.command(4, 1, write.cdb().as_bytes());
        if streams {
            // No Ready IU with streams: the status stream is empty until the data is in.
            assert_eq!(host.dev.status_in(4, 64), Err(UsbError::Timeout));
        } else {
            assert_eq!(host.status(4), Iu::WriteReady { tag: 4 });
        }
        let stream = host.stream(4);
        host.dev.data_out(stream, &data[..300]).expect("first part");
        host.dev.data_out(stream, &data[300..]).expect("rest");
        assert_eq!(host.sense(4).status, Status::Good);
        let read = Read10::new(40, 2, BLOCK, RwOptions::default()).expect("read");
        assert_eq!(host.run(5, 1, &read, &data).status, Status::Good);
    }
}

#[test]
fn data_in_may_be_read_in_pieces() {
    let mut host = Host::new(true);
    let read = Read10::new(0, 2, BLOCK, RwOptions::default()).expect("read");
    host.command(2, 0, read.cdb().as_bytes());
    assert_eq!(host.dev.data_in(2, 512).map(|d| d.len()), Ok(512));
    assert_eq!(
        host.dev.status_in(2, 64),
        Err(UsbError::Timeout),
        "status after data"
    );
    assert_eq!(host.dev.data_in(2, 4096).map(|d| d.len()), Ok(512));
    assert_eq!(host.sense(2).status, Status::Good);
}

#[test]
fn a_short_status_read_cuts_the_iu() {
    let mut host = Host::new(false);
    host.command(1, 0, TestUnitReady.cdb().as_bytes());
    assert_eq!(host.dev.status_in(0, 4).map(|b| b.len()), Ok(4));
}

//! Unit attention (SAM-5 5.14), REQUEST SENSE (SPC-5 6.39), START STOP UNIT (SBC-4 5.27),
//! REPORT LUNS (SPC-5 6.33) and LUNs without a logical unit.

use super::{assert_field, assert_sense, Harness};
use crate::target::ScsiTarget;
use cdb::scsi::sbc::read_capacity::ReadCapacity10;
use cdb::scsi::sbc::read_write::{Read10, RwOptions, Write10};
use cdb::scsi::sbc::start_stop_unit::StartStopUnit;
use cdb::scsi::spc::inquiry::{Inquiry, InquiryData, PeripheralDeviceType, PeripheralQualifier};
use cdb::scsi::spc::mode::{ModeSense10, PageControl};
use cdb::scsi::spc::report_luns::{LunAddress, ReportLuns};
use cdb::scsi::spc::request_sense::RequestSense;
use cdb::scsi::spc::test_unit_ready::TestUnitReady;
use cdb::sense::{key, Format};

#[test]
fn power_on_unit_attention_is_reported_once() {
    let mut h = Harness::powered_on();
    // INQUIRY and REPORT LUNS neither report nor clear it (SAM-5 5.14).
    h.good(&Inquiry::standard());
    h.good(&ReportLuns::new(0, 256).unwrap());
    let sense = h.check(&ModeSense10::new(PageControl::Current, 0x08, 0, 64).unwrap());
    assert_sense(&sense, key::UNIT_ATTENTION, 0x29, 0x00);
    assert_eq!(sense.response_code.format, Format::Fixed);
    h.good(&TestUnitReady);
    h.good(&TestUnitReady);
}

#[test]
fn request_sense_returns_and_clears_the_unit_attention() {
    let mut h = Harness::powered_on();
    let polled = h.good(&RequestSense::default());
    assert_sense(&polled, key::UNIT_ATTENTION, 0x29, 0x00);
    assert!(polled.is_current());
    h.good(&TestUnitReady);
    let nothing = h.good(&RequestSense::new(true, 252));
    assert_eq!(nothing.response_code.format, Format::Descriptor);
    assert_sense(&nothing, key::NO_SENSE, 0x00, 0x00);
    // A short allocation length truncates sense data (SPC-5 6.39).
    let (_, data) = h.send(&RequestSense::new(false, 8));
    assert_eq!(data.len(), 8);
}

#[test]
fn reset_reestablishes_the_unit_attention_and_default_wce() {
    let mut h = Harness::ready();
    h.target
        .unit_mut(0)
        .unwrap()
        .device_mut()
        .set_write_cache(false)
        .unwrap();
    h.target.reset().unwrap();
    assert!(h.media.wce());
    let sense = h.check(&TestUnitReady);
    assert_sense(&sense, key::UNIT_ATTENTION, 0x29, 0x00);
    h.good(&TestUnitReady);
}

#[test]
fn stopped_unit_is_not_ready_for_media_access() {
    let mut h = Harness::ready();
    h.good(&Write10::new(0, &[5; 512], 512, RwOptions::default()).unwrap());
    h.good(&StartStopUnit::stop());
    // Stopping writes the cache to the medium unless NO_FLUSH (SBC-4 5.27).
    assert!(!h.media.cached());
    for sense in [
        h.check(&TestUnitReady),
        h.check(&Read10::new(0, 1, 512, RwOptions::default()).unwrap()),
        h.check(&ReadCapacity10),
    ] {
        assert_sense(&sense, key::NOT_READY, 0x04, 0x02);
    }
    assert_sense(
        &h.good(&RequestSense::default()),
        key::NOT_READY,
        0x04,
        0x02,
    );
    h.good(&Inquiry::standard());
    h.good(&StartStopUnit::start());
    h.good(&TestUnitReady);
    assert_eq!(
        h.good(&Read10::new(0, 1, 512, RwOptions::default()).unwrap()),
        vec![5; 512]
    );
}

#[test]
fn power_conditions_and_eject_are_invalid_fields() {
    let mut h = Harness::ready();
    let standby = StartStopUnit::new(false, 0, 0x3, false, false, false).unwrap();
    assert_field(&h.check(&standby), 0x24, true, 4, 7);
    let eject = StartStopUnit::new(false, 0, 0, false, true, false).unwrap();
    assert_field(&h.check(&eject), 0x24, true, 4, 1);
}

#[test]
fn report_luns_lists_every_logical_unit() {
    let mut h = Harness::with(3, 64, 512);
    let list = h.good(&ReportLuns::new(0, 256).unwrap());
    assert_eq!(list.lun_list_length, 24);
    assert!(!list.truncated);
    let luns: Vec<_> = list.luns.iter().map(|l| l.levels.clone()).collect();
    for (i, levels) in luns.iter().enumerate() {
        assert_eq!(
            levels,
            &[LunAddress::PeripheralDevice {
                bus_identifier: 0,
                target_or_lun: i as u8
            }]
        );
    }
    let all = h.good(&ReportLuns::new(2, 256).unwrap());
    assert_eq!(all.luns.len(), 3);
    let well_known = h.good(&ReportLuns::new(1, 256).unwrap());
    assert!(well_known.luns.is_empty());
    assert_field(
        &h.check(&ReportLuns::new(0x40, 256).unwrap()),
        0x24,
        true,
        2,
        7,
    );
    // The LUN LIST LENGTH is not cut with the allocation length (SPC-5 6.33).
    let (_, data) = h.send(&ReportLuns::new(0, 16).unwrap());
    let cut = cdb::scsi::spc::report_luns::LunList::decode(&data).unwrap();
    assert_eq!(cut.lun_list_length, 24);
    assert!(cut.truncated);
}

#[test]
fn absent_lun_answers_as_spc5_requires() {
    let mut h = Harness::with(2, 64, 512);
    let InquiryData::Standard(s) = h.good_at(7, &Inquiry::standard()) else {
        panic!("standard data")
    };
    assert_eq!(s.peripheral_qualifier, PeripheralQualifier::NotCapable);
    assert_eq!(s.peripheral_device_type, PeripheralDeviceType::Unknown);
    assert_sense(
        &h.check_at(7, &TestUnitReady),
        key::ILLEGAL_REQUEST,
        0x25,
        0x00,
    );
    assert_sense(
        &h.good_at(7, &RequestSense::default()),
        key::ILLEGAL_REQUEST,
        0x25,
        0x00,
    );
    assert_eq!(h.good_at(7, &ReportLuns::new(0, 64).unwrap()).luns.len(), 2);
}

//! Tests for the INQUIRY command and the standard INQUIRY data decoder.

use super::*;
use crate::command::{CdbLayout, DataPhase, ScsiCommand};
use proptest::prelude::*;

/// Standard INQUIRY data as QEMU 7.2's scsi-hd returns it (hw/scsi/scsi-disk.c,
/// `scsi_disk_emulate_inquiry`) for a 96-byte allocation length, with defaults: type 00h,
/// not removable, VERSION = `scsi_version` property default 5 (SPC-3), byte 3 = 02h | 10h
/// (format 2, HiSup), ADDITIONAL LENGTH = allocation length − 5, byte 7 = 10h (Sync) | 02h
/// (CmdQue, set on buses with TCQ such as usb-uas and virtio-scsi), vendor "QEMU", product
/// "QEMU HARDDISK", revision = `qemu_hw_version()` = "2.5+", every other byte zero.
fn qemu_scsi_hd_inquiry(allocation_length: usize) -> Vec<u8> {
    let mut d = vec![0u8; allocation_length.max(36)];
    d[2] = 0x05;
    d[3] = 0x12;
    d[4] = if allocation_length > 36 {
        (allocation_length - 5) as u8
    } else {
        31
    };
    d[7] = 0x12;
    d[8..16].copy_from_slice(b"QEMU    ");
    d[16..32].copy_from_slice(b"QEMU HARDDISK   ");
    d[32..36].copy_from_slice(b"2.5+");
    d.truncate(allocation_length);
    d
}

#[test]
fn cdb_bytes_follow_spc5_table() {
    // SPC-5 6.7.1: 12h, EVPD in byte 1 bit 0, PAGE CODE byte 2, ALLOCATION LENGTH 3–4.
    assert_eq!(
        Inquiry::standard().cdb().as_bytes(),
        &[0x12, 0, 0, 0x00, 0x60, 0]
    );
    let vpd = Inquiry::vpd_with_length(0x83, 0x0200).unwrap();
    assert_eq!(vpd.cdb().as_bytes(), &[0x12, 0x01, 0x83, 0x02, 0x00, 0]);
    assert_eq!(
        Inquiry::vpd(0xb0).cdb().as_bytes(),
        &[0x12, 1, 0xb0, 0x04, 0x00, 0]
    );
}

#[test]
fn allocation_length_and_transfer_length_are_one_value() {
    let q = Inquiry::standard_with_length(36).unwrap();
    assert_eq!(q.data_phase(), DataPhase::In(36));
    assert_eq!(&q.cdb().as_bytes()[3..5], &[0, 36]);
}

#[test]
fn builder_rejects_invalid_combinations() {
    assert!(matches!(
        Inquiry::new(false, 0x80, 96),
        Err(BuildError::Invalid { .. })
    ));
    assert!(Inquiry::standard_with_length(4).is_err());
    assert!(Inquiry::standard_with_length(5).is_ok());
    assert!(Inquiry::vpd_with_length(0x00, 3).is_err());
    assert!(Inquiry::vpd_with_length(0x00, 4).is_ok());
    assert_eq!(
        Inquiry::standard_with_length(u16::MAX)
            .unwrap()
            .allocation_length(),
        65535
    );
}

#[test]
fn parse_cdb_rejects_what_the_builder_rejects() {
    assert!(Inquiry::parse_cdb(&[0x12, 0, 0x80, 0, 96, 0]).is_err()); // page without EVPD
    assert!(Inquiry::parse_cdb(&[0x12, 0x02, 0, 0, 96, 0]).is_err()); // CMDDT
    assert!(Inquiry::parse_cdb(&[0x13, 0, 0, 0, 96, 0]).is_err()); // opcode
    assert!(Inquiry::parse_cdb(&[0x12, 0, 0, 0, 96]).is_err()); // length
    assert!(Inquiry::parse_cdb(&[0x12, 0, 0, 0, 4, 0]).is_err()); // too short for data
    let q = Inquiry::parse_cdb(&[0x12, 1, 0x89, 0x02, 0x40, 0]).unwrap();
    assert_eq!(
        (q.evpd(), q.page_code(), q.allocation_length()),
        (true, 0x89, 0x240)
    );
}

#[test]
fn fields_name_the_cdb() {
    let names: Vec<_> = Inquiry::vpd(0x80)
        .fields()
        .into_iter()
        .map(|f| (f.name, f.value))
        .collect();
    assert_eq!(
        names,
        vec![
            ("EVPD", 1),
            ("PAGE CODE", 0x80),
            ("ALLOCATION LENGTH", 1024)
        ]
    );
}

#[test]
fn decodes_qemu_scsi_hd_standard_data() {
    let data = qemu_scsi_hd_inquiry(96);
    let d = StandardInquiry::decode(&data).unwrap();
    assert_eq!(d.peripheral_qualifier, PeripheralQualifier::Connected);
    assert_eq!(d.peripheral_device_type, PeripheralDeviceType::DirectAccess);
    assert!(!d.rmb);
    assert_eq!(d.version, Version::Spc3);
    assert!(d.hisup && !d.normaca);
    assert_eq!(d.response_data_format, 2);
    assert_eq!(d.additional_length, 91);
    assert!(d.sync && d.cmdque && !d.wbus16);
    assert_eq!(d.tpgs, Tpgs::NotSupported);
    assert_eq!(d.t10_vendor_identification, "QEMU");
    assert_eq!(d.product_identification, "QEMU HARDDISK");
    assert_eq!(d.product_revision_level, "2.5+");
    assert_eq!(d.vendor_specific, vec![0; 20]);
    assert_eq!(d.spi.as_ref().map(|s| s.clocking), Some(Clocking::St));
    assert!(d.version_descriptors.is_empty());
    assert_eq!(d.missing_bytes, 0);
}

#[test]
fn decodes_a_36_byte_response() {
    let d = StandardInquiry::decode(&qemu_scsi_hd_inquiry(36)).unwrap();
    assert_eq!(d.product_identification, "QEMU HARDDISK");
    assert!(d.vendor_specific.is_empty());
    assert_eq!(d.spi, None);
    assert_eq!(d.missing_bytes, 0);
}

#[test]
fn short_response_decodes_what_is_present_and_counts_the_rest() {
    // QEMU answers a 20-byte allocation length with 20 bytes and ADDITIONAL LENGTH 31.
    let d = StandardInquiry::decode(&qemu_scsi_hd_inquiry(20)).unwrap();
    assert_eq!(d.t10_vendor_identification, "QEMU");
    assert_eq!(d.product_identification, "QEMU");
    assert_eq!(d.product_revision_level, "");
    assert_eq!(d.missing_bytes, 16);
    assert!(StandardInquiry::decode(&[0, 0, 5, 2]).is_err());
}

/// A SAS disk in the layout of SPC-5 6.7.2 table "Standard INQUIRY data format": multiport,
/// protection, explicit and implicit ALUA, serial number in bytes 36–43, and version
/// descriptors SAM-5, SAS-3 INCITS 519-2014, SPC-4 INCITS 513-2015, SBC-3.
#[test]
fn decodes_flags_and_version_descriptors() {
    let mut d = vec![0u8; 96];
    d[0] = 0x00;
    d[2] = 0x06;
    d[3] = 0x32; // NORMACA (bit 5), HISUP (bit 4), RESPONSE DATA FORMAT 2
    d[4] = 91;
    d[5] = 0x39; // TPGS 11b, 3PC, PROTECT
    d[6] = 0x10; // MULTIP
    d[7] = 0x02; // CMDQUE
    d[8..16].copy_from_slice(b"SEAGATE ");
    d[16..32].copy_from_slice(b"ST4000NM0025    ");
    d[32..36].copy_from_slice(b"E002");
    d[36..44].copy_from_slice(b"ZC1ABCDE");
    for (i, code) in [0x00a0u16, 0x0c68, 0x046c, 0x04c0].iter().enumerate() {
        d[58 + 2 * i..60 + 2 * i].copy_from_slice(&code.to_be_bytes());
    }
    let s = StandardInquiry::decode(&d).unwrap();
    assert!(s.normaca && s.hisup && s.multip && s.cmdque && s.protect && s.third_party_copy);
    assert_eq!(s.tpgs, Tpgs::Both);
    assert_eq!(s.version, Version::Spc4);
    assert_eq!(s.vendor_specific_text(), "ZC1ABCDE");
    let named: Vec<_> = s
        .version_descriptors
        .iter()
        .map(|v| v.to_string())
        .collect();
    assert_eq!(
        named,
        vec![
            "SAM-5 (no version claimed)",
            "SAS-3 INCITS 519-2014",
            "SPC-4 INCITS 513-2015",
            "SBC-3 (no version claimed)"
        ]
    );
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["3pc"], true);
    assert_eq!(json["peripheral_device_type"]["code"], 0);
    assert_eq!(json["version"]["name"], "SPC-4");
}

#[test]
fn response_is_decoded_according_to_the_request() {
    let std = Inquiry::standard()
        .decode(&qemu_scsi_hd_inquiry(96))
        .unwrap();
    assert!(matches!(std, InquiryData::Standard(_)));
    let serial = [0x00, 0x80, 0x00, 0x02, b'S', b'1'];
    assert!(matches!(
        Inquiry::vpd(0x80).decode(&serial),
        Ok(InquiryData::Vpd(_))
    ));
    assert!(Inquiry::vpd(0x83).decode(&serial).is_err());
}

fn valid_inquiry() -> impl Strategy<Value = Inquiry> {
    prop_oneof![
        (5u16..=u16::MAX).prop_map(|n| Inquiry::standard_with_length(n).unwrap()),
        (any::<u8>(), 4u16..=u16::MAX).prop_map(|(p, n)| Inquiry::vpd_with_length(p, n).unwrap()),
    ]
}

proptest! {
    #[test]
    fn cdb_round_trip(q in valid_inquiry()) {
        prop_assert_eq!(Inquiry::parse_cdb(q.to_cdb().as_bytes()).unwrap(), q);
    }

    #[test]
    fn transfer_length_always_matches_cdb(q in valid_inquiry()) {
        let cdb = q.cdb();
        let in_cdb = u32::from(u16::from_be_bytes([cdb.as_bytes()[3], cdb.as_bytes()[4]]));
        prop_assert_eq!(q.data_phase(), DataPhase::In(in_cdb));
    }

    #[test]
    fn parse_cdb_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
        if let Ok(q) = Inquiry::parse_cdb(&bytes) {
            let cdb = q.to_cdb();
            let out = cdb.as_bytes();
            prop_assert_eq!(out[1] & 1, bytes[1] & 1);
            prop_assert_eq!(&out[2..5], &bytes[2..5]);
        }
    }

    #[test]
    fn standard_decoder_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(d) = StandardInquiry::decode(&bytes) {
            prop_assert!(d.version_descriptors.len() <= 8);
            prop_assert!(d.vendor_specific.len() <= 20);
            prop_assert!(d.missing_bytes + bytes.len() >= usize::from(d.additional_length) + 5);
        }
    }
}

#[test]
fn json_schema_covers_every_response() {
    let schema = serde_json::to_value(schemars::schema_for!(InquiryData)).unwrap();
    let text = schema.to_string();
    for name in [
        "StandardInquiry",
        "BlockLimits",
        "DesignationDescriptor",
        "CodeName",
    ] {
        assert!(text.contains(name), "schema lacks {name}");
    }
}

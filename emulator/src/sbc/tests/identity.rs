//! INQUIRY: standard data (SPC-5 6.7.2) and the VPD pages (SPC-5 7.7, SBC-4 6.6).

use super::{assert_field, Harness};
use cdb::scsi::spc::inquiry::{
    Inquiry, InquiryData, PeripheralDeviceType, PeripheralQualifier, StandardInquiry, Version,
};
use cdb::scsi::spc::vpd::{
    ActivateMicrocode, Designator, MediumRotationRate, MultiItNexusMicrocodeDownload, Naa,
    ProvisioningType, VpdPage,
};

fn standard(h: &mut Harness) -> StandardInquiry {
    match h.good(&Inquiry::standard()) {
        InquiryData::Standard(s) => s,
        other => panic!("not standard data: {other:?}"),
    }
}

fn vpd(h: &mut Harness, page: u8) -> VpdPage {
    match h.good(&Inquiry::vpd(page)) {
        InquiryData::Vpd(p) => p,
        other => panic!("not a VPD page: {other:?}"),
    }
}

#[test]
fn standard_inquiry_describes_an_spc5_disk() {
    let mut h = Harness::powered_on();
    let s = standard(&mut h);
    assert_eq!(s.peripheral_qualifier, PeripheralQualifier::Connected);
    assert_eq!(s.peripheral_device_type, PeripheralDeviceType::DirectAccess);
    assert!(!s.rmb);
    assert_eq!(s.version, Version::Spc5);
    assert!(s.hisup);
    assert_eq!(s.response_data_format, 2);
    assert!(s.cmdque);
    // SPC-5 6.7.2: at least bytes 0-35; ADDITIONAL LENGTH = n - 4.
    assert!(s.additional_length >= 31);
    assert_eq!(s.missing_bytes, 0);
    assert_eq!(s.t10_vendor_identification, "SCSITOOL");
    assert_eq!(s.product_identification, "SIM DISK");
    assert_eq!(s.product_revision_level, "0001");
    let standards: Vec<_> = s
        .version_descriptors
        .iter()
        .filter_map(|d| d.standard)
        .collect();
    for claimed in ["SAM-5", "SPC-5", "SBC-4"] {
        assert!(standards.contains(&claimed), "{standards:?}");
    }
}

#[test]
fn allocation_length_truncates_without_changing_additional_length() {
    let mut h = Harness::powered_on();
    let full = standard(&mut h);
    let cmd = Inquiry::standard_with_length(36).unwrap();
    let (completion, data) = h.send(&cmd);
    assert_eq!(data.len(), 36);
    assert_eq!(completion.residual(36), 0);
    assert_eq!(data[4], full.additional_length);
    let (_, data) = h.send(&Inquiry::standard_with_length(5).unwrap());
    assert_eq!(data.len(), 5);
}

#[test]
fn supported_vpd_pages_are_listed_in_order_and_served() {
    let mut h = Harness::powered_on();
    let VpdPage::SupportedVpdPages(list) = vpd(&mut h, 0x00) else {
        panic!("page 00h")
    };
    let codes: Vec<u8> = list.pages.iter().map(|p| p.page_code).collect();
    assert_eq!(codes, [0x00, 0x80, 0x83, 0x86, 0xb0, 0xb1, 0xb2]);
    for code in codes {
        assert_eq!(vpd(&mut h, code).page_code(), code);
    }
}

#[test]
fn serial_number_and_device_identification() {
    let mut h = Harness::powered_on();
    let VpdPage::UnitSerialNumber(serial) = vpd(&mut h, 0x80) else {
        panic!("page 80h")
    };
    assert_eq!(serial.product_serial_number, "SIM00000000");
    let VpdPage::DeviceIdentification(id) = vpd(&mut h, 0x83) else {
        panic!("page 83h")
    };
    assert!(id.problem.is_none());
    let designators: Vec<_> = id.logical_unit_designators().collect();
    assert!(designators.iter().any(|d| matches!(
        &d.designator,
        Designator::Naa {
            naa: Naa::IeeeRegisteredExtended {
                ieee_company_id: 0xacde48,
                ..
            },
            ..
        }
    )));
    assert!(designators.iter().any(|d| matches!(
        &d.designator,
        Designator::T10VendorId { t10_vendor_identification, vendor_specific_identifier }
            if t10_vendor_identification == "SCSITOOL"
                && vendor_specific_identifier.ends_with("SIM00000000")
    )));
}

#[test]
fn two_logical_units_have_different_naa_identifiers() {
    let mut h = Harness::with(2, 64, 512);
    let naa = |h: &mut Harness, lun| match h.good_at(lun, &Inquiry::vpd(0x83)) {
        InquiryData::Vpd(VpdPage::DeviceIdentification(id)) => id
            .designators
            .iter()
            .find_map(|d| match &d.designator {
                Designator::Naa { identifier, .. } => Some(identifier.clone()),
                _ => None,
            })
            .unwrap(),
        other => panic!("{other:?}"),
    };
    assert_ne!(naa(&mut h, 0), naa(&mut h, 1));
}

#[test]
fn extended_inquiry_and_block_pages() {
    let mut h = Harness::powered_on();
    let VpdPage::ExtendedInquiryData(ext) = vpd(&mut h, 0x86) else {
        panic!("page 86h")
    };
    // The disk activates microcode before the final WRITE BUFFER completes (SPC-5 7.7.7),
    // and WRITE BUFFER mode 0Dh selects no activation event.
    assert_eq!(ext.activate_microcode, ActivateMicrocode::BeforeCompletion);
    assert!(!ext.poa_sup && !ext.hra_sup && !ext.vsa_sup);
    // WRITE BUFFER download microcode modes 05h, 07h, 0Dh, 0Eh and 0Fh, not 04h or 06h.
    assert!(ext.dms_valid);
    assert!(ext.dm_md_5 && ext.dm_md_7 && ext.dm_md_d && ext.dm_md_e && ext.dm_md_f);
    assert!(!ext.dm_md_4 && !ext.dm_md_6);
    assert_eq!(
        ext.multi_it_nexus_microcode_download,
        MultiItNexusMicrocodeDownload::OneSequenceActivateFromSameNexus
    );
    assert!(ext.v_sup && !ext.nv_sup);
    assert!(ext.simpsup);
    assert!(ext.luiclr);
    assert!(ext.maximum_supported_sense_data_length >= 18);
    let VpdPage::BlockLimits(limits) = vpd(&mut h, 0xb0) else {
        panic!("page B0h")
    };
    let max = limits.maximum_transfer_length.unwrap();
    assert_eq!(
        u64::from(max) * 512,
        u64::from(crate::sbc::MAX_TRANSFER_BYTES)
    );
    let VpdPage::BlockDeviceCharacteristics(chars) = vpd(&mut h, 0xb1) else {
        panic!("page B1h")
    };
    assert_eq!(chars.medium_rotation_rate, MediumRotationRate::NonRotating);
    let VpdPage::LogicalBlockProvisioning(lbp) = vpd(&mut h, 0xb2) else {
        panic!("page B2h")
    };
    assert_eq!(lbp.provisioning_type, ProvisioningType::NotReported);
    assert!(!lbp.lbpu && !lbp.lbpws);
}

#[test]
fn unsupported_vpd_page_points_at_page_code() {
    let mut h = Harness::ready();
    let sense = h.check(&Inquiry::vpd(0x89));
    assert_field(&sense, 0x24, true, 2, 7);
}

#[test]
fn short_vpd_allocation_truncates() {
    let mut h = Harness::powered_on();
    let (completion, data) = h.send(&Inquiry::vpd_with_length(0x83, 4).unwrap());
    assert_eq!(data.len(), 4);
    assert_eq!(completion.residual(4), 0);
    // PAGE LENGTH still counts the whole page (SPC-5 7.7.1).
    assert!(u16::from_be_bytes([data[2], data[3]]) > 20);
}

#[test]
fn identity_fields_reach_inquiry_and_vpd() {
    let identity = crate::sbc::Identity {
        vendor: "ACME".into(),
        product: "ROADRUNNER 9000 PLUS".into(),
        revision: "R2D2".into(),
        serial: "XYZ".into(),
    };
    let (device, media) = super::double::Media::new(8, 512);
    let mut h = Harness {
        target: crate::sbc::Target::new(vec![crate::sbc::Disk::new(identity, device)]),
        media,
    };
    let s = standard(&mut h);
    assert_eq!(s.t10_vendor_identification, "ACME");
    // PRODUCT IDENTIFICATION is 16 bytes (SPC-5 6.7.2).
    assert_eq!(s.product_identification, "ROADRUNNER 9000");
    assert_eq!(s.product_revision_level, "R2D2");
    let VpdPage::UnitSerialNumber(serial) = vpd(&mut h, 0x80) else {
        panic!("page 80h")
    };
    assert_eq!(serial.product_serial_number, "XYZ");
}

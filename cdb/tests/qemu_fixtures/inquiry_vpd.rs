//! Standard INQUIRY data (SPC-5 6.7.2) and the VPD pages (SPC-5 7.7, SBC-4 6.6) of the
//! four QEMU disks.

use super::{fixture_dir, Disk, DISKS};
use cdb::command::ScsiCommand;
use cdb::scsi::spc::inquiry::{
    Clocking, Inquiry, InquiryData, PeripheralDeviceType, PeripheralQualifier, SpiFeatures,
    StandardInquiry, Tpgs, Version,
};
use cdb::scsi::spc::vpd::{
    Association, BlockDeviceCharacteristics, BlockLimits, CodeSet, Designator, DesignatorType,
    DeviceIdentification, LbprzMode, LogicalBlockProvisioning, MediumRotationRate,
    NominalFormFactor, ProductType, ProvisioningType, SupportedVpdPages, UnitSerialNumber, VpdPage,
    WriteAfterEraseRequirement, Zoned,
};
use std::collections::BTreeSet;

fn standard(cmd: Inquiry, bytes: &[u8]) -> StandardInquiry {
    match cmd.decode(bytes).unwrap() {
        InquiryData::Standard(s) => s,
        other => panic!("standard INQUIRY decoded as {other:?}"),
    }
}

fn vpd(disk: &Disk, page: u8) -> VpdPage {
    let bytes = disk.capture(&format!("vpd-{page:02x}"));
    match Inquiry::vpd(page).decode(&bytes).unwrap() {
        InquiryData::Vpd(p) => {
            assert_eq!(p.page_code(), page);
            let h = p.header();
            assert_eq!(h.peripheral_device_type, PeripheralDeviceType::DirectAccess);
            assert_eq!(h.peripheral_qualifier, PeripheralQualifier::Connected);
            assert_eq!(
                usize::from(h.page_length) + 4,
                bytes.len(),
                "{}",
                disk.label
            );
            assert_eq!(h.missing_bytes, 0);
            p
        }
        other => panic!("VPD page {page:02x} decoded as {other:?}"),
    }
}

#[test]
fn standard_inquiry_96_bytes() {
    for disk in &DISKS {
        let s = standard(Inquiry::standard(), &disk.capture("inquiry"));
        let l = disk.label;
        assert_eq!(
            s.peripheral_qualifier,
            PeripheralQualifier::Connected,
            "{l}"
        );
        assert_eq!(s.peripheral_device_type, PeripheralDeviceType::DirectAccess);
        assert!(!s.rmb, "{l}: scsi-hd is not removable");
        assert_eq!(s.t10_vendor_identification, disk.vendor, "{l}");
        assert_eq!(s.product_identification, disk.product, "{l}");
        assert_eq!(s.product_revision_level, "2.5+", "{l}");
        // scsi-disk.c: VERSION 5 (SPC-3), byte 3 = 12h (HISUP, format 2), ADDITIONAL
        // LENGTH = allocation length - 5, byte 7 = 10h (SYNC) | 02h (CMDQUE) with TCQ.
        assert_eq!(s.version, Version::Spc3);
        assert_eq!(s.response_data_format, 2);
        assert!(s.hisup && !s.normaca);
        assert_eq!(s.additional_length, 91);
        assert_eq!(s.missing_bytes, 0);
        assert!(s.sync);
        assert_eq!(s.cmdque, disk.tcq, "{l}");
        assert!(!s.wbus16 && !s.addr16 && !s.multip && !s.encserv && !s.protect);
        assert!(!s.sccs && !s.acc && !s.third_party_copy && !s.lu_cong);
        assert_eq!(s.tpgs, Tpgs::NotSupported);
        // QEMU leaves bytes 36-95 zero: no serial there, no version descriptors.
        assert_eq!(s.vendor_specific, vec![0; 20]);
        assert_eq!(s.vendor_specific_text(), "");
        assert_eq!(
            s.spi,
            Some(SpiFeatures {
                clocking: Clocking::St,
                qas: false,
                ius: false
            })
        );
        assert!(s.version_descriptors.is_empty());
    }
}

#[test]
fn standard_inquiry_36_bytes_agrees_with_96() {
    for disk in &DISKS {
        let long = standard(Inquiry::standard(), &disk.capture("inquiry"));
        let cmd = Inquiry::standard_with_length(36).unwrap();
        let short = standard(cmd, &disk.capture("inquiry36"));
        // scsi-disk.c: with an allocation length of 36 ADDITIONAL LENGTH stays 31.
        assert_eq!(short.additional_length, 31, "{}", disk.label);
        assert_eq!(short.missing_bytes, 0);
        assert!(short.vendor_specific.is_empty());
        assert_eq!(short.spi, None);
        assert!(short.version_descriptors.is_empty());
        // Every field bytes 0-35 hold is the same in both captures.
        let mut aligned = short.clone();
        aligned.additional_length = long.additional_length;
        aligned.vendor_specific = long.vendor_specific.clone();
        aligned.spi = long.spi.clone();
        aligned.version_descriptors = long.version_descriptors.clone();
        assert_eq!(aligned, long, "{}", disk.label);
    }
}

/// The VPD pages the capture script asked for (`sg_vpd --page=...`); a page the device
/// rejected left no file.
const REQUESTED_PAGES: [u8; 7] = [0x00, 0x80, 0x83, 0x86, 0xb0, 0xb1, 0xb2];

#[test]
fn supported_pages_match_the_captured_pages() {
    for disk in &DISKS {
        let VpdPage::SupportedVpdPages(SupportedVpdPages { pages, .. }) = vpd(disk, 0x00) else {
            panic!("page 00h not decoded as Supported VPD Pages");
        };
        let listed: Vec<u8> = pages.iter().map(|p| p.page_code).collect();
        let mut sorted = listed.clone();
        sorted.sort_unstable();
        assert_eq!(listed, sorted, "SPC-5 7.7.17: ascending order");
        let captured: BTreeSet<u8> = REQUESTED_PAGES
            .into_iter()
            .filter(|p| {
                fixture_dir()
                    .join(format!("{}.vpd-{p:02x}.bin", disk.label))
                    .exists()
            })
            .collect();
        let listed: BTreeSet<u8> = listed.into_iter().collect();
        assert_eq!(listed, captured, "{}", disk.label);
        // QEMU 7.2 has no Extended INQUIRY Data page: not listed, and rejected.
        assert!(!listed.contains(&0x86));
        let names: Vec<&str> = pages.iter().map(|p| p.name).collect();
        assert_eq!(
            names,
            [
                "Supported VPD Pages",
                "Unit Serial Number",
                "Device Identification",
                "Block Limits",
                "Block Device Characteristics",
                "Logical Block Provisioning"
            ]
        );
    }
}

#[test]
fn unit_serial_number() {
    for disk in &DISKS {
        let VpdPage::UnitSerialNumber(UnitSerialNumber {
            product_serial_number,
            ..
        }) = vpd(disk, 0x80)
        else {
            panic!("page 80h not decoded as Unit Serial Number");
        };
        assert_eq!(product_serial_number, disk.serial);
    }
}

#[test]
fn device_identification() {
    for disk in &DISKS {
        let VpdPage::DeviceIdentification(page) = vpd(disk, 0x83) else {
            panic!("page 83h not decoded as Device Identification");
        };
        let DeviceIdentification {
            designators,
            problem,
            ..
        } = &page;
        assert_eq!(*problem, None);
        // scsi-disk.c: without a `wwn` property the only designator is the drive's
        // serial, ASCII, vendor specific, naming the logical unit.
        assert_eq!(designators.len(), 1, "{}", disk.label);
        let d = &designators[0];
        assert_eq!(d.code_set, CodeSet::Ascii);
        assert_eq!(d.association, Association::LogicalUnit);
        assert_eq!(d.designator_type, DesignatorType::VendorSpecific);
        assert!(!d.piv);
        assert_eq!(d.protocol(), None);
        assert_eq!(
            d.designator,
            Designator::VendorSpecific {
                bytes: disk.serial.as_bytes().to_vec(),
                text: Some(disk.serial.to_owned()),
            }
        );
        assert_eq!(page.logical_unit_designators().count(), 1);
    }
}

#[test]
fn block_limits() {
    for disk in &DISKS {
        let VpdPage::BlockLimits(b) = vpd(disk, 0xb0) else {
            panic!("page B0h not decoded as Block Limits");
        };
        let bl = disk.block_length;
        // scsi-disk.c scsi_disk_emulate_vpd_page, defaults of QEMU 7.2 scsi-hd:
        // max_io_size = INT_MAX bytes, max_unmap_size = 1 GiB, discard_granularity =
        // max(4 KiB, logical block size), min_io_size = opt_io_size = 0, 255 UNMAP
        // descriptors, WSNZ set, no COMPARE AND WRITE, no UGAVALID.
        let max_io = (i32::MAX as u32) / bl;
        assert_eq!(
            b,
            BlockLimits {
                header: b.header.clone(),
                wsnz: true,
                maximum_compare_and_write_length: None,
                optimal_transfer_length_granularity: None,
                maximum_transfer_length: Some(max_io),
                optimal_transfer_length: None,
                maximum_prefetch_length: None,
                maximum_unmap_lba_count: Some((1 << 30) / bl),
                maximum_unmap_block_descriptor_count: Some(255),
                optimal_unmap_granularity: Some(4096u32.max(bl) / bl),
                unmap_granularity_alignment: None,
                maximum_write_same_length: Some(u64::from(max_io)),
                maximum_atomic_transfer_length: None,
                atomic_alignment: None,
                atomic_transfer_length_granularity: None,
                maximum_atomic_transfer_length_with_atomic_boundary: None,
                maximum_atomic_boundary_size: None,
            },
            "{}",
            disk.label
        );
        assert_eq!(b.header.page_length, 0x3c);
    }
}

#[test]
fn block_device_characteristics() {
    for disk in &DISKS {
        let VpdPage::BlockDeviceCharacteristics(b) = vpd(disk, 0xb1) else {
            panic!("page B1h not decoded as Block Device Characteristics");
        };
        // scsi-hd's `rotation_rate` defaults to 0 (not reported); QEMU sets nothing else.
        assert_eq!(
            b,
            BlockDeviceCharacteristics {
                header: b.header.clone(),
                medium_rotation_rate: MediumRotationRate::NotReported,
                product_type: ProductType::NotIndicated,
                wabereq: WriteAfterEraseRequirement::NotSpecified,
                wacereq: WriteAfterEraseRequirement::NotSpecified,
                nominal_form_factor: NominalFormFactor::NotReported,
                zoned: Zoned::NotReported,
                bocs: false,
                rbwz: false,
                fuab: false,
                vbuls: false,
                depopulation_time: None,
            }
        );
        assert_eq!(b.header.page_length, 0x3c);
    }
}

#[test]
fn logical_block_provisioning() {
    for disk in &DISKS {
        let VpdPage::LogicalBlockProvisioning(p) = vpd(disk, 0xb2) else {
            panic!("page B2h not decoded as Logical Block Provisioning");
        };
        // scsi-disk.c: byte 5 = E0h (UNMAP, WRITE SAME (16) and (10) with UNMAP), byte 6
        // = 2 (thin provisioned) since discard_granularity is non-zero.
        assert_eq!(
            p,
            LogicalBlockProvisioning {
                header: p.header.clone(),
                threshold_exponent: 0,
                lbpu: true,
                lbpws: true,
                lbpws10: true,
                lbprz: LbprzMode::VendorSpecific,
                anc_sup: false,
                dp: false,
                minimum_percentage: 0,
                provisioning_type: ProvisioningType::ThinProvisioned,
                threshold_percentage: 0,
                provisioning_group_descriptor: None,
                problem: None,
            },
            "{}",
            disk.label
        );
        assert_eq!(p.header.page_length, 4);
    }
}

#[test]
fn every_vpd_capture_serialises() {
    for disk in &DISKS {
        for page in REQUESTED_PAGES {
            let path = fixture_dir().join(format!("{}.vpd-{page:02x}.bin", disk.label));
            if path.exists() {
                let json = serde_json::to_value(vpd(disk, page)).unwrap();
                assert!(json.get("page").is_some(), "{json}");
            }
        }
    }
}

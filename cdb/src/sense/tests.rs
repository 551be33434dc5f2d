//! Fixtures from the standards and real devices, and property tests for the sense decoder.

use super::*;
use crate::scsi::status::Status;
use proptest::prelude::*;

/// QEMU's fixed format sense (hw/scsi/utils.c scsi_build_sense_buf): 70h, key in byte 2,
/// ADDITIONAL SENSE LENGTH 0Ah, ASC/ASCQ in bytes 12–13.
fn qemu_fixed(key: u8, asc: u8, ascq: u8) -> Vec<u8> {
    let mut b = vec![0; 18];
    b[0] = 0x70;
    b[2] = key;
    b[7] = 0x0A;
    b[12] = asc;
    b[13] = ascq;
    b
}

#[test]
fn qemu_invalid_opcode_fixed() {
    let s = decode(&qemu_fixed(0x05, 0x20, 0x00)).unwrap();
    assert_eq!(s.response_code.format, Format::Fixed);
    assert!(s.is_current() && !s.is_deferred());
    assert_eq!(s.sense_key.unwrap().name, "ILLEGAL REQUEST");
    assert_eq!(s.asc_ascq(), Some((0x20, 0x00)));
    assert_eq!(s.information(), None);
    assert_eq!(s.sense_key_specific(), None);
    assert!(s.problems.is_empty(), "{:?}", s.problems);
    assert_eq!(classify(Status::from(0x02), Some(&s)), RetryClass::Fatal);
}

#[test]
fn qemu_descriptor_format_header_only() {
    // QEMU's descriptor format: 72h, key, ASC, ASCQ, ADDITIONAL SENSE LENGTH 0.
    let s = decode(&[0x72, 0x06, 0x29, 0x00, 0, 0, 0, 0]).unwrap();
    assert_eq!(s.response_code.format, Format::Descriptor);
    assert_eq!(s.sense_key_code(), Some(0x06));
    assert!(s.descriptors().is_empty());
    assert!(s.problems.is_empty());
    assert_eq!(
        classify(Status::from(0x02), Some(&s)),
        RetryClass::RetryLater
    );
}

#[test]
fn field_pointer_per_spc5_table_34() {
    // SKSV=1, C/D=1, BPV=1, BIT POINTER=4, FIELD POINTER=1: CDB byte 1 bit 4.
    let mut b = qemu_fixed(0x05, 0x24, 0x00);
    b[15..18].copy_from_slice(&[0xCC, 0x00, 0x01]);
    let s = decode(&b).unwrap();
    assert_eq!(
        s.sense_key_specific(),
        Some(&SenseKeySpecific::FieldPointer {
            command: true,
            bit_pointer: Some(4),
            field_pointer: 1
        })
    );
    assert!(s.to_string().contains("byte 1 bit 4"), "{s}");
}

#[test]
fn deferred_medium_error_with_information_and_fru() {
    let mut b = qemu_fixed(0x03, 0x11, 0x00);
    b[0] = 0xF1; // VALID, deferred
    b[3..7].copy_from_slice(&[0x00, 0x00, 0x12, 0x34]);
    b[14] = 0x81;
    b[15..18].copy_from_slice(&[0x80, 0x00, 0x05]);
    let s = decode(&b).unwrap();
    assert!(s.is_deferred());
    assert_eq!(s.information(), Some(0x1234));
    assert_eq!(
        s.sense_key_specific(),
        Some(&SenseKeySpecific::ActualRetryCount {
            actual_retry_count: 5
        })
    );
    let SenseFormat::Fixed(f) = &s.format else {
        panic!("not fixed")
    };
    assert_eq!(f.field_replaceable_unit_code, Some(0x81));
}

#[test]
fn progress_indication_in_fixed_and_descriptor_forms() {
    // 4000h / 10000h = 25 % (SPC-5 4.4.2.4.4).
    let mut b = qemu_fixed(0x02, 0x04, 0x01);
    b[15..18].copy_from_slice(&[0x80, 0x40, 0x00]);
    let s = decode(&b).unwrap();
    assert_eq!(s.progress_percent(), Some(25.0));
    assert_eq!(
        classify(Status::from(0x02), Some(&s)),
        RetryClass::RetryLater
    );
    let d = decode(&[
        0x72, 0x05, 0x24, 0x00, 0, 0, 0, 8, 0x0A, 0x06, 0x03, 0x11, 0x00, 0, 0x80, 0x00,
    ])
    .unwrap();
    assert_eq!(d.progress_percent(), Some(50.0));
}

#[test]
fn ata_status_return_per_sat() {
    // SAT-5 ATA Status Return: EXTEND=1, ERROR 04h, COUNT 0005h, LBA bytes 7/9/11 low,
    // 6/8/10 high, DEVICE 40h, STATUS 51h.
    let b = [
        0x72, 0x01, 0x00, 0x1D, 0, 0, 0, 0x0E, 0x09, 0x0C, 0x01, 0x04, 0x00, 0x05, 0xAA, 0x01,
        0xBB, 0x02, 0xCC, 0x03, 0x40, 0x51,
    ];
    let s = decode(&b).unwrap();
    assert_eq!(
        s.descriptors()[0].body,
        DescriptorBody::AtaStatusReturn {
            extend: true,
            error: 0x04,
            count: 5,
            lba: 0xCC_BB_AA_03_02_01,
            device: 0x40,
            status: 0x51
        }
    );
    assert_eq!(
        classify(Status::from(0x02), Some(&s)),
        RetryClass::Recovered
    );
}

#[test]
fn ata_pass_through_fixed_per_sat() {
    // SAT-5 12.2.2.6: RECOVERED ERROR 00h/1Dh; ERROR 04h, STATUS 51h, DEVICE 40h, COUNT 01h;
    // EXTEND=1, LBA UPPER NONZERO=1, LOG INDEX 3; LBA (7:0) 11h, (15:8) 22h, (23:16) 33h.
    let b = [
        0x70, 0, 0x01, 0x04, 0x51, 0x40, 0x01, 0x0A, 0xA3, 0x11, 0x22, 0x33, 0x00, 0x1D, 0, 0, 0, 0,
    ];
    let s = decode(&b).unwrap();
    let SenseFormat::Fixed(f) = &s.format else {
        panic!("not fixed")
    };
    let ata = f.ata_pass_through.as_ref().unwrap();
    assert_eq!(
        (ata.error, ata.status, ata.device, ata.count),
        (4, 0x51, 0x40, 1)
    );
    assert!(ata.extend && !ata.count_upper_nonzero && ata.lba_upper_nonzero);
    assert_eq!((ata.log_index, ata.lba), (3, 0x33_22_11));
}

#[test]
fn forwarded_sense_is_decoded_recursively_and_bounded() {
    let inner = [0x72, 0x05, 0x20, 0x00, 0, 0, 0, 0];
    let mut b = vec![
        0x72,
        0x0A,
        0x0D,
        0x00,
        0,
        0,
        0,
        0,
        0x0C,
        0x02 + 8,
        0x82,
        0x02,
    ];
    b.extend_from_slice(&inner);
    b[7] = (b.len() - 8) as u8;
    let s = decode(&b).unwrap();
    let DescriptorBody::ForwardedSenseData {
        sense_data_source,
        sense: Some(nested),
        ..
    } = &s.descriptors()[0].body
    else {
        panic!("{s:?}")
    };
    assert_eq!(*sense_data_source, 2);
    assert_eq!(nested.asc_ascq(), Some((0x20, 0x00)));

    // Nest far deeper than MAX_NESTING: decoding stops and says so.
    let mut deep = inner.to_vec();
    for _ in 0..(MAX_NESTING + 3) {
        let mut outer = vec![0x72, 0x0A, 0x0D, 0x00, 0, 0, 0, 0, 0x0C, 0, 0x00, 0x02];
        outer[9] = (deep.len() + 2) as u8;
        outer.extend_from_slice(&deep);
        outer[7] = (outer.len() - 8) as u8;
        deep = outer;
    }
    let s = decode(&deep).unwrap();
    let mut level = &s;
    let mut found = false;
    for _ in 0..=MAX_NESTING + 3 {
        found |= level
            .problems
            .iter()
            .any(|p| matches!(p, Problem::NestingTooDeep { .. }));
        match level.descriptors().first().map(|d| &d.body) {
            Some(DescriptorBody::ForwardedSenseData {
                sense: Some(next), ..
            }) => level = next,
            _ => break,
        }
    }
    assert!(found, "no NestingTooDeep problem reported");
}

#[test]
fn malformed_buffers_report_problems() {
    assert!(decode(&[]).is_err());
    let s = decode(&[0x70, 0x00, 0x06]).unwrap();
    assert_eq!(s.sense_key_code(), Some(6));
    assert_eq!(s.additional_sense, None);
    assert!(s
        .problems
        .contains(&Problem::ShortHeader { need: 18, have: 3 }));

    let s = decode(&[0x45, 1, 2]).unwrap();
    assert_eq!(
        s.problems,
        vec![Problem::UnknownResponseCode { code: 0x45 }]
    );

    // ADDITIONAL SENSE LENGTH 20 but only 18 bytes: truncated, fields still decoded.
    let mut b = qemu_fixed(0x05, 0x24, 0x00);
    b[7] = 20;
    let s = decode(&b).unwrap();
    assert_eq!(s.asc_ascq(), Some((0x24, 0x00)));
    assert!(s.problems.contains(&Problem::Truncated {
        declared: 28,
        have: 18
    }));

    // A descriptor that claims 12 bytes when 4 remain.
    let s = decode(&[0x72, 5, 0x24, 0, 0, 0, 0, 4, 0x00, 0x0A, 0x80, 0x00]).unwrap();
    assert!(matches!(
        s.problems.as_slice(),
        [
            Problem::DescriptorOverrun { offset: 8, .. },
            Problem::DescriptorTooShort { .. }
        ]
    ));
    assert!(matches!(
        s.descriptors()[0].body,
        DescriptorBody::Raw { .. }
    ));

    // Vendor specific response code 7Fh is not a problem; its bytes are kept.
    let s = decode(&[0x7F, 1, 2, 3]).unwrap();
    assert!(s.problems.is_empty());
    assert_eq!(
        s.format,
        SenseFormat::Raw {
            bytes: vec![1, 2, 3]
        }
    );
}

#[test]
fn classification_follows_the_standard() {
    let with = |key: u8, asc: u8, ascq: u8| {
        classify(
            Status::from(0x02),
            Some(&decode(&qemu_fixed(key, asc, ascq)).unwrap()),
        )
    };
    assert_eq!(classify(Status::from(0x00), None), RetryClass::Good);
    assert_eq!(classify(Status::from(0x08), None), RetryClass::RetryLater);
    assert_eq!(classify(Status::from(0x28), None), RetryClass::RetryLater);
    assert_eq!(classify(Status::from(0x18), None), RetryClass::Fatal);
    assert_eq!(classify(Status::from(0x02), None), RetryClass::Fatal);
    assert_eq!(with(0x01, 0x17, 0x01), RetryClass::Recovered);
    assert_eq!(with(0x06, 0x3F, 0x01), RetryClass::RetryLater);
    assert_eq!(with(0x02, 0x04, 0x07), RetryClass::RetryLater);
    assert_eq!(with(0x02, 0x04, 0x21), RetryClass::NeedsReset);
    assert_eq!(with(0x02, 0x04, 0x22), RetryClass::NeedsReset);
    assert_eq!(with(0x02, 0x3A, 0x00), RetryClass::Fatal);
    assert_eq!(with(0x0B, 0x47, 0x00), RetryClass::RetryLater);
    assert_eq!(with(0x0B, 0x10, 0x01), RetryClass::Fatal);
    assert_eq!(with(0x03, 0x11, 0x00), RetryClass::Fatal);
}

/// Fixed format sense bytes built from field values per SPC-5 table 51.
#[allow(clippy::too_many_arguments)]
fn fixed_bytes(
    deferred: bool,
    valid: bool,
    key: u8,
    information: u32,
    csi: u32,
    asc: u8,
    ascq: u8,
    fru: u8,
    sks: [u8; 3],
) -> Vec<u8> {
    let mut b = vec![0u8; 18];
    b[0] = if deferred { 0x71 } else { 0x70 } | if valid { 0x80 } else { 0 };
    b[2] = key;
    b[3..7].copy_from_slice(&information.to_be_bytes());
    b[7] = 10;
    b[8..12].copy_from_slice(&csi.to_be_bytes());
    b[12] = asc;
    b[13] = ascq;
    b[14] = fru;
    b[15..18].copy_from_slice(&sks);
    b
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(buf in proptest::collection::vec(any::<u8>(), 0..600)) {
        match decode(&buf) {
            Err(_) => prop_assert!(buf.is_empty()),
            Ok(s) => {
                // Output is bounded by the input: at most one descriptor per two bytes.
                prop_assert!(s.descriptors().len() <= buf.len() / 2 + 1);
                prop_assert!(!s.to_string().is_empty());
                prop_assert!(serde_json::to_value(&s).is_ok());
                let _ = classify(Status::from(0x02), Some(&s));
            }
        }
    }

    #[test]
    fn descriptor_format_with_arbitrary_descriptors_never_panics(
        key in 0u8..16, body in proptest::collection::vec(any::<u8>(), 0..300)
    ) {
        let mut buf = vec![0x72, key, 0, 0, 0, 0, 0, body.len().min(255) as u8];
        buf.extend_from_slice(&body);
        let s = decode(&buf).unwrap();
        prop_assert_eq!(s.sense_key_code(), Some(key));
        prop_assert!(!s.to_string().is_empty());
    }

    #[test]
    fn any_format_with_arbitrary_tail_never_panics(
        code in proptest::sample::select(vec![0x70u8, 0x71, 0x72, 0x73, 0x7F, 0xF0, 0xF1, 0xF3]),
        tail in proptest::collection::vec(any::<u8>(), 0..300)
    ) {
        let mut buf = vec![code];
        buf.extend_from_slice(&tail);
        let s = decode(&buf).unwrap();
        prop_assert_eq!(s.response_code.code, code & 0x7F);
        prop_assert!(!s.to_string().is_empty());
        prop_assert!(serde_json::to_value(&s).is_ok());
    }

    #[test]
    fn fixed_round_trips(
        deferred: bool, valid: bool, key in 0u8..16, information: u32, csi: u32,
        asc: u8, ascq: u8, fru: u8, sks: [u8; 3]
    ) {
        let b = fixed_bytes(deferred, valid, key, information, csi, asc, ascq, fru, sks);
        let s = decode(&b).unwrap();
        prop_assert!(s.problems.is_empty());
        prop_assert_eq!(s.is_deferred(), deferred);
        prop_assert_eq!(s.sense_key_code(), Some(key));
        prop_assert_eq!(s.asc_ascq(), Some((asc, ascq)));
        prop_assert_eq!(s.information(), valid.then_some(u64::from(information)));
        prop_assert_eq!(s.sense_key_specific().is_some(), sks[0] & 0x80 != 0);
        let SenseFormat::Fixed(f) = &s.format else { panic!("not fixed") };
        prop_assert_eq!(f.command_specific_information, Some(csi));
        prop_assert_eq!(f.field_replaceable_unit_code, Some(fru));
        if let Some(SenseKeySpecific::FieldPointer { field_pointer, .. }
            | SenseKeySpecific::SegmentPointer { field_pointer, .. }) = s.sense_key_specific()
        {
            prop_assert_eq!(*field_pointer, u16::from_be_bytes([sks[1], sks[2]]));
        }
    }

    #[test]
    fn descriptor_round_trips(
        deferred: bool, key in 0u8..16, asc: u8, ascq: u8, information: u64,
        valid: bool, csi: u64, fru: u8, progress: u16
    ) {
        let mut b = vec![if deferred { 0x73 } else { 0x72 }, key, asc, ascq, 0, 0, 0, 0];
        b.extend_from_slice(&[0x00, 0x0A, if valid { 0x80 } else { 0 }, 0]);
        b.extend_from_slice(&information.to_be_bytes());
        b.extend_from_slice(&[0x01, 0x0A, 0, 0]);
        b.extend_from_slice(&csi.to_be_bytes());
        b.extend_from_slice(&[0x03, 0x02, 0, fru]);
        b.extend_from_slice(&[0x0A, 0x06, 0x02, 0x04, 0x01, 0]);
        b.extend_from_slice(&progress.to_be_bytes());
        b[7] = (b.len() - 8) as u8;
        let s = decode(&b).unwrap();
        prop_assert!(s.problems.is_empty());
        prop_assert_eq!(s.is_deferred(), deferred);
        prop_assert_eq!(s.sense_key_code(), Some(key));
        prop_assert_eq!(s.asc_ascq(), Some((asc, ascq)));
        prop_assert_eq!(s.information(), valid.then_some(information));
        let d = s.descriptors();
        prop_assert_eq!(d.len(), 4);
        prop_assert_eq!(&d[1].body, &DescriptorBody::CommandSpecificInformation {
            command_specific_information: csi
        });
        prop_assert_eq!(&d[2].body, &DescriptorBody::FieldReplaceableUnit {
            field_replaceable_unit_code: fru
        });
        let DescriptorBody::AnotherProgressIndication { progress_indication, .. } = d[3].body
        else { panic!("not progress") };
        prop_assert_eq!(progress_indication, progress);
    }
}

#[test]
fn renders_what_sg3_utils_users_expect() {
    let b = [
        0x73, 0x02, 0x04, 0x07, 0x80, 0, 0, 0x20, 0x00, 0x0A, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x12,
        0x34, 0x0A, 0x06, 0x03, 0x11, 0x00, 0, 0x40, 0x00, 0x0C, 0x0A, 0x82, 0x02, 0x72, 0x05,
        0x20, 0x00, 0, 0, 0, 0,
    ];
    let text = decode(&b).unwrap().to_string();
    for part in [
        "Descriptor format (0x73), deferred; Sense key: NOT READY",
        "Information: 0x1234",
        "25.00% of MEDIUM ERROR",
        "SDAT_OVFL",
        "EXTENDED COPY destination device 1",
        "Sense key: ILLEGAL REQUEST",
    ] {
        assert!(text.contains(part), "{part:?} missing from:\n{text}");
    }
    let short = decode(&[0x70, 0, 0x06]).unwrap().to_string();
    assert!(
        short.contains("Problem: header needs 18 bytes, only 3 present"),
        "{short}"
    );
}

#[test]
fn json_field_names_and_schema() {
    let s = decode(&qemu_fixed(0x05, 0x24, 0x00)).unwrap();
    let v = serde_json::to_value(&s).unwrap();
    assert_eq!(v["response_code"]["format"], "fixed");
    assert_eq!(v["sense_key"]["code"], 5);
    assert_eq!(v["sense_key"]["name"], "ILLEGAL REQUEST");
    assert_eq!(v["additional_sense"]["asc"], 0x24);
    assert!(v["format"]["fixed"].is_object());
    let schema = serde_json::to_value(schemars::schema_for!(SenseData)).unwrap();
    assert!(schema.to_string().contains("sense_key_specific"));
}

#[test]
fn osd_identifiers_are_exact_hex_in_json() {
    // Descriptor format, one OSD object identification descriptor (06h, length 1Eh):
    // PARTITION_ID and OBJECT_ID beyond 2^53 (SPC-5 4.4.2.8, OSD-2).
    let mut b = vec![0x72, 0x05, 0x24, 0x00, 0, 0, 0, 32, 0x06, 0x1e];
    b.extend([0; 14]);
    b.extend([0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef]);
    b.extend([0xff; 8]);
    let text = serde_json::to_string(&decode(&b).unwrap()).unwrap();
    assert!(
        text.contains(r#""partition_id":"0123456789abcdef""#),
        "{text}"
    );
    assert!(text.contains(r#""object_id":"ffffffffffffffff""#), "{text}");
}

#[test]
fn vendor_specific_and_unknown_formats_are_neither_current_nor_deferred() {
    for (bytes, format) in [
        (&[0x7f, 1, 2, 3][..], "Vendor specific format (0x7f)\n"),
        (&[0x74, 1, 2, 3][..], "Unknown format (0x74)\n"),
    ] {
        let text = decode(bytes).unwrap().to_string();
        assert!(text.starts_with(format), "{text}");
    }
    let text = decode(&qemu_fixed(0x05, 0x24, 0x00)).unwrap().to_string();
    assert!(text.starts_with("Fixed format (0x70), current;"), "{text}");
}

#[test]
fn empty_forwarded_sense_is_a_problem() {
    // Descriptor format, one forwarded sense data descriptor (0Ch) with ADDITIONAL
    // LENGTH 2: FSDT/SENSE DATA SOURCE and FORWARDED STATUS, no sense data.
    let s = decode(&[0x72, 0x0b, 0x0d, 0x00, 0, 0, 0, 4, 0x0c, 0x02, 0x01, 0x02]).unwrap();
    assert!(
        s.problems
            .contains(&Problem::EmptyForwardedSense { offset: 8 }),
        "{:?}",
        s.problems
    );
}

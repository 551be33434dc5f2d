use super::table::ASSIGNED;
use super::{describe, lookup, Assignment, PLACEHOLDER, RANGED};

fn text(asc: u8, ascq: u8) -> String {
    describe(asc, ascq).unwrap_or_else(|| panic!("{asc:02X}h/{ascq:02X}h should be assigned"))
}

/// Well-known pairs, with the text of T10's asc-num.txt.
#[test]
fn spot_checks_against_t10_list() {
    let cases: [(u8, u8, &str); 16] = [
        (0x00, 0x00, "NO ADDITIONAL SENSE INFORMATION"),
        (0x00, 0x22, "DEFERRED MICROCODE IS PENDING"),
        (0x04, 0x01, "LOGICAL UNIT IS IN PROCESS OF BECOMING READY"),
        (
            0x04,
            0x1E,
            "LOGICAL UNIT NOT READY, MICROCODE ACTIVATION REQUIRED",
        ),
        (0x11, 0x00, "UNRECOVERED READ ERROR"),
        (0x20, 0x00, "INVALID COMMAND OPERATION CODE"),
        (0x21, 0x00, "LOGICAL BLOCK ADDRESS OUT OF RANGE"),
        (0x24, 0x00, "INVALID FIELD IN CDB"),
        (0x26, 0x00, "INVALID FIELD IN PARAMETER LIST"),
        (0x29, 0x00, "POWER ON, RESET, OR BUS DEVICE RESET OCCURRED"),
        (0x2A, 0x09, "CAPACITY DATA HAS CHANGED"),
        (0x3A, 0x00, "MEDIUM NOT PRESENT"),
        (0x3F, 0x01, "MICROCODE HAS BEEN CHANGED"),
        (0x3F, 0x12, "iSCSI IP ADDRESS ADDED"),
        (
            0x5D,
            0x6C,
            "FIRMWARE IMPENDING FAILURE DRIVE CALIBRATION RETRY COUNT",
        ),
        (0x74, 0x79, "SECURITY CONFLICT IN TRANSLATED DEVICE"),
    ];
    for (asc, ascq, expected) in cases {
        assert_eq!(text(asc, ascq), expected, "{asc:02X}h/{ascq:02X}h");
        assert_eq!(lookup(asc, ascq), Assignment::Assigned(expected));
    }
}

/// Assignments made after the 2013 listing.
#[test]
fn newer_assignments_present() {
    assert_eq!(
        text(0x04, 0x22),
        "LOGICAL UNIT NOT READY, POWER CYCLE REQUIRED"
    );
    assert_eq!(text(0x04, 0x25), "DEPOPULATION RESTORATION IN PROGRESS");
    assert_eq!(text(0x0B, 0x14), "WARNING - PHYSICAL ELEMENT STATUS CHANGE");
    assert_eq!(text(0x21, 0x04), "UNALIGNED WRITE COMMAND");
    assert_eq!(text(0x2A, 0x16), "ZONE RESET WRITE POINTER RECOMMENDED");
    assert_eq!(text(0x3F, 0x1A), "SUBSIDIARY BINDING CHANGED");
    assert_eq!(text(0x55, 0x11), "INSUFFICIENT RESOURCES TO BIND");
    assert_eq!(
        text(0x5D, 0x73),
        "MEDIA IMPENDING FAILURE ENDURANCE LIMIT MET"
    );
    assert_eq!(text(0x67, 0x0D), "EXPLICIT BIND NOT ALLOWED");
    assert_eq!(
        text(0x5D, 0x1D),
        "HARDWARE IMPENDING FAILURE POWER LOSS PROTECTION CIRCUIT"
    );
}

#[test]
fn table_sorted_without_duplicate_keys() {
    for pair in ASSIGNED.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert!(
            (a.0, a.1) < (b.0, b.1),
            "{:02X}h/{:02X}h not before {:02X}h/{:02X}h",
            a.0,
            a.1,
            b.0,
            b.1
        );
    }
}

#[test]
fn table_is_complete_enough() {
    assert!(ASSIGNED.len() >= 700, "only {} entries", ASSIGNED.len());
}

#[test]
fn table_text_is_t10_upper_case() {
    // T10 writes these two protocol names in mixed case.
    const MIXED_CASE: [&str; 2] = ["iSCSI", "iuCRC"];
    for &(asc, ascq, text) in &ASSIGNED {
        assert!(!text.is_empty(), "{asc:02X}h/{ascq:02X}h");
        assert_eq!(text.trim(), text, "{asc:02X}h/{ascq:02X}h");
        let rest = MIXED_CASE
            .iter()
            .fold(text.to_owned(), |t, word| t.replace(word, ""));
        assert!(
            !rest.chars().any(|c| c.is_ascii_lowercase()),
            "{asc:02X}h/{ascq:02X}h: {text}"
        );
    }
}

#[test]
fn ranged_entries_substitute_the_ascq() {
    assert_eq!(text(0x40, 0x85), "DIAGNOSTIC FAILURE ON COMPONENT 85h");
    assert_eq!(text(0x40, 0xFF), "DIAGNOSTIC FAILURE ON COMPONENT FFh");
    assert_eq!(
        text(0x4D, 0x07),
        "TAGGED OVERLAPPED COMMANDS (07h = TASK TAG)"
    );
    assert_eq!(
        text(0x4D, 0xA0),
        "TAGGED OVERLAPPED COMMANDS (A0h = TASK TAG)"
    );
    assert_eq!(
        text(0x70, 0x00),
        "DECOMPRESSION EXCEPTION SHORT ALGORITHM ID OF 00h"
    );
    assert_eq!(
        lookup(0x70, 0x3C),
        Assignment::Ranged {
            template: "DECOMPRESSION EXCEPTION SHORT ALGORITHM ID OF NN",
            nn: 0x3C
        }
    );
    // 40h/00h is assigned on its own; 40h/01h-7Fh are reserved.
    assert_eq!(text(0x40, 0x00), "RAM FAILURE (SHOULD USE 40 NN)");
    assert_eq!(describe(0x40, 0x01), None);
    assert_eq!(describe(0x40, 0x7F), None);
}

#[test]
fn ranged_templates_are_well_formed() {
    for &(asc, first, last, template) in &RANGED {
        assert_eq!(template.matches(PLACEHOLDER).count(), 1, "{template}");
        assert!(first <= last);
        assert!(
            !ASSIGNED
                .iter()
                .any(|&(a, q, _)| a == asc && (first..=last).contains(&q)),
            "{asc:02X}h range overlaps single assignments"
        );
    }
}

#[test]
fn vendor_specific_ranges() {
    assert_eq!(text(0x85, 0x01), "VENDOR SPECIFIC ASC 85h ASCQ 01h");
    assert_eq!(text(0xFF, 0xFF), "VENDOR SPECIFIC ASC FFh ASCQ FFh");
    assert_eq!(text(0x80, 0x00), "VENDOR SPECIFIC ASC 80h ASCQ 00h");
    assert_eq!(text(0x04, 0x85), "VENDOR SPECIFIC ASC 04h ASCQ 85h");
    assert_eq!(
        lookup(0x5D, 0xFE),
        Assignment::VendorSpecific {
            asc: 0x5D,
            ascq: 0xFE
        }
    );
    // Assigned and ranged pairs with ASCQ >= 80h are not vendor specific.
    assert_eq!(
        text(0x5D, 0xFF),
        "FAILURE PREDICTION THRESHOLD EXCEEDED (FALSE)"
    );
    assert!(matches!(lookup(0x40, 0x80), Assignment::Ranged { .. }));
    assert!(matches!(lookup(0x4D, 0x80), Assignment::Ranged { .. }));
}

#[test]
fn reserved_pairs_have_no_description() {
    for (asc, ascq) in [
        (0x00, 0x08),
        (0x04, 0x0F),
        (0x0F, 0x00),
        (0x3C, 0x00),
        (0x4E, 0x01),
        (0x5D, 0x04),
        (0x75, 0x00),
        (0x7F, 0x7F),
    ] {
        assert_eq!(describe(asc, ascq), None, "{asc:02X}h/{ascq:02X}h");
        assert_eq!(lookup(asc, ascq), Assignment::Reserved);
    }
}

#[test]
fn every_pair_classifies_consistently() {
    for asc in 0..=u8::MAX {
        for ascq in 0..=u8::MAX {
            let assignment = lookup(asc, ascq);
            assert_eq!(
                describe(asc, ascq).is_none(),
                assignment == Assignment::Reserved
            );
            if asc >= 0x80 {
                assert_eq!(assignment, Assignment::VendorSpecific { asc, ascq });
            }
            if assignment == Assignment::Reserved {
                assert!(asc < 0x80 && ascq < 0x80);
            }
        }
    }
}

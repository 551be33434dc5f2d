//! Differential test: the `cdb` INQUIRY, VPD and LUN decoders against sg3_utils 1.46
//! (`sg_inq`, `sg_vpd`, `sg_luns`), an independent implementation.
//!
//! Inputs are the real QEMU 7.2 responses in `cdb/tests/fixtures/qemu-7.2/` and a
//! deterministic synthetic corpus (also kept, for review, in
//! `tests/data/decoders/corpus.txt`): standard INQUIRY data, VPD pages 83h (every
//! designator type and association), 86h, B0h, B1h and B2h, and 8-byte LUNs of every
//! address method. Each input goes through the sg3_utils tool (whose text output is parsed)
//! and through our decoder (as the JSON value of its typed result), and every field both
//! sides show is compared. Disagreements are allowed only where listed in [`KNOWN`] (with
//! the reason, see `docs/decoder-differences.md`) or in [`KNOWN_OUR_BUGS`]; every entry of
//! both lists must still occur, so a fix makes the test fail until its entry is removed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cdb::scsi::spc::buffer::{BufferDescriptor, MicrocodeStatus};
use cdb::scsi::spc::inquiry::StandardInquiry;
use cdb::scsi::spc::log_sense::LogPage;
use cdb::scsi::spc::report_luns::{linux_to_lun, Lun, LunAddress};
use cdb::scsi::spc::vpd::VpdPage;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

const SG_INQ: &str = "/usr/bin/sg_inq";
const SG_VPD: &str = "/usr/bin/sg_vpd";
const SG_LUNS: &str = "/usr/bin/sg_luns";
const SG_READ_BUFFER: &str = "/usr/bin/sg_read_buffer";
const SG_LOGS: &str = "/usr/bin/sg_logs";
const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../cdb/tests/fixtures/qemu-7.2"
);
const CORPUS_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/decoders/corpus.txt");
/// Set to rewrite the corpus file from the generator.
const UPDATE_ENV: &str = "DECODER_CORPUS_UPDATE";

/// Differences where sg3_utils is wrong or shows something else than the standard field
/// (field key, reason). Each must still occur. Explained in `docs/decoder-differences.md`.
const KNOWN: &[(&str, &str)] = &[
    (
        "inquiry.version_descriptors_beyond_additional_length",
        "sg_inq decodes version descriptors from bytes past ADDITIONAL LENGTH + 5; SPC-5 \
         6.7.2: the INQUIRY data ends there, so we ignore what follows",
    ),
    (
        "vpd83.flagged_t10_vendor_id_length",
        "SPC-5 7.7.6.3: T10 VENDOR IDENTIFICATION is 8 bytes; a shorter designator is \
         malformed (ours), sg_vpd prints what is there",
    ),
    (
        "vpd83.flagged_md5_length",
        "SPC-5 7.7.6.8: the MD5 LOGICAL UNIT IDENTIFIER is 16 bytes; a shorter one is \
         malformed (ours), sg_vpd dumps it as if valid",
    ),
    (
        "vpd83.flagged_uuid_type",
        "SPC-5 7.7.6.12: UUID TYPE other than 1h is reserved; we show the UUID TYPE and the \
         16 bytes, sg_vpd refuses the designator",
    ),
    (
        "rbdesc.alignment_2_31_and_up",
        "SPC-5 6.16.5: OFFSET BOUNDARY n means 2^n bytes; sg_read_buffer computes 1 << n in a \
         signed 32-bit int, so n = 31 prints a negative number and n >= 32 wraps",
    ),
    (
        "rbdesc.alignment_ff",
        "SPC-5 6.16.5: OFFSET BOUNDARY FFh means only BUFFER OFFSET 0 is supported; \
         sg_read_buffer prints it as 1 << 255 (-2147483648-byte)",
    ),
    (
        "vpdb2.lbprz",
        "SBC-4 6.6.6: LBPRZ xx1b all mean 'read as zeros'; we report the meaning (code 1), \
         sg_vpd the raw 3-bit field (3, 5 or 7)",
    ),
    (
        "inquiry.version_descriptor_after_zero",
        "sg_inq stops at the first all-zero VERSION DESCRIPTOR; SPC-5 6.7.2 does not end the \
         list there, so we list later non-zero descriptors too",
    ),
    (
        "vpd83.binary_vendor_specific_as_text",
        "sg_vpd prints a vendor specific designator with code set 1h (binary) as text when its \
         first byte is printable; SPC-5 7.7.6.1: code set 1h is binary, we keep the bytes",
    ),
];

/// Disagreements where our decoder is wrong (field key, what is wrong). Each must still
/// occur: once the library is fixed, the entry is stale and the test fails until it is
/// removed, which is how the fix is verified.
const KNOWN_OUR_BUGS: &[(&str, &str)] = &[];

/// Field keys that must be compared at least once (a guard against parsers that silently
/// stop matching sg3_utils' text).
const MUST_COMPARE: &[&str] = &[
    "inquiry.PQual",
    "inquiry.PDT",
    "inquiry.version",
    "inquiry.3PC",
    "inquiry.Clocking",
    "inquiry.t10_vendor_identification",
    "inquiry.version_descriptor_code",
    "vpd00.pages",
    "vpd80.serial",
    "vpd83.association",
    "vpd83.designator_type",
    "vpd83.code_set",
    "vpd83.transport_shown",
    "vpd83.value",
    "vpd83.ieee_company_id",
    "vpd83.identifier_extension",
    "vpd83.directory_id",
    "vpd83.vendor_specific_identifier_a",
    "vpd83.vendor_specific_identifier_b",
    "vpd83.vendor_specific_identifier",
    "vpd83.vendor_specific_identifier_extension",
    "vpd83.vendor_specific_extension_identifier",
    "vpd86.activate_microcode",
    "vpd86.spt",
    "vpd86.multi_it_nexus_microcode_download",
    "vpd86.maximum_mode_page_change_logs",
    "vpd86.dm_md_f",
    "vpdb0.wsnz",
    "vpdb0.maximum_write_same_length",
    "vpdb0.unmap_granularity_alignment",
    "vpdb0.maximum_atomic_boundary_size",
    "vpdb1.medium_rotation_rate",
    "vpdb1.wabereq",
    "vpdb1.zoned",
    "vpdb1.depopulation_time",
    "vpdb2.lbpws10",
    "vpdb2.provisioning_type",
    "vpdb2.threshold_percentage",
    "vpdb2.descriptor_value",
    "lun.levels",
    "lun.linux_to_t10",
    "rbdesc.offset_boundary",
    "rbdesc.buffer_capacity",
    "rbdesc.alignment",
    "rbmc.download_microcode_status_known",
    "rbmc.download_microcode_maximum_size_(bytes)",
    "log0d.temperature",
    "log0d.reference_temperature",
    "log00.pages",
];

// ---------------------------------------------------------------- corpus generator

use scsitool_tests::Rng;

/// Version descriptor codes: some standard ones (SPC-5 table 36) and unassigned ones.
const VERSION_CODES: &[u16] = &[
    0x0000, 0x00C0, 0x0460, 0x04C0, 0x0500, 0x0600, 0x1EA0, 0x1740, 0x1E60, 0x1F00, 0xFFC0, 0x6004,
    0x0301, 0xABCD,
];

/// Standard INQUIRY data (SPC-5 6.7.2) with random flags; 36 or 96 bytes.
fn standard_inquiry(r: &mut Rng) -> Vec<u8> {
    let long = r.coin();
    let mut b = vec![0u8; if long { 96 } else { 36 }];
    b[0] = (r.pick(&[0u8, 1, 3]) << 5) | r.pick(&[0u8, 1, 5, 7, 0x0c, 0x0d, 0x14, 0x1f]);
    b[1] = r.byte() & 0xC0;
    b[2] = r.pick(&[0u8, 3, 4, 5, 6, 7]);
    b[3] = (r.byte() & 0x30) | 2;
    b[4] = (b.len() - 5) as u8;
    b[5] = r.byte() & 0xFB;
    b[6] = r.byte() & 0x50;
    b[7] = r.byte() & 0x12;
    b[8..16].copy_from_slice(&r.text(8));
    b[16..32].copy_from_slice(&r.text(16));
    b[32..36].copy_from_slice(&r.text(4));
    if long {
        b[56] = r.byte() & 0x0F;
        for i in 0..(r.below(9) as usize) {
            let code = r.pick(VERSION_CODES);
            b[58 + 2 * i..60 + 2 * i].copy_from_slice(&code.to_be_bytes());
        }
    }
    b
}

/// A VPD page with `body` (SPC-5 7.7.1): PQ 0, a block device.
fn vpd(page: u8, body: &[u8]) -> Vec<u8> {
    let mut b = vec![0, page];
    b.extend_from_slice(&(body.len() as u16).to_be_bytes());
    b.extend_from_slice(body);
    b
}

/// One designation descriptor (SPC-5 7.7.6.1) of `kind` with random contents and a
/// random association the type allows.
fn designator(r: &mut Rng, kind: u8) -> Vec<u8> {
    let (code_set, body, assocs): (u8, Vec<u8>, &[u8]) = match kind {
        0x0 => {
            if r.coin() {
                let n = 1 + r.below(12) as usize;
                (2, r.text(n), &[0, 1, 2])
            } else {
                let n = 1 + r.below(20) as usize;
                (1, r.bytes(n), &[0, 1, 2])
            }
        }
        0x1 => {
            let n = 1 + r.below(16) as usize;
            let mut v = r.text(8);
            // A short vendor name padded with spaces, as real devices have.
            if r.coin() {
                v[3..].fill(b' ');
            }
            v.extend(r.text(n));
            (2, v, &[0, 1, 2])
        }
        0x2 => {
            let n = r.pick(&[8usize, 12, 16]);
            (1, r.bytes(n), &[0, 1, 2])
        }
        0x3 => {
            let naa = r.pick(&[2u8, 3, 5, 6]);
            let mut v = r.bytes(if naa == 6 { 16 } else { 8 });
            v[0] = (naa << 4) | (v[0] & 0x0F);
            (1, v, &[0, 1, 2])
        }
        0x4..=0x6 => {
            let id = (1 + r.below(0xFFFE)) as u16;
            let mut v = vec![0, 0];
            v.extend_from_slice(&id.to_be_bytes());
            let a: &[u8] = if kind == 6 { &[0] } else { &[1] };
            (1, v, a)
        }
        0x7 => (1, r.bytes(16), &[0]),
        0x8 => {
            let prefix = r.pick(&["iqn.", "naa.", "eui."]);
            let mut v = prefix.as_bytes().to_vec();
            let n = 4 + r.below(20) as usize;
            v.extend((0..n).map(|_| b'a' + r.below(26) as u8));
            v.push(0);
            while v.len() % 4 != 0 {
                v.push(0);
            }
            (3, v, &[0, 1, 2])
        }
        0xA => {
            let mut v = vec![0x10, 0];
            v.extend(r.bytes(16));
            (1, v, &[0, 1, 2])
        }
        _ => unreachable!("designator kind {kind:#x}"),
    };
    let assoc = r.pick(assocs);
    // PIV set with a logical unit association too: SPC-5 7.7.6.1 then ignores it.
    let piv = r.coin();
    let proto = if piv {
        r.pick(&[0u8, 1, 4, 5, 6, 9])
    } else {
        0
    };
    let mut d = vec![
        (proto << 4) | code_set,
        (u8::from(piv) << 7) | (assoc << 4) | kind,
        0,
        body.len() as u8,
    ];
    d.extend(body);
    d
}

/// Designators with unusual or wrong lengths and codes (SPC-5 7.7.6): EUI-64 of 10 bytes,
/// NAA 5h of 16 bytes, reserved NAA 1h and 7h, a 2-byte relative target port, UUID TYPE
/// 0h, a SCSI name string without NUL, USB and PCI Express protocol specific port
/// identifiers, reserved type Bh, a 5-byte T10 vendor ID, an 8-byte MD5 identifier, a
/// binary vendor specific designator starting with a printable byte.
#[rustfmt::skip]
const EDGE_DESIGNATORS: &[&[u8]] = &[
    &[0x01, 0x02, 0, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    &[0x01, 0x03, 0, 16, 0x51, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14],
    &[0x01, 0x03, 0, 8, 0x11, 0, 1, 2, 3, 4, 5, 6],
    &[0x01, 0x03, 0, 8, 0x71, 0, 1, 2, 3, 4, 5, 6],
    &[0x01, 0x14, 0, 2, 0, 5],
    &[0x01, 0x0A, 0, 18, 0x00, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
    &[0x03, 0x08, 0, 20, b'n', b'a', b'a', b'.', b'5', b'0', b'0', b'0', b'c', b'5', b'0',
      b'0', b'1', b'2', b'3', b'4', b'5', b'6', b'7', b'8'],
    &[0x91, 0x99, 0, 4, 0x05, 0, 0x02, 0],
    &[0xA1, 0x99, 0, 4, 0x12, 0x34, 0, 0],
    &[0x01, 0x0B, 0, 4, 1, 2, 3, 4],
    &[0x02, 0x01, 0, 5, b'S', b'H', b'O', b'R', b'T'],
    &[0x01, 0x07, 0, 8, 0, 1, 2, 3, 4, 5, 6, 7],
    &[0x01, 0x00, 0, 6, b'b', 0x53, 0x0C, 0x73, 0xE9, 0x62],
];

/// VPD page codes for the Supported VPD Pages lists: standard ones and unknown ones.
const VPD_PAGES: &[u8] = &[
    0x00, 0x80, 0x83, 0x86, 0x87, 0x89, 0x8A, 0xB0, 0xB1, 0xB2, 0xB3, 0xC0, 0xD5, 0xFE,
];

/// The designator types covered (SPC-5 table 658; 9h is transport specific and left out).
const DESIGNATOR_KINDS: &[u8] = &[0x0, 0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7, 0x8, 0xA];

/// The synthetic corpus: (name, bytes), deterministic.
fn corpus() -> Vec<(String, Vec<u8>)> {
    let mut r = Rng(0xDEC0_DE25_5C51_0001);
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..40 {
        out.push((format!("inq-{i:02}"), standard_inquiry(&mut r)));
    }
    // Short transfers (ADDITIONAL LENGTH still announcing the whole data) and data longer
    // than ADDITIONAL LENGTH announces (SPC-5 6.7.2).
    for (i, len) in [5usize, 8, 12, 20, 31, 35, 40, 57, 60, 66]
        .into_iter()
        .enumerate()
    {
        let mut b = standard_inquiry(&mut r);
        b.resize(96, 0);
        b[4] = 91;
        b.truncate(len);
        out.push((format!("inq-short{i}"), b));
    }
    for i in 0..4 {
        let mut b = standard_inquiry(&mut r);
        b.resize(96, 0x41);
        b[4] = r.pick(&[31u8, 40, 55]);
        out.push((format!("inq-al{i}"), b));
    }
    // VPD 00h: sorted page lists from the standard pages and unknown ones.
    for i in 0..6 {
        let mut pages: Vec<u8> = (0..(1 + r.below(10))).map(|_| r.pick(VPD_PAGES)).collect();
        pages.sort_unstable();
        pages.dedup();
        out.push((format!("vpd00-{i:02}"), vpd(0x00, &pages)));
    }
    // VPD 83h: first each type alone, then random mixes.
    for (i, &kind) in DESIGNATOR_KINDS.iter().cycle().take(30).enumerate() {
        out.push((
            format!("vpd83-{i:02}"),
            vpd(0x83, &designator(&mut r, kind)),
        ));
    }
    for i in 30..60 {
        let mut body = Vec::new();
        for _ in 0..(2 + r.below(5)) {
            let kind = r.pick(DESIGNATOR_KINDS);
            body.extend(designator(&mut r, kind));
        }
        out.push((format!("vpd83-{i:02}"), vpd(0x83, &body)));
    }
    for (i, d) in EDGE_DESIGNATORS.iter().enumerate() {
        out.push((format!("vpd83-edge{i:02}"), vpd(0x83, d)));
    }
    for i in 0..30 {
        let mut body = r.bytes(0x3C);
        body[16..].fill(0);
        out.push((format!("vpd86-{i:02}"), vpd(0x86, &body)));
    }
    for i in 0..30 {
        let mut body = vec![0u8; 0x3C];
        for (at, len) in [(0, 1), (1, 1), (2, 2), (4, 4), (8, 4), (12, 4), (16, 4)] {
            let v = r.bytes(len);
            // Half the values zero, so "not reported" wording is covered too.
            if r.coin() {
                body[at..at + len].copy_from_slice(&v);
            }
        }
        for at in [20, 24, 28, 32, 36, 48, 52, 56] {
            if r.coin() {
                body[at..at + 4].copy_from_slice(&r.bytes(4));
            }
        }
        if r.coin() {
            body[40..48].copy_from_slice(&r.bytes(8));
        }
        body[0] &= 0x01;
        out.push((format!("vpdb0-{i:02}"), vpd(0xB0, &body)));
    }
    // Older, shorter Block Limits pages (SBC-2: page length 0Ch; SBC-3 r?: 10h).
    for (i, len) in [0x0Cusize, 0x10, 0x0C, 0x10].into_iter().enumerate() {
        let body = r
            .bytes(len)
            .into_iter()
            .enumerate()
            .map(|(j, b)| if j == 0 { b & 1 } else { b })
            .collect::<Vec<_>>();
        out.push((format!("vpdb0-short{i}"), vpd(0xB0, &body)));
    }
    for i in 0..30 {
        let mut body = vec![0u8; 0x3C];
        let rate = r.pick(&[
            0u16, 1, 2, 0x400, 0x401, 5400, 7200, 10000, 15000, 0xFFFE, 0xFFFF,
        ]);
        body[0..2].copy_from_slice(&rate.to_be_bytes());
        body[2] = r.pick(&[0u8, 1, 2, 3, 4, 5, 6, 7, 8, 0xF0]);
        body[3] = r.byte() & 0xF7;
        body[4] = r.byte() & 0x07;
        if r.coin() {
            body[8..12].copy_from_slice(&r.bytes(4));
        }
        out.push((format!("vpdb1-{i:02}"), vpd(0xB1, &body)));
    }
    for i in 0..30 {
        let mut body = r.bytes(4);
        body[1] &= 0xFE; // DP clear: no provisioning group descriptor
        body[2] &= 0xFB;
        // A third with DP set and a provisioning group descriptor (SBC-4 6.6.6).
        if i % 3 == 0 {
            body[1] |= 1;
            let kind = r.pick(&[0x1u8, 0x2, 0x3, 0x8]);
            let mut d = designator(&mut r, kind);
            d[1] &= 0x0F; // association: logical unit
            body.extend(d);
        }
        out.push((format!("vpdb2-{i:02}"), vpd(0xB2, &body)));
    }
    // READ BUFFER descriptor (SPC-5 6.16.5): every OFFSET BOUNDARY code.
    for code in 0..=255u8 {
        let mut b = vec![code];
        b.extend(r.bytes(3));
        out.push((format!("rbdesc-{code:02x}"), b));
    }
    // READ BUFFER microcode status (SPC-5 6.16.8): listed and random status codes.
    for i in 0..24 {
        let mut b = r.bytes(32);
        b[0] = r.pick(&[0u8, 1, 2, 3, 0x12]);
        b[1] = r.pick(&[0u8, 1, 2, 3, 0x40]);
        b[2] = r.pick(&[0u8, 0x01, 0x10, 0x13, 0x22, 0x35, 0x80, 0x95, 0x77]);
        out.push((format!("rbmc-{i:02}"), b));
    }
    // Temperature log page (SPC-5 7.3.21): both parameters, values incl. FFh.
    for i in 0..12 {
        let mut b = vec![0x0D, 0, 0, 12];
        for (code, value) in [(0u8, r.pick(&[0u8, 25, 40, 99, 0xFE, 0xFF])), (1, r.byte())] {
            b.extend([0, code, 0x03, 2, 0, value]);
        }
        out.push((format!("log0d-{i:02}"), b));
    }
    // Supported Log Pages (SPC-5 7.3.18): sorted random page codes.
    for i in 0..8 {
        let mut pages: Vec<u8> = (0..(1 + r.below(12))).map(|_| r.byte() & 0x3F).collect();
        pages.sort_unstable();
        pages.dedup();
        let mut b = vec![0, 0, 0, pages.len() as u8];
        b.extend(pages);
        out.push((format!("log00-{i:02}"), b));
    }
    out
}

/// LUNs of every address method, one to four levels (SAM-5 4.7).
fn luns() -> Vec<(String, [u8; 8])> {
    let mut r = Rng(0x1A2B_3C4D_0000_00FF);
    let mut out = Vec::new();
    let level = |r: &mut Rng, last: bool| -> Vec<u8> {
        match r.below(if last { 5 } else { 1 }) {
            0 if !last => vec![1 + (r.byte() & 0x3E), r.byte()],
            0 => vec![0, r.byte()],
            1 => vec![0x40 | (r.byte() & 0x3F), r.byte()],
            2 => vec![0x80 | (r.byte() & 0x3F), r.byte()],
            3 => vec![0, r.byte()],
            _ => vec![0, 0],
        }
    };
    for i in 0..100 {
        let mut b: Vec<u8> = match i % 10 {
            0 => vec![0xC1, r.pick(&[0u8, 1, 2, 3, 4, 5, 6, 7, 0x80, 0xFF])],
            1 => {
                let mut v = vec![0xD2];
                v.extend(r.bytes(3));
                v
            }
            2 => {
                let mut v = vec![0xE2];
                v.extend(r.bytes(5));
                v
            }
            3 if i == 3 => vec![0xFF; 8],
            3 => {
                // Any extended address (reserved LENGTH / method combinations included).
                let mut v = vec![0xC0 | (r.byte() & 0x3F)];
                v.extend(r.bytes(7));
                v
            }
            _ => {
                let levels = 1 + (i % 4);
                let mut v = Vec::new();
                for l in 0..levels {
                    v.extend(level(&mut r, l + 1 == levels));
                }
                v
            }
        };
        b.resize(8, 0);
        out.push((format!("lun-{i:02}"), b.try_into().unwrap()));
    }
    out
}

fn hex(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn corpus_text() -> String {
    let mut s = String::from(
        "# Buffers for tests/tests/decoders_vs_sg3_utils.rs (generated; do not edit).\n",
    );
    for (name, b) in corpus() {
        s.push_str(&format!("{name} {}\n", hex(&b)));
    }
    for (name, b) in luns() {
        s.push_str(&format!("{name} {}\n", hex(&b)));
    }
    s
}

// ---------------------------------------------------------------- running the tools

/// Runs `tool` (which must exist: a missing tool fails the test) and returns stdout.
fn run(tool: &str, args: &[&str]) -> String {
    assert!(
        Path::new(tool).exists(),
        "{tool} is missing: install sg3-utils 1.46"
    );
    let out = Command::new(tool).args(args).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Writes `bytes` to a fresh temporary file for `--inhex`.
fn temp_file(bytes: &[u8]) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let p = std::env::temp_dir().join(format!("sgdiff-{}-{n}.bin", std::process::id()));
    std::fs::write(&p, bytes).unwrap();
    p
}

fn sg_text(tool: &str, bytes: &[u8]) -> String {
    let p = temp_file(bytes);
    let arg = format!("--inhex={}", p.display());
    let mut args = vec![arg.as_str(), "--raw"];
    if tool == SG_INQ {
        // sg_inq would guess a VPD page from byte 1 otherwise.
        args.extend(["--page=sinq", "--descriptors"]);
    }
    let text = run(tool, &args);
    std::fs::remove_file(&p).unwrap();
    text
}

// ---------------------------------------------------------------- comparison helpers

/// The disagreements found (field key -> example cases) and how often each key was
/// compared.
#[derive(Default)]
struct Diffs(BTreeMap<String, Vec<String>>, BTreeMap<String, usize>);

impl Diffs {
    fn check(&mut self, case: &str, key: &str, ours: impl ToString, theirs: impl ToString) {
        let (o, t) = (ours.to_string(), theirs.to_string());
        *self.1.entry(key.to_string()).or_default() += 1;
        if o != t {
            self.0
                .entry(key.to_string())
                .or_default()
                .push(format!("{case}: ours={o:?} sg3_utils={t:?}"));
        }
    }
}

/// A number or `{code, name}` at `ptr` in our JSON, as u64.
fn num(v: &Value, ptr: &str) -> u64 {
    let x = v.pointer(ptr).unwrap_or_else(|| panic!("no {ptr} in {v}"));
    match x {
        Value::Bool(b) => u64::from(*b),
        Value::Null => 0,
        Value::Object(_) => x["code"].as_u64().unwrap(),
        // 64-bit identifiers are hex strings (cdb/src/json.rs).
        Value::String(h) => u64::from_str_radix(h, 16).unwrap_or_else(|_| panic!("{ptr} = {x}")),
        _ => x.as_u64().unwrap_or_else(|| panic!("{ptr} = {x}")),
    }
}

/// Parses a number as sg3_utils prints it (decimal or 0x hex), the first word of `s`.
fn sg_num(s: &str) -> u64 {
    let w = s.split_whitespace().next().unwrap_or("");
    let w = w.trim_end_matches(',');
    match w.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).unwrap(),
        None => w.parse().unwrap_or_else(|_| panic!("not a number: {s:?}")),
    }
}

/// `KEY=value` tokens in sg3_utils' text (brackets dropped); a line whose key has spaces
/// (`Maximum inquiry change logs=5`) is one token.
fn tokens(text: &str) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.matches('=').count() == 1 && line.split('=').next().unwrap().contains(' ') {
            let (k, v) = line.split_once('=').unwrap();
            if !k.contains(": ") {
                m.insert(k.to_string(), v.to_string());
                continue;
            }
        }
        for tok in line.split_whitespace() {
            let tok = tok.trim_matches(|c| c == '[' || c == ']' || c == ':');
            if let Some((k, v)) = tok.split_once('=') {
                m.insert(k.to_string(), v.to_string());
            }
        }
    }
    m
}

/// `Label: value` lines of sg3_utils' text, by label.
fn labelled(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.trim().split_once(": "))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

// ---------------------------------------------------------------- standard INQUIRY

fn compare_inquiry(case: &str, bytes: &[u8], d: &mut Diffs) {
    let ours = serde_json::to_value(StandardInquiry::decode(bytes).unwrap()).unwrap();
    let text = sg_text(SG_INQ, bytes);
    let t = tokens(&text);
    for (sg, ptr) in [
        ("PQual", "/peripheral_qualifier"),
        ("PDT", "/peripheral_device_type"),
        ("RMB", "/rmb"),
        ("LU_CONG", "/lu_cong"),
        ("NormACA", "/normaca"),
        ("HiSUP", "/hisup"),
        ("Resp_data_format", "/response_data_format"),
        ("SCCS", "/sccs"),
        ("ACC", "/acc"),
        ("TPGS", "/tpgs"),
        ("3PC", "/3pc"),
        ("Addr16", "/addr16"),
        ("WBus16", "/wbus16"),
        ("Protect", "/protect"),
        ("EncServ", "/encserv"),
        ("MultiP", "/multip"),
        ("Sync", "/sync"),
        ("CmdQue", "/cmdque"),
        ("version", "/version"),
    ] {
        let theirs = t
            .get(sg)
            .unwrap_or_else(|| panic!("{case}: no {sg} in {text}"));
        d.check(
            case,
            &format!("inquiry.{sg}"),
            num(&ours, ptr),
            sg_num(theirs),
        );
    }
    if let Some(spi) = ours.get("spi").filter(|s| !s.is_null()) {
        for (sg, key) in [("Clocking", "/clocking"), ("QAS", "/qas"), ("IUS", "/ius")] {
            d.check(
                case,
                &format!("inquiry.{sg}"),
                num(spi, key),
                sg_num(&t[sg]),
            );
        }
    }
    let l = labelled(&text);
    for (sg, key) in [
        ("Vendor identification", "t10_vendor_identification"),
        ("Product identification", "product_identification"),
        ("Product revision level", "product_revision_level"),
    ] {
        let theirs = l.get(sg).map_or("", |s| s.trim_end());
        let theirs = if theirs == "<none>" { "" } else { theirs };
        d.check(
            case,
            &format!("inquiry.{key}"),
            ours[key].as_str().unwrap().trim_end(),
            theirs,
        );
    }
    // Version descriptors: sg_inq names the ones it knows and shows the others' codes.
    let listed: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.contains("Version descriptors:"))
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("No version descriptors"))
        .collect();
    let descs = ours["version_descriptors"].as_array().unwrap();
    // sg_inq stops at the first zero descriptor (bytes 58–73), we skip it and go on.
    let raw: Vec<u16> = bytes
        .get(58..bytes.len().min(74))
        .unwrap_or_default()
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    let before_zero = raw.iter().take_while(|&&c| c != 0).count();
    if raw[before_zero..].iter().any(|&c| c != 0) && descs.len() > before_zero {
        d.check(
            case,
            "inquiry.version_descriptor_after_zero",
            "listed",
            "not listed",
        );
    } else {
        // sg_inq reads descriptors up to the end of the data it is given, past ADDITIONAL
        // LENGTH; we stop there (SPC-5 6.7.2: the data is ADDITIONAL LENGTH + 5 bytes).
        let key = if bytes.len() > usize::from(bytes[4]) + 5 {
            "inquiry.version_descriptors_beyond_additional_length"
        } else {
            "inquiry.version_descriptor_count"
        };
        d.check(case, key, descs.len(), listed.len());
    }
    for (v, line) in descs.iter().zip(&listed) {
        let unknown_to_them = line.contains("unrecognised version descriptor code");
        if unknown_to_them {
            let code = sg_num(line.rsplit(' ').next().unwrap().trim_end_matches(']'));
            d.check(
                case,
                "inquiry.version_descriptor_code",
                v["code"].as_u64().unwrap(),
                code,
            );
        }
        d.check(
            case,
            "inquiry.version_descriptor_known",
            !v["standard"].is_null(),
            !unknown_to_them,
        );
    }
}

// ---------------------------------------------------------------- VPD pages

fn decode_vpd(case: &str, bytes: &[u8]) -> Value {
    let page = VpdPage::decode(bytes).unwrap_or_else(|e| panic!("{case}: {e}"));
    serde_json::to_value(page).unwrap()
}

fn compare_vpd(case: &str, bytes: &[u8], d: &mut Diffs) {
    let ours = decode_vpd(case, bytes);
    let text = sg_text(SG_VPD, bytes);
    match bytes[1] {
        0x00 => compare_supported(case, &ours, &text, d),
        0x80 => {
            let theirs = labelled(&text)["Unit serial number"].clone();
            d.check(
                case,
                "vpd80.serial",
                ours["product_serial_number"].as_str().unwrap(),
                theirs,
            );
        }
        0x83 => compare_designators(case, bytes, &ours, &text, d),
        0x86 => compare_flags(case, "vpd86", &ours, &text, d),
        0xB0 => compare_block_limits(case, &ours, &text, d),
        0xB1 => compare_block_characteristics(case, &ours, &text, d),
        0xB2 => compare_provisioning(case, &ours, &text, d),
        p => panic!("{case}: no comparison for page {p:#x}"),
    }
}

/// sg_vpd's page names by code (the short names in brackets).
fn compare_supported(case: &str, ours: &Value, text: &str, d: &mut Diffs) {
    let abbrev: BTreeMap<&str, u64> = [
        ("sv", 0x00),
        ("sn", 0x80),
        ("di", 0x83),
        ("ei", 0x86),
        ("ai", 0x89),
        ("bl", 0xB0),
        ("bdc", 0xB1),
        ("lbpv", 0xB2),
        ("mpp", 0x87),
        ("pc", 0x8A),
        ("ref", 0xB3),
    ]
    .into_iter()
    .collect();
    let theirs: Vec<u64> = text
        .lines()
        .skip(1)
        .map(|l| {
            let l = l.trim();
            if l.starts_with("0x") {
                return sg_num(l);
            }
            let a = l.rsplit('[').next().unwrap().trim_end_matches(']');
            *abbrev
                .get(a)
                .unwrap_or_else(|| panic!("{case}: page {l:?}"))
        })
        .collect();
    let ours: Vec<u64> = ours["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["page_code"].as_u64().unwrap())
        .collect();
    d.check(
        case,
        "vpd00.pages",
        format!("{ours:?}"),
        format!("{theirs:?}"),
    );
}

/// Every `KEY=value` sg_vpd prints for a page: our field of the same name (lower case).
fn compare_flags(case: &str, page: &str, ours: &Value, text: &str, d: &mut Diffs) {
    for (k, v) in tokens(text) {
        let key = match k.as_str() {
            "Multi I_T nexus microcode download" => "multi_it_nexus_microcode_download".into(),
            "Extended self-test completion minutes" => {
                "extended_self_test_completion_minutes".into()
            }
            "Maximum supported sense data length" => "maximum_supported_sense_data_length".into(),
            "Maximum inquiry change logs" => "maximum_inquiry_change_logs".into(),
            "Maximum mode page change logs" => "maximum_mode_page_change_logs".into(),
            "DEPOPULATION_TIME" => "depopulation_time".into(),
            _ => k.to_lowercase(),
        };
        if ours.get(&key).is_none() {
            d.check(case, &format!("{page}.{key}"), "(not decoded)", &v);
            continue;
        }
        d.check(
            case,
            &format!("{page}.{key}"),
            num(ours, &format!("/{key}")),
            sg_num(&v),
        );
    }
}

fn compare_block_limits(case: &str, ours: &Value, text: &str, d: &mut Diffs) {
    let l = labelled(text);
    for (sg, key) in [
        ("Write same non-zero (WSNZ)", "wsnz"),
        (
            "Maximum compare and write length",
            "maximum_compare_and_write_length",
        ),
        (
            "Optimal transfer length granularity",
            "optimal_transfer_length_granularity",
        ),
        ("Maximum transfer length", "maximum_transfer_length"),
        ("Optimal transfer length", "optimal_transfer_length"),
        (
            "Maximum prefetch transfer length",
            "maximum_prefetch_length",
        ),
        ("Maximum unmap LBA count", "maximum_unmap_lba_count"),
        (
            "Maximum unmap block descriptor count",
            "maximum_unmap_block_descriptor_count",
        ),
        ("Optimal unmap granularity", "optimal_unmap_granularity"),
        ("Maximum write same length", "maximum_write_same_length"),
        (
            "Maximum atomic transfer length",
            "maximum_atomic_transfer_length",
        ),
        ("Atomic alignment", "atomic_alignment"),
        (
            "Atomic transfer length granularity",
            "atomic_transfer_length_granularity",
        ),
        (
            "Maximum atomic transfer length with atomic boundary",
            "maximum_atomic_transfer_length_with_atomic_boundary",
        ),
        (
            "Maximum atomic boundary size",
            "maximum_atomic_boundary_size",
        ),
    ] {
        // A short (older) page: sg_vpd leaves out the fields past its end, we read them
        // as zero, "not reported".
        let mine = num(ours, &format!("/{key}"));
        let (mine, theirs) = match l.get(sg) {
            Some(v) => (mine.to_string(), sg_num(v).to_string()),
            None if mine == 0 => continue,
            None => (mine.to_string(), "(absent)".to_string()),
        };
        d.check(case, &format!("vpdb0.{key}"), mine, theirs);
    }
    // UNMAP GRANULARITY ALIGNMENT means something only with UGAVALID set (SBC-4 6.6.4):
    // we leave it out otherwise, sg_vpd prints it marked "[invalid]".
    let Some(valid) = l.get("Unmap granularity alignment valid") else {
        return;
    };
    let valid = valid.trim() == "true";
    let alignment = &ours["unmap_granularity_alignment"];
    d.check(case, "vpdb0.ugavalid", !alignment.is_null(), valid);
    if valid {
        let theirs = sg_num(&l["Unmap granularity alignment"]);
        d.check(case, "vpdb0.unmap_granularity_alignment", alignment, theirs);
    }
}

fn compare_block_characteristics(case: &str, ours: &Value, text: &str, d: &mut Diffs) {
    let rate = &ours["medium_rotation_rate"];
    let theirs = if text.contains("Medium rotation rate is not reported") {
        "not_reported".to_string()
    } else if text.contains("Non-rotating medium") {
        "non_rotating".to_string()
    } else if let Some(v) = labelled(text).get("Nominal rotation rate") {
        format!("rpm {}", sg_num(v))
    } else {
        "other".to_string()
    };
    let kind = rate["kind"].as_str().unwrap();
    let ours_rate = match kind {
        "rpm" => format!("rpm {}", rate["rpm"]),
        "reserved" => "other".to_string(),
        k => k.to_string(),
    };
    d.check(case, "vpdb1.medium_rotation_rate", ours_rate, theirs);
    let form_reported = !text.contains("Nominal form factor not reported");
    d.check(
        case,
        "vpdb1.nominal_form_factor_reported",
        num(ours, "/nominal_form_factor") != 0,
        form_reported,
    );
    compare_flags(case, "vpdb1", ours, text, d);
}

fn compare_provisioning(case: &str, ours: &Value, text: &str, d: &mut Diffs) {
    let l = labelled(text);
    for (sg, key) in [
        ("Unmap command supported (LBPU)", "lbpu"),
        ("Write same (16) with unmap bit supported (LBPWS)", "lbpws"),
        (
            "Write same (10) with unmap bit supported (LBPWS10)",
            "lbpws10",
        ),
        ("Logical block provisioning read zeros (LBPRZ)", "lbprz"),
        ("Anchored LBAs supported (ANC_SUP)", "anc_sup"),
        ("Threshold exponent", "threshold_exponent"),
        ("Descriptor present (DP)", "dp"),
        ("Minimum percentage", "minimum_percentage"),
        ("Provisioning type", "provisioning_type"),
        ("Threshold percentage", "threshold_percentage"),
    ] {
        let theirs = l
            .get(sg)
            .unwrap_or_else(|| panic!("{case}: no {sg:?} in {text}"));
        d.check(
            case,
            &format!("vpdb2.{key}"),
            num(ours, &format!("/{key}")),
            sg_num(theirs),
        );
    }
    compare_provisioning_group(case, ours, text, d);
}

/// The provisioning group descriptor of page B2h (SBC-4 6.6.6), a designation descriptor.
fn compare_provisioning_group(case: &str, ours: &Value, text: &str, d: &mut Diffs) {
    let mine = &ours["provisioning_group_descriptor"];
    let theirs = text
        .split_once("Provisioning group descriptor:\n")
        .map(|(_, rest)| parse_designators(&format!("-\n{rest}"), false));
    d.check(
        case,
        "vpdb2.descriptor_present",
        !mine.is_null(),
        theirs.is_some(),
    );
    if let (false, Some(t)) = (mine.is_null(), theirs) {
        d.check(case, "vpdb2.descriptor_count", 1, t.len());
        if let Some(t) = t.first() {
            d.check(
                case,
                "vpdb2.descriptor_type",
                num(mine, "/designator_type"),
                t.kind,
            );
            d.check(
                case,
                "vpdb2.descriptor_code_set",
                num(mine, "/code_set"),
                t.code_set,
            );
            let theirs = sg_designator_value(t);
            d.check(
                case,
                "vpdb2.descriptor_value",
                designator_value(mine),
                theirs,
            );
        }
    }
}

/// One designator as sg_vpd prints it.
struct SgDesignator {
    association: u64,
    kind: u64,
    code_set: u64,
    transport: bool,
    lines: Vec<String>,
    /// Parsed from `sg_vpd --long` output.
    long: bool,
}

fn parse_designators(text: &str, long: bool) -> Vec<SgDesignator> {
    let mut out: Vec<SgDesignator> = Vec::new();
    let mut association = 0;
    for line in text.lines().skip(1) {
        let t = line.trim();
        if line.starts_with("  ") && !line.starts_with("   ") && t.ends_with(':') {
            association = match t {
                "Addressed logical unit:" => 0,
                "Target port:" => 1,
                "Target device that contains addressed lu:" => 2,
                _ => panic!("association {t:?}"),
            };
        } else if let Some(rest) = t.strip_prefix("designator type: ") {
            let (kind, cs) = rest.split_once(",  code set: ").unwrap();
            let kind = match kind {
                "vendor specific [0x0]" => 0,
                "T10 vendor identification" => 1,
                "EUI-64 based" => 2,
                "NAA" => 3,
                "Relative target port" => 4,
                "Target port group" => 5,
                "Logical unit group" => 6,
                "MD5 logical unit identifier" => 7,
                "SCSI name string" => 8,
                "Protocol specific port identifier" => 9,
                "UUID identifier" => 10,
                k => match k.strip_prefix("Reserved [") {
                    Some(h) => sg_num(h.trim_end_matches(']')),
                    None => panic!("designator type {k:?}"),
                },
            };
            let code_set = match cs {
                "Binary" => 1,
                "ASCII" => 2,
                "UTF-8" => 3,
                c => panic!("code set {c:?}"),
            };
            out.push(SgDesignator {
                association,
                kind,
                code_set,
                transport: false,
                lines: Vec::new(),
                long,
            });
        } else if t.starts_with("transport: ") {
            out.last_mut().unwrap().transport = true;
        } else if let Some(last) = out.last_mut() {
            last.lines.push(t.to_string());
        }
    }
    out
}

/// The bytes of sg3_utils' hex dump lines (`00 01 ...  ascii`).
fn dump_bytes(lines: &[String]) -> String {
    lines
        .iter()
        .flat_map(|l| {
            l.split_whitespace()
                .take(16)
                .take_while(|w| w.len() == 2 && w.chars().all(|c| c.is_ascii_hexdigit()))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Our designator's value in the form sg_vpd shows it by default.
fn designator_value(v: &Value) -> String {
    let d = &v["designator"];
    let hexbytes = |b: &Value| -> String {
        b.as_array()
            .unwrap()
            .iter()
            .map(|x| format!("{:02x}", x.as_u64().unwrap()))
            .collect()
    };
    match d["kind"].as_str().unwrap() {
        "vendor_specific" => match d["text"].as_str() {
            Some(t) => t.to_string(),
            None => hexbytes(&d["bytes"]),
        },
        "t10_vendor_id" => format!(
            "{}|{}",
            d["t10_vendor_identification"].as_str().unwrap(),
            d["vendor_specific_identifier"].as_str().unwrap()
        ),
        "eui64" => {
            let mut s = String::from("0x");
            if let Some(e) = d["identifier_extension"].as_str() {
                s.push_str(e);
            }
            s.push_str(&format!(
                "{:06x}{:010x}",
                d["ieee_company_id"].as_u64().unwrap(),
                d["vendor_specific_extension_identifier"].as_u64().unwrap()
            ));
            if let Some(e) = d["directory_id"].as_u64() {
                s.push_str(&format!("{e:08x}"));
            }
            s
        }
        "naa" => format!("0x{}", d["identifier"].as_str().unwrap().to_lowercase()),
        "relative_target_port" => format!(
            "{:#x}",
            d["relative_target_port_identifier"].as_u64().unwrap()
        ),
        "target_port_group" => format!("{:#x}", d["target_port_group"].as_u64().unwrap()),
        "logical_unit_group" => format!("{:#x}", d["logical_unit_group"].as_u64().unwrap()),
        "md5_logical_unit_identifier" => d["md5"].as_str().unwrap().to_lowercase(),
        "scsi_name_string" => d["scsi_name_string"].as_str().unwrap().to_string(),
        "uuid" => d["uuid"].as_str().unwrap().to_lowercase(),
        "protocol_specific_port_identifier" => {
            let p = &d["port"];
            match p["protocol"].as_str().unwrap() {
                "usb" => format!(
                    "{:#x}|{:#x}",
                    p["device_address"].as_u64().unwrap(),
                    p["interface_number"].as_u64().unwrap()
                ),
                "pci_express" => {
                    let id = p["routing_id"].as_u64().unwrap();
                    format!("{:#x}|{:#x}", id >> 8, id & 0xFF)
                }
                other => format!("(protocol {other})"),
            }
        }
        k => format!("(unexpected kind {k})"),
    }
}

/// The same value read from sg_vpd's lines for a designator of `kind`.
fn sg_designator_value(s: &SgDesignator) -> String {
    let l = &s.lines;
    let after = |prefix: &str| -> String {
        l.iter()
            .find_map(|x| x.strip_prefix(prefix))
            .unwrap_or("(missing)")
            .to_string()
    };
    match s.kind {
        0 if s.code_set == 2 || s.code_set == 3 => after("vendor specific: "),
        0 => match l.first().and_then(|x| x.strip_prefix("vendor specific: ")) {
            Some(_) => "(shown as text)".to_string(),
            None => dump_bytes(&l[1..]),
        },
        1 => format!("{}|{}", after("vendor id: "), after("vendor specific: ")),
        2 | 3 => l.first().cloned().unwrap_or_default(),
        4 => after("Relative target port: "),
        5 => after("Target port group: "),
        6 => after("Logical unit group: "),
        7 => dump_bytes(&l[1..]),
        8 => l.get(1).cloned().unwrap_or_default(),
        9 if l.iter().any(|x| x.starts_with("USB")) => format!(
            "{}|{}",
            after("USB device address: "),
            after("USB interface number: ")
        ),
        // PCIe routing ID: bus number (byte 0) and, with ARI, function number (byte 1).
        9 => format!(
            "{}|{}",
            after("PCIe routing ID, bus number: "),
            after("function number: ")
        ),
        10 => after("Locally assigned UUID: "),
        _ => l.join("|"),
    }
}

/// `sg_vpd --long` labels of EUI-64 and NAA fields (lower case, `NAA n, ` dropped) and our
/// field names.
const LONG_FIELDS: &[(&str, &str)] = &[
    ("ieee company_id", "ieee_company_id"),
    (
        "vendor specific extension identifier",
        "vendor_specific_extension_identifier",
    ),
    ("identifier extension", "identifier_extension"),
    ("directory id", "directory_id"),
    (
        "vendor specific identifier a",
        "vendor_specific_identifier_a",
    ),
    (
        "vendor specific identifier b",
        "vendor_specific_identifier_b",
    ),
    ("vendor specific identifier", "vendor_specific_identifier"),
    (
        "vendor specific identifier extension",
        "vendor_specific_identifier_extension",
    ),
];

/// The EUI-64 and NAA fields `sg_vpd --long` shows, against ours.
fn compare_designator_fields(case: &str, o: &Value, t: &SgDesignator, d: &mut Diffs) {
    let fields = if t.kind == 3 {
        &o["designator"]["naa"]
    } else {
        &o["designator"]
    };
    for line in &t.lines {
        let Some((label, value)) = line.split_once(": ") else {
            continue;
        };
        let label = label.to_lowercase();
        let label = match label.split_once(", ") {
            Some((naa, rest)) if naa.starts_with("naa ") => rest.to_string(),
            _ => label,
        };
        let Some(&(_, key)) = LONG_FIELDS.iter().find(|(l, _)| *l == label) else {
            continue;
        };
        d.check(
            case,
            &format!("vpd83.{key}"),
            num(fields, &format!("/{key}")),
            sg_num(value),
        );
    }
}

fn compare_designators(case: &str, bytes: &[u8], ours: &Value, text: &str, d: &mut Diffs) {
    // sg_vpd groups the designators by association, keeping their order in each group.
    let mut mine: Vec<&Value> = ours["designators"].as_array().unwrap().iter().collect();
    mine.sort_by_key(|v| num(v, "/association"));
    let mut theirs = parse_designators(text, false);
    let p = temp_file(bytes);
    let long = run(
        SG_VPD,
        &[&format!("--inhex={}", p.display()), "--raw", "--long"],
    );
    std::fs::remove_file(&p).unwrap();
    let long = parse_designators(&long, true);
    d.check(case, "vpd83.count_long", theirs.len(), long.len());
    mine.extend(mine.clone());
    theirs.extend(long);
    d.check(case, "vpd83.count", mine.len(), theirs.len());
    for (i, (o, t)) in mine.iter().zip(&theirs).enumerate() {
        let c = format!("{case}#{i}");
        d.check(
            &c,
            "vpd83.association",
            num(o, "/association"),
            t.association,
        );
        d.check(
            &c,
            "vpd83.designator_type",
            num(o, "/designator_type"),
            t.kind,
        );
        d.check(&c, "vpd83.code_set", num(o, "/code_set"), t.code_set);
        let piv_valid = o["piv"] == true && num(o, "/association") != 0;
        d.check(&c, "vpd83.transport_shown", piv_valid, t.transport);
        if t.long {
            compare_designator_fields(&c, o, t, d);
            continue;
        }
        let flagged_by_them = t
            .lines
            .iter()
            .any(|x| x.starts_with("<<") || x.starts_with("reserved designator="));
        let kind = o["designator"]["kind"].as_str().unwrap();
        let flagged_by_us = kind == "malformed"
            || kind == "reserved"
            || o["designator"]["naa"]["format"] == "reserved";
        let key = match t.kind {
            0x1 => "vpd83.flagged_t10_vendor_id_length",
            0x7 => "vpd83.flagged_md5_length",
            0xA => "vpd83.flagged_uuid_type",
            _ => "vpd83.flagged",
        };
        d.check(&c, key, flagged_by_us, flagged_by_them);
        if flagged_by_them || flagged_by_us {
            continue;
        }
        let theirs = sg_designator_value(t);
        if theirs == "(shown as text)" {
            d.check(&c, "vpd83.binary_vendor_specific_as_text", "bytes", "text");
        } else {
            d.check(&c, "vpd83.value", designator_value(o), theirs);
        }
    }
}

// ---------------------------------------------------------------- READ BUFFER, log pages

fn sg_file_text(tool: &str, bytes: &[u8], args: &[&str]) -> String {
    let p = temp_file(bytes);
    let file = if tool == SG_LOGS { "--in" } else { "--inhex" };
    let arg = format!("{file}={}", p.display());
    let mut all = vec![arg.as_str(), "--raw"];
    all.extend(args);
    let text = run(tool, &all);
    std::fs::remove_file(&p).unwrap();
    text
}

fn compare_buffer_descriptor(case: &str, bytes: &[u8], d: &mut Diffs) {
    let ours = BufferDescriptor::decode(bytes).unwrap();
    let text = sg_file_text(SG_READ_BUFFER, bytes, &["--mode=desc"]);
    let l = labelled(&text);
    let (boundary, alignment) = l["OFFSET BOUNDARY"].split_once(", ").unwrap();
    d.check(
        case,
        "rbdesc.offset_boundary",
        ours.offset_boundary.code(),
        sg_num(boundary),
    );
    d.check(
        case,
        "rbdesc.buffer_capacity",
        ours.buffer_capacity,
        sg_num(&l["BUFFER CAPACITY"]),
    );
    let theirs = alignment
        .strip_prefix("Buffer offset alignment: ")
        .unwrap()
        .trim_end_matches("-byte");
    // Our alignment in bytes; 2^31 and up, and FFh (offset 0 only), do not fit sg3_utils'
    // signed 32-bit arithmetic.
    let key = match ours.offset_boundary.code() {
        0xFF => "rbdesc.alignment_ff",
        31..=0xFE => "rbdesc.alignment_2_31_and_up",
        _ => "rbdesc.alignment",
    };
    let mine = ours
        .offset_boundary
        .alignment()
        .map_or("(offset 0 only)".to_string(), |a| a.to_string());
    d.check(case, key, mine, theirs);
}

fn compare_microcode_status(case: &str, bytes: &[u8], d: &mut Diffs) {
    let ours = MicrocodeStatus::decode(bytes).unwrap();
    let text = sg_file_text(SG_READ_BUFFER, bytes, &["--mode=rd_microc_st"]);
    let l = labelled(&text);
    for (sg, status) in [
        (
            "Activated microcode status",
            ours.activated_microcode_status,
        ),
        (
            "Redundant microcode status",
            ours.redundant_microcode_status,
        ),
        ("Download microcode status", ours.download_microcode_status),
    ] {
        let v = &l[sg];
        // sg_read_buffer: "<name> [0xNN]" for unknown codes, the name alone otherwise.
        let known_to_them = !v.starts_with("unknown [");
        let key = format!("rbmc.{}", sg.to_lowercase().replace(' ', "_"));
        d.check(
            case,
            &format!("{key}_known"),
            status.name.is_some(),
            known_to_them,
        );
        if !known_to_them {
            let code = sg_num(v.trim_start_matches("unknown [").trim_end_matches(']'));
            d.check(case, &format!("{key}_code"), status.code, code);
        }
    }
    for (sg, ours) in [
        (
            "Download microcode maximum size (bytes)",
            ours.download_microcode_maximum_size,
        ),
        (
            "Download microcode expected buffer offset (bytes)",
            ours.download_microcode_expected_buffer_offset,
        ),
    ] {
        let key = format!("rbmc.{}", sg.to_lowercase().replace(' ', "_"));
        d.check(case, &key, ours.unwrap_or(0), sg_num(&l[sg]));
    }
}

fn compare_log_page(case: &str, bytes: &[u8], d: &mut Diffs) {
    let ours = serde_json::to_value(LogPage::decode(bytes).unwrap()).unwrap();
    let text = sg_file_text(SG_LOGS, bytes, &[]);
    let decoded = &ours["decoded"];
    if bytes[0] == 0x0D {
        for (sg, key) in [
            ("Current temperature", "temperature"),
            ("Reference temperature", "reference_temperature"),
        ] {
            let line = text
                .lines()
                .find_map(|x| x.trim().strip_prefix(sg))
                .unwrap();
            // sg_logs adds "(or less)" to 0: the field is unsigned (SPC-5 7.3.21).
            let theirs = line
                .trim_start_matches(" = ")
                .trim_end_matches(" (or less)")
                .trim_end_matches(" C");
            let mine = decoded[key]
                .as_u64()
                .map_or("<not available>".to_string(), |t| t.to_string());
            d.check(case, &format!("log0d.{key}"), mine, theirs);
        }
    } else {
        let theirs: Vec<u64> = text.lines().skip(1).map(|x| sg_num(x.trim())).collect();
        let mine: Vec<u64> = decoded["pages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["page_code"].as_u64().unwrap())
            .collect();
        d.check(
            case,
            "log00.pages",
            format!("{mine:?}"),
            format!("{theirs:?}"),
        );
    }
}

// ---------------------------------------------------------------- LUNs

/// Our level in sg_luns' words.
fn lun_level_text(a: &LunAddress) -> String {
    match a {
        LunAddress::PeripheralDevice {
            bus_identifier: 0,
            target_or_lun,
        } => format!("Peripheral device addressing: lun={target_or_lun}"),
        LunAddress::PeripheralDevice {
            bus_identifier,
            target_or_lun,
        } => format!("Peripheral device addressing: bus_id={bus_identifier}, target={target_or_lun}"),
        LunAddress::FlatSpace { flat_space_lun } => {
            format!("Flat space addressing: lun={flat_space_lun}")
        }
        LunAddress::LogicalUnit {
            target,
            bus_number,
            lun,
        } => format!("Logical unit addressing: bus_id={bus_number}, target={target}, lun={lun}"),
        LunAddress::WellKnown { w_lun, name } => match name {
            Some(n) => format!("well known {n}"),
            None => format!("well known logical unit {w_lun}"),
        },
        LunAddress::ExtendedFlatSpace {
            extended_flat_space_lun,
        } => format!("Extended flat space addressing: lun={extended_flat_space_lun}"),
        LunAddress::LongExtendedFlatSpace {
            long_extended_flat_space_lun,
        } => format!("Long extended flat space addressing: lun={long_extended_flat_space_lun}"),
        LunAddress::NotSpecified => "Logical unit not specified".to_string(),
        LunAddress::ReservedExtended {
            length,
            extended_address_method,
            ..
        } => format!("Extended logical unit addressing: length={length}, e. a. method={extended_address_method}"),
    }
}

/// sg_luns' decoded levels, normalised to [`lun_level_text`]'s words.
fn sg_lun_levels(text: &str) -> Vec<String> {
    text.lines()
        .skip_while(|l| !l.starts_with("Decoded LUN:"))
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.starts_with(">>") && !l.starts_with("<<"))
        .map(|l| {
            if let Some(n) = l.strip_suffix(" well known logical unit") {
                format!("well known {n}")
            } else {
                // sg_luns spells "e.a." or "e. a." by LENGTH; the value is not compared.
                let head = l.split_once(", value=").map_or(l, |(h, _)| h);
                head.replace("_not_", "not")
                    .replace("e.a. method", "e. a. method")
            }
        })
        .collect()
}

fn compare_lun(case: &str, bytes: [u8; 8], d: &mut Diffs) {
    let ours: Vec<String> = Lun::decode(bytes)
        .levels
        .iter()
        .map(lun_level_text)
        .collect();
    let text = run(
        SG_LUNS,
        &["--test", &hex(&bytes).replace(' ', ""), "--decode"],
    );
    let theirs = sg_lun_levels(&text);
    d.check(case, "lun.levels", ours.join(" / "), theirs.join(" / "));
    // Linux integer LUN -> T10 bytes: sg_luns --test=L<n>.
    let linux = Lun::decode(bytes).linux_lun;
    let t = run(SG_LUNS, &["--test", &format!("L{linux}")]);
    let line = t
        .lines()
        .find(|l| l.contains("preferred (hex) format:"))
        .unwrap();
    let theirs = line.split_once("format:").unwrap().1.trim().to_string();
    d.check(case, "lun.linux_to_t10", hex(&linux_to_lun(linux)), theirs);
}

// ---------------------------------------------------------------- the tests

/// The real QEMU responses: (name, bytes).
fn fixtures() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for dev in ["bot", "uas-hs", "uas-ss", "virtio-4k"] {
        for f in [
            "inquiry", "vpd-00", "vpd-80", "vpd-83", "vpd-b0", "vpd-b1", "vpd-b2",
        ] {
            let name = format!("{dev}.{f}");
            let bytes = std::fs::read(Path::new(FIXTURES).join(format!("{name}.bin"))).unwrap();
            out.push((name, bytes));
        }
    }
    out
}

fn compare(name: &str, bytes: &[u8], d: &mut Diffs) {
    match name.split(['-', '.']).next().unwrap() {
        "inq" => compare_inquiry(name, bytes, d),
        "rbdesc" => compare_buffer_descriptor(name, bytes, d),
        "rbmc" => compare_microcode_status(name, bytes, d),
        "log0d" | "log00" => compare_log_page(name, bytes, d),
        _ if name.contains(".inquiry") => compare_inquiry(name, bytes, d),
        _ => compare_vpd(name, bytes, d),
    }
}

#[test]
fn corpus_file_matches_generator() {
    let text = corpus_text();
    if std::env::var_os(UPDATE_ENV).is_some() {
        std::fs::create_dir_all(Path::new(CORPUS_FILE).parent().unwrap()).unwrap();
        std::fs::write(CORPUS_FILE, &text).unwrap();
    }
    let stored = std::fs::read_to_string(CORPUS_FILE)
        .unwrap_or_else(|e| panic!("{CORPUS_FILE}: {e}; run with {UPDATE_ENV}=1"));
    assert_eq!(
        stored, text,
        "corpus file is stale: run with {UPDATE_ENV}=1"
    );
    // Coverage: every designator type and association, enough buffers in all.
    let c = corpus();
    assert!(c.len() >= 200, "only {} buffers", c.len());
    let mut seen = BTreeSet::new();
    for (name, b) in &c {
        if name.starts_with("vpd83") {
            let mut at = 4;
            while at + 4 <= b.len() {
                seen.insert((b[at + 1] & 0x0F, (b[at + 1] >> 4) & 3));
                at += 4 + usize::from(b[at + 3]);
            }
        }
    }
    let kinds: BTreeSet<u8> = seen.iter().map(|&(k, _)| k).collect();
    assert_eq!(kinds, (0..=0xB).collect(), "designator types 0h-Bh");
    let assocs: BTreeSet<u8> = seen.iter().map(|&(_, a)| a).collect();
    assert_eq!(assocs, [0u8, 1, 2].into_iter().collect());
    let methods: BTreeSet<String> = luns()
        .iter()
        .flat_map(|(_, b)| Lun::decode(*b).levels)
        .map(|l| lun_level_text(&l).split(':').next().unwrap().to_string())
        .map(|s| s.split(" logical unit ").next().unwrap().to_string())
        .collect();
    assert!(methods.len() >= 7, "LUN methods covered: {methods:?}");
}

#[test]
fn decoders_agree_with_sg3_utils() {
    let mut d = Diffs::default();
    let fx = fixtures();
    assert_eq!(fx.len(), 28);
    for (name, bytes) in fx.iter().chain(corpus().iter()) {
        compare(name, bytes, &mut d);
    }
    for (name, b) in luns() {
        compare_lun(&name, b, &mut d);
    }
    // Every field was compared; print the counts with --nocapture.
    for (key, n) in &d.1 {
        println!("{key}: {n}");
    }
    let missing: Vec<&&str> = MUST_COMPARE
        .iter()
        .filter(|k| !d.1.contains_key(**k))
        .collect();
    assert!(missing.is_empty(), "never compared: {missing:?}");
    let listed: BTreeSet<&str> = KNOWN
        .iter()
        .chain(KNOWN_OUR_BUGS)
        .map(|(k, _)| *k)
        .collect();
    let unexplained: Vec<String> =
        d.0.iter()
            .filter(|(k, _)| !listed.contains(k.as_str()))
            .map(|(k, v)| {
                format!(
                    "{k} ({} cases), e.g. {}",
                    v.len(),
                    v[..v.len().min(6)].join("; ")
                )
            })
            .collect();
    let stale: Vec<&&str> = listed.iter().filter(|k| !d.0.contains_key(**k)).collect();
    assert!(
        unexplained.is_empty() && stale.is_empty(),
        "unexplained differences:\n{}\nstale list entries: {stale:?}",
        unexplained.join("\n")
    );
}

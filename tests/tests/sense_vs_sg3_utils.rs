//! Differential test: `cdb::sense` against sg3_utils' `sg_decode_sense` (1.46).
//!
//! A deterministic generator builds a corpus of sense buffers (also kept, for review, in
//! `tests/data/sense/corpus.txt`). Each buffer is decoded by `sg_decode_sense` (whose text
//! output is parsed) and by us (as the JSON value `scsitool sense decode --json` prints),
//! and the two are compared field by field: format and current/deferred, sense key,
//! ASC/ASCQ text, INFORMATION, sense key specific fields, SDAT_OVFL and the fixed format
//! flags, ATA status and progress descriptors. Disagreements are allowed only where listed
//! in [`KNOWN`] with the SPC-5 reason (see also `docs/sense-differences.md`).

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const SG_DECODE_SENSE: &str = "/usr/bin/sg_decode_sense";
const CORPUS_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/sense/corpus.txt");
/// Set to rewrite the corpus file from the generator.
const UPDATE_ENV: &str = "SENSE_CORPUS_UPDATE";

// ---------------------------------------------------------------- corpus generator

use scsitool_tests::Rng;

/// ASC/ASCQ pairs worth covering beyond the systematic sweep: common ones, ranged entries
/// (40h/80h+, 4Dh, 70h), vendor specific ones and reserved ones.
#[rustfmt::skip]
const PAIRS: &[(u8, u8)] = &[
    (0x00, 0x00), (0x00, 0x01), (0x00, 0x16), (0x00, 0x17), (0x00, 0x1D), (0x04, 0x00),
    (0x04, 0x01), (0x04, 0x02), (0x04, 0x03), (0x04, 0x04), (0x04, 0x07), (0x04, 0x09),
    (0x04, 0x0A), (0x04, 0x11), (0x04, 0x1B), (0x04, 0x21), (0x04, 0x22), (0x0B, 0x01),
    (0x0C, 0x00), (0x10, 0x01), (0x11, 0x00), (0x14, 0x01), (0x17, 0x01), (0x1A, 0x00),
    (0x20, 0x00), (0x21, 0x00), (0x24, 0x00), (0x25, 0x00), (0x26, 0x00), (0x27, 0x00),
    (0x28, 0x00), (0x29, 0x00), (0x29, 0x07), (0x2A, 0x01), (0x2A, 0x09), (0x31, 0x00),
    (0x3A, 0x00), (0x3A, 0x01), (0x3F, 0x01), (0x3F, 0x0E), (0x44, 0x00), (0x47, 0x00),
    (0x4B, 0x01), (0x4E, 0x00), (0x5D, 0x00), (0x5D, 0x10), (0x5D, 0xFF), (0x40, 0x80),
    (0x40, 0x85), (0x40, 0xFF), (0x4D, 0x00), (0x4D, 0x12), (0x4D, 0xFF), (0x70, 0x00),
    (0x70, 0x05), (0x70, 0xAB), (0x80, 0x00), (0x85, 0x01), (0xFF, 0xFF), (0x24, 0x85),
    (0x11, 0x80), (0x7E, 0x00), (0x7F, 0x7F), (0x23, 0x7F),
];

/// A fixed format buffer from field values (SPC-5 4.4.3, table 51).
fn fixed(
    code: u8,
    valid: bool,
    flags_key: u8,
    info: u32,
    pair: (u8, u8),
    fru: u8,
    sks: [u8; 3],
) -> Vec<u8> {
    let mut b = vec![0u8; 18];
    b[0] = code | if valid { 0x80 } else { 0 };
    b[2] = flags_key;
    b[3..7].copy_from_slice(&info.to_be_bytes());
    b[7] = 10;
    b[12] = pair.0;
    b[13] = pair.1;
    b[14] = fru;
    b[15..18].copy_from_slice(&sks);
    b
}

/// A descriptor format buffer (SPC-5 4.4.2, table 28) holding `descriptors`.
fn descriptor(
    code: u8,
    key: u8,
    pair: (u8, u8),
    sdat_ovfl: bool,
    descriptors: &[Vec<u8>],
) -> Vec<u8> {
    let mut b = vec![
        code,
        key,
        pair.0,
        pair.1,
        if sdat_ovfl { 0x80 } else { 0 },
        0,
        0,
        0,
    ];
    for d in descriptors {
        b.extend_from_slice(d);
    }
    b[7] = (b.len() - 8).min(255) as u8;
    b
}

/// A sense key specific field with SKSV set and random contents.
fn sks(r: &mut Rng) -> [u8; 3] {
    [0x80 | (r.byte() & 0x7F), r.byte(), r.byte()]
}

/// One random descriptor of a type 00h–0Fh or vendor specific, well formed.
fn random_descriptor(r: &mut Rng, kind: u8) -> Vec<u8> {
    let mut d = match kind {
        0x00 => vec![0x00, 0x0A, if r.coin() { 0x80 } else { 0 }, 0],
        0x01 => vec![0x01, 0x0A, 0, 0],
        0x02 => {
            let s = sks(r);
            vec![0x02, 0x06, 0, 0, s[0], s[1], s[2], 0]
        }
        0x03 => vec![0x03, 0x02, 0, r.byte()],
        0x04 => vec![0x04, 0x02, 0, r.byte() & 0xE0],
        0x05 => vec![0x05, 0x02, 0, r.byte() & 0x20],
        0x09 => vec![0x09, 0x0C, r.byte() & 1],
        0x0A => vec![
            0x0A,
            0x06,
            r.byte() & 0x0F,
            r.pick(PAIRS).0,
            0,
            0,
            r.byte(),
            r.byte(),
        ],
        0x0F => vec![0x0F, 0x06, 0, 0, 0, 0, r.byte(), r.byte()],
        0x80..=0xFF => {
            let n = r.below(8) as u8;
            vec![kind, n]
        }
        _ => unreachable!("descriptor kind {kind:#x}"),
    };
    let want = 2 + usize::from(d[1]);
    while d.len() < want {
        d.push(r.byte());
    }
    if kind == 0x0A {
        // ASC/ASCQ of the operation in progress: a real pair.
        let p = r.pick(PAIRS);
        d[3] = p.0;
        d[4] = p.1;
    }
    d
}

/// The corpus: (name, bytes), deterministic.
fn corpus() -> Vec<(String, Vec<u8>)> {
    let mut r = Rng(0x5C51_5E45_E000_0001);
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();

    // Sweep: every ASC 00h–FFh with ASCQ 00h, and 00h–7Fh with ASCQ 01h and 02h.
    for asc in 0..=0xFFu8 {
        let key = r.below(16) as u8;
        out.push((
            format!("sweep-{asc:02x}-00"),
            fixed(0x70, false, key, 0, (asc, 0), 0, [0; 3]),
        ));
    }
    for ascq in [0x01u8, 0x02] {
        for asc in 0..0x80u8 {
            let code = if r.coin() { 0x72 } else { 0x73 };
            out.push((
                format!("sweep-{asc:02x}-{ascq:02x}"),
                descriptor(code, r.below(16) as u8, (asc, ascq), false, &[]),
            ));
        }
    }
    // Fixed format: each sense key (so each SKS form), current and deferred, VALID set
    // and clear, flags, FRU.
    for key in 0..16u8 {
        for i in 0..6 {
            let code = if i % 2 == 0 { 0x70 } else { 0x71 };
            let flags = if i >= 4 { r.byte() & 0xF0 } else { 0 };
            let info = if r.coin() { r.next_u64() as u32 } else { 0 };
            let s = if i == 3 {
                [r.byte() & 0x7F, r.byte(), r.byte()]
            } else {
                sks(&mut r)
            };
            let fru = if r.coin() { r.byte() } else { 0 };
            let b = fixed(code, r.coin(), flags | key, info, r.pick(PAIRS), fru, s);
            out.push((format!("fixed-key{key:x}-{i}"), b));
        }
    }
    // Fixed format: the listed pairs, current and deferred.
    for (i, &pair) in PAIRS.iter().enumerate() {
        let code = if i % 3 == 0 { 0x71 } else { 0x70 };
        let b = fixed(
            code,
            i % 2 == 0,
            r.below(16) as u8,
            r.next_u64() as u32,
            pair,
            0,
            sks(&mut r),
        );
        out.push((format!("fixed-pair-{:02x}-{:02x}", pair.0, pair.1), b));
    }
    // Fixed format ATA PASS-THROUGH registers (SAT, 00h/1Dh).
    for i in 0..8 {
        let mut b = fixed(
            0x70,
            r.coin(),
            0x01,
            r.next_u64() as u32,
            (0x00, 0x1D),
            0,
            [0; 3],
        );
        b[8..12].copy_from_slice(&(r.next_u64() as u32).to_be_bytes());
        out.push((format!("fixed-ata-{i}"), b));
    }
    // Descriptor format: each sense key with a sense key specific descriptor.
    for key in 0..16u8 {
        for i in 0..4 {
            let code = if i % 2 == 0 { 0x72 } else { 0x73 };
            let mut descs = vec![random_descriptor(&mut r, 0x02)];
            if i == 3 {
                descs[0][4] &= 0x7F; // SKSV clear
            }
            if r.coin() {
                descs.push(random_descriptor(&mut r, 0x00));
            }
            out.push((
                format!("desc-sks-key{key:x}-{i}"),
                descriptor(code, key, r.pick(PAIRS), i == 2, &descs),
            ));
        }
    }
    // Descriptor format: random mixes of the decodable descriptor types.
    let kinds = [0x00, 0x01, 0x03, 0x04, 0x05, 0x09, 0x0A, 0x0F, 0x80, 0xC3];
    for i in 0..80 {
        let n = 1 + r.below(4) as usize;
        let mut descs = Vec::new();
        let mut seen = Vec::new();
        while descs.len() < n {
            let k = r.pick(&kinds);
            if !seen.contains(&k) || k >= 0x80 {
                seen.push(k);
                descs.push(random_descriptor(&mut r, k));
            }
        }
        let code = if i % 4 == 3 { 0x73 } else { 0x72 };
        out.push((
            format!("desc-mix-{i}"),
            descriptor(code, r.below(16) as u8, r.pick(PAIRS), false, &descs),
        ));
    }
    // ATA Status Return and progress descriptors on their own, EXTEND both ways.
    for i in 0..12 {
        let mut d = random_descriptor(&mut r, 0x09);
        d[2] = (i % 2) as u8;
        out.push((
            format!("desc-ata-{i}"),
            descriptor(0x72, 0x01, (0x00, 0x1D), false, &[d]),
        ));
        let p = random_descriptor(&mut r, 0x0A);
        out.push((
            format!("desc-progress-{i}"),
            descriptor(0x72, 0x02, (0x04, 0x07), false, &[p]),
        ));
    }
    // Direct-access block device descriptor (SBC-4: ADDITIONAL LENGTH 16h).
    for i in 0..4 {
        let s = sks(&mut r);
        let mut d = vec![0x0D, 0x16, 0xA0, 0, s[0], s[1], s[2], r.byte()];
        for _ in 0..16 {
            d.push(r.byte());
        }
        out.push((
            format!("desc-dabd-{i}"),
            descriptor(0x72, 0x03, (0x11, 0x00), false, &[d]),
        ));
    }
    // Malformed: bad response codes, short buffers, truncation, overruns.
    for (i, code) in [0x00u8, 0x01, 0x45, 0x6F, 0x74, 0x75, 0x7E, 0x7F, 0xF0, 0xFF]
        .into_iter()
        .enumerate()
    {
        let mut b = fixed(0x70, false, 0x05, 0, (0x24, 0x00), 0, [0; 3]);
        b[0] = code;
        out.push((format!("bad-code-{i}-{code:02x}"), b));
    }
    for len in 1..18 {
        let b = fixed(
            if len % 2 == 0 { 0x70 } else { 0x71 },
            true,
            0x05,
            0x1234,
            (0x24, 0x00),
            0x11,
            [0xC8, 0x00, 0x01],
        );
        out.push((format!("short-fixed-{len}"), b[..len].to_vec()));
    }
    for len in 1..20 {
        let info = random_descriptor(&mut r, 0x00);
        let b = descriptor(0x72, 0x05, (0x24, 0x00), false, &[info]);
        out.push((format!("short-desc-{len}"), b[..len.min(b.len())].to_vec()));
    }
    for asl in [0u8, 2, 4, 5, 6, 9, 11, 30, 200] {
        let mut b = fixed(
            0x70,
            true,
            0x05,
            0x42,
            (0x24, 0x00),
            0x11,
            [0xC8, 0x00, 0x01],
        );
        b[7] = asl;
        out.push((format!("fixed-asl-{asl}"), b));
    }
    for i in 0..12 {
        let mut b = descriptor(
            0x72,
            0x05,
            (0x24, 0x00),
            false,
            &[
                random_descriptor(&mut r, 0x00),
                random_descriptor(&mut r, 0x02),
            ],
        );
        match i % 3 {
            0 => b[7] = b[7].saturating_add(20), // ADDITIONAL SENSE LENGTH beyond the buffer
            1 => b[9] = 0x30,                    // first descriptor overruns
            _ => b.truncate(8 + r.below(20) as usize),
        }
        out.push((format!("desc-broken-{i}"), b));
    }
    out
}

/// The corpus as reviewable text: `name hex bytes`, one buffer a line.
fn corpus_text(corpus: &[(String, Vec<u8>)]) -> String {
    let mut s = String::from(
        "# Sense buffers for tests/tests/sense_vs_sg3_utils.rs (generated; do not edit).\n",
    );
    for (name, bytes) in corpus {
        let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
        s.push_str(&format!("{name} {}\n", hex.join(" ")));
    }
    s
}

#[test]
fn corpus_file_matches_generator() {
    let text = corpus_text(&corpus());
    if std::env::var_os(UPDATE_ENV).is_some() {
        std::fs::write(CORPUS_FILE, &text).unwrap();
    }
    let saved = std::fs::read_to_string(CORPUS_FILE).unwrap_or_default();
    assert!(
        saved == text,
        "{CORPUS_FILE} is out of date; regenerate with {UPDATE_ENV}=1 cargo test -p scsitool-tests --test sense_vs_sg3_utils"
    );
    assert!(corpus().len() >= 500);
}

// ---------------------------------------------------------------- normalised views

/// A sense key specific field, as both sides can express it.
#[derive(Debug, Clone, PartialEq)]
enum Sks {
    Field {
        command: bool,
        byte: u64,
        bit: Option<u64>,
    },
    Retry(u64),
    /// Percentage; compared with sg3_utils' two truncated decimals in mind.
    Progress(f64),
    Segment {
        descriptor: bool,
        byte: u64,
        bit: Option<u64>,
    },
    Overflow(bool),
    Reserved,
}

/// Everything compared, from either side. `None` means "not reported".
#[derive(Debug, Default)]
struct View {
    /// "fixed", "descriptor", "vendor_specific" or "none" (not decoded as sense data).
    format: String,
    deferred: bool,
    sense_key: Option<String>,
    /// Normalised ASC/ASCQ text, "vendor specific" or "reserved".
    additional: Option<String>,
    sdat_ovfl: bool,
    /// Fixed format FILEMARK, EOM, ILI.
    flags: (bool, bool, bool),
    /// (VALID, INFORMATION), when reported.
    information: Option<(bool, u64)>,
    fru: Option<u64>,
    sks: Option<Sks>,
    /// Fixed format ATA registers: error, status, device, count, extend, log index.
    ata_fixed: Option<[u64; 6]>,
    /// Fixed format ATA LBA (23:0).
    ata_fixed_lba: Option<u64>,
    /// ATA Status Return descriptor: extend, error, count, lba, device, status.
    ata_status: Option<[u64; 6]>,
    /// Another progress indication: sense key, ASC, ASCQ, whole percent.
    progress: Option<[u64; 4]>,
}

/// Lower case, single spaces.
fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Parses `0x1f` as hex and `31` as decimal.
fn num(s: &str) -> Option<u64> {
    let s = s.trim_matches(|c: char| ",][:+".contains(c));
    match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

/// The value after `key=` in `text`, up to a space or comma.
fn kv(text: &str, key: &str) -> Option<u64> {
    let at = text.find(&format!("{key}="))? + key.len() + 1;
    let rest = &text[at..];
    let end = rest.find([' ', ',']).unwrap_or(rest.len());
    num(&rest[..end])
}

/// ASC/ASCQ with a ranged T10 entry: the text names the ASCQ (40h/80h–FFh, 4Dh, 70h).
fn ranged(asc: u64, ascq: u64) -> bool {
    (asc == 0x40 && ascq >= 0x80) || asc == 0x4D || asc == 0x70
}

/// The text of a ranged entry with the ASCQ value notation removed (sg3_utils writes
/// `[0x85]` or `0x5`, T10 text `85h`), plus the value as written.
fn ranged_text(text: &str) -> (String, Option<u64>) {
    let t = norm(text);
    let mut words = Vec::new();
    let mut value = None;
    for w in t.split(' ') {
        let bare = w.trim_matches(|c: char| "[]()".contains(c));
        if let Some(h) = bare.strip_prefix("0x") {
            value = u64::from_str_radix(h, 16).ok();
            break;
        }
        if bare.len() == 3 && bare.ends_with('h') && u8::from_str_radix(&bare[..2], 16).is_ok() {
            value = u64::from_str_radix(&bare[..2], 16).ok();
            break;
        }
        words.push(w);
    }
    (words.join(" "), value)
}

/// Parses `sg_decode_sense` output.
fn sg_view(out: &str) -> View {
    let mut v = View {
        format: "none".into(),
        ..View::default()
    };
    let mut lines = out.lines();
    let Some(first) = lines.next() else { return v };
    if first.starts_with("Vendor specific sense buffer") {
        v.format = "vendor_specific".into();
        return v;
    }
    let (fmt, key) = match first.split_once("; Sense key: ") {
        Some(x) => x,
        None => return v,
    };
    v.format = if fmt.starts_with("Fixed format") {
        "fixed".into()
    } else if fmt.starts_with("Descriptor format") {
        "descriptor".into()
    } else {
        "none".into()
    };
    v.deferred = fmt.contains("deferred");
    // sg3_utils writes sense key 9h as "Vendor specific(9)".
    v.sense_key = Some(norm(key.trim_end_matches("(9)")));
    let mut body = String::new();
    for line in lines {
        if line.contains("Sense data overflow (SDAT_OVFL)") {
            v.sdat_ovfl = true;
        } else if let Some(t) = line.strip_prefix("Additional sense: ") {
            v.additional = Some(t.to_owned());
        } else if line.contains("vendor specific ASC=")
            || line.contains("vendor specific qualification ASCQ=")
        {
            v.additional = Some("vendor specific".into());
        } else if line.starts_with("ASC=") {
            v.additional = Some("reserved".into());
        } else {
            let t = line.trim();
            let is_flags =
                !t.is_empty() && t.split(' ').all(|w| ["FMK", "EOM", "ILI"].contains(&w));
            if is_flags || t.starts_with("Info fld=") || t.starts_with("Valid=0, Info fld=") {
                let w: Vec<&str> = t.split_whitespace().collect();
                v.flags = (w.contains(&"FMK"), w.contains(&"EOM"), w.contains(&"ILI"));
            }
            body.push_str(t);
            body.push(' ');
        }
    }
    let body = body.split_whitespace().collect::<Vec<_>>().join(" ");
    parse_body(&body, &mut v);
    v
}

/// The fields below the header lines, from sg3_utils' whitespace-joined text.
fn parse_body(b: &str, v: &mut View) {
    // Fixed: "Info fld=0x1234 [4660]" or "Valid=0, Info fld=0x5 [5]";
    // descriptor: "Information: 0x..." or "Information: Valid=0 (-> vendor specific) 0x...".
    if let Some(i) = b.find("Info fld=") {
        let valid = !b[..i].ends_with("Valid=0, ");
        v.information = kv(&b[i..], "Info fld").map(|x| (valid, x));
    } else if let Some(i) = b.find("Descriptor type: Information: ") {
        let rest = &b[i + 30..];
        let valid = !rest.starts_with("Valid=0");
        let hex = rest.split(' ').find(|w| w.starts_with("0x"));
        v.information = hex.and_then(num).map(|x| (valid, x));
    }
    if let Some(i) = b.find("Field replaceable unit code: ") {
        v.fru = b[i + 29..].split(' ').next().and_then(num);
    }
    v.sks = sg_sks(b);
    if let Some(i) = b.find("error=0x").filter(|_| b.contains("log_index=")) {
        let t = &b[i..];
        let lba: Vec<u64> = t
            .split("lba_high,mid,low(7:0)=")
            .nth(1)
            .map(|s| {
                s.split(' ')
                    .next()
                    .unwrap_or("")
                    .split(',')
                    .filter_map(num)
                    .collect()
            })
            .unwrap_or_default();
        let lba = match lba.as_slice() {
            [h, m, l] => h << 16 | m << 8 | l,
            _ => u64::MAX,
        };
        v.ata_fixed = Some([
            kv(t, "error").unwrap_or(u64::MAX),
            kv(t, "status").unwrap_or(u64::MAX),
            kv(t, "device").unwrap_or(u64::MAX),
            kv(t, "count(7:0)").unwrap_or(u64::MAX),
            kv(t, "extend").unwrap_or(u64::MAX),
            kv(t, "log_index").unwrap_or(u64::MAX),
        ]);
        v.ata_fixed_lba = Some(lba);
    }
    if let Some(i) = b.find("ATA Status Return: extend=") {
        let t = &b[i..];
        let f = |k| kv(t, k).unwrap_or(u64::MAX);
        v.ata_status = Some([
            f("extend"),
            f("error"),
            f("count"),
            f("lba"),
            f("device"),
            f("status"),
        ]);
    }
    if let Some(i) = b.find("Another progress indication: ") {
        let t = &b[i + 29..];
        let whole = t.split('.').next().and_then(num);
        let pair = t.split("asc,ascq=").nth(1).unwrap_or("");
        let mut codes = pair
            .trim_end_matches(']')
            .split(',')
            .map(|s| num(s.split(']').next().unwrap_or("")));
        if let (Some(p), Some(k)) = (whole, kv(t, "[sense_key")) {
            v.progress = Some([
                k,
                codes.next().flatten().unwrap_or(u64::MAX),
                codes.next().flatten().unwrap_or(u64::MAX),
                p,
            ]);
        }
    }
}

/// "byte N" and an optional "bit B" at the start of `t`.
fn byte_bit(t: &str) -> (u64, Option<u64>) {
    let mut w = t.split(' ');
    let mut byte = u64::MAX;
    let mut bit = None;
    while let Some(x) = w.next() {
        match x {
            "byte" => byte = w.next().and_then(num).unwrap_or(u64::MAX),
            "bit" => bit = w.next().and_then(num),
            _ if byte != u64::MAX => break,
            _ => {}
        }
    }
    (byte, bit)
}

/// The sense key specific field as sg3_utils prints it.
fn sg_sks(b: &str) -> Option<Sks> {
    let i = b
        .find("Sense Key Specific: ")
        .or_else(|| b.find("Sense key specific: "));
    let t = match i {
        Some(i) => &b[i + 20..],
        None => {
            // Fixed format prints these without a "Sense key specific" prefix.
            let starts = [
                "Actual retry count: ",
                "Progress indication: ",
                "Segment pointer: ",
                "Unit attention condition queue: ",
                "Sense_key: 0x",
            ];
            let i = starts.iter().filter_map(|s| b.find(s)).min()?;
            &b[i..]
        }
    };
    if t.contains("descriptor too short")
        && t.find("descriptor too short") < t.find("Descriptor type")
    {
        return None;
    }
    if let Some(r) = t
        .strip_prefix("Field pointer: ")
        .or(Some(t))
        .and_then(|t| t.strip_prefix("Error in "))
    {
        let command = r.starts_with("Command");
        let (byte, bit) = byte_bit(r);
        return Some(Sks::Field { command, byte, bit });
    }
    if let Some(r) = t.strip_prefix("Actual retry count: ") {
        return r.split(' ').next().and_then(num).map(Sks::Retry);
    }
    if let Some(r) = t.strip_prefix("Progress indication: ") {
        return r
            .split('%')
            .next()
            .and_then(|p| p.parse().ok())
            .map(Sks::Progress);
    }
    if let Some(r) = t.strip_prefix("Segment pointer: ") {
        let r = r.strip_prefix("Relative to start of ")?;
        let (byte, bit) = byte_bit(r);
        return Some(Sks::Segment {
            descriptor: r.starts_with("segment descriptor"),
            byte,
            bit,
        });
    }
    if let Some(r) = t.strip_prefix("Unit attention condition queue: ") {
        return Some(Sks::Overflow(r.starts_with("overflow flag is 1")));
    }
    t.starts_with("Sense_key: 0x").then_some(Sks::Reserved)
}

/// Our decoded value (the JSON `scsitool sense decode --json` prints), in the same terms.
fn our_view(v: &Value) -> View {
    let mut o = View {
        format: "none".into(),
        ..View::default()
    };
    let format = v["response_code"]["format"].as_str().unwrap_or("");
    o.format = if format == "unknown" {
        "none".into()
    } else {
        format.into()
    };
    o.deferred = v["response_code"]["deferred"].as_bool().unwrap_or(false);
    if o.format == "none" || o.format == "vendor_specific" {
        return o;
    }
    o.sense_key = v["sense_key"]["name"].as_str().map(norm);
    let a = &v["additional_sense"];
    if let (Some(asc), Some(ascq)) = (a["asc"].as_u64(), a["ascq"].as_u64()) {
        o.additional = Some(match a["description"].as_str() {
            None => "reserved".into(),
            Some(d) if d.starts_with("VENDOR SPECIFIC") && !ranged(asc, ascq) => {
                "vendor specific".into()
            }
            Some(d) => d.to_owned(),
        });
    }
    let fixed = &v["format"]["fixed"];
    if fixed.is_object() {
        o.sdat_ovfl = fixed["sdat_ovfl"].as_bool().unwrap_or(false);
        let flag = |k: &str| fixed[k].as_bool().unwrap_or(false);
        o.flags = (flag("filemark"), flag("eom"), flag("ili"));
        let valid = flag("valid");
        let ata = &fixed["ata_pass_through"];
        if ata.is_object() {
            let g = |k: &str| {
                ata[k]
                    .as_u64()
                    .or(ata[k].as_bool().map(u64::from))
                    .unwrap_or(u64::MAX)
            };
            o.ata_fixed = Some([
                g("error"),
                g("status"),
                g("device"),
                g("count"),
                g("extend"),
                g("log_index"),
            ]);
            o.ata_fixed_lba = Some(g("lba"));
        } else if let Some(info) = fixed["information"].as_u64().filter(|&i| valid || i > 0) {
            o.information = Some((valid, info));
        }
        o.fru = fixed["field_replaceable_unit_code"]
            .as_u64()
            .filter(|&f| f != 0);
        o.sks = our_sks(&fixed["sense_key_specific"]);
        return o;
    }
    let d = &v["format"]["descriptor"];
    o.sdat_ovfl = d["sdat_ovfl"].as_bool().unwrap_or(false);
    for desc in d["descriptors"].as_array().into_iter().flatten() {
        if let Some(i) = desc.get("information") {
            if o.information.is_none() {
                o.information = Some((
                    i["valid"].as_bool().unwrap_or(false),
                    i["information"].as_u64().unwrap_or(u64::MAX),
                ));
            }
        }
        if let Some(f) = desc.get("field_replaceable_unit") {
            o.fru = o.fru.or(f["field_replaceable_unit_code"].as_u64());
        }
        for holder in ["sense_key_specific", "direct_access_block_device"] {
            if let Some(s) = desc.get(holder) {
                o.sks = o.sks.take().or_else(|| our_sks(&s["sense_key_specific"]));
            }
        }
        if let Some(a) = desc.get("ata_status_return") {
            let g = |k: &str| {
                a[k].as_u64()
                    .or(a[k].as_bool().map(u64::from))
                    .unwrap_or(u64::MAX)
            };
            o.ata_status = Some([
                g("extend"),
                g("error"),
                g("count"),
                g("lba"),
                g("device"),
                g("status"),
            ]);
        }
        if let Some(p) = desc.get("another_progress_indication") {
            let g = |k: &str| p[k].as_u64().unwrap_or(u64::MAX);
            let whole = p["percent"].as_f64().map_or(u64::MAX, |x| x.floor() as u64);
            o.progress = Some([
                p["sense_key"]["code"].as_u64().unwrap_or(u64::MAX),
                g("asc"),
                g("ascq"),
                whole,
            ]);
        }
    }
    o
}

/// Our sense key specific JSON in the shared terms.
fn our_sks(s: &Value) -> Option<Sks> {
    let g = |k: &str| s[k].as_u64().unwrap_or(u64::MAX);
    let b = |k: &str| s[k].as_bool().unwrap_or(false);
    Some(match s["kind"].as_str()? {
        "field_pointer" => Sks::Field {
            command: b("command"),
            byte: g("field_pointer"),
            bit: s["bit_pointer"].as_u64(),
        },
        "actual_retry_count" => Sks::Retry(g("actual_retry_count")),
        "progress_indication" => Sks::Progress(s["percent"].as_f64()?),
        "segment_pointer" => Sks::Segment {
            descriptor: b("segment_descriptor"),
            byte: g("field_pointer"),
            bit: s["bit_pointer"].as_u64(),
        },
        "unit_attention_condition_queue" => Sks::Overflow(b("overflow")),
        _ => Sks::Reserved,
    })
}

// ---------------------------------------------------------------- comparison

/// One field on which the two decoders disagree.
#[derive(Debug)]
struct Mismatch {
    field: &'static str,
    ours: String,
    theirs: String,
}

/// Whether two ASC/ASCQ texts agree, allowing only the ranged entries' value notation.
fn additional_agrees(ours: &str, theirs: &str, asc: u64, ascq: u64) -> bool {
    if ranged(asc, ascq) {
        let (a, av) = ranged_text(ours);
        let (b, bv) = ranged_text(theirs);
        return a == b && av == Some(ascq) && bv == Some(ascq);
    }
    norm(ours) == norm(theirs)
}

/// Compares our decoded value (as JSON) with `sg_decode_sense`'s text for one buffer.
fn compare(ours_json: &Value, sg_text: &str) -> Vec<Mismatch> {
    let ours = our_view(ours_json);
    let theirs = sg_view(sg_text);
    let mut out = Vec::new();
    let mut check = |field: &'static str, a: String, b: String, same: bool| {
        if !same {
            out.push(Mismatch {
                field,
                ours: a,
                theirs: b,
            });
        }
    };
    check(
        "format",
        format!("{} deferred={}", ours.format, ours.deferred),
        format!("{} deferred={}", theirs.format, theirs.deferred),
        ours.format == theirs.format
            && (ours.deferred == theirs.deferred
                || ours.format == "none"
                || ours.format == "vendor_specific"),
    );
    if theirs.format == "none" || theirs.format == "vendor_specific" || ours.format != theirs.format
    {
        return out;
    }
    check(
        "sense_key",
        format!("{:?}", ours.sense_key),
        format!("{:?}", theirs.sense_key),
        ours.sense_key == theirs.sense_key,
    );
    let a = &ours_json["additional_sense"];
    let (asc, ascq) = (
        a["asc"].as_u64().unwrap_or(0),
        a["ascq"].as_u64().unwrap_or(0),
    );
    let same = match (&ours.additional, &theirs.additional) {
        (Some(x), Some(y)) => additional_agrees(x, y, asc, ascq),
        (None, None) => true,
        _ => false,
    };
    check(
        "additional_sense",
        format!("{:?}", ours.additional),
        format!("{:?}", theirs.additional),
        same,
    );
    check(
        "sdat_ovfl",
        ours.sdat_ovfl.to_string(),
        theirs.sdat_ovfl.to_string(),
        ours.sdat_ovfl == theirs.sdat_ovfl,
    );
    if ours.format == "fixed" {
        check(
            "flags",
            format!("{:?}", ours.flags),
            format!("{:?}", theirs.flags),
            ours.flags == theirs.flags,
        );
    }
    check(
        "information",
        format!("{:?}", ours.information),
        format!("{:?}", theirs.information),
        ours.information == theirs.information,
    );
    check(
        "fru",
        format!("{:?}", ours.fru),
        format!("{:?}", theirs.fru),
        ours.fru == theirs.fru,
    );
    let sks_same = match (&ours.sks, &theirs.sks) {
        (Some(Sks::Progress(x)), Some(Sks::Progress(y))) => (x - y).abs() < 0.02,
        (x, y) => x == y,
    };
    check(
        "sense_key_specific",
        format!("{:?}", ours.sks),
        format!("{:?}", theirs.sks),
        sks_same,
    );
    check(
        "ata_fixed",
        format!("{:?}", ours.ata_fixed),
        format!("{:?}", theirs.ata_fixed),
        ours.ata_fixed == theirs.ata_fixed,
    );
    check(
        "ata_fixed_lba",
        format!("{:?}", ours.ata_fixed_lba),
        format!("{:?}", theirs.ata_fixed_lba),
        ours.ata_fixed_lba == theirs.ata_fixed_lba,
    );
    check(
        "ata_status_return",
        format!("{:?}", ours.ata_status),
        format!("{:?}", theirs.ata_status),
        ours.ata_status == theirs.ata_status,
    );
    check(
        "another_progress",
        format!("{:?}", ours.progress),
        format!("{:?}", theirs.progress),
        ours.progress == theirs.progress,
    );
    out
}

// ---------------------------------------------------------------- known differences

/// A justified disagreement: where it applies and why ours follows the standard.
struct Known {
    id: &'static str,
    /// The fields it explains.
    fields: &'static [&'static str],
    /// Whether it applies to this buffer and our decoding of it.
    applies: fn(&[u8], &Value) -> bool,
    reason: &'static str,
}

/// Our descriptors of type `t`.
fn has_descriptor(v: &Value, t: u64, pred: fn(&Value) -> bool) -> bool {
    v["format"]["descriptor"]["descriptors"]
        .as_array()
        .is_some_and(|d| {
            d.iter()
                .any(|x| x["descriptor_type"].as_u64() == Some(t) && pred(x))
        })
}

const KNOWN: &[Known] = &[
    Known {
        id: "absent-sense-key-read-as-zero",
        fields: &["sense_key"],
        applies: |_, v| v["sense_key"].is_null(),
        reason: "the buffer ends before the SENSE KEY (SPC-5 4.4.2 byte 1, 4.4.3 byte 2); \
                 sg3_utils shows the missing byte as 0h NO SENSE, we report no sense key",
    },
    Known {
        id: "absent-asc-ascq-read-as-zero",
        fields: &["additional_sense"],
        applies: |_, v| v["additional_sense"].is_null(),
        reason: "the ASC or ASCQ byte (fixed bytes 12–13, SPC-5 4.4.3) is missing or beyond the \
                 ADDITIONAL SENSE LENGTH; sg3_utils shows 00h or reads past the sense data, we \
                 report no pair",
    },
    Known {
        id: "fru-beyond-additional-sense-length",
        fields: &["fru"],
        applies: |b, v| {
            v["format"]["fixed"]["field_replaceable_unit_code"].is_null()
                && b.get(7).is_some_and(|&n| n == 6)
        },
        reason: "with ADDITIONAL SENSE LENGTH 6 the sense data ends at byte 13 (SPC-5 4.4.3); \
                 sg3_utils 1.46 still reads the FIELD REPLACEABLE UNIT CODE in byte 14",
    },
    Known {
        id: "sense-key-0ch",
        fields: &["sense_key"],
        applies: |_, v| v["sense_key"]["code"].as_u64() == Some(0x0C),
        reason: "SPC-5 table 52 makes sense key 0Ch reserved (obsolete); sg3_utils shows its \
                 SCSI-2 name EQUAL",
    },
    Known {
        id: "sksv-clear-in-descriptor",
        fields: &["sense_key_specific"],
        applies: |_, v| has_descriptor(v, 0x02, |d| d["sense_key_specific"]["sksv"] == Value::Bool(false)),
        reason: "SPC-5 4.4.2.4.1: SKSV set to zero means the sense key specific field is not \
                 valid; sg3_utils 1.46 decodes the sense key specific descriptor regardless",
    },
    Known {
        id: "direct-access-block-device-length",
        fields: &["information", "sense_key_specific", "fru"],
        applies: |_, v| has_descriptor(v, 0x0D, |d| d.get("direct_access_block_device").is_some()),
        reason: "SBC-4 4.18.2 gives the direct-access block device descriptor an ADDITIONAL LENGTH \
                 of 16h (24 bytes); sg3_utils 1.46 insists on at least 1Ch and shows it as too short",
    },
    Known {
        id: "sat-fixed-lba-byte-order",
        fields: &["ata_fixed_lba"],
        applies: |b, v| !v["format"]["fixed"]["ata_pass_through"].is_null() && b.get(9) != b.get(11),
        reason: "SAT-5 12.2.2.6 puts LBA (7:0) in byte 9 and LBA (23:16) in byte 11; sg3_utils \
                 1.46 prints byte 9 as the high byte (corrected in later sg3_utils)",
    },
    Known {
        id: "sat-fixed-hides-spc-fields",
        fields: &["fru", "sense_key_specific", "flags"],
        applies: |_, v| !v["format"]["fixed"]["ata_pass_through"].is_null(),
        reason: "with ASC/ASCQ 00h/1Dh sg3_utils shows only the SAT registers; the FIELD \
                 REPLACEABLE UNIT CODE, SENSE KEY SPECIFIC and FILEMARK/EOM/ILI fields keep their \
                 SPC-5 4.4.3 meaning (bytes 2, 14–17 are not ATA registers), so we decode them",
    },
    Known {
        id: "sg-ranges-40-41-42",
        fields: &["additional_sense"],
        applies: |_, v| {
            let a = &v["additional_sense"];
            matches!(a["asc"].as_u64(), Some(0x40..=0x42))
                && matches!(a["ascq"].as_u64(), Some(0x01..=0x7F))
                && a["description"].is_null()
        },
        reason: "SPC-5 annex D assigns 40h/00h, 41h/00h, 42h/00h and the range 40h/80h–FFh only; \
                 sg3_utils treats 40h–42h with ASCQ 01h–7Fh as ranged entries, we report them reserved",
    },
    Known {
        id: "t10-obsolete-entries",
        fields: &["additional_sense"],
        applies: |_, v| v["additional_sense"]["description"].as_str().is_some_and(|d| d.starts_with("OBSOLETE")),
        reason: "T10's ASC/ASCQ list marks these pairs obsolete without text; sg3_utils keeps the \
                 text from an older standard",
    },
];

fn sg_decode(bytes: &[u8]) -> String {
    let args: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let out = Command::new(SG_DECODE_SENSE)
        .args(&args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {SG_DECODE_SENSE}: {e}"));
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// Decodes every buffer with `scsitool --json sense decode -` in one run: one JSON line
/// per buffer, in corpus order.
fn scsitool_decode(corpus: &[(String, Vec<u8>)]) -> Vec<Value> {
    let input: String = corpus
        .iter()
        .map(|(_, bytes)| {
            let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
            hex.join(" ") + "\n"
        })
        .collect();
    let mut child = Command::new(scsitool_tests::scsitool_bin())
        .args(["--json", "sense", "decode", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("running scsitool");
    let mut stdin = child.stdin.take().expect("scsitool's stdin");
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        stdin
            .write_all(input.as_bytes())
            .expect("writing the corpus");
    });
    let output = child.wait_with_output().expect("scsitool's output");
    writer.join().expect("the writer thread");
    assert!(output.status.success(), "scsitool sense decode failed");
    let lines: Vec<Value> = String::from_utf8(output.stdout)
        .expect("UTF-8 JSON")
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON document per line"))
        .collect();
    assert_eq!(lines.len(), corpus.len(), "one JSON line per corpus buffer");
    lines
}

#[test]
fn agrees_with_sg_decode_sense() {
    assert!(
        Path::new(SG_DECODE_SENSE).exists(),
        "{SG_DECODE_SENSE} is missing: install sg3-utils (apt-get install sg3-utils) to run \
         the sense differential test"
    );
    let corpus = corpus();
    assert!(
        corpus.len() >= 500,
        "corpus has only {} buffers",
        corpus.len()
    );
    let mut failures = Vec::new();
    let mut used: BTreeMap<&str, usize> = BTreeMap::new();
    let mut coverage: BTreeMap<&str, usize> = BTreeMap::new();
    let decoded = scsitool_decode(&corpus);
    for ((name, bytes), ours) in corpus.iter().zip(decoded) {
        let text = sg_decode(bytes);
        let theirs = sg_view(&text);
        for (what, seen) in [
            ("fixed", theirs.format == "fixed"),
            ("descriptor", theirs.format == "descriptor"),
            ("deferred", theirs.deferred),
            (
                "ASC/ASCQ text",
                theirs
                    .additional
                    .as_deref()
                    .is_some_and(|a| a != "reserved" && a != "vendor specific"),
            ),
            (
                "vendor specific ASC/ASCQ",
                theirs.additional.as_deref() == Some("vendor specific"),
            ),
            ("information", theirs.information.is_some()),
            (
                "field pointer",
                matches!(theirs.sks, Some(Sks::Field { .. })),
            ),
            (
                "actual retry count",
                matches!(theirs.sks, Some(Sks::Retry(_))),
            ),
            (
                "progress indication",
                matches!(theirs.sks, Some(Sks::Progress(_))),
            ),
            (
                "segment pointer",
                matches!(theirs.sks, Some(Sks::Segment { .. })),
            ),
            (
                "unit attention overflow",
                matches!(theirs.sks, Some(Sks::Overflow(_))),
            ),
            ("ATA registers (fixed)", theirs.ata_fixed.is_some()),
            ("ATA Status Return", theirs.ata_status.is_some()),
            ("another progress indication", theirs.progress.is_some()),
        ] {
            *coverage.entry(what).or_default() += usize::from(seen);
        }
        for m in compare(&ours, &text) {
            let known = KNOWN
                .iter()
                .find(|k| k.fields.contains(&m.field) && (k.applies)(bytes, &ours));
            match known {
                Some(k) => *used.entry(k.id).or_default() += 1,
                None => failures.push(format!(
                    "{name} [{}]: {}: ours {} vs sg3_utils {}\n{text}",
                    bytes
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect::<Vec<_>>()
                        .join(" "),
                    m.field,
                    m.ours,
                    m.theirs
                )),
            }
        }
    }
    // Every kind of field was actually seen in sg3_utils' output, so agreement means something.
    for (what, n) in &coverage {
        assert!(
            *n >= 5,
            "only {n} buffers where sg3_utils reported {what}: {coverage:?}"
        );
    }
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
    for k in KNOWN {
        assert!(
            used.contains_key(k.id),
            "known difference {} ({}) no longer occurs: remove it",
            k.id,
            k.reason
        );
    }
}

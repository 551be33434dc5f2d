//! Sense data (SPC-5 4.4) and NVMe status (NVMe Base 2.0 4.6.1) that QEMU returned for
//! commands it does not support, as printed in the guest's `capture.log` by sg_raw and
//! nvme-cli.

use super::fixture_text;
use cdb::nvme::{Status, StatusClass};
use cdb::scsi::status::Status as ScsiStatus;
use cdb::sense::classify::classify;
use cdb::sense::{self, Format, RetryClass, SenseFormat};

/// The sense buffers sg_raw printed after "Raw sense data (in hex)": the hex lines that
/// follow, up to the first line that is not hex.
fn logged_sense_buffers(log: &str) -> Vec<Vec<u8>> {
    let mut buffers = Vec::new();
    let mut lines = log.lines();
    while let Some(line) = lines.next() {
        if !line.contains("Raw sense data (in hex)") {
            continue;
        }
        let mut buf = Vec::new();
        for hex in lines.by_ref() {
            let bytes: Option<Vec<u8>> = hex
                .split_whitespace()
                .map(|b| u8::from_str_radix(b, 16).ok().filter(|_| b.len() == 2))
                .collect();
            match bytes {
                Some(bytes) if !bytes.is_empty() => buf.extend(bytes),
                _ => break,
            }
        }
        buffers.push(buf);
    }
    buffers
}

#[test]
fn unsupported_opcode_sense() {
    let buffers = logged_sense_buffers(&fixture_text("capture.log"));
    // WRITE BUFFER, READ BUFFER and SYNCHRONIZE CACHE (16) on each of the four disks.
    assert_eq!(buffers.len(), 12);
    for buf in &buffers {
        assert_eq!(buf.len(), 18, "sb_len=18 in the log");
        let s = sense::decode(buf).unwrap();
        assert_eq!(s.response_code.code, 0x70);
        assert_eq!(s.response_code.format, Format::Fixed);
        assert!(!s.response_code.deferred);
        let key = s.sense_key.expect("sense key");
        assert_eq!((key.code, key.name), (5, "ILLEGAL REQUEST"));
        let asc = s.additional_sense.clone().expect("ASC/ASCQ");
        assert_eq!((asc.asc, asc.ascq), (0x20, 0x00));
        assert_eq!(
            asc.description.as_deref(),
            Some("INVALID COMMAND OPERATION CODE")
        );
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        let SenseFormat::Fixed(f) = &s.format else {
            panic!("not fixed format: {:?}", s.format);
        };
        assert!(!f.valid && !f.sksv && !f.ili);
        assert_eq!(f.additional_sense_length, Some(10));
        assert_eq!(f.sense_key_specific, None);
        assert_eq!(
            classify(ScsiStatus::CheckCondition, Some(&s)),
            RetryClass::Fatal
        );
    }
}

#[test]
fn nvme_firmware_status() {
    let log = fixture_text("capture.log");
    let fields: Vec<u16> = log
        .lines()
        .filter(|l| l.starts_with("NVMe status:"))
        .map(|l| {
            let hex = l.rsplit("(0x").next().unwrap().trim_end_matches(')');
            u16::from_str_radix(hex, 16).unwrap()
        })
        .collect();
    // Firmware Image Download and Firmware Commit.
    assert_eq!(fields, [0x4001, 0x4001]);
    for field in fields {
        let s = Status::from_field(field);
        assert_eq!((s.sct, s.sc), (0, 0x01));
        assert_eq!(s.name(), Some("Invalid Command Opcode"));
        assert_eq!(s.sct_name(), "Generic Command Status");
        assert!(s.dnr && !s.more);
        assert_eq!(s.crd, 0);
        assert_eq!(s.class(), StatusClass::Fatal);
        assert_eq!(s.to_field(), field);
    }
}

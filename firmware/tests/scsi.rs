//! SCSI microcode download against the emulated SBC disk (SPC-5 6.49, 6.16, 7.7.7): every
//! mode, the offset boundary, bad images, interruption and resume, transient conditions
//! and a bridge that refuses WRITE BUFFER.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cdb::scsi::spc::buffer::{BufferDescriptor, OffsetBoundary};
use common::*;
use emulator::sbc::{Disk, Identity as DiskIdentity, MicrocodeConfig, Target as SbcTarget};
use emulator::store::{CachedDevice, RamMedium};
use firmware::download::Start;
use firmware::plan::{Method, ScsiMode};
use firmware::update::update;
use firmware::{Outcome, RequiredReset, Target};
use transports::sim::SimScsi;

/// MODE, byte 1 bits 4–0 of a WRITE BUFFER CDB.
fn mode(cdb: &[u8]) -> u8 {
    cdb[1] & 0x1f
}

/// DM_MD_x bits of Extended INQUIRY Data byte 19 (SPC-5 7.7.7).
const DM_MD_5: u8 = 0x40;
const DM_MD_7: u8 = 0x10;
const DM_MD_F: u8 = 0x02;

#[test]
fn deferred_download_then_activate_changes_the_revision() {
    let (mut t, log) = scsi("sim:?size=1M");
    t.max_transfer = Some(8000);
    let mut target = scsi_target(t);
    let image = scsi_image("0002", 40_000);
    let report = update(&mut target, &image, &mut options());
    assert_eq!(
        report.outcome,
        Outcome::UpdatedActive {
            from: "0001".into(),
            to: "0002".into()
        }
    );
    let plan = report.plan.unwrap();
    assert_eq!(
        plan.method,
        Method::Scsi {
            mode: ScsiMode::Mode0Eh
        }
    );
    let sent = log.with_opcode(WRITE_BUFFER);
    // The dry run's commands are exactly the ones sent.
    let planned: Vec<Vec<u8>> = plan
        .commands()
        .unwrap()
        .into_iter()
        .map(|c| c.bytes)
        .collect();
    assert_eq!(sent, planned);
    let (activate, downloads) = sent.split_last().unwrap();
    assert_eq!(mode(activate), 0x0f, "activate deferred microcode last");
    assert_eq!(offset_and_length(activate).1, 0);
    let mut next = 0;
    for cdb in downloads {
        assert_eq!(mode(cdb), 0x0e);
        let (offset, len) = offset_and_length(cdb);
        assert_eq!(offset, next, "in order, no gap");
        // The default buffer's OFFSET BOUNDARY is 2^9; chunks within the 8000-byte limit.
        assert_eq!(offset % 512, 0);
        assert!(len <= 8000);
        next += len;
    }
    assert_eq!(next, image.len() as u64);
    assert_eq!(downloads.len(), 40_000usize.div_ceil(7680));
    // MICROCODE HAS BEEN CHANGED (SPC-5 table 59) reported on the way to the new revision.
    let verified = report.verified.unwrap();
    assert!(
        verified.unit_attentions.contains(&(0x3f, 0x01)),
        "{verified:?}"
    );
}

/// A disk whose download buffer has a 4 KiB OFFSET BOUNDARY and 64 KiB capacity.
fn disk_with_buffer(boundary: u8, capacity: u32) -> (Scsi, Log) {
    let medium = CachedDevice::new(RamMedium::new(1 << 20), 512).unwrap();
    let disk =
        Disk::new(DiskIdentity::default(), Box::new(medium)).with_microcode(MicrocodeConfig {
            buffer: BufferDescriptor {
                offset_boundary: OffsetBoundary::from_code(boundary),
                buffer_capacity: capacity,
            },
            ..MicrocodeConfig::default()
        });
    Scsi::new(Box::new(SimScsi::new(
        Box::new(SbcTarget::new(vec![disk])),
        0,
    )))
}

#[test]
fn chunks_are_multiples_of_the_offset_boundary() {
    let (mut t, log) = disk_with_buffer(12, 64 << 10);
    t.max_transfer = Some(10_000);
    let mut target = scsi_target(t);
    let image = scsi_image("0003", 20_000);
    let report = update(&mut target, &image, &mut options());
    assert!(
        matches!(report.outcome, Outcome::UpdatedActive { .. }),
        "{:?}",
        report.outcome
    );
    assert_eq!(report.plan.unwrap().chunk_size, 8192);
    let lengths: Vec<(u64, u64)> = log
        .with_opcode(WRITE_BUFFER)
        .iter()
        .map(|c| offset_and_length(c))
        .collect();
    assert_eq!(lengths, [(0, 8192), (8192, 8192), (16384, 3616), (0, 0)]);
}

#[test]
fn an_image_larger_than_the_buffer_is_refused_before_sending() {
    let (t, log) = disk_with_buffer(12, 64 << 10);
    let mut target = scsi_target(t);
    let report = update(&mut target, &scsi_image("0003", 70_000), &mut options());
    let Outcome::Refused { why } = &report.outcome else {
        panic!("{:?}", report.outcome)
    };
    assert!(why.contains("65536"), "{why}");
    assert_eq!(log.count(WRITE_BUFFER), 0);
}

#[test]
fn a_buffer_taking_only_offset_zero_gets_one_command_or_a_refusal() {
    let (mut t, log) = disk_with_buffer(0xff, 64 << 10);
    t.max_transfer = Some(16_384);
    let mut target = scsi_target(t);
    let report = update(&mut target, &scsi_image("0004", 20_000), &mut options());
    assert!(
        matches!(report.outcome, Outcome::Refused { .. }),
        "{:?}",
        report.outcome
    );
    assert_eq!(log.count(WRITE_BUFFER), 0);
    let report = update(&mut target, &scsi_image("0004", 12_000), &mut options());
    assert!(
        matches!(report.outcome, Outcome::UpdatedActive { .. }),
        "{:?}",
        report.outcome
    );
    assert_eq!(
        offset_and_length(&log.with_opcode(WRITE_BUFFER)[0]),
        (0, 12_000)
    );
}

#[test]
fn immediate_mode_07h_where_the_device_has_no_deferred_modes() {
    let (mut t, log) = scsi("sim:?size=1M");
    t.download_modes = Some(DM_MD_7 | DM_MD_5);
    t.max_transfer = Some(8192);
    let mut target = scsi_target(t);
    let report = update(&mut target, &scsi_image("0007", 30_000), &mut options());
    assert_eq!(
        report.outcome,
        Outcome::UpdatedActive {
            from: "0001".into(),
            to: "0007".into()
        }
    );
    let sent = log.with_opcode(WRITE_BUFFER);
    assert_eq!(sent.len(), 4);
    assert!(
        sent.iter().all(|c| mode(c) == 0x07),
        "no mode 0Fh after 07h"
    );
}

#[test]
fn mode_05h_only_when_the_image_fits_one_command() {
    let (mut t, log) = scsi("sim:?size=1M");
    t.download_modes = Some(DM_MD_5);
    t.max_transfer = Some(8192);
    let mut target = scsi_target(t);
    let report = update(&mut target, &scsi_image("0005", 30_000), &mut options());
    assert!(
        matches!(report.outcome, Outcome::Refused { .. }),
        "{:?}",
        report.outcome
    );
    assert_eq!(log.count(WRITE_BUFFER), 0);
    let report = update(&mut target, &scsi_image("0005", 8000), &mut options());
    assert_eq!(
        report.outcome,
        Outcome::UpdatedActive {
            from: "0001".into(),
            to: "0005".into()
        }
    );
    let sent = log.with_opcode(WRITE_BUFFER);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (mode(&sent[0]), offset_and_length(&sent[0])),
        (0x05, (0, 8000))
    );
}

#[test]
fn activation_at_hard_reset_is_pending_until_the_reset() {
    let (mut t, _log) = scsi("sim:fw-needs-reset?size=1M");
    t.download_modes = Some(DM_MD_7 | DM_MD_F);
    let mut target = scsi_target(t);
    let report = update(&mut target, &scsi_image("0009", 20_000), &mut options());
    let Outcome::PendingReset { from, reset, .. } = &report.outcome else {
        panic!("{:?}", report.outcome)
    };
    assert_eq!((from.as_str(), *reset), ("0001", RequiredReset::HardReset));
    let Target::Scsi(t) = &mut target else {
        unreachable!()
    };
    t.power_cycle().unwrap();
    let after = firmware::Identity::read(&mut target, std::time::Duration::from_secs(1)).unwrap();
    assert_eq!(after.revision, "0009");
}

#[test]
fn an_image_the_device_rejects_is_failed_unchanged() {
    for (uri, image) in [
        ("sim:fw-reject-image?size=1M", scsi_image("0002", 20_000)),
        ("sim:?size=1M", {
            let mut bad = scsi_image("0002", 20_000);
            bad[100] ^= 0xff;
            bad
        }),
    ] {
        let (t, _log) = scsi(uri);
        let mut target = scsi_target(t);
        let report = update(&mut target, &image, &mut options());
        let why = failed_unchanged(&report.outcome);
        // INVALID FIELD IN PARAMETER LIST (SPC-5 table 59).
        assert!(why.contains("26h/00h"), "{uri}: {why}");
    }
}

#[test]
fn an_interrupted_download_resumes_at_the_recorded_offset() {
    let (mut t, log) = scsi("sim:?size=1M");
    t.max_transfer = Some(4096);
    let mut target = scsi_target(t);
    let image = scsi_image("0010", 20_000);
    let path = state_path("scsi-resume");
    let mut first = options();
    first.download.state_file = Some(path.clone());
    first.download.stop_after_chunks = Some(2);
    let report = update(&mut target, &image, &mut first);
    assert!(
        matches!(report.outcome, Outcome::FailedUnknown { .. }),
        "{:?}",
        report.outcome
    );
    let saved = firmware::state::load(&path).unwrap().unwrap();
    assert_eq!(saved.acknowledged, 8192);
    assert_eq!(saved.image_crc32, crc32fast_hash(&image));
    let before = log.count(WRITE_BUFFER);
    let mut second = options();
    second.download.state_file = Some(path.clone());
    let mut progress = Vec::new();
    let mut record = |p: firmware::download::Progress| progress.push(p.done);
    second.download.progress = Some(&mut record);
    let report = update(&mut target, &image, &mut second);
    assert_eq!(
        report.outcome,
        Outcome::UpdatedActive {
            from: "0001".into(),
            to: "0010".into()
        }
    );
    assert_eq!(
        report.download.unwrap().start,
        Start::Resumed { offset: 8192 }
    );
    let resumed: Vec<(u64, u64)> = log.with_opcode(WRITE_BUFFER)[before..]
        .iter()
        .map(|c| offset_and_length(c))
        .collect();
    assert_eq!(
        resumed,
        [(8192, 4096), (12288, 4096), (16384, 3616), (0, 0)]
    );
    assert_eq!(progress, [12288, 16384, 20_000]);
    assert!(!path.exists(), "the state file is removed after the update");
}

fn crc32fast_hash(image: &[u8]) -> u32 {
    firmware::state::crc32(image)
}

#[test]
fn a_state_file_the_device_no_longer_matches_restarts_from_zero() {
    let (mut t, _log) = scsi("sim:?size=1M");
    t.max_transfer = Some(4096);
    let mut target = scsi_target(t);
    let image = scsi_image("0011", 20_000);
    let path = state_path("scsi-restart");
    let mut first = options();
    first.download.state_file = Some(path.clone());
    first.download.stop_after_chunks = Some(3);
    update(&mut target, &image, &mut first);
    // The device loses its partial download (SPC-5 6.49: a power on abandons it).
    let Target::Scsi(t) = &mut target else {
        unreachable!()
    };
    t.power_cycle().unwrap();
    let mut second = options();
    second.download.state_file = Some(path.clone());
    let report = update(&mut target, &image, &mut second);
    assert!(
        matches!(report.outcome, Outcome::UpdatedActive { .. }),
        "{:?}",
        report.outcome
    );
    let Start::Restarted { why } = report.download.unwrap().start else {
        panic!("not restarted")
    };
    assert!(why.contains("expects BUFFER OFFSET 0"), "{why}");
    // A state file for another image restarts too.
    let mut third = options();
    third.download.state_file = Some(path.clone());
    third.download.stop_after_chunks = Some(1);
    update(&mut target, &scsi_image("0012", 20_000), &mut third);
    let mut fourth = options();
    fourth.download.state_file = Some(path.clone());
    let report = update(&mut target, &image, &mut fourth);
    let Start::Restarted { why } = report.download.unwrap().start else {
        panic!("not restarted")
    };
    assert!(why.contains("another image"), "{why}");
}

#[test]
fn busy_is_retried() {
    let (mut t, log) = scsi("sim:?size=1M");
    t.busy = 2;
    let mut target = scsi_target(t);
    let report = update(&mut target, &scsi_image("0013", 4000), &mut options());
    assert!(
        matches!(report.outcome, Outcome::UpdatedActive { .. }),
        "{:?}",
        report.outcome
    );
    // Two BUSY answers, then the chunk, then mode 0Fh.
    assert_eq!(log.count(WRITE_BUFFER), 4);
    let (mut t, _log) = scsi("sim:?size=1M");
    t.busy = 5;
    let mut target = scsi_target(t);
    let report = update(&mut target, &scsi_image("0013", 4000), &mut options());
    let why = failed_unchanged(&report.outcome);
    assert!(why.contains("BUSY"), "{why}");
}

#[test]
fn a_bridge_without_write_buffer_is_refused_with_nothing_sent() {
    let (t, log) = scsi("sim:bridge-no-write-buffer?size=1M");
    let mut target = Target::from_device(transports::open::Device::Scsi(Box::new(t)));
    assert!(
        matches!(target, Target::Scsi(_)),
        "an unknown bridge is no tunnel"
    );
    let report = update(&mut target, &scsi_image("0002", 4000), &mut options());
    let Outcome::Refused { why } = &report.outcome else {
        panic!("{:?}", report.outcome)
    };
    assert!(why.contains("20h/00h"), "{why}");
    assert_eq!(log.count(WRITE_BUFFER), 0);
    assert!(log.all().len() >= 3, "it probed: {:?}", log.all());
}

#[test]
fn write_buffer_through_usb_faces_that_translate_it() {
    for face in ["bot", "uas"] {
        let (mut t, log) = scsi(&format!("sim:?size=1M&usb={face}"));
        t.max_transfer = Some(16_384);
        let mut target = scsi_target(t);
        let report = update(&mut target, &scsi_image("0020", 40_000), &mut options());
        assert_eq!(
            report.outcome,
            Outcome::UpdatedActive {
                from: "0001".into(),
                to: "0020".into()
            },
            "{face}"
        );
        assert_eq!(log.count(WRITE_BUFFER), 4, "{face}");
    }
}

#[test]
fn the_probe_reads_what_the_emulated_disk_reports() {
    use firmware::probe::{probe, ActivationTiming, Capabilities, Support};
    let (t, _log) = scsi("sim:?size=1M");
    let mut target = scsi_target(t);
    let Capabilities::Scsi(caps) = probe(&mut target, std::time::Duration::from_secs(1)).unwrap()
    else {
        panic!("not SCSI")
    };
    // Extended INQUIRY Data: DMS_VALID with DM_MD_5, _7, _D, _E, _F; ACTIVATE MICROCODE 01b.
    let m = caps.modes;
    assert_eq!(
        [m.mode_05h, m.mode_07h, m.mode_0dh, m.mode_0eh, m.mode_0fh],
        [Support::Yes; 5]
    );
    assert_eq!(caps.activation, ActivationTiming::BeforeCompletion);
    // READ BUFFER descriptor: OFFSET BOUNDARY 09h, BUFFER CAPACITY FFFE00h.
    let buffer = caps.buffer.unwrap();
    assert_eq!(buffer.offset_boundary.alignment(), Some(512));
    assert_eq!(buffer.buffer_capacity, 0xff_fe00);
    // Block Limits: MAXIMUM TRANSFER LENGTH 16 MiB in 512-byte blocks.
    assert_eq!(caps.max_transfer, Some(16 << 20));
    assert!(caps.refusal.is_none());
}

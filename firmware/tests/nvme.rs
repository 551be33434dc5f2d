//! NVMe firmware update against the emulated controller (NVMe Base 2.0 5.13, 5.14,
//! 5.16.1.4): slot and Commit Action choice, chunking by FWUG and the transfer limit,
//! reset-required statuses, rejected and overlapping downloads, resume, a controller
//! without firmware commands, and the JMicron / ASMedia bridge tunnels.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cdb::nvme::firmware::CommitAction;
use common::*;
use firmware::download::Start;
use firmware::plan::Method;
use firmware::update::update;
use firmware::{Outcome, RequiredReset, Target};
use transports::tunnel::Bridge;

#[test]
fn download_and_commit_activate_immediately_where_frmw_allows() {
    let (mut t, log) = nvme("sim:nvme?size=1M");
    t.max_transfer = Some(10_000);
    let mut target = nvme_target(t);
    let image = nvme_image("2.0", 5 * 4096 + 100);
    let report = update(&mut target, &image, &mut options());
    assert_eq!(
        report.outcome,
        Outcome::UpdatedActive {
            from: "1.0".into(),
            to: "2.0".into()
        }
    );
    let plan = report.plan.unwrap();
    // Slot 1 runs; slot 2 is the first writable, empty, inactive one. FRMW bit 4: CA 011b.
    assert_eq!(
        plan.method,
        Method::Nvme {
            slot: 2,
            commit_action: CommitAction::ReplaceAndActivateImmediately
        }
    );
    // FWUG 01h: 4 KiB granularity; the largest multiple within 10 000 bytes is 8 KiB.
    assert_eq!(plan.chunk_size, 8192);
    let sent: Vec<Vec<u8>> = log
        .all()
        .into_iter()
        .filter(|c| c[0] == FW_DOWNLOAD || c[0] == FW_COMMIT)
        .collect();
    let planned: Vec<Vec<u8>> = plan
        .commands()
        .unwrap()
        .into_iter()
        .map(|c| c.bytes)
        .collect();
    assert_eq!(
        sent, planned,
        "the dry run's entries are the ones submitted"
    );
    let pieces: Vec<(u64, u64)> = log
        .with_opcode(FW_DOWNLOAD)
        .iter()
        .map(|e| nvme_offset_and_length(e))
        .collect();
    assert_eq!(pieces, [(0, 8192), (8192, 8192), (16384, 4196)]);
    // Firmware Commit CDW10 (bytes 40-43): FS 2, CA 011b.
    let commit = &log.with_opcode(FW_COMMIT)[0];
    assert_eq!(commit[40], 2 | 3 << 3);
}

#[test]
fn a_reset_required_status_is_pending_reset() {
    let (t, _log) = nvme("sim:nvme,fw-needs-reset?size=1M");
    let mut target = nvme_target(t);
    let report = update(&mut target, &nvme_image("3.0", 8192), &mut options());
    let Outcome::PendingReset {
        from,
        reset,
        instruction,
    } = &report.outcome
    else {
        panic!("{:?}", report.outcome)
    };
    assert_eq!(
        (from.as_str(), *reset),
        ("1.0", RequiredReset::ControllerLevel)
    );
    assert!(
        instruction.contains("Controller Level Reset"),
        "{instruction}"
    );
    // Log 03h: the next reset activates slot 2, which holds the new image.
    let verified = report.verified.unwrap();
    assert_eq!(verified.revision, "1.0");
    assert_eq!(verified.next_reset, Some((2, Some("3.0".to_string()))));
}

#[test]
fn an_invalid_image_is_failed_unchanged() {
    let (t, _log) = nvme("sim:nvme,fw-reject-image?size=1M");
    let mut target = nvme_target(t);
    let report = update(&mut target, &nvme_image("3.0", 8192), &mut options());
    let why = failed_unchanged(&report.outcome);
    assert!(why.contains("Invalid Firmware Image"), "{why}");
}

#[test]
fn a_truncated_image_is_refused_before_download() {
    let (t, log) = nvme("sim:nvme?size=1M");
    let mut target = nvme_target(t);
    let mut image = nvme_image("3.0", 8192);
    image.truncate(8190);
    let report = update(&mut target, &image, &mut options());
    let Outcome::Refused { why } = &report.outcome else {
        panic!("{:?}", report.outcome)
    };
    assert!(why.contains("dwords"), "{why}");
    assert_eq!(log.count(FW_DOWNLOAD) + log.count(FW_COMMIT), 0);
    let report = update(&mut target, &[], &mut options());
    assert!(matches!(report.outcome, Outcome::Refused { .. }));
    assert_eq!(log.count(FW_DOWNLOAD), 0);
}

#[test]
fn a_controller_without_firmware_commands_is_refused_with_nothing_sent() {
    let (mut t, log) = nvme("sim:nvme?size=1M");
    t.no_firmware_commands = true;
    let mut target = nvme_target(t);
    let report = update(&mut target, &nvme_image("3.0", 8192), &mut options());
    let Outcome::Refused { why } = &report.outcome else {
        panic!("{:?}", report.outcome)
    };
    assert!(why.contains("OACS"), "{why}");
    assert_eq!(log.count(FW_DOWNLOAD) + log.count(FW_COMMIT), 0);
}

#[test]
fn an_interrupted_download_resumes_and_an_overlap_gets_the_devices_status() {
    let image = nvme_image("4.0", 6 * 4096);
    // Resume at the recorded offset.
    let (mut t, log) = nvme("sim:nvme?size=1M");
    t.max_transfer = Some(4096);
    let mut target = nvme_target(t);
    let path = state_path("nvme-resume");
    let mut first = options();
    first.download.state_file = Some(path.clone());
    first.download.stop_after_chunks = Some(2);
    let report = update(&mut target, &image, &mut first);
    assert!(
        matches!(report.outcome, Outcome::FailedUnknown { .. }),
        "{:?}",
        report.outcome
    );
    let mut second = options();
    second.download.state_file = Some(path.clone());
    let report = update(&mut target, &image, &mut second);
    assert_eq!(
        report.download.unwrap().start,
        Start::Resumed { offset: 8192 }
    );
    assert!(
        matches!(report.outcome, Outcome::UpdatedActive { .. }),
        "{:?}",
        report.outcome
    );
    assert_eq!(log.count(FW_DOWNLOAD), 6, "every piece sent once");
    // A stale state file: the resumed piece overlaps one the controller holds.
    let (mut t, _log) = nvme("sim:nvme?size=1M");
    t.max_transfer = Some(4096);
    let mut target = nvme_target(t);
    let path = state_path("nvme-overlap");
    let mut first = options();
    first.download.state_file = Some(path.clone());
    first.download.stop_after_chunks = Some(3);
    update(&mut target, &image, &mut first);
    let mut saved = firmware::state::load(&path).unwrap().unwrap();
    saved.acknowledged = 4096;
    firmware::state::save(&path, &saved).unwrap();
    let mut second = options();
    second.download.state_file = Some(path.clone());
    let report = update(&mut target, &image, &mut second);
    let why = failed_unchanged(&report.outcome);
    // Firmware Image Download: Overlapping Range (SCT 1, SC 14h).
    assert!(why.contains("Overlapping Range"), "{why}");
    assert!(why.contains("resumed at offset 4096"), "{why}");
}

#[test]
fn firmware_through_the_jmicron_tunnel() {
    for uri in [
        "sim:bridge-jmicron?size=1M",
        "sim:bridge-jmicron?size=1M&usb=uas",
        "sim:bridge-jmicron?size=1M&usb=bot",
    ] {
        let mut target = Target::from_device(device(uri));
        assert!(
            matches!(
                target,
                Target::Nvme {
                    bridge: Some(Bridge::Jmicron),
                    ..
                }
            ),
            "{uri}"
        );
        let report = update(&mut target, &nvme_image("5.0", 3 * 4096), &mut options());
        assert_eq!(
            report.outcome,
            Outcome::UpdatedActive {
                from: "1.0".into(),
                to: "5.0".into()
            },
            "{uri}"
        );
    }
    let mut target = Target::from_device(device("sim:bridge-jmicron,fw-needs-reset?size=1M"));
    let report = update(&mut target, &nvme_image("5.0", 3 * 4096), &mut options());
    assert!(
        matches!(
            report.outcome,
            Outcome::PendingReset {
                reset: RequiredReset::ControllerLevel,
                ..
            }
        ),
        "{:?}",
        report.outcome
    );
}

#[test]
fn data_in_only_tunnels_are_refused_at_planning() {
    for (uri, bridge) in [
        ("sim:bridge-asmedia?size=1M", Bridge::Asmedia),
        ("sim:bridge-realtek?size=1M", Bridge::Realtek),
    ] {
        let (t, log) = scsi(uri);
        let mut target = Target::from_device(transports::open::Device::Scsi(Box::new(t)));
        assert!(matches!(target, Target::Nvme { bridge: Some(b), .. } if b == bridge));
        let report = update(&mut target, &nvme_image("5.0", 8192), &mut options());
        let Outcome::Refused { why } = &report.outcome else {
            panic!("{uri}: {:?}", report.outcome)
        };
        assert!(why.contains("data-in"), "{why}");
        assert!(
            !log.all().is_empty(),
            "{uri}: Identify went through the tunnel"
        );
        assert_eq!(log.count(WRITE_BUFFER), 0);
    }
}

#[test]
fn an_expected_revision_the_device_does_not_report_is_failed_unknown() {
    let (t, _log) = nvme("sim:nvme?size=1M");
    let mut target = nvme_target(t);
    let mut o = options();
    o.expected_revision = Some("9.9".into());
    let report = update(&mut target, &nvme_image("6.0", 8192), &mut o);
    let Outcome::FailedUnknown { why, .. } = &report.outcome else {
        panic!("{:?}", report.outcome)
    };
    assert!(why.contains("\"6.0\"") && why.contains("9.9"), "{why}");
    assert_eq!(
        report.verified.unwrap().slot_revisions[1].as_deref(),
        Some("6.0")
    );
}

#[test]
fn a_resume_on_a_controller_that_lost_the_earlier_pieces_downloads_again() {
    let image = nvme_image("7.0", 6 * 4096);
    let path = state_path("nvme-lost");
    let (mut t, _log) = nvme("sim:nvme?size=1M");
    t.max_transfer = Some(4096);
    let mut first = options();
    first.download.state_file = Some(path.clone());
    first.download.stop_after_chunks = Some(2);
    update(&mut nvme_target(t), &image, &mut first);
    // Another process, another controller with the same identity: nothing downloaded.
    let (mut t, log) = nvme("sim:nvme?size=1M");
    t.max_transfer = Some(4096);
    let mut target = nvme_target(t);
    let mut second = options();
    second.download.state_file = Some(path.clone());
    let report = update(&mut target, &image, &mut second);
    assert_eq!(
        report.outcome,
        Outcome::UpdatedActive {
            from: "1.0".into(),
            to: "7.0".into()
        }
    );
    let Start::Restarted { why } = report.download.unwrap().start else {
        panic!("not restarted")
    };
    assert!(why.contains("Invalid Firmware Image"), "{why}");
    // 4 resumed pieces and a rejected commit, then 6 pieces and a commit.
    assert_eq!((log.count(FW_DOWNLOAD), log.count(FW_COMMIT)), (10, 2));
    assert!(!path.exists());
}

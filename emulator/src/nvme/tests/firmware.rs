//! Firmware Image Download and Firmware Commit against NVMe Base 2.0 5.13, 5.14 and the
//! Firmware Slot Information log (5.16.1.4).

use super::{controller, ok, status, Controller, Disk};
use crate::image::{self, ImageError};
use crate::nvme::{Config, FirmwareConfig};
use cdb::nvme::firmware::{CommitAction, FirmwareCommit, FirmwareImageDownload};
use cdb::nvme::fw_slot::FirmwareSlotLog;
use cdb::nvme::identify::IdentifyController;
use cdb::nvme::log_page::LogPage;
use cdb::nvme::{ResetKind, Status, StatusClass};

fn with_firmware(firmware: FirmwareConfig) -> Controller<Disk> {
    controller(
        512,
        Config {
            firmware,
            ..Config::default()
        },
    )
}

/// A valid 12 KiB image installing revision `fr`.
fn image_for(fr: &[u8; 8]) -> Vec<u8> {
    let header_and_trailer = image::NVME.header_len() + image::TRAILER_LEN;
    image::NVME.build(
        &String::from_utf8_lossy(fr),
        &vec![0x5a; 3 * 4096 - header_and_trailer],
    )
}

/// Downloads `image` in the chunk size Identify Controller's FWUG asks for.
fn download(ctrl: &mut Controller<Disk>, image: &[u8]) {
    let chunk = ok(ctrl, &IdentifyController::controller()).firmware_chunk_bytes() as usize;
    for (i, piece) in image.chunks(chunk).enumerate() {
        ok(
            ctrl,
            &FirmwareImageDownload::new((i * chunk) as u64, piece).unwrap(),
        );
    }
}

fn commit(ctrl: &mut Controller<Disk>, fs: u8, ca: CommitAction) -> Status {
    Status::from_field(status(ctrl, &FirmwareCommit::new(fs, ca, false).unwrap()))
}

fn running(ctrl: &mut Controller<Disk>) -> String {
    ok(ctrl, &IdentifyController::controller()).fr
}

fn slots(ctrl: &mut Controller<Disk>) -> FirmwareSlotLog {
    ok(ctrl, &LogPage::firmware_slot())
}

#[test]
fn a_new_controller_runs_slot_1() {
    let mut ctrl = with_firmware(FirmwareConfig::default());
    let log = slots(&mut ctrl);
    assert_eq!(
        (log.afi, log.active_slot, log.next_reset_slot),
        (1, 1, None)
    );
    assert_eq!(
        log.frs,
        vec![Some("1.0".into()), None, None, None, None, None, None]
    );
}

#[test]
fn download_commit_and_reset_activates_the_new_revision() {
    let mut ctrl = with_firmware(FirmwareConfig::default());
    download(&mut ctrl, &image_for(b"2.0     "));
    assert_eq!(
        commit(&mut ctrl, 2, CommitAction::ReplaceAndActivate),
        Status::SUCCESS
    );
    let log = slots(&mut ctrl);
    assert_eq!((log.active_slot, log.next_reset_slot), (1, Some(2)));
    assert_eq!(log.frs[1].as_deref(), Some("2.0"));
    assert_eq!(running(&mut ctrl), "1.0", "not active before the reset");
    ctrl.reset(ResetKind::ControllerLevel).unwrap();
    assert_eq!(running(&mut ctrl), "2.0");
    let log = slots(&mut ctrl);
    assert_eq!(
        (log.afi, log.active_slot, log.next_reset_slot),
        (2, 2, None)
    );
    assert_eq!(
        log.frs[0].as_deref(),
        Some("1.0"),
        "slot 1 keeps the old image"
    );
}

#[test]
fn replace_without_activation_leaves_the_running_firmware() {
    let mut ctrl = with_firmware(FirmwareConfig::default());
    download(&mut ctrl, &image_for(b"2.1     "));
    assert!(commit(&mut ctrl, 1, CommitAction::ReplaceNoActivate).is_success());
    assert_eq!(slots(&mut ctrl).frs[0].as_deref(), Some("2.1"));
    assert_eq!(
        running(&mut ctrl),
        "1.0",
        "the running image was replaced, not activated"
    );
    ctrl.reset(ResetKind::ControllerLevel).unwrap();
    assert_eq!(running(&mut ctrl), "1.0", "nothing was scheduled");
    assert!(commit(&mut ctrl, 1, CommitAction::Activate).is_success());
    ctrl.reset(ResetKind::ControllerLevel).unwrap();
    assert_eq!(running(&mut ctrl), "2.1");
}

#[test]
fn immediate_activation_needs_no_reset() {
    let mut ctrl = with_firmware(FirmwareConfig::default());
    download(&mut ctrl, &image_for(b"3.0     "));
    let s = commit(&mut ctrl, 0, CommitAction::ReplaceAndActivateImmediately);
    assert!(s.is_success());
    assert_eq!(running(&mut ctrl), "3.0");
    let log = slots(&mut ctrl);
    assert_eq!(
        (log.active_slot, log.next_reset_slot),
        (2, None),
        "FS 0: the controller chose slot 2"
    );
}

#[test]
fn immediate_activation_unsupported_is_an_invalid_field() {
    let mut ctrl = with_firmware(FirmwareConfig {
        activation_without_reset: false,
        ..FirmwareConfig::default()
    });
    assert!(
        !ok(&mut ctrl, &IdentifyController::controller())
            .frmw
            .activation_without_reset
    );
    download(&mut ctrl, &image_for(b"3.0     "));
    let s = commit(&mut ctrl, 2, CommitAction::ReplaceAndActivateImmediately);
    assert_eq!(s.to_field(), 0x4002);
    assert_eq!(slots(&mut ctrl).frs[1], None);
}

#[test]
fn immediate_activation_beyond_mtfa_waits_for_a_reset() {
    let mut ctrl = with_firmware(FirmwareConfig {
        immediate_exceeds_mtfa: true,
        ..FirmwareConfig::default()
    });
    download(&mut ctrl, &image_for(b"3.1     "));
    let s = commit(&mut ctrl, 2, CommitAction::ReplaceAndActivateImmediately);
    assert_eq!(
        s.name(),
        Some("Firmware Activation Requires Maximum Time Violation")
    );
    assert_eq!(running(&mut ctrl), "1.0");
    ctrl.reset(ResetKind::ControllerLevel).unwrap();
    assert_eq!(running(&mut ctrl), "3.1");
}

#[test]
fn reset_required_statuses_name_the_reset() {
    let cases = [
        (ResetKind::Conventional, 0x010b),
        (ResetKind::NvmSubsystem, 0x0110),
        (ResetKind::ControllerLevel, 0x0111),
    ];
    let actions = [
        CommitAction::ReplaceAndActivate,
        CommitAction::ReplaceAndActivateImmediately,
    ];
    for (kind, field) in cases {
        for ca in actions {
            let mut ctrl = with_firmware(FirmwareConfig {
                reset_required: Some(kind),
                ..FirmwareConfig::default()
            });
            download(&mut ctrl, &image_for(b"4.0     "));
            let s = commit(&mut ctrl, 2, ca);
            assert_eq!(s.to_field(), field, "{ca:?}");
            assert_eq!(s.class(), StatusClass::NeedsReset { reset: kind });
            assert!(!s.dnr, "the commit succeeded");
            assert_eq!(running(&mut ctrl), "1.0", "{ca:?} waits for the reset");
            assert_eq!(slots(&mut ctrl).next_reset_slot, Some(2));
            if kind != ResetKind::ControllerLevel {
                ctrl.reset(ResetKind::ControllerLevel).unwrap();
                assert_eq!(running(&mut ctrl), "1.0", "{kind:?} needs a stronger reset");
            }
            ctrl.reset(kind).unwrap();
            assert_eq!(running(&mut ctrl), "4.0");
        }
    }
}

#[test]
fn a_power_cycle_activates_whatever_waits() {
    let mut ctrl = with_firmware(FirmwareConfig {
        reset_required: Some(ResetKind::NvmSubsystem),
        ..FirmwareConfig::default()
    });
    download(&mut ctrl, &image_for(b"4.1     "));
    commit(&mut ctrl, 3, CommitAction::ReplaceAndActivate);
    ctrl.power_cycle().unwrap();
    assert_eq!(running(&mut ctrl), "4.1");
    assert_eq!(slots(&mut ctrl).active_slot, 3);
}

#[test]
fn overlapping_ranges_are_rejected() {
    let mut ctrl = with_firmware(FirmwareConfig::default());
    let img = image_for(b"2.0     ");
    ok(
        &mut ctrl,
        &FirmwareImageDownload::new(0, &img[..8192]).unwrap(),
    );
    let again = FirmwareImageDownload::new(4096, &img[4096..8192]).unwrap();
    let s = Status::from_field(status(&mut ctrl, &again));
    assert_eq!((s.sct, s.sc, s.dnr), (1, 0x14, true));
    assert_eq!(s.name(), Some("Overlapping Range"));
    // The rest still completes the image.
    ok(
        &mut ctrl,
        &FirmwareImageDownload::new(8192, &img[8192..]).unwrap(),
    );
    assert!(commit(&mut ctrl, 2, CommitAction::ReplaceNoActivate).is_success());
}

#[test]
fn pieces_must_follow_the_update_granularity() {
    let mut ctrl = with_firmware(FirmwareConfig {
        fwug: 2,
        ..FirmwareConfig::default()
    });
    let img = image_for(b"2.0     ");
    // FWUG 02h = 8 KiB: a piece at 4 KiB is misaligned.
    let misaligned = FirmwareImageDownload::new(4096, &img[4096..8192]).unwrap();
    assert_eq!(status(&mut ctrl, &misaligned), 0x4002);
    // A short piece ends the image; the piece after it would be misaligned.
    ok(
        &mut ctrl,
        &FirmwareImageDownload::new(0, &img[..4096]).unwrap(),
    );
    assert_eq!(status(&mut ctrl, &misaligned), 0x4002);
    // With no restriction (FFh) any dword offset works.
    let mut free = with_firmware(FirmwareConfig {
        fwug: 0xff,
        ..FirmwareConfig::default()
    });
    for (i, piece) in img.chunks(100).enumerate() {
        ok(
            &mut free,
            &FirmwareImageDownload::new(i as u64 * 100, piece).unwrap(),
        );
    }
    assert!(commit(&mut free, 2, CommitAction::ReplaceNoActivate).is_success());
}

#[test]
fn images_beyond_the_limit_are_invalid_fields() {
    let mut ctrl = with_firmware(FirmwareConfig {
        max_image_bytes: 8192,
        ..FirmwareConfig::default()
    });
    let piece = [0u8; 4096];
    ok(
        &mut ctrl,
        &FirmwareImageDownload::new(4096, &piece).unwrap(),
    );
    assert_eq!(
        status(
            &mut ctrl,
            &FirmwareImageDownload::new(8192, &piece).unwrap()
        ),
        0x4002
    );
}

#[test]
fn gaps_and_bad_images_are_invalid_images() {
    let mut ctrl = with_firmware(FirmwareConfig::default());
    let img = image_for(b"2.0     ");
    ok(
        &mut ctrl,
        &FirmwareImageDownload::new(0, &img[..4096]).unwrap(),
    );
    ok(
        &mut ctrl,
        &FirmwareImageDownload::new(8192, &img[8192..]).unwrap(),
    );
    let s = commit(&mut ctrl, 2, CommitAction::ReplaceAndActivate);
    assert_eq!((s.sct, s.sc), (1, 0x07), "a gap at 4 KiB");
    assert_eq!(s.name(), Some("Invalid Firmware Image"));
    let log = slots(&mut ctrl);
    assert_eq!((log.frs[1].clone(), log.next_reset_slot), (None, None));

    let mut bad = img.clone();
    bad[0] ^= 0xff;
    download(&mut ctrl, &bad);
    assert_eq!(
        commit(&mut ctrl, 2, CommitAction::ReplaceNoActivate).sc,
        0x07
    );
    // Nothing downloaded (the failed commit consumed the image).
    assert_eq!(
        commit(&mut ctrl, 2, CommitAction::ReplaceNoActivate).sc,
        0x07
    );
    // An empty slot cannot be activated.
    assert_eq!(
        commit(&mut ctrl, 3, CommitAction::Activate).to_field(),
        0x4107
    );
}

#[test]
fn a_profile_can_reject_every_image() {
    let mut ctrl = with_firmware(FirmwareConfig {
        validate: |_| Err(ImageError::Refused),
        ..FirmwareConfig::default()
    });
    download(&mut ctrl, &image_for(b"2.0     "));
    assert_eq!(
        commit(&mut ctrl, 2, CommitAction::ReplaceAndActivate).to_field(),
        0x4107
    );
}

#[test]
fn invalid_slots_are_rejected() {
    let mut ctrl = with_firmware(FirmwareConfig::default());
    download(&mut ctrl, &image_for(b"2.0     "));
    for fs in [4, 7] {
        let s = commit(&mut ctrl, fs, CommitAction::ReplaceAndActivate);
        assert_eq!(s.to_field(), 0x4106, "slot {fs} of 3");
        assert_eq!(s.name(), Some("Invalid Firmware Slot"));
    }
    assert_eq!(
        commit(&mut ctrl, 4, CommitAction::Activate).to_field(),
        0x4106
    );
    // The image is still there for a commit to a valid slot.
    assert!(commit(&mut ctrl, 3, CommitAction::ReplaceNoActivate).is_success());
}

#[test]
fn a_read_only_slot_1_cannot_be_replaced() {
    let mut ctrl = with_firmware(FirmwareConfig {
        slot1_read_only: true,
        slots: 2,
        ..FirmwareConfig::default()
    });
    let id = ok(&mut ctrl, &IdentifyController::controller());
    assert!(id.frmw.first_slot_read_only);
    assert_eq!(id.frmw.slots, 2);
    download(&mut ctrl, &image_for(b"2.0     "));
    assert_eq!(
        commit(&mut ctrl, 1, CommitAction::ReplaceNoActivate).to_field(),
        0x4106
    );
    assert!(commit(&mut ctrl, 0, CommitAction::ReplaceAndActivate).is_success());
    ctrl.reset(ResetKind::ControllerLevel).unwrap();
    assert_eq!(
        (running(&mut ctrl), slots(&mut ctrl).active_slot),
        ("2.0".into(), 2)
    );
    // Slot 1 can still be activated: going back to the factory image.
    assert!(commit(&mut ctrl, 1, CommitAction::Activate).is_success());
    ctrl.reset(ResetKind::ControllerLevel).unwrap();
    assert_eq!(running(&mut ctrl), "1.0");
}

#[test]
fn a_reset_discards_a_partial_download() {
    let mut ctrl = with_firmware(FirmwareConfig::default());
    let img = image_for(b"2.0     ");
    ok(
        &mut ctrl,
        &FirmwareImageDownload::new(0, &img[..4096]).unwrap(),
    );
    ctrl.reset(ResetKind::ControllerLevel).unwrap();
    ok(
        &mut ctrl,
        &FirmwareImageDownload::new(0, &img[..4096]).unwrap(),
    );
    ok(
        &mut ctrl,
        &FirmwareImageDownload::new(4096, &img[4096..]).unwrap(),
    );
    assert!(commit(&mut ctrl, 2, CommitAction::ReplaceNoActivate).is_success());
}

#[test]
fn boot_partition_actions_are_invalid_fields() {
    let mut ctrl = with_firmware(FirmwareConfig::default());
    for ca in [
        CommitAction::ReplaceBootPartition,
        CommitAction::ActivateBootPartition,
    ] {
        assert_eq!(commit(&mut ctrl, 0, ca).to_field(), 0x4002);
    }
}

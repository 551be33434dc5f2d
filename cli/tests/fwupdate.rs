//! `scsitool fwupdate` end to end on the emulated devices: updates over WRITE BUFFER
//! (SPC-5 6.49) and NVMe Firmware Image Download / Commit (NVMe Base 2.0 5.13, 5.14),
//! through the JMicron tunnel, the outcomes and their exit codes, `--reset`, the
//! manifest's checks, `--dry-run`, and a download killed with SIGKILL then rerun.
//! Images are in the emulator's format (`emulator::image`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{json_exiting, Scratch};
use emulator::image::{NVME, SCSI};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A manifest beside `image` naming `vendor`, `model`, `from` and `revision`, with the
/// image's CRC-32 (or `crc32` when given).
fn manifest(image: &str, model: &str, revision: &str, crc32: Option<u32>) {
    let bytes = std::fs::read(image).unwrap();
    let crc = crc32.unwrap_or_else(|| firmware::state::crc32(&bytes));
    let vendor = if image.contains("nvme") {
        "NVMe"
    } else {
        "SCSITOOL"
    };
    let from = if vendor == "NVMe" { "1.0" } else { "0001" };
    std::fs::write(
        format!("{image}.toml"),
        format!(
            "vendor = \"{vendor}\"\nmodels = [\"{model}\"]\nfrom_revisions = [\"{from}\"]\n\
             revision = \"{revision}\"\ncrc32 = \"{crc:08x}\"\n"
        ),
    )
    .unwrap();
}

/// The outcome's tag and the whole report of `fwupdate ARGS`, which must exit `code`.
fn fwupdate(args: &[&str], code: i32) -> (String, Value) {
    let mut full = vec!["fwupdate"];
    full.extend_from_slice(args);
    let report = json_exiting("fwupdate", &full, code);
    assert_eq!(report["exit_status"], code, "{report}");
    let tag = report["outcome"]["outcome"]
        .as_str()
        .unwrap_or("none")
        .to_string();
    (tag, report)
}

/// The PRODUCT REVISION LEVEL (SPC-5 6.7.2) of the emulated disk before an update.
const SCSI_FROM: &str = "0001";

#[test]
fn a_scsi_disk_is_updated_with_deferred_microcode_and_reports_the_new_revision() {
    let dir = Scratch::new("fwupdate-scsi");
    let image = dir.write("scsi.bin", &SCSI.build("0002", &[0x5a; 20_000]));
    manifest(&image, "SIM DISK", "0002", None);
    let (tag, report) = fwupdate(&[&image, "sim:?size=1M"], 0);
    assert_eq!(tag, "updated_active", "{report}");
    assert_eq!(report["outcome"]["from"], SCSI_FROM);
    assert_eq!(report["outcome"]["to"], "0002");
    // Mode 0Eh (download with offsets, save, defer), activated by mode 0Fh (SPC-5 6.49).
    assert_eq!(report["prepared"]["plan"]["method"]["mode"], "mode0_eh");
    assert_eq!(report["update"]["verified"]["revision"], "0002");
    assert_eq!(report["update"]["download"]["start"]["start"], "fresh");
    assert_eq!(report["manifest"]["revision"], "0002");
    // The profile delays only modes 05h and 07h to a hard reset; deferred microcode
    // activated by mode 0Fh runs at once.
    let (tag, report) = fwupdate(&[&image, "sim:fw-needs-reset?size=1M"], 0);
    assert_eq!(tag, "updated_active", "{report}");
}

#[test]
fn an_nvme_commit_that_needs_a_reset_is_pending_and_reset_activates_it() {
    let dir = Scratch::new("fwupdate-nvme-reset");
    let image = dir.write("nvme.bin", &NVME.build("3.0", &[7; 8192]));
    manifest(&image, "scsitool emulated NVMe", "3.0", None);
    for device in [
        "sim:nvme,fw-needs-reset?size=1M",
        "sim:bridge-jmicron,fw-needs-reset?size=1M",
    ] {
        let (tag, report) = fwupdate(&[&image, device], 10);
        assert_eq!(tag, "pending_reset", "{device}: {report}");
        // Firmware Activation Requires Controller Level Reset (NVMe Base 2.0 5.13).
        assert_eq!(report["outcome"]["reset"], "controller_level", "{device}");
        assert_eq!(report["update"]["verified"]["revision"], "1.0", "{device}");
        let (tag, report) = fwupdate(&["--reset", &image, device], 0);
        assert_eq!(tag, "updated_active", "{device}: {report}");
        assert_eq!(report["outcome"]["to"], "3.0", "{device}");
        assert_eq!(report["reset"]["verified"]["revision"], "3.0", "{device}");
        assert!(report["reset"]["error"].is_null(), "{device}: {report}");
    }
    let (tag, report) = fwupdate(&[&image, "sim:nvme?size=1M"], 0);
    assert_eq!(tag, "updated_active", "{report}");
    // Commit Action 011b, activated by the commit (FRMW bit 4).
    assert_eq!(
        report["prepared"]["plan"]["method"]["commit_action"],
        "replace_and_activate_immediately"
    );
}

#[test]
fn rejected_images_leave_the_device_unchanged() {
    let dir = Scratch::new("fwupdate-reject");
    let scsi = dir.write("scsi.bin", &SCSI.build("0002", &[1; 4000]));
    let nvme = dir.write("nvme.bin", &NVME.build("3.0", &[1; 4096]));
    let (tag, report) = fwupdate(&["--yes", &scsi, "sim:fw-reject-image?size=1M"], 12);
    assert_eq!(tag, "failed_unchanged", "{report}");
    // INVALID FIELD IN PARAMETER LIST (SPC-5 table 59).
    assert!(report["outcome"]["why"]
        .as_str()
        .unwrap()
        .contains("26h/00h"));
    let (tag, report) = fwupdate(&["--yes", &nvme, "sim:nvme,fw-reject-image?size=1M"], 12);
    assert_eq!(tag, "failed_unchanged", "{report}");
    // Invalid Firmware Image (Command Specific Status 07h, Base 2.0 5.13).
    assert!(report["outcome"]["why"]
        .as_str()
        .unwrap()
        .contains("0x4107"));
    // A manifest promising another revision than the one the device runs afterwards: the
    // state is unknown, and the report says what to do.
    manifest(&nvme, "scsitool emulated NVMe", "9.9", None);
    let (tag, report) = fwupdate(&[&nvme, "sim:nvme?size=1M"], 13);
    assert_eq!(tag, "failed_unknown", "{report}");
    assert!(report["outcome"]["why"].as_str().unwrap().contains("9.9"));
    assert!(report["outcome"]["next_step"]
        .as_str()
        .unwrap()
        .contains("power cycle"));
}

#[test]
fn bridges_that_cannot_carry_the_download_are_refused_before_sending() {
    let dir = Scratch::new("fwupdate-bridges");
    let scsi = dir.write("scsi.bin", &SCSI.build("0002", &[1; 4000]));
    let nvme = dir.write("nvme.bin", &NVME.build("5.0", &[1; 3 * 4096]));
    let (tag, report) = fwupdate(&["--yes", &scsi, "sim:bridge-no-write-buffer?size=1M"], 11);
    assert_eq!(tag, "refused", "{report}");
    assert!(report["update"]["download"].is_null());
    assert!(report["update"]["plan"].is_null());
    let (tag, report) = fwupdate(&["--yes", &nvme, "sim:bridge-asmedia?size=1M"], 11);
    assert_eq!(tag, "refused", "{report}");
    assert!(report["outcome"]["why"]
        .as_str()
        .unwrap()
        .contains("data-in"));
    for device in [
        "sim:bridge-jmicron?size=1M",
        "sim:bridge-jmicron?size=1M&usb=uas",
    ] {
        let (tag, report) = fwupdate(&["--yes", &nvme, device], 0);
        assert_eq!(tag, "updated_active", "{device}: {report}");
        assert_eq!(report["outcome"]["to"], "5.0");
        assert_eq!(report["prepared"]["capabilities"]["tunnel"], "jmicron");
    }
}

#[test]
fn the_manifest_guards_the_update() {
    let dir = Scratch::new("fwupdate-manifest");
    let image = dir.write("scsi.bin", &SCSI.build("0002", &[3; 4000]));
    // A checksum that is not the image's: refused, --force or not.
    manifest(&image, "SIM DISK", "0002", Some(0x1234_5678));
    for args in [
        vec![&*image, "sim:?size=1M"],
        vec!["--force", &image, "sim:?size=1M"],
    ] {
        let (tag, report) = fwupdate(&args, 11);
        assert_eq!(tag, "refused", "{report}");
        assert!(report["outcome"]["why"]
            .as_str()
            .unwrap()
            .contains("CRC-32"));
        assert!(report["prepared"].is_null(), "nothing probed: {report}");
    }
    // Another model: refused listing the mismatch, then accepted with --force.
    manifest(&image, "OTHER DISK", "0002", None);
    let (tag, report) = fwupdate(&[&image, "sim:?size=1M"], 11);
    assert_eq!(tag, "refused", "{report}");
    let why = report["outcome"]["why"].as_str().unwrap();
    assert!(
        why.contains("model 'SIM DISK'") && why.contains("OTHER DISK"),
        "{why}"
    );
    assert!(report["update"].is_null(), "nothing downloaded");
    let (tag, report) = fwupdate(&["--force", &image, "sim:?size=1M"], 0);
    assert_eq!(tag, "updated_active", "{report}");
    assert_eq!(report["manifest"]["forced"], true);
    // With a manifest and no DEVICE, discovery picks; no discovered device is the
    // emulated one.
    let (tag, _) = fwupdate(&[&image], 11);
    assert_eq!(tag, "refused");
}

#[test]
fn without_a_manifest_the_update_needs_a_device_and_a_confirmation() {
    let dir = Scratch::new("fwupdate-confirm");
    let image = dir.write("scsi.bin", &SCSI.build("0002", &[3; 4000]));
    // Standard input is not a terminal here.
    let (tag, report) = fwupdate(&[&image, "sim:?size=1M"], 11);
    assert_eq!(tag, "refused", "{report}");
    assert!(report["outcome"]["why"].as_str().unwrap().contains("--yes"));
    assert!(report["update"].is_null());
    let (tag, report) = fwupdate(&[&image], 11);
    assert_eq!(tag, "refused", "{report}");
    assert!(report["outcome"]["why"]
        .as_str()
        .unwrap()
        .contains("DEVICE"));
    let out = common::scsitool(&["fwupdate", "/nonexistent/image.bin", "sim:"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

#[test]
fn a_dry_run_lists_the_commands_and_sends_none() {
    let dir = Scratch::new("fwupdate-dry");
    let image = dir.write("scsi.bin", &SCSI.build("0002", &[9; 20_000]));
    let state = dir.path("elsewhere.fwstate");
    let (tag, report) = fwupdate(&["--dry-run", "--state", &state, &image, "sim:?size=1M"], 0);
    assert_eq!(tag, "none", "{report}");
    assert_eq!(report["state_file"], state.as_str());
    let commands = report["commands"].as_array().unwrap();
    // WRITE BUFFER mode 0Eh with the image, then mode 0Fh (SPC-5 6.49): opcode 3Bh,
    // MODE in byte 1, PARAMETER LIST LENGTH in bytes 6-8.
    let first = commands[0]["bytes"].as_str().unwrap();
    assert!(first.starts_with("3b 0e 00 00 00 00"), "{first}");
    assert!(first.ends_with("00 4e 34 00"), "{first}"); // 20_020 bytes
    assert_eq!(commands[0]["data_out"], 20_020);
    let last = commands.last().unwrap()["bytes"].as_str().unwrap();
    assert!(last.starts_with("3b 0f"), "{last}");
    assert!(report["update"].is_null());
    assert!(!Path::new(&format!("{image}.fwstate")).exists());
    let (tag, report) = fwupdate(&["--yes", &image, "sim:?size=1M"], 0);
    assert_eq!(tag, "updated_active", "{report}");
    assert_eq!(report["update"]["download"]["start"]["start"], "fresh");
}

#[test]
fn max_chunk_caps_each_download_command_within_the_devices_rules() {
    let dir = Scratch::new("fwupdate-chunk");
    let image = dir.write("scsi.bin", &SCSI.build("0002", &[7; 20_000]));
    let (_, report) = fwupdate(
        &["--dry-run", "--max-chunk", "4K", &image, "sim:?size=1M"],
        0,
    );
    let commands = report["commands"].as_array().unwrap();
    // 20_020 bytes in 4096-byte chunks (multiples of the 512-byte offset boundary): five
    // WRITE BUFFER 0Eh, then 0Fh.
    assert_eq!(commands.len(), 6, "{report}");
    let sizes: Vec<u64> = commands
        .iter()
        .map(|c| c["data_out"].as_u64().unwrap())
        .collect();
    assert_eq!(sizes, [4096, 4096, 4096, 4096, 3636, 0]);
    // A cap that is not a multiple of the boundary is rounded down to one.
    let (_, report) = fwupdate(
        &["--dry-run", "--max-chunk", "5000", &image, "sim:?size=1M"],
        0,
    );
    let first = &report["commands"][0]["data_out"];
    assert_eq!(first, 4608, "{report}");
    // The update itself honours it.
    let (tag, report) = fwupdate(&["--yes", "--max-chunk", "4K", &image, "sim:?size=1M"], 0);
    assert_eq!(tag, "updated_active", "{report}");
    assert_eq!(report["update"]["download"]["chunks_sent"], 5, "{report}");
}

/// SIGKILL mid-download, then a rerun. The child's standard error is a pipe filled to
/// within a few bytes of its capacity and never read: the child blocks writing its first
/// progress line, which it writes after saving the state file, so once the state file
/// exists the child cannot finish, whenever it is killed.
#[cfg(target_os = "linux")]
#[test]
fn a_killed_download_is_rerun_from_its_state_file() {
    use std::io::Write;
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let dir = Scratch::new("fwupdate-kill");
    let image = dir.write("nvme.bin", &NVME.build("4.0", &vec![0xa5; (12 << 20) - 24]));
    manifest(&image, "scsitool emulated NVMe", "4.0", None);
    let medium = dir.path("medium.img");
    let device = format!("sim:nvme,{medium}?size=1M");
    let state = PathBuf::from(format!("{image}.fwstate"));

    let mut fds = [0; 2];
    // SAFETY: fds has room for the two descriptors pipe() returns.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: both descriptors were just created and are owned here only.
    let (read_end, write_end) =
        unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    // SAFETY: fcntl on a valid pipe descriptor.
    let size = unsafe {
        libc::fcntl(fds[1], libc::F_SETPIPE_SZ, 4096);
        libc::fcntl(fds[1], libc::F_GETPIPE_SZ)
    };
    assert!(size >= 4096, "{size}");
    let mut writer = std::fs::File::from(write_end.try_clone().unwrap());
    writer
        .write_all(&vec![b'.'; usize::try_from(size).unwrap() - 4])
        .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_scsitool"))
        .args(["fwupdate", &image, &device])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(write_end))
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while !state.exists() {
        assert!(child.try_wait().unwrap().is_none(), "the child ended early");
        assert!(Instant::now() < deadline, "no state file");
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    assert!(!child.wait().unwrap().success());
    drop((read_end, writer));
    let saved: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    let acknowledged = saved["acknowledged"].as_u64().unwrap();
    assert!(acknowledged > 0 && acknowledged < 12 << 20, "{saved}");

    // The new process's controller lost the earlier pieces (a fresh emulator): the
    // resumed download's commit gets Invalid Firmware Image, and it is sent again from 0.
    let (tag, report) = fwupdate(&[&image, &device], 0);
    assert_eq!(tag, "updated_active", "{report}");
    assert_eq!(report["outcome"]["to"], "4.0");
    let start = &report["update"]["download"]["start"];
    assert_eq!(start["start"], "restarted", "{report}");
    assert!(start["why"]
        .as_str()
        .unwrap()
        .contains(&acknowledged.to_string()));
    assert!(
        !state.exists(),
        "the state file is removed after the update"
    );
}

#[test]
fn people_read_the_plan_what_happened_and_what_to_do_next() {
    let dir = Scratch::new("fwupdate-human");
    let image = dir.write("nvme.bin", &NVME.build("3.0", &[7; 8192]));
    let out = common::scsitool(&[
        "fwupdate",
        "--yes",
        &image,
        "sim:nvme,fw-needs-reset?size=1M",
    ]);
    assert_eq!(out.status.code(), Some(10), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("plan: 8216 bytes by Firmware Image Download"),
        "{text}"
    );
    assert!(text.contains("Commit Action 011b"), "{text}");
    assert!(text.contains("revision 1.0 still runs"), "{text}");
    assert!(text.contains("Next: reset the NVMe controller"), "{text}");
    let progress = String::from_utf8(out.stderr).unwrap();
    assert!(
        progress.contains("downloaded 8216 of 8216 bytes (100 %)"),
        "{progress}"
    );
}

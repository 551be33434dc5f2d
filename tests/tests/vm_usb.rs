//! scsitool's userspace USB backend (usbfs, `usb:` names) against a real kernel and QEMU's
//! USB mass-storage devices: boots the test VM (tests/vm/run) with
//! tests/vm/scenarios/usb-userspace.sh, which detaches the kernel's usb-storage / uas
//! driver through scsitool, drives the device, and checks afterwards that the kernel got
//! it back; here, on the host, the answers are checked against the standards and against
//! what sg3_utils reads through the kernel once the device is handed back.
//!
//! One boot serves every test in this file. Like vm_linux.rs it fails, never skips, when
//! the VM cannot run.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The USB mass-storage devices of the standard set, by how they are attached.
const USB_LABELS: [&str; 3] = ["bot", "uas-ss", "uas-hs"];
/// The transfer sizes of the round trips, in 512-byte blocks.
const SIZES: [usize; 4] = [1, 8, 64, 128];
/// 128 + SIGINT: what scsitool exits with after giving the interface back on a signal.
const EXIT_ON_SIGNAL: i32 = 130;

/// The scenario's output directory, from one VM boot shared by every test.
fn out() -> &'static Path {
    static OUT: OnceLock<PathBuf> = OnceLock::new();
    OUT.get_or_init(|| scsitool_tests::run_vm("usb-userspace.sh", true))
}

/// A step's standard output (or a file the scenario left).
fn text(name: &str) -> String {
    std::fs::read_to_string(out().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A file's bytes.
fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(out().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A step's exit status.
fn rc(name: &str) -> i32 {
    text(&format!("{name}.rc")).trim().parse().unwrap()
}

/// A step's standard error.
fn err(name: &str) -> String {
    text(&format!("{name}.err"))
}

/// A scsitool `--json` step that must have exited with `code`.
fn json(name: &str, code: i32) -> Value {
    assert_eq!(rc(name), code, "{name}: {}", err(name));
    serde_json::from_str(&text(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The value after `key` on the line of `output` that contains it, trimmed.
fn after<'a>(output: &'a str, key: &str) -> &'a str {
    output
        .lines()
        .find_map(|line| line.split_once(key).map(|(_, v)| v.trim()))
        .unwrap_or_else(|| panic!("'{key}' not in:\n{output}"))
}

/// Hex bytes separated by spaces, as our JSON prints them.
fn hex_bytes(hex: &str) -> Vec<u8> {
    hex.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect()
}

/// The kernel's disk on the device's interface, as the scenario recorded it after a step:
/// present in /sys/block and /dev.
fn disk_back(name: &str) -> String {
    let disk = text(name).trim().to_string();
    assert!(
        disk.starts_with("sd"),
        "{name}: the kernel's disk did not come back ({disk})"
    );
    disk
}

#[test]
fn every_usb_device_of_the_standard_set_was_found() {
    let devices = text("usb-devices");
    for label in USB_LABELS {
        assert!(
            devices.lines().any(|l| l.starts_with(&format!("{label} "))),
            "{label} missing:\n{devices}"
        );
        disk_back(&format!("{label}.disk-before"));
    }
}

#[test]
fn inquiry_over_usbfs_agrees_with_sg_inq_through_the_kernel() {
    for name in ["bot.inquiry.json", "bot.inquiry-bot.json"] {
        let ours = json(name, 0);
        let data = &ours["inquiry"]["data"];
        let sg = text("bot.sg_inq");
        for (field, key) in [
            ("t10_vendor_identification", "Vendor identification:"),
            ("product_identification", "Product identification:"),
            ("product_revision_level", "Product revision level:"),
        ] {
            assert_eq!(data[field], after(&sg, key), "{name} {field}");
        }
        // SPC-5 6.7.2: a direct access block device (00h), connected.
        assert_eq!(data["peripheral_device_type"]["code"], 0, "{name}");
        assert_eq!(data["peripheral_qualifier"]["code"], 0, "{name}");
    }
}

#[test]
fn read_capacity_over_usbfs_agrees_with_sg_readcap() {
    let ours = json("bot.readcap.json", 0);
    let sg = text("bot.sg_readcap");
    let last_lba: u64 = after(&sg, "Last LBA=")
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(ours["last_lba"], last_lba);
    assert_eq!(ours["block_length"], 512);
    // The VM's 64 MiB image in 512-byte blocks.
    assert_eq!(last_lba, 64 * 1024 * 1024 / 512 - 1);
}

#[test]
fn data_written_through_usbfs_reads_back_through_usbfs_and_the_kernel() {
    for n in SIZES {
        json(&format!("bot.write.{n}.json"), 0);
        let read = json(&format!("bot.read.{n}.json"), 0);
        assert_eq!(read["residual"], 0, "{n} blocks");
        let pattern = bytes(&format!("bot.pattern.{n}"));
        assert_eq!(pattern.len(), n * 512);
        assert_eq!(
            bytes(&format!("bot.usbfs.{n}")),
            pattern,
            "{n} blocks via usbfs"
        );
        assert_eq!(
            rc(&format!("bot.kernel.{n}")),
            0,
            "{}",
            err(&format!("bot.kernel.{n}"))
        );
        assert_eq!(
            bytes(&format!("bot.kernel.{n}")),
            pattern,
            "{n} blocks via the kernel"
        );
    }
}

#[test]
fn sequential_reads_move_every_byte_asked() {
    let ours = json("bot.read-8m.json", 0);
    assert_eq!(ours["bytes"], 8 * 1024 * 1024);
    assert_eq!(ours["block_size"], 512);
}

#[test]
fn synchronize_cache_completes() {
    let ours = json("bot.sync.json", 0);
    assert!(ours.is_object(), "{ours}");
}

#[test]
fn the_sense_of_an_unsupported_command_arrives_intact() {
    // WRITE BUFFER mode 05h, which QEMU's disk does not implement: CHECK CONDITION with
    // ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE (SPC-5 4.4, Table 51: 20h/00h),
    // fetched by the Bulk-Only transport's REQUEST SENSE (BOT has no autosense).
    let ours = json("bot.write-buffer.json", 5);
    assert_eq!(ours["status"]["code"], 2);
    let sense = hex_bytes(ours["sense_bytes"].as_str().unwrap());
    let decoded = cdb::sense::decode(&sense).unwrap();
    assert_eq!(
        decoded.sense_key_code(),
        Some(cdb::sense::key::ILLEGAL_REQUEST)
    );
    assert_eq!(decoded.asc_ascq(), Some((0x20, 0x00)));
}

#[test]
fn the_kernel_gets_the_device_back_after_every_run() {
    for step in [
        "bot.back-inquiry",
        "bot.back-io",
        "bot.back-sigINT",
        "bot.back-sigTERM",
        "uas-ss.back-inquiry",
        "uas-ss.back-uas",
        "uas-hs.back-inquiry",
        "uas-hs.back-uas",
    ] {
        disk_back(step);
    }
}

#[test]
fn a_terminating_signal_gives_the_interface_back_and_exits_130() {
    for sig in ["sigINT", "sigTERM"] {
        assert_eq!(rc(&format!("bot.{sig}")), EXIT_ON_SIGNAL, "{sig}");
        disk_back(&format!("bot.back-{sig}"));
    }
}

#[test]
fn the_wire_trace_shows_the_bulk_only_transfers() {
    assert_eq!(rc("bot.trace"), 0, "{}", err("bot.trace"));
    let trace = err("bot.trace");
    assert!(trace.contains("CBW"), "{trace}");
    assert!(trace.contains("CSW"), "{trace}");
}

#[test]
fn uas_devices_answer_or_are_refused_and_handed_back() {
    for l in ["uas-ss", "uas-hs"] {
        for step in ["inquiry.json", "inquiry-uas.json"] {
            let name = format!("{l}.{step}");
            if rc(&name) == 0 {
                // Once the UAS host transport is in: a direct access device answers.
                let ours = json(&name, 0);
                let data = &ours["inquiry"]["data"];
                assert_eq!(data["peripheral_device_type"]["code"], 0, "{name}");
            } else {
                // Until then the refusal names what is missing.
                let message = err(&name);
                assert!(
                    message.contains("Bulk-Only") || message.contains("UAS"),
                    "{name}: {message}"
                );
            }
        }
    }
}

#[test]
fn an_interface_another_program_holds_is_busy() {
    assert_ne!(rc("bot.busy"), 0);
    let message = err("bot.busy");
    assert!(message.contains("interface 0 is busy"), "{message}");
    assert!(message.contains("another program holds it"), "{message}");
}

#[test]
fn a_user_without_rw_on_the_node_is_told_which_permission_is_missing() {
    assert_ne!(rc("bot.nobody"), 0);
    let message = err("bot.nobody");
    let bus_addr = after(&text("usb-devices"), "bot ")
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let (bus, addr) = bus_addr.split_once('.').unwrap();
    let node = format!(
        "/dev/bus/usb/{:03}/{:03}",
        bus.parse::<u32>().unwrap(),
        addr.parse::<u32>().unwrap()
    );
    assert!(message.contains(&node), "{message}");
    assert!(message.contains("permission denied"), "{message}");
    assert!(message.contains("udev rule granting rw"), "{message}");
}

#[test]
fn a_disk_whose_partition_is_swap_is_not_detached() {
    assert_ne!(rc("swap.inquiry"), 0);
    let partition = text("swap.partition").trim().to_string();
    let message = err("swap.inquiry");
    assert!(
        message.contains(&format!("{partition} in use as swap")),
        "{message}"
    );
    assert!(message.contains("refusing to detach"), "{message}");
    // The disk never left.
    let disk = disk_back("swap.disk-after");
    assert!(partition.starts_with(&disk), "{partition} on {disk}");
}

#[test]
fn names_that_find_no_single_device_are_explained() {
    assert_ne!(rc("name.none"), 0);
    assert!(err("name.none").contains("no such USB device"));
    assert_ne!(rc("name.several"), 0);
    let several = err("name.several");
    assert!(several.contains("matches 2 devices"), "{several}");
    for l in ["uas-ss", "uas-hs"] {
        let name = text(&format!("{l}.name")).trim().to_string();
        assert!(several.contains(&name), "{name} not listed: {several}");
    }
    assert_ne!(rc("name.bad"), 0);
    assert!(err("name.bad").contains("expected usb:VID:PID"));
}

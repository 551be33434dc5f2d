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

use scsitool_tests::{after, assert_listed, hex_bytes, ScenarioOutput};
use std::sync::OnceLock;

/// The USB mass-storage devices of the standard set, by how they are attached.
const USB_LABELS: [&str; 3] = ["bot", "uas-ss", "uas-hs"];
/// The transfer sizes of the round trips, in 512-byte blocks.
const SIZES: [usize; 4] = [1, 8, 64, 128];
/// 128 + SIGINT: what scsitool exits with after giving the interface back on a signal.
const EXIT_ON_SIGNAL: i32 = 130;

/// The scenario's outputs, from one VM boot shared by every test.
fn out() -> &'static ScenarioOutput {
    static OUT: OnceLock<ScenarioOutput> = OnceLock::new();
    OUT.get_or_init(|| ScenarioOutput::boot("usb-userspace.sh"))
}

/// The kernel's disk on the device's interface, as the scenario recorded it after a step:
/// present in /sys/block and /dev.
fn disk_back(name: &str) -> String {
    let disk = out().text(name).trim().to_string();
    assert!(
        disk.starts_with("sd"),
        "{name}: the kernel's disk did not come back ({disk})"
    );
    disk
}

#[test]
fn every_usb_device_of_the_standard_set_was_found() {
    let devices = out().text("usb-devices");
    for label in USB_LABELS {
        assert_listed(&devices, label);
        disk_back(&format!("{label}.disk-before"));
    }
}

#[test]
fn inquiry_over_usbfs_agrees_with_sg_inq_through_the_kernel() {
    for l in USB_LABELS {
        let sg = out().text(&format!("{l}.sg_inq"));
        for step in ["inquiry.json", "inquiry-proto.json"] {
            let name = format!("{l}.{step}");
            let ours = out().json(&name, 0);
            let data = &ours["inquiry"]["data"];
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
}

#[test]
fn read_capacity_over_usbfs_agrees_with_sg_readcap() {
    for l in USB_LABELS {
        let ours = out().json(&format!("{l}.readcap.json"), 0);
        let sg = out().text(&format!("{l}.sg_readcap"));
        let last_lba: u64 = after(&sg, "Last LBA=")
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(ours["last_lba"], last_lba, "{l}");
        assert_eq!(ours["block_length"], 512, "{l}");
        // The VM's 64 MiB images in 512-byte blocks.
        assert_eq!(last_lba, 64 * 1024 * 1024 / 512 - 1, "{l}");
    }
}

#[test]
fn data_written_through_usbfs_reads_back_through_usbfs_and_the_kernel() {
    for l in USB_LABELS {
        for n in SIZES {
            out().json(&format!("{l}.write.{n}.json"), 0);
            let read = out().json(&format!("{l}.read.{n}.json"), 0);
            assert_eq!(read["residual"], 0, "{l}: {n} blocks");
            let pattern = out().bytes(&format!("{l}.pattern.{n}"));
            assert_eq!(pattern.len(), n * 512);
            let usbfs = out().bytes(&format!("{l}.usbfs.{n}"));
            assert_eq!(usbfs, pattern, "{l}: {n} blocks via usbfs");
            let kernel = format!("{l}.kernel.{n}");
            assert_eq!(out().rc(&kernel), 0, "{}", out().err(&kernel));
            assert_eq!(
                out().bytes(&kernel),
                pattern,
                "{l}: {n} blocks via the kernel"
            );
        }
    }
}

#[test]
fn sequential_reads_bring_every_byte_the_kernel_wrote() {
    for l in USB_LABELS {
        let ours = out().json(&format!("{l}.read-8m.json"), 0);
        assert_eq!(ours["bytes"], 8 * 1024 * 1024, "{l}");
        assert_eq!(ours["block_size"], 512, "{l}");
        // The bytes themselves: what the kernel wrote before the device was detached.
        let written = out().text(&format!("{l}.8m.sha"));
        assert_eq!(written.trim().len(), 64, "{l}: {written:?}");
        let read = out().text(&format!("{l}.read-8m.sha"));
        assert_eq!(
            read.trim(),
            written.trim(),
            "{l}: {}",
            out().text(&format!("{l}.read-8m.err"))
        );
    }
}

#[test]
fn verify_with_writes_in_flight_finds_every_block() {
    for l in USB_LABELS {
        let report = out().json(&format!("{l}.verify-queued.json"), 0);
        let tally = &report["outcome"]["verify"]["tally"];
        assert_eq!(tally["faults"], 0, "{l}: {report}");
        let ok = tally["counts"]["ok"].as_u64().unwrap();
        assert_eq!(ok * 512, 8 << 20, "{l}: every block holds its latest write");
        assert_eq!(report["params"]["queue_depth"], 8, "{l}");
    }
}

#[test]
fn synchronize_cache_completes() {
    for l in USB_LABELS {
        let ours = out().json(&format!("{l}.sync.json"), 0);
        assert!(ours.is_object(), "{l}: {ours}");
    }
}

#[test]
fn the_sense_of_an_unsupported_command_arrives_intact() {
    // WRITE BUFFER mode 05h, which QEMU's disk does not implement: CHECK CONDITION with
    // ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE (SPC-5 4.4, Table 51: 20h/00h) —
    // fetched by REQUEST SENSE over Bulk-Only (no autosense), in the Sense IU over UAS.
    for l in USB_LABELS {
        let ours = out().json(&format!("{l}.write-buffer.json"), 5);
        assert_eq!(ours["status"]["code"], 2, "{l}");
        let sense = hex_bytes(ours["sense_bytes"].as_str().unwrap());
        let decoded = cdb::sense::decode(&sense).unwrap();
        assert_eq!(
            decoded.sense_key_code(),
            Some(cdb::sense::key::ILLEGAL_REQUEST),
            "{l}"
        );
        assert_eq!(decoded.asc_ascq(), Some((0x20, 0x00)), "{l}");
    }
}

#[test]
fn the_kernel_gets_the_device_back_after_every_run() {
    for l in USB_LABELS {
        for step in [
            "back-inquiry",
            "back-io",
            "back-trace",
            "back-sigINT",
            "back-sigTERM",
        ] {
            disk_back(&format!("{l}.{step}"));
        }
    }
}

#[test]
fn a_terminating_signal_gives_the_interface_back_and_exits_130() {
    // Mid-run: a long TEST UNIT READY loop, with transfers (over UAS, URBs on streams) in
    // flight when the signal lands.
    for l in USB_LABELS {
        for sig in ["sigINT", "sigTERM"] {
            assert_eq!(out().rc(&format!("{l}.{sig}")), EXIT_ON_SIGNAL, "{l} {sig}");
            disk_back(&format!("{l}.back-{sig}"));
        }
    }
}

#[test]
fn the_wire_trace_shows_the_protocol_blocks() {
    // On uas-hs, with the trace slowing the host down, usbfs returns the Sense IU's
    // completion before the data transfer's (EHCI gives completions back in its
    // schedule's order): the transport waits for the data all the same.
    for (l, blocks, vendor) in [
        ("bot", ["CBW", "CSW", "data-in"], "QEMU"),
        ("uas-ss", ["Command IU", "Sense IU", "data-in"], "SCSITOOL"),
        ("uas-hs", ["Command IU", "Read Ready IU", "data-in"], "QEMU"),
    ] {
        let name = format!("{l}.trace");
        assert_eq!(out().rc(&name), 0, "{}", out().err(&name));
        let trace = out().err(&name);
        for block in blocks {
            assert!(trace.contains(block), "{l}: {block} missing:\n{trace}");
        }
        // The INQUIRY data arrived whole: the disk's vendor is in the decoded answer.
        assert!(
            out().text(&name).contains(vendor),
            "{l}: {}",
            out().text(&name)
        );
    }
}

#[test]
fn a_wedged_device_recovers_through_a_port_reset_keeping_the_interface() {
    // QEMU's usb-storage STALLs every bulk transfer after a direction mismatch until a
    // port reset (Reset Recovery, BOT 5.3.4, does not cure it): the next run must reset
    // the port (USBDEVFS_RESET) and claim the interface again to get its answer.
    assert_ne!(out().rc("bot.mismatch"), 0, "{}", out().err("bot.mismatch"));
    let ours = out().json("bot.after-mismatch.json", 0);
    let sg = out().text("bot.sg_inq");
    assert_eq!(
        ours["inquiry"]["data"]["product_identification"],
        after(&sg, "Product identification:")
    );
    let count = |name: &str| out().text(name).trim().parse::<u32>().unwrap();
    assert!(
        count("bot.resets-after") > count("bot.resets-before"),
        "the kernel logged no port reset"
    );
    // No driver was bound at open (the scenario unbound usb-storage), so none is after.
    assert_eq!(out().text("bot.unbound-after").trim(), "unbound");
    disk_back("bot.back-rebind");
}

#[test]
fn an_interface_another_program_holds_is_busy() {
    for l in USB_LABELS {
        let name = format!("{l}.busy");
        assert_ne!(out().rc(&name), 0, "{name}");
        let message = out().err(&name);
        assert!(message.contains("interface 0 is busy"), "{message}");
        assert!(message.contains("another program holds it"), "{message}");
    }
}

#[test]
fn a_user_without_rw_on_the_node_is_told_which_permission_is_missing() {
    assert_ne!(out().rc("bot.nobody"), 0);
    let message = out().err("bot.nobody");
    let bus_addr = after(&out().text("usb-devices"), "bot ")
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
    assert_ne!(out().rc("swap.inquiry"), 0);
    let partition = out().text("swap.partition").trim().to_string();
    let message = out().err("swap.inquiry");
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
    assert_ne!(out().rc("name.none"), 0);
    assert!(out().err("name.none").contains("no such USB device"));
    assert_ne!(out().rc("name.several"), 0);
    let several = out().err("name.several");
    assert!(several.contains("matches 2 devices"), "{several}");
    for l in ["uas-ss", "uas-hs"] {
        let name = out().text(&format!("{l}.name")).trim().to_string();
        assert!(several.contains(&name), "{name} not listed: {several}");
    }
    assert_ne!(out().rc("name.bad"), 0);
    assert!(out().err("name.bad").contains("expected usb:VID:PID"));
}

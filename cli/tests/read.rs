//! `scsitool read` end to end: data written durably through one run is read back byte
//! for byte by another, directly and over the emulated USB transports, with its report
//! matching the range; ranges and sizes the device cannot satisfy are usage errors.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{json, scsitool, Scratch};

/// 8 blocks of a pattern no block repeats, written with FUA at LBA 16 of `image`.
fn write_pattern(image: &str, dir: &Scratch) -> Vec<u8> {
    let pattern: Vec<u8> = (0..4096u32).map(|i| (i * 7 + i / 512) as u8).collect();
    let file = dir.write("pattern", &pattern);
    let out = scsitool(&[
        "raw", image, "2a", "08", "00", "00", "00", "10", "00", "00", "08", "00", "--out", &file,
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    pattern
}

#[test]
fn reads_back_what_an_earlier_run_wrote_one_at_a_time_or_queued() {
    let dir = Scratch::new("read-back");
    let image = format!("sim:{}?size=1M", dir.path("disk.img"));
    let pattern = write_pattern(&image, &dir);
    // With three in flight: UAS keeps them in flight together; Bulk-Only and the plain
    // emulated disk send them one by one.
    for (suffix, depth) in [
        ("", 1),
        ("&usb=bot", 1),
        ("&usb=uas", 3),
        ("&usb=bot", 3),
        ("", 3),
    ] {
        let uri = format!("{image}{suffix}");
        let data = dir.path("data");
        let depth_arg = depth.to_string();
        let report = json(
            "read",
            &[
                "read",
                &uri,
                "--lba",
                "16",
                "--size",
                "4K",
                "--transfer",
                "1K",
                "--queue-depth",
                &depth_arg,
                "--out",
                &data,
            ],
        );
        assert_eq!(std::fs::read(&data).unwrap(), pattern, "{uri} {depth}");
        assert_eq!(report["bytes"], 4096);
        assert_eq!(report["lba"], 16);
        assert_eq!(report["transfer"], 1024);
        assert_eq!(
            report["commands"], 4,
            "{uri} {depth}: in batches of {depth}"
        );
        assert_eq!(report["queue_depth"], depth, "{uri}");
    }
}

#[test]
fn the_whole_device_by_default_in_transfers_of_at_most_one_mib() {
    let report = json("read", &["read", "sim:?size=3M", "--transfer", "4M"]);
    assert_eq!(report["bytes"], 3 << 20);
    assert_eq!(report["transfer"], 1 << 20);
    assert_eq!(report["commands"], 3);
    let nvme = json(
        "read",
        &["read", "sim:nvme?size=1M&bs=4096", "--lba", "128"],
    );
    assert_eq!(nvme["bytes"], 128 * 4096);
    assert_eq!(nvme["block_size"], 4096);
}

#[test]
fn impossible_ranges_are_usage_errors() {
    for (args, says) in [
        (
            &["read", "sim:?size=1M", "--size", "1000"][..],
            "whole number of 512-byte blocks",
        ),
        (
            &["read", "sim:?size=1M", "--lba", "2048"],
            "past the last block (2047)",
        ),
        (
            &["read", "sim:?size=1M", "--lba", "2047", "--size", "1K"],
            "runs past the last block",
        ),
        (
            &["read", "sim:?size=1M", "--transfer", "100"],
            "under one block",
        ),
    ] {
        let out = scsitool(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let text = String::from_utf8_lossy(&out.stderr);
        assert!(text.contains(says), "{args:?}: {text}");
    }
}

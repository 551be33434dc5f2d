//! The decoders on real device responses: QEMU 7.2's emulated disks and NVMe controller,
//! read through Debian 12's kernel with sg3_utils 1.46 and nvme-cli 2.4
//! (`tests/fixtures/qemu-7.2/`, captured by `tests/vm/scenarios/capture-fixtures.sh`).
//!
//! Expected values come from the device configuration (`tests/vm/run`: every disk a
//! 64 MiB raw image, the serials, vendors, products and block sizes below), from what
//! QEMU 7.2's hw/scsi/scsi-disk.c and hw/nvme emit for that configuration, and from
//! nvme-cli's own JSON decoding of the same binaries. None is computed by this crate.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "qemu_fixtures/capacity_mode.rs"]
mod capacity_mode;
#[path = "qemu_fixtures/inquiry_vpd.rs"]
mod inquiry_vpd;
#[path = "qemu_fixtures/log_status.rs"]
mod log_status;
#[path = "qemu_fixtures/nvme.rs"]
mod nvme;

use std::path::PathBuf;

/// Every disk is a 64 MiB raw image.
pub const CAPACITY: u64 = 64 << 20;

/// One emulated SCSI disk as `tests/vm/run` configures it.
pub struct Disk {
    /// The file name prefix of its captures.
    pub label: &'static str,
    /// INQUIRY T10 VENDOR IDENTIFICATION (scsi-hd `vendor`, default "QEMU").
    pub vendor: &'static str,
    /// INQUIRY PRODUCT IDENTIFICATION (scsi-hd `product`, default "QEMU HARDDISK").
    pub product: &'static str,
    /// scsi-hd / usb-storage `serial`.
    pub serial: &'static str,
    /// Logical (and physical) block length.
    pub block_length: u32,
    /// Whether the bus QEMU attaches the disk to does tagged queuing (scsi-disk.c sets
    /// INQUIRY CMDQUE from `bus->info->tcq`: usb-storage's bus does not, UAS and
    /// virtio-scsi do).
    pub tcq: bool,
}

/// The four disks.
pub const DISKS: [Disk; 4] = [
    Disk {
        label: "bot",
        vendor: "QEMU",
        product: "QEMU HARDDISK",
        serial: "BOT0001",
        block_length: 512,
        tcq: false,
    },
    Disk {
        label: "uas-ss",
        vendor: "SCSITOOL",
        product: "UAS-SS",
        serial: "UAS0001",
        block_length: 512,
        tcq: true,
    },
    Disk {
        label: "uas-hs",
        vendor: "QEMU",
        product: "QEMU HARDDISK",
        serial: "UAS0002",
        block_length: 512,
        tcq: true,
    },
    Disk {
        label: "virtio-4k",
        vendor: "SCSITOOL",
        product: "VIRTIO4K",
        serial: "VS0001",
        block_length: 4096,
        tcq: true,
    },
];

impl Disk {
    /// Number of logical blocks of the 64 MiB image.
    pub fn blocks(&self) -> u64 {
        CAPACITY / u64::from(self.block_length)
    }

    /// The capture `LABEL.what.bin`.
    pub fn capture(&self, what: &str) -> Vec<u8> {
        fixture(&format!("{}.{what}.bin", self.label))
    }
}

/// The fixture directory.
pub fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/qemu-7.2")
}

/// A fixture file's bytes.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = fixture_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A fixture file as text.
pub fn fixture_text(name: &str) -> String {
    String::from_utf8(fixture(name)).unwrap()
}

/// The captures each disk has (commands the device rejected left none: VPD page 86h,
/// MODE SENSE page 0Ah, REPORT SUPPORTED OPERATION CODES).
const DISK_CAPTURES: [&str; 15] = [
    "inquiry",
    "inquiry36",
    "vpd-00",
    "vpd-80",
    "vpd-83",
    "vpd-b0",
    "vpd-b1",
    "vpd-b2",
    "readcap10",
    "readcap16",
    "mode10-08-current",
    "mode10-08-changeable",
    "mode6-08-current",
    "mode10-3f-current",
    "luns",
];

/// The NVMe captures.
const NVME_CAPTURES: [&str; 9] = [
    "nvme.id-ctrl.bin",
    "nvme.id-ctrl.json",
    "nvme.id-ns.bin",
    "nvme.id-ns.json",
    "nvme.smart-log.bin",
    "nvme.smart-log.json",
    "nvme.fw-log.bin",
    "nvme.fw-log.json",
    "nvme.error-log.bin",
];

/// Every file in the fixture directory is one the tests here decode, so a new capture
/// cannot go untested.
#[test]
fn every_capture_is_tested() {
    let mut expected: Vec<String> = DISKS
        .iter()
        .flat_map(|d| DISK_CAPTURES.map(|w| format!("{}.{w}.bin", d.label)))
        .chain(NVME_CAPTURES.map(String::from))
        .chain(["README.md".into(), "capture.log".into()])
        .collect();
    expected.sort();
    let mut present: Vec<String> = std::fs::read_dir(fixture_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    present.sort();
    assert_eq!(present, expected);
}

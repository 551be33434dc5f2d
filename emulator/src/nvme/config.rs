//! What an emulated controller reports about itself and how its firmware update behaves:
//! the Identify Controller fields a profile may change (NVMe Base 2.0 5.17.2.1) and the
//! firmware slot and activation model (Base 2.0 5.13, 5.14).

use crate::image::ImageError;
use cdb::nvme::ResetKind;

/// Firmware slots and activation (Base 2.0 5.13 Firmware Commit, 5.14 Firmware Image
/// Download, 5.17.2.1 FRMW, FWUG).
#[derive(Debug, Clone)]
pub struct FirmwareConfig {
    /// Number of firmware slots, 1 to 7 (FRMW bits 3:1).
    pub slots: u8,
    /// Slot 1 is read only (FRMW bit 0): commits that replace it fail with Invalid
    /// Firmware Slot.
    pub slot1_read_only: bool,
    /// Firmware Update Granularity (FWUG): 00h not reported, 01h–FEh units of 4 KiB,
    /// FFh no restriction. Pieces must start on this granularity and be a multiple of it,
    /// except a shorter final piece.
    pub fwug: u8,
    /// Commit Action 011b (activate without reset) supported (FRMW bit 4).
    pub activation_without_reset: bool,
    /// With Commit Action 011b: the activation would exceed MTFA, so the controller
    /// answers Firmware Activation Requires Maximum Time Violation (12h) and activates at
    /// the next Controller Level Reset instead.
    pub immediate_exceeds_mtfa: bool,
    /// The reset activating an image needs: `None` answers Successful Completion (Commit
    /// Actions 001b and 010b activate at the next Controller Level Reset, 011b at once);
    /// otherwise Commit Actions 001b, 010b and 011b answer 0Bh, 10h or 11h and the image
    /// activates at the next reset of that kind or a stronger one.
    pub reset_required: Option<ResetKind>,
    /// Largest image the controller accepts, in bytes; pieces beyond it are rejected
    /// with Invalid Field in Command.
    pub max_image_bytes: u32,
    /// Checks a complete image: the revision (FR) it installs, or why the controller
    /// rejects it with Invalid Firmware Image. Completion is still detected from the
    /// [`crate::image::NVME`] header; a fault profile can reject valid images here.
    pub validate: fn(&[u8]) -> Result<String, ImageError>,
    /// A commit of an incomplete download (pieces that leave a gap, or that stop before
    /// the length the image's header declares) leaves the namespace
    /// unusable: I/O commands answer Namespace Not Ready until a valid image is committed
    /// (Base 2.0 5.13 leaves the state after a failed commit to the vendor).
    pub brick_on_incomplete: bool,
}

/// The controller's identity and limits (Base 2.0 5.17.2.1 Identify Controller).
#[derive(Debug, Clone)]
pub struct Config {
    /// PCI Vendor ID (VID).
    pub vid: u16,
    /// PCI Subsystem Vendor ID (SSVID).
    pub ssvid: u16,
    /// Serial Number (SN), at most 20 ASCII characters.
    pub serial: String,
    /// Model Number (MN), at most 40 ASCII characters.
    pub model: String,
    /// Firmware Revision (FR) of the image in slot 1, the one running at power-on.
    pub firmware_revision: [u8; 8],
    /// Maximum Data Transfer Size (MDTS): 2^MDTS pages of 4 KiB (CAP.MPSMIN = 0); 0 means
    /// no limit. Longer transfers fail with Invalid Field in Command.
    pub mdts: u8,
    /// Composite Temperature reported in the SMART / Health log, kelvins.
    pub temperature_kelvin: u16,
    /// Volatile write cache state after power-on and Controller Level Reset (the
    /// feature's default value, Base 2.0 5.27.1.4).
    pub write_cache_default: bool,
    /// Firmware slots and activation.
    pub firmware: FirmwareConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            vid: 0x1b36,
            ssvid: 0x1af4,
            serial: "SIM0001".into(),
            model: "scsitool emulated NVMe".into(),
            firmware_revision: *b"1.0     ",
            mdts: 8,
            temperature_kelvin: 313,
            write_cache_default: true,
            firmware: FirmwareConfig::default(),
        }
    }
}

impl Default for FirmwareConfig {
    fn default() -> Self {
        FirmwareConfig {
            slots: 3,
            slot1_read_only: false,
            fwug: 1,
            activation_without_reset: true,
            immediate_exceeds_mtfa: false,
            reset_required: None,
            max_image_bytes: 128 << 20,
            validate: |image| crate::image::NVME.parse(image),
            brick_on_incomplete: false,
        }
    }
}

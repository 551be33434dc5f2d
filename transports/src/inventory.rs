//! What device discovery finds, independent of the operating system that found it: one
//! record per SCSI logical unit (SAM-5 4.6) or NVMe controller (NVMe Base 2.0 3.1) with
//! its device nodes, identity, transport and, for a device on USB, the USB device and
//! interface behind it (USB 2.0 9.6). Linux fills these from sysfs (`linux::discover`);
//! they are the `--json` output of `scsitool list` on every platform.

use cdb::scsi::spc::inquiry::PeripheralDeviceType;
use serde::Serialize;

/// One storage device.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DiscoveredDevice {
    /// A SCSI logical unit (SAM-5 4.6): a disk, an optical drive, a USB stick...
    Scsi(ScsiDevice),
    /// An NVMe controller (NVMe Base 2.0 3.1) with its namespaces.
    Nvme(NvmeController),
}

/// A SCSI logical unit and the host adapter it is reached through.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ScsiDevice {
    /// Host, channel, target and LUN as the operating system numbers them (`0:0:0:0`).
    pub hctl: String,
    /// The block device node (`sd`: `/dev/sda`; `sr`: `/dev/sr0`), if a driver is bound.
    pub disk: Option<String>,
    /// The SCSI generic node (`/dev/sg0`), if the `sg` driver is loaded.
    pub generic: Option<String>,
    /// PERIPHERAL DEVICE TYPE (SPC-5 6.7.2), as the operating system read it.
    pub peripheral_device_type: Option<PeripheralDeviceType>,
    /// T10 VENDOR IDENTIFICATION (SPC-5 6.7.2), trimmed.
    pub vendor: String,
    /// PRODUCT IDENTIFICATION (SPC-5 6.7.2), trimmed.
    pub model: String,
    /// PRODUCT REVISION LEVEL (SPC-5 6.7.2), trimmed.
    pub revision: String,
    /// PRODUCT SERIAL NUMBER from the Unit Serial Number VPD page (SPC-5 7.7.19), when
    /// the operating system read that page.
    pub serial: Option<String>,
    /// The capacity in bytes, from the block device.
    pub size_bytes: Option<u64>,
    /// The logical block size in bytes (SBC-4 4.5), from the block device.
    pub logical_block_size: Option<u32>,
    /// The host adapter's driver, in a stable vocabulary.
    pub transport: Transport,
    /// The host adapter's driver as the operating system names it (Linux: `proc_name`).
    pub host_driver: Option<String>,
    /// The USB device and interface, for a device on USB.
    pub usb: Option<Box<UsbAttachment>>,
}

/// An NVMe controller (NVMe Base 2.0 3.1) and its namespaces.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct NvmeController {
    /// The controller's character device node (`/dev/nvme0`).
    pub controller: String,
    /// The attached namespaces (NVMe Base 2.0 3.2.1).
    pub namespaces: Vec<NvmeNamespace>,
    /// MN, Model Number (Identify Controller, NVMe Base 2.0 5.17.2.1), trimmed.
    pub model: String,
    /// SN, Serial Number (Identify Controller), trimmed.
    pub serial: String,
    /// FR, Firmware Revision (Identify Controller), trimmed.
    pub firmware_rev: String,
    /// Always [`Transport::Nvme`].
    pub transport: Transport,
    /// The NVMe transport the controller is reached over (NVMe Base 2.0 2.1: `pcie`,
    /// `tcp`, `rdma`, `fc`, `loop`), as the operating system names it.
    pub nvme_transport: Option<String>,
}

/// One NVMe namespace's nodes and size.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct NvmeNamespace {
    /// The namespace identifier (NSID, NVMe Base 2.0 3.2.1), when known.
    pub nsid: Option<u32>,
    /// The block device node (`/dev/nvme0n1`).
    pub block: Option<String>,
    /// The generic character device node (`/dev/ng0n1`).
    pub generic: Option<String>,
    /// The capacity in bytes.
    pub size_bytes: Option<u64>,
    /// The logical block size in bytes (NVM Command Set 1.0 4.1.5.1 LBA Format).
    pub logical_block_size: Option<u32>,
}

/// The host adapter driver or protocol a device is reached through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Transport {
    /// USB Mass Storage Bulk-Only Transport (USB MSC BOT 1.0), Linux `usb-storage`.
    UsbStorage,
    /// USB Attached SCSI (T10 UAS-2), Linux `uas`.
    Uas,
    /// virtio SCSI host (virtio 1.2 5.6), Linux `virtio_scsi`.
    VirtioScsi,
    /// AHCI SATA host (SAT-5 translation in the host driver), Linux `ahci`.
    Ahci,
    /// Another ATA host adapter (SAT-5 translation in the host driver), Linux `ata_*`,
    /// `pata_*`, `sata_*`.
    Ata,
    /// iSCSI (RFC 7143), Linux `iscsi_tcp`.
    Iscsi,
    /// NVMe (NVMe Base 2.0).
    Nvme,
    /// Another driver: see `host_driver`.
    Other,
}

impl Transport {
    /// The transport of a SCSI host whose driver the operating system names `driver`
    /// (Linux `/sys/class/scsi_host/hostN/proc_name`).
    pub fn from_host_driver(driver: &str) -> Transport {
        match driver {
            "usb-storage" => Transport::UsbStorage,
            "uas" => Transport::Uas,
            "virtio_scsi" => Transport::VirtioScsi,
            "ahci" => Transport::Ahci,
            "iscsi_tcp" => Transport::Iscsi,
            ata if ["ata_", "pata_", "sata_"]
                .iter()
                .any(|prefix| ata.starts_with(prefix)) =>
            {
                Transport::Ata
            }
            _ => Transport::Other,
        }
    }
}

/// The USB device and interface a device is reached through (USB 2.0 9.6.1, 9.6.5).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct UsbAttachment {
    /// `idVendor:idProduct` in hex (`46f4:0001`), as lsusb shows it.
    pub vid_pid: String,
    /// idVendor (USB 2.0 9.6.1).
    pub id_vendor: u16,
    /// idProduct (USB 2.0 9.6.1).
    pub id_product: u16,
    /// The serial number string iSerialNumber names (USB 2.0 9.6.1), as the operating
    /// system read it; USB bridges often have one where the SCSI device has none.
    pub serial: Option<String>,
    /// The bus number.
    pub bus: u16,
    /// The device address on the bus (USB 2.0 9.1.1.4).
    pub address: u16,
    /// The signalling rate the device runs at.
    pub speed: Option<UsbSpeed>,
    /// bInterfaceNumber of the interface the device is reached through (USB 2.0 9.6.5).
    pub interface_number: Option<u8>,
    /// The driver bound to that interface (`usb-storage`, `uas`).
    pub driver: Option<String>,
    /// The mass-storage protocols the interface's alternate settings offer, in descriptor
    /// order (USB MSC Overview 1.4 Table 2), from the raw descriptors: the operating
    /// system shows only the current alternate.
    pub protocols: Vec<UsbProtocol>,
    /// Why the descriptors could not be read or parsed, when they could not.
    pub descriptors_error: Option<String>,
}

/// A USB signalling rate (USB 2.0 7.1.11; USB 3.2 1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum UsbSpeed {
    /// Low speed, 1.5 Mb/s (USB 2.0).
    Low,
    /// Full speed, 12 Mb/s (USB 2.0).
    Full,
    /// High speed, 480 Mb/s (USB 2.0).
    High,
    /// SuperSpeed, 5 Gb/s (USB 3.2 Gen 1).
    Super,
    /// SuperSpeedPlus, 10 or 20 Gb/s (USB 3.2 Gen 2, Gen 2x2).
    SuperPlus,
}

impl UsbSpeed {
    /// The speed of a rate in Mb/s as Linux writes it in the `speed` attribute (`1.5`,
    /// `12`, `480`, `5000`, `10000`, `20000`); `None` for anything else.
    pub fn from_mbps(text: &str) -> Option<UsbSpeed> {
        match text.trim() {
            "1.5" => Some(UsbSpeed::Low),
            "12" => Some(UsbSpeed::Full),
            "480" => Some(UsbSpeed::High),
            "5000" => Some(UsbSpeed::Super),
            "10000" | "20000" => Some(UsbSpeed::SuperPlus),
            _ => None,
        }
    }
}

/// A mass-storage bInterfaceProtocol (USB MSC Overview 1.4 Table 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UsbProtocol {
    /// 50h: Bulk-Only Transport (USB MSC BOT 1.0).
    Bot,
    /// 62h: USB Attached SCSI (UAS-2; UASP 1.0).
    Uas,
    /// Another protocol code (CBI 00h/01h, vendor specific FFh, ...).
    Other(u8),
}

impl UsbProtocol {
    /// The protocol a bInterfaceProtocol code names.
    pub fn from_code(code: u8) -> UsbProtocol {
        match code {
            cdb::usb::descriptor::PROTOCOL_BOT => UsbProtocol::Bot,
            cdb::usb::descriptor::PROTOCOL_UAS => UsbProtocol::Uas,
            other => UsbProtocol::Other(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_drivers_map_to_the_stable_vocabulary() {
        assert_eq!(
            Transport::from_host_driver("usb-storage"),
            Transport::UsbStorage
        );
        assert_eq!(Transport::from_host_driver("uas"), Transport::Uas);
        assert_eq!(
            Transport::from_host_driver("virtio_scsi"),
            Transport::VirtioScsi
        );
        assert_eq!(Transport::from_host_driver("ata_piix"), Transport::Ata);
        assert_eq!(Transport::from_host_driver("mpt3sas"), Transport::Other);
        assert_eq!(Transport::from_host_driver(""), Transport::Other);
    }

    #[test]
    fn speeds_follow_the_usb_signalling_rates() {
        assert_eq!(UsbSpeed::from_mbps("480\n"), Some(UsbSpeed::High));
        assert_eq!(UsbSpeed::from_mbps("1.5"), Some(UsbSpeed::Low));
        assert_eq!(UsbSpeed::from_mbps("10000"), Some(UsbSpeed::SuperPlus));
        assert_eq!(UsbSpeed::from_mbps("53.3"), None);
        assert_eq!(UsbSpeed::from_mbps(""), None);
    }

    #[test]
    fn protocols_follow_the_msc_code_table() {
        assert_eq!(UsbProtocol::from_code(0x50), UsbProtocol::Bot);
        assert_eq!(UsbProtocol::from_code(0x62), UsbProtocol::Uas);
        assert_eq!(UsbProtocol::from_code(0x01), UsbProtocol::Other(1));
    }
}

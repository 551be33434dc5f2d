//! Device discovery from sysfs (Linux `Documentation/ABI/`: `sysfs-class-scsi_device`,
//! `sysfs-class-nvme`, `sysfs-bus-usb`): every SCSI logical unit (through its `sd` and
//! `sg` nodes) and every NVMe controller, with identity, size and transport, and for a
//! device on USB the USB device, the interface's bound driver and the mass-storage
//! protocols all of the interface's alternate settings offer, parsed from the raw
//! `descriptors` file (the interface's own attributes show only the current alternate).
//!
//! Nothing is opened or sent: only sysfs attributes are read, from a root given by the
//! caller so tests can use a fake tree ([`discover_in`]).

use super::node::{kind_of, NodeKind};
use crate::inventory::{
    DiscoveredDevice, NvmeController, NvmeNamespace, ScsiDevice, Transport, UsbAttachment,
    UsbProtocol, UsbSpeed,
};
use cdb::error::DecodeError;
use cdb::scsi::spc::inquiry::PeripheralDeviceType;
use cdb::scsi::spc::vpd::UnitSerialNumber;
use cdb::usb::descriptor::{Configuration, DeviceDescriptor, CLASS_MASS_STORAGE};
use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The most bytes read from a binary sysfs attribute (`vpd_pg80`, `descriptors`): a VPD
/// page is at most 4 + 65535 bytes (SPC-5 7.7.1), a configuration 65535 (USB 2.0 9.6.3).
const MAX_BINARY_ATTRIBUTE: u64 = 1 << 20;

/// The size unit of a block device's `size` attribute.
const SECTOR: u64 = 512;

/// Every SCSI logical unit and NVMe controller, read from sysfs at `/sys`.
pub fn discover() -> Vec<DiscoveredDevice> {
    discover_in(Path::new("/sys"))
}

/// Every SCSI logical unit (in H:C:T:L order) and NVMe controller (in instance order),
/// read from sysfs mounted at `sys`.
pub fn discover_in(sys: &Path) -> Vec<DiscoveredDevice> {
    let scsi = scsi_device_dirs(sys)
        .into_iter()
        .filter_map(|dir| scsi_device(sys, &dir))
        .map(DiscoveredDevice::Scsi);
    let nvme = class_members(sys, "nvme", false, &NodeKind::NvmeController)
        .into_iter()
        .map(|dir| DiscoveredDevice::Nvme(nvme_controller(sys, &dir)));
    scsi.chain(nvme).collect()
}

/// A text attribute, trimmed; `None` when missing, unreadable or empty.
fn attr(dir: &Path, name: &str) -> Option<String> {
    let text = fs::read_to_string(dir.join(name)).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// A decimal attribute.
fn number<T: std::str::FromStr>(dir: &Path, name: &str) -> Option<T> {
    attr(dir, name)?.parse().ok()
}

/// A hexadecimal attribute (`idVendor`, `bInterfaceNumber`).
fn hex<T: TryFrom<u64>>(dir: &Path, name: &str) -> Option<T> {
    let value = u64::from_str_radix(&attr(dir, name)?, 16).ok()?;
    T::try_from(value).ok()
}

/// A binary attribute, at most [`MAX_BINARY_ATTRIBUTE`] bytes.
fn binary(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    fs::File::open(path)?
        .take(MAX_BINARY_ATTRIBUTE)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The last component of `path`, as text.
fn name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The entries of a directory, resolved, in natural order (`nvme2` before `nvme10`).
fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| fs::canonicalize(entry.path()).ok())
        .collect();
    paths.sort_by_key(|path| {
        let name = name_of(path);
        (name.len(), name)
    });
    paths
}

/// The devices of sysfs class `class` (`/sys/class/CLASS/*`) that [`kind_of`] recognises
/// as `kind`.
fn class_members(sys: &Path, class: &str, block: bool, kind: &NodeKind) -> Vec<PathBuf> {
    entries(&sys.join("class").join(class))
        .into_iter()
        .filter(|dir| kind_of(dir, block).0 == *kind)
        .collect()
}

/// The SCSI device directories (`.../hostH/targetH:C:T/H:C:T:L`) behind every `sg` node
/// and `sd` disk, each once, in H:C:T:L order.
fn scsi_device_dirs(sys: &Path) -> Vec<PathBuf> {
    let generic = class_members(sys, "scsi_generic", false, &NodeKind::ScsiGeneric);
    let disks = class_members(sys, "block", true, &NodeKind::ScsiDisk);
    let mut found = BTreeMap::new();
    for node in generic.iter().chain(&disks) {
        if let Ok(dir) = fs::canonicalize(node.join("device")) {
            if let Some(hctl) = parse_hctl(&name_of(&dir)) {
                found.insert(hctl, dir);
            }
        }
    }
    found.into_values().collect()
}

/// Host, channel, target and LUN from a SCSI device's name (`0:0:1:0`).
fn parse_hctl(name: &str) -> Option<[u64; 4]> {
    let mut parts = name.split(':').map(|part| part.parse::<u64>().ok());
    let hctl = [
        parts.next()??,
        parts.next()??,
        parts.next()??,
        parts.next()??,
    ];
    parts.next().is_none().then_some(hctl)
}

/// The first entry of `dir/sub`, as a device node path (`/dev/NAME`) and its sysfs
/// directory.
fn child_node(dir: &Path, sub: &str) -> Option<(String, PathBuf)> {
    let path = entries(&dir.join(sub)).into_iter().next()?;
    Some((format!("/dev/{}", name_of(&path)), path))
}

/// A block device's capacity in bytes and logical block size.
fn block_geometry(dir: &Path) -> (Option<u64>, Option<u32>) {
    let size = number::<u64>(dir, "size").and_then(|sectors| sectors.checked_mul(SECTOR));
    (size, number(&dir.join("queue"), "logical_block_size"))
}

/// The record of the SCSI device at `dir`; `None` when its name is not H:C:T:L.
fn scsi_device(sys: &Path, dir: &Path) -> Option<ScsiDevice> {
    let hctl = name_of(dir);
    let [host, ..] = parse_hctl(&hctl)?;
    let disk = child_node(dir, "block");
    let (size_bytes, logical_block_size) = disk
        .as_ref()
        .map_or((None, None), |(_, block)| block_geometry(block));
    let host_driver = host_driver(sys, host, dir);
    Some(ScsiDevice {
        hctl,
        disk: disk.map(|(node, _)| node),
        generic: child_node(dir, "scsi_generic").map(|(node, _)| node),
        peripheral_device_type: number(dir, "type").map(PeripheralDeviceType::from_code),
        vendor: attr(dir, "vendor").unwrap_or_default(),
        model: attr(dir, "model").unwrap_or_default(),
        revision: attr(dir, "rev").unwrap_or_default(),
        serial: unit_serial_number(dir),
        size_bytes,
        logical_block_size,
        transport: host_driver
            .as_deref()
            .map_or(Transport::Other, Transport::from_host_driver),
        host_driver,
        usb: usb_attachment(dir).map(Box::new),
    })
}

/// The driver of SCSI host `host`: its `proc_name`, or, when the driver leaves that unset
/// (`uas` shows `(null)`), the driver bound to the host adapter's device, the parent of
/// `hostN` above the SCSI device at `dir` (`.../ADAPTER/hostN/targetH:C:T/H:C:T:L`).
fn host_driver(sys: &Path, host: u64, dir: &Path) -> Option<String> {
    let named = attr(
        &sys.join("class/scsi_host").join(format!("host{host}")),
        "proc_name",
    );
    named.filter(|name| name != "(null)").or_else(|| {
        let adapter = dir.parent()?.parent()?.parent()?;
        let driver = fs::read_link(adapter.join("driver")).ok()?;
        Some(name_of(&driver))
    })
}

/// PRODUCT SERIAL NUMBER from the Unit Serial Number page the kernel cached in
/// `vpd_pg80` (SPC-5 7.7.19); `None` when absent, undecodable or blank.
fn unit_serial_number(dir: &Path) -> Option<String> {
    let page = binary(&dir.join("vpd_pg80")).ok()?;
    let serial = UnitSerialNumber::decode(&page).ok()?.product_serial_number;
    (!serial.is_empty()).then_some(serial)
}

/// The USB interface and device above the device at `dir`, if it is on USB: the nearest
/// ancestor with `bInterfaceNumber` is the interface, its parent (with `idVendor`) the
/// device.
fn usb_attachment(dir: &Path) -> Option<UsbAttachment> {
    let interface = dir
        .ancestors()
        .find(|a| a.join("bInterfaceNumber").is_file())?;
    let device = interface.parent()?;
    let id_vendor = hex(device, "idVendor")?;
    let id_product = hex(device, "idProduct")?;
    let interface_number: Option<u8> = hex(interface, "bInterfaceNumber");
    let (protocols, descriptors_error) = match offered_protocols(device, interface_number) {
        Ok(protocols) => (protocols, None),
        Err(error) => (Vec::new(), Some(error)),
    };
    Some(UsbAttachment {
        vid_pid: format!("{id_vendor:04x}:{id_product:04x}"),
        id_vendor,
        id_product,
        serial: attr(device, "serial"),
        bus: number(device, "busnum").unwrap_or_default(),
        address: number(device, "devnum").unwrap_or_default(),
        speed: attr(device, "speed").and_then(|mbps| UsbSpeed::from_mbps(&mbps)),
        interface_number,
        driver: fs::read_link(interface.join("driver"))
            .ok()
            .map(|link| name_of(&link)),
        protocols,
        descriptors_error,
    })
}

/// The protocols interface `interface` of the USB device at `device` offers, read from
/// its `descriptors` in its active configuration; an error says why they are unknown.
fn offered_protocols(device: &Path, interface: Option<u8>) -> Result<Vec<UsbProtocol>, String> {
    let interface = interface.ok_or("the interface has no bInterfaceNumber")?;
    let bytes = binary(&device.join("descriptors")).map_err(|e| format!("descriptors: {e}"))?;
    let active = number(device, "bConfigurationValue");
    mass_storage_protocols(&bytes, active, interface).map_err(|e| format!("descriptors: {e}"))
}

/// The bInterfaceProtocol of every mass-storage alternate setting (USB MSC Overview 1.4
/// 2) of interface `interface`, in descriptor order without repeats, from the bytes of
/// sysfs `descriptors`: the device descriptor (USB 2.0 9.6.1) followed by each
/// configuration's full descriptor set (USB 2.0 9.4.3). Only configuration `active` is
/// looked at when it is known.
pub fn mass_storage_protocols(
    descriptors: &[u8],
    active: Option<u8>,
    interface: u8,
) -> Result<Vec<UsbProtocol>, DecodeError> {
    let device = DeviceDescriptor::parse(descriptors)?;
    let device_len = usize::from(descriptors.first().copied().unwrap_or_default());
    let mut rest = descriptors.get(device_len..).unwrap_or_default();
    let mut protocols = Vec::new();
    for _ in 0..device.num_configurations {
        if rest.is_empty() {
            break;
        }
        let configuration = Configuration::parse(rest)?;
        let total = rest.get(2..4).map_or(rest.len(), |t| {
            usize::from(u16::from_le_bytes([t[0], t[1]]))
        });
        rest = rest.get(total..).unwrap_or_default();
        if active.is_some_and(|value| value != configuration.configuration_value) {
            continue;
        }
        let alternates = configuration
            .interfaces
            .iter()
            .filter(|i| i.interface_number == interface)
            .flat_map(|i| &i.alternates)
            .filter(|a| a.interface_class == CLASS_MASS_STORAGE);
        for alternate in alternates {
            let protocol = UsbProtocol::from_code(alternate.interface_protocol);
            if !protocols.contains(&protocol) {
                protocols.push(protocol);
            }
        }
    }
    Ok(protocols)
}

/// The record of the NVMe controller at `dir`.
fn nvme_controller(sys: &Path, dir: &Path) -> NvmeController {
    NvmeController {
        controller: format!("/dev/{}", name_of(dir)),
        namespaces: nvme_namespaces(sys, dir),
        model: attr(dir, "model").unwrap_or_default(),
        serial: attr(dir, "serial").unwrap_or_default(),
        firmware_rev: attr(dir, "firmware_rev").unwrap_or_default(),
        transport: Transport::Nvme,
        nvme_transport: attr(dir, "transport"),
    }
}

/// The namespace instance of a namespace node name: `M` in `nvmeNnM` (block) or `ngNnM`
/// (generic); `None` for anything else, such as a multipath path device `nvmeNcCnM`.
fn namespace_instance(name: &str, prefix: &str) -> Option<u32> {
    let (controller, namespace) = name.strip_prefix(prefix)?.split_once('n')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(controller) && digits(namespace))
        .then(|| namespace.parse().ok())
        .flatten()
}

/// The namespaces of the controller at `dir`: block devices that are its children, or,
/// with native multipath, children of the NVMe subsystem that lists it; generic nodes
/// (children too). Block and generic nodes pair by namespace instance, which Linux uses
/// in both names.
fn nvme_namespaces(sys: &Path, dir: &Path) -> Vec<NvmeNamespace> {
    let controller = name_of(dir);
    let subsystems = entries(&sys.join("class/nvme-subsystem"))
        .into_iter()
        .filter(|subsystem| subsystem.join(&controller).exists());
    let mut namespaces: BTreeMap<u32, NvmeNamespace> = BTreeMap::new();
    let blank = || NvmeNamespace {
        nsid: None,
        block: None,
        generic: None,
        size_bytes: None,
        logical_block_size: None,
    };
    for child in entries(dir)
        .into_iter()
        .chain(subsystems.flat_map(|s| entries(&s)))
    {
        let name = name_of(&child);
        if let Some(instance) = namespace_instance(&name, "nvme") {
            if kind_of(&child, true).0 != NodeKind::NvmeNamespace {
                continue;
            }
            let (size_bytes, logical_block_size) = block_geometry(&child);
            let entry = namespaces.entry(instance).or_insert_with(blank);
            entry.block = Some(format!("/dev/{name}"));
            entry.nsid = number(&child, "nsid");
            entry.size_bytes = size_bytes;
            entry.logical_block_size = logical_block_size;
        } else if let Some(instance) = namespace_instance(&name, "ng") {
            if kind_of(&child, false).0 == NodeKind::NvmeGeneric {
                namespaces.entry(instance).or_insert_with(blank).generic =
                    Some(format!("/dev/{name}"));
            }
        }
    }
    namespaces.into_values().collect()
}

#[cfg(test)]
mod tests;

//! Finding a USB device from its `usb:` name in sysfs (`/sys/bus/usb/devices`: `idVendor`,
//! `idProduct`, `busnum`, `devnum`, `speed`), its mass-storage interface
//! (`bInterfaceClass` 08h, USB MSC Overview 1.4 2) and the disks the kernel's driver made
//! of that interface (`block/sdX` below it), which must not be pulled from under a
//! mounted filesystem or active swap.

use super::name::{BusAddress, UsbName};
use crate::linux::mounts;
use std::fs;
use std::path::{Path, PathBuf};

/// Where sysfs lists USB devices and interfaces.
pub const USB_DEVICES: &str = "/sys/bus/usb/devices";
/// bInterfaceClass of mass storage (USB MSC Overview 1.4 2).
const CLASS_MASS_STORAGE: u8 = 0x08;
/// How deep below an interface the disk's `block` directory may sit
/// (`host/target/device/block`).
const MAX_DEPTH: usize = 6;

/// One USB device as sysfs describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsbEntry {
    /// Its sysfs directory.
    pub sysfs: PathBuf,
    /// idVendor (USB 2.0 9.6.1).
    pub vendor_id: u16,
    /// idProduct (USB 2.0 9.6.1).
    pub product_id: u16,
    /// The bus number and the device's address on it.
    pub location: BusAddress,
    /// The iProduct string, when the device has one.
    pub product: Option<String>,
    /// The iSerialNumber string, when the device has one.
    pub serial: Option<String>,
    /// The signalling rate in Mbit/s (`speed`): 480 high speed, 5000 and up SuperSpeed.
    pub speed_mbps: u32,
}

/// Why no single device answers a `usb:` name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// No device has the ID (and location).
    #[error("{name}: no such USB device (see lsusb; the location is BUS.ADDR in decimal)")]
    None {
        /// The name given.
        name: String,
    },
    /// Several devices have the ID and no location was given.
    #[error("{name} matches {} devices; add the location: {}", .matches.len(), .matches.join("; "))]
    Several {
        /// The name given.
        name: String,
        /// Each match, as a name with its location and a description.
        matches: Vec<String>,
    },
}

impl UsbEntry {
    /// The usbfs node: `/dev/bus/usb/BBB/DDD`.
    pub fn node(&self) -> PathBuf {
        PathBuf::from(format!(
            "/dev/bus/usb/{:03}/{:03}",
            self.location.bus, self.location.address
        ))
    }

    /// True at SuperSpeed or faster (USB 3.2 3.1).
    pub fn is_super_speed(&self) -> bool {
        self.speed_mbps >= 5000
    }

    /// The mass-storage interfaces of the active configuration, by bInterfaceNumber, with
    /// their sysfs directories (`B-P:C.I`).
    pub fn mass_storage_interfaces(&self) -> Vec<(u8, PathBuf)> {
        let mut found: Vec<(u8, PathBuf)> = children(&self.sysfs)
            .into_iter()
            .filter(|dir| read_hex(&dir.join("bInterfaceClass")) == Some(CLASS_MASS_STORAGE))
            .filter_map(|dir| Some((read_hex(&dir.join("bInterfaceNumber"))?, dir)))
            .collect();
        found.sort();
        found
    }

    /// How a list of matches shows this device: its full name and what it is.
    fn describe(&self, lun: u8) -> String {
        let name = UsbName {
            vendor_id: self.vendor_id,
            product_id: self.product_id,
            location: Some(self.location),
            lun,
        };
        let product = self.product.as_deref().unwrap_or("no product string");
        match &self.serial {
            Some(serial) => format!("{name} ({product}, serial {serial})"),
            None => format!("{name} ({product})"),
        }
    }
}

/// The device `name` designates among those sysfs lists under `root` (normally
/// [`USB_DEVICES`]).
pub fn find(root: &Path, name: &UsbName) -> Result<UsbEntry, LookupError> {
    let mut matches: Vec<UsbEntry> = devices(root)
        .into_iter()
        .filter(|d| d.vendor_id == name.vendor_id && d.product_id == name.product_id)
        .filter(|d| name.location.is_none_or(|at| at == d.location))
        .collect();
    matches.sort_by_key(|d| (d.location.bus, d.location.address));
    match matches.len() {
        0 => Err(LookupError::None {
            name: name.to_string(),
        }),
        1 => Ok(matches.remove(0)),
        _ => Err(LookupError::Several {
            name: name.to_string(),
            matches: matches.iter().map(|d| d.describe(name.lun)).collect(),
        }),
    }
}

/// Every USB device (not interface) under `root`.
fn devices(root: &Path) -> Vec<UsbEntry> {
    children(root)
        .into_iter()
        .filter_map(|dir| {
            let location = BusAddress {
                bus: read_decimal(&dir.join("busnum"))?,
                address: read_decimal(&dir.join("devnum"))?,
            };
            Some(UsbEntry {
                vendor_id: read_hex(&dir.join("idVendor"))?,
                product_id: read_hex(&dir.join("idProduct"))?,
                location,
                product: read_text(&dir.join("product")),
                serial: read_text(&dir.join("serial")),
                speed_mbps: read_decimal(&dir.join("speed")).unwrap_or(480),
                sysfs: fs::canonicalize(&dir).unwrap_or(dir),
            })
        })
        .collect()
}

/// What is mounted or swapped on the disks the kernel made of the interface whose sysfs
/// directory is `interface` (their partitions and stacked devices included), e.g.
/// `sdc1 in use as swap`.
pub fn in_use(interface: &Path) -> Vec<String> {
    let mut disks = Vec::new();
    block_dirs(interface, 0, &mut disks);
    disks
        .iter()
        .flat_map(|disk| mounts::mounted(disk))
        .collect()
}

/// Collects the disks (`.../block/sdX`) below `dir`, following no symbolic link (sysfs
/// links `driver`, `subsystem` and `port` lead out of the subtree).
fn block_dirs(dir: &Path, depth: usize, disks: &mut Vec<PathBuf>) {
    if depth > MAX_DEPTH {
        return;
    }
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        if !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let path = entry.path();
        if entry.file_name() == "block" {
            disks.extend(children(&path));
        } else {
            block_dirs(&path, depth + 1, disks);
        }
    }
}

/// The entries of `dir`, sorted (none when it cannot be read).
fn children(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .collect();
    found.sort();
    found
}

/// A sysfs attribute's text, trimmed; `None` when absent or empty.
fn read_text(path: &Path) -> Option<String> {
    let text = fs::read_to_string(path).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// A hexadecimal sysfs attribute (`idVendor`, `bInterfaceClass`).
fn read_hex<T: TryFrom<u32>>(path: &Path) -> Option<T> {
    let value = u32::from_str_radix(&read_text(path)?, 16).ok()?;
    T::try_from(value).ok()
}

/// A decimal sysfs attribute (`busnum`, `devnum`, `speed`); a fractional speed (`1.5`)
/// counts as its integer part.
fn read_decimal<T: TryFrom<u32>>(path: &Path) -> Option<T> {
    let text = read_text(path)?;
    let whole = text.split('.').next().unwrap_or_default();
    T::try_from(whole.parse::<u32>().ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linux::scratch::Scratch;

    /// A fake `/sys/bus/usb/devices` entry with these attributes.
    fn device(root: &Path, dir: &str, attributes: &[(&str, &str)]) -> PathBuf {
        let path = root.join(dir);
        fs::create_dir_all(&path).unwrap();
        for (name, value) in attributes {
            fs::write(path.join(name), format!("{value}\n")).unwrap();
        }
        path
    }

    fn qemu_disk(root: &Path, dir: &str, bus: &str, addr: &str, serial: &str) -> PathBuf {
        device(
            root,
            dir,
            &[
                ("idVendor", "46f4"),
                ("idProduct", "0001"),
                ("busnum", bus),
                ("devnum", addr),
                ("speed", "5000"),
                ("product", "QEMU USB HARDDRIVE"),
                ("serial", serial),
            ],
        )
    }

    #[test]
    fn a_name_finds_its_device_its_node_and_interface() {
        let scratch = Scratch::new("usbfs-find");
        let root = scratch.path();
        let dev = qemu_disk(root, "2-1", "2", "2", "BOT0001");
        device(
            root,
            "2-1/2-1:1.0",
            &[("bInterfaceClass", "08"), ("bInterfaceNumber", "00")],
        );
        device(
            root,
            "usb2",
            &[
                ("idVendor", "1d6b"),
                ("idProduct", "0003"),
                ("busnum", "2"),
                ("devnum", "1"),
            ],
        );
        let name = UsbName::parse("usb:46f4:1").unwrap();
        let found = find(root, &name).unwrap();
        assert_eq!(found.location, BusAddress { bus: 2, address: 2 });
        assert_eq!(found.node(), PathBuf::from("/dev/bus/usb/002/002"));
        assert!(found.is_super_speed());
        let interfaces = found.mass_storage_interfaces();
        assert_eq!(interfaces.len(), 1);
        assert_eq!(interfaces[0].0, 0);
        assert!(interfaces[0].1.ends_with("2-1:1.0"));
        assert!(found.sysfs.ends_with("2-1"), "{}", dev.display());
    }

    #[test]
    fn several_matches_are_listed_and_a_location_picks_one() {
        let scratch = Scratch::new("usbfs-several");
        let root = scratch.path();
        qemu_disk(root, "2-1", "2", "2", "BOT0001");
        qemu_disk(root, "3-1", "3", "2", "UAS0002");
        let error = find(root, &UsbName::parse("usb:46f4:0001").unwrap()).unwrap_err();
        let text = error.to_string();
        assert!(text.contains("matches 2 devices"), "{text}");
        assert!(
            text.contains("usb:46f4:0001,2.2 (QEMU USB HARDDRIVE, serial BOT0001)"),
            "{text}"
        );
        assert!(text.contains("usb:46f4:0001,3.2"), "{text}");
        let one = find(root, &UsbName::parse("usb:46f4:0001,3.2").unwrap()).unwrap();
        assert_eq!(one.serial.as_deref(), Some("UAS0002"));
        let none = find(root, &UsbName::parse("usb:46f4:0001,4.2").unwrap()).unwrap_err();
        assert!(matches!(none, LookupError::None { .. }), "{none}");
        let other = find(root, &UsbName::parse("usb:1234:5678").unwrap()).unwrap_err();
        assert!(other.to_string().contains("no such USB device"), "{other}");
    }

    #[test]
    fn the_disk_below_an_interface_is_checked_for_use() {
        let scratch = Scratch::new("usbfs-inuse");
        let root = scratch.path();
        let interface = root.join("2-1:1.0");
        let disk = interface.join("host0/target0:0:0/0:0:0:0/block/sdz");
        fs::create_dir_all(&disk).unwrap();
        // A disk whose number no mount or swap names: nothing in use, but it was found.
        fs::write(disk.join("dev"), "259:999\n").unwrap();
        let mut disks = Vec::new();
        block_dirs(&interface, 0, &mut disks);
        assert_eq!(disks, vec![disk]);
        assert!(in_use(&interface).is_empty());
    }
}

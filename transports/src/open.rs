//! Device resolution: from what the user typed to an open transport. `sim:` URIs open the
//! built-in emulated devices ([`emulator::uri`]); on Linux, device nodes open the SG_IO
//! (`/dev/sdX`, `/dev/sgN`) or NVMe pass-through (`/dev/nvmeN`, `/dev/nvmeNnM`,
//! `/dev/ngNnM`) backend by what sysfs says the node is; `usb:` names open a USB device
//! through usbfs and put the USB transport [`OpenOptions`] choose over it.
//! On macOS, `/dev/diskN` and `/dev/rdiskN` open the DriverKit user-client transport
//! (`dext::macos`).

use crate::nvme::NvmeTransport;
use crate::scsi::ScsiTransport;
use crate::sim::{SimNvme, SimScsi};
use crate::usb::UsbProtocol;
use emulator::sim::SimDevice;
use emulator::uri::SimSpec;

/// An opened device, by protocol.
pub enum Device {
    /// A SCSI logical unit.
    Scsi(Box<dyn ScsiTransport>),
    /// An NVMe controller.
    Nvme(Box<dyn NvmeTransport>),
}

/// The access a command needs to its device node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reading: a read-only open is enough when read-write is refused.
    Read,
    /// Changing the device (data, settings, firmware): read-write or nothing.
    Write,
}

/// How to open a device: the access the command needs and the choices that apply to some
/// transports only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenOptions {
    /// Read or write access to the device node.
    pub access: Access,
    /// The protocol for `usb:` devices.
    pub usb_protocol: UsbProtocol,
    /// Show the USB transfers of `usb:` devices on standard error: 0 none, 1 the protocol
    /// blocks (CBW, CSW, IUs) in hex, 2 data too.
    pub wire_trace: u8,
}

impl OpenOptions {
    /// `access`, with the defaults for everything else.
    pub fn new(access: Access) -> Self {
        OpenOptions {
            access,
            usb_protocol: UsbProtocol::Auto,
            wire_trace: 0,
        }
    }
}

/// Why a device could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The name is not one scsitool can open, with what is accepted.
    #[error("cannot open '{0}': expected a sim: URI or a device node (/dev/sdX, /dev/sgN, /dev/nvmeN, /dev/nvmeNnM, /dev/ngNnM)")]
    Unsupported(String),
    /// A transport that has not landed yet.
    #[error("cannot open '{name}': {reason}")]
    NotYet {
        /// The name given.
        name: String,
        /// What is missing.
        reason: &'static str,
    },
    /// A USB device's interface could not be opened (no mass-storage interface, no such
    /// LUN, the device failed enumeration).
    #[error("{0}")]
    Usb(#[from] crate::scsi::TransportError),
    /// A `usb:` name that is malformed or designates no single device, explained.
    #[error("{0}")]
    UsbName(String),
    /// The `sim:` URI is malformed.
    #[error("{0}")]
    Uri(#[from] emulator::uri::UriError),
    /// The emulated device could not be built.
    #[error("{0}")]
    Sim(#[from] emulator::sim::SimError),
    /// The path is not a device node sysfs knows.
    #[cfg(target_os = "linux")]
    #[error("{0}")]
    Node(#[from] crate::linux::node::NodeError),
    /// The node is a device of the wrong kind.
    #[error("{path} is {found}; expected {expected}")]
    WrongKind {
        /// The path.
        path: String,
        /// What the backend needs.
        expected: &'static str,
        /// What the node is.
        found: String,
    },
    /// The operating system refused to open the node, explained.
    #[error("{0}")]
    Os(String),
}

/// Opens `name` for a command needing `access`, with the default options.
pub fn open(name: &str, access: Access) -> Result<Device, OpenError> {
    open_with(name, &OpenOptions::new(access))
}

/// Opens `name` as `options` say.
pub fn open_with(name: &str, options: &OpenOptions) -> Result<Device, OpenError> {
    let access = options.access;
    if name.starts_with("sim:") {
        return Ok(match SimSpec::parse(name)?.build()? {
            SimDevice::Scsi(target) => Device::Scsi(Box::new(SimScsi::new(Box::new(target), 0))),
            SimDevice::Nvme(controller) => Device::Nvme(Box::new(SimNvme::new(controller))),
            SimDevice::Bridge(bridge) => {
                let id = bridge.model().usb_id();
                let usb = crate::scsi::UsbId {
                    vendor_id: id.vendor_id,
                    product_id: id.product_id,
                };
                Device::Scsi(Box::new(SimScsi::new(bridge, 0).behind_usb(usb)))
            }
            SimDevice::Usb(device) => Device::Scsi(crate::usb::open_device(
                *device,
                options.usb_protocol,
                0,
                options.wire_trace,
            )?),
        });
    }
    if name.starts_with("usb:") {
        return open_usb(name, options);
    }
    open_node(name, access)
}

/// Opens a device node by what sysfs says it is.
#[cfg(target_os = "linux")]
fn open_node(name: &str, access: Access) -> Result<Device, OpenError> {
    use crate::linux::node::{classify, NodeKind};
    use crate::linux::{nvme_ioctl::NvmeIoctl, sg_io::SgIo};
    use std::path::Path;
    if !name.starts_with('/') {
        return Err(OpenError::Unsupported(name.to_string()));
    }
    let path = Path::new(name);
    Ok(match classify(path)?.kind {
        NodeKind::NvmeController | NodeKind::NvmeNamespace | NodeKind::NvmeGeneric => {
            Device::Nvme(Box::new(NvmeIoctl::open(path, access)?))
        }
        NodeKind::ScsiDisk | NodeKind::ScsiGeneric => {
            Device::Scsi(Box::new(SgIo::open(path, access)?))
        }
        other => {
            return Err(OpenError::WrongKind {
                path: name.to_string(),
                expected: "a SCSI (/dev/sdX, /dev/sgN) or NVMe (/dev/nvmeN, /dev/nvmeNnM, /dev/ngNnM) device node",
                found: crate::linux::sg_io::describe_kind(&other),
            })
        }
    })
}

/// Opens a `usb:` name through usbfs.
#[cfg(target_os = "linux")]
fn open_usb(name: &str, options: &OpenOptions) -> Result<Device, OpenError> {
    crate::linux::usbfs::open_scsi(name, options).map(Device::Scsi)
}

/// Userspace USB needs a platform backend.
#[cfg(not(target_os = "linux"))]
fn open_usb(name: &str, _options: &OpenOptions) -> Result<Device, OpenError> {
    Err(OpenError::NotYet {
        name: name.to_string(),
        reason: "userspace USB is implemented on Linux (usbfs) only",
    })
}

/// On macOS, `/dev/diskN` and `/dev/rdiskN` open through scsitool's DriverKit extension
/// ([`crate::dext::macos`]; not exercised in CI).
#[cfg(target_os = "macos")]
fn open_node(name: &str, _access: Access) -> Result<Device, OpenError> {
    use crate::dext::{disk, macos};
    if disk::bsd_name(name).is_none() {
        return Err(OpenError::Unsupported(name.to_string()));
    }
    let transport = macos::open_disk(name).map_err(|e| OpenError::Os(e.to_string()))?;
    Ok(Device::Scsi(Box::new(transport)))
}

/// Device nodes need a platform backend.
#[cfg(not(any(target_os = "linux", target_os = "macos")))]
fn open_node(name: &str, _access: Access) -> Result<Device, OpenError> {
    Err(OpenError::Unsupported(name.to_string()))
}

/// What is mounted or swapped on the device `name` (itself, its partitions, devices
/// stacked on it), e.g. `sda1 mounted at /boot`: destructive commands refuse a device in
/// use. Emulated devices and names that are not device nodes hold nothing.
pub fn in_use(name: &str) -> Vec<String> {
    #[cfg(target_os = "linux")]
    if name.starts_with('/') {
        if let Ok(node) = crate::linux::node::classify(std::path::Path::new(name)) {
            return crate::linux::mounts::mounted(&node.sysfs);
        }
    }
    let _ = name;
    Vec::new()
}

//! USB devices from userspace through Linux usbfs (`/dev/bus/usb/BBB/DDD`), behind `usb:`
//! names: [`UsbFs`] implements [`emulator::usb::device::UsbDevice`] with the raw usbfs
//! ioctls (`linux/usbdevice_fs.h`), so the host transports of [`crate::usb`] drive real
//! hardware exactly as they drive the emulated devices.
//!
//! Why raw usbfs: UAS at SuperSpeed needs bulk streams (USB 3.2 8.12.1.4; UAS-2 4.4).
//! nusb 0.2 has none; libusb has them but is a C dependency; usbfs itself offers
//! USBDEVFS_ALLOC_STREAMS and a `stream_id` in each URB, and the few ioctls needed are
//! small, fixed structures (their layouts and numbers are checked in `ioctl`'s tests).
//!
//! The claim and give-back contract: opening claims the mass-storage interface, detaching
//! the kernel driver bound to it (usb-storage or uas) in one step
//! (USBDEVFS_DISCONNECT_CLAIM) — but first refuses when the disks that driver made of the
//! interface hold a mounted filesystem or active swap, which detaching would pull from
//! under them. The interface goes back to its driver (RELEASEINTERFACE, then
//! USBDEVFS_CONNECT) on every way out: when the [`UsbFs`] is dropped (return, error,
//! panic unwinding), and on Ctrl-C, SIGTERM or SIGHUP through a handler installed with the
//! first claim, which gives back every claimed interface and exits with status 130 (see
//! `claim`). The kernel then probes the interface again and the disk reappears.
//!
//! Standard requests that change state the kernel keeps are carried out by the kernel:
//! SET_INTERFACE becomes USBDEVFS_SETINTERFACE, CLEAR_FEATURE(ENDPOINT_HALT) becomes
//! USBDEVFS_CLEAR_HALT, SET_CONFIGURATION of the configuration in effect does nothing
//! (usbfs cannot change it while an interface is claimed). A port reset
//! (USBDEVFS_RESET) releases the interface first and claims it again after, so the kernel's
//! re-probe cannot hand it back to its driver; the release puts the interface back to
//! alternate setting 0, so the alternate selected before (UAS on alt 1 of a bridge) is
//! selected again after the claim.
//!
//! - [`name`]: parsing `usb:VID:PID[,BUS.ADDR][,lun=N]`.
//! - [`sysfs`]: finding the device, its mass-storage interface and the disks on it.
//! - `ioctl`, `urb`, `dma`, `errno`, `claim`: the ioctls, submitted transfers, the
//!   memory usbfs maps for DMA, error mapping and the claim registry with its signal
//!   handler.

mod claim;
mod device;
mod dma;
mod errno;
mod ioctl;
pub mod name;
pub mod sysfs;
mod urb;

pub use device::{UsbFs, UsbFsError};

use crate::open::{OpenError, OpenOptions};
use crate::scsi::ScsiTransport;
use name::UsbName;
use std::path::Path;

/// Opens the device a `usb:` name designates (looked up in [`sysfs::USB_DEVICES`]),
/// claims its mass-storage interface and puts the transport `options` choose over it
/// (Bulk-Only, USB MSC BOT 1.0, or UAS-2), for the name's logical unit, with the wire
/// trace `options` ask for ([`crate::usb::open_device`]).
pub fn open_scsi(name: &str, options: &OpenOptions) -> Result<Box<dyn ScsiTransport>, OpenError> {
    let parsed = UsbName::parse(name).map_err(|e| OpenError::UsbName(e.to_string()))?;
    let device = open_device(&parsed)?;
    Ok(crate::usb::open_device(
        device,
        options.usb_protocol,
        parsed.lun,
        options.wire_trace,
    )?)
}

/// Finds the device `name` designates and claims its first mass-storage interface.
pub fn open_device(name: &UsbName) -> Result<UsbFs, OpenError> {
    let entry = sysfs::find(Path::new(sysfs::USB_DEVICES), name)
        .map_err(|e| OpenError::UsbName(e.to_string()))?;
    let (interface, dir) = entry
        .mass_storage_interfaces()
        .into_iter()
        .next()
        .ok_or_else(|| {
            OpenError::UsbName(format!(
                "{name} ({}) has no mass-storage interface (class 08h)",
                entry.node().display()
            ))
        })?;
    UsbFs::open(&entry, interface, &dir).map_err(|e| OpenError::Os(e.to_string()))
}

//! USB transports for SCSI: the host side of USB Mass Storage Bulk-Only Transport
//! ([`bot::BotTransport`], USB MSC BOT 1.0) over any [`emulator::usb::device::UsbDevice`]
//! — the emulated [`emulator::usb::device::MassStorageDevice`] today, a usbfs or libusb
//! backend later.
//!
//! How a transport holds its device: generically, `BotTransport<D: UsbDevice>`. Each
//! backend (emulated, usbfs) is one concrete `D`, and the type is erased one level up,
//! where `open` hands out `Box<dyn ScsiTransport>`: a `usb:` name opens its backend's
//! device, wraps it in `BotTransport` and boxes that. The tests keep the concrete type and
//! reach the emulated device through [`bot::BotTransport::device_mut`] to inject faults.
//! `BotTransport<Box<dyn UsbDevice + Send>>` would need `UsbDevice` implemented for the
//! box, which only the `emulator` crate can add (orphan rule); a generic transport needs
//! nothing and costs one instance per backend.
//!
//! Timeouts: the transport sets the request's timeout on the device
//! ([`emulator::usb::device::UsbDevice::set_timeout`]) before its synchronous transfers
//! and passes it to `reap` for submitted ones; a backend that expires answers `Timeout`,
//! and the transport recovers and reports the request's timeout.
//!
//! - [`enumerate`]: finding and selecting the Bulk-Only interface (descriptors,
//!   SET_CONFIGURATION, SET_INTERFACE, Get Max LUN).
//! - [`bot`]: the commands (CBW, data, CSW), recovery and autosense.
//! - [`trace`]: the wire shown (`-v`): any device's transfers decoded and in hex.

use crate::scsi::{ScsiTransport, TransportError};
use emulator::usb::device::UsbDevice;

pub mod bot;
pub mod enumerate;
pub mod trace;

/// Which transport protocol a `usb:` device is driven with, by the bInterfaceProtocol of
/// the mass-storage alternate setting (USB MSC Overview 1.4 Table 2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UsbProtocol {
    /// USB Attached SCSI when the interface offers it and the host can drive it, else
    /// Bulk-Only.
    #[default]
    Auto,
    /// Bulk-Only Transport (50h).
    Bot,
    /// USB Attached SCSI (62h).
    Uas,
}

/// Opens logical unit `lun` of `device` with `protocol` as a boxed SCSI transport, its
/// transfers shown on standard error at wire-trace `level` 1 and up ([`trace::Traced`]).
pub fn open_device<D: UsbDevice + 'static>(
    device: D,
    protocol: UsbProtocol,
    lun: u8,
    level: u8,
) -> Result<Box<dyn ScsiTransport>, TransportError> {
    if level == 0 {
        return connect(device, protocol, lun);
    }
    let traced = trace::Traced::new(device, level, Box::new(std::io::stderr()));
    connect(traced, protocol, lun)
}

/// Opens logical unit `lun` of `device` with `protocol`.
fn connect<D: UsbDevice + 'static>(
    device: D,
    protocol: UsbProtocol,
    lun: u8,
) -> Result<Box<dyn ScsiTransport>, TransportError> {
    match protocol {
        UsbProtocol::Auto | UsbProtocol::Bot => Ok(Box::new(bot::BotTransport::open(device, lun)?)),
        UsbProtocol::Uas => Err(TransportError::Refused(
            "the UAS host transport has not landed yet; use --usb-proto bot".into(),
        )),
    }
}

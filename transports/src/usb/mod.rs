//! USB transports for SCSI: the host side of USB Mass Storage Bulk-Only Transport
//! ([`bot::BotTransport`], USB MSC BOT 1.0) and of USB Attached SCSI
//! ([`uas::UasTransport`], T10 UAS-2) over any [`emulator::usb::device::UsbDevice`] — the
//! emulated [`emulator::usb::device::MassStorageDevice`], or a usbfs backend — and
//! [`connect`], which picks the protocol from the alternates the device offers.
//!
//! How a transport holds its device: generically, `BotTransport<D: UsbDevice>`. Each
//! backend (emulated, usbfs) is one concrete `D`, and the type is erased one level up,
//! where [`connect`] hands out `Box<dyn ScsiTransport>`. The tests keep the concrete type
//! and reach the emulated device through `device_mut` to inject faults.
//! `BotTransport<Box<dyn UsbDevice + Send>>` would need `UsbDevice` implemented for the
//! box, which only the `emulator` crate can add (orphan rule); a generic transport needs
//! nothing and costs one instance per backend.
//!
//! Timeouts: the transport sets the request's timeout on the device
//! ([`emulator::usb::device::UsbDevice::set_timeout`]) before its synchronous transfers
//! and passes it to `reap` for submitted ones; a backend that expires answers `Timeout`,
//! and the transport recovers and reports the request's timeout.
//!
//! - [`enumerate`]: reading the descriptors and selecting the Bulk-Only or UAS alternate
//!   (SET_CONFIGURATION, SET_INTERFACE, Get Max LUN, UAS pipes and streams).
//! - [`bot`]: Bulk-Only commands (CBW, data, CSW), recovery and autosense.
//! - [`uas`]: UAS commands (IUs on four pipes, several in flight), task management.
//! - [`trace`]: the wire shown (`-v`): any device's transfers decoded and in hex.

pub mod bot;
pub mod enumerate;
pub mod trace;
pub mod uas;

use crate::scsi::{ScsiTransport, TransportError};
use bot::BotTransport;
use cdb::usb::descriptor::{PROTOCOL_BOT, PROTOCOL_UAS};
use emulator::usb::device::UsbDevice;
use enumerate::Found;
use uas::UasTransport;

/// The transport protocol to run over a mass-storage interface (USB MSC Overview 1.4
/// Table 2: bInterfaceProtocol).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UsbProtocol {
    /// UAS (62h) when the device offers it and, at SuperSpeed, the host grants streams;
    /// else Bulk-Only (50h).
    #[default]
    Auto,
    /// Bulk-Only Transport (50h) only.
    Bot,
    /// USB Attached SCSI (62h) only.
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

/// Opens logical unit `lun` of `device` over `protocol` (USB MSC Overview 1.4 Table 2):
/// the descriptors are read once and the alternate setting of the protocol selected.
/// [`UsbProtocol::Bot`] and [`UsbProtocol::Uas`] demand theirs and are refused, naming
/// what the interface offers, when it is absent; [`UsbProtocol::Auto`] takes UAS when
/// offered and usable, else Bulk-Only.
pub fn connect<D: UsbDevice + 'static>(
    mut device: D,
    protocol: UsbProtocol,
    lun: u8,
) -> Result<Box<dyn ScsiTransport>, TransportError> {
    let found = Found::read(&mut device)?;
    let bot = |mut device: D| -> Result<Box<dyn ScsiTransport>, TransportError> {
        let link = enumerate::bulk_only_of(&mut device, &found)?;
        Ok(Box::new(BotTransport::with_link(device, link, lun)?))
    };
    match protocol {
        UsbProtocol::Bot => bot(device),
        UsbProtocol::Uas => {
            let link = enumerate::uas_of(&mut device, &found)?;
            Ok(Box::new(UasTransport::with_link(device, link, lun)))
        }
        UsbProtocol::Auto => {
            if found.alternate(PROTOCOL_UAS).is_some() {
                match enumerate::uas_of(&mut device, &found) {
                    Ok(link) => return Ok(Box::new(UasTransport::with_link(device, link, lun))),
                    // UAS unusable here (no streams at SuperSpeed): Bulk-Only if offered.
                    Err(TransportError::Refused(why))
                        if found.alternate(PROTOCOL_BOT).is_none() =>
                    {
                        return Err(TransportError::Refused(why))
                    }
                    Err(TransportError::Refused(_)) => {}
                    Err(error) => return Err(error),
                }
            }
            bot(device)
        }
    }
}

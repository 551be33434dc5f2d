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

pub mod bot;
pub mod enumerate;

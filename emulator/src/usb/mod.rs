//! The USB faces of a SCSI target device ([`crate::target::ScsiTarget`]): the device side
//! of USB Mass Storage Bulk-Only Transport (USB MSC BOT 1.0) and of USB Attached SCSI
//! (T10 UAS-2, USB-IF UASP 1.0) over in-memory pipes, with injectable pipe faults, and the
//! USB device that carries them.
//!
//! - [`pipe`]: the Bulk-Only pipes as a host transport drives them — bulk-out, bulk-in and
//!   the control requests BOT uses ([`UsbPipe`]) — and the typed [`UsbError`] every USB
//!   operation here fails with.
//! - [`BotDevice`]: the Bulk-Only interface. The CBW and CSW are wire formats in
//!   [`cdb::usb::bot`].
//! - [`uas`]: the UAS interface ([`UasDevice`]): command, status, data-in and data-out
//!   pipes, streams at SuperSpeed, several commands in flight, task management, and the
//!   bridge [`Quirk`]s `drop-unknown-data-phase` and `reset-on-unknown-cdb`. Its IUs are
//!   wire formats in [`cdb::usb::uas`].
//! - [`fault`]: faults injected into the Bulk-Only pipes ([`Fault`]) and the UAS pipes
//!   ([`UasFault`]).
//! - [`device`]: a USB device at the endpoint level ([`device::UsbDevice`], shaped like
//!   usbfs/libusb): descriptors ([`cdb::usb::descriptor`]), the standard requests, bulk
//!   transfers by endpoint address and stream, port reset; one mass-storage interface whose
//!   alternate settings are BOT (like QEMU usb-storage), UAS (like QEMU usb-uas) or both
//!   (alt 0 BOT, alt 1 UAS, like USB–NVMe bridges in the field), over one target.

mod bot;
pub mod device;
pub mod fault;
mod intent;
pub mod pipe;
mod sense;
pub mod uas;

#[cfg(test)]
mod test_target;
#[cfg(test)]
mod tests;

pub use bot::BotDevice;
pub use fault::{Fault, Phase, UasFault};
pub use pipe::{Endpoint, UsbError, UsbPipe, UsbResult};
pub use uas::{Quirk, UasDevice};

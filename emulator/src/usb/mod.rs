//! The disk's USB face: the device side of USB Mass Storage Bulk-Only Transport (USB MSC
//! BOT 1.0) over an in-memory pipe pair, with injectable pipe faults.
//!
//! - [`pipe`]: what a host transport drives — bulk-out, bulk-in and the control requests
//!   BOT uses ([`UsbPipe`]), failing with a typed [`UsbError`].
//! - the CBW and CSW (BOT 5.1, 5.2) are wire formats in [`cdb::usb::bot`].
//! - [`BotDevice`]: the Bulk-Only interface in front of any [`crate::target::ScsiTarget`].
//! - [`fault`]: faults injected before a command ([`Fault`]).
//!
//! UAS (USB Attached SCSI) is meant to sit beside [`BotDevice`] as another [`UsbPipe`]
//! user over the same target.

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

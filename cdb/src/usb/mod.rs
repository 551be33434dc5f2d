//! USB wire formats a mass-storage host and device both need: the Bulk-Only wrappers
//! ([`bot`], USB MSC BOT 1.0 5), the USB Attached SCSI information units ([`uas`], T10
//! UAS-2 6 / USB-IF UASP 1.0 6), the standard descriptors that lead a host to the
//! mass-storage interface and its alternate settings ([`descriptor`], USB 2.0 9.6, USB 3.2
//! 9.6) and the control requests that select them ([`request`], USB 2.0 9.3, 9.4).

pub mod bot;
pub mod descriptor;
pub mod request;
pub mod uas;

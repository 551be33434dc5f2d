//! usbfs errors in USB terms: the `errno` of a failed ioctl, or the negative `errno` in a
//! reaped URB's status (Linux `Documentation/driver-api/usb/error-codes.rst`), as the
//! [`UsbError`] a host transport recovers from.

use emulator::usb::UsbError;
use std::io;

/// The USB outcome an `errno` reports:
/// - EPIPE: the endpoint answered STALL (USB 2.0 8.4.5) → [`UsbError::Stall`]; so does
///   EOVERFLOW (babble), after which the host halted the endpoint and a
///   CLEAR_FEATURE(ENDPOINT_HALT) recovers it as from a STALL.
/// - ETIMEDOUT (the usbfs timeout expired), EINTR, and EPROTO, EILSEQ, ETIME (no
///   handshake within the bus turn-around time) → [`UsbError::Timeout`].
/// - ENODEV, ESHUTDOWN: the device left the bus → [`UsbError::Disconnected`].
/// - ENOENT: no endpoint with that address in the claimed interfaces' alternate settings
///   in effect (or a transfer the kernel killed) → [`UsbError::NotFound`].
/// - Anything else (EINVAL: a request usbfs refuses, such as a stream ID on an endpoint
///   without streams) → [`UsbError::InvalidParam`].
pub fn from_errno(errno: i32) -> UsbError {
    match errno {
        libc::EPIPE | libc::EOVERFLOW => UsbError::Stall,
        libc::ETIMEDOUT | libc::EINTR | libc::EPROTO | libc::EILSEQ | libc::ETIME => {
            UsbError::Timeout
        }
        libc::ENODEV | libc::ESHUTDOWN => UsbError::Disconnected,
        libc::ENOENT => UsbError::NotFound,
        _ => UsbError::InvalidParam,
    }
}

/// The USB outcome of a failed ioctl.
pub fn from_io(error: &io::Error) -> UsbError {
    error
        .raw_os_error()
        .map_or(UsbError::InvalidParam, from_errno)
}

/// Explains why the usbfs node `node` could not be opened read-write.
pub fn explain_open(node: &str, error: &io::Error) -> String {
    match error.raw_os_error() {
        Some(libc::EACCES) | Some(libc::EPERM) => format!(
            "{node}: permission denied: userspace USB needs read-write access to the node: \
             run as root, or add a udev rule granting rw on {node} (e.g. MODE=\"0660\", \
             GROUP of your user)"
        ),
        Some(libc::ENOENT) | Some(libc::ENODEV) | Some(libc::ENXIO) => {
            format!("{node}: the device is not there (unplugged, or usbfs nodes not in /dev)")
        }
        _ => format!("{node}: {error}"),
    }
}

/// Explains why interface `interface` of `node` could not be claimed.
pub fn explain_claim(node: &str, interface: u8, error: &io::Error) -> String {
    match error.raw_os_error() {
        Some(libc::EBUSY) => format!(
            "{node}: interface {interface} is busy: another program holds it through usbfs \
             (close it, or find it with 'fuser {node}')"
        ),
        Some(libc::EACCES) | Some(libc::EPERM) => {
            format!("{node}: detaching the kernel driver from interface {interface} needs root")
        }
        _ => format!("{node}: claiming interface {interface}: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_maps_as_usbfs_reports_transfers() {
        assert_eq!(from_errno(libc::EPIPE), UsbError::Stall);
        assert_eq!(from_errno(libc::ETIMEDOUT), UsbError::Timeout);
        assert_eq!(from_errno(libc::ENODEV), UsbError::Disconnected);
        assert_eq!(from_errno(libc::ESHUTDOWN), UsbError::Disconnected);
        assert_eq!(from_errno(libc::ENOENT), UsbError::NotFound);
        assert_eq!(from_errno(libc::EINVAL), UsbError::InvalidParam);
        let io = io::Error::from_raw_os_error(libc::EPROTO);
        assert_eq!(from_io(&io), UsbError::Timeout);
    }

    #[test]
    fn open_errors_name_the_node_and_the_permission() {
        let node = "/dev/bus/usb/002/002";
        let denied = explain_open(node, &io::Error::from_raw_os_error(libc::EACCES));
        assert!(denied.contains("needs read-write access"), "{denied}");
        assert!(
            denied.contains("udev rule granting rw on /dev/bus/usb/002/002"),
            "{denied}"
        );
        let busy = explain_claim(node, 0, &io::Error::from_raw_os_error(libc::EBUSY));
        assert!(busy.contains("another program holds it"), "{busy}");
    }
}

//! Operating-system errors in the user's terms: opening a node (which permission is
//! missing), a pass-through ioctl the node does not understand (not a SCSI or NVMe node),
//! and a device that went away.

use std::io;
use std::path::Path;

/// Explains why `path` could not be opened, read-write when `write` is set.
pub fn explain_open(path: &Path, write: bool, error: &io::Error) -> String {
    let path = path.display();
    match error.raw_os_error() {
        Some(libc::EACCES) | Some(libc::EPERM) => {
            let access = if write { "read-write" } else { "read" };
            format!(
                "{path}: permission denied: pass-through needs {access} access to the node \
                 (run as root, or join the group that owns it, usually 'disk')"
            )
        }
        Some(libc::EROFS) => format!("{path}: the device is read-only; this command writes"),
        Some(libc::ENOENT) => format!("{path}: no such device node"),
        Some(libc::ENXIO) | Some(libc::ENODEV) => {
            format!("{path}: the device is not there (it was removed or is not ready)")
        }
        Some(libc::EBUSY) => format!("{path}: the device is busy (held exclusively)"),
        _ => format!("{path}: {error}"),
    }
}

/// Explains a failed pass-through ioctl on `path`; `expected` names the kind of node the
/// ioctl needs ("SCSI", "NVMe").
pub fn explain_ioctl(path: &Path, expected: &str, error: &io::Error) -> String {
    let path = path.display();
    match error.raw_os_error() {
        Some(libc::ENOTTY) => {
            format!("{path}: not a {expected} device node (the driver does not know the ioctl)")
        }
        Some(libc::EACCES) | Some(libc::EPERM) => format!(
            "{path}: permission denied: this command needs CAP_SYS_RAWIO or a read-write open"
        ),
        Some(libc::ENODEV) | Some(libc::ENXIO) => {
            format!("{path}: the device vanished while the command was outstanding")
        }
        Some(libc::EINVAL) => format!(
            "{path}: the driver refused the request as invalid (transfer too long or misaligned \
             for this queue?)"
        ),
        Some(libc::ENOMEM) => {
            format!("{path}: the kernel could not map the data buffer (transfer too long?)")
        }
        _ => format!("{path}: {error}"),
    }
}

/// Whether `error` means the device is gone.
pub fn is_gone(error: &io::Error) -> bool {
    matches!(error.raw_os_error(), Some(libc::ENODEV) | Some(libc::ENXIO))
}

//! Linux pass-through backends: SCSI commands through the SG_IO ioctl (sg v3 interface) on
//! `sd` and `sg` nodes, and NVMe admin and I/O commands through the NVMe driver's
//! pass-through ioctls on `/dev/nvmeN`, `/dev/nvmeNnM` and `/dev/ngNnM`.
//!
//! - [`node`]: what a path is — a SCSI disk, a SCSI generic node, an NVMe controller,
//!   namespace or generic namespace node, a partition — read from `stat` and sysfs
//!   (`/sys/dev/{block,char}/MAJ:MIN`), before anything is sent.
//! - [`limits`]: the request queue's transfer limits (`max_hw_sectors_kb`, `max_segments`),
//!   enforced before a command is sent.
//! - [`sg_io`]: the [`crate::scsi::ScsiTransport`] over SG_IO, with host and driver status
//!   decoded ([`host_status`]).
//! - [`nvme_ioctl`]: the [`crate::nvme::NvmeTransport`] over `NVME_IOCTL_ADMIN_CMD` and
//!   `NVME_IOCTL_IO_CMD`.
//! - [`os_error`]: operating-system errors explained in the user's terms (which permission
//!   is missing, which kind of node was expected, a device that vanished).
//! - [`discover`]: every SCSI logical unit and NVMe controller, with identity, transport
//!   and USB attachment, read from sysfs ([`crate::inventory`] records).
//! - [`mounts`]: whether a device or one of its partitions holds a mounted filesystem, so
//!   destructive commands can refuse it.
//! - [`usbfs`]: USB devices from userspace (`usb:` names) through usbfs, their interface
//!   claimed from the kernel's driver and given back on every way out.

pub mod discover;
pub mod host_status;
pub mod limits;
pub mod mounts;
pub mod node;
pub mod nvme_ioctl;
pub mod os_error;
#[cfg(test)]
mod scratch;
pub mod sg_io;
pub mod usbfs;

//! NVMe commands through the Linux NVMe driver's pass-through ioctls
//! (`include/uapi/linux/nvme_ioctl.h`): `NVME_IOCTL_ADMIN_CMD` for the Admin queue and
//! `NVME_IOCTL_IO_CMD` for I/O, with `struct nvme_passthru_cmd`. The driver fills the
//! command identifier and the data pointers; a positive return value is the completion's
//! status field (NVMe Base 2.0 4.6.1), and `result` is completion Dword 0.

use super::limits::{page_size, QueueLimits};
use super::node::{self, Node, NodeKind};
use super::os_error;
use super::sg_io::{describe_kind, open_node};
use crate::nvme::NvmeTransport;
use crate::open::{Access, OpenError};
use crate::scsi::{DataBuffer, TransportError};
use cdb::nvme::{Completion, Queue, Status, SubmissionEntry};
use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::path::Path;
use std::time::Duration;

/// `NVME_IOCTL_ADMIN_CMD`: `_IOWR('N', 0x41, struct nvme_passthru_cmd)`.
const NVME_IOCTL_ADMIN_CMD: libc::c_ulong = 0xc048_4e41;
/// `NVME_IOCTL_IO_CMD`: `_IOWR('N', 0x43, struct nvme_passthru_cmd)`.
const NVME_IOCTL_IO_CMD: libc::c_ulong = 0xc048_4e43;

/// `NVME_IOCTL_RESET`: `_IO('N', 0x44)`, a Controller Level Reset by the driver (on the
/// controller node only).
const NVME_IOCTL_RESET: libc::c_ulong = 0x4e44;

/// `struct nvme_passthru_cmd`, in the kernel's layout (72 bytes).
#[repr(C)]
#[derive(Default)]
struct PassthruCmd {
    opcode: u8,
    flags: u8,
    rsvd1: u16,
    nsid: u32,
    cdw2: u32,
    cdw3: u32,
    metadata: u64,
    addr: u64,
    metadata_len: u32,
    data_len: u32,
    cdw10: u32,
    cdw11: u32,
    cdw12: u32,
    cdw13: u32,
    cdw14: u32,
    cdw15: u32,
    timeout_ms: u32,
    result: u32,
}

/// An NVMe controller, namespace or generic namespace node opened for pass-through.
pub struct NvmeIoctl {
    file: File,
    node: Node,
    limits: QueueLimits,
    page: u64,
}

impl NvmeIoctl {
    /// Opens `/dev/nvmeN`, `/dev/nvmeNnM` or `/dev/ngNnM`.
    pub fn open(path: &Path, access: Access) -> Result<NvmeIoctl, OpenError> {
        let node = node::classify(path)?;
        match &node.kind {
            NodeKind::NvmeController | NodeKind::NvmeNamespace | NodeKind::NvmeGeneric => {}
            other => {
                return Err(OpenError::WrongKind {
                    path: path.display().to_string(),
                    expected:
                        "an NVMe controller (/dev/nvmeN) or namespace (/dev/nvmeNnM, /dev/ngNnM)",
                    found: describe_kind(other),
                })
            }
        }
        let file = open_node(path, access)?;
        Ok(NvmeIoctl {
            limits: QueueLimits::for_device(&node.sysfs),
            file,
            node,
            page: page_size(),
        })
    }
}

impl NvmeTransport for NvmeIoctl {
    fn submit(
        &mut self,
        queue: Queue,
        entry: &SubmissionEntry,
        data: DataBuffer<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        if queue == Queue::Io && self.node.kind == NodeKind::NvmeController {
            return Err(TransportError::Refused(format!(
                "{}: I/O commands need a namespace node ({}n1 or the ng node), not the \
                 controller",
                self.node.path.display(),
                self.node.path.display()
            )));
        }
        let (addr, len) = match data {
            DataBuffer::None => (0, 0),
            DataBuffer::In(buf) => (buf.as_mut_ptr() as u64, buf.len()),
            DataBuffer::Out(bytes) => (bytes.as_ptr() as u64, bytes.len()),
        };
        self.limits.check(len, self.page)?;
        let data_len = u32::try_from(len).map_err(|_| {
            TransportError::Refused(format!(
                "NVMe pass-through moves at most 4 GiB, not {len} bytes"
            ))
        })?;
        let mut cmd = PassthruCmd {
            opcode: entry.opc(),
            flags: 0,
            nsid: entry.nsid.get(),
            cdw2: entry.cdw2.get(),
            cdw3: entry.cdw3.get(),
            addr,
            data_len,
            cdw10: entry.cdw10.get(),
            cdw11: entry.cdw11.get(),
            cdw12: entry.cdw12.get(),
            cdw13: entry.cdw13.get(),
            cdw14: entry.cdw14.get(),
            cdw15: entry.cdw15.get(),
            timeout_ms: u32::try_from(timeout.as_millis()).unwrap_or(u32::MAX),
            ..PassthruCmd::default()
        };
        let request = match queue {
            Queue::Admin => NVME_IOCTL_ADMIN_CMD,
            Queue::Io => NVME_IOCTL_IO_CMD,
        };
        // SAFETY: cmd.addr and cmd.data_len describe the data buffer, which outlives the
        // synchronous ioctl; the driver reads it for data-out and writes it for data-in.
        let rc =
            unsafe { libc::ioctl(self.file.as_raw_fd(), request, &mut cmd as *mut PassthruCmd) };
        if rc < 0 {
            let error = io::Error::last_os_error();
            let message = os_error::explain_ioctl(&self.node.path, "NVMe", &error);
            return Err(match error.raw_os_error() {
                Some(libc::EINTR) => TransportError::Timeout(timeout),
                _ if os_error::is_gone(&error) => TransportError::Gone(message),
                _ => TransportError::Failed(message),
            });
        }
        Ok(completion(cmd.result, rc))
    }

    fn describe(&self) -> String {
        format!(
            "NVMe pass-through on {} ({})",
            self.node.path.display(),
            self.node.name
        )
    }

    fn max_transfer(&self) -> Option<u64> {
        self.limits.max_transfer(self.page)
    }

    /// `NVME_IOCTL_RESET` on the controller node: the driver resets the controller (CC.EN
    /// cleared and set again, NVMe Base 2.0 3.7.2) and brings its queues back.
    fn reset_controller(&mut self) -> Result<(), TransportError> {
        if self.node.kind != NodeKind::NvmeController {
            return Err(TransportError::Refused(format!(
                "{}: a controller reset needs the controller node (/dev/nvmeN), not a \
                 namespace",
                self.node.path.display()
            )));
        }
        // SAFETY: NVME_IOCTL_RESET takes no argument; the file descriptor is open.
        let rc = unsafe { libc::ioctl(self.file.as_raw_fd(), NVME_IOCTL_RESET) };
        if rc < 0 {
            let error = io::Error::last_os_error();
            return Err(TransportError::Failed(os_error::explain_ioctl(
                &self.node.path,
                "NVMe controller",
                &error,
            )));
        }
        Ok(())
    }
}

/// The completion a pass-through ioctl reports: Dword 0 from `result`, the status field
/// from a positive return value (the driver drops the phase tag).
fn completion(result: u32, rc: libc::c_int) -> Completion {
    Completion {
        dw0: result,
        dw1: 0,
        sqhd: 0,
        sqid: 0,
        cid: 0,
        phase: false,
        // A positive return is the 15-bit status field; larger values do not occur.
        status: Status::from_field(u16::try_from(rc.max(0)).unwrap_or(u16::MAX)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_has_the_kernels_size_and_ioctl_numbers() {
        assert_eq!(std::mem::size_of::<PassthruCmd>(), 72);
        // _IOWR: direction 3 in bits 31:30, size in 29:16, type 'N' in 15:8, number.
        let iowr =
            |nr: libc::c_ulong| (3 << 30) | (72 << 16) | (libc::c_ulong::from(b'N') << 8) | nr;
        assert_eq!(NVME_IOCTL_ADMIN_CMD, iowr(0x41));
        assert_eq!(NVME_IOCTL_IO_CMD, iowr(0x43));
        // _IO: no direction, no size.
        assert_eq!(NVME_IOCTL_RESET, (libc::c_ulong::from(b'N') << 8) | 0x44);
    }

    #[test]
    fn a_positive_return_is_the_status_field() {
        // Invalid Command Opcode with DNR, as QEMU answers Firmware Commit.
        let done = completion(0, 0x4001);
        assert_eq!(done.status.sc, 0x01);
        assert!(done.status.dnr);
        let ok = completion(0x1234, 0);
        assert!(ok.status.is_success());
        assert_eq!(ok.dw0, 0x1234);
    }

    #[test]
    fn non_nvme_nodes_are_refused() {
        let err = NvmeIoctl::open(Path::new("/dev/null"), Access::Read)
            .err()
            .unwrap();
        assert!(
            err.to_string().contains("expected an NVMe controller"),
            "{err}"
        );
    }
}

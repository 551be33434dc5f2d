//! SCSI commands through the SG_IO ioctl, sg v3 interface (Linux `include/scsi/sg.h`,
//! `struct sg_io_hdr`), on `sd` block nodes and `sg` character nodes: the CDB, the data
//! buffer in the command's direction, a sense buffer and a timeout go in; SCSI status,
//! sense, residual, and the host and driver status come back.

use super::host_status::{DriverStatus, HostStatus};
use super::limits::{page_size, QueueLimits};
use super::node::{self, Node, NodeKind};
use super::os_error;
use crate::open::{Access, OpenError};
use crate::scsi::{DataBuffer, ScsiReply, ScsiRequest, ScsiTransport, TransportError, UsbId};
use cdb::scsi::status::Status;
use std::ffi::c_void;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::time::Duration;

/// `SG_IO` (`include/scsi/sg.h`).
const SG_IO: libc::c_ulong = 0x2285;
/// `interface_id`: 'S' for the v3 interface.
const INTERFACE_ID: libc::c_int = b'S' as libc::c_int;
/// `SG_DXFER_NONE`, `SG_DXFER_TO_DEV`, `SG_DXFER_FROM_DEV`.
const DXFER_NONE: libc::c_int = -1;
const DXFER_TO_DEV: libc::c_int = -2;
const DXFER_FROM_DEV: libc::c_int = -3;
/// The sense buffer: the most `sb_len_wr` (a byte) can report, rounded to a dword.
const SENSE_LEN: usize = 252;
/// The longest CDB the SCSI midlayer holds (`struct scsi_cmnd` keeps 32 bytes).
pub const MAX_CDB_LEN: usize = 32;

/// `struct sg_io_hdr` (sg v3), in the kernel's layout.
#[repr(C)]
struct SgIoHdr {
    interface_id: libc::c_int,
    dxfer_direction: libc::c_int,
    cmd_len: u8,
    mx_sb_len: u8,
    iovec_count: u16,
    dxfer_len: u32,
    dxferp: *mut c_void,
    cmdp: *const u8,
    sbp: *mut u8,
    timeout: u32,
    flags: u32,
    pack_id: libc::c_int,
    usr_ptr: *mut c_void,
    status: u8,
    masked_status: u8,
    msg_status: u8,
    sb_len_wr: u8,
    host_status: u16,
    driver_status: u16,
    resid: libc::c_int,
    duration: u32,
    info: u32,
}

/// A SCSI device opened for SG_IO: an `sd` or `sg` node.
pub struct SgIo {
    file: File,
    node: Node,
    limits: QueueLimits,
    page: u64,
}

impl SgIo {
    /// Opens the `sd` or `sg` node at `path`. Read-write is tried first (some commands
    /// need it); with [`Access::Read`] a read-only open is the fallback.
    pub fn open(path: &Path, access: Access) -> Result<SgIo, OpenError> {
        let node = node::classify(path)?;
        match &node.kind {
            NodeKind::ScsiDisk | NodeKind::ScsiGeneric => {}
            other => {
                return Err(OpenError::WrongKind {
                    path: path.display().to_string(),
                    expected: "a SCSI disk (/dev/sdX) or SCSI generic node (/dev/sgN)",
                    found: describe_kind(other),
                })
            }
        }
        let file = open_node(path, access)?;
        Ok(SgIo {
            limits: QueueLimits::for_device(&node.sysfs),
            file,
            node,
            page: page_size(),
        })
    }
}

/// Opens a device node read-write, or read-only when that is refused and `access`
/// allows it; never blocks for a removable medium (O_NONBLOCK).
pub(super) fn open_node(path: &Path, access: Access) -> Result<File, OpenError> {
    let open = |write: bool| {
        OpenOptions::new()
            .read(true)
            .write(write)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
    };
    let denied = |e: &io::Error| {
        matches!(
            e.raw_os_error(),
            Some(libc::EACCES) | Some(libc::EPERM) | Some(libc::EROFS)
        )
    };
    match open(true) {
        Ok(file) => Ok(file),
        Err(e) if access == Access::Read && denied(&e) => {
            open(false).map_err(|e| OpenError::Os(os_error::explain_open(path, false, &e)))
        }
        Err(e) => Err(OpenError::Os(os_error::explain_open(path, true, &e))),
    }
}

/// A node kind in words, for a wrong-kind error.
pub(crate) fn describe_kind(kind: &NodeKind) -> String {
    match kind {
        NodeKind::ScsiDisk => "a SCSI disk".into(),
        NodeKind::ScsiGeneric => "a SCSI generic node".into(),
        NodeKind::NvmeController => "an NVMe controller".into(),
        NodeKind::NvmeNamespace => "an NVMe namespace".into(),
        NodeKind::NvmeGeneric => "an NVMe generic namespace node".into(),
        NodeKind::Partition(parent) => {
            format!("a partition (pass-through needs the whole device, /dev/{parent})")
        }
        NodeKind::Other(what) => format!("a {what}"),
    }
}

impl ScsiTransport for SgIo {
    fn execute(&mut self, request: ScsiRequest<'_>) -> Result<ScsiReply, TransportError> {
        if !(6..=MAX_CDB_LEN).contains(&request.cdb.len()) {
            return Err(TransportError::Refused(format!(
                "SG_IO carries CDBs of 6 to {MAX_CDB_LEN} bytes, not {}",
                request.cdb.len()
            )));
        }
        let (direction, pointer, len) = match request.data {
            DataBuffer::None => (DXFER_NONE, std::ptr::null_mut(), 0),
            DataBuffer::In(buf) => (DXFER_FROM_DEV, buf.as_mut_ptr().cast(), buf.len()),
            // The kernel only reads a data-out buffer.
            DataBuffer::Out(bytes) => (DXFER_TO_DEV, bytes.as_ptr().cast_mut().cast(), bytes.len()),
        };
        self.limits.check(len, self.page)?;
        let dxfer_len = u32::try_from(len).map_err(|_| {
            TransportError::Refused(format!("SG_IO moves at most 4 GiB, not {len} bytes"))
        })?;
        let mut sense = [0u8; SENSE_LEN];
        let timeout_ms = u32::try_from(request.timeout.as_millis()).unwrap_or(u32::MAX);
        let mut hdr = SgIoHdr {
            interface_id: INTERFACE_ID,
            dxfer_direction: direction,
            // 6 to 32, checked above.
            cmd_len: request.cdb.len() as u8,
            mx_sb_len: SENSE_LEN as u8,
            iovec_count: 0,
            dxfer_len,
            dxferp: pointer,
            cmdp: request.cdb.as_ptr(),
            sbp: sense.as_mut_ptr(),
            timeout: timeout_ms,
            flags: 0,
            pack_id: 0,
            usr_ptr: std::ptr::null_mut(),
            status: 0,
            masked_status: 0,
            msg_status: 0,
            sb_len_wr: 0,
            host_status: 0,
            driver_status: 0,
            resid: 0,
            duration: 0,
            info: 0,
        };
        // SAFETY: hdr points at the CDB, the sense buffer and the data buffer, all of which
        // outlive the synchronous ioctl and have the lengths hdr states.
        let rc = unsafe { libc::ioctl(self.file.as_raw_fd(), SG_IO, &mut hdr as *mut SgIoHdr) };
        if rc < 0 {
            let error = io::Error::last_os_error();
            let message = os_error::explain_ioctl(&self.node.path, "SCSI", &error);
            return Err(if os_error::is_gone(&error) {
                TransportError::Gone(message)
            } else {
                TransportError::Failed(message)
            });
        }
        reply(&hdr, &sense, len, request.timeout)
    }

    fn describe(&self) -> String {
        format!("SG_IO on {} ({})", self.node.path.display(), self.node.name)
    }

    fn max_transfer(&self) -> Option<u64> {
        self.limits.max_transfer(self.page)
    }

    /// From sysfs: the nearest USB device (with `idVendor` and `idProduct`) above the SCSI
    /// device.
    fn usb_id(&self) -> Option<UsbId> {
        let scsi_device = std::fs::canonicalize(self.node.sysfs.join("device")).ok()?;
        let hex = |dir: &Path, name: &str| {
            let text = std::fs::read_to_string(dir.join(name)).ok()?;
            u16::from_str_radix(text.trim(), 16).ok()
        };
        scsi_device.ancestors().find_map(|dir| {
            Some(UsbId {
                vendor_id: hex(dir, "idVendor")?,
                product_id: hex(dir, "idProduct")?,
            })
        })
    }
}

/// The reply an SG_IO header describes, or why no SCSI status came back.
fn reply(
    hdr: &SgIoHdr,
    sense: &[u8],
    len: usize,
    timeout: Duration,
) -> Result<ScsiReply, TransportError> {
    let host = HostStatus(hdr.host_status);
    let driver = DriverStatus(hdr.driver_status);
    if host.is_timeout() || driver.is_timeout() {
        return Err(TransportError::Timeout(timeout));
    }
    if host.is_gone() {
        return Err(TransportError::Gone(host.describe()));
    }
    if !host.is_ok() {
        return Err(TransportError::Failed(format!(
            "the host adapter reported {}",
            host.describe()
        )));
    }
    let sense = sense.get(..usize::from(hdr.sb_len_wr)).unwrap_or(sense);
    if driver.is_failure() && hdr.status == 0 && sense.is_empty() {
        return Err(TransportError::Failed(format!(
            "the driver reported {}",
            driver.describe()
        )));
    }
    let resid = usize::try_from(hdr.resid).unwrap_or(0).min(len);
    Ok(ScsiReply {
        status: Status::from(hdr.status),
        sense: sense.to_vec(),
        transferred: len - resid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(status: u8, host: u16, driver: u16, resid: i32, sb_len: u8) -> SgIoHdr {
        SgIoHdr {
            interface_id: INTERFACE_ID,
            dxfer_direction: DXFER_FROM_DEV,
            cmd_len: 6,
            mx_sb_len: SENSE_LEN as u8,
            iovec_count: 0,
            dxfer_len: 96,
            dxferp: std::ptr::null_mut(),
            cmdp: std::ptr::null(),
            sbp: std::ptr::null_mut(),
            timeout: 0,
            flags: 0,
            pack_id: 0,
            usr_ptr: std::ptr::null_mut(),
            status,
            masked_status: status >> 1,
            msg_status: 0,
            sb_len_wr: sb_len,
            host_status: host,
            driver_status: driver,
            resid,
            duration: 0,
            info: 0,
        }
    }

    #[test]
    fn the_header_has_the_kernels_size() {
        // sizeof(struct sg_io_hdr) on LP64 Linux.
        assert_eq!(std::mem::size_of::<SgIoHdr>(), 88);
    }

    #[test]
    fn a_short_transfer_reports_the_residual_and_sense_is_cut_to_its_length() {
        let sense = [
            0x70u8, 0, 5, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x20, 0, 0, 0, 0, 0, 0xee,
        ];
        let hdr = header(0x02, 0, 0x08, 60, 18);
        let reply = reply(&hdr, &sense, 96, Duration::from_secs(1)).unwrap();
        assert_eq!(reply.status, Status::from(0x02));
        assert_eq!(reply.sense.len(), 18);
        assert_eq!(reply.transferred, 36);
    }

    #[test]
    fn host_and_driver_failures_are_transport_errors() {
        let timeout = Duration::from_secs(3);
        let timed_out = reply(&header(0, 0x03, 0, 0, 0), &[], 0, timeout).unwrap_err();
        assert!(matches!(timed_out, TransportError::Timeout(t) if t == timeout));
        let gone = reply(&header(0, 0x01, 0, 0, 0), &[], 0, timeout).unwrap_err();
        assert!(matches!(gone, TransportError::Gone(m) if m.contains("DID_NO_CONNECT")));
        let reset = reply(&header(0, 0x08, 0, 0, 0), &[], 0, timeout).unwrap_err();
        assert!(reset.to_string().contains("DID_RESET"), "{reset}");
        let driver = reply(&header(0, 0, 0x04, 0, 0), &[], 0, timeout).unwrap_err();
        assert!(driver.to_string().contains("DRIVER_ERROR"), "{driver}");
        // A residual larger than the buffer (a confused driver) never underflows.
        let odd = reply(&header(0, 0, 0, 1000, 0), &[], 96, timeout).unwrap();
        assert_eq!(odd.transferred, 0);
    }

    #[test]
    fn a_regular_file_is_refused_before_anything_is_sent() {
        let scratch = crate::linux::scratch::Scratch::new("sgio");
        let path = scratch.path().join("disk.img");
        std::fs::write(&path, b"not a disk").unwrap();
        let err = SgIo::open(&path, Access::Read).err().unwrap();
        assert!(err.to_string().contains("not a device node"), "{err}");
        let err = SgIo::open(Path::new("/dev/null"), Access::Read)
            .err()
            .unwrap();
        assert!(err.to_string().contains("expected a SCSI disk"), "{err}");
    }
}

//! The usbfs ioctls scsitool uses, with the kernel's structure layouts and request numbers
//! (Linux `include/uapi/linux/usbdevice_fs.h`), and thin wrappers that return the
//! operating system's error. Only [`super::urb`] passes buffers the kernel keeps after the
//! call returns; every other wrapper hands the kernel memory for the duration of one
//! synchronous ioctl.

use cdb::usb::request::SetupPacket;
use std::ffi::{c_int, c_uint, c_void};
use std::io;
use std::os::fd::RawFd;
use std::time::Duration;

/// `_IOC_NONE`, `_IOC_WRITE`, `_IOC_READ` (`include/uapi/asm-generic/ioctl.h`).
const NONE: libc::c_ulong = 0;
const WRITE: libc::c_ulong = 1;
const READ: libc::c_ulong = 2;

/// `_IOC(dir, 'U', nr, size)`: direction in bits 31:30, size in 29:16, type in 15:8.
const fn ioc(dir: libc::c_ulong, nr: libc::c_ulong, size: usize) -> libc::c_ulong {
    (dir << 30) | ((size as libc::c_ulong) << 16) | ((b'U' as libc::c_ulong) << 8) | nr
}

/// The size argument of `_IOR('U', nr, unsigned int)`.
const UINT: usize = std::mem::size_of::<c_uint>();

/// The request numbers, `USBDEVFS_*`.
const CONTROL: libc::c_ulong = ioc(READ | WRITE, 0, size_of::<CtrlTransfer>());
const BULK: libc::c_ulong = ioc(READ | WRITE, 2, size_of::<BulkTransfer>());
const SETINTERFACE: libc::c_ulong = ioc(READ, 4, size_of::<SetInterface>());
const GETDRIVER: libc::c_ulong = ioc(WRITE, 8, size_of::<GetDriver>());
const SUBMITURB: libc::c_ulong = ioc(READ, 10, size_of::<Urb>());
const DISCARDURB: libc::c_ulong = ioc(NONE, 11, 0);
const REAPURBNDELAY: libc::c_ulong = ioc(WRITE, 13, size_of::<*mut c_void>());
const CLAIMINTERFACE: libc::c_ulong = ioc(READ, 15, UINT);
const RELEASEINTERFACE: libc::c_ulong = ioc(READ, 16, UINT);
const IOCTL: libc::c_ulong = ioc(READ | WRITE, 18, size_of::<Ioctl>());
const RESET: libc::c_ulong = ioc(NONE, 20, 0);
const CLEAR_HALT: libc::c_ulong = ioc(READ, 21, UINT);
const DISCONNECT: libc::c_ulong = ioc(NONE, 22, 0);
const CONNECT: libc::c_ulong = ioc(NONE, 23, 0);
const DISCONNECT_CLAIM: libc::c_ulong = ioc(READ, 27, size_of::<DisconnectClaim>());
const ALLOC_STREAMS: libc::c_ulong = ioc(READ, 28, size_of::<StreamsHeader>());
const FREE_STREAMS: libc::c_ulong = ioc(READ, 29, size_of::<StreamsHeader>());

/// `USBDEVFS_DISCONNECT_CLAIM_EXCEPT_DRIVER`: leave the interface alone when the named
/// driver holds it.
const DISCONNECT_CLAIM_EXCEPT_DRIVER: c_uint = 0x02;
/// The name of usbfs's own interface driver.
pub(super) const USBFS: &[u8] = b"usbfs";
/// `USBDEVFS_MAXDRIVERNAME + 1`.
const DRIVER_NAME: usize = 256;
/// `USBDEVFS_URB_TYPE_BULK`.
pub(super) const URB_TYPE_BULK: u8 = 3;
/// The most endpoints one USBDEVFS_ALLOC_STREAMS names here: an interface has at most 30
/// (USB 2.0 9.6.6: endpoint numbers 1 to 15, each direction).
const MAX_STREAM_ENDPOINTS: usize = 30;

/// `struct usbdevfs_ctrltransfer`.
#[repr(C)]
struct CtrlTransfer {
    request_type: u8,
    request: u8,
    value: u16,
    index: u16,
    length: u16,
    timeout: u32,
    data: *mut c_void,
}

/// `struct usbdevfs_bulktransfer`.
#[repr(C)]
struct BulkTransfer {
    ep: c_uint,
    len: c_uint,
    timeout: c_uint,
    data: *mut c_void,
}

/// `struct usbdevfs_setinterface`.
#[repr(C)]
struct SetInterface {
    interface: c_uint,
    altsetting: c_uint,
}

/// `struct usbdevfs_getdriver`.
#[repr(C)]
struct GetDriver {
    interface: c_uint,
    driver: [u8; DRIVER_NAME],
}

/// `struct usbdevfs_ioctl`: an ioctl for the driver bound to interface `ifno`.
#[repr(C)]
struct Ioctl {
    ifno: c_int,
    ioctl_code: c_int,
    data: *mut c_void,
}

/// `struct usbdevfs_disconnect_claim`.
#[repr(C)]
struct DisconnectClaim {
    interface: c_uint,
    flags: c_uint,
    driver: [u8; DRIVER_NAME],
}

/// The fixed part of `struct usbdevfs_streams` (the request number's size).
#[repr(C)]
struct StreamsHeader {
    num_streams: c_uint,
    num_eps: c_uint,
}

/// `struct usbdevfs_streams` with room for the endpoint addresses that follow it.
#[repr(C)]
struct Streams {
    header: StreamsHeader,
    eps: [u8; MAX_STREAM_ENDPOINTS],
}

/// `struct usbdevfs_urb` (without ISO packet descriptors; the union holds `stream_id`).
#[repr(C)]
#[derive(Debug)]
pub(super) struct Urb {
    pub(super) urb_type: u8,
    pub(super) endpoint: u8,
    pub(super) status: c_int,
    pub(super) flags: c_uint,
    pub(super) buffer: *mut c_void,
    pub(super) buffer_length: c_int,
    pub(super) actual_length: c_int,
    pub(super) start_frame: c_int,
    pub(super) stream_id: c_uint,
    pub(super) error_count: c_int,
    pub(super) signr: c_uint,
    pub(super) usercontext: *mut c_void,
}

/// The result of an ioctl: its non-negative return value, or `errno`.
fn check(rc: c_int) -> io::Result<c_int> {
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc)
    }
}

/// An ioctl whose argument is an integer (or nothing).
fn ioctl_value(fd: RawFd, request: libc::c_ulong, value: libc::c_ulong) -> io::Result<c_int> {
    // SAFETY: the requests passed here take no argument or an integer: no memory is
    // shared with the kernel.
    check(unsafe { libc::ioctl(fd, request, value) })
}

/// An ioctl whose argument is a pointer to `arg`, which the kernel may read and write
/// during the call only.
fn ioctl_ref<T>(fd: RawFd, request: libc::c_ulong, arg: &mut T) -> io::Result<c_int> {
    // SAFETY: `arg` is a live, exclusive reference to a value with the layout `request`
    // encodes; the kernel uses it only during this synchronous call.
    check(unsafe { libc::ioctl(fd, request, arg as *mut T) })
}

/// Milliseconds for a usbfs timeout: at least 1 (0 would mean "wait for ever").
fn millis(timeout: Duration) -> u32 {
    u32::try_from(timeout.as_millis())
        .unwrap_or(u32::MAX)
        .max(1)
}

/// USBDEVFS_CONTROL: the control transfer `setup` (USB 2.0 9.3) with its data stage in
/// `data` (at most wLength bytes; read for OUT, written for IN, by bit 7 of
/// bmRequestType); returns the bytes moved.
pub(super) fn control(
    fd: RawFd,
    setup: &SetupPacket,
    data: &mut [u8],
    timeout: Duration,
) -> io::Result<usize> {
    let length = setup
        .length
        .get()
        .min(u16::try_from(data.len()).unwrap_or(u16::MAX));
    let mut transfer = CtrlTransfer {
        request_type: setup.request_type,
        request: setup.request,
        value: setup.value.get(),
        index: setup.index.get(),
        length,
        timeout: millis(timeout),
        data: data.as_mut_ptr().cast(),
    };
    // `data` holds at least `length` bytes and outlives the synchronous call.
    ioctl_ref(fd, CONTROL, &mut transfer).map(|n| usize::try_from(n).unwrap_or(0))
}

/// USBDEVFS_BULK: a synchronous bulk transfer on `endpoint` (bit 7 set: IN, into
/// `data`; clear: OUT, from `data`); returns the bytes moved.
pub(super) fn bulk(
    fd: RawFd,
    endpoint: u8,
    data: &mut [u8],
    timeout: Duration,
) -> io::Result<usize> {
    let len =
        c_uint::try_from(data.len()).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    let mut transfer = BulkTransfer {
        ep: c_uint::from(endpoint),
        len,
        timeout: millis(timeout),
        data: data.as_mut_ptr().cast(),
    };
    // `data` holds `len` bytes and outlives the synchronous call.
    ioctl_ref(fd, BULK, &mut transfer).map(|n| usize::try_from(n).unwrap_or(0))
}

/// USBDEVFS_SETINTERFACE: SET_INTERFACE through the kernel (USB 2.0 9.4.10), which resets
/// its endpoint state too.
pub(super) fn set_interface(fd: RawFd, interface: u8, alternate: u8) -> io::Result<()> {
    let mut arg = SetInterface {
        interface: c_uint::from(interface),
        altsetting: c_uint::from(alternate),
    };
    ioctl_ref(fd, SETINTERFACE, &mut arg).map(drop)
}

/// USBDEVFS_CLEAR_HALT: CLEAR_FEATURE(ENDPOINT_HALT) through the kernel (USB 2.0 9.4.1),
/// which resets the host side's data toggle too.
pub(super) fn clear_halt(fd: RawFd, endpoint: u8) -> io::Result<()> {
    let mut arg = c_uint::from(endpoint);
    ioctl_ref(fd, CLEAR_HALT, &mut arg).map(drop)
}

/// USBDEVFS_CLAIMINTERFACE.
pub(super) fn claim_interface(fd: RawFd, interface: u8) -> io::Result<()> {
    let mut arg = c_uint::from(interface);
    ioctl_ref(fd, CLAIMINTERFACE, &mut arg).map(drop)
}

/// USBDEVFS_RELEASEINTERFACE.
pub(super) fn release_interface(fd: RawFd, interface: u8) -> io::Result<()> {
    let mut arg = c_uint::from(interface);
    ioctl_ref(fd, RELEASEINTERFACE, &mut arg).map(drop)
}

/// USBDEVFS_GETDRIVER: the name of the kernel driver bound to `interface`, `None` when
/// none is (ENODATA).
pub(super) fn driver(fd: RawFd, interface: u8) -> io::Result<Option<String>> {
    let mut arg = GetDriver {
        interface: c_uint::from(interface),
        driver: [0; DRIVER_NAME],
    };
    match ioctl_ref(fd, GETDRIVER, &mut arg) {
        Ok(_) => {
            let end = arg
                .driver
                .iter()
                .position(|&b| b == 0)
                .unwrap_or(DRIVER_NAME);
            let name = arg.driver.get(..end).unwrap_or_default();
            Ok(Some(String::from_utf8_lossy(name).into_owned()))
        }
        Err(e) if e.raw_os_error() == Some(libc::ENODATA) => Ok(None),
        Err(e) => Err(e),
    }
}

/// USBDEVFS_DISCONNECT_CLAIM: unbinds whatever kernel driver holds `interface` and claims
/// it in one step, so no driver can bind in between — except when the driver is usbfs
/// (another program holds the interface): EBUSY.
pub(super) fn disconnect_claim(fd: RawFd, interface: u8) -> io::Result<()> {
    let mut arg = DisconnectClaim {
        interface: c_uint::from(interface),
        flags: DISCONNECT_CLAIM_EXCEPT_DRIVER,
        driver: [0; DRIVER_NAME],
    };
    if let Some(name) = arg.driver.get_mut(..USBFS.len()) {
        name.copy_from_slice(USBFS);
    }
    ioctl_ref(fd, DISCONNECT_CLAIM, &mut arg).map(drop)
}

/// USBDEVFS_IOCTL with `code` (USBDEVFS_DISCONNECT or USBDEVFS_CONNECT) for `interface`.
fn interface_ioctl(fd: RawFd, interface: u8, code: libc::c_ulong) -> io::Result<()> {
    let mut arg = Ioctl {
        ifno: c_int::from(interface),
        // The request numbers of DISCONNECT and CONNECT fit in 16 bits.
        ioctl_code: c_int::try_from(code).unwrap_or(0),
        data: std::ptr::null_mut(),
    };
    ioctl_ref(fd, IOCTL, &mut arg).map(drop)
}

/// USBDEVFS_IOCTL(USBDEVFS_DISCONNECT): unbinds the kernel driver from `interface`
/// (ENODATA when none is bound).
pub(super) fn disconnect(fd: RawFd, interface: u8) -> io::Result<()> {
    interface_ioctl(fd, interface, DISCONNECT)
}

/// USBDEVFS_IOCTL(USBDEVFS_CONNECT): lets the kernel bind its driver to `interface` again.
pub(super) fn connect(fd: RawFd, interface: u8) -> io::Result<()> {
    interface_ioctl(fd, interface, CONNECT)
}

/// USBDEVFS_RESET: a port reset (USB 2.0 7.1.7.5); the kernel restores the configuration
/// and alternate settings.
pub(super) fn reset(fd: RawFd) -> io::Result<()> {
    ioctl_value(fd, RESET, 0).map(drop)
}

/// USBDEVFS_ALLOC_STREAMS (`true`) or USBDEVFS_FREE_STREAMS (`false`) on `endpoints`;
/// allocation returns the number of streams granted.
pub(super) fn streams(fd: RawFd, alloc: bool, endpoints: &[u8], streams: u16) -> io::Result<u16> {
    let mut arg = Streams {
        header: StreamsHeader {
            num_streams: c_uint::from(streams),
            num_eps: 0,
        },
        eps: [0; MAX_STREAM_ENDPOINTS],
    };
    let slots = arg
        .eps
        .get_mut(..endpoints.len())
        .ok_or_else(|| io::Error::from_raw_os_error(libc::EINVAL))?;
    slots.copy_from_slice(endpoints);
    arg.header.num_eps = c_uint::try_from(endpoints.len()).unwrap_or(0);
    let request = if alloc { ALLOC_STREAMS } else { FREE_STREAMS };
    // The kernel reads `num_eps` addresses after the header, all inside `arg`.
    ioctl_ref(fd, request, &mut arg).map(|n| u16::try_from(n).unwrap_or(u16::MAX))
}

/// USBDEVFS_SUBMITURB.
///
/// # Safety
/// `urb` and the `buffer_length` bytes at `urb.buffer` must stay valid, and not be
/// moved, until the kernel returns this URB through USBDEVFS_REAPURBNDELAY or the file
/// descriptor is closed.
pub(super) unsafe fn submit_urb(fd: RawFd, urb: *mut Urb) -> io::Result<()> {
    // SAFETY: the caller keeps the URB and its buffer alive as the contract above says.
    check(unsafe { libc::ioctl(fd, SUBMITURB, urb) }).map(drop)
}

/// USBDEVFS_DISCARDURB: cancels a submitted URB; it still has to be reaped. EINVAL when
/// it already completed.
pub(super) fn discard_urb(fd: RawFd, urb: *mut Urb) -> io::Result<()> {
    // SAFETY: the kernel only compares the pointer with the URBs it holds for this file
    // descriptor; it neither reads nor writes through it.
    check(unsafe { libc::ioctl(fd, DISCARDURB, urb) }).map(drop)
}

/// USBDEVFS_REAPURBNDELAY: the next completed URB (the pointer given at submission), or
/// EAGAIN when none has completed.
pub(super) fn reap_urb(fd: RawFd) -> io::Result<*mut Urb> {
    let mut urb: *mut Urb = std::ptr::null_mut();
    // The kernel writes the URB's status and lengths into the URB (kept alive by the
    // submitter's contract) and its address into `urb`.
    ioctl_ref(fd, REAPURBNDELAY, &mut urb).map(|_| urb)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::offset_of;

    #[test]
    fn layouts_have_the_kernels_sizes_and_offsets() {
        assert_eq!(size_of::<Urb>(), 56);
        assert_eq!(offset_of!(Urb, buffer), 16);
        assert_eq!(offset_of!(Urb, stream_id), 36);
        assert_eq!(offset_of!(Urb, usercontext), 48);
        assert_eq!(size_of::<CtrlTransfer>(), 24);
        assert_eq!(size_of::<BulkTransfer>(), 24);
        assert_eq!(size_of::<Ioctl>(), 16);
        assert_eq!(size_of::<DisconnectClaim>(), 264);
        assert_eq!(size_of::<GetDriver>(), 260);
        assert_eq!(size_of::<StreamsHeader>(), 8);
    }

    #[test]
    fn request_numbers_are_the_kernels() {
        // The values <linux/usbdevice_fs.h> gives on x86-64.
        let expected = [
            (CONTROL, 0xc018_5500),
            (BULK, 0xc018_5502),
            (SETINTERFACE, 0x8008_5504),
            (GETDRIVER, 0x4104_5508),
            (SUBMITURB, 0x8038_550a),
            (DISCARDURB, 0x550b),
            (REAPURBNDELAY, 0x4008_550d),
            (CLAIMINTERFACE, 0x8004_550f),
            (RELEASEINTERFACE, 0x8004_5510),
            (IOCTL, 0xc010_5512),
            (RESET, 0x5514),
            (CLEAR_HALT, 0x8004_5515),
            (DISCONNECT, 0x5516),
            (CONNECT, 0x5517),
            (DISCONNECT_CLAIM, 0x8108_551b),
            (ALLOC_STREAMS, 0x8008_551c),
            (FREE_STREAMS, 0x8008_551d),
        ];
        for (ours, kernel) in expected {
            assert_eq!(ours, kernel, "{ours:#x}");
        }
    }

    #[test]
    fn timeouts_never_mean_for_ever() {
        assert_eq!(millis(Duration::ZERO), 1);
        assert_eq!(millis(Duration::from_secs(30)), 30_000);
        assert_eq!(millis(Duration::from_secs(u64::MAX)), u32::MAX);
    }
}

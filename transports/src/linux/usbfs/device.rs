//! [`UsbFs`]: one USB device through its usbfs node, with its mass-storage interface
//! claimed, as an [`UsbDevice`] a host transport drives.

use super::claim::{self, Claim};
use super::sysfs::{self, UsbEntry};
use super::urb::Urbs;
use super::{errno, ioctl};
use cdb::usb::request::{
    SetupPacket, CLEAR_FEATURE, DIR_IN, ENDPOINT_HALT, RECIPIENT_ENDPOINT, RECIPIENT_INTERFACE,
    SET_CONFIGURATION, SET_INTERFACE,
};
use emulator::usb::device::{
    Completion, Speed, Transfer, TransferData, TransferId, Transferred, UsbDevice,
};
use emulator::usb::{UsbError, UsbResult};
use std::fs::{self, OpenOptions};
use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

/// bmRequestType of a standard request to the device, host to device (USB 2.0 9.3.1).
const STANDARD_DEVICE_OUT: u8 = 0x00;
/// The timeout of synchronous transfers until [`UsbDevice::set_timeout`] sets one.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a usbfs device could not be opened and claimed.
#[derive(Debug, thiserror::Error)]
pub enum UsbFsError {
    /// The node could not be opened or the interface not claimed, explained.
    #[error("{0}")]
    Os(String),
    /// The interface's disks hold mounted filesystems or active swap.
    #[error(
        "refusing to detach the kernel driver from {node} interface {interface}: its disks \
         are in use ({}); unmount them / swapoff first",
        .uses.join(", ")
    )]
    InUse {
        /// The usbfs node.
        node: String,
        /// bInterfaceNumber.
        interface: u8,
        /// What is in use, e.g. `sdc1 in use as swap`.
        uses: Vec<String>,
    },
}

/// A USB device opened through usbfs (`/dev/bus/usb/BBB/DDD`) with one interface claimed
/// from its kernel driver (USB 2.0 9; usbfs ioctls of `linux/usbdevice_fs.h`). Dropping
/// it gives the interface back to the driver that had it.
#[derive(Debug)]
pub struct UsbFs {
    // Drop order matters: the claim is given back, then the descriptor is closed (which
    // kills any URB still in flight), and only then are the URB buffers freed.
    claim: Claim,
    file: OwnedFd,
    urbs: Urbs,
    /// bConfigurationValue in effect, read from sysfs at open.
    configuration: Option<u8>,
    /// bAlternateSetting of the claimed interface, once SET_INTERFACE selected one.
    alternate: Option<u8>,
    speed: Speed,
    timeout: Duration,
    /// Endpoints with bulk streams allocated, freed at drop.
    streams: Vec<u8>,
}

/// The largest piece of a synchronous bulk transfer: USBDEVFS_BULK copies each through a
/// kernel buffer it allocates in one piece, and the piece size set the speed of 48 MiB
/// of 1 MiB reads from QEMU's usb-storage in the VM: about 160 MiB/s unsplit, 190–540
/// in 64 KiB pieces, 960–1020 in 128 KiB, 450–510 in 256 KiB, 700–780 in 512 KiB (two
/// rounds each). A bulk transfer may be split at any multiple of wMaxPacketSize (512 at
/// high speed, 1024 at SuperSpeed; USB 2.0 5.8.3): the device sees one stream of
/// packets, and a short packet still ends it.
const PIECE: usize = 128 * 1024;

/// The time a synchronous transfer has left, across its pieces.
struct Deadline(Instant);

impl Deadline {
    /// `timeout` from now.
    fn new(timeout: Duration) -> Self {
        Deadline(Instant::now() + timeout)
    }

    /// What is left, or [`UsbError::Timeout`] when nothing is.
    fn left(&self) -> Result<Duration, UsbError> {
        match self.0.checked_duration_since(Instant::now()) {
            Some(left) if !left.is_zero() => Ok(left),
            _ => Err(UsbError::Timeout),
        }
    }
}

impl UsbFs {
    /// Opens the device `entry` describes and claims its interface `interface`, detaching
    /// the kernel driver bound to it (remembered, to be reattached) — unless the disks that
    /// driver made of the interface are mounted or in use as swap.
    pub fn open(
        entry: &UsbEntry,
        interface: u8,
        interface_dir: &Path,
    ) -> Result<UsbFs, UsbFsError> {
        let node = entry.node().display().to_string();
        let file: OwnedFd = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_CLOEXEC)
            .open(&node)
            .map_err(|e| UsbFsError::Os(errno::explain_open(&node, &e)))?
            .into();
        let fd = file.as_raw_fd();
        let bound = ioctl::driver(fd, interface)
            .map_err(|e| UsbFsError::Os(errno::explain_claim(&node, interface, &e)))?;
        if bound
            .as_deref()
            .is_some_and(|name| name.as_bytes() == ioctl::USBFS)
        {
            let busy = io::Error::from_raw_os_error(libc::EBUSY);
            return Err(UsbFsError::Os(errno::explain_claim(
                &node, interface, &busy,
            )));
        }
        let reattach = bound.is_some();
        if reattach {
            let uses = sysfs::in_use(interface_dir);
            if !uses.is_empty() {
                return Err(UsbFsError::InUse {
                    node,
                    interface,
                    uses,
                });
            }
        }
        let claim = Claim::new(fd, interface, reattach, || detach_and_claim(fd, interface))
            .map_err(|e| UsbFsError::Os(errno::explain_claim(&node, interface, &e)))?;
        let configuration = read_configuration(&entry.sysfs);
        Ok(UsbFs {
            claim,
            file,
            urbs: Urbs::default(),
            configuration,
            alternate: None,
            speed: if entry.is_super_speed() {
                Speed::Super
            } else {
                Speed::High
            },
            timeout: DEFAULT_TIMEOUT,
            streams: Vec::new(),
        })
    }

    /// The descriptor for the next transfer; none once a terminating signal is giving the
    /// interface back (usbfs would claim it again for a transfer).
    fn fd(&self) -> Result<RawFd, UsbError> {
        if claim::giving_back() {
            return Err(UsbError::Disconnected);
        }
        Ok(self.file.as_raw_fd())
    }

    /// A synchronous transfer on a bulk stream: USBDEVFS_BULK has no stream ID, so it is
    /// one URB with `stream_id` set, waited for up to the timeout (USB 3.2 8.12.1.4).
    fn on_stream(
        &mut self,
        endpoint: u8,
        stream: u16,
        data: TransferData,
    ) -> Result<Transferred, UsbError> {
        let fd = self.fd()?;
        let transfer = Transfer {
            endpoint,
            stream,
            data,
        };
        let id = self.urbs.submit(fd, transfer)?;
        self.urbs.wait_for(fd, id, self.timeout)?.result
    }

    /// The standard requests usbfs must carry out itself, so the kernel's view of the
    /// device stays true: `Some` when `setup` is one of them.
    fn kernel_request(&mut self, setup: &SetupPacket) -> Option<Result<(), UsbError>> {
        let fd = match self.fd() {
            Ok(fd) => fd,
            Err(e) => return Some(Err(e)),
        };
        let value = setup.value.get();
        let index = setup.index.get();
        let [low, _] = index.to_le_bytes();
        let result = match (setup.request_type, setup.request) {
            // SET_INTERFACE (USB 2.0 9.4.10) through the kernel, which resets the
            // endpoints' state as well.
            (RECIPIENT_INTERFACE, SET_INTERFACE) => {
                let alternate = u8::try_from(value).map_err(|_| UsbError::InvalidParam);
                let result = alternate.and_then(|alt| {
                    ioctl::set_interface(fd, low, alt).map_err(|e| errno::from_io(&e))
                });
                if let (Ok(()), Ok(alt)) = (&result, alternate) {
                    if low == self.claim.interface() {
                        self.alternate = Some(alt);
                    }
                }
                result
            }
            // CLEAR_FEATURE(ENDPOINT_HALT) (USB 2.0 9.4.1) through the kernel, which
            // resets the host side's data toggle too.
            (RECIPIENT_ENDPOINT, CLEAR_FEATURE) if value == ENDPOINT_HALT => {
                ioctl::clear_halt(fd, low).map_err(|e| errno::from_io(&e))
            }
            // SET_CONFIGURATION (USB 2.0 9.4.7): usbfs cannot change the configuration
            // while an interface is claimed; selecting the one in effect changes nothing.
            (STANDARD_DEVICE_OUT, SET_CONFIGURATION) => {
                if self.configuration.map(u16::from) == Some(value) {
                    Ok(())
                } else {
                    Err(UsbError::InvalidParam)
                }
            }
            _ => return None,
        };
        Some(result)
    }
}

/// Detaches the kernel driver from `interface` and claims it in one step
/// (USBDEVFS_DISCONNECT_CLAIM); kernels without it (before 3.10: ENOTTY, EINVAL) get
/// USBDEVFS_DISCONNECT then USBDEVFS_CLAIMINTERFACE.
fn detach_and_claim(fd: RawFd, interface: u8) -> io::Result<()> {
    match ioctl::disconnect_claim(fd, interface) {
        Err(e) if matches!(e.raw_os_error(), Some(libc::ENOTTY) | Some(libc::EINVAL)) => {
            match ioctl::disconnect(fd, interface) {
                Err(e) if e.raw_os_error() != Some(libc::ENODATA) => return Err(e),
                _ => {}
            }
            ioctl::claim_interface(fd, interface)
        }
        other => other,
    }
}

/// bConfigurationValue in effect, as sysfs shows the kernel's view.
fn read_configuration(device: &Path) -> Option<u8> {
    fs::read_to_string(device.join("bConfigurationValue"))
        .ok()?
        .trim()
        .parse()
        .ok()
}

impl UsbDevice for UsbFs {
    fn speed(&self) -> Speed {
        self.speed
    }

    fn control_in(&mut self, setup: SetupPacket) -> UsbResult {
        let fd = self.fd()?;
        let mut data = vec![0u8; usize::from(setup.length.get())];
        let setup = SetupPacket {
            request_type: setup.request_type | DIR_IN,
            ..setup
        };
        let n =
            ioctl::control(fd, &setup, &mut data, self.timeout).map_err(|e| errno::from_io(&e))?;
        data.truncate(n);
        Ok(data)
    }

    fn control_out(&mut self, setup: SetupPacket, data: &[u8]) -> Result<(), UsbError> {
        if let Some(result) = self.kernel_request(&setup) {
            return result;
        }
        let fd = self.fd()?;
        let mut data = data.to_vec();
        let length = u16::try_from(data.len()).map_err(|_| UsbError::InvalidParam)?;
        let setup = SetupPacket::new(
            setup.request_type & !DIR_IN,
            setup.request,
            setup.value.get(),
            setup.index.get(),
            length,
        );
        ioctl::control(fd, &setup, &mut data, self.timeout)
            .map(drop)
            .map_err(|e| errno::from_io(&e))
    }

    fn bulk_out(&mut self, endpoint: u8, stream: u16, data: &[u8]) -> Result<usize, UsbError> {
        if stream != 0 {
            let data = TransferData::Out(data.to_vec());
            return match self.on_stream(endpoint & !DIR_IN, stream, data)? {
                Transferred::Out(n) => Ok(n),
                Transferred::In(_) | Transferred::Received(_) => Err(UsbError::InvalidParam),
            };
        }
        let fd = self.fd()?;
        let mut sent = 0;
        let deadline = Deadline::new(self.timeout);
        for piece in data.chunks(PIECE) {
            // usbfs only reads an OUT transfer's buffer; a copy keeps the pointer honest.
            let mut bytes = piece.to_vec();
            let n = ioctl::bulk(fd, endpoint & !DIR_IN, &mut bytes, deadline.left()?)
                .map_err(|e| errno::from_io(&e))?;
            sent += n;
            if n < piece.len() {
                break;
            }
        }
        Ok(sent)
    }

    fn bulk_in(&mut self, endpoint: u8, stream: u16, max: usize) -> UsbResult {
        if stream != 0 {
            return match self.on_stream(endpoint | DIR_IN, stream, TransferData::In(max))? {
                Transferred::In(data) => Ok(data),
                Transferred::Out(_) | Transferred::Received(_) => Err(UsbError::InvalidParam),
            };
        }
        let mut data = vec![0u8; max];
        let n = self.bulk_in_into(endpoint, 0, &mut data)?;
        data.truncate(n);
        Ok(data)
    }

    fn bulk_in_into(
        &mut self,
        endpoint: u8,
        stream: u16,
        buf: &mut [u8],
    ) -> Result<usize, UsbError> {
        if stream != 0 {
            let data = self.bulk_in(endpoint, stream, buf.len())?;
            return Ok(emulator::usb::device::copy_received(&data, buf));
        }
        let fd = self.fd()?;
        let mut received = 0;
        let deadline = Deadline::new(self.timeout);
        for piece in buf.chunks_mut(PIECE) {
            let n = ioctl::bulk(fd, endpoint | DIR_IN, piece, deadline.left()?)
                .map_err(|e| errno::from_io(&e))?;
            received += n;
            // A short packet ends the transfer (USB 2.0 5.8.3).
            if n < piece.len() {
                break;
            }
        }
        Ok(received)
    }

    /// The port reset with the interface released around it ([`Claim::around_reset`]).
    /// Releasing unbinds usbfs from the interface, and the kernel puts an unbound interface
    /// back to alternate setting 0 (so does the reset, for an interface no driver holds):
    /// the alternate in effect before (UAS on alt 1 of a bridge) is selected again after
    /// the claim, as the trait promises (USB 2.0 9.1.1.3, 9.4.10).
    fn port_reset(&mut self) -> Result<(), UsbError> {
        let fd = self.fd()?;
        let interface = self.claim.interface();
        let alternate = self.alternate.filter(|&alt| alt != 0);
        let reclaim = || {
            detach_and_claim(fd, interface)?;
            match alternate {
                Some(alt) => ioctl::set_interface(fd, interface, alt),
                None => Ok(()),
            }
        };
        self.claim
            .around_reset(|| ioctl::reset(fd), reclaim)
            .map_err(|e| errno::from_io(&e))
    }

    fn submit(&mut self, transfer: Transfer) -> Result<TransferId, UsbError> {
        let fd = self.fd()?;
        self.urbs.submit(fd, transfer)
    }

    fn reap(&mut self, timeout: Duration) -> Result<Completion, UsbError> {
        let fd = self.fd()?;
        self.urbs.reap(fd, timeout)
    }

    fn discard(&mut self, id: TransferId) -> Result<(), UsbError> {
        let fd = self.fd()?;
        self.urbs.discard(fd, id)
    }

    unsafe fn submit_into(
        &mut self,
        endpoint: u8,
        stream: u16,
        buf: *mut u8,
        len: usize,
    ) -> Option<Result<TransferId, UsbError>> {
        let fd = match self.fd() {
            Ok(fd) => fd,
            Err(e) => return Some(Err(e)),
        };
        // SAFETY: this function's contract is `Urbs::submit_into`'s, with `reclaim` and
        // `discard` reaching it through the same `Urbs`.
        Some(unsafe { self.urbs.submit_into(fd, endpoint, stream, buf, len) })
    }

    fn reclaim(&mut self) {
        if let Ok(fd) = self.fd() {
            self.urbs.reclaim(fd);
        }
    }

    fn alloc_streams(&mut self, endpoints: &[u8], streams: u16) -> Result<u16, UsbError> {
        let fd = self.fd()?;
        let granted =
            ioctl::streams(fd, true, endpoints, streams).map_err(|e| errno::from_io(&e))?;
        // A port reset loses the streams and the transport allocates them again: each
        // endpoint is listed once.
        for &endpoint in endpoints {
            if !self.streams.contains(&endpoint) {
                self.streams.push(endpoint);
            }
        }
        Ok(granted)
    }

    fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }
}

impl Drop for UsbFs {
    fn drop(&mut self) {
        let fd = self.file.as_raw_fd();
        self.urbs.close(fd);
        if !self.streams.is_empty() {
            let _ = ioctl::streams(fd, false, &self.streams, 0);
        }
        // Then the fields drop in order: the claim is given back, the descriptor closes,
        // the URB buffers are freed.
    }
}

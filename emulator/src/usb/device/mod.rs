//! A USB mass-storage device at the endpoint level, as usbfs or libusb drive real
//! hardware ([`UsbDevice`]): control transfers on endpoint 0, bulk transfers by endpoint
//! address (with a stream ID at SuperSpeed) and port reset. [`MassStorageDevice`] has one
//! mass-storage interface whose alternate settings ([`Layout`]) put the Bulk-Only
//! ([`BotDevice`]) or the UAS ([`UasDevice`]) face in front of the same
//! [`ScsiTarget`]: like QEMU's usb-storage, like QEMU's usb-uas, or like the USB–NVMe
//! bridge in the field (alt 0 Bulk-Only 50h, alt 1 UAS 62h).

mod control;
mod descriptors;
mod face;
mod queue;

use super::pipe::{UsbError, UsbResult};
use super::uas::Quirk;
use super::{BotDevice, UasDevice};
use crate::target::ScsiTarget;
use cdb::usb::descriptor::{Configuration, Endpoint};
use cdb::usb::request::SetupPacket;
use face::Face;
use std::time::Duration;

pub use queue::{Completion, PollQueue, Transfer, TransferData, TransferId, Transferred};

/// What a host transport needs of a USB device, shaped like the usbfs / libusb operations
/// so a real-hardware backend can implement it too (USB 2.0 5.5, 5.8, 9.3; USB 3.2 8.12).
pub trait UsbDevice {
    /// The speed the device is connected at (USB 2.0 7.1.7, USB 3.2 6).
    fn speed(&self) -> Speed;

    /// A control transfer with a device-to-host data stage of up to wLength bytes (USB 2.0
    /// 9.3). A request the device does not support answers STALL (USB 2.0 9.2.7).
    fn control_in(&mut self, setup: SetupPacket) -> UsbResult;

    /// A control transfer with a host-to-device data stage of `data` (none for most
    /// standard requests; USB 2.0 9.3).
    fn control_out(&mut self, setup: SetupPacket, data: &[u8]) -> Result<(), UsbError>;

    /// A bulk-out transfer of `data` to the endpoint with address `endpoint`, on `stream`
    /// (0 unless the endpoint has streams, USB 3.2 8.12.1.4); `Ok` holds the bytes taken.
    fn bulk_out(&mut self, endpoint: u8, stream: u16, data: &[u8]) -> Result<usize, UsbError>;

    /// A bulk-in transfer of up to `max` bytes from the endpoint with address `endpoint`
    /// on `stream`; fewer is a short packet.
    fn bulk_in(&mut self, endpoint: u8, stream: u16, max: usize) -> UsbResult;

    /// A bulk-in transfer of up to `buf.len()` bytes into `buf` from the endpoint with
    /// address `endpoint` on `stream`; `Ok` holds the bytes received (fewer is a short
    /// packet). A backend that can receive in place (usbfs USBDEVFS_BULK) overrides this
    /// to spare the copy [`UsbDevice::bulk_in`]'s owned buffer costs.
    fn bulk_in_into(
        &mut self,
        endpoint: u8,
        stream: u16,
        buf: &mut [u8],
    ) -> Result<usize, UsbError> {
        let data = self.bulk_in(endpoint, stream, buf.len())?;
        Ok(copy_received(&data, buf))
    }

    /// A port reset (USB 2.0 7.1.7.5, 9.1.1.3), as usbfs and libusb perform it: the
    /// device is reset and the host stack restores its configuration and alternate
    /// settings.
    fn port_reset(&mut self) -> Result<(), UsbError>;

    /// Submits a bulk transfer to run alongside others and returns at once (usbfs
    /// USBDEVFS_SUBMITURB, libusb `libusb_submit_transfer`).
    fn submit(&mut self, transfer: Transfer) -> Result<TransferId, UsbError>;

    /// Waits up to `timeout` for the next submitted transfer to complete; `Err(Timeout)`
    /// when none did, leaving them all pending (usbfs USBDEVFS_REAPURB).
    fn reap(&mut self, timeout: Duration) -> Result<Completion, UsbError>;

    /// Cancels a pending transfer (usbfs USBDEVFS_DISCARDURB); it never completes. A
    /// transfer that already completed and was not yet reaped is dropped as well.
    fn discard(&mut self, id: TransferId) -> Result<(), UsbError>;

    /// Submits a bulk IN transfer of up to `len` bytes (a multiple of wMaxPacketSize, USB
    /// 2.0 5.8.3) from the endpoint with address `endpoint` on `stream` that lands
    /// straight in the caller's memory at `buf` (usbfs: the URB's own buffer), sparing the
    /// copy out of an owned buffer that [`UsbDevice::submit`] costs; it completes as
    /// [`Transferred::Received`]. `None`: not offered, submit an owned transfer instead.
    ///
    /// # Safety
    /// `buf` must be valid for writes of `len` bytes, and not be read or written through
    /// any other path, until the transfer's completion has been reaped or
    /// [`UsbDevice::discard`] or [`UsbDevice::reclaim`] has returned (whatever either
    /// returned).
    unsafe fn submit_into(
        &mut self,
        endpoint: u8,
        stream: u16,
        buf: *mut u8,
        len: usize,
    ) -> Option<Result<TransferId, UsbError>> {
        let _ = (endpoint, stream, buf, len);
        None
    }

    /// Cancels every transfer submitted with [`UsbDevice::submit_into`] that was not yet
    /// reaped and takes it back, so that nothing writes to its memory after this returns
    /// (a backend that cannot take one back stops using the device instead).
    fn reclaim(&mut self) {}

    /// Allocates `streams` bulk streams (IDs 1 to `streams`) on each of `endpoints` (USB
    /// 3.2 8.12.1.4; usbfs USBDEVFS_ALLOC_STREAMS) and returns how many the host granted.
    /// A host or device without streams refuses: [`UsbError::InvalidParam`].
    fn alloc_streams(&mut self, endpoints: &[u8], streams: u16) -> Result<u16, UsbError> {
        let _ = (endpoints, streams);
        Err(UsbError::InvalidParam)
    }

    /// Sets how long each later synchronous transfer may take before the host gives up
    /// with [`UsbError::Timeout`] (usbfs `timeout` of USBDEVFS_BULK and USBDEVFS_CONTROL).
    /// A model that never blocks ignores it.
    fn set_timeout(&mut self, timeout: Duration) {
        let _ = timeout;
    }
}

/// Copies what an IN transfer received into `buf`, as much as fits; returns the bytes
/// copied (the rest of a longer transfer is dropped, as a host drops bytes past its
/// buffer).
pub fn copy_received(data: &[u8], buf: &mut [u8]) -> usize {
    let n = data.len().min(buf.len());
    if let (Some(to), Some(from)) = (buf.get_mut(..n), data.get(..n)) {
        to.copy_from_slice(from);
    }
    n
}

/// Bus speed (USB 2.0 7.1.7; USB 3.2 3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speed {
    /// High speed, 480 Mbit/s (USB 2.0): 512-byte bulk packets, no streams.
    High,
    /// SuperSpeed, 5 Gbit/s (USB 3.2 Gen 1): 1024-byte bulk packets, bulk streams.
    Super,
}

/// The alternate settings of the mass-storage interface (USB MSC Overview 1.4 2; UAS-2
/// 5.3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Alt 0 Bulk-Only (50h) only, like QEMU's usb-storage.
    Bot,
    /// Alt 0 UAS (62h) only, like QEMU's usb-uas.
    Uas,
    /// Alt 0 Bulk-Only (50h) and alt 1 UAS (62h), like USB–NVMe bridges in the field.
    Dual,
}

/// The transport protocol of one alternate setting (USB MSC Overview 1.4 Table 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// Bulk-Only Transport (50h).
    Bot,
    /// USB Attached SCSI (62h).
    Uas,
}

impl Layout {
    /// The protocol of each alternate setting, alt 0 first.
    pub fn alternates(self) -> &'static [Protocol] {
        match self {
            Layout::Bot => &[Protocol::Bot],
            Layout::Uas => &[Protocol::Uas],
            Layout::Dual => &[Protocol::Bot, Protocol::Uas],
        }
    }
}

/// What the device says about itself (USB 2.0 9.6.1, 9.6.7) and how it is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceConfig {
    /// The alternate settings of the mass-storage interface.
    pub layout: Layout,
    /// The bus speed.
    pub speed: Speed,
    /// idVendor.
    pub vendor_id: u16,
    /// idProduct.
    pub product_id: u16,
    /// The manufacturer string (iManufacturer).
    pub manufacturer: String,
    /// The product string (iProduct).
    pub product: String,
    /// The serial number string (iSerialNumber).
    pub serial_number: String,
    /// The field quirks of the UAS face (see [`Quirk`]).
    pub uas_quirks: Vec<Quirk>,
}

impl DeviceConfig {
    /// A device of `layout` at `speed` with QEMU's identity (46F4h:0001h, "QEMU", "QEMU
    /// USB HARDDRIVE", serial "1") and no quirks.
    pub fn new(layout: Layout, speed: Speed) -> Self {
        DeviceConfig {
            layout,
            speed,
            vendor_id: 0x46f4,
            product_id: 0x0001,
            manufacturer: "QEMU".into(),
            product: "QEMU USB HARDDRIVE".into(),
            serial_number: "1".into(),
            uas_quirks: Vec::new(),
        }
    }
}

/// A USB mass-storage device with one interface (number 0) in front of a SCSI target
/// device, driven through [`UsbDevice`].
#[derive(Debug)]
pub struct MassStorageDevice<T> {
    config: DeviceConfig,
    descriptors: Configuration,
    /// bConfigurationValue in effect: 0 (Address state) or 1 (Configured, USB 2.0 9.1.1).
    configuration: u8,
    alternate: u8,
    /// The face of the alternate in effect; `None` only while it is being replaced.
    face: Option<Face<T>>,
    /// Transfers submitted and not yet reaped.
    queue: PollQueue,
}

impl<T: ScsiTarget> MassStorageDevice<T> {
    /// The device `config` describes, in front of `target`, unconfigured (USB 2.0
    /// 9.1.1.4: the host selects configuration 1 before any bulk transfer).
    pub fn new(target: T, config: DeviceConfig) -> Self {
        let descriptors = descriptors::configuration(config.layout, config.speed);
        let face = Face::new(target, config.layout, 0, &config);
        MassStorageDevice {
            config,
            descriptors,
            configuration: 0,
            alternate: 0,
            face: Some(face),
            queue: PollQueue::default(),
        }
    }

    /// The Bulk-Only face, when the alternate in effect is Bulk-Only: for injecting
    /// faults ([`BotDevice::inject`]) and reaching the target.
    pub fn bot(&mut self) -> Option<&mut BotDevice<T>> {
        match self.face.as_mut()? {
            Face::Bot(bot) => Some(bot),
            Face::Uas(_) => None,
        }
    }

    /// The UAS face, when the alternate in effect is UAS: for injecting faults
    /// ([`UasDevice::inject`]) and reaching the target.
    pub fn uas(&mut self) -> Option<&mut UasDevice<T>> {
        match self.face.as_mut()? {
            Face::Uas(uas) => Some(uas),
            Face::Bot(_) => None,
        }
    }

    /// Installs alternate `alternate` with a fresh face over the same target (USB 2.0
    /// 9.4.10: the interface's state is reset).
    fn select(&mut self, alternate: u8) {
        if let Some(face) = self.face.take() {
            let target = face.into_target();
            self.face = Some(Face::new(
                target,
                self.config.layout,
                alternate,
                &self.config,
            ));
            self.alternate = alternate;
        }
    }

    /// The endpoint with address `address` in the alternate in effect, if configured.
    fn endpoint(&self, address: u8) -> Option<&Endpoint> {
        find_endpoint(
            &self.descriptors,
            self.configuration,
            self.alternate,
            address,
        )
    }

    /// Routes a bulk transfer the way a host stack does: the endpoint must exist in the
    /// alternate in effect with the transfer's direction, and a stream ID needs an
    /// endpoint with that many streams (USB 3.2 8.12.1.4).
    fn route(
        &mut self,
        address: u8,
        stream: u16,
        dir_in: bool,
    ) -> Result<(&Endpoint, &mut Face<T>), UsbError> {
        let endpoint = find_endpoint(
            &self.descriptors,
            self.configuration,
            self.alternate,
            address,
        )
        .filter(|e| e.is_in() == dir_in)
        .ok_or(UsbError::NotFound)?;
        if stream != 0 && u32::from(stream) > endpoint.streams() {
            return Err(UsbError::InvalidParam);
        }
        let face = self.face.as_mut().ok_or(UsbError::Disconnected)?;
        Ok((endpoint, face))
    }

    /// The face in effect.
    fn face(&mut self) -> Result<&mut Face<T>, UsbError> {
        self.face.as_mut().ok_or(UsbError::Disconnected)
    }
}

/// The endpoint `address` of interface 0's alternate `alternate`, once configured.
fn find_endpoint(
    descriptors: &Configuration,
    configuration: u8,
    alternate: u8,
    address: u8,
) -> Option<&Endpoint> {
    if configuration == 0 {
        return None;
    }
    descriptors
        .alternate(0, alternate)?
        .endpoints
        .iter()
        .find(|e| e.endpoint_address == address)
}

impl<T: ScsiTarget> UsbDevice for MassStorageDevice<T> {
    fn speed(&self) -> Speed {
        self.config.speed
    }

    fn control_in(&mut self, setup: SetupPacket) -> UsbResult {
        let mut data = self.request_in(&setup)?;
        data.truncate(usize::from(setup.length.get()));
        Ok(data)
    }

    fn control_out(&mut self, setup: SetupPacket, _data: &[u8]) -> Result<(), UsbError> {
        self.request_out(&setup)
    }

    fn bulk_out(&mut self, endpoint: u8, stream: u16, data: &[u8]) -> Result<usize, UsbError> {
        let (endpoint, face) = self.route(endpoint, stream, false)?;
        face.bulk_out(endpoint, stream, data)?;
        Ok(data.len())
    }

    fn bulk_in(&mut self, endpoint: u8, stream: u16, max: usize) -> UsbResult {
        let (endpoint, face) = self.route(endpoint, stream, true)?;
        face.bulk_in(endpoint, stream, max)
    }

    fn port_reset(&mut self) -> Result<(), UsbError> {
        self.face()?.port_reset()
    }

    fn submit(&mut self, transfer: Transfer) -> Result<TransferId, UsbError> {
        self.face()?;
        Ok(self.queue.submit(transfer))
    }

    fn reap(&mut self, _timeout: Duration) -> Result<Completion, UsbError> {
        PollQueue::reap_own(self, |d| &mut d.queue)
    }

    fn discard(&mut self, id: TransferId) -> Result<(), UsbError> {
        self.queue.discard(id);
        Ok(())
    }

    fn alloc_streams(&mut self, endpoints: &[u8], streams: u16) -> Result<u16, UsbError> {
        let mut granted = streams;
        for &address in endpoints {
            let endpoint = self.endpoint(address).ok_or(UsbError::NotFound)?;
            let most = u16::try_from(endpoint.streams()).unwrap_or(u16::MAX);
            if most == 0 {
                return Err(UsbError::InvalidParam);
            }
            granted = granted.min(most);
        }
        Ok(granted)
    }
}

#[cfg(test)]
mod tests;

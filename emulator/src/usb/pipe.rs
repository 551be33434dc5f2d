//! The device's USB face as a host-side transport drives it (USB 2.0 5.8, 9.4; BOT 3): the
//! bulk-out and bulk-in pipes and the control requests the Bulk-Only Transport uses.

/// How a USB transfer fails, as the host controller reports it (USB 2.0 8.4.5, 8.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsbError {
    /// The endpoint answered STALL: it is halted (USB 2.0 8.4.5, 9.4.5).
    Stall,
    /// The device is gone from the bus.
    Disconnected,
    /// The device never answered (NAK for ever): the host's timeout expired. In this
    /// synchronous model a transfer the device has nothing for yet (it would NAK) times
    /// out at once and changes nothing.
    Timeout,
    /// No such endpoint in the active configuration and alternate setting, as the host
    /// stack reports a transfer it cannot route (libusb NOT_FOUND; USB 2.0 9.4.10).
    NotFound,
    /// A request the host stack refuses before it reaches the bus, e.g. a stream ID on an
    /// endpoint without streams (libusb INVALID_PARAM; USB 3.2 8.12.1.4).
    InvalidParam,
}

/// The result of one USB operation: the bytes moved, or how it failed.
pub type UsbResult = Result<Vec<u8>, UsbError>;

/// A bulk endpoint of the Bulk-Only interface (BOT 4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// Bulk-In: device to host.
    BulkIn,
    /// Bulk-Out: host to device.
    BulkOut,
}

/// A mass-storage device's pipes, as a host transport drives them: bulk transfers (USB 2.0
/// 5.8) and the control requests of BOT 3.1, 3.2 and USB 2.0 9.4.
pub trait UsbPipe {
    /// A bulk-out transfer of `data` (host to device); `Ok` holds nothing.
    fn bulk_out(&mut self, data: &[u8]) -> UsbResult;
    /// A bulk-in transfer of up to `max` bytes (device to host); fewer is a short packet.
    fn bulk_in(&mut self, max: usize) -> UsbResult;
    /// Get Max LUN (class request FEh, BOT 3.2): one byte, the number of LUNs less one.
    fn get_max_lun(&mut self) -> UsbResult;
    /// Bulk-Only Mass Storage Reset (class request FFh, BOT 3.1).
    fn mass_storage_reset(&mut self) -> UsbResult;
    /// CLEAR_FEATURE(ENDPOINT_HALT) on `endpoint` (USB 2.0 9.4.1).
    fn clear_halt(&mut self, endpoint: Endpoint) -> UsbResult;
    /// A port reset: the hub drives SE0 and the device returns to its default state (USB
    /// 2.0 7.1.7.5, 9.1.1.3).
    fn port_reset(&mut self) -> UsbResult;
}

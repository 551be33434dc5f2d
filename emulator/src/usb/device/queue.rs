//! Bulk transfers submitted to run side by side and collected as they complete, as usbfs
//! (USBDEVFS_SUBMITURB / USBDEVFS_REAPURB) and libusb (`libusb_submit_transfer`) offer
//! them: UAS needs it, since a command's data and status transfers are both pending
//! while the device decides which completes (UAS-2 4.3, 4.4; USB 3.2 8.12.1.4).
//!
//! [`PollQueue`] gives this to a synchronous model whose transfers answer NAK
//! ([`UsbError::Timeout`], changing nothing) while the device has nothing for them: reaping
//! retries each pending transfer in submission order and completes the first one the
//! device answers.

use super::UsbDevice;
use crate::usb::pipe::UsbError;
use std::collections::VecDeque;

/// Names one submitted transfer until it completes or is discarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TransferId(pub u64);

/// A bulk transfer to submit (USB 2.0 5.8; with a stream ID, USB 3.2 8.12.1.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// The endpoint's address; bit 7 set for IN.
    pub endpoint: u8,
    /// The stream ID, 0 unless the endpoint has streams.
    pub stream: u16,
    /// What moves.
    pub data: TransferData,
}

/// The payload of a bulk transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferData {
    /// Host to device: these bytes.
    Out(Vec<u8>),
    /// Device to host: up to this many bytes.
    In(usize),
}

/// What a completed transfer moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transferred {
    /// The bytes an IN transfer received; fewer than asked is a short packet.
    In(Vec<u8>),
    /// The number of bytes the device took from an OUT transfer.
    Out(usize),
    /// The number of bytes an IN transfer submitted with [`UsbDevice::submit_into`] wrote
    /// into the caller's memory; fewer than asked is a short packet.
    Received(usize),
}

/// A transfer that finished, well or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The transfer, as [`UsbDevice::submit`] named it.
    pub id: TransferId,
    /// What it moved, or how it failed.
    pub result: Result<Transferred, UsbError>,
}

/// Pending transfers of a synchronous device model, completed by retrying them.
#[derive(Debug, Default)]
pub struct PollQueue {
    pending: VecDeque<(TransferId, Transfer)>,
    next: u64,
}

impl PollQueue {
    /// Queues `transfer` and names it.
    pub fn submit(&mut self, transfer: Transfer) -> TransferId {
        self.next = self.next.wrapping_add(1);
        let id = TransferId(self.next);
        self.pending.push_back((id, transfer));
        id
    }

    /// Drops the pending transfer `id`; false when it is not pending (already reaped or
    /// never submitted).
    pub fn discard(&mut self, id: TransferId) -> bool {
        let before = self.pending.len();
        self.pending.retain(|(pending, _)| *pending != id);
        self.pending.len() != before
    }

    /// True when nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// [`PollQueue::reap`] for a device that holds its own queue, which `queue` reaches:
    /// the queue is taken out while the device answers, then put back.
    pub fn reap_own<D: UsbDevice + ?Sized>(
        device: &mut D,
        queue: impl Fn(&mut D) -> &mut PollQueue,
    ) -> Result<Completion, UsbError> {
        let mut taken = std::mem::take(queue(device));
        let completion = taken.reap(device);
        *queue(device) = taken;
        completion
    }

    /// Tries each pending transfer on `device` in submission order (through its
    /// synchronous [`UsbDevice::bulk_in`] and [`UsbDevice::bulk_out`]) and completes the
    /// first one it does not NAK. When it NAKs them all, the host's timeout expires:
    /// [`UsbError::Timeout`], and the transfers stay pending.
    pub fn reap<D: UsbDevice + ?Sized>(&mut self, device: &mut D) -> Result<Completion, UsbError> {
        for index in 0..self.pending.len() {
            let Some((id, transfer)) = self.pending.get(index) else {
                break;
            };
            let result = match &transfer.data {
                TransferData::Out(bytes) => device
                    .bulk_out(transfer.endpoint, transfer.stream, bytes)
                    .map(Transferred::Out),
                TransferData::In(max) => device
                    .bulk_in(transfer.endpoint, transfer.stream, *max)
                    .map(Transferred::In),
            };
            if result != Err(UsbError::Timeout) {
                let id = *id;
                self.pending.remove(index);
                return Ok(Completion { id, result });
            }
        }
        Err(UsbError::Timeout)
    }
}

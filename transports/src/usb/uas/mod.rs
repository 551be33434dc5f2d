//! The host side of USB Attached SCSI (T10 UAS-2; USB-IF UASP 1.0) as a
//! [`ScsiTransport`]: [`UasTransport`], the UAS counterpart of
//! [`super::bot::BotTransport`], over any [`UsbDevice`].
//!
//! # The command flow (UAS-2 4.4, 6)
//! Each command gets a tag. The host submits the transfers that will carry the answer —
//! with streams (SuperSpeed, UAS-2 4.4.3) a status transfer and the data transfer on the
//! stream whose ID is the tag; without streams (high speed, UAS-2 4.4.2) one status
//! transfer shared by every command — then sends the Command IU on the command pipe (LUN
//! in the eight-byte SAM-5 4.7 format, a CDB of at most 16 bytes: additional CDB bytes
//! are refused by QEMU's usb-uas and many bridges, so longer CDBs are refused here before
//! anything is sent). It then reaps completions: without streams a Read Ready or Write
//! Ready IU on the status pipe starts the data phase on the data pipe and the status
//! transfer is submitted again; the Sense IU ends the command with its status and sense
//! data (autosense, no REQUEST SENSE). A data transfer still pending then is discarded;
//! the bytes moved are what the data transfer moved (residual = requested − moved), data-in
//! buffers being rounded up to wMaxPacketSize and bytes past the buffer dropped. A
//! Response IU for a command (the device did not accept it) is a transport error naming
//! the response code (and its tag is aborted, to be sure it is free). [`UasTransport::execute_queued`] keeps up to
//! [`UasTransport::queue_depth`] commands in flight; one tag stays free for task
//! management.
//!
//! # Recovery (UAS-2 6.5; SAM-5 7)
//! A command that times out, meets a STALL (the halt is cleared) or gets device bytes that
//! are not a valid IU for it is abandoned: its transfers are discarded and ABORT TASK is
//! sent for its tag (Task Management IU on the command pipe, Response IU on the status
//! pipe); if that fails, LOGICAL UNIT RESET; if that fails, a port reset. It fails with
//! the error that abandoned it — never a success — and commands a reset took along fail
//! saying so. Without streams every IU shares the status pipe, so an error there abandons
//! every command in flight. A device that left the bus is [`TransportError::Gone`].
//!
//! # Streams on real hardware
//! nusb 0.2 has no bulk streams; libusb has them on Linux and macOS
//! (`libusb_alloc_streams`, `libusb_transfer_set_stream_id`) at the cost of a C
//! dependency; Linux usbfs has `USBDEVFS_ALLOC_STREAMS` and the `stream_id` field of the
//! URB. This transport only uses [`UsbDevice::submit`], [`UsbDevice::reap`],
//! [`UsbDevice::discard`] and [`UsbDevice::alloc_streams`], which the usbfs backend maps
//! onto SUBMITURB, REAPURB, DISCARDURB and ALLOC_STREAMS.
//!
//! - `flow`: the commands in flight, from Command IU to Sense IU.
//! - `task`: task management and the recovery ladder.

mod flow;
mod task;

use super::bot::Outcome;
use super::enumerate::{self, UasLink};
use crate::scsi::{ScsiReply, ScsiRequest, ScsiTransport, TransportError, UsbId};
use emulator::usb::device::{Completion, Speed, UsbDevice};
use std::collections::VecDeque;
use std::time::Duration;

/// A SCSI transport over the UAS interface of a USB mass-storage device (UAS-2 4).
#[derive(Debug)]
pub struct UasTransport<D> {
    device: D,
    /// The interface, its pipes and tags, as enumeration found them.
    link: UasLink,
    /// The logical unit commands go to, as a number (UAS-2 6.2.2 LOGICAL UNIT NUMBER).
    lun: u8,
    /// Completions reaped while waiting for a task management answer, for the commands
    /// still in flight.
    early: VecDeque<Completion>,
}

impl<D: UsbDevice> UasTransport<D> {
    /// Opens the UAS interface of `device` for logical unit `lun`
    /// ([`enumerate::uas`]). UAS has no Get Max LUN: a LUN the device lacks answers
    /// LOGICAL UNIT NOT SUPPORTED in the Sense IU (SPC-5 4.4).
    pub fn open(mut device: D, lun: u8) -> Outcome<Self> {
        let link = enumerate::uas(&mut device)?;
        Ok(Self::with_link(device, link, lun))
    }

    /// The transport over a UAS interface `device` already has selected
    /// ([`enumerate::uas_of`]), for logical unit `lun`.
    pub fn with_link(device: D, link: UasLink, lun: u8) -> Self {
        UasTransport {
            device,
            link,
            lun,
            early: VecDeque::new(),
        }
    }

    /// The USB device, e.g. to inject faults into an emulated one.
    pub fn device_mut(&mut self) -> &mut D {
        &mut self.device
    }

    /// The interface in use: pipes, streams, tags (UAS-2 4.3).
    pub fn link(&self) -> &UasLink {
        &self.link
    }

    /// How many commands [`UasTransport::execute_queued`] keeps in flight: the tags less
    /// the one kept for task management (UAS-2 6.2.3: a Task Management IU has a tag of
    /// its own).
    pub fn queue_depth(&self) -> usize {
        usize::from(self.link.tags.saturating_sub(1)).max(1)
    }

    /// Executes `requests` with up to [`UasTransport::queue_depth`] in flight at once
    /// (UAS-2 4.4), completing them as the device answers; one result per request, in
    /// their order. Each request's timeout runs from its issue: a command whose timeout
    /// ran out is abandoned with [`TransportError::Timeout`] even while others keep
    /// completing, and when the earliest timeout of those in flight runs out with nothing
    /// completed, every command in flight is abandoned so.
    pub fn execute_queued(
        &mut self,
        requests: &mut [ScsiRequest<'_>],
    ) -> Vec<Result<ScsiReply, TransportError>> {
        /// Takes back every transfer into a request's buffer when the batch ends, also
        /// by a panic unwinding, before the buffers' borrow ends.
        struct Reclaim<'t, D: UsbDevice>(&'t mut UasTransport<D>);
        impl<D: UsbDevice> Drop for Reclaim<'_, D> {
            fn drop(&mut self) {
                self.0.device.reclaim();
                self.0.early.clear();
            }
        }
        let guard = Reclaim(self);
        flow::Batch::new(requests).run(guard.0)
    }

    /// LOGICAL UNIT RESET (SAM-5 7.7) of the transport's logical unit: a Task Management
    /// IU (UAS-2 6.2.3) answered by a Response IU (UAS-2 6.2.5); an answer other than
    /// FUNCTION COMPLETE or SUCCEEDED is an error naming it.
    pub fn logical_unit_reset(&mut self, timeout: Duration) -> Result<(), TransportError> {
        let result = self.manage(
            cdb::usb::uas::TaskManagementFunction::LogicalUnitReset,
            0,
            timeout,
        );
        self.early.clear();
        result
    }

    /// The eight-byte LUN of the Command and Task Management IUs: single level,
    /// peripheral device addressing (SAM-5 4.7.5).
    fn lun_bytes(&self) -> [u8; 8] {
        cdb::scsi::spc::report_luns::linux_to_lun(self.lun.into())
    }
}

impl<D: UsbDevice> ScsiTransport for UasTransport<D> {
    fn execute(&mut self, request: ScsiRequest<'_>) -> Result<ScsiReply, TransportError> {
        let mut requests = [request];
        self.execute_queued(&mut requests)
            .into_iter()
            .next()
            .unwrap_or_else(|| Err(TransportError::Failed("the command got no result".into())))
    }

    fn execute_many(
        &mut self,
        mut requests: Vec<ScsiRequest<'_>>,
    ) -> Vec<Result<ScsiReply, TransportError>> {
        self.execute_queued(&mut requests)
    }

    fn usb_id(&self) -> Option<UsbId> {
        Some(self.link.id)
    }

    fn describe(&self) -> String {
        let speed = match self.link.speed {
            Speed::High => "high speed",
            Speed::Super => "SuperSpeed",
        };
        let streams = if self.link.streams {
            "streams"
        } else {
            "Read/Write Ready IUs"
        };
        format!(
            "USB Attached SCSI, {speed} ({streams}, {} tags), interface {} alt {}, LUN {}",
            self.link.tags, self.link.interface, self.link.alternate, self.lun
        )
    }
}

/// A copy of `error` (for each command one failure abandons).
fn copy(error: &TransportError) -> TransportError {
    match error {
        TransportError::Timeout(d) => TransportError::Timeout(*d),
        TransportError::Gone(m) => TransportError::Gone(m.clone()),
        TransportError::Refused(m) => TransportError::Refused(m.clone()),
        TransportError::Failed(m) => TransportError::Failed(m.clone()),
    }
}

#[cfg(test)]
mod tests;

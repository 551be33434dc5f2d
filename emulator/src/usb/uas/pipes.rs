//! The UAS interface's four pipes as the host drives them (UAS-2 4.3, 4.4): bulk
//! transfers by pipe and stream, CLEAR_FEATURE(ENDPOINT_HALT) and port reset.

use super::{Stage, UasDevice};
use crate::target::ScsiTarget;
use crate::usb::fault::UasFault;
use crate::usb::pipe::{UsbError, UsbResult};
use cdb::usb::descriptor::PipeId;

impl<T: ScsiTarget> UasDevice<T> {
    /// A bulk-out transfer on the command pipe: one Command or Task Management IU
    /// (UAS-2 4.4.1). An IU the device cannot accept is answered on the status pipe.
    pub fn command_out(&mut self, iu: &[u8]) -> Result<(), UsbError> {
        self.gate(PipeId::Command)?;
        self.pipe_fault(PipeId::Command)?;
        self.receive(iu);
        Ok(())
    }

    /// A bulk-in transfer of up to `max` bytes on the status pipe: the next IU for
    /// `stream` (a command's tag with streams; ignored without), cut to `max` bytes.
    pub fn status_in(&mut self, stream: u16, max: usize) -> UsbResult {
        self.transfer_gate(PipeId::Status, stream)?;
        let key = self.stream_of(stream);
        let outgoing = self
            .status
            .get_mut(&key)
            .and_then(|q| q.pop_front())
            .ok_or(UsbError::Timeout)?;
        if let Some(tag) = outgoing.retires {
            self.tasks.remove(&tag);
        }
        let mut bytes = outgoing.bytes;
        bytes.truncate(max);
        Ok(bytes)
    }

    /// A bulk-in transfer of up to `max` bytes on the data-in pipe: the data of the
    /// command whose data phase is current (announced by Read Ready without streams; the
    /// command tagged `stream` with streams). Its last byte queues the Sense IU.
    pub fn data_in(&mut self, stream: u16, max: usize) -> UsbResult {
        self.transfer_gate(PipeId::DataIn, stream)?;
        let tag = self.data_tag(stream)?;
        let Some(Stage::DataIn {
            data,
            sent,
            sense_iu,
        }) = self.tasks.get_mut(&tag).map(|t| &mut t.stage)
        else {
            return Err(UsbError::Timeout);
        };
        if *sent == 0 {
            let keep = self.faults.fire(|f| match *f {
                UasFault::ShortDataIn { keep } => Some(keep),
                _ => None,
            });
            if let Some(keep) = keep {
                data.truncate(usize::try_from(keep).unwrap_or(usize::MAX));
            }
        }
        let end = sent.saturating_add(max).min(data.len());
        let chunk = data.get(*sent..end).unwrap_or_default().to_vec();
        *sent = end;
        if end == data.len() {
            let sense_iu = std::mem::take(sense_iu);
            self.end_data_phase(tag, sense_iu);
        }
        Ok(chunk)
    }

    /// A bulk-out transfer on the data-out pipe: data for the command whose data phase
    /// is current (announced by Write Ready without streams; the command tagged `stream`
    /// with streams). Once all the data it wants is in, the command executes; bytes past
    /// that are dropped.
    pub fn data_out(&mut self, stream: u16, data: &[u8]) -> Result<(), UsbError> {
        self.transfer_gate(PipeId::DataOut, stream)?;
        let tag = self.data_tag(stream)?;
        let Some(task) = self.tasks.get_mut(&tag) else {
            return Err(UsbError::Timeout);
        };
        let lun = task.lun;
        let Stage::DataOut {
            cdb,
            wanted,
            received,
        } = &mut task.stage
        else {
            return Err(UsbError::Timeout);
        };
        let room = usize::try_from(*wanted)
            .unwrap_or(usize::MAX)
            .saturating_sub(received.len());
        received.extend_from_slice(data.get(..data.len().min(room)).unwrap_or_default());
        if received.len() as u64 == *wanted {
            let (cdb, received) = (std::mem::take(cdb), std::mem::take(received));
            let completion = self.target.execute(lun, &cdb, &received, &mut []);
            self.finish(tag, lun, &completion);
            self.data_phase_over(tag);
        }
        Ok(())
    }

    /// Ends the data-in phase of command `tag`: its Sense IU is queued.
    fn end_data_phase(&mut self, tag: u16, sense_iu: Vec<u8>) {
        if let Some(task) = self.tasks.get_mut(&tag) {
            task.stage = Stage::Done;
        }
        self.send(tag, sense_iu, Some(tag));
        self.data_phase_over(tag);
    }

    /// CLEAR_FEATURE(ENDPOINT_HALT) on `pipe` (USB 2.0 9.4.1): the pipe serves again.
    pub fn clear_halt(&mut self, pipe: PipeId) -> Result<(), UsbError> {
        if self.is_disconnected() {
            return Err(UsbError::Disconnected);
        }
        self.halted.retain(|&p| p != pipe);
        Ok(())
    }

    /// A port reset (USB 2.0 7.1.7.5): commands in flight, queued IUs, halts and armed
    /// faults are gone; a bridge that dropped off the bus is back. The logical units are
    /// untouched, as in QEMU.
    pub fn port_reset(&mut self) -> Result<(), UsbError> {
        if self.disconnected {
            return Err(UsbError::Disconnected);
        }
        self.drop_all();
        self.halted.clear();
        self.hung = false;
        self.off_bus = false;
        self.faults = Default::default();
        Ok(())
    }

    /// The checks of a status or data transfer: the pipe's state, injected faults, and
    /// with streams a stream ID other than 0 (QEMU STALLs stream 0).
    fn transfer_gate(&mut self, pipe: PipeId, stream: u16) -> Result<(), UsbError> {
        self.gate(pipe)?;
        self.pipe_fault(pipe)?;
        if self.streams && stream == 0 {
            self.halt(pipe);
            return Err(UsbError::Stall);
        }
        Ok(())
    }

    /// The tag whose data phase a data transfer on `stream` serves; without streams, the
    /// announced one (nothing announced: the device NAKs).
    fn data_tag(&self, stream: u16) -> Result<u16, UsbError> {
        if self.streams {
            Ok(stream)
        } else {
            self.data_queue.front().copied().ok_or(UsbError::Timeout)
        }
    }
}

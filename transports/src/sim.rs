//! The `sim:` backend: commands go to an emulated device in this process
//! ([`emulator::sim::SimDevice`]). It never times out and never loses a command; the faults
//! it shows are the device's own (its fault profile).

use crate::nvme::NvmeTransport;
use crate::scsi::{DataBuffer, ScsiReply, ScsiRequest, ScsiTransport, TransportError, UsbId};
use cdb::nvme::{Completion, Queue, SubmissionEntry};
use emulator::nvme::Controller;
use emulator::sim::SimBlocks;
use emulator::target::ScsiTarget;
use std::time::Duration;

/// An emulated SCSI target device (an SBC disk target, or a bridge in front of an NVMe
/// controller), addressed at one logical unit.
pub struct SimScsi {
    target: Box<dyn ScsiTarget + Send>,
    lun: u16,
    usb: Option<UsbId>,
}

impl SimScsi {
    /// Commands to logical unit `lun` of `target`.
    pub fn new(target: Box<dyn ScsiTarget + Send>, lun: u16) -> Self {
        SimScsi {
            target,
            lun,
            usb: None,
        }
    }

    /// The target sits behind the USB device `usb` (an emulated bridge).
    pub fn behind_usb(self, usb: UsbId) -> Self {
        SimScsi {
            usb: Some(usb),
            ..self
        }
    }
}

impl ScsiTransport for SimScsi {
    fn execute(&mut self, request: ScsiRequest<'_>) -> Result<ScsiReply, TransportError> {
        let (data_out, data_in) = request.data.split();
        let done = self
            .target
            .execute(self.lun, request.cdb, data_out, data_in);
        Ok(ScsiReply {
            status: done.status,
            sense: done.sense,
            transferred: if data_out.is_empty() {
                done.data_in_len
            } else {
                data_out.len()
            },
        })
    }

    fn describe(&self) -> String {
        format!(
            "sim: emulated SCSI target, LUN {} of {}",
            self.lun,
            self.target.luns()
        )
    }

    fn usb_id(&self) -> Option<UsbId> {
        self.usb
    }

    fn power_cycle(&mut self) -> Result<(), TransportError> {
        self.target
            .power_cycle()
            .map_err(|e| TransportError::Failed(format!("sim: power cycle: {e}")))
    }
}

/// An emulated NVMe controller ([`emulator::nvme::Controller`]) with one namespace, behind
/// the NVMe transport contract: the transport numbers the commands (CID) and moves the
/// data the command's data phase names (NVMe Base 2.0 4.2).
pub struct SimNvme {
    controller: Box<Controller<SimBlocks>>,
    next_cid: u16,
}

impl SimNvme {
    /// Commands to `controller`.
    pub fn new(controller: Box<Controller<SimBlocks>>) -> Self {
        SimNvme {
            controller,
            next_cid: 0,
        }
    }
}

impl NvmeTransport for SimNvme {
    fn submit(
        &mut self,
        queue: Queue,
        entry: &SubmissionEntry,
        data: DataBuffer<'_>,
        _timeout: Duration,
    ) -> Result<Completion, TransportError> {
        let mut sqe = *entry;
        sqe.set_cid(self.next_cid);
        self.next_cid = self.next_cid.wrapping_add(1);
        let (data_out, data_in) = data.split();
        Ok(self.controller.submit(queue, &sqe, data_out, data_in))
    }

    fn describe(&self) -> String {
        "sim: emulated NVMe controller".to_string()
    }

    fn power_cycle(&mut self) -> Result<(), TransportError> {
        self.controller
            .device_mut()
            .lose_power()
            .and_then(|()| self.controller.power_cycle())
            .map_err(|e| TransportError::Failed(format!("sim: power cycle: {e}")))
    }
}

//! The `sim:` backend: commands go to an emulated device in this process
//! ([`emulator::sim::SimDevice`]). It never times out and never loses a command; the faults
//! it shows are the device's own (its fault profile).

use crate::scsi::{DataBuffer, ScsiReply, ScsiRequest, ScsiTransport, TransportError};
use emulator::sbc::Target;

/// An emulated SCSI target, addressed at one logical unit.
pub struct SimScsi {
    target: Target,
    lun: u16,
}

impl SimScsi {
    /// Commands to logical unit `lun` of `target`.
    pub fn new(target: Target, lun: u16) -> Self {
        SimScsi { target, lun }
    }

    /// The emulated target, for power cuts and inspection.
    pub fn target_mut(&mut self) -> &mut Target {
        &mut self.target
    }
}

impl ScsiTransport for SimScsi {
    fn execute(&mut self, request: ScsiRequest<'_>) -> Result<ScsiReply, TransportError> {
        let mut none: [u8; 0] = [];
        let (data_out, data_in): (&[u8], &mut [u8]) = match request.data {
            DataBuffer::None => (&[], &mut none),
            DataBuffer::In(buf) => (&[], buf),
            DataBuffer::Out(data) => (data, &mut none),
        };
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
            "sim: emulated SBC disk, LUN {} of {}",
            self.lun,
            self.target.luns()
        )
    }
}

//! The Bulk-Only device's pipes as the host drives them (BOT 5.3, 3.1, 3.2; USB 2.0
//! 9.4.1): bulk transfers move the command through its stages; the control requests
//! recover from STALLs, timeouts and phase errors.

use super::{BotDevice, Stage};
use crate::target::ScsiTarget;
use crate::usb::fault::Phase;
use crate::usb::pipe::{Endpoint, UsbError, UsbPipe, UsbResult};
use cdb::usb::bot::{Csw, CswStatus};

impl<T: ScsiTarget> UsbPipe for BotDevice<T> {
    fn bulk_out(&mut self, data: &[u8]) -> UsbResult {
        self.bulk_gate(self.halted_out)?;
        match std::mem::replace(&mut self.stage, Stage::Command) {
            Stage::Command => {
                self.phase_fault(Phase::Command, Endpoint::BulkOut)?;
                self.receive_cbw(data);
            }
            Stage::DataOut {
                cbw,
                mut received,
                wanted,
            } => {
                let expected = u64::from(cbw.data_transfer_length.get());
                if let Err(error) = self.phase_fault(Phase::Data, Endpoint::BulkOut) {
                    let csw = Csw::new(
                        cbw.tag.get(),
                        cbw.data_transfer_length.get(),
                        CswStatus::Failed,
                    );
                    self.stage = Stage::Status(csw);
                    return Err(error);
                }
                let room = usize::try_from(expected).unwrap_or(usize::MAX) - received.len();
                received.extend_from_slice(&data[..data.len().min(room)]);
                self.stage = if received.len() as u64 == expected {
                    Stage::Status(self.finish_data_out(&cbw, &received, wanted))
                } else {
                    Stage::DataOut {
                        cbw,
                        received,
                        wanted,
                    }
                };
            }
            other => {
                self.stage = other;
                self.halt(Endpoint::BulkOut);
                return Err(UsbError::Stall);
            }
        }
        Ok(Vec::new())
    }

    fn bulk_in(&mut self, max: usize) -> UsbResult {
        self.bulk_gate(self.halted_in)?;
        match std::mem::replace(&mut self.stage, Stage::Command) {
            Stage::DataIn {
                data,
                sent,
                total,
                mut csw,
            } => {
                if let Err(error) = self.phase_fault(Phase::Data, Endpoint::BulkIn) {
                    // What the host expected less the data it got (BOT 5.2); the stream
                    // before padding is `data`, at most u32::MAX bytes.
                    let unsent = data.len().saturating_sub(sent as usize) as u32;
                    csw.data_residue = (csw.data_residue.get() + unsent).into();
                    self.stage = Stage::Status(csw);
                    return Err(error);
                }
                let n = (total - sent).min(max as u64);
                // The stream is at most u32::MAX bytes: data, then zero padding.
                let (from, to) = (sent as usize, (sent + n) as usize);
                let mut chunk = data
                    .get(from.min(data.len())..to.min(data.len()))
                    .unwrap_or_default()
                    .to_vec();
                chunk.resize(to - from, 0);
                self.stage = if sent + n == total {
                    Stage::Status(csw)
                } else {
                    Stage::DataIn {
                        data,
                        sent: sent + n,
                        total,
                        csw,
                    }
                };
                Ok(chunk)
            }
            Stage::Status(csw) => {
                self.stage = Stage::Status(csw);
                self.phase_fault(Phase::Status, Endpoint::BulkIn)?;
                Ok(self.deliver_csw(csw, max))
            }
            other => {
                self.stage = other;
                self.halt(Endpoint::BulkIn);
                Err(UsbError::Stall)
            }
        }
    }

    fn get_max_lun(&mut self) -> UsbResult {
        if self.disconnected {
            return Err(UsbError::Disconnected);
        }
        // At most MAX_BOT_LUN (15).
        Ok(vec![self.max_lun() as u8])
    }

    fn mass_storage_reset(&mut self) -> UsbResult {
        if self.disconnected {
            return Err(UsbError::Disconnected);
        }
        // Endpoint halts survive the reset (BOT 3.1); only CLEAR_FEATURE removes them.
        self.stage = Stage::Command;
        self.awaiting_reset = false;
        self.hung = false;
        self.faults.clear();
        Ok(Vec::new())
    }

    fn clear_halt(&mut self, endpoint: Endpoint) -> UsbResult {
        if self.disconnected {
            return Err(UsbError::Disconnected);
        }
        // Until a Mass Storage Reset the pipes stay STALLed (BOT 6.6.1).
        if !self.awaiting_reset {
            match endpoint {
                Endpoint::BulkIn => self.halted_in = false,
                Endpoint::BulkOut => self.halted_out = false,
            }
        }
        Ok(Vec::new())
    }

    fn port_reset(&mut self) -> UsbResult {
        if self.disconnected {
            return Err(UsbError::Disconnected);
        }
        // The device's default state (USB 2.0 9.1.1.3): no command, no halt; the logical
        // units and their kept sense are untouched, as in QEMU.
        self.stage = Stage::Command;
        self.halted_in = false;
        self.halted_out = false;
        self.awaiting_reset = false;
        self.wedged = false;
        self.hung = false;
        self.faults.clear();
        Ok(Vec::new())
    }
}

//! Task management (UAS-2 6.2.3, 6.2.5; SAM-5 7) and the recovery ladder for a command
//! that did not complete: CLEAR_FEATURE(ENDPOINT_HALT) on a stalled pipe, ABORT TASK,
//! LOGICAL UNIT RESET, port reset (USB 2.0 7.1.7.5).

use super::super::bot::{usb_error, Outcome};
use super::UasTransport;
use crate::scsi::TransportError;
use cdb::usb::request::SetupPacket;
use cdb::usb::uas::{
    Iu, ResponseCode, TaskManagementFunction, TaskManagementIu, SENSE_IU_HEADER_LEN,
};
use emulator::usb::device::{Transfer, TransferData, TransferId, Transferred, UsbDevice};
use emulator::usb::UsbError;
use std::time::{Duration, Instant};

/// The longest sense data a Sense IU carries (SPC-5 4.4.1: 252 bytes).
const MAX_SENSE_LEN: usize = 252;
/// How many IUs of abandoned commands a task management function skips on a shared
/// status pipe (no streams) before giving up on its Response IU: more than a full queue
/// can have outstanding (a Ready IU and a Sense IU per tag).
const STRAY_IUS: usize = 64;

/// How far recovery had to go (SAM-5 7): each step ends more commands than the last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Reach {
    /// ABORT TASK ended only the abandoned commands (SAM-5 7.2).
    Task,
    /// LOGICAL UNIT RESET ended every command of the logical unit (SAM-5 7.7).
    LogicalUnit,
    /// A port reset ended every command of the device (USB 2.0 7.1.7.5).
    Port,
}

impl Reach {
    /// What ended the commands a reset took along, for their error.
    pub fn name(self) -> &'static str {
        match self {
            Reach::Task => "ABORT TASK",
            Reach::LogicalUnit => "LOGICAL UNIT RESET",
            Reach::Port => "port reset",
        }
    }
}

impl<D: UsbDevice> UasTransport<D> {
    /// The length of a status transfer: a Sense IU with the longest sense data, rounded up
    /// to wMaxPacketSize (UAS-2 6.2.4; USB 2.0 5.8.3).
    pub(super) fn status_len(&self) -> usize {
        let packet = self.link.status.packet;
        (SENSE_IU_HEADER_LEN + MAX_SENSE_LEN).div_ceil(packet) * packet
    }

    /// Submits a status transfer on `stream` (UAS-2 4.3.2).
    pub(super) fn submit_status(&mut self, stream: u16) -> Result<TransferId, TransportError> {
        let transfer = Transfer {
            endpoint: self.link.status.address,
            stream,
            data: TransferData::In(self.status_len()),
        };
        self.device
            .submit(transfer)
            .map_err(|e| usb_error("status pipe", e, Duration::ZERO))
    }

    /// Recovers from abandoning the commands tagged `tags`: clears the halt of `halted`
    /// if a pipe stalled, then ABORT TASK for each tag; if a step fails, LOGICAL UNIT
    /// RESET, then a port reset. Returns how far it went; an error when even the port
    /// reset failed or the device left the bus.
    pub(super) fn recover(
        &mut self,
        tags: &[u16],
        halted: Option<u8>,
        timeout: Duration,
    ) -> Outcome<Reach> {
        if let Some(endpoint) = halted {
            if let Err(error) = self.clear_halt(endpoint, timeout) {
                return self.escalate_from(error, Reach::LogicalUnit, timeout);
            }
        }
        for &tag in tags {
            if let Err(error) = self.manage(TaskManagementFunction::AbortTask, tag, timeout) {
                return self.escalate_from(error, Reach::Task, timeout);
            }
        }
        Ok(Reach::Task)
    }

    /// The next step after a step that failed with `error` reached `failed`: LOGICAL UNIT
    /// RESET after ABORT TASK, a port reset after that. A device gone stays gone.
    fn escalate_from(
        &mut self,
        error: TransportError,
        failed: Reach,
        timeout: Duration,
    ) -> Outcome<Reach> {
        if let TransportError::Gone(why) = error {
            return Err(TransportError::Gone(why));
        }
        if failed == Reach::Task {
            match self.manage(TaskManagementFunction::LogicalUnitReset, 0, timeout) {
                Ok(()) => return Ok(Reach::LogicalUnit),
                Err(TransportError::Gone(why)) => return Err(TransportError::Gone(why)),
                Err(_) => {}
            }
        }
        self.early.clear();
        self.device
            .port_reset()
            .map_err(|e| usb_error("port reset", e, timeout))?;
        // A reset endpoint has lost its streams (USB 3.2 8.12.1.4; Linux's uas driver
        // allocates them again after a reset): the same number again.
        if self.link.streams {
            let link = &self.link;
            let endpoints = [
                link.status.address,
                link.data_in.address,
                link.data_out.address,
            ];
            self.device
                .alloc_streams(&endpoints, link.tags)
                .map_err(|e| usb_error("stream allocation after the port reset", e, timeout))?;
        }
        Ok(Reach::Port)
    }

    /// Runs task management `function` for the command tagged `task_tag` (UAS-2 6.2.3)
    /// under the tag kept for it, and checks its Response IU (UAS-2 6.2.5): FUNCTION
    /// COMPLETE or SUCCEEDED is success, any other code an error naming it. Completions
    /// of other commands reaped meanwhile are kept for them; without streams, IUs of the
    /// abandoned commands that precede the Response IU are skipped. All within `timeout`.
    pub(super) fn manage(
        &mut self,
        function: TaskManagementFunction,
        task_tag: u16,
        timeout: Duration,
    ) -> Outcome<()> {
        let tag = self.link.tags;
        let stream = if self.link.streams { tag } else { 0 };
        let failed = |e| usb_error(&format!("{function:?}"), e, timeout);
        self.device.set_timeout(timeout);
        let mut pending = self.submit_status(stream)?;
        let iu = Iu::TaskManagement(TaskManagementIu {
            tag,
            function,
            task_tag,
            lun: self.lun_bytes(),
        });
        if let Err(error) = self
            .device
            .bulk_out(self.link.command.address, 0, &iu.to_bytes())
        {
            let _ = self.device.discard(pending);
            return Err(failed(error));
        }
        // One timeout for the whole function: IUs skipped on the way do not extend it.
        let deadline = Instant::now().checked_add(timeout);
        for reaped in 0..STRAY_IUS {
            let left = deadline.map_or(timeout, |d| d.saturating_duration_since(Instant::now()));
            if reaped > 0 && left.is_zero() {
                let _ = self.device.discard(pending);
                return Err(failed(UsbError::Timeout));
            }
            let completion = match self.device.reap(left) {
                Ok(completion) => completion,
                Err(error) => {
                    let _ = self.device.discard(pending);
                    return Err(failed(error));
                }
            };
            if completion.id != pending {
                self.early.push_back(completion);
                continue;
            }
            let bytes = match completion.result {
                Ok(Transferred::In(bytes)) => bytes,
                Ok(Transferred::Out(_) | Transferred::Received(_)) => Vec::new(),
                Err(error) => return Err(failed(error)),
            };
            match Iu::parse(&bytes) {
                Ok(Iu::Response(response)) if response.tag == tag => {
                    return match response.response_code {
                        ResponseCode::TaskManagementFunctionComplete
                        | ResponseCode::TaskManagementFunctionSucceeded => Ok(()),
                        code => Err(TransportError::Failed(format!(
                            "{function:?} for tag {task_tag}: Response IU {code:?} ({:02X}h)",
                            code.code()
                        ))),
                    };
                }
                Ok(_) if !self.link.streams => pending = self.submit_status(0)?,
                Ok(other) => {
                    return Err(TransportError::Failed(format!(
                        "{function:?}: answered by {other:?}, not its Response IU"
                    )))
                }
                Err(error) => {
                    return Err(TransportError::Failed(format!(
                        "{function:?}: status pipe: {error}"
                    )))
                }
            }
        }
        let _ = self.device.discard(pending);
        Err(TransportError::Failed(format!(
            "{function:?}: no Response IU among {STRAY_IUS} IUs"
        )))
    }

    /// CLEAR_FEATURE(ENDPOINT_HALT) (USB 2.0 9.4.1, 9.4.5).
    pub(super) fn clear_halt(&mut self, endpoint: u8, timeout: Duration) -> Outcome<()> {
        self.device
            .control_out(SetupPacket::clear_halt(endpoint), &[])
            .map_err(|e| usb_error("CLEAR_FEATURE(ENDPOINT_HALT)", e, timeout))
    }
}

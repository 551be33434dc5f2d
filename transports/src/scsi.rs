//! The SCSI transport contract (SAM-5 5.1 "The Execute Command procedure call"): a CDB,
//! a data buffer whose direction and length the command fixed, and a timeout go in; a
//! status, the sense data and the number of bytes moved come back.

use cdb::scsi::status::Status;
use std::time::Duration;

pub use crate::buffer::DataBuffer;

/// One SCSI command for a transport.
#[derive(Debug)]
pub struct ScsiRequest<'a> {
    /// The CDB bytes.
    pub cdb: &'a [u8],
    /// The data buffer.
    pub data: DataBuffer<'a>,
    /// How long the command may take before the transport gives up.
    pub timeout: Duration,
}

/// What the device answered (SAM-5 5.1: Status, Sense Data, and the data moved).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScsiReply {
    /// The SCSI status.
    pub status: Status,
    /// Sense data returned with the status (autosense); empty when none.
    pub sense: Vec<u8>,
    /// Bytes actually moved in the data phase (the buffer length less the residual).
    pub transferred: usize,
}

/// Why a command did not complete: no SCSI status came back.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The command did not complete within its timeout.
    #[error("the command timed out after {0:?}")]
    Timeout(Duration),
    /// The device is not there (any more).
    #[error("the device is gone: {0}")]
    Gone(String),
    /// The transport refused the request before sending it (e.g. a transfer longer than
    /// the transport's maximum), naming the limit.
    #[error("not sent: {0}")]
    Refused(String),
    /// The host or the link failed, with the operating system's or backend's message.
    #[error("transport failure: {0}")]
    Failed(String),
}

/// The USB device a SCSI target sits behind (USB 2.0 9.6.1 idVendor, idProduct).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsbId {
    /// idVendor.
    pub vendor_id: u16,
    /// idProduct.
    pub product_id: u16,
}

/// A path to a SCSI target that executes commands.
pub trait ScsiTransport {
    /// Executes one command and returns the device's answer.
    fn execute(&mut self, request: ScsiRequest<'_>) -> Result<ScsiReply, TransportError>;

    /// A short description of where commands go, e.g. `sim: SBC disk, LUN 0`.
    fn describe(&self) -> String;

    /// Executes several commands that may be in flight together and complete in any
    /// order (SAM-5 4.16: SIMPLE tasks in the task set); one result per request, in their
    /// order. A transport that cannot queue (the default) executes them one after
    /// another.
    fn execute_many(
        &mut self,
        requests: Vec<ScsiRequest<'_>>,
    ) -> Vec<Result<ScsiReply, TransportError>> {
        requests.into_iter().map(|r| self.execute(r)).collect()
    }

    /// The USB device the target sits behind, where the transport knows it (a USB
    /// bridge): what a table of bridges is keyed by.
    fn usb_id(&self) -> Option<UsbId> {
        None
    }

    /// The longest data transfer one command may move, where the transport knows a limit
    /// (a request queue's `max_hw_sectors_kb` and `max_segments`, a bridge's buffer).
    fn max_transfer(&self) -> Option<u64> {
        None
    }

    /// Cuts the device's power and brings it back (what was not durable is lost; the
    /// device reports the power-on UNIT ATTENTION next, SAM-5 6.3.1), where the transport
    /// controls the power: the emulated devices do; real ones are refused.
    fn power_cycle(&mut self) -> Result<(), TransportError> {
        Err(TransportError::Refused(format!(
            "{}: the transport cannot cut the device's power",
            self.describe()
        )))
    }
}

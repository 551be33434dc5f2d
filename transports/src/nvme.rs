//! The NVMe transport contract (NVMe Base 2.0 3.3 "Queueing Model", 4.2, 4.6): a
//! submission queue entry for a queue, a data buffer whose direction and length the
//! command fixed, and a timeout go in; the completion queue entry comes back. The
//! transport owns the Command Identifier and the data pointers.
//!
//! [`execute`] runs a typed [`NvmeCommand`] over any transport: the buffer is sized and
//! directed by the command's data phase, and the answer is decoded by the command itself.

use crate::scsi::{DataBuffer, TransportError};
use cdb::error::DecodeError;
use cdb::nvme::{Completion, NvmeCommand, Queue, ResetKind, Status, StatusClass, SubmissionEntry};
use std::time::Duration;

/// A path to an NVMe controller that executes commands (Base 2.0 3.3).
pub trait NvmeTransport {
    /// Submits `entry` to `queue` with `data` and returns its completion queue entry
    /// (Base 2.0 4.6). The transport fills the entry's CID and data pointers.
    fn submit(
        &mut self,
        queue: Queue,
        entry: &SubmissionEntry,
        data: DataBuffer<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError>;

    /// A short description of where commands go, e.g. `sim: emulated NVMe controller`.
    fn describe(&self) -> String;

    /// The longest data transfer one command may move, where the transport knows a limit
    /// (the request queue's limits on Linux).
    fn max_transfer(&self) -> Option<u64> {
        None
    }

    /// Cuts the controller's power and brings it back (what was not durable is lost, NVMe
    /// Base 2.0 5.27.1.4), where the transport controls the power: the emulated
    /// controller does; real ones are refused.
    fn power_cycle(&mut self) -> Result<(), TransportError> {
        Err(TransportError::Refused(format!(
            "{}: the transport cannot cut the controller's power",
            self.describe()
        )))
    }

    /// Performs a Controller Level Reset (NVMe Base 2.0 3.7.2), which activates firmware
    /// committed for activation at the next reset (5.13), where the transport can ask the
    /// host's driver for one: Linux's NVMe controller node does; others are refused.
    fn reset_controller(&mut self) -> Result<(), TransportError> {
        Err(TransportError::Refused(format!(
            "{}: the transport cannot reset the controller",
            self.describe()
        )))
    }
}

/// A command that completed with Successful Completion (Base 2.0 4.6.1.2.1).
#[derive(Debug)]
pub struct NvmeExecuted<R> {
    /// The decoded result (completion Dword 0 and/or the data-in).
    pub response: R,
    /// The data-in buffer, as long as the command's data phase.
    pub data_in: Vec<u8>,
    /// The completion queue entry.
    pub completion: Completion,
}

/// Why a typed NVMe command did not produce a response.
#[derive(Debug, thiserror::Error)]
pub enum NvmeError {
    /// No completion came back.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The controller completed the command with a status other than Successful
    /// Completion (Base 2.0 4.6.1).
    #[error("{command}: {}", describe_status(status))]
    Device {
        /// The command's name.
        command: &'static str,
        /// The completion status.
        status: Status,
        /// The completion queue entry.
        completion: Completion,
    },
    /// The command succeeded but its result could not be decoded.
    #[error("{command}: the data the controller returned cannot be decoded: {error}")]
    Decode {
        /// The command's name.
        command: &'static str,
        /// What is wrong with the data.
        error: DecodeError,
        /// The data-in bytes.
        data_in: Vec<u8>,
    },
}

/// A status on one line: its name, type, field value, DNR and what the host should do
/// (Base 2.0 4.6.1), e.g. `Invalid Namespace or Format (Generic Command Status, status
/// 0x400b, DNR): do not retry`.
pub fn describe_status(status: &Status) -> String {
    let advice = match status.class() {
        StatusClass::Success => "success".to_string(),
        StatusClass::RetryLater => "retry later".to_string(),
        StatusClass::NeedsReset { reset } => format!(
            "activation needs {}",
            match reset {
                ResetKind::Conventional => "a Conventional Reset",
                ResetKind::NvmSubsystem => "an NVM Subsystem Reset",
                ResetKind::ControllerLevel => "a Controller Level Reset",
            }
        ),
        StatusClass::Fatal => "do not retry".to_string(),
    };
    format!(
        "{} ({}, status {:#06x}{}): {advice}",
        status.name().unwrap_or("reserved status code"),
        status.sct_name(),
        status.to_field(),
        if status.dnr { ", DNR" } else { "" },
    )
}

/// Submits `command` on `transport` and decodes its result: the data buffer has the
/// length and direction of the command's data phase; any status other than Successful
/// Completion is an [`NvmeError::Device`].
pub fn execute<C: NvmeCommand>(
    transport: &mut dyn NvmeTransport,
    command: &C,
    timeout: Duration,
) -> Result<NvmeExecuted<C::Response>, NvmeError> {
    let mut data_in = Vec::new();
    let data = DataBuffer::for_phase(command.data_phase(), &mut data_in);
    let completion = transport.submit(command.queue(), &command.entry(), data, timeout)?;
    if !completion.status.is_success() {
        return Err(NvmeError::Device {
            command: command.name(),
            status: completion.status,
            completion,
        });
    }
    match command.decode(completion.dw0, &data_in) {
        Ok(response) => Ok(NvmeExecuted {
            response,
            data_in,
            completion,
        }),
        Err(error) => Err(NvmeError::Decode {
            command: command.name(),
            error,
            data_in,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::open::{open, Access, Device};
    use cdb::nvme::features::{GetFeatures, Select, SetFeatures};
    use cdb::nvme::identify::{IdentifyController, IdentifyNamespace};
    use cdb::nvme::log_page::LogPage;

    const TIMEOUT: Duration = Duration::from_secs(1);

    fn sim(uri: &str) -> Box<dyn NvmeTransport> {
        match open(uri, Access::Read).unwrap() {
            Device::Nvme(transport) => transport,
            Device::Scsi(_) => panic!("{uri} opened a SCSI device"),
        }
    }

    #[test]
    fn identify_returns_what_the_uri_configured() {
        let mut t = sim("sim:nvme?serial=NV42&size=64M&bs=4096");
        assert!(t.describe().contains("NVMe"), "{}", t.describe());
        let ctrl = execute(t.as_mut(), &IdentifyController::controller(), TIMEOUT).unwrap();
        assert_eq!(ctrl.response.sn, "NV42");
        // Identify data structures are 4096 bytes (Base 2.0 5.17).
        assert_eq!(ctrl.data_in.len(), 4096);
        assert_eq!(ctrl.completion.sqid, 0);
        let ns = execute(t.as_mut(), &IdentifyNamespace::new(1).unwrap(), TIMEOUT).unwrap();
        assert_eq!(ns.response.nsze, (64 << 20) / 4096);
        assert_eq!(ns.response.lba_data_size(), Some(4096));
    }

    #[test]
    fn an_error_status_carries_its_name_and_class() {
        let mut t = sim("sim:nvme?size=1M");
        let error = execute(t.as_mut(), &IdentifyNamespace::new(7).unwrap(), TIMEOUT)
            .err()
            .unwrap();
        let NvmeError::Device { status, .. } = &error else {
            panic!("{error}")
        };
        // Invalid Namespace or Format: SCT 0, SC 0Bh (Base 2.0 4.6.1.2.1), with DNR.
        assert_eq!((status.sct, status.sc, status.dnr), (0, 0x0b, true));
        assert_eq!(status.class(), StatusClass::Fatal);
        let text = error.to_string();
        assert!(
            text.starts_with("Identify: Invalid Namespace or Format"),
            "{text}"
        );
        assert!(text.contains("0x400b"), "{text}");
    }

    #[test]
    fn features_round_trip_through_dword_0() {
        let mut t = sim("sim:nvme?size=1M&wce=off");
        let get = GetFeatures::volatile_write_cache(Select::Current);
        assert_eq!(execute(t.as_mut(), &get, TIMEOUT).unwrap().response & 1, 0);
        let set = SetFeatures::volatile_write_cache(true, false);
        execute(t.as_mut(), &set, TIMEOUT).unwrap();
        assert_eq!(execute(t.as_mut(), &get, TIMEOUT).unwrap().response & 1, 1);
        let default = GetFeatures::volatile_write_cache(Select::Default);
        assert_eq!(
            execute(t.as_mut(), &default, TIMEOUT).unwrap().response & 1,
            0
        );
    }

    #[test]
    fn each_command_gets_its_own_command_identifier() {
        let mut t = sim("sim:nvme?size=1M");
        let smart = LogPage::smart_health(0xffff_ffff);
        let first = execute(t.as_mut(), &smart, TIMEOUT).unwrap().completion.cid;
        let second = execute(t.as_mut(), &smart, TIMEOUT).unwrap().completion.cid;
        assert_ne!(first, second);
    }
}

//! Why a firmware step could not talk to the device: the transport's and the typed
//! commands' errors (SAM-5 5.1, NVMe Base 2.0 4.6.1), and builder refusals.

use cdb::error::BuildError;
use cdb::nvme::StatusClass;
use cdb::sense::{classify, RetryClass};
use transports::execute::ExecuteError;
use transports::nvme::NvmeError;
use transports::scsi::TransportError;

/// A command of a firmware step failed.
#[derive(Debug, thiserror::Error)]
pub enum FirmwareError {
    /// A SCSI command failed (no status, a status other than GOOD, or undecodable data).
    #[error(transparent)]
    Scsi(#[from] ExecuteError),
    /// An NVMe command failed (no completion, an error status, or undecodable data).
    #[error(transparent)]
    Nvme(#[from] NvmeError),
    /// A command could not be built from the plan's values.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// The device answered with data of an unexpected kind.
    #[error("{0}: the device returned data of another kind")]
    Unexpected(&'static str),
}

impl FirmwareError {
    /// True when no status or completion came back (SAM-5 5.1: the command's effect is
    /// unknown), as opposed to a device that answered.
    pub fn no_answer(&self) -> bool {
        matches!(
            self,
            FirmwareError::Scsi(ExecuteError::Transport(_))
                | FirmwareError::Nvme(NvmeError::Transport(_))
        )
    }

    /// The transport error, when no status came back.
    pub fn transport(&self) -> Option<&TransportError> {
        match self {
            FirmwareError::Scsi(ExecuteError::Transport(e))
            | FirmwareError::Nvme(NvmeError::Transport(e)) => Some(e),
            _ => None,
        }
    }

    /// The sense key, ASC and ASCQ of a CHECK CONDITION (SPC-5 4.4), when there is one.
    pub fn sense(&self) -> Option<(u8, u8, u8)> {
        match self {
            FirmwareError::Scsi(ExecuteError::Device {
                sense: Some(sense), ..
            }) => {
                let (asc, ascq) = sense.asc_ascq()?;
                Some((sense.sense_key_code()?, asc, ascq))
            }
            _ => None,
        }
    }

    /// True for a transient condition worth reissuing the command for: BUSY, a UNIT
    /// ATTENTION, a logical unit becoming ready (SPC-5 4.4, SAM-5 5.3), or an NVMe status
    /// with DNR clear that the host should retry (NVMe Base 2.0 4.6.1).
    pub fn transient(&self) -> bool {
        match self {
            FirmwareError::Scsi(ExecuteError::Device { status, sense, .. }) => {
                classify(*status, sense.as_deref()) == RetryClass::RetryLater
            }
            FirmwareError::Nvme(NvmeError::Device { status, .. }) => {
                status.class() == StatusClass::RetryLater
            }
            _ => false,
        }
    }

    /// The NVMe completion status, when the controller answered with an error (NVMe Base
    /// 2.0 4.6.1).
    pub fn nvme_status(&self) -> Option<cdb::nvme::Status> {
        match self {
            FirmwareError::Nvme(NvmeError::Device { status, .. }) => Some(*status),
            _ => None,
        }
    }
}

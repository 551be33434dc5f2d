//! Marshalling for the user-client ABI ([`super::abi`]): a command becomes the structure
//! input of [`Selector::ExecuteCdb`](super::abi::Selector::ExecuteCdb) (request header and
//! data-out), and its structure output is checked field by field before any of it is
//! believed — magic, version, service response, status, residual, sense and data lengths.

use super::abi::{
    AbiVersionReply, DataDirection, DeliveryFailure, DextRequest, DextResponse, ServiceResponse,
    ABI_VERSION, MAX_CDB_LEN, MAX_SENSE_LEN, MAX_TRANSFER, REQUEST_MAGIC, RESPONSE_LEN,
    RESPONSE_MAGIC, VERSION_MAGIC,
};
use super::error::DextError;
use cdb::scsi::status::Status;
use std::time::Duration;
use zerocopy::{FromBytes, IntoBytes};

/// One command as the ABI carries it (SAM-5 5.1: CDB, data direction and length, and the
/// logical unit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command<'a> {
    /// The CDB, 1 to 16 bytes.
    cdb: &'a [u8],
    /// The data direction.
    direction: DataDirection,
    /// The data-out bytes (empty unless the direction is out).
    data_out: &'a [u8],
    /// The data length: of `data_out`, or of the data-in buffer.
    transfer_length: u32,
    /// The timeout in milliseconds, at least 1.
    timeout_ms: u32,
    /// The logical unit.
    lun: u8,
}

impl<'a> Command<'a> {
    /// The command for `cdb` with data-out `data_out` or a data-in buffer of `data_in_len`
    /// bytes (one of them empty), refused when the CDB or the transfer does not fit the
    /// ABI or the DEXT's `max_transfer`. The timeout is rounded up to whole milliseconds
    /// (at least 1) and saturates at `u32::MAX` milliseconds.
    pub fn new(
        cdb: &'a [u8],
        data_out: &'a [u8],
        data_in_len: usize,
        timeout: Duration,
        lun: u8,
        max_transfer: u32,
    ) -> Result<Self, DextError> {
        if cdb.is_empty() || cdb.len() > MAX_CDB_LEN {
            return Err(DextError::CdbLength { len: cdb.len() });
        }
        let (direction, len) = match (data_out.len(), data_in_len) {
            (0, 0) => (DataDirection::None, 0),
            (0, len) => (DataDirection::In, len),
            (len, _) => (DataDirection::Out, len),
        };
        let max = max_transfer.min(MAX_TRANSFER);
        let transfer_length = u32::try_from(len)
            .ok()
            .filter(|l| *l <= max)
            .ok_or(DextError::TransferTooLong { len, max })?;
        let micros = timeout.as_micros().div_ceil(1000).max(1);
        Ok(Command {
            cdb,
            direction,
            data_out,
            transfer_length,
            timeout_ms: u32::try_from(micros).unwrap_or(u32::MAX),
            lun,
        })
    }

    /// The data direction.
    pub fn direction(&self) -> DataDirection {
        self.direction
    }

    /// The data length in bytes.
    pub fn transfer_length(&self) -> u32 {
        self.transfer_length
    }

    /// The timeout in milliseconds.
    pub fn timeout_ms(&self) -> u32 {
        self.timeout_ms
    }

    /// The structure input: the request header, then the data-out bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut cdb = [0u8; MAX_CDB_LEN];
        cdb[..self.cdb.len()].copy_from_slice(self.cdb);
        let header = DextRequest {
            magic: REQUEST_MAGIC.into(),
            abi_version: ABI_VERSION.into(),
            cdb_len: self.cdb.len() as u8,
            direction: self.direction as u8,
            cdb,
            transfer_length: self.transfer_length.into(),
            timeout_ms: self.timeout_ms.into(),
            lun: self.lun,
            _reserved: [0; 7],
        };
        let mut input = header.as_bytes().to_vec();
        input.extend_from_slice(self.data_out);
        input
    }

    /// The size of the structure output to offer: the response header, plus the data-in
    /// buffer for a data-in command.
    pub fn output_len(&self) -> usize {
        RESPONSE_LEN + self.data_in_len()
    }

    fn data_in_len(&self) -> usize {
        match self.direction {
            DataDirection::In => self.transfer_length as usize,
            DataDirection::None | DataDirection::Out => 0,
        }
    }
}

/// How the command ended, checked against the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completion<'a> {
    /// COMMAND COMPLETE (SAM-5 5.1): a status, its sense data, and the data moved.
    Complete {
        /// The status (SAM-5 5.3.1).
        status: Status,
        /// The sense data (SPC-5 4.4); empty when none.
        sense: &'a [u8],
        /// The bytes moved: the transfer length less the residual.
        transferred: usize,
        /// The data-in bytes (empty unless the command is data-in).
        data_in: &'a [u8],
    },
    /// SERVICE DELIVERY OR TARGET FAILURE (SAM-5 5.1): no status, for this reason.
    Failed(DeliveryFailure),
}

/// Checks the structure output `output` (as many bytes as the DEXT returned) of
/// `command` and returns what it says.
pub fn decode_response<'a>(
    output: &'a [u8],
    command: &Command<'_>,
) -> Result<Completion<'a>, DextError> {
    let (header, rest) =
        DextResponse::ref_from_prefix(output).map_err(|_| DextError::Truncated {
            len: output.len(),
            need: RESPONSE_LEN,
        })?;
    check_magic(header.magic.get(), RESPONSE_MAGIC)?;
    check_version(header.abi_version.get())?;
    let failure = DeliveryFailure::from_byte(header.delivery_failure);
    let service_response = header.service_response;
    match (ServiceResponse::from_byte(service_response), failure) {
        (None, _) => Err(DextError::ServiceResponse(service_response)),
        (Some(ServiceResponse::CommandComplete), Some(DeliveryFailure::None)) => {
            complete(header, rest, command)
        }
        (Some(ServiceResponse::DeliveryOrTargetFailure), Some(failure))
            if failure != DeliveryFailure::None =>
        {
            Ok(Completion::Failed(failure))
        }
        _ => Err(DextError::DeliveryFailure {
            service_response,
            failure: header.delivery_failure,
        }),
    }
}

/// The fields of a COMMAND COMPLETE answer, checked.
fn complete<'a>(
    header: &'a DextResponse,
    rest: &'a [u8],
    command: &Command<'_>,
) -> Result<Completion<'a>, DextError> {
    let status = Status::from(header.status);
    if let Status::Reserved(byte) = status {
        return Err(DextError::Status(byte));
    }
    let residual = header.residual.get();
    let requested = command.transfer_length;
    let moved = requested.checked_sub(residual).ok_or(DextError::Residual {
        residual,
        requested,
    })?;
    let sense_length = header.sense_length.get();
    let sense = header
        .sense
        .get(..usize::from(sense_length))
        .filter(|s| s.len() <= MAX_SENSE_LEN)
        .ok_or(DextError::SenseLength(sense_length))?;
    let expected = match command.direction {
        DataDirection::In => moved,
        DataDirection::None | DataDirection::Out => 0,
    };
    let data_length = header.data_length.get();
    if data_length != expected {
        return Err(DextError::DataLength {
            data_length,
            expected,
        });
    }
    let data_in = rest
        .get(..data_length as usize)
        .ok_or(DextError::Truncated {
            len: RESPONSE_LEN + rest.len(),
            need: RESPONSE_LEN + data_length as usize,
        })?;
    Ok(Completion::Complete {
        status,
        sense,
        transferred: moved as usize,
        data_in,
    })
}

/// Checks the structure output of
/// [`Selector::GetAbiVersion`](super::abi::Selector::GetAbiVersion) and returns the
/// DEXT's transfer limit (at most [`MAX_TRANSFER`]).
pub fn decode_version(output: &[u8]) -> Result<u32, DextError> {
    let (reply, _) =
        AbiVersionReply::ref_from_prefix(output).map_err(|_| DextError::Truncated {
            len: output.len(),
            need: super::abi::VERSION_REPLY_LEN,
        })?;
    check_magic(reply.magic.get(), VERSION_MAGIC)?;
    check_version(reply.abi_version.get())?;
    Ok(reply.max_transfer.get().min(MAX_TRANSFER))
}

fn check_magic(found: u32, expected: u32) -> Result<(), DextError> {
    if found == expected {
        Ok(())
    } else {
        Err(DextError::BadMagic { found, expected })
    }
}

fn check_version(dext: u16) -> Result<(), DextError> {
    if dext == ABI_VERSION {
        Ok(())
    } else {
        Err(DextError::VersionMismatch {
            dext,
            host: ABI_VERSION,
        })
    }
}

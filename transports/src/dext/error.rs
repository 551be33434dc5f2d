//! What can be wrong with a command before it goes to the DEXT, or with what the DEXT
//! answers: each a typed error naming the values involved.

use crate::scsi::TransportError;

/// A request the ABI cannot carry, or an answer that breaks the ABI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DextError {
    /// The CDB is empty or longer than the ABI's 16 bytes (SAM-5 5.2).
    #[error("a {len}-byte CDB: the DEXT carries CDBs of 1 to 16 bytes")]
    CdbLength {
        /// The CDB's length.
        len: usize,
    },
    /// The data transfer is longer than the DEXT accepts.
    #[error("a {len}-byte transfer: the DEXT moves at most {max} bytes per command")]
    TransferTooLong {
        /// The requested transfer length.
        len: usize,
        /// The DEXT's limit.
        max: u32,
    },
    /// The DEXT speaks another version of the ABI.
    #[error("the DEXT speaks user-client ABI version {dext}, scsitool version {host}: install the DEXT built from this scsitool's source")]
    VersionMismatch {
        /// The DEXT's version.
        dext: u16,
        /// This build's version.
        host: u16,
    },
    /// The answer does not start with the expected magic: it is not from our DEXT.
    #[error("the answer's magic is {found:#010x}, expected {expected:#010x}: the service is not scsitool's DEXT")]
    BadMagic {
        /// The magic found.
        found: u32,
        /// The magic expected.
        expected: u32,
    },
    /// The answer is shorter than its header, or than the header's data length says.
    #[error("the DEXT answered {len} bytes, {need} needed")]
    Truncated {
        /// The bytes answered.
        len: usize,
        /// The bytes the layout needs.
        need: usize,
    },
    /// The user client reported more bytes than the output buffer holds.
    #[error("the DEXT reported {len} bytes in a {capacity}-byte buffer")]
    Overflow {
        /// The length reported.
        len: usize,
        /// The buffer's size.
        capacity: usize,
    },
    /// The service response is not one the ABI defines.
    #[error("unknown service response {0}")]
    ServiceResponse(u8),
    /// The delivery failure is unknown or does not fit the service response.
    #[error("delivery failure {failure} with service response {service_response}")]
    DeliveryFailure {
        /// The service response byte.
        service_response: u8,
        /// The delivery failure byte.
        failure: u8,
    },
    /// The status is not an assigned SAM-5 status code.
    #[error("status {0:#04x} is not a SAM-5 status (SAM-5 5.3.1)")]
    Status(u8),
    /// The residual is larger than the transfer requested.
    #[error("a residual of {residual} bytes for a {requested}-byte transfer")]
    Residual {
        /// The residual reported.
        residual: u32,
        /// The transfer length requested.
        requested: u32,
    },
    /// The sense length is beyond what SPC-5 allows.
    #[error("{0} bytes of sense data: SPC-5 4.4.1 allows at most 252")]
    SenseLength(u16),
    /// The data length disagrees with the direction, the transfer length and the residual.
    #[error("{data_length} bytes of data-in where the transfer and the residual give {expected}")]
    DataLength {
        /// The data length reported.
        data_length: u32,
        /// What the request and the residual give.
        expected: u32,
    },
}

impl DextError {
    /// Whether the request was refused before anything was sent.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            DextError::CdbLength { .. }
                | DextError::TransferTooLong { .. }
                | DextError::VersionMismatch { .. }
        )
    }
}

impl From<DextError> for TransportError {
    /// Refusals become [`TransportError::Refused`]; a malformed answer
    /// [`TransportError::Failed`].
    fn from(error: DextError) -> Self {
        if error.is_refusal() {
            TransportError::Refused(error.to_string())
        } else {
            TransportError::Failed(format!("the DEXT's answer is malformed: {error}"))
        }
    }
}

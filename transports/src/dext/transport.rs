//! The DEXT transport: [`DextTransport`] carries SCSI commands (SAM-5 5.1 Execute Command)
//! to scsitool's DriverKit extension through a [`UserClient`] — on macOS an IOKit
//! connection ([`super::macos`]), in the tests a fake DEXT.

use super::abi::{DeliveryFailure, Selector, ABI_VERSION, VERSION_REPLY_LEN};
use super::error::DextError;
use super::ioreturn::IoReturn;
use super::marshal::{decode_response, decode_version, Command, Completion};
use crate::scsi::{ScsiReply, ScsiRequest, ScsiTransport, TransportError};
use std::time::Duration;

/// An open connection to the DEXT's user client: what `IOConnectCallStructMethod` is.
pub trait UserClient {
    /// Calls method `selector` with structure input `input`; the DEXT writes its
    /// structure output into `output` and the number of bytes written is returned (an
    /// implementation that reports more than `output.len()` is caught by the transport).
    fn call_struct_method(
        &mut self,
        selector: Selector,
        input: &[u8],
        output: &mut [u8],
    ) -> Result<usize, IoReturn>;

    /// What the connection goes to, e.g. `disk5 (ScsitoolDriver)`.
    fn describe(&self) -> String;
}

/// A SCSI transport over the DEXT's user client, for one logical unit.
#[derive(Debug)]
pub struct DextTransport<C> {
    client: C,
    lun: u8,
    /// The longest transfer the DEXT accepts, from its version reply.
    max_transfer: u32,
}

impl<C: UserClient> DextTransport<C> {
    /// The transport over `client` for logical unit `lun`, after checking that the DEXT
    /// speaks this build's ABI version ([`Selector::GetAbiVersion`]).
    pub fn open(mut client: C, lun: u8) -> Result<Self, TransportError> {
        let mut reply = [0u8; VERSION_REPLY_LEN];
        let answer = call(&mut client, Selector::GetAbiVersion, &[], &mut reply, None)?;
        let max_transfer = decode_version(answer)?;
        Ok(DextTransport {
            client,
            lun,
            max_transfer,
        })
    }

    /// The user client, e.g. to script a fake DEXT in tests.
    pub fn client_mut(&mut self) -> &mut C {
        &mut self.client
    }
}

impl<C: UserClient> ScsiTransport for DextTransport<C> {
    fn execute(&mut self, request: ScsiRequest<'_>) -> Result<ScsiReply, TransportError> {
        let timeout = request.timeout;
        let (data_out, data_in) = request.data.split();
        let command = Command::new(
            request.cdb,
            data_out,
            data_in.len(),
            timeout,
            self.lun,
            self.max_transfer,
        )?;
        let mut output = vec![0u8; command.output_len()];
        let answer = call(
            &mut self.client,
            Selector::ExecuteCdb,
            &command.encode(),
            &mut output,
            Some(timeout),
        )?;
        match decode_response(answer, &command)? {
            Completion::Complete {
                status,
                sense,
                transferred,
                data_in: bytes,
            } => {
                let into = data_in
                    .get_mut(..bytes.len())
                    .ok_or(DextError::DataLength {
                        data_length: bytes.len() as u32,
                        expected: command.transfer_length(),
                    })?;
                into.copy_from_slice(bytes);
                Ok(ScsiReply {
                    status,
                    sense: sense.to_vec(),
                    transferred,
                })
            }
            Completion::Failed(failure) => Err(delivery_error(failure, timeout, self.describe())),
        }
    }

    fn describe(&self) -> String {
        format!(
            "DriverKit user client {} (ABI {ABI_VERSION}), LUN {}",
            self.client.describe(),
            self.lun
        )
    }

    fn max_transfer(&self) -> Option<u64> {
        Some(u64::from(self.max_transfer))
    }
}

/// Calls `selector` and returns the part of `output` the DEXT wrote, checked against
/// the buffer's size.
fn call<'o, C: UserClient>(
    client: &mut C,
    selector: Selector,
    input: &[u8],
    output: &'o mut [u8],
    timeout: Option<Duration>,
) -> Result<&'o [u8], TransportError> {
    let capacity = output.len();
    let len = client
        .call_struct_method(selector, input, output)
        .map_err(|code| transport_error(code, timeout, &client.describe()))?;
    output
        .get(..len)
        .ok_or_else(|| DextError::Overflow { len, capacity }.into())
}

/// The transport error for an `IOReturn` failure of the connection to `what`: the
/// device gone ([`TransportError::Gone`]: no device, not attached, offline), a timeout
/// (when the call carried one), a refusal with its fix ([`TransportError::Refused`]: not
/// permitted, not privileged, unsupported, exclusive access), else a failure — each with
/// the code's name and, where known, the hint.
pub fn transport_error(code: IoReturn, timeout: Option<Duration>, what: &str) -> TransportError {
    let message = match code.hint() {
        Some(hint) => format!("{what}: {code}; {hint}"),
        None => format!("{what}: {code}"),
    };
    let gone = [0x2c0, 0x2d9, 0x2d7];
    let refused = [0x2e2, 0x2c1, 0x2c7, 0x2c5];
    let named = code.name().is_some();
    match (named, code.code(), timeout) {
        (true, 0x2d6, Some(timeout)) => TransportError::Timeout(timeout),
        (true, c, _) if gone.contains(&c) => TransportError::Gone(message),
        (true, c, _) if refused.contains(&c) => TransportError::Refused(message),
        _ => TransportError::Failed(message),
    }
}

/// The transport error for a command that met SERVICE DELIVERY OR TARGET FAILURE.
fn delivery_error(failure: DeliveryFailure, timeout: Duration, what: String) -> TransportError {
    match failure {
        DeliveryFailure::Timeout => TransportError::Timeout(timeout),
        DeliveryFailure::DeviceGone => TransportError::Gone(what),
        DeliveryFailure::Delivery | DeliveryFailure::None => TransportError::Failed(format!(
            "{what}: the command could not be delivered (SERVICE DELIVERY OR TARGET FAILURE)"
        )),
    }
}

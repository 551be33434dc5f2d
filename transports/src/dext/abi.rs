//! The user-client ABI between scsitool and its DriverKit extension (the reference DEXT in
//! `transports/dext/driver/`, whose `ScsitoolUserClientABI.h` mirrors this module and is
//! checked against it by `transports/tests/dext_abi_header.rs`).
//!
//! Two methods, both called with `IOConnectCallStructMethod` (structure input and output
//! only, no scalars):
//!
//! - [`Selector::GetAbiVersion`]: no input; the output is an [`AbiVersionReply`]. The host
//!   calls it once when it opens the user client and refuses a DEXT of another version.
//! - [`Selector::ExecuteCdb`]: the input is a [`DextRequest`] followed by the data-out
//!   bytes (none unless the direction is [`DataDirection::Out`]); the output is a
//!   [`DextResponse`] followed by the data-in bytes (none unless the direction is
//!   [`DataDirection::In`]). The execution model is SAM-5 5.1 "Execute Command": CDB,
//!   data, and back status, sense data and the data moved.
//!
//! Data travels inside the method's structure input and output, never as a user-space
//! address: a DEXT cannot write into the memory of the process that called it through an
//! address that process passed in (the memory it would map is a copy), so data written
//! there "never arrives". Up to [`INLINE_LIMIT`] bytes of structure input or output travel
//! in the Mach message itself (the DEXT sees `IOUserClientMethodArguments::structureInput`
//! as an `OSData`, and answers by setting `structureOutput`); above it IOKit wires the
//! caller's buffer and hands the DEXT an `IOMemoryDescriptor`
//! (`structureInputDescriptor`, `structureOutputDescriptor`), which the DEXT maps with
//! `CreateMapping`. `structureOutputMaximumSize` bounds what the DEXT may return.
//!
//! Every structure is `#[repr(C)]`, little-endian, a multiple of 8 bytes long, with its
//! padding spelled out as `_reserved` fields (zero when sent, ignored when received), and
//! starts with a magic number and the ABI version.

use zerocopy::little_endian::{U16, U32};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// The version of this ABI; a DEXT answering another version is refused.
pub const ABI_VERSION: u16 = 1;

/// The magic of a [`DextRequest`]: `SCTQ` in memory order.
pub const REQUEST_MAGIC: u32 = u32::from_le_bytes(*b"SCTQ");
/// The magic of a [`DextResponse`]: `SCTR` in memory order.
pub const RESPONSE_MAGIC: u32 = u32::from_le_bytes(*b"SCTR");
/// The magic of an [`AbiVersionReply`]: `SCTV` in memory order.
pub const VERSION_MAGIC: u32 = u32::from_le_bytes(*b"SCTV");

/// The longest CDB the ABI carries (SAM-5 5.2: CDBs of 6, 10, 12 and 16 bytes; DriverKit's
/// `fCommandDescriptorBlock` holds 16).
pub const MAX_CDB_LEN: usize = 16;

/// The room for sense data in a [`DextResponse`] (a multiple of 8 for the layout).
pub const SENSE_FIELD_LEN: usize = 256;

/// The most sense data a device returns (SPC-5 4.4.1: the sense data is at most 252
/// bytes).
pub const MAX_SENSE_LEN: usize = 252;

/// The longest data transfer of one command: the DEXT's bounce buffer.
pub const MAX_TRANSFER: u32 = 1 << 20;

/// The most structure input or output IOKit carries in the message itself
/// (`io_struct_inband_t`); larger buffers travel as memory descriptors.
pub const INLINE_LIMIT: usize = 4096;

/// The method selectors of the user client (`IOConnectCallStructMethod`'s `selector`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum Selector {
    /// Returns an [`AbiVersionReply`].
    GetAbiVersion = 0,
    /// Executes one command: [`DextRequest`] + data-out in, [`DextResponse`] + data-in out.
    ExecuteCdb = 1,
}

/// The direction of the data phase (SAM-5 5.1: Data-In Buffer or Data-Out Buffer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum DataDirection {
    /// No data phase.
    None = 0,
    /// Data-in: from the device to the host.
    In = 1,
    /// Data-out: from the host to the device.
    Out = 2,
}

impl DataDirection {
    /// The direction a request byte names, if any.
    pub fn from_byte(byte: u8) -> Option<Self> {
        by_code(&[Self::None, Self::In, Self::Out], byte, |d| d as u8)
    }
}

/// How the command ended, as the DEXT saw it (SAM-5 5.1: the service response).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ServiceResponse {
    /// COMMAND COMPLETE: the status (and sense) are valid.
    CommandComplete = 0,
    /// SERVICE DELIVERY OR TARGET FAILURE: no status; [`DeliveryFailure`] says why.
    DeliveryOrTargetFailure = 1,
}

impl ServiceResponse {
    /// The service response a response byte names, if any.
    pub fn from_byte(byte: u8) -> Option<Self> {
        by_code(
            &[Self::CommandComplete, Self::DeliveryOrTargetFailure],
            byte,
            |r| r as u8,
        )
    }
}

/// Why a command met SERVICE DELIVERY OR TARGET FAILURE (the DEXT's reading of
/// DriverKit's `SCSITaskStatus` delivery-failure values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum DeliveryFailure {
    /// No failure (with [`ServiceResponse::CommandComplete`] only).
    None = 0,
    /// The command or the protocol timed out.
    Timeout = 1,
    /// The device is not present (any more).
    DeviceGone = 2,
    /// The device did not respond or the task could not be delivered.
    Delivery = 3,
}

impl DeliveryFailure {
    /// The failure a response byte names, if any.
    pub fn from_byte(byte: u8) -> Option<Self> {
        let all = [Self::None, Self::Timeout, Self::DeviceGone, Self::Delivery];
        by_code(&all, byte, |f| f as u8)
    }
}

/// The value among `all` whose one-byte code (`code`) is `byte`.
fn by_code<T: Copy>(all: &[T], byte: u8, code: impl Fn(T) -> u8) -> Option<T> {
    all.iter().copied().find(|&value| code(value) == byte)
}

/// The header of [`Selector::ExecuteCdb`]'s structure input; the data-out bytes follow.
#[derive(Debug, Clone, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct DextRequest {
    /// [`REQUEST_MAGIC`].
    pub magic: U32,
    /// [`ABI_VERSION`].
    pub abi_version: U16,
    /// The CDB's length, 1 to [`MAX_CDB_LEN`] (SAM-5 5.2).
    pub cdb_len: u8,
    /// The data direction, a [`DataDirection`].
    pub direction: u8,
    /// The CDB, zero past `cdb_len`.
    pub cdb: [u8; MAX_CDB_LEN],
    /// The data length in bytes: the data-out bytes that follow, or the data-in buffer
    /// (SAM-5 5.1: the Data-In/Data-Out Buffer Size); zero with no data phase.
    pub transfer_length: U32,
    /// The command's timeout in milliseconds (at least 1).
    pub timeout_ms: U32,
    /// The logical unit number (SAM-5 4.6.3, single level).
    pub lun: u8,
    /// Zero.
    pub _reserved: [u8; 7],
}

/// The header of [`Selector::ExecuteCdb`]'s structure output; the data-in bytes follow.
#[derive(Debug, Clone, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct DextResponse {
    /// [`RESPONSE_MAGIC`].
    pub magic: U32,
    /// [`ABI_VERSION`].
    pub abi_version: U16,
    /// The service response, a [`ServiceResponse`].
    pub service_response: u8,
    /// The SCSI status (SAM-5 5.3.1), valid with COMMAND COMPLETE.
    pub status: u8,
    /// The bytes of the data phase that did not move (SAM-5 5.1: the transfer length less
    /// the bytes moved).
    pub residual: U32,
    /// The data-in bytes that follow this header: the transfer length less the residual
    /// for data-in, zero otherwise.
    pub data_length: U32,
    /// The valid bytes of `sense`, at most [`MAX_SENSE_LEN`] (SPC-5 4.4.1).
    pub sense_length: U16,
    /// Why the service response is a failure, a [`DeliveryFailure`].
    pub delivery_failure: u8,
    /// Zero.
    pub _reserved: [u8; 5],
    /// The sense data (SPC-5 4.4), returned with CHECK CONDITION.
    pub sense: [u8; SENSE_FIELD_LEN],
}

/// The structure output of [`Selector::GetAbiVersion`].
#[derive(Debug, Clone, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct AbiVersionReply {
    /// [`VERSION_MAGIC`].
    pub magic: U32,
    /// The DEXT's [`ABI_VERSION`].
    pub abi_version: U16,
    /// Zero.
    pub _reserved: [u8; 2],
    /// The longest transfer the DEXT accepts ([`MAX_TRANSFER`] for this version).
    pub max_transfer: U32,
    /// Zero.
    pub _reserved2: [u8; 4],
}

/// The size of a [`DextRequest`].
pub const REQUEST_LEN: usize = core::mem::size_of::<DextRequest>();
/// The size of a [`DextResponse`].
pub const RESPONSE_LEN: usize = core::mem::size_of::<DextResponse>();
/// The size of an [`AbiVersionReply`].
pub const VERSION_REPLY_LEN: usize = core::mem::size_of::<AbiVersionReply>();

const _: () = assert!(REQUEST_LEN == 40 && REQUEST_LEN % 8 == 0);
const _: () = assert!(RESPONSE_LEN == 280 && RESPONSE_LEN % 8 == 0);
const _: () = assert!(VERSION_REPLY_LEN == 16);

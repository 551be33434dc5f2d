//! The macOS DriverKit user-client transport: on macOS a user process cannot send
//! arbitrary CDBs to a disk, so scsitool's DriverKit extension (the reference DEXT in
//! `transports/dext/driver/`, a subclass of SCSIPeripheralsDriverKit's
//! `IOUserSCSIPeripheralDeviceType00` calling `UserSendCDB`) executes them for it through
//! a user client. See `docs/dext.md` for building, signing, installing and
//! troubleshooting.
//!
//! - [`abi`]: the versioned user-client ABI (selectors, request and response layouts).
//! - [`disk`]: which device paths name a macOS disk.
//! - [`ioreturn`]: `IOReturn` names, meanings and hints.
//! - [`error`]: what is wrong with a request or an answer.
//! - [`marshal`]: building the request, checking the answer.
//! - [`transport`]: [`transport::DextTransport`] over any [`transport::UserClient`].
//! - `macos` (macOS only, not exercised in CI): `/dev/diskN` to the DEXT's user client.

pub mod abi;
pub mod disk;
pub mod error;
pub mod ioreturn;
#[cfg(target_os = "macos")]
pub mod macos;
pub mod marshal;
pub mod transport;

#[cfg(test)]
mod tests;

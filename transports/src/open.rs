//! Device resolution: from what the user typed to an open transport. `sim:` URIs open the
//! built-in emulated devices ([`emulator::uri`]); device nodes and `usb:` arrive with
//! their transports.

use crate::nvme::NvmeTransport;
use crate::scsi::ScsiTransport;
use crate::sim::{SimNvme, SimScsi};
use emulator::sim::SimDevice;
use emulator::uri::SimSpec;

/// An opened device, by protocol.
pub enum Device {
    /// A SCSI logical unit.
    Scsi(Box<dyn ScsiTransport>),
    /// An NVMe controller.
    Nvme(Box<dyn NvmeTransport>),
}

/// Why a device could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The name is not one scsitool can open (yet), with what is accepted.
    #[error("cannot open '{0}': expected a sim: URI (device nodes and usb: arrive with their transports)")]
    Unsupported(String),
    /// The `sim:` URI is malformed.
    #[error("{0}")]
    Uri(#[from] emulator::uri::UriError),
    /// The emulated device could not be built.
    #[error("{0}")]
    Sim(#[from] emulator::sim::SimError),
}

/// Opens `name`.
pub fn open(name: &str) -> Result<Device, OpenError> {
    if !name.starts_with("sim:") {
        return Err(OpenError::Unsupported(name.to_string()));
    }
    Ok(match SimSpec::parse(name)?.build()? {
        SimDevice::Scsi(target) => Device::Scsi(Box::new(SimScsi::new(Box::new(target), 0))),
        SimDevice::Nvme(controller) => Device::Nvme(Box::new(SimNvme::new(controller))),
        SimDevice::Bridge(bridge) => Device::Scsi(Box::new(SimScsi::new(bridge, 0))),
    })
}

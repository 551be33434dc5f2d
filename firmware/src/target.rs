//! Which protocol reaches the drive: SCSI (WRITE BUFFER, SPC-5 6.49) or NVMe (Firmware
//! Image Download and Commit, NVMe Base 2.0 5.13, 5.14), directly or through a USB–NVMe
//! bridge's tunnel. A SCSI device behind a bridge that a VID:PID table names
//! ([`Bridge::for_usb_id`]) is the NVMe drive behind it: its own WRITE BUFFER would reach
//! the bridge, not the drive.

use transports::nvme::NvmeTransport;
use transports::open::Device;
use transports::scsi::ScsiTransport;
use transports::tunnel::{Bridge, TunnelledNvme};

/// The device a firmware update talks to.
pub enum Target {
    /// A SCSI logical unit: microcode through WRITE BUFFER (SPC-5 6.49).
    Scsi(Box<dyn ScsiTransport>),
    /// An NVMe controller: Firmware Image Download and Commit (NVMe Base 2.0 5.13, 5.14).
    Nvme {
        /// The controller's transport (a tunnel when `bridge` is set).
        transport: Box<dyn NvmeTransport>,
        /// The USB–NVMe bridge whose tunnel carries the commands, if any.
        bridge: Option<Bridge>,
    },
}

impl Target {
    /// The target an opened device is: an NVMe controller, a SCSI logical unit, or, for a
    /// SCSI device whose USB ID is a known USB–NVMe bridge, the NVMe drive reached through
    /// that bridge's tunnel.
    pub fn from_device(device: Device) -> Self {
        match device {
            Device::Nvme(transport) => Target::Nvme {
                transport,
                bridge: None,
            },
            Device::Scsi(scsi) => match scsi.usb_id().and_then(Bridge::for_usb_id) {
                Some(bridge) => Target::through_bridge(scsi, bridge),
                None => Target::Scsi(scsi),
            },
        }
    }

    /// The NVMe drive behind `bridge`, reached through its tunnel on `scsi` (the caller
    /// names the bridge: nothing is probed, see [`transports::tunnel`]).
    pub fn through_bridge(scsi: Box<dyn ScsiTransport>, bridge: Bridge) -> Self {
        Target::Nvme {
            transport: Box::new(TunnelledNvme::new(scsi, bridge)),
            bridge: Some(bridge),
        }
    }

    /// Where commands go, for messages.
    pub fn describe(&self) -> String {
        match self {
            Target::Scsi(t) => t.describe(),
            Target::Nvme { transport, .. } => transport.describe(),
        }
    }
}

//! One direct-access logical unit: its identity, its medium and the state SAM-5 and SPC-5
//! give a logical unit (pending unit attention, started or stopped, current mode values).

use super::microcode::{Microcode, MicrocodeConfig};
use super::sense::{self, SenseCode};
use crate::block::{BlockDevice, BlockError};
use std::fmt;

/// What INQUIRY reports about the logical unit (SPC-5 6.7.2, 7.7.6, 7.7.19).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// T10 VENDOR IDENTIFICATION, up to 8 ASCII characters.
    pub vendor: String,
    /// PRODUCT IDENTIFICATION, up to 16 ASCII characters.
    pub product: String,
    /// PRODUCT REVISION LEVEL, up to 4 ASCII characters: the revision at power on, until
    /// microcode downloaded with WRITE BUFFER (SPC-5 6.49) replaces it.
    pub revision: String,
    /// PRODUCT SERIAL NUMBER of the Unit Serial Number VPD page (SPC-5 7.7.19); also the
    /// vendor specific part of the T10 vendor ID designator and the seed of the NAA
    /// designator (SPC-5 7.7.6).
    pub serial: String,
}

impl Default for Identity {
    /// "SCSITOOL" / "SIM DISK" / "0001", serial "SIM00000000".
    fn default() -> Self {
        Identity {
            vendor: "SCSITOOL".into(),
            product: "SIM DISK".into(),
            revision: "0001".into(),
            serial: "SIM00000000".into(),
        }
    }
}

/// The largest transfer READ and WRITE accept, in bytes; reported in blocks as MAXIMUM
/// TRANSFER LENGTH in the Block Limits VPD page (SBC-4 6.6.4).
pub const MAX_TRANSFER_BYTES: u32 = 16 << 20;

/// A direct-access block device logical unit (SBC-4 4.1) over any [`BlockDevice`].
pub struct Disk {
    identity: Identity,
    device: Box<dyn BlockDevice + Send>,
    unit_attention: Option<SenseCode>,
    stopped: bool,
    d_sense: bool,
    default_wce: bool,
    microcode: Microcode,
}

impl fmt::Debug for Disk {
    /// The identity and state; the medium by its geometry and write-cache setting.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Disk")
            .field("identity", &self.identity)
            .field("block_size", &self.device.block_size())
            .field("block_count", &self.device.block_count())
            .field("wce", &self.device.write_cache_enabled())
            .field("unit_attention", &self.unit_attention)
            .field("stopped", &self.stopped)
            .field("d_sense", &self.d_sense)
            .field("microcode", &self.microcode)
            .finish()
    }
}

impl Disk {
    /// A logical unit in its power-on state (SAM-5 6.3.1): started, with UNIT ATTENTION
    /// 29h/00h pending and the medium's current write-cache setting as the default WCE.
    pub fn new(identity: Identity, device: Box<dyn BlockDevice + Send>) -> Self {
        let default_wce = device.write_cache_enabled();
        Disk {
            identity,
            device,
            unit_attention: Some(sense::POWER_ON_RESET),
            stopped: false,
            d_sense: false,
            default_wce,
            microcode: Microcode::new(MicrocodeConfig::default()),
        }
    }

    /// The same logical unit with its microcode download buffer and image check set by
    /// `config` (SPC-5 6.16, 6.49), in place of [`MicrocodeConfig::default`].
    pub fn with_microcode(mut self, config: MicrocodeConfig) -> Self {
        self.microcode = Microcode::new(config);
        self
    }

    /// The identity INQUIRY reports (SPC-5 6.7.2, 7.7).
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The medium (SBC-4 4.5: the logical blocks the unit stores).
    pub fn device(&self) -> &dyn BlockDevice {
        self.device.as_ref()
    }

    /// The medium, for fault injection and power cuts by the layers above (SBC-4 4.5).
    pub fn device_mut(&mut self) -> &mut dyn BlockDevice {
        self.device.as_mut()
    }

    /// Establishes a unit attention condition (SAM-5 5.14); it replaces one already pending.
    pub fn raise_unit_attention(&mut self, code: SenseCode) {
        self.unit_attention = Some(code);
    }

    /// A hard reset or power on (SAM-5 6.3.1): mode parameters return to their defaults
    /// (SPC-5 7.5.3), the unit is started, a microcode download in progress is abandoned
    /// and deferred microcode saved by WRITE BUFFER mode 0Eh is activated (SPC-5 6.49),
    /// and UNIT ATTENTION 29h/00h is established (it outranks 3Fh/01h, SAM-5 5.14).
    pub fn reset(&mut self) -> Result<(), BlockError> {
        if let Some(revision) = self.microcode.reset() {
            self.set_revision(revision);
        }
        self.d_sense = false;
        self.stopped = false;
        self.raise_unit_attention(sense::POWER_ON_RESET);
        self.device.set_write_cache(self.default_wce)
    }

    /// Takes the pending unit attention, clearing it (SAM-5 5.14).
    pub(crate) fn take_unit_attention(&mut self) -> Option<SenseCode> {
        self.unit_attention.take()
    }

    /// Why media access is NOT READY (SBC-4 4.20): a truncated microcode download left no
    /// usable microcode (04h/1Fh), or the unit is stopped (04h/02h); `None` when ready.
    pub(crate) fn not_ready(&self) -> Option<SenseCode> {
        if self.microcode.download_required() {
            Some(sense::NOT_READY_MICROCODE_DOWNLOAD_REQUIRED)
        } else if self.stopped {
            Some(sense::NOT_READY_START_REQUIRED)
        } else {
            None
        }
    }

    /// Starts (false) or stops (true) the logical unit (SBC-4 5.27).
    pub(crate) fn set_stopped(&mut self, stopped: bool) {
        self.stopped = stopped;
    }

    /// D_SENSE of the control mode page (SPC-5 7.5.10): descriptor format sense data.
    pub(crate) fn d_sense(&self) -> bool {
        self.d_sense
    }

    /// Sets D_SENSE (MODE SELECT, SPC-5 7.5.10).
    pub(crate) fn set_d_sense(&mut self, d_sense: bool) {
        self.d_sense = d_sense;
    }

    /// The microcode buffer and download state (SPC-5 6.16, 6.49).
    pub(crate) fn microcode(&self) -> &Microcode {
        &self.microcode
    }

    /// The microcode buffer and download state, mutably.
    pub(crate) fn microcode_mut(&mut self) -> &mut Microcode {
        &mut self.microcode
    }

    /// Activated microcode's PRODUCT REVISION LEVEL (SPC-5 6.7.2).
    pub(crate) fn set_revision(&mut self, revision: String) {
        self.identity.revision = revision;
    }

    /// WCE after power on (the default value, SPC-5 7.5.3).
    pub(crate) fn default_wce(&self) -> bool {
        self.default_wce
    }
}

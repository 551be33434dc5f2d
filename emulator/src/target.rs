//! What a service delivery subsystem (a USB face, a transport) needs of a SCSI target
//! device (SAM-5 4.6): its logical units, the command it executes and its hard reset —
//! whether an SBC disk target ([`crate::sbc::Target`]) or a bridge translating to NVMe.

use crate::block::BlockError;
use crate::sbc::Completion;
use cdb::command::Direction;

/// A SCSI target device with logical units `0..luns()`, as a service delivery subsystem
/// drives it (SAM-5 4.6, 5.1).
pub trait ScsiTarget {
    /// The number of logical units (SAM-5 4.6.1): REPORT LUNS lists `0..luns()`.
    fn luns(&self) -> u16;

    /// The logical block length of logical unit `lun` in bytes (SBC-4 4.5), or 0 when no
    /// such unit exists (it transfers no blocks). USB faces use it to size the data phase
    /// a block-addressed CDB implies (BOT 6.7).
    fn block_size(&self, lun: u16) -> u32;

    /// Executes one command addressed to logical unit `lun` (SAM-5 5.1). `data_out` holds
    /// the data-out bytes; data-in goes to `data_in`, never past its end nor past the
    /// command's allocation length.
    fn execute(&mut self, lun: u16, cdb: &[u8], data_out: &[u8], data_in: &mut [u8]) -> Completion;

    /// A hard reset of the target device (SAM-5 6.3.1), as a bus or port reset causes it.
    fn reset(&mut self) -> Result<(), BlockError>;

    /// A power cycle: every medium loses what was not durable, as its power-cut behaviour
    /// says (SBC-4 4.15), and the device comes back in its power-on state with UNIT
    /// ATTENTION 29h/00h (SAM-5 6.3.1).
    fn power_cycle(&mut self) -> Result<(), BlockError>;

    /// The data phase this target's firmware gives `cdb` when it is not the one the CDB's
    /// standard layout states (SPC-5 4.2.5.1): a vendor reinterpretation of an operation
    /// code, such as a bridge's NVMe tunnel CDBs. `None` (the default): the standard
    /// layout, or none known, applies. USB faces size BOT's data phase (BOT 6.7) and UAS's
    /// Ready IUs (UAS-2 4.4) by it.
    fn vendor_data_phase(&self, lun: u16, cdb: &[u8]) -> Option<(Direction, u64)> {
        let _ = (lun, cdb);
        None
    }
}

/// A boxed target is a target, so a USB face can front whichever kind a `sim:` URI built.
impl<T: ScsiTarget + ?Sized> ScsiTarget for Box<T> {
    fn luns(&self) -> u16 {
        (**self).luns()
    }

    fn block_size(&self, lun: u16) -> u32 {
        (**self).block_size(lun)
    }

    fn execute(&mut self, lun: u16, cdb: &[u8], data_out: &[u8], data_in: &mut [u8]) -> Completion {
        (**self).execute(lun, cdb, data_out, data_in)
    }

    fn reset(&mut self) -> Result<(), BlockError> {
        (**self).reset()
    }

    fn power_cycle(&mut self) -> Result<(), BlockError> {
        (**self).power_cycle()
    }

    fn vendor_data_phase(&self, lun: u16, cdb: &[u8]) -> Option<(Direction, u64)> {
        (**self).vendor_data_phase(lun, cdb)
    }
}

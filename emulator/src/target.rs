//! What a service delivery subsystem (a USB face, a transport) needs of a SCSI target
//! device (SAM-5 4.6): its logical units, the command it executes and its hard reset —
//! whether an SBC disk target ([`crate::sbc::Target`]) or a bridge translating to NVMe.

use crate::block::BlockError;
use crate::sbc::Completion;

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
}

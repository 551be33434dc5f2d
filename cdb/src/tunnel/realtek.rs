//! Realtek's NVMe pass-through: a 16-byte vendor CDB, operation code E4h, that an RTL9210
//! or RTL9220 bridge forwards as an NVMe admin command with a data-in phase (facts from
//! smartmontools' bridge support; no standard covers it).
//!
//! Layout: byte 0 E4h; bytes 1–2 the transfer length (little-endian); byte 3 the admin
//! opcode; byte 4 CDW10 bits 7:0. The bridge derives Get Log Page's NUMDL from the transfer
//! length; nothing else of the command is carried, and no completion status comes back.
//! Log page reads longer than 512 bytes return stale data past byte 512.

use super::data_in::{self, AdminIn};
use crate::command::{Cdb, CdbField, CdbLayout, DataInCommand, DataPhase};
use crate::error::{BuildError, DecodeError};
use crate::nvme::{NvmeCommand, Queue, SubmissionEntry};
use crate::scsi::cdb_bytes::check;

/// The vendor operation code (Realtek).
pub const OPCODE: u8 = 0xe4;
/// The CDB's length in bytes.
pub const CDB_LEN: usize = 16;
const NAME: &str = "Realtek NVMe PASS-THROUGH";

/// An NVMe admin command in Realtek's E4h CDB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RealtekPassThrough {
    /// The data-in length in bytes (CDB bytes 1–2).
    pub transfer_length: u16,
    /// The NVMe admin opcode (CDB byte 3).
    pub opcode: u8,
    /// Command Dword 10 bits 7:0 (CDB byte 4): the CNS or the Log Page Identifier.
    pub cdw10_low: u8,
}

impl RealtekPassThrough {
    /// Tunnels `command`, which must be Identify Controller, Identify Namespace 1 or a Get
    /// Log Page for the controller of at most [`super::LOG_PAGE_MAX`] bytes from offset 0.
    pub fn new(command: &impl NvmeCommand) -> Result<Self, BuildError> {
        Self::from_entry(command.queue(), &command.entry(), command.data_phase())
    }

    /// Tunnels a raw submission entry with its data phase, under the same limits as
    /// [`RealtekPassThrough::new`].
    pub fn from_entry(
        queue: Queue,
        entry: &SubmissionEntry,
        phase: DataPhase<'_>,
    ) -> Result<Self, BuildError> {
        let admin = AdminIn::new(NAME, queue, entry, phase, false)?;
        if admin.cdw10 & !0xff != data_in::implied_length_cdw10(admin.opcode, admin.len) {
            return Err(BuildError::Invalid {
                command: NAME,
                reason: "CDW10 bits 31:8 must be what the bridge derives from the length",
            });
        }
        Ok(RealtekPassThrough {
            // At most 4096 (Identify) or 512 (logs), checked by AdminIn.
            transfer_length: admin.len as u16,
            opcode: admin.opcode,
            cdw10_low: admin.cdw10 as u8,
        })
    }

    /// The submission entry the bridge gives the drive: CDW10 bits 7:0 from the CDB, NUMDL
    /// from the transfer length (Identify Namespace goes to namespace 1, Get Log Page to
    /// the controller).
    pub fn entry(&self) -> SubmissionEntry {
        let len = u32::from(self.transfer_length);
        AdminIn {
            opcode: self.opcode,
            cdw10: u32::from(self.cdw10_low) | data_in::implied_length_cdw10(self.opcode, len),
            cdw12: 0,
            cdw13: 0,
            len,
        }
        .entry()
    }
}

impl CdbLayout for RealtekPassThrough {
    const NAME: &'static str = NAME;

    fn parse_cdb(cdb: &[u8]) -> Result<Self, DecodeError> {
        check(cdb, CDB_LEN, OPCODE, NAME)?;
        Ok(RealtekPassThrough {
            transfer_length: u16::from_le_bytes([cdb[1], cdb[2]]),
            opcode: cdb[3],
            cdw10_low: cdb[4],
        })
    }

    fn to_cdb(&self) -> Cdb {
        let mut cdb = Cdb::zeroed(CDB_LEN);
        let b = cdb.bytes_mut();
        b[0] = OPCODE;
        b[1..3].copy_from_slice(&self.transfer_length.to_le_bytes());
        b[3] = self.opcode;
        b[4] = self.cdw10_low;
        cdb
    }

    fn fields(&self) -> Vec<CdbField> {
        vec![
            CdbField::new("TRANSFER LENGTH", self.transfer_length),
            CdbField::new("NVME OPCODE", self.opcode),
            CdbField::new("CDW10 BITS 7:0", self.cdw10_low),
        ]
    }
}

impl DataInCommand for RealtekPassThrough {
    /// The data-in bytes as the bridge returned them; decode them with the tunnelled
    /// command's own decoder (no completion Dword 0 comes back).
    type Response = Vec<u8>;

    fn allocation_length(&self) -> u32 {
        u32::from(self.transfer_length)
    }

    fn decode_data(&self, data_in: &[u8]) -> Result<Vec<u8>, DecodeError> {
        Ok(data_in::received(self.allocation_length(), data_in))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::ScsiCommand;
    use crate::nvme::identify::IdentifyController;
    use crate::nvme::log_page::GetLogPage;
    use proptest::prelude::*;

    #[test]
    fn smart_log_is_e4_with_a_little_endian_length() {
        let glp = GetLogPage::new(0x02, 0xffff_ffff, 512, 0).unwrap();
        let cmd = RealtekPassThrough::new(&glp).unwrap();
        // The RTL9210 SMART read: E4 00 02 02 02 (512 bytes, Get Log Page, LID 02h).
        assert_eq!(&cmd.cdb().as_bytes()[..5], &[0xe4, 0x00, 0x02, 0x02, 0x02]);
        assert!(cmd.cdb().as_bytes()[5..].iter().all(|&b| b == 0));
        assert_eq!(cmd.entry().cdw10, glp.entry().cdw10);
    }

    #[test]
    fn identify_controller_moves_4096_bytes() {
        let cmd = RealtekPassThrough::new(&IdentifyController::controller()).unwrap();
        assert_eq!(&cmd.cdb().as_bytes()[..5], &[0xe4, 0x00, 0x10, 0x06, 0x01]);
        assert_eq!(cmd.data_phase(), DataPhase::In(4096));
    }

    #[test]
    fn offsets_and_long_logs_are_refused() {
        let offset = GetLogPage::new(0x02, 0, 64, 64).unwrap();
        assert!(RealtekPassThrough::new(&offset).is_err());
        let long = GetLogPage::new(0x02, 0, 516, 0).unwrap();
        assert!(RealtekPassThrough::new(&long).is_err());
    }

    proptest! {
        #[test]
        fn log_page_round_trips(lid: u8, dwords in 1u32..=128) {
            let glp = GetLogPage::new(lid, 0xffff_ffff, dwords * 4, 0).unwrap();
            let cmd = RealtekPassThrough::new(&glp).unwrap();
            prop_assert_eq!(RealtekPassThrough::parse_cdb(cmd.cdb().as_bytes()).unwrap(), cmd);
            prop_assert_eq!(cmd.entry().cdw10, glp.entry().cdw10);
        }

        #[test]
        fn any_cdb_parses_or_is_refused_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            if let Ok(cmd) = RealtekPassThrough::parse_cdb(&bytes) {
                prop_assert_eq!(RealtekPassThrough::parse_cdb(cmd.cdb().as_bytes()).unwrap(), cmd);
            }
        }
    }
}

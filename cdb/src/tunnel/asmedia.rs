//! ASMedia's NVMe pass-through: a 16-byte vendor CDB, operation code E6h, that an ASM236x
//! bridge forwards as an NVMe admin command with a data-in phase (facts from
//! smartmontools' bridge support; no standard covers it).
//!
//! Layout: byte 0 E6h; byte 1 the admin opcode; byte 3 CDW10 bits 7:0; bytes 6–7 CDW10
//! bits 31:16 (big-endian); bytes 8–11 CDW13 and bytes 12–15 CDW12 (big-endian). No NSID,
//! no transfer length (the bridge derives it from the command) and no completion status
//! comes back: a failing command shows only as a SCSI error or zeroed data.

use super::data_in::{self, AdminIn};
use crate::command::{Cdb, CdbField, CdbLayout, DataInCommand, DataPhase};
use crate::error::{BuildError, DecodeError};
use crate::nvme::{NvmeCommand, Queue, SubmissionEntry};
use crate::scsi::cdb_bytes::{check, get_be, put_be};

/// The vendor operation code (ASMedia).
pub const OPCODE: u8 = 0xe6;
/// The CDB's length in bytes.
pub const CDB_LEN: usize = 16;
const NAME: &str = "ASMedia NVMe PASS-THROUGH";

/// An NVMe admin command in ASMedia's E6h CDB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsmediaPassThrough {
    /// The NVMe admin opcode (CDB byte 1).
    pub opcode: u8,
    /// Command Dword 10, bits 15:8 excepted (the CDB has no room for them).
    pub cdw10: u32,
    /// Command Dword 12 (Get Log Page: Log Page Offset Lower).
    pub cdw12: u32,
    /// Command Dword 13 (Get Log Page: Log Page Offset Upper).
    pub cdw13: u32,
}

impl AsmediaPassThrough {
    /// Tunnels `command`, which must be Identify Controller, Identify Namespace 1 or a Get
    /// Log Page for the controller of at most [`super::LOG_PAGE_MAX`] bytes.
    pub fn new(command: &impl NvmeCommand) -> Result<Self, BuildError> {
        Self::from_entry(command.queue(), &command.entry(), command.data_phase())
    }

    /// Tunnels a raw submission entry with its data phase, under the same limits as
    /// [`AsmediaPassThrough::new`].
    pub fn from_entry(
        queue: Queue,
        entry: &SubmissionEntry,
        phase: DataPhase<'_>,
    ) -> Result<Self, BuildError> {
        let admin = AdminIn::new(NAME, queue, entry, phase, true)?;
        Ok(AsmediaPassThrough {
            opcode: admin.opcode,
            cdw10: admin.cdw10,
            cdw12: admin.cdw12,
            cdw13: admin.cdw13,
        })
    }

    /// The data-in length the bridge moves: 4096 for Identify, NUMDL + 1 dwords for Get
    /// Log Page, none for any other opcode.
    pub fn transfer_length(&self) -> u32 {
        data_in::implied_length(self.opcode, self.cdw10)
    }

    /// The submission entry the bridge gives the drive (Identify Namespace goes to
    /// namespace 1, Get Log Page to the controller).
    pub fn entry(&self) -> SubmissionEntry {
        AdminIn {
            opcode: self.opcode,
            cdw10: self.cdw10,
            cdw12: self.cdw12,
            cdw13: self.cdw13,
            len: self.transfer_length(),
        }
        .entry()
    }
}

impl CdbLayout for AsmediaPassThrough {
    const NAME: &'static str = NAME;

    fn parse_cdb(cdb: &[u8]) -> Result<Self, DecodeError> {
        check(cdb, CDB_LEN, OPCODE, NAME)?;
        let cdw10_low = get_be(cdb, 3, 1) as u32;
        let cdw10_high = get_be(cdb, 6, 2) as u32;
        Ok(AsmediaPassThrough {
            opcode: cdb[1],
            cdw10: (cdw10_high << 16) | cdw10_low,
            cdw13: get_be(cdb, 8, 4) as u32,
            cdw12: get_be(cdb, 12, 4) as u32,
        })
    }

    fn to_cdb(&self) -> Cdb {
        let mut cdb = Cdb::zeroed(CDB_LEN);
        let b = cdb.bytes_mut();
        b[0] = OPCODE;
        b[1] = self.opcode;
        put_be(b, 3, 1, u64::from(self.cdw10 & 0xff));
        put_be(b, 6, 2, u64::from(self.cdw10 >> 16));
        put_be(b, 8, 4, u64::from(self.cdw13));
        put_be(b, 12, 4, u64::from(self.cdw12));
        cdb
    }

    fn fields(&self) -> Vec<CdbField> {
        vec![
            CdbField::new("NVME OPCODE", self.opcode),
            CdbField::new("CDW10 BITS 7:0", self.cdw10 & 0xff),
            CdbField::new("CDW10 BITS 31:16", self.cdw10 >> 16),
            CdbField::new("CDW13", self.cdw13),
            CdbField::new("CDW12", self.cdw12),
        ]
    }
}

impl DataInCommand for AsmediaPassThrough {
    /// The data-in bytes as the drive returned them; decode them with the tunnelled
    /// command's own decoder (no completion Dword 0 comes back).
    type Response = Vec<u8>;

    fn allocation_length(&self) -> u32 {
        self.transfer_length()
    }

    fn decode_data(&self, data_in: &[u8]) -> Result<Vec<u8>, DecodeError> {
        Ok(data_in::received(self.allocation_length(), data_in))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::ScsiCommand;
    use crate::nvme::firmware::FirmwareImageDownload;
    use crate::nvme::identify::{IdentifyController, IdentifyNamespace};
    use crate::nvme::log_page::GetLogPage;
    use proptest::prelude::*;

    #[test]
    fn identify_controller_is_e6_06_with_cns_1_in_byte_3() {
        let cmd = AsmediaPassThrough::new(&IdentifyController::controller()).unwrap();
        // smartmontools' and CrystalDiskInfo's ASMedia Identify CDB.
        let mut expected = [0u8; 16];
        expected[..4].copy_from_slice(&[0xe6, 0x06, 0x00, 0x01]);
        assert_eq!(cmd.cdb().as_bytes(), &expected);
        assert_eq!(cmd.data_phase(), DataPhase::In(4096));
        assert_eq!(cmd.entry().nsid.get(), 0);
    }

    #[test]
    fn smart_log_carries_numdl_in_bytes_6_and_7() {
        let cmd =
            AsmediaPassThrough::new(&GetLogPage::new(0x02, 0xffff_ffff, 512, 0).unwrap()).unwrap();
        let cdb = cmd.cdb();
        // NUMDL = 512 / 4 - 1 = 127 = 007Fh.
        assert_eq!(
            &cdb.as_bytes()[..8],
            &[0xe6, 0x02, 0, 0x02, 0, 0, 0x00, 0x7f]
        );
        assert_eq!(cmd.data_phase(), DataPhase::In(512));
        assert_eq!(cmd.entry().nsid.get(), 0xffff_ffff);
    }

    #[test]
    fn log_page_offset_goes_to_the_big_endian_tail() {
        let glp = GetLogPage::new(0x03, 0, 64, 0x1_0000_0040).unwrap();
        let cdb = AsmediaPassThrough::new(&glp).unwrap().cdb();
        assert_eq!(&cdb.as_bytes()[8..16], &[0, 0, 0, 1, 0, 0, 0, 0x40]);
    }

    #[test]
    fn what_the_bridge_cannot_carry_is_refused() {
        let long = GetLogPage::new(0x02, 0xffff_ffff, 1024, 0).unwrap();
        assert!(AsmediaPassThrough::new(&long).is_err());
        let ns2 = IdentifyNamespace::new(2).unwrap();
        assert!(AsmediaPassThrough::new(&ns2).is_err());
        let rae = GetLogPage::new(0x02, 0, 512, 0).unwrap().with_rae(true);
        assert!(AsmediaPassThrough::new(&rae).is_err());
        let image = [0u8; 4096];
        let download = FirmwareImageDownload::new(0, &image).unwrap();
        assert!(AsmediaPassThrough::new(&download).is_err());
    }

    proptest! {
        #[test]
        fn log_page_round_trips(lid: u8, dwords in 1u32..=128, lpo_dwords in 0u64..(1 << 40)) {
            let glp = GetLogPage::new(lid, 0, dwords * 4, lpo_dwords * 4).unwrap();
            let cmd = AsmediaPassThrough::new(&glp).unwrap();
            prop_assert_eq!(AsmediaPassThrough::parse_cdb(cmd.cdb().as_bytes()).unwrap(), cmd);
            prop_assert_eq!(cmd.transfer_length(), dwords * 4);
            let entry = cmd.entry();
            let sent = glp.entry();
            prop_assert_eq!(
                (entry.opc(), entry.cdw10, entry.cdw12, entry.cdw13),
                (sent.opc(), sent.cdw10, sent.cdw12, sent.cdw13)
            );
        }

        #[test]
        fn any_cdb_parses_or_is_refused_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            if let Ok(cmd) = AsmediaPassThrough::parse_cdb(&bytes) {
                prop_assert_eq!(AsmediaPassThrough::parse_cdb(cmd.cdb().as_bytes()).unwrap(), cmd);
            }
        }
    }
}

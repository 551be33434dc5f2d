//! Firmware Image Download (NVMe Base 2.0 5.14) and Firmware Commit (Base 2.0 5.13).

use super::sqe::{expect_opcode, NvmeCommand, Queue, SqeLayout, SubmissionEntry};
use crate::command::{CdbField, DataPhase};
use crate::error::{BuildError, DecodeError};
use serde::Serialize;
use zerocopy::little_endian::U32;

/// Firmware Commit opcode (Base 2.0 5, Figure "Opcodes for Admin Commands").
pub const OPC_FIRMWARE_COMMIT: u8 = 0x10;
/// Firmware Image Download opcode (Base 2.0 5, Figure "Opcodes for Admin Commands").
pub const OPC_FIRMWARE_IMAGE_DOWNLOAD: u8 = 0x11;
const DOWNLOAD: &str = "Firmware Image Download";
const COMMIT: &str = "Firmware Commit";

/// The Firmware Image Download entry fields (Base 2.0 5.14): NUMD (CDW10, 0's based
/// dwords) and OFST (CDW11, dword offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FirmwareImageDownloadFields {
    /// Number of Dwords (NUMD), 0's based.
    pub numd: u32,
    /// Offset (OFST), in dwords from the start of the image.
    pub ofst: u32,
}

impl SqeLayout for FirmwareImageDownloadFields {
    const NAME: &'static str = DOWNLOAD;

    fn parse_sqe(sqe: &SubmissionEntry) -> Result<Self, DecodeError> {
        expect_opcode(
            sqe,
            OPC_FIRMWARE_IMAGE_DOWNLOAD,
            "Firmware Image Download opcode",
        )?;
        Ok(FirmwareImageDownloadFields {
            numd: sqe.cdw10.get(),
            ofst: sqe.cdw11.get(),
        })
    }

    fn fields(&self) -> Vec<CdbField> {
        vec![
            CdbField::new("NUMD", self.numd),
            CdbField::new("OFST", self.ofst),
        ]
    }

    fn to_sqe(&self) -> SubmissionEntry {
        let mut sqe = SubmissionEntry::new(OPC_FIRMWARE_IMAGE_DOWNLOAD, 0);
        sqe.cdw10 = U32::new(self.numd);
        sqe.cdw11 = U32::new(self.ofst);
        sqe
    }
}

/// Firmware Image Download (Base 2.0 5.14): one piece of an image, holding its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FirmwareImageDownload<'a> {
    offset: u64,
    data: &'a [u8],
}

impl<'a> FirmwareImageDownload<'a> {
    /// The piece `data` at byte `offset` of the image. Both must be dword aligned, `data`
    /// non-empty, and the offset in dwords must fit 32 bits (Base 2.0 5.14).
    pub fn new(offset: u64, data: &'a [u8]) -> Result<Self, BuildError> {
        if data.is_empty() || data.len() % 4 != 0 {
            return Err(BuildError::Invalid {
                command: DOWNLOAD,
                reason: "data must be a non-empty multiple of 4 bytes",
            });
        }
        if offset % 4 != 0 {
            return Err(BuildError::Invalid {
                command: DOWNLOAD,
                reason: "offset must be dword aligned",
            });
        }
        BuildError::check_max(DOWNLOAD, "data length", data.len() as u64, 0xffff_fffc)?;
        BuildError::check_max(DOWNLOAD, "OFST (dwords)", offset / 4, u64::from(u32::MAX))?;
        Ok(FirmwareImageDownload { offset, data })
    }

    /// The entry fields NUMD and OFST.
    pub fn fields(&self) -> FirmwareImageDownloadFields {
        FirmwareImageDownloadFields {
            numd: (self.data.len() / 4 - 1) as u32,
            ofst: (self.offset / 4) as u32,
        }
    }
}

impl NvmeCommand for FirmwareImageDownload<'_> {
    type Response = ();

    fn name(&self) -> &'static str {
        DOWNLOAD
    }

    fn queue(&self) -> Queue {
        Queue::Admin
    }

    fn entry(&self) -> SubmissionEntry {
        self.fields().to_sqe()
    }

    fn data_phase(&self) -> DataPhase<'_> {
        DataPhase::Out(self.data)
    }

    fn decode(&self, _dw0: u32, _data_in: &[u8]) -> Result<(), DecodeError> {
        Ok(())
    }
}

/// Commit Action (CA), Firmware Commit CDW10 bits 5:3 (Base 2.0 5.13.1); 100b and 101b
/// are reserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommitAction {
    /// 000b: the downloaded image replaces the image in slot FS; not activated.
    ReplaceNoActivate = 0,
    /// 001b: the downloaded image replaces slot FS and is activated at the next reset.
    ReplaceAndActivate = 1,
    /// 010b: the image in slot FS is activated at the next reset.
    Activate = 2,
    /// 011b: the downloaded image replaces slot FS and is activated immediately.
    ReplaceAndActivateImmediately = 3,
    /// 110b: the downloaded image replaces the Boot Partition named by BPID.
    ReplaceBootPartition = 6,
    /// 111b: the Boot Partition named by BPID is marked active (BPINFO.ABPID).
    ActivateBootPartition = 7,
}

impl CommitAction {
    /// The action for `code`, or `None` for reserved codes.
    pub fn from_code(code: u8) -> Option<CommitAction> {
        use CommitAction::*;
        [
            ReplaceNoActivate,
            ReplaceAndActivate,
            Activate,
            ReplaceAndActivateImmediately,
            ReplaceBootPartition,
            ActivateBootPartition,
        ]
        .into_iter()
        .find(|a| *a as u8 == code)
    }
}

/// Firmware Commit (Base 2.0 5.13): FS, CA and BPID in CDW10. Completion Dword 0 bit 0
/// reports Multiple Update Detected (MUD) in Base 2.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FirmwareCommit {
    fs: u8,
    ca: CommitAction,
    bpid: bool,
}

impl FirmwareCommit {
    /// A commit of slot `fs` (0 = controller chooses, 1–7) with action `ca`; `bpid`
    /// selects Boot Partition 1 for CA 110b/111b.
    pub fn new(fs: u8, ca: CommitAction, bpid: bool) -> Result<Self, BuildError> {
        BuildError::check_max(COMMIT, "FS", u64::from(fs), 7)?;
        Ok(FirmwareCommit { fs, ca, bpid })
    }

    /// Firmware Slot (FS).
    pub fn fs(&self) -> u8 {
        self.fs
    }

    /// Commit Action (CA).
    pub fn ca(&self) -> CommitAction {
        self.ca
    }

    /// Boot Partition ID (BPID).
    pub fn bpid(&self) -> bool {
        self.bpid
    }
}

impl SqeLayout for FirmwareCommit {
    const NAME: &'static str = COMMIT;

    fn parse_sqe(sqe: &SubmissionEntry) -> Result<Self, DecodeError> {
        expect_opcode(sqe, OPC_FIRMWARE_COMMIT, "Firmware Commit opcode")?;
        let cdw10 = sqe.cdw10.get();
        let code = ((cdw10 >> 3) & 0x7) as u8;
        let ca = CommitAction::from_code(code).ok_or(DecodeError::InvalidValue {
            what: "Firmware Commit CA",
            value: u64::from(code),
        })?;
        Ok(FirmwareCommit {
            fs: (cdw10 & 0x7) as u8,
            ca,
            bpid: cdw10 & (1 << 31) != 0,
        })
    }

    fn fields(&self) -> Vec<CdbField> {
        vec![
            CdbField::new("FS", self.fs),
            CdbField::new("CA", self.ca as u8),
            CdbField::flag("BPID", self.bpid),
        ]
    }

    fn to_sqe(&self) -> SubmissionEntry {
        let mut sqe = SubmissionEntry::new(OPC_FIRMWARE_COMMIT, 0);
        sqe.cdw10 =
            U32::new(u32::from(self.fs) | ((self.ca as u32) << 3) | (u32::from(self.bpid) << 31));
        sqe
    }
}

impl NvmeCommand for FirmwareCommit {
    /// Multiple Update Detected (MUD), completion Dword 0 bit 0 (Base 2.0 5.13.2).
    type Response = bool;

    fn name(&self) -> &'static str {
        COMMIT
    }

    fn queue(&self) -> Queue {
        Queue::Admin
    }

    fn entry(&self) -> SubmissionEntry {
        self.to_sqe()
    }

    fn data_phase(&self) -> DataPhase<'_> {
        DataPhase::None
    }

    fn decode(&self, dw0: u32, _data_in: &[u8]) -> Result<bool, DecodeError> {
        Ok(dw0 & 1 != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn download_fields_and_rejections() {
        let data = [0u8; 4096];
        let d = FirmwareImageDownload::new(8192, &data).unwrap();
        let e = d.entry();
        assert_eq!((e.opc(), e.cdw10.get(), e.cdw11.get()), (0x11, 1023, 2048));
        assert_eq!(d.data_phase(), DataPhase::Out(&data[..]));
        assert!(FirmwareImageDownload::new(0, &data[..6]).is_err());
        assert!(FirmwareImageDownload::new(0, &[]).is_err());
        assert!(FirmwareImageDownload::new(2, &data).is_err());
        assert!(FirmwareImageDownload::new(4 << 32, &data).is_err());
        assert!(FirmwareImageDownload::new((u64::from(u32::MAX)) * 4, &data).is_ok());
    }

    #[test]
    fn commit_fields() {
        let c = FirmwareCommit::new(2, CommitAction::ReplaceAndActivate, false).unwrap();
        assert_eq!(c.entry().cdw10.get(), 0x0a);
        let c = FirmwareCommit::new(0, CommitAction::ActivateBootPartition, true).unwrap();
        assert_eq!(c.entry().cdw10.get(), 0x8000_0038);
        assert!(FirmwareCommit::new(8, CommitAction::Activate, false).is_err());
        assert_eq!(CommitAction::from_code(4), None);
        assert_eq!(
            CommitAction::from_code(3),
            Some(CommitAction::ReplaceAndActivateImmediately)
        );
        let mut bad = c.entry();
        bad.cdw10 = U32::new(5 << 3);
        assert!(FirmwareCommit::parse_sqe(&bad).is_err());
    }

    proptest! {
        #[test]
        fn round_trip(dwords in 1usize..512, ofst: u32, fs in 0u8..8, ca in prop::sample::select(vec![0u8, 1, 2, 3, 6, 7]), bpid: bool) {
            let data = vec![0u8; dwords * 4];
            let d = FirmwareImageDownload::new(u64::from(ofst) * 4, &data).unwrap();
            let f = FirmwareImageDownloadFields::parse_sqe(&d.entry()).unwrap();
            prop_assert_eq!(f, FirmwareImageDownloadFields { numd: dwords as u32 - 1, ofst });
            prop_assert_eq!(FirmwareImageDownloadFields::parse_sqe(&f.to_sqe()).unwrap(), f);
            let c = FirmwareCommit::new(fs, CommitAction::from_code(ca).unwrap(), bpid).unwrap();
            prop_assert_eq!(FirmwareCommit::parse_sqe(&c.to_sqe()).unwrap(), c);
        }
    }
}

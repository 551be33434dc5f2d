//! The Get Log Page command (NVMe Base 2.0 5.16): any log identifier with a byte length,
//! and typed forms for Error Information (01h), SMART / Health Information (02h) and
//! Firmware Slot Information (03h).

use super::error_log::ErrorInformationLog;
use super::fw_slot::FirmwareSlotLog;
use super::smart::SmartHealthLog;
use super::sqe::{expect_opcode, NvmeCommand, Queue, SqeLayout, SubmissionEntry};
use crate::command::{CdbField, DataPhase};
use crate::error::{BuildError, DecodeError};
use std::marker::PhantomData;
use zerocopy::little_endian::U32;

/// Get Log Page opcode (Base 2.0 5, Figure "Opcodes for Admin Commands").
pub const OPC_GET_LOG_PAGE: u8 = 0x02;
const NAME: &str = "Get Log Page";

/// Get Log Page for any Log Page Identifier (Base 2.0 5.16.1): LID, LSP, RAE, NUMD (from
/// the byte length), LSI, LPO, and CDW14's UUID Index, OT and CSI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GetLogPage {
    nsid: u32,
    lid: u8,
    lsp: u8,
    rae: bool,
    len: u32,
    lsi: u16,
    lpo: u64,
    uuid_index: u8,
    ot: bool,
    csi: u8,
}

/// Bit positions in CDW11 and CDW14 (Base 2.0 5.16, Figures "Get Log Page – Command Dword
/// 11" and "– Command Dword 14").
const LSI_SHIFT: u32 = 16;
const OT_BIT: u32 = 23;
const CSI_SHIFT: u32 = 24;
const UUID_INDEX_MAX: u8 = 0x7f;

impl GetLogPage {
    /// Reads `len` bytes of log `lid` for `nsid` from byte offset `lpo`; `len` must be a
    /// non-zero multiple of 4 (NUMD counts dwords) and `lpo` dword aligned (Base 2.0 5.16).
    pub fn new(lid: u8, nsid: u32, len: u32, lpo: u64) -> Result<Self, BuildError> {
        if len == 0 || len % 4 != 0 {
            return Err(BuildError::Invalid {
                command: NAME,
                reason: "length must be a non-zero multiple of 4 bytes",
            });
        }
        if lpo % 4 != 0 {
            return Err(BuildError::Invalid {
                command: NAME,
                reason: "log page offset must be dword aligned",
            });
        }
        Ok(GetLogPage {
            nsid,
            lid,
            lsp: 0,
            rae: false,
            len,
            lsi: 0,
            lpo,
            uuid_index: 0,
            ot: false,
            csi: 0,
        })
    }

    /// Sets the Log Specific Parameter (LSP, CDW10 bits 14:8, at most 7Fh).
    pub fn with_lsp(mut self, lsp: u8) -> Result<Self, BuildError> {
        BuildError::check_max(NAME, "LSP", u64::from(lsp), 0x7f)?;
        self.lsp = lsp;
        Ok(self)
    }

    /// Sets Retain Asynchronous Event (RAE, CDW10 bit 15).
    pub fn with_rae(mut self, rae: bool) -> Self {
        self.rae = rae;
        self
    }

    /// Sets the Log Specific Identifier (LSI, CDW11 bits 31:16), e.g. an Endurance Group
    /// or NVM Set identifier for the logs that take one (Base 2.0 5.16).
    pub fn with_lsi(mut self, lsi: u16) -> Self {
        self.lsi = lsi;
        self
    }

    /// Sets the UUID Index (CDW14 bits 6:0, at most 7Fh): which vendor UUID's log to
    /// read, 0 for none (Base 2.0 5.16, 8.25).
    pub fn with_uuid_index(mut self, uuid_index: u8) -> Result<Self, BuildError> {
        BuildError::check_max(
            NAME,
            "UUID Index",
            u64::from(uuid_index),
            UUID_INDEX_MAX.into(),
        )?;
        self.uuid_index = uuid_index;
        Ok(self)
    }

    /// Sets the Command Set Identifier (CSI, CDW14 bits 31:24) of the log, for logs
    /// specific to an I/O Command Set (Base 2.0 5.16; 0 is the NVM Command Set).
    pub fn with_csi(mut self, csi: u8) -> Self {
        self.csi = csi;
        self
    }

    /// Makes the Log Page Offset an index into the log's list of data structures rather
    /// than a byte offset: Offset Type (OT, CDW14 bit 23) set, LPO = `index`, which need
    /// not be dword aligned (Base 2.0 5.16).
    pub fn with_lpo_index(mut self, index: u64) -> Self {
        self.ot = true;
        self.lpo = index;
        self
    }

    /// Log Page Identifier (LID).
    pub fn lid(&self) -> u8 {
        self.lid
    }

    /// Log Specific Parameter (LSP).
    pub fn lsp(&self) -> u8 {
        self.lsp
    }

    /// Retain Asynchronous Event (RAE).
    pub fn rae(&self) -> bool {
        self.rae
    }

    /// Namespace Identifier.
    pub fn nsid(&self) -> u32 {
        self.nsid
    }

    /// Bytes requested: (NUMD + 1) × 4.
    pub fn len(&self) -> u32 {
        self.len
    }

    /// Always false: a Get Log Page reads at least one dword.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Log Page Offset (LPO): in bytes, or an index when [`Self::ot`] is set.
    pub fn lpo(&self) -> u64 {
        self.lpo
    }

    /// Log Specific Identifier (LSI).
    pub fn lsi(&self) -> u16 {
        self.lsi
    }

    /// UUID Index (0: no UUID selected).
    pub fn uuid_index(&self) -> u8 {
        self.uuid_index
    }

    /// Offset Type (OT): the LPO is an index, not a byte offset.
    pub fn ot(&self) -> bool {
        self.ot
    }

    /// Command Set Identifier (CSI).
    pub fn csi(&self) -> u8 {
        self.csi
    }

    /// Number of Dwords (NUMD), 0's based; NUMDL is bits 15:0, NUMDU bits 31:16.
    pub fn numd(&self) -> u32 {
        self.len / 4 - 1
    }
}

impl SqeLayout for GetLogPage {
    const NAME: &'static str = NAME;

    fn parse_sqe(sqe: &SubmissionEntry) -> Result<Self, DecodeError> {
        expect_opcode(sqe, OPC_GET_LOG_PAGE, "Get Log Page opcode")?;
        let cdw10 = sqe.cdw10.get();
        let numd = (cdw10 >> 16) | ((sqe.cdw11.get() & 0xffff) << 16);
        let len = numd.checked_add(1).and_then(|d| d.checked_mul(4)).ok_or(
            DecodeError::InvalidValue {
                what: "Get Log Page NUMD (length beyond 4 GiB)",
                value: u64::from(numd),
            },
        )?;
        let lpo = u64::from(sqe.cdw12.get()) | (u64::from(sqe.cdw13.get()) << 32);
        let cdw14 = sqe.cdw14.get();
        let ot = cdw14 & (1 << OT_BIT) != 0;
        // A byte offset must be dword aligned; an index (OT set) need not be.
        let glp = GetLogPage::new(cdw10 as u8, sqe.nsid.get(), len, if ot { 0 } else { lpo })
            .map_err(|_| DecodeError::InvalidValue {
                what: "Get Log Page LPO (not dword aligned)",
                value: lpo,
            })?;
        Ok(GetLogPage {
            lsp: ((cdw10 >> 8) & 0x7f) as u8,
            rae: cdw10 & (1 << 15) != 0,
            lsi: (sqe.cdw11.get() >> LSI_SHIFT) as u16,
            lpo,
            uuid_index: cdw14 as u8 & UUID_INDEX_MAX,
            ot,
            csi: (cdw14 >> CSI_SHIFT) as u8,
            ..glp
        })
    }

    fn fields(&self) -> Vec<CdbField> {
        let numd = self.numd();
        vec![
            CdbField::new("NSID", self.nsid),
            CdbField::new("LID", self.lid),
            CdbField::new("LSP", self.lsp),
            CdbField::flag("RAE", self.rae),
            CdbField::new("NUMDL", numd & 0xffff),
            CdbField::new("NUMDU", numd >> 16),
            CdbField::new("LSI", self.lsi),
            CdbField::new("LPO", self.lpo),
            CdbField::new("UUID Index", self.uuid_index),
            CdbField::flag("OT", self.ot),
            CdbField::new("CSI", self.csi),
        ]
    }

    fn to_sqe(&self) -> SubmissionEntry {
        let numd = self.numd();
        let mut sqe = SubmissionEntry::new(OPC_GET_LOG_PAGE, self.nsid);
        sqe.cdw10 = U32::new(
            u32::from(self.lid)
                | (u32::from(self.lsp) << 8)
                | (u32::from(self.rae) << 15)
                | ((numd & 0xffff) << 16),
        );
        sqe.cdw11 = U32::new((numd >> 16) | (u32::from(self.lsi) << LSI_SHIFT));
        sqe.cdw12 = U32::new(self.lpo as u32);
        sqe.cdw13 = U32::new((self.lpo >> 32) as u32);
        sqe.cdw14 = U32::new(
            u32::from(self.uuid_index)
                | (u32::from(self.ot) << OT_BIT)
                | (u32::from(self.csi) << CSI_SHIFT),
        );
        sqe
    }
}

impl NvmeCommand for GetLogPage {
    /// The log bytes as returned.
    type Response = Vec<u8>;

    fn name(&self) -> &'static str {
        NAME
    }

    fn queue(&self) -> Queue {
        Queue::Admin
    }

    fn entry(&self) -> SubmissionEntry {
        self.to_sqe()
    }

    fn data_phase(&self) -> DataPhase<'_> {
        DataPhase::In(self.len)
    }

    fn decode(&self, _dw0: u32, data_in: &[u8]) -> Result<Vec<u8>, DecodeError> {
        let n = data_in.len().min(self.len as usize);
        Ok(data_in.get(..n).unwrap_or_default().to_vec())
    }
}

/// A log page with a typed decoder (Base 2.0 5.16.1).
pub trait LogPageKind {
    /// The Log Page Identifier.
    const LID: u8;
    /// The decoded log.
    type Data;
    /// Decodes the log bytes returned.
    fn decode(data: &[u8]) -> Result<Self::Data, DecodeError>;
}

/// A Get Log Page for the log `K`, decoding to `K::Data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogPage<K> {
    glp: GetLogPage,
    kind: PhantomData<K>,
}

/// Error Information log, LID 01h (Base 2.0 5.16.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorInformation;
/// SMART / Health Information log, LID 02h (Base 2.0 5.16.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmartHealth;
/// Firmware Slot Information log, LID 03h (Base 2.0 5.16.1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FirmwareSlot;

impl LogPageKind for ErrorInformation {
    const LID: u8 = 0x01;
    type Data = ErrorInformationLog;
    fn decode(data: &[u8]) -> Result<Self::Data, DecodeError> {
        Ok(ErrorInformationLog::decode(data))
    }
}

impl LogPageKind for SmartHealth {
    const LID: u8 = 0x02;
    type Data = SmartHealthLog;
    fn decode(data: &[u8]) -> Result<Self::Data, DecodeError> {
        SmartHealthLog::decode(data)
    }
}

impl LogPageKind for FirmwareSlot {
    const LID: u8 = 0x03;
    type Data = FirmwareSlotLog;
    fn decode(data: &[u8]) -> Result<Self::Data, DecodeError> {
        FirmwareSlotLog::decode(data)
    }
}

impl<K: LogPageKind> LogPage<K> {
    /// Log `K` of `len` bytes for `nsid`, from offset 0.
    pub fn new(nsid: u32, len: u32) -> Result<Self, BuildError> {
        Ok(LogPage {
            glp: GetLogPage::new(K::LID, nsid, len, 0)?,
            kind: PhantomData,
        })
    }

    /// A whole 512-byte log from offset 0 (a valid length by construction).
    fn page_512(nsid: u32) -> Self {
        LogPage {
            glp: GetLogPage {
                nsid,
                lid: K::LID,
                lsp: 0,
                rae: false,
                len: 512,
                lsi: 0,
                lpo: 0,
                uuid_index: 0,
                ot: false,
                csi: 0,
            },
            kind: PhantomData,
        }
    }

    /// The underlying Get Log Page fields.
    pub fn get_log_page(&self) -> &GetLogPage {
        &self.glp
    }
}

impl LogPage<ErrorInformation> {
    /// `entries` 64-byte Error Information entries (ELPE + 1 at most is useful).
    pub fn error_information(entries: u16) -> Result<Self, BuildError> {
        Self::new(0, u32::from(entries) * 64)
    }
}

impl LogPage<SmartHealth> {
    /// The 512-byte SMART / Health log for `nsid` (FFFFFFFFh: the controller).
    pub fn smart_health(nsid: u32) -> Self {
        Self::page_512(nsid)
    }
}

impl LogPage<FirmwareSlot> {
    /// The 512-byte Firmware Slot Information log.
    pub fn firmware_slot() -> Self {
        Self::page_512(0)
    }
}

impl<K: LogPageKind> SqeLayout for LogPage<K> {
    const NAME: &'static str = NAME;

    fn parse_sqe(sqe: &SubmissionEntry) -> Result<Self, DecodeError> {
        let glp = GetLogPage::parse_sqe(sqe)?;
        if glp.lid != K::LID {
            return Err(DecodeError::InvalidValue {
                what: "Get Log Page LID",
                value: u64::from(glp.lid),
            });
        }
        Ok(LogPage {
            glp,
            kind: PhantomData,
        })
    }

    fn fields(&self) -> Vec<CdbField> {
        self.glp.fields()
    }

    fn to_sqe(&self) -> SubmissionEntry {
        self.glp.to_sqe()
    }
}

impl<K: LogPageKind> NvmeCommand for LogPage<K> {
    type Response = K::Data;

    fn name(&self) -> &'static str {
        NAME
    }

    fn queue(&self) -> Queue {
        Queue::Admin
    }

    fn entry(&self) -> SubmissionEntry {
        self.to_sqe()
    }

    fn data_phase(&self) -> DataPhase<'_> {
        DataPhase::In(self.glp.len)
    }

    fn decode(&self, _dw0: u32, data_in: &[u8]) -> Result<K::Data, DecodeError> {
        K::decode(data_in)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numd_split_and_offset() {
        // 0x40004 bytes = 0x10001 dwords → NUMD 0x10000: NUMDL 0, NUMDU 1.
        let glp = GetLogPage::new(0x02, 0xffff_ffff, 0x4_0004, 0x1_0000_0008)
            .unwrap()
            .with_rae(true);
        let sqe = glp.to_sqe();
        assert_eq!(sqe.cdw10.get(), 0x0000_8002);
        assert_eq!(sqe.cdw11.get(), 0x0000_0001);
        assert_eq!((sqe.cdw12.get(), sqe.cdw13.get()), (8, 1));
        let smart = LogPage::smart_health(0xffff_ffff).entry();
        // 512 bytes = 128 dwords → NUMDL 127.
        assert_eq!(smart.cdw10.get(), 0x007f_0002);
        assert!(GetLogPage::new(1, 0, 6, 0).is_err());
        assert!(GetLogPage::new(1, 0, 0, 0).is_err());
        assert!(GetLogPage::new(1, 0, 4, 2).is_err());
        assert!(GetLogPage::new(1, 0, 4, 0).unwrap().with_lsp(0x80).is_err());
        assert!(LogPage::<SmartHealth>::parse_sqe(&LogPage::firmware_slot().entry()).is_err());
        assert_eq!(
            LogPage::error_information(4).unwrap().data_phase(),
            DataPhase::In(256)
        );
        assert!(LogPage::error_information(0).is_err());
    }

    #[test]
    fn lsi_uuid_index_ot_csi() {
        // LSI in CDW11 31:16, UUID Index CDW14 6:0, OT bit 23, CSI 31:24 (Base 2.0 5.16;
        // libnvme NVME_LOG_CDW11_LSI_SHIFT 16, NVME_LOG_CDW14_{UUID,OT,CSI}_SHIFT 0/23/24).
        let glp = GetLogPage::new(0x0d, 0, 512, 0)
            .unwrap()
            .with_lsi(0x0102)
            .with_uuid_index(0x7f)
            .unwrap()
            .with_csi(0x02)
            .with_lpo_index(3);
        let sqe = glp.to_sqe();
        assert_eq!(sqe.cdw11.get(), 0x0102_0000);
        assert_eq!(sqe.cdw12.get(), 3);
        assert_eq!(sqe.cdw14.get(), 0x0280_007f);
        assert_eq!(GetLogPage::parse_sqe(&sqe).unwrap(), glp);
        assert!(glp.with_uuid_index(0x80).is_err());
        // An unaligned LPO is an error only as a byte offset.
        let mut bytes = sqe;
        bytes.cdw14 = U32::new(0);
        assert!(GetLogPage::parse_sqe(&bytes).is_err());
    }

    proptest! {
        #[test]
        fn round_trip(lid: u8, nsid: u32, dwords in 1u32..=0x3fff_ffff, lpo in any::<u64>().prop_map(|o| o & !3), lsp in 0u8..0x80, rae: bool, lsi: u16, uuid_index in 0u8..0x80, csi: u8, index: Option<u64>) {
            let glp = GetLogPage::new(lid, nsid, dwords * 4, lpo).unwrap().with_lsp(lsp).unwrap().with_rae(rae)
                .with_lsi(lsi).with_uuid_index(uuid_index).unwrap().with_csi(csi);
            let glp = match index {
                Some(i) => glp.with_lpo_index(i),
                None => glp,
            };
            prop_assert_eq!(glp.numd(), dwords - 1);
            prop_assert_eq!(GetLogPage::parse_sqe(&glp.to_sqe()).unwrap(), glp);
            let smart = LogPage::smart_health(nsid);
            prop_assert_eq!(LogPage::<SmartHealth>::parse_sqe(&smart.to_sqe()).unwrap(), smart);
            let fw = LogPage::firmware_slot();
            prop_assert_eq!(LogPage::<FirmwareSlot>::parse_sqe(&fw.to_sqe()).unwrap(), fw);
            let el = LogPage::error_information((dwords % 0x1000) as u16 + 1).unwrap();
            prop_assert_eq!(LogPage::<ErrorInformation>::parse_sqe(&el.to_sqe()).unwrap(), el);
        }
    }
}

//! The Bulk-Only Transport wrappers (USB MSC BOT 1.0 5.1, 5.2): the 31-byte Command Block
//! Wrapper and the 13-byte Command Status Wrapper, both little-endian.

use zerocopy::little_endian::U32;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// dCBWSignature: "USBC" read as a little-endian 43425355h (BOT 5.1).
pub const CBW_SIGNATURE: u32 = 0x4342_5355;
/// dCSWSignature: "USBS" read as a little-endian 53425355h (BOT 5.2).
pub const CSW_SIGNATURE: u32 = 0x5342_5355;
/// The length of a CBW in bytes (BOT 5.1).
pub const CBW_LEN: usize = 31;
/// The length of a CSW in bytes (BOT 5.2).
pub const CSW_LEN: usize = 13;
/// bmCBWFlags bit 7: 1 = data-in (device to host), 0 = data-out (BOT 5.1).
pub const CBW_FLAG_DATA_IN: u8 = 0x80;

/// A Command Block Wrapper (BOT 5.1).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned,
)]
#[repr(C)]
pub struct Cbw {
    /// dCBWSignature: [`CBW_SIGNATURE`].
    pub signature: U32,
    /// dCBWTag: echoed in the CSW's dCSWTag.
    pub tag: U32,
    /// dCBWDataTransferLength: the bytes the host expects to move in the data phase.
    pub data_transfer_length: U32,
    /// bmCBWFlags: bit 7 is the direction ([`CBW_FLAG_DATA_IN`]); the rest are reserved.
    pub flags: u8,
    /// bCBWLUN: the logical unit in bits 3..0.
    pub lun: u8,
    /// bCBWCBLength: the valid bytes of CBWCB, 1 to 16 (bits 7..5 reserved).
    pub cb_length: u8,
    /// CBWCB: the command block, padded to 16 bytes.
    pub cb: [u8; 16],
}

impl Cbw {
    /// A CBW for `cdb` (at most 16 bytes are kept) with the host's expected transfer
    /// (BOT 5.1): `data_in` sets bmCBWFlags bit 7.
    pub fn new(tag: u32, lun: u8, cdb: &[u8], data_transfer_length: u32, data_in: bool) -> Self {
        let mut cb = [0u8; 16];
        let n = cdb.len().min(16);
        cb[..n].copy_from_slice(&cdb[..n]);
        Cbw {
            signature: CBW_SIGNATURE.into(),
            tag: tag.into(),
            data_transfer_length: data_transfer_length.into(),
            flags: if data_in { CBW_FLAG_DATA_IN } else { 0 },
            lun: lun & 0x0f,
            // n is at most 16.
            cb_length: n as u8,
            cb,
        }
    }

    /// True when bmCBWFlags asks for data-in (BOT 5.1).
    pub fn is_data_in(&self) -> bool {
        self.flags & CBW_FLAG_DATA_IN != 0
    }

    /// The command block: the first bCBWCBLength bytes of CBWCB, when bCBWCBLength is 1 to
    /// 16 (BOT 5.1; 6.2.1 "meaningful").
    pub fn command_block(&self) -> Option<&[u8]> {
        match usize::from(self.cb_length) {
            0 => None,
            n => self.cb.get(..n),
        }
    }
}

/// bCSWStatus (BOT 5.2, Table 5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CswStatus {
    /// 00h Command Passed ("good status").
    Passed,
    /// 01h Command Failed.
    Failed,
    /// 02h Phase Error.
    PhaseError,
}

impl CswStatus {
    /// The bCSWStatus byte (BOT 5.2).
    pub fn code(self) -> u8 {
        match self {
            CswStatus::Passed => 0x00,
            CswStatus::Failed => 0x01,
            CswStatus::PhaseError => 0x02,
        }
    }
}

/// A Command Status Wrapper (BOT 5.2).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned,
)]
#[repr(C)]
pub struct Csw {
    /// dCSWSignature: [`CSW_SIGNATURE`].
    pub signature: U32,
    /// dCSWTag: the dCBWTag of the CBW this CSW answers.
    pub tag: U32,
    /// dCSWDataResidue: expected less processed data (BOT 5.2, 6.7).
    pub data_residue: U32,
    /// bCSWStatus: see [`CswStatus`].
    pub status: u8,
}

impl Csw {
    /// A CSW answering the CBW tagged `tag` (BOT 5.2).
    pub fn new(tag: u32, data_residue: u32, status: CswStatus) -> Self {
        Csw {
            signature: CSW_SIGNATURE.into(),
            tag: tag.into(),
            data_residue: data_residue.into(),
            status: status.code(),
        }
    }
}

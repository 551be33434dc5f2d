//! The Bulk-Only Transport wrappers (USB MSC BOT 1.0 5.1, 5.2): the 31-byte Command Block
//! Wrapper and the 13-byte Command Status Wrapper, both little-endian. Each struct is both
//! the view over the wire bytes (zerocopy) and, through its accessors, the parsed form.

use crate::error::{BuildError, DecodeError};
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
    /// A CBW for `cdb` with the host's expected transfer (BOT 5.1): `data_in` sets
    /// bmCBWFlags bit 7. The command block must be 1 to 16 bytes and `lun` at most 15
    /// (bCBWLUN has four bits).
    pub fn new(
        tag: u32,
        lun: u8,
        cdb: &[u8],
        data_transfer_length: u32,
        data_in: bool,
    ) -> Result<Self, BuildError> {
        BuildError::check_max("CBW", "bCBWLUN", u64::from(lun), 0x0f)?;
        BuildError::check_max("CBW", "bCBWCBLength", cdb.len() as u64, 16)?;
        let mut cb = [0u8; 16];
        let Some(slot) = cb.get_mut(..cdb.len()).filter(|s| !s.is_empty()) else {
            return Err(BuildError::Invalid {
                command: "CBW",
                reason: "the command block holds 1 to 16 bytes",
            });
        };
        slot.copy_from_slice(cdb);
        Ok(Cbw {
            signature: CBW_SIGNATURE.into(),
            tag: tag.into(),
            data_transfer_length: data_transfer_length.into(),
            flags: if data_in { CBW_FLAG_DATA_IN } else { 0 },
            lun,
            // At most 16, checked above.
            cb_length: cdb.len() as u8,
            cb,
        })
    }

    /// Parses a CBW as a device receives it: exactly [`CBW_LEN`] bytes with
    /// [`CBW_SIGNATURE`] ("valid", BOT 6.2.1). Whether it is meaningful (BOT 6.2.2) is the
    /// device's judgement.
    pub fn parse(bytes: &[u8]) -> Result<Self, DecodeError> {
        let cbw = Cbw::read_from_bytes(bytes).map_err(|_| DecodeError::Malformed {
            what: "CBW",
            reason: "a CBW is exactly 31 bytes (BOT 6.2.1)",
        })?;
        check_signature("dCBWSignature", cbw.signature.get(), CBW_SIGNATURE)?;
        Ok(cbw)
    }

    /// Emits the 31 wire bytes (BOT 5.1).
    pub fn to_bytes(&self) -> [u8; CBW_LEN] {
        let mut bytes = [0u8; CBW_LEN];
        bytes.copy_from_slice(self.as_bytes());
        bytes
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

    /// The status a bCSWStatus byte holds; 03h to FFh are reserved (BOT 5.2, Table 5.3).
    pub fn from_code(code: u8) -> Result<Self, DecodeError> {
        match code {
            0x00 => Ok(CswStatus::Passed),
            0x01 => Ok(CswStatus::Failed),
            0x02 => Ok(CswStatus::PhaseError),
            value => Err(DecodeError::InvalidValue {
                what: "bCSWStatus",
                value: value.into(),
            }),
        }
    }
}

/// Checks a wrapper signature (BOT 6.3.1).
fn check_signature(what: &'static str, found: u32, want: u32) -> Result<(), DecodeError> {
    if found == want {
        Ok(())
    } else {
        Err(DecodeError::InvalidValue {
            what,
            value: found.into(),
        })
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

    /// Parses a CSW as a host receives it: exactly [`CSW_LEN`] bytes with
    /// [`CSW_SIGNATURE`] ("valid", BOT 6.3.1). Whether its tag answers the CBW is the
    /// host's check.
    pub fn parse(bytes: &[u8]) -> Result<Self, DecodeError> {
        let csw = Csw::read_from_bytes(bytes).map_err(|_| DecodeError::Malformed {
            what: "CSW",
            reason: "a CSW is exactly 13 bytes (BOT 6.3.1)",
        })?;
        check_signature("dCSWSignature", csw.signature.get(), CSW_SIGNATURE)?;
        Ok(csw)
    }

    /// bCSWStatus decoded (BOT 5.2).
    pub fn status(&self) -> Result<CswStatus, DecodeError> {
        CswStatus::from_code(self.status)
    }

    /// Emits the 13 wire bytes (BOT 5.2).
    pub fn to_bytes(&self) -> [u8; CSW_LEN] {
        let mut bytes = [0u8; CSW_LEN];
        bytes.copy_from_slice(self.as_bytes());
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn cbw_layout_follows_bot_table_5_1() {
        let cbw = Cbw::new(0x0102_0304, 2, &[0x12, 0, 0, 0, 36, 0], 36, true).expect("CBW");
        let bytes = cbw.to_bytes();
        assert_eq!(&bytes[..4], b"USBC");
        assert_eq!(&bytes[4..8], &[4, 3, 2, 1]);
        assert_eq!(&bytes[8..12], &[36, 0, 0, 0]);
        assert_eq!(&bytes[12..15], &[0x80, 2, 6]);
        assert_eq!(&bytes[15..21], &[0x12, 0, 0, 0, 36, 0]);
        assert_eq!(Cbw::parse(&bytes), Ok(cbw));
    }

    #[test]
    fn cbw_builder_refuses_unrepresentable_values() {
        assert!(Cbw::new(1, 16, &[0; 6], 0, false).is_err());
        assert!(Cbw::new(1, 0, &[0; 17], 0, false).is_err());
        assert!(Cbw::new(1, 0, &[], 0, false).is_err());
    }

    #[test]
    fn csw_layout_follows_bot_table_5_2() {
        let csw = Csw::new(7, 0x200, CswStatus::Failed);
        let bytes = csw.to_bytes();
        assert_eq!(bytes, [b'U', b'S', b'B', b'S', 7, 0, 0, 0, 0, 2, 0, 0, 1]);
        assert_eq!(
            Csw::parse(&bytes).and_then(|c| c.status()),
            Ok(CswStatus::Failed)
        );
        let mut bad = bytes;
        bad[0] = b'X';
        assert!(Csw::parse(&bad).is_err());
        assert!(Csw::parse(&bytes[..12]).is_err());
        assert!(CswStatus::from_code(3).is_err());
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            if let Ok(cbw) = Cbw::parse(&bytes) {
                prop_assert_eq!(&cbw.to_bytes()[..], &bytes[..]);
            }
            if let Ok(csw) = Csw::parse(&bytes) {
                prop_assert_eq!(&csw.to_bytes()[..], &bytes[..]);
            }
        }
    }
}

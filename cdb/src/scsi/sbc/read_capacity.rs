//! READ CAPACITY (10) (SBC-4 5.20) and READ CAPACITY (16) (SBC-4 5.21): the last LBA, the
//! logical block length and, from the 16-byte form, protection and provisioning details.

use crate::command::{Cdb, CdbField, CdbLayout, DataInCommand};
use crate::error::DecodeError;
use crate::scsi::cdb_bytes::{bit, byte, check, check_service_action, get_be, put_be};
use crate::scsi::opcode::SERVICE_ACTION_IN_16;
use serde::Serialize;

/// READ CAPACITY (10) CDB (SBC-4 5.20.1); the obsolete LBA and PMI fields are zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReadCapacity10;

/// The RETURNED LOGICAL BLOCK ADDRESS READ CAPACITY (10) reports when the capacity does not
/// fit 32 bits: use READ CAPACITY (16) (SBC-4 5.20.2).
pub const USE_READ_CAPACITY_16: u32 = 0xffff_ffff;

impl CdbLayout for ReadCapacity10 {
    const NAME: &'static str = "READ CAPACITY (10)";

    fn parse_cdb(cdb: &[u8]) -> Result<Self, DecodeError> {
        check(cdb, 10, 0x25, Self::NAME)?;
        Ok(ReadCapacity10)
    }

    fn to_cdb(&self) -> Cdb {
        let mut cdb = Cdb::zeroed(10);
        cdb.bytes_mut()[0] = 0x25;
        cdb
    }

    fn fields(&self) -> Vec<CdbField> {
        Vec::new()
    }
}

/// READ CAPACITY (10) parameter data (SBC-4 5.20.2, 8 bytes).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct ReadCapacity10Data {
    /// RETURNED LOGICAL BLOCK ADDRESS: the last LBA (FFFFFFFFh: see `use_read_capacity_16`).
    pub returned_logical_block_address: u32,
    /// LOGICAL BLOCK LENGTH IN BYTES.
    pub logical_block_length: u32,
    /// True when the returned LBA is FFFFFFFFh: the capacity needs READ CAPACITY (16).
    pub use_read_capacity_16: bool,
    /// (last LBA + 1) × block length, unless READ CAPACITY (16) is needed.
    pub capacity_bytes: Option<u64>,
}

impl ReadCapacity10Data {
    /// Decodes the 8-byte READ CAPACITY (10) parameter data (SBC-4 5.20.2).
    pub fn decode(data: &[u8]) -> Result<Self, DecodeError> {
        DecodeError::ensure_len(data, 8, "READ CAPACITY (10) data")?;
        let lba = get_be(data, 0, 4) as u32;
        let block = get_be(data, 4, 4) as u32;
        let use_16 = lba == USE_READ_CAPACITY_16;
        Ok(ReadCapacity10Data {
            returned_logical_block_address: lba,
            logical_block_length: block,
            use_read_capacity_16: use_16,
            capacity_bytes: (!use_16).then(|| capacity(u64::from(lba), block)).flatten(),
        })
    }
}

/// (last LBA + 1) × block length, or `None` on overflow.
fn capacity(last_lba: u64, block_length: u32) -> Option<u64> {
    last_lba
        .checked_add(1)?
        .checked_mul(u64::from(block_length))
}

impl DataInCommand for ReadCapacity10 {
    type Response = ReadCapacity10Data;

    fn allocation_length(&self) -> u32 {
        8
    }

    fn decode_data(&self, data_in: &[u8]) -> Result<ReadCapacity10Data, DecodeError> {
        ReadCapacity10Data::decode(data_in)
    }
}

/// READ CAPACITY (16) CDB: SERVICE ACTION IN (16) 9Eh, service action 10h (SBC-4 5.21.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadCapacity16 {
    /// ALLOCATION LENGTH (32 bits); the full parameter data is 32 bytes.
    pub allocation_length: u32,
}

impl Default for ReadCapacity16 {
    /// Allocates the whole 32-byte parameter data.
    fn default() -> Self {
        ReadCapacity16 {
            allocation_length: READ_CAPACITY_16_DATA_LEN,
        }
    }
}

/// Length of the READ CAPACITY (16) parameter data (SBC-4 5.21.2).
pub const READ_CAPACITY_16_DATA_LEN: u32 = 32;

/// READ CAPACITY (16) service action (SBC-4 5.21.1).
const READ_CAPACITY_16_SA: u8 = 0x10;

impl CdbLayout for ReadCapacity16 {
    const NAME: &'static str = "READ CAPACITY (16)";

    fn parse_cdb(cdb: &[u8]) -> Result<Self, DecodeError> {
        check(cdb, 16, SERVICE_ACTION_IN_16, Self::NAME)?;
        check_service_action(cdb, READ_CAPACITY_16_SA, Self::NAME)?;
        Ok(ReadCapacity16 {
            allocation_length: get_be(cdb, 10, 4) as u32,
        })
    }

    fn to_cdb(&self) -> Cdb {
        let mut cdb = Cdb::zeroed(16);
        let b = cdb.bytes_mut();
        b[0] = SERVICE_ACTION_IN_16;
        b[1] = READ_CAPACITY_16_SA;
        put_be(b, 10, 4, u64::from(self.allocation_length));
        cdb
    }

    fn fields(&self) -> Vec<CdbField> {
        vec![
            CdbField::new("SERVICE ACTION", READ_CAPACITY_16_SA),
            CdbField::new("ALLOCATION LENGTH", self.allocation_length),
        ]
    }
}

/// The P_TYPE / PROT_EN protection setting of a formatted logical unit (SBC-4 5.21.2,
/// table 102), serialised as its code and name.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ProtectionType {
    /// The protection type number: 0 (none) or 1–3 (P_TYPE + 1), 4+ reserved.
    pub code: u8,
    /// E.g. `"type 1 protection"`.
    pub name: &'static str,
}

impl ProtectionType {
    fn new(prot_en: bool, p_type: u8) -> Self {
        let code = if prot_en { p_type + 1 } else { 0 };
        let name = match code {
            0 => "no protection",
            1 => "type 1 protection",
            2 => "type 2 protection",
            3 => "type 3 protection",
            _ => "reserved",
        };
        ProtectionType { code, name }
    }
}

/// The fields of READ CAPACITY (16) data after the block length (bytes 12 to 15).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct CapacityDetails {
    /// P_TYPE (byte 12 bits 3:1).
    pub p_type: u8,
    /// PROT_EN (byte 12 bit 0).
    pub prot_en: bool,
    /// The protection type P_TYPE and PROT_EN select.
    pub protection: ProtectionType,
    /// RC BASIS (byte 12 bits 5:4, SBC-4 table 103): 1 = the returned LBA is the last LBA
    /// of the logical unit; 0 = it may describe only part of it (e.g. zoned devices).
    pub rc_basis: u8,
    /// P_I_EXPONENT (byte 13 bits 7:4): 2^n protection information intervals per block.
    pub p_i_exponent: u8,
    /// LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT (byte 13 bits 3:0).
    pub logical_blocks_per_physical_block_exponent: u8,
    /// Physical block length: block length × 2^exponent (`None` on overflow).
    pub physical_block_length: Option<u64>,
    /// LBPME: logical block provisioning management (thin provisioning) enabled.
    pub lbpme: bool,
    /// LBPRZ: unmapped blocks read as zero (byte 14 bit 6).
    pub lbprz: bool,
    /// LOWEST ALIGNED LOGICAL BLOCK ADDRESS (14 bits).
    pub lowest_aligned_logical_block_address: u16,
}

/// READ CAPACITY (16) parameter data (SBC-4 5.21.2, 32 bytes).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct ReadCapacity16Data {
    /// RETURNED LOGICAL BLOCK ADDRESS: the last LBA.
    pub returned_logical_block_address: u64,
    /// LOGICAL BLOCK LENGTH IN BYTES.
    pub logical_block_length: u32,
    /// (last LBA + 1) × block length (`None` on overflow).
    pub capacity_bytes: Option<u64>,
    /// Bytes 12 to 15, `None` when the device returned fewer than 16 bytes.
    pub details: Option<CapacityDetails>,
}

impl ReadCapacity16Data {
    /// Decodes READ CAPACITY (16) parameter data (SBC-4 5.21.2). The LBA and block length
    /// (12 bytes) are required; the rest is decoded when present.
    pub fn decode(data: &[u8]) -> Result<Self, DecodeError> {
        DecodeError::ensure_len(data, 12, "READ CAPACITY (16) data")?;
        let lba = get_be(data, 0, 8);
        let block = get_be(data, 8, 4) as u32;
        let details = (data.len() >= 16).then(|| {
            let exponent = byte(data, 13) & 0x0f;
            let p_type = (byte(data, 12) >> 1) & 0x07;
            let prot_en = bit(data, 12, 0);
            CapacityDetails {
                p_type,
                prot_en,
                protection: ProtectionType::new(prot_en, p_type),
                rc_basis: (byte(data, 12) >> 4) & 0x03,
                p_i_exponent: byte(data, 13) >> 4,
                logical_blocks_per_physical_block_exponent: exponent,
                physical_block_length: u64::from(block).checked_shl(u32::from(exponent)),
                lbpme: bit(data, 14, 7),
                lbprz: bit(data, 14, 6),
                lowest_aligned_logical_block_address: (get_be(data, 14, 2) & 0x3fff) as u16,
            }
        });
        Ok(ReadCapacity16Data {
            returned_logical_block_address: lba,
            logical_block_length: block,
            capacity_bytes: capacity(lba, block),
            details,
        })
    }
}

impl DataInCommand for ReadCapacity16 {
    type Response = ReadCapacity16Data;

    fn allocation_length(&self) -> u32 {
        self.allocation_length
    }

    fn decode_data(&self, data_in: &[u8]) -> Result<ReadCapacity16Data, DecodeError> {
        ReadCapacity16Data::decode(data_in)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{DataPhase, ScsiCommand};
    use proptest::prelude::*;

    // QEMU 7.2 scsi-hd (hw/scsi/scsi-disk.c) on a 64 MiB image: the last LBA is
    // 64 MiB / block size - 1; READ CAPACITY (16) sets byte 13 to the physical block
    // exponent and byte 14 to 80h (LBPME) because scsi-hd supports discard.
    const QEMU_RC10_512: [u8; 8] = [0x00, 0x01, 0xff, 0xff, 0x00, 0x00, 0x02, 0x00];
    const QEMU_RC10_4096: [u8; 8] = [0x00, 0x00, 0x3f, 0xff, 0x00, 0x00, 0x10, 0x00];

    fn qemu_rc16(last_lba: [u8; 4], block: [u8; 4], exp: u8) -> [u8; 32] {
        let mut d = [0u8; 32];
        d[4..8].copy_from_slice(&last_lba);
        d[8..12].copy_from_slice(&block);
        d[13] = exp;
        d[14] = 0x80;
        d
    }

    #[test]
    fn qemu_64mib_512_byte_blocks() {
        let d = ReadCapacity10Data::decode(&QEMU_RC10_512).unwrap();
        assert_eq!(d.returned_logical_block_address, 131_071);
        assert_eq!(d.logical_block_length, 512);
        assert_eq!(d.capacity_bytes, Some(64 << 20));
        assert!(!d.use_read_capacity_16);

        // physical_block_size=4096: exponent 3.
        let d =
            ReadCapacity16Data::decode(&qemu_rc16([0, 1, 0xff, 0xff], [0, 0, 2, 0], 3)).unwrap();
        assert_eq!(d.capacity_bytes, Some(64 << 20));
        let x = d.details.unwrap();
        assert_eq!(x.logical_blocks_per_physical_block_exponent, 3);
        assert_eq!(x.physical_block_length, Some(4096));
        assert!(x.lbpme && !x.lbprz && !x.prot_en);
        assert_eq!(x.protection.code, 0);
        assert_eq!(x.lowest_aligned_logical_block_address, 0);
    }

    #[test]
    fn qemu_64mib_4096_byte_blocks() {
        let d = ReadCapacity10Data::decode(&QEMU_RC10_4096).unwrap();
        assert_eq!(d.returned_logical_block_address, 16_383);
        assert_eq!(d.logical_block_length, 4096);
        assert_eq!(d.capacity_bytes, Some(64 << 20));
        let d =
            ReadCapacity16Data::decode(&qemu_rc16([0, 0, 0x3f, 0xff], [0, 0, 0x10, 0], 0)).unwrap();
        assert_eq!(d.returned_logical_block_address, 16_383);
        assert_eq!(d.details.unwrap().physical_block_length, Some(4096));
    }

    #[test]
    fn ffffffff_means_use_16() {
        let d = ReadCapacity10Data::decode(&[0xff, 0xff, 0xff, 0xff, 0, 0, 2, 0]).unwrap();
        assert!(d.use_read_capacity_16);
        assert_eq!(d.capacity_bytes, None);
    }

    #[test]
    fn protection_and_provisioning_bits() {
        // SBC-4 table 101: P_TYPE 001b + PROT_EN = type 2; P_I_EXPONENT 2, LBPPBE 3;
        // LBPME, LBPRZ, LOWEST ALIGNED LBA 0x0101.
        let mut d = [0u8; 32];
        d[11] = 0x02; // 512
        d[12] = 0x13; // RC BASIS 1, P_TYPE 1, PROT_EN
        d[13] = 0x23;
        d[14] = 0xc1;
        d[15] = 0x01;
        let x = ReadCapacity16Data::decode(&d).unwrap().details.unwrap();
        assert_eq!((x.p_type, x.prot_en, x.rc_basis), (1, true, 1));
        assert_eq!(x.protection.name, "type 2 protection");
        assert_eq!(x.p_i_exponent, 2);
        assert!(x.lbpme && x.lbprz);
        assert_eq!(x.lowest_aligned_logical_block_address, 0x0101);
    }

    #[test]
    fn short_transfers() {
        assert!(ReadCapacity10Data::decode(&QEMU_RC10_512[..7]).is_err());
        assert!(ReadCapacity16Data::decode(&[0; 11]).is_err());
        let d = ReadCapacity16Data::decode(&[0; 12]).unwrap();
        assert_eq!(d.details, None);
        assert_eq!(d.capacity_bytes, Some(0));
    }

    #[test]
    fn cdbs() {
        assert_eq!(
            ReadCapacity10.to_cdb().as_bytes(),
            [0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        );
        let c = ReadCapacity16::default();
        assert_eq!(
            c.to_cdb().as_bytes(),
            [0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0]
        );
        assert_eq!(c.data_phase(), DataPhase::In(32));
        let mut other_sa = c.to_cdb().as_bytes().to_vec();
        other_sa[1] = 0x12;
        assert!(ReadCapacity16::parse_cdb(&other_sa).is_err());
        assert_eq!(
            ReadCapacity10::parse_cdb(ReadCapacity10.to_cdb().as_bytes()),
            Ok(ReadCapacity10)
        );
    }

    proptest! {
        #[test]
        fn rc16_round_trip(allocation_length: u32) {
            let x = ReadCapacity16 { allocation_length };
            prop_assert_eq!(ReadCapacity16::parse_cdb(x.to_cdb().as_bytes()), Ok(x));
        }

        #[test]
        fn decoders_take_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let r10 = ReadCapacity10Data::decode(&bytes);
            prop_assert_eq!(r10.is_ok(), bytes.len() >= 8);
            let r16 = ReadCapacity16Data::decode(&bytes);
            prop_assert_eq!(r16.is_ok(), bytes.len() >= 12);
            let _ = ReadCapacity16::parse_cdb(&bytes);
            let _ = ReadCapacity10::parse_cdb(&bytes);
        }
    }
}

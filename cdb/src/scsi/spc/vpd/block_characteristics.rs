//! Block Device Characteristics, page B1h (SBC-4 6.6.2).

use super::header::VpdHeader;
use super::BLOCK_DEVICE_CHARACTERISTICS;
use crate::error::DecodeError;
use crate::scsi::spc::inquiry::coded::{coded_enum, read_padded};
use serde::Serialize;
use zerocopy::byteorder::big_endian::{U16, U32};
use zerocopy::{FromBytes, IntoBytes};

/// MEDIUM ROTATION RATE (SBC-4 6.6.2, table "MEDIUM ROTATION RATE field").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MediumRotationRate {
    /// 0000h: the rate is not reported.
    NotReported,
    /// 0001h: non-rotating medium (e.g. solid state).
    NonRotating,
    /// 0401h–FFFEh: nominal rotation rate in revolutions per minute.
    Rpm {
        /// Revolutions per minute.
        rpm: u16,
    },
    /// 0002h–0400h, FFFFh: reserved.
    Reserved {
        /// The field's value.
        code: u16,
    },
}

impl MediumRotationRate {
    /// Decodes the field's value.
    pub fn from_code(code: u16) -> Self {
        match code {
            0x0000 => Self::NotReported,
            0x0001 => Self::NonRotating,
            0x0401..=0xfffe => Self::Rpm { rpm: code },
            code => Self::Reserved { code },
        }
    }
}

coded_enum! {
    /// PRODUCT TYPE, byte 6 (SBC-4 6.6.2, table "PRODUCT TYPE field").
    pub enum ProductType: u8 {
        /// 00h: not indicated.
        NotIndicated = 0x00 => "not indicated",
        /// 01h: CFast.
        CFast = 0x01 => "CFast",
        /// 02h: CompactFlash.
        CompactFlash = 0x02 => "CompactFlash",
        /// 03h: Memory Stick.
        MemoryStick = 0x03 => "Memory Stick",
        /// 04h: MultiMediaCard.
        MultiMediaCard = 0x04 => "MultiMediaCard",
        /// 05h: Secure Digital Card.
        SecureDigital = 0x05 => "Secure Digital Card",
        /// 06h: XQD.
        Xqd = 0x06 => "XQD",
        /// 07h: Universal Flash Storage.
        UniversalFlashStorage = 0x07 => "Universal Flash Storage",
    }
    /// 08h–EFh reserved; F0h–FFh vendor specific.
    Other => "reserved or vendor specific";
}

coded_enum! {
    /// WABEREQ (byte 7 bits 7–6) and WACEREQ (bits 5–4) (SBC-4 6.6.2): what a read of an
    /// LBA returns after a block erase or a cryptographic erase sanitize operation, before
    /// the LBA is written again.
    pub enum WriteAfterEraseRequirement: u8 {
        /// 00b: not specified.
        NotSpecified = 0 => "not specified",
        /// 01b: the read completes with GOOD status; the data is indeterminate.
        ReadIndeterminate = 1 => "read completes with GOOD status, data indeterminate",
        /// 10b: the read fails with MEDIUM ERROR and an additional sense code other than
        /// WRITE AFTER SANITIZE REQUIRED (e.g. ID CRC OR ECC ERROR).
        ReadMediumError = 2 => "read fails with MEDIUM ERROR",
        /// 11b: the read fails with MEDIUM ERROR, WRITE AFTER SANITIZE REQUIRED.
        ReadWriteAfterSanitizeRequired = 3 =>
            "read fails with MEDIUM ERROR, WRITE AFTER SANITIZE REQUIRED",
    }
    /// Unreachable for a two-bit field; kept for completeness of the decoding.
    Other => "reserved";
}

coded_enum! {
    /// NOMINAL FORM FACTOR, byte 7 bits 3–0 (SBC-4 6.6.2).
    pub enum NominalFormFactor: u8 {
        /// 0h: not reported.
        NotReported = 0 => "not reported",
        /// 1h: 5.25 inch.
        Inch5_25 = 1 => "5.25 inch",
        /// 2h: 3.5 inch.
        Inch3_5 = 2 => "3.5 inch",
        /// 3h: 2.5 inch.
        Inch2_5 = 3 => "2.5 inch",
        /// 4h: 1.8 inch.
        Inch1_8 = 4 => "1.8 inch",
        /// 5h: less than 1.8 inch.
        LessThan1_8 = 5 => "less than 1.8 inch",
    }
    /// 6h–Fh: reserved.
    Reserved => "reserved";
}

coded_enum! {
    /// ZONED, byte 8 bits 5–4 (SBC-4 6.6.2).
    pub enum Zoned: u8 {
        /// 00b: not reported.
        NotReported = 0 => "not reported",
        /// 01b: host aware zoned block device model (ZBC).
        HostAware = 1 => "host aware",
        /// 10b: device managed zoned block device model.
        DeviceManaged = 2 => "device managed",
    }
    /// 11b: reserved.
    Reserved => "reserved";
}

/// Bytes 4–63 of the page (SBC-4 6.6.2, table "Block Device Characteristics VPD page").
#[derive(FromBytes, IntoBytes)]
#[repr(C)]
struct RawBlockCharacteristics {
    medium_rotation_rate: U16,
    product_type: u8,
    form_factor: u8,
    zoned_flags: u8,
    _reserved9: [u8; 3],
    depopulation_time: U32,
    _reserved16: [u8; 48],
}

/// The Block Device Characteristics page (SBC-4 6.6.2). Fields past the returned data
/// read as zero (not reported).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct BlockDeviceCharacteristics {
    /// The page header.
    pub header: VpdHeader,
    /// MEDIUM ROTATION RATE.
    pub medium_rotation_rate: MediumRotationRate,
    /// PRODUCT TYPE.
    pub product_type: ProductType,
    /// WABEREQ: write after block erase requirement.
    pub wabereq: WriteAfterEraseRequirement,
    /// WACEREQ: write after cryptographic erase requirement.
    pub wacereq: WriteAfterEraseRequirement,
    /// NOMINAL FORM FACTOR.
    pub nominal_form_factor: NominalFormFactor,
    /// ZONED.
    pub zoned: Zoned,
    /// BOCS: background operation control is supported.
    pub bocs: bool,
    /// RBWZ: REASSIGN BLOCKS writes zeros to logical blocks it cannot recover (byte 8
    /// bit 3; defined by SBC-5, reserved in SBC-4).
    pub rbwz: bool,
    /// FUAB: SYNCHRONIZE CACHE and the FUA bit behave as SBC-3 and later define (zero:
    /// as SBC-2 defines).
    pub fuab: bool,
    /// VBULS: verify byte check unmapped LBA supported.
    pub vbuls: bool,
    /// DEPOPULATION TIME in seconds (`None`: not reported).
    pub depopulation_time: Option<u32>,
}

impl BlockDeviceCharacteristics {
    /// Decodes page B1h.
    pub fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        let (header, body) = VpdHeader::split_expecting(
            buf,
            BLOCK_DEVICE_CHARACTERISTICS,
            "Block Device Characteristics: PAGE CODE",
        )?;
        let r: RawBlockCharacteristics = read_padded(body);
        let depopulation_time = r.depopulation_time.get();
        Ok(BlockDeviceCharacteristics {
            header,
            medium_rotation_rate: MediumRotationRate::from_code(r.medium_rotation_rate.get()),
            product_type: ProductType::from_code(r.product_type),
            wabereq: WriteAfterEraseRequirement::from_code(r.form_factor >> 6),
            wacereq: WriteAfterEraseRequirement::from_code((r.form_factor >> 4) & 0x3),
            nominal_form_factor: NominalFormFactor::from_code(r.form_factor & 0x0f),
            zoned: Zoned::from_code((r.zoned_flags >> 4) & 0x3),
            rbwz: r.zoned_flags & 0x08 != 0,
            bocs: r.zoned_flags & 0x04 != 0,
            fuab: r.zoned_flags & 0x02 != 0,
            vbuls: r.zoned_flags & 0x01 != 0,
            depopulation_time: (depopulation_time != 0).then_some(depopulation_time),
        })
    }
}

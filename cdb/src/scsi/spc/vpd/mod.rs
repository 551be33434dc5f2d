//! Vital product data pages (SPC-5 7.7, SBC-4 6.6, SAT-5 10.3), returned by INQUIRY with
//! EVPD = 1, and [`VpdPage`], which decodes any of them by PAGE CODE.

mod ata_information;
mod block_characteristics;
mod block_limits;
mod designator;
mod device_identification;
mod extended_inquiry;
mod header;
mod logical_block_provisioning;
mod names;
mod serial_number;
mod supported_pages;

pub use ata_information::{AtaDeviceSignature, AtaInformation, AtaSignatureType, IdentifyCommand};
pub use block_characteristics::{
    BlockDeviceCharacteristics, MediumRotationRate, NominalFormFactor, ProductType,
    WriteAfterEraseRequirement, Zoned,
};
pub use block_limits::BlockLimits;
pub use designator::{
    Association, CodeSet, DesignationDescriptor, Designator, DesignatorType, Eui64, Naa,
    ProtocolIdentifier, ProtocolSpecificPort,
};
pub use device_identification::DeviceIdentification;
pub use extended_inquiry::{
    ActivateMicrocode, ExtendedInquiryData, LuCollectionType, MultiItNexusMicrocodeDownload,
    SupportedProtectionTypes,
};
pub use header::VpdHeader;
pub use logical_block_provisioning::{LbprzMode, LogicalBlockProvisioning, ProvisioningType};
pub use names::vpd_page_name;
pub use serial_number::UnitSerialNumber;
pub use supported_pages::{SupportedPage, SupportedVpdPages};

use crate::error::DecodeError;
use serde::Serialize;

/// Supported VPD Pages page code (SPC-5 7.7.17).
pub const SUPPORTED_VPD_PAGES: u8 = 0x00;
/// Unit Serial Number page code (SPC-5 7.7.19).
pub const UNIT_SERIAL_NUMBER: u8 = 0x80;
/// Device Identification page code (SPC-5 7.7.6).
pub const DEVICE_IDENTIFICATION: u8 = 0x83;
/// Extended INQUIRY Data page code (SPC-5 7.7.7).
pub const EXTENDED_INQUIRY_DATA: u8 = 0x86;
/// ATA Information page code (SAT-5 10.3.2).
pub const ATA_INFORMATION: u8 = 0x89;
/// Block Limits page code (SBC-4 6.6.4).
pub const BLOCK_LIMITS: u8 = 0xb0;
/// Block Device Characteristics page code (SBC-4 6.6.2).
pub const BLOCK_DEVICE_CHARACTERISTICS: u8 = 0xb1;
/// Logical Block Provisioning page code (SBC-4 6.6.6).
pub const LOGICAL_BLOCK_PROVISIONING: u8 = 0xb2;

/// A VPD page this crate does not decode (SPC-5 7.7.1), kept as bytes.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct RawVpdPage {
    /// The page header.
    pub header: VpdHeader,
    /// The page's bytes after the header, as returned.
    pub data: Vec<u8>,
}

/// Any VPD page, decoded according to its PAGE CODE (SPC-5 7.7.1).
///
/// Pages B0h–B2h are decoded as the SBC-4 pages only when the PERIPHERAL DEVICE TYPE is a
/// block device type; other device types define their own pages there (SPC-5 7.7.1), which
/// are kept raw like every other unknown page.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "page", rename_all = "snake_case")]
pub enum VpdPage {
    /// 00h Supported VPD Pages (SPC-5 7.7.17).
    SupportedVpdPages(SupportedVpdPages),
    /// 80h Unit Serial Number (SPC-5 7.7.19).
    UnitSerialNumber(UnitSerialNumber),
    /// 83h Device Identification (SPC-5 7.7.6).
    DeviceIdentification(DeviceIdentification),
    /// 86h Extended INQUIRY Data (SPC-5 7.7.7).
    ExtendedInquiryData(ExtendedInquiryData),
    /// 89h ATA Information (SAT-5 10.3.2).
    AtaInformation(AtaInformation),
    /// B0h Block Limits (SBC-4 6.6.4).
    BlockLimits(BlockLimits),
    /// B1h Block Device Characteristics (SBC-4 6.6.2).
    BlockDeviceCharacteristics(BlockDeviceCharacteristics),
    /// B2h Logical Block Provisioning (SBC-4 6.6.6).
    LogicalBlockProvisioning(LogicalBlockProvisioning),
    /// Any other page, kept as bytes.
    Other(RawVpdPage),
}

impl VpdPage {
    /// Decodes the page a device returned, dispatching on its PAGE CODE (byte 1).
    pub fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        let (header, body) = VpdHeader::split(buf)?;
        let block = header.peripheral_device_type.is_block_device();
        Ok(match header.page_code {
            SUPPORTED_VPD_PAGES => Self::SupportedVpdPages(SupportedVpdPages::decode(buf)?),
            UNIT_SERIAL_NUMBER => Self::UnitSerialNumber(UnitSerialNumber::decode(buf)?),
            DEVICE_IDENTIFICATION => Self::DeviceIdentification(DeviceIdentification::decode(buf)?),
            EXTENDED_INQUIRY_DATA => Self::ExtendedInquiryData(ExtendedInquiryData::decode(buf)?),
            ATA_INFORMATION => Self::AtaInformation(AtaInformation::decode(buf)?),
            BLOCK_LIMITS if block => Self::BlockLimits(BlockLimits::decode(buf)?),
            BLOCK_DEVICE_CHARACTERISTICS if block => {
                Self::BlockDeviceCharacteristics(BlockDeviceCharacteristics::decode(buf)?)
            }
            LOGICAL_BLOCK_PROVISIONING if block => {
                Self::LogicalBlockProvisioning(LogicalBlockProvisioning::decode(buf)?)
            }
            _ => Self::Other(RawVpdPage {
                header,
                data: body.to_vec(),
            }),
        })
    }

    /// The page's header.
    pub fn header(&self) -> &VpdHeader {
        match self {
            Self::SupportedVpdPages(p) => &p.header,
            Self::UnitSerialNumber(p) => &p.header,
            Self::DeviceIdentification(p) => &p.header,
            Self::ExtendedInquiryData(p) => &p.header,
            Self::AtaInformation(p) => &p.header,
            Self::BlockLimits(p) => &p.header,
            Self::BlockDeviceCharacteristics(p) => &p.header,
            Self::LogicalBlockProvisioning(p) => &p.header,
            Self::Other(p) => &p.header,
        }
    }

    /// The page's PAGE CODE.
    pub fn page_code(&self) -> u8 {
        self.header().page_code
    }
}

#[cfg(test)]
mod tests;

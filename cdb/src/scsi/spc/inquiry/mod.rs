//! INQUIRY (SPC-5 6.7): the command, the standard INQUIRY data it returns with EVPD = 0,
//! and (through [`crate::scsi::spc::vpd`]) the VPD pages it returns with EVPD = 1.
//!
//! One [`Inquiry`] value holds the ALLOCATION LENGTH once: the CDB's bytes 3–4 and the
//! data-in transfer length are both read from it, so an INQUIRY whose CDB says 36 bytes
//! while the transport expects 512 cannot be built.

pub(crate) mod coded;
mod fields;
mod standard;
mod version_descriptor;

pub use coded::CodeName;
pub use fields::{Clocking, PeripheralDeviceType, PeripheralQualifier, Tpgs, Version};
pub use standard::{SpiFeatures, StandardInquiry, MIN_STANDARD_INQUIRY_LEN, STANDARD_INQUIRY_LEN};
pub use version_descriptor::VersionDescriptor;

use crate::command::{Cdb, CdbField, CdbLayout, DataInCommand};
use crate::error::{BuildError, DecodeError};
use crate::scsi::cdb_bytes::{check, rejected};
use crate::scsi::spc::vpd::VpdPage;
use serde::Serialize;

/// INQUIRY's OPERATION CODE (SPC-5 6.7.1).
pub const INQUIRY_OPCODE: u8 = 0x12;

const NAME: &str = "INQUIRY";
const CDB_LEN: usize = 6;
const EVPD: u8 = 0x01;
const CMDDT: u8 = 0x02;

/// An INQUIRY command (SPC-5 6.7.1): EVPD, PAGE CODE and ALLOCATION LENGTH.
///
/// Invariants (checked by every constructor and by [`CdbLayout::parse_cdb`]): PAGE CODE is
/// zero unless EVPD is set (SPC-5 6.7.1: the device server would reject it with ILLEGAL
/// REQUEST), the ALLOCATION LENGTH of a standard INQUIRY is at least 5 (enough for the
/// ADDITIONAL LENGTH field) and that of a VPD request at least 4 (the page header).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Inquiry {
    evpd: bool,
    page_code: u8,
    allocation_length: u16,
}

impl Inquiry {
    /// The default ALLOCATION LENGTH of a standard INQUIRY: 96 bytes, all of the data
    /// SPC-5 6.7.2 defines (bytes 0–95).
    ///
    /// Not 36: 36 bytes stop after PRODUCT REVISION LEVEL and so lose the vendor specific
    /// bytes 36–55 (where many drives put their serial number), the SPI byte 56 and the
    /// VERSION DESCRIPTORs (bytes 58–73) that name the standards the device claims. Some
    /// old USB bridges misbehave with anything but 36; [`Inquiry::standard_with_length`]
    /// takes any length from 5 to 65535 for them.
    pub const DEFAULT_ALLOCATION_LENGTH: u16 = STANDARD_INQUIRY_LEN as u16;

    /// The default ALLOCATION LENGTH of a VPD page request: enough for every page this
    /// crate decodes in full (the longest fixed page, ATA Information (SAT-5 10.3.2), is
    /// 572 bytes). Read PAGE LENGTH and ask again for longer pages.
    pub const DEFAULT_VPD_ALLOCATION_LENGTH: u16 = 1024;

    /// Smallest ALLOCATION LENGTH for standard data: bytes 0–4 hold ADDITIONAL LENGTH.
    pub const MIN_STANDARD_ALLOCATION_LENGTH: u16 = 5;

    /// Smallest ALLOCATION LENGTH for a VPD page: its 4-byte header (SPC-5 7.7.1).
    pub const MIN_VPD_ALLOCATION_LENGTH: u16 = 4;

    /// Builds an INQUIRY from its CDB fields, checking the invariants above.
    pub fn new(evpd: bool, page_code: u8, allocation_length: u16) -> Result<Self, BuildError> {
        if !evpd && page_code != 0 {
            return Err(BuildError::Invalid {
                command: NAME,
                reason: "PAGE CODE must be zero when EVPD is zero",
            });
        }
        let min = if evpd {
            Self::MIN_VPD_ALLOCATION_LENGTH
        } else {
            Self::MIN_STANDARD_ALLOCATION_LENGTH
        };
        if allocation_length < min {
            return Err(BuildError::Invalid {
                command: NAME,
                reason: if evpd {
                    "ALLOCATION LENGTH must be at least 4 for a VPD page"
                } else {
                    "ALLOCATION LENGTH must be at least 5 for standard INQUIRY data"
                },
            });
        }
        Ok(Inquiry {
            evpd,
            page_code,
            allocation_length,
        })
    }

    /// A standard INQUIRY with the default 96-byte allocation length.
    pub fn standard() -> Self {
        Inquiry {
            evpd: false,
            page_code: 0,
            allocation_length: Self::DEFAULT_ALLOCATION_LENGTH,
        }
    }

    /// A standard INQUIRY asking for `allocation_length` bytes (5 to 65535).
    pub fn standard_with_length(allocation_length: u16) -> Result<Self, BuildError> {
        Self::new(false, 0, allocation_length)
    }

    /// A request for VPD page `page_code` with the default allocation length.
    pub fn vpd(page_code: u8) -> Self {
        Inquiry {
            evpd: true,
            page_code,
            allocation_length: Self::DEFAULT_VPD_ALLOCATION_LENGTH,
        }
    }

    /// A request for VPD page `page_code` asking for `allocation_length` bytes (4 to 65535).
    pub fn vpd_with_length(page_code: u8, allocation_length: u16) -> Result<Self, BuildError> {
        Self::new(true, page_code, allocation_length)
    }

    /// EVPD: a VPD page is requested.
    pub fn evpd(&self) -> bool {
        self.evpd
    }

    /// PAGE CODE: the VPD page requested (zero for standard data).
    pub fn page_code(&self) -> u8 {
        self.page_code
    }

    /// ALLOCATION LENGTH: the most bytes the device may return; also the transfer length.
    pub fn allocation_length(&self) -> u16 {
        self.allocation_length
    }
}

/// What an INQUIRY returns: standard INQUIRY data (SPC-5 6.7.2) or a VPD page (SPC-5 7.7).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum InquiryData {
    /// Standard INQUIRY data, returned when EVPD is zero.
    Standard(StandardInquiry),
    /// A VPD page, returned when EVPD is one.
    Vpd(VpdPage),
}

impl DataInCommand for Inquiry {
    type Response = InquiryData;

    fn allocation_length(&self) -> u32 {
        u32::from(self.allocation_length)
    }

    /// Decodes standard data, or the VPD page requested; a VPD page whose PAGE CODE is not
    /// the one asked for is an error.
    fn decode_data(&self, data_in: &[u8]) -> Result<InquiryData, DecodeError> {
        if !self.evpd {
            return StandardInquiry::decode(data_in).map(InquiryData::Standard);
        }
        let page = VpdPage::decode(data_in)?;
        if page.page_code() != self.page_code {
            return Err(DecodeError::InvalidValue {
                what: "VPD page: PAGE CODE differs from the one requested",
                value: u64::from(page.page_code()),
            });
        }
        Ok(InquiryData::Vpd(page))
    }
}

impl CdbLayout for Inquiry {
    const NAME: &'static str = NAME;

    fn parse_cdb(cdb: &[u8]) -> Result<Self, DecodeError> {
        check(cdb, CDB_LEN, INQUIRY_OPCODE, NAME)?;
        if cdb[1] & CMDDT != 0 {
            return Err(DecodeError::Malformed {
                what: "INQUIRY CDB",
                reason: "CMDDT (obsolete since SPC-3) is set",
            });
        }
        let allocation_length = u16::from_be_bytes([cdb[3], cdb[4]]);
        Inquiry::new(cdb[1] & EVPD != 0, cdb[2], allocation_length).map_err(rejected)
    }

    fn to_cdb(&self) -> Cdb {
        let mut cdb = Cdb::zeroed(CDB_LEN);
        let bytes = cdb.bytes_mut();
        bytes[0] = INQUIRY_OPCODE;
        bytes[1] = if self.evpd { EVPD } else { 0 };
        bytes[2] = self.page_code;
        bytes[3..5].copy_from_slice(&self.allocation_length.to_be_bytes());
        cdb
    }

    fn fields(&self) -> Vec<CdbField> {
        vec![
            CdbField::flag("EVPD", self.evpd),
            CdbField::new("PAGE CODE", self.page_code),
            CdbField::new("ALLOCATION LENGTH", self.allocation_length),
        ]
    }
}

#[cfg(test)]
mod tests;

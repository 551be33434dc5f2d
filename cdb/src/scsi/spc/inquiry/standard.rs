//! Standard INQUIRY data (SPC-5 6.7.2): what INQUIRY returns with EVPD = 0.

use super::coded::{clamped, read_padded};
use super::fields::{Clocking, PeripheralDeviceType, PeripheralQualifier, Tpgs, Version};
use super::version_descriptor::VersionDescriptor;
use crate::error::DecodeError;
use crate::text::ascii_field;
use serde::Serialize;
use zerocopy::byteorder::big_endian::U16;
use zerocopy::{FromBytes, IntoBytes};

/// Bytes 0–95: every field SPC-5 6.7.2 defines (bytes 96 and up are vendor specific).
pub const STANDARD_INQUIRY_LEN: usize = 96;

/// Bytes 0–35: the part of the data every device must return (SPC-5 6.7.2).
pub const MIN_STANDARD_INQUIRY_LEN: usize = 36;

/// The decoder needs bytes 0–4 (through ADDITIONAL LENGTH) to decode anything.
const HEADER_LEN: usize = 5;

/// Bytes 0–95 of the standard INQUIRY data, as laid out in SPC-5 6.7.2 table "Standard
/// INQUIRY data format".
#[derive(FromBytes, IntoBytes)]
#[repr(C)]
struct RawStandardInquiry {
    qualifier_type: u8,
    rmb_lu_cong: u8,
    version: u8,
    format_flags: u8,
    additional_length: u8,
    sccs_flags: u8,
    encserv_flags: u8,
    cmdque_flags: u8,
    vendor: [u8; 8],
    product: [u8; 16],
    revision: [u8; 4],
    vendor_specific: [u8; 20],
    clocking_flags: u8,
    _reserved57: u8,
    version_descriptors: [U16; 8],
    _reserved74: [u8; 22],
}

const _: () = assert!(std::mem::size_of::<RawStandardInquiry>() == STANDARD_INQUIRY_LEN);

/// Parallel SCSI fields of byte 56 (SPC-5 6.7.2, defined by SPI-5).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct SpiFeatures {
    /// CLOCKING: ST/DT support.
    pub clocking: Clocking,
    /// QAS: quick arbitration and selection supported.
    pub qas: bool,
    /// IUS: information units supported.
    pub ius: bool,
}

/// Decoded standard INQUIRY data (SPC-5 6.7.2).
///
/// A device may return fewer bytes than the data holds (the allocation length limits it):
/// fields the device did not return read as zero or empty, and [`Self::missing_bytes`] says
/// how many were cut off.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct StandardInquiry {
    /// PERIPHERAL QUALIFIER (byte 0 bits 7–5).
    pub peripheral_qualifier: PeripheralQualifier,
    /// PERIPHERAL DEVICE TYPE (byte 0 bits 4–0).
    pub peripheral_device_type: PeripheralDeviceType,
    /// RMB: the medium is removable.
    pub rmb: bool,
    /// LU_CONG: the logical unit is a member of a logical unit conglomerate.
    pub lu_cong: bool,
    /// VERSION: the SPC version claimed.
    pub version: Version,
    /// NORMACA: the NACA bit in CONTROL bytes is supported.
    pub normaca: bool,
    /// HISUP: hierarchical LUN addressing is used.
    pub hisup: bool,
    /// RESPONSE DATA FORMAT: 2 for data in this format.
    pub response_data_format: u8,
    /// ADDITIONAL LENGTH: bytes of data after byte 4.
    pub additional_length: u8,
    /// SCCS: an embedded storage array controller is present.
    pub sccs: bool,
    /// ACC: an access controls coordinator is present.
    pub acc: bool,
    /// TPGS: asymmetric logical unit access support.
    pub tpgs: Tpgs,
    /// 3PC: third-party copy commands are supported.
    #[serde(rename = "3pc")]
    pub third_party_copy: bool,
    /// PROTECT: protection information is supported.
    pub protect: bool,
    /// ENCSERV: an embedded enclosure services component is present.
    pub encserv: bool,
    /// VS, byte 6 bit 5: vendor specific.
    pub vs_byte6: bool,
    /// MULTIP: the device has more than one port.
    pub multip: bool,
    /// ADDR16: 16-bit wide SCSI addresses (parallel SCSI; obsolete in SPC-5).
    pub addr16: bool,
    /// WBUS16: 16-bit wide data transfers (parallel SCSI; obsolete in SPC-5).
    pub wbus16: bool,
    /// SYNC: synchronous data transfers (parallel SCSI; obsolete in SPC-5).
    pub sync: bool,
    /// CMDQUE: command management model (tagged queuing) is supported.
    pub cmdque: bool,
    /// VS, byte 7 bit 0: vendor specific.
    pub vs_byte7: bool,
    /// T10 VENDOR IDENTIFICATION (bytes 8–15), trimmed.
    pub t10_vendor_identification: String,
    /// PRODUCT IDENTIFICATION (bytes 16–31), trimmed.
    pub product_identification: String,
    /// PRODUCT REVISION LEVEL (bytes 32–35), trimmed.
    pub product_revision_level: String,
    /// Vendor specific bytes 36–55 as returned (many disks put a drive serial number
    /// here); empty when the device returned only 36 bytes.
    pub vendor_specific: Vec<u8>,
    /// Byte 56 (CLOCKING, QAS, IUS), when returned.
    pub spi: Option<SpiFeatures>,
    /// VERSION DESCRIPTOR 1–8 (bytes 58–73): the nonzero descriptors returned, in order.
    pub version_descriptors: Vec<VersionDescriptor>,
    /// Bytes the ADDITIONAL LENGTH field announces but the device did not return.
    pub missing_bytes: usize,
}

impl StandardInquiry {
    /// Decodes standard INQUIRY data (SPC-5 6.7.2) from the bytes a device returned.
    ///
    /// Needs bytes 0–4; decodes whatever else is present. Bytes beyond the length the
    /// ADDITIONAL LENGTH field announces are ignored.
    pub fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        DecodeError::ensure_len(buf, HEADER_LEN, "standard INQUIRY data")?;
        let announced = usize::from(buf[4]) + HEADER_LEN;
        let data = &buf[..buf.len().min(announced)];
        let raw: RawStandardInquiry = read_padded(data);
        let bit = |byte: u8, n: u8| byte & (1 << n) != 0;
        let spi = (data.len() > 56).then(|| SpiFeatures {
            clocking: Clocking::from_code((raw.clocking_flags >> 2) & 0x3),
            qas: bit(raw.clocking_flags, 1),
            ius: bit(raw.clocking_flags, 0),
        });
        let version_descriptors = raw
            .version_descriptors
            .iter()
            .enumerate()
            .take_while(|(i, _)| 58 + 2 * i + 2 <= data.len())
            .map(|(_, d)| d.get())
            .filter(|&code| code != 0)
            .map(VersionDescriptor::from_code)
            .collect();
        Ok(StandardInquiry {
            peripheral_qualifier: PeripheralQualifier::from_code(raw.qualifier_type >> 5),
            peripheral_device_type: PeripheralDeviceType::from_code(raw.qualifier_type & 0x1f),
            rmb: bit(raw.rmb_lu_cong, 7),
            lu_cong: bit(raw.rmb_lu_cong, 6),
            version: Version::from_code(raw.version),
            normaca: bit(raw.format_flags, 5),
            hisup: bit(raw.format_flags, 4),
            response_data_format: raw.format_flags & 0x0f,
            additional_length: raw.additional_length,
            sccs: bit(raw.sccs_flags, 7),
            acc: bit(raw.sccs_flags, 6),
            tpgs: Tpgs::from_code((raw.sccs_flags >> 4) & 0x3),
            third_party_copy: bit(raw.sccs_flags, 3),
            protect: bit(raw.sccs_flags, 0),
            encserv: bit(raw.encserv_flags, 6),
            vs_byte6: bit(raw.encserv_flags, 5),
            multip: bit(raw.encserv_flags, 4),
            addr16: bit(raw.encserv_flags, 0),
            wbus16: bit(raw.cmdque_flags, 5),
            sync: bit(raw.cmdque_flags, 4),
            cmdque: bit(raw.cmdque_flags, 1),
            vs_byte7: bit(raw.cmdque_flags, 0),
            t10_vendor_identification: ascii_field(clamped(data, 8, 16)),
            product_identification: ascii_field(clamped(data, 16, 32)),
            product_revision_level: ascii_field(clamped(data, 32, 36)),
            vendor_specific: clamped(data, 36, 56).to_vec(),
            spi,
            version_descriptors,
            missing_bytes: announced.saturating_sub(buf.len()),
        })
    }

    /// The vendor specific bytes 36–55 as text, for the many drives that store a serial
    /// number there (SPC-5 6.7.2 leaves their content to the vendor).
    pub fn vendor_specific_text(&self) -> String {
        ascii_field(&self.vendor_specific)
    }
}

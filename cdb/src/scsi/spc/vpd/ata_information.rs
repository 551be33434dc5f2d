//! ATA Information, page 89h (SAT-5 10.3.2): what a SCSI/ATA translation layer reports
//! about itself and the ATA device behind it.

use super::header::VpdHeader;
use super::ATA_INFORMATION;
use crate::error::DecodeError;
use crate::scsi::sat::identify::IdentifyDeviceData;
use crate::scsi::spc::inquiry::coded::{clamped, coded_enum, read_padded};
use crate::text::ascii_field;
use serde::Serialize;
use zerocopy::{FromBytes, IntoBytes};

/// Offset of the IDENTIFY data in the page body (page byte 60).
const IDENTIFY_OFFSET: usize = 56;
/// Length of IDENTIFY DEVICE / IDENTIFY PACKET DEVICE data (ACS-4 7.13).
const IDENTIFY_LEN: usize = 512;

coded_enum! {
    /// COMMAND CODE, byte 56 (SAT-5 10.3.2): the command whose data fills bytes 60–571.
    pub enum IdentifyCommand: u8 {
        /// 00h: no IDENTIFY data is returned.
        None = 0x00 => "none",
        /// A1h: IDENTIFY PACKET DEVICE (an ATAPI device).
        IdentifyPacketDevice = 0xa1 => "IDENTIFY PACKET DEVICE",
        /// ECh: IDENTIFY DEVICE (an ATA device).
        IdentifyDevice = 0xec => "IDENTIFY DEVICE",
    }
    /// Other values: reserved.
    Reserved => "reserved";
}

coded_enum! {
    /// The device class the ATA signature's LBA MID and LBA HIGH registers announce after
    /// reset (ACS-4 9.1, table "Device signatures"; SATA 3.x for port multipliers and
    /// enclosure management bridges). The code is `LBA HIGH << 8 | LBA MID`.
    pub enum AtaSignatureType: u16 {
        /// LBA MID 00h, LBA HIGH 00h: ATA device.
        Ata = 0x0000 => "ATA device",
        /// LBA MID 14h, LBA HIGH EBh: ATAPI device.
        Atapi = 0xeb14 => "ATAPI device",
        /// LBA MID CDh, LBA HIGH ABh: host managed zoned device (ZAC).
        HostManagedZoned = 0xabcd => "host managed zoned device (ZAC)",
        /// LBA MID 3Ch, LBA HIGH C3h: SATA enclosure management bridge.
        EnclosureManagementBridge = 0xc33c => "SATA enclosure management bridge",
        /// LBA MID 69h, LBA HIGH 96h: SATA port multiplier.
        PortMultiplier = 0x9669 => "SATA port multiplier",
    }
    /// Any other register values.
    Unknown => "unknown";
}

/// Bytes 36–55 of the page, the ATA DEVICE SIGNATURE (SAT-5 10.3.2): the device's
/// registers after reset, in the layout of a Serial ATA Register Device to Host FIS.
#[derive(FromBytes, IntoBytes)]
#[repr(C)]
struct RawSignature {
    transport_identifier: u8,
    flags: u8,
    status: u8,
    error: u8,
    lba_low: u8,
    lba_mid: u8,
    lba_high: u8,
    device: u8,
    lba_low_exp: u8,
    lba_mid_exp: u8,
    lba_high_exp: u8,
    _reserved11: u8,
    count: u8,
    count_exp: u8,
    _reserved14: [u8; 6],
}

/// The ATA DEVICE SIGNATURE (SAT-5 10.3.2).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct AtaDeviceSignature {
    /// TRANSPORT IDENTIFIER (byte 36): 00h parallel ATA, 34h Serial ATA (the FIS type).
    pub transport_identifier: u8,
    /// The device class the signature announces.
    pub signature_type: AtaSignatureType,
    /// STATUS register.
    pub status: u8,
    /// ERROR register.
    pub error: u8,
    /// DEVICE register.
    pub device: u8,
    /// LBA, 48 bits (LBA LOW/MID/HIGH and their EXP registers).
    pub lba: u64,
    /// COUNT, 16 bits (COUNT and COUNT EXP registers).
    pub count: u16,
    /// The 20 signature bytes as returned.
    pub bytes: Vec<u8>,
}

/// The ATA Information page (SAT-5 10.3.2).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct AtaInformation {
    /// The page header.
    pub header: VpdHeader,
    /// SAT VENDOR IDENTIFICATION (bytes 8–15): who made the translation layer.
    pub sat_vendor_identification: String,
    /// SAT PRODUCT IDENTIFICATION (bytes 16–31).
    pub sat_product_identification: String,
    /// SAT PRODUCT REVISION LEVEL (bytes 32–35).
    pub sat_product_revision_level: String,
    /// ATA DEVICE SIGNATURE (bytes 36–55).
    pub device_signature: AtaDeviceSignature,
    /// COMMAND CODE (byte 56).
    pub command_code: IdentifyCommand,
    /// IDENTIFY DEVICE or IDENTIFY PACKET DEVICE data (bytes 60–571), as returned (at
    /// most 512 bytes; fewer if the allocation length cut it short). Decode it with the
    /// IDENTIFY decoder in `scsi::sat`.
    pub identify_data: Vec<u8>,
    /// The IDENTIFY DEVICE data decoded (ACS-4 7.13.7), when COMMAND CODE is ECh and all
    /// 512 bytes are present.
    pub identify_device: Option<IdentifyDeviceData>,
}

impl AtaInformation {
    /// Decodes page 89h.
    pub fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        let (header, body) =
            VpdHeader::split_expecting(buf, ATA_INFORMATION, "ATA Information: PAGE CODE")?;
        let signature_bytes = clamped(body, 32, 52);
        let s: RawSignature = read_padded(signature_bytes);
        let lba = [
            s.lba_high_exp,
            s.lba_mid_exp,
            s.lba_low_exp,
            s.lba_high,
            s.lba_mid,
            s.lba_low,
        ]
        .iter()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        let device_signature = AtaDeviceSignature {
            transport_identifier: s.transport_identifier,
            signature_type: AtaSignatureType::from_code(u16::from_be_bytes([
                s.lba_high, s.lba_mid,
            ])),
            status: s.status,
            error: s.error,
            device: s.device,
            lba,
            count: u16::from_be_bytes([s.count_exp, s.count]),
            bytes: signature_bytes.to_vec(),
        };
        let command_code = IdentifyCommand::from_code(body.get(52).copied().unwrap_or(0));
        let identify_data = clamped(body, IDENTIFY_OFFSET, IDENTIFY_OFFSET + IDENTIFY_LEN);
        Ok(AtaInformation {
            header,
            sat_vendor_identification: ascii_field(clamped(body, 4, 12)),
            sat_product_identification: ascii_field(clamped(body, 12, 28)),
            sat_product_revision_level: ascii_field(clamped(body, 28, 32)),
            device_signature,
            identify_device: match command_code {
                IdentifyCommand::IdentifyDevice => IdentifyDeviceData::decode(identify_data).ok(),
                _ => None,
            },
            command_code,
            identify_data: identify_data.to_vec(),
        })
    }
}

//! Designation descriptors (SPC-5 7.7.6.1): the identifiers in the Device Identification
//! page and the provisioning group descriptor of the Logical Block Provisioning page.

use crate::scsi::cdb_bytes::be_uint;
use crate::scsi::spc::inquiry::coded::coded_enum;
use crate::text::ascii_field;
use nom::bytes::complete::take;
use nom::{IResult, Parser};
use serde::Serialize;

coded_enum! {
    /// PROTOCOL IDENTIFIER (SPC-5 7.6.1, table "PROTOCOL IDENTIFIER values").
    pub enum ProtocolIdentifier: u8 {
        /// 0h: Fibre Channel (FCP-4).
        FibreChannel = 0x0 => "Fibre Channel (FCP)",
        /// 1h: parallel SCSI (SPI-5).
        ParallelScsi = 0x1 => "parallel SCSI (SPI)",
        /// 2h: SSA (SSA-S3P).
        Ssa = 0x2 => "SSA",
        /// 3h: IEEE 1394 (SBP-3).
        Ieee1394 = 0x3 => "IEEE 1394 (SBP)",
        /// 4h: SCSI RDMA protocol (SRP-2).
        Srp = 0x4 => "SCSI RDMA (SRP)",
        /// 5h: iSCSI (RFC 7143).
        Iscsi = 0x5 => "iSCSI",
        /// 6h: SAS serial SCSI protocol (SPL-4).
        Sas = 0x6 => "SAS (SPL)",
        /// 7h: automation/drive interface transport (ADT-2).
        Adt = 0x7 => "automation/drive interface (ADT)",
        /// 8h: AT attachment interface (ACS-4).
        Ata = 0x8 => "ATA/ATAPI (ACS)",
        /// 9h: USB attached SCSI (UAS-2).
        Uas = 0x9 => "USB attached SCSI (UAS)",
        /// Ah: SCSI over PCI Express architecture (SOP).
        Sop = 0xa => "SCSI over PCI Express (SOP)",
        /// Bh: PCI Express protocols (PCIe).
        PciExpress = 0xb => "PCI Express",
        /// Fh: no specific protocol.
        None = 0xf => "no specific protocol",
    }
    /// Ch–Eh: reserved.
    Reserved => "reserved";
}

coded_enum! {
    /// CODE SET (SPC-5 7.7.6.1, table "CODE SET field").
    pub enum CodeSet: u8 {
        /// 1h: binary values.
        Binary = 0x1 => "binary",
        /// 2h: printable ASCII.
        Ascii = 0x2 => "ASCII",
        /// 3h: UTF-8.
        Utf8 = 0x3 => "UTF-8",
    }
    /// 0h, 4h–Fh: reserved.
    Reserved => "reserved";
}

coded_enum! {
    /// ASSOCIATION (SPC-5 7.7.6.1, table "ASSOCIATION field"): what the designator names.
    pub enum Association: u8 {
        /// 00b: the addressed logical unit.
        LogicalUnit = 0 => "logical unit",
        /// 01b: the target port that received the command.
        TargetPort = 1 => "target port",
        /// 10b: the SCSI target device containing the logical unit.
        TargetDevice = 2 => "target device",
    }
    /// 11b: reserved.
    Reserved => "reserved";
}

coded_enum! {
    /// DESIGNATOR TYPE (SPC-5 7.7.6.1, table "DESIGNATOR TYPE field").
    pub enum DesignatorType: u8 {
        /// 0h: vendor specific (SPC-5 7.7.6.2).
        VendorSpecific = 0x0 => "vendor specific",
        /// 1h: T10 vendor ID based (SPC-5 7.7.6.3).
        T10VendorId = 0x1 => "T10 vendor ID based",
        /// 2h: EUI-64 based (SPC-5 7.7.6.4).
        Eui64 = 0x2 => "EUI-64 based",
        /// 3h: NAA (SPC-5 7.7.6.5).
        Naa = 0x3 => "NAA",
        /// 4h: relative target port identifier (SPC-5 7.7.6.6).
        RelativeTargetPort = 0x4 => "relative target port identifier",
        /// 5h: target port group (SPC-5 7.7.6.7).
        TargetPortGroup = 0x5 => "target port group",
        /// 6h: logical unit group (SPC-5 7.7.6.8).
        LogicalUnitGroup = 0x6 => "logical unit group",
        /// 7h: MD5 logical unit identifier (SPC-5 7.7.6.9).
        Md5LogicalUnitIdentifier = 0x7 => "MD5 logical unit identifier",
        /// 8h: SCSI name string (SPC-5 7.7.6.10).
        ScsiNameString = 0x8 => "SCSI name string",
        /// 9h: protocol specific port identifier (SPC-5 7.7.6.11).
        ProtocolSpecificPortIdentifier = 0x9 => "protocol specific port identifier",
        /// Ah: UUID (SPC-5 7.7.6.12).
        Uuid = 0xa => "UUID",
    }
    /// Bh–Fh: reserved.
    Reserved => "reserved";
}

/// An EUI-64 based designator (SPC-5 7.7.6.4) in any of its three lengths.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Eui64 {
    /// IDENTIFIER EXTENSION (16-byte form only, bytes 0–7), as hex.
    #[serde(serialize_with = "crate::json::hex_u64_option")]
    #[schemars(with = "Option<String>")]
    pub identifier_extension: Option<u64>,
    /// IEEE COMPANY_ID (24 bits).
    pub ieee_company_id: u32,
    /// VENDOR SPECIFIC EXTENSION IDENTIFIER (40 bits).
    pub vendor_specific_extension_identifier: u64,
    /// DIRECTORY ID (12-byte form only, bytes 8–11).
    pub directory_id: Option<u32>,
}

/// An NAA designator's fields by NAA format (SPC-5 7.7.6.5).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "format", rename_all = "snake_case")]
pub enum Naa {
    /// NAA 2h, IEEE Extended (SPC-5 7.7.6.5.2): 8 bytes.
    IeeeExtended {
        /// VENDOR SPECIFIC IDENTIFIER A (12 bits).
        vendor_specific_identifier_a: u16,
        /// IEEE COMPANY_ID (24 bits).
        ieee_company_id: u32,
        /// VENDOR SPECIFIC IDENTIFIER B (24 bits).
        vendor_specific_identifier_b: u32,
    },
    /// NAA 3h, Locally Assigned (SPC-5 7.7.6.5.3): 8 bytes.
    LocallyAssigned {
        /// LOCALLY ADMINISTERED VALUE (60 bits), as hex.
        #[serde(serialize_with = "crate::json::hex_u64")]
        #[schemars(with = "String")]
        locally_administered_value: u64,
    },
    /// NAA 5h, IEEE Registered (SPC-5 7.7.6.5.4): 8 bytes.
    IeeeRegistered {
        /// IEEE COMPANY_ID (24 bits).
        ieee_company_id: u32,
        /// VENDOR SPECIFIC IDENTIFIER (36 bits).
        vendor_specific_identifier: u64,
    },
    /// NAA 6h, IEEE Registered Extended (SPC-5 7.7.6.5.5): 16 bytes.
    IeeeRegisteredExtended {
        /// IEEE COMPANY_ID (24 bits).
        ieee_company_id: u32,
        /// VENDOR SPECIFIC IDENTIFIER (36 bits).
        vendor_specific_identifier: u64,
        /// VENDOR SPECIFIC IDENTIFIER EXTENSION (64 bits), as hex.
        #[serde(serialize_with = "crate::json::hex_u64")]
        #[schemars(with = "String")]
        vendor_specific_identifier_extension: u64,
    },
    /// Any other NAA value (reserved).
    Reserved {
        /// The NAA field.
        naa: u8,
    },
}

/// A protocol specific port identifier (SPC-5 7.7.6.11), by PROTOCOL IDENTIFIER.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "protocol", rename_all = "snake_case")]
pub enum ProtocolSpecificPort {
    /// USB target port identifier (UAS-2): DEVICE ADDRESS and INTERFACE NUMBER.
    Usb {
        /// DEVICE ADDRESS (byte 0 bits 6–0).
        device_address: u8,
        /// INTERFACE NUMBER (byte 2).
        interface_number: u8,
    },
    /// PCI Express routing ID (SOP): bytes 0–1.
    PciExpress {
        /// PCI EXPRESS ROUTING ID.
        routing_id: u16,
    },
    /// Another protocol's identifier, kept as bytes.
    Other {
        /// The designator bytes.
        bytes: Vec<u8>,
    },
}

/// The DESIGNATOR field, decoded by DESIGNATOR TYPE (SPC-5 7.7.6.2–7.7.6.12).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Designator {
    /// 0h: vendor specific bytes, with their text when the code set is ASCII or UTF-8.
    VendorSpecific {
        /// The designator bytes.
        bytes: Vec<u8>,
        /// The bytes as text, for the ASCII and UTF-8 code sets.
        text: Option<String>,
    },
    /// 1h: T10 vendor ID based.
    T10VendorId {
        /// T10 VENDOR IDENTIFICATION (bytes 0–7).
        t10_vendor_identification: String,
        /// VENDOR SPECIFIC IDENTIFIER (bytes 8 and up), as text.
        vendor_specific_identifier: String,
    },
    /// 2h: EUI-64 based.
    Eui64(Eui64),
    /// 3h: NAA.
    Naa {
        /// The whole designator in hex, as commonly printed (`5000c500...`).
        identifier: String,
        /// Its fields.
        naa: Naa,
    },
    /// 4h: relative target port identifier.
    RelativeTargetPort {
        /// RELATIVE TARGET PORT IDENTIFIER (bytes 2–3).
        relative_target_port_identifier: u16,
    },
    /// 5h: target port group.
    TargetPortGroup {
        /// TARGET PORT GROUP (bytes 2–3).
        target_port_group: u16,
    },
    /// 6h: logical unit group.
    LogicalUnitGroup {
        /// LOGICAL UNIT GROUP (bytes 2–3).
        logical_unit_group: u16,
    },
    /// 7h: MD5 logical unit identifier (16 bytes), in hex.
    Md5LogicalUnitIdentifier {
        /// MD5 LOGICAL UNIT IDENTIFIER in hex.
        md5: String,
    },
    /// 8h: SCSI name string (UTF-8, NUL-terminated and padded).
    ScsiNameString {
        /// SCSI NAME STRING without its NUL padding (`iqn.`, `naa.`, `eui.` prefixes kept).
        scsi_name_string: String,
    },
    /// 9h: protocol specific port identifier.
    ProtocolSpecificPortIdentifier {
        /// The identifier, decoded by PROTOCOL IDENTIFIER.
        port: ProtocolSpecificPort,
    },
    /// Ah: UUID.
    Uuid {
        /// UUID TYPE (byte 0 bits 7–4); 1h is a locally assigned RFC 4122 UUID.
        uuid_type: u8,
        /// UUID in the 8-4-4-4-12 hex form.
        uuid: String,
    },
    /// A reserved designator type, kept as bytes.
    Reserved {
        /// The designator bytes.
        bytes: Vec<u8>,
    },
    /// A designator whose length does not fit its type, kept as bytes.
    Malformed {
        /// What is wrong.
        problem: &'static str,
        /// The designator bytes.
        bytes: Vec<u8>,
    },
}

/// One designation descriptor (SPC-5 7.7.6.1, table "Designation descriptor").
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct DesignationDescriptor {
    /// PROTOCOL IDENTIFIER (byte 0 bits 7–4); meaningful only when [`Self::protocol`]
    /// returns it.
    pub protocol_identifier: ProtocolIdentifier,
    /// CODE SET (byte 0 bits 3–0).
    pub code_set: CodeSet,
    /// PIV: PROTOCOL IDENTIFIER is valid (byte 1 bit 7).
    pub piv: bool,
    /// ASSOCIATION (byte 1 bits 5–4).
    pub association: Association,
    /// DESIGNATOR TYPE (byte 1 bits 3–0).
    pub designator_type: DesignatorType,
    /// The DESIGNATOR, decoded.
    pub designator: Designator,
}

impl DesignationDescriptor {
    /// The protocol the designator belongs to: SPC-5 7.7.6.1 makes PROTOCOL IDENTIFIER
    /// valid only with PIV set and a target port or target device association.
    pub fn protocol(&self) -> Option<ProtocolIdentifier> {
        valid_protocol(self.piv, self.association, self.protocol_identifier)
    }
}

/// PROTOCOL IDENTIFIER when PIV and ASSOCIATION make it valid (SPC-5 7.7.6.1).
fn valid_protocol(
    piv: bool,
    association: Association,
    protocol_identifier: ProtocolIdentifier,
) -> Option<ProtocolIdentifier> {
    let port_or_device = matches!(
        association,
        Association::TargetPort | Association::TargetDevice
    );
    (piv && port_or_device).then_some(protocol_identifier)
}

/// Length of a designation descriptor's header.
const DESCRIPTOR_HEADER_LEN: usize = 4;

/// One descriptor: its four header bytes and its designator.
fn raw_descriptor(input: &[u8]) -> IResult<&[u8], (&[u8], &[u8])> {
    let (rest, head) = take(DESCRIPTOR_HEADER_LEN).parse(input)?;
    let (rest, designator) = take(usize::from(head[3])).parse(rest)?;
    Ok((rest, (head, designator)))
}

/// Decodes a list of designation descriptors filling `buf`.
///
/// Returns the descriptors that fit and, if the last one overruns the buffer, a
/// description of that problem instead of failing: the page may have been cut short by
/// the allocation length, and the descriptors before are still valid.
pub(crate) fn decode_list(mut buf: &[u8]) -> (Vec<DesignationDescriptor>, Option<&'static str>) {
    let mut out = Vec::new();
    while !buf.is_empty() {
        match raw_descriptor(buf) {
            Ok((rest, (head, designator))) => {
                out.push(decode_descriptor(head, designator));
                buf = rest;
            }
            Err(_) => {
                return (
                    out,
                    Some("designation descriptor overruns the returned data"),
                )
            }
        }
    }
    (out, None)
}

/// Decodes one descriptor from its header bytes (at least 4) and designator.
fn decode_descriptor(head: &[u8], designator: &[u8]) -> DesignationDescriptor {
    let protocol_identifier = ProtocolIdentifier::from_code(head[0] >> 4);
    let code_set = CodeSet::from_code(head[0] & 0x0f);
    let piv = head[1] & 0x80 != 0;
    let association = Association::from_code((head[1] >> 4) & 0x3);
    let designator_type = DesignatorType::from_code(head[1] & 0x0f);
    let protocol = valid_protocol(piv, association, protocol_identifier);
    DesignationDescriptor {
        protocol_identifier,
        code_set,
        piv,
        association,
        designator_type,
        designator: decode_designator(designator_type, code_set, protocol, designator),
    }
}

/// Lower-case hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    crate::json::hex_text(bytes, "")
}

fn malformed(problem: &'static str, bytes: &[u8]) -> Designator {
    Designator::Malformed {
        problem,
        bytes: bytes.to_vec(),
    }
}

/// Decodes a DESIGNATOR by type; lengths the type does not allow give
/// [`Designator::Malformed`].
fn decode_designator(
    designator_type: DesignatorType,
    code_set: CodeSet,
    protocol: Option<ProtocolIdentifier>,
    bytes: &[u8],
) -> Designator {
    match designator_type {
        DesignatorType::VendorSpecific => Designator::VendorSpecific {
            bytes: bytes.to_vec(),
            text: matches!(code_set, CodeSet::Ascii | CodeSet::Utf8).then(|| {
                String::from_utf8_lossy(bytes)
                    .trim_end_matches(['\0', ' '])
                    .to_owned()
            }),
        },
        DesignatorType::T10VendorId if bytes.len() >= 8 => Designator::T10VendorId {
            t10_vendor_identification: ascii_field(&bytes[..8]),
            vendor_specific_identifier: ascii_field(&bytes[8..]),
        },
        DesignatorType::T10VendorId => malformed("T10 vendor ID shorter than 8 bytes", bytes),
        DesignatorType::Eui64 => decode_eui64(bytes),
        DesignatorType::Naa => decode_naa(bytes),
        DesignatorType::RelativeTargetPort
        | DesignatorType::TargetPortGroup
        | DesignatorType::LogicalUnitGroup => decode_u16_designator(designator_type, bytes),
        DesignatorType::Md5LogicalUnitIdentifier if bytes.len() == 16 => {
            Designator::Md5LogicalUnitIdentifier { md5: hex(bytes) }
        }
        DesignatorType::Md5LogicalUnitIdentifier => {
            malformed("MD5 logical unit identifier is not 16 bytes", bytes)
        }
        DesignatorType::ScsiNameString => {
            let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
            Designator::ScsiNameString {
                scsi_name_string: String::from_utf8_lossy(&bytes[..end]).into_owned(),
            }
        }
        DesignatorType::ProtocolSpecificPortIdentifier => {
            Designator::ProtocolSpecificPortIdentifier {
                port: decode_protocol_port(protocol, bytes),
            }
        }
        DesignatorType::Uuid if bytes.len() == 18 => {
            let u = &bytes[2..];
            Designator::Uuid {
                uuid_type: bytes[0] >> 4,
                uuid: format!(
                    "{}-{}-{}-{}-{}",
                    hex(&u[..4]),
                    hex(&u[4..6]),
                    hex(&u[6..8]),
                    hex(&u[8..10]),
                    hex(&u[10..])
                ),
            }
        }
        DesignatorType::Uuid => malformed("UUID designator is not 18 bytes", bytes),
        DesignatorType::Reserved(_) => Designator::Reserved {
            bytes: bytes.to_vec(),
        },
    }
}

/// Types 4h, 5h, 6h: two reserved bytes and a 16-bit value (SPC-5 7.7.6.6–7.7.6.8).
fn decode_u16_designator(kind: DesignatorType, bytes: &[u8]) -> Designator {
    if bytes.len() != 4 {
        return malformed("designator is not 4 bytes", bytes);
    }
    let value = u16::from_be_bytes([bytes[2], bytes[3]]);
    match kind {
        DesignatorType::RelativeTargetPort => Designator::RelativeTargetPort {
            relative_target_port_identifier: value,
        },
        DesignatorType::TargetPortGroup => Designator::TargetPortGroup {
            target_port_group: value,
        },
        _ => Designator::LogicalUnitGroup {
            logical_unit_group: value,
        },
    }
}

/// EUI-64 based designators: 8, 12 or 16 bytes (SPC-5 7.7.6.4).
fn decode_eui64(bytes: &[u8]) -> Designator {
    let (extension, eui, directory) = match bytes.len() {
        8 => (None, bytes, None),
        12 => (None, &bytes[..8], Some(&bytes[8..])),
        16 => (Some(&bytes[..8]), &bytes[8..], None),
        _ => return malformed("EUI-64 designator is not 8, 12 or 16 bytes", bytes),
    };
    Designator::Eui64(Eui64 {
        identifier_extension: extension.map(be_uint),
        ieee_company_id: be_uint(&eui[..3]) as u32,
        vendor_specific_extension_identifier: be_uint(&eui[3..]),
        directory_id: directory.map(|d| be_uint(d) as u32),
    })
}

/// NAA designators (SPC-5 7.7.6.5).
fn decode_naa(bytes: &[u8]) -> Designator {
    let Some(&first) = bytes.first() else {
        return malformed("NAA designator is empty", bytes);
    };
    let naa_field = first >> 4;
    let want = if naa_field == 6 { 16 } else { 8 };
    if bytes.len() != want {
        return malformed("NAA designator length does not match its NAA field", bytes);
    }
    let v = be_uint(&bytes[..8]);
    let naa = match naa_field {
        2 => Naa::IeeeExtended {
            vendor_specific_identifier_a: ((v >> 48) & 0xfff) as u16,
            ieee_company_id: ((v >> 24) & 0xff_ffff) as u32,
            vendor_specific_identifier_b: (v & 0xff_ffff) as u32,
        },
        3 => Naa::LocallyAssigned {
            locally_administered_value: v & 0x0fff_ffff_ffff_ffff,
        },
        5 => Naa::IeeeRegistered {
            ieee_company_id: ((v >> 36) & 0xff_ffff) as u32,
            vendor_specific_identifier: v & 0xf_ffff_ffff,
        },
        6 => Naa::IeeeRegisteredExtended {
            ieee_company_id: ((v >> 36) & 0xff_ffff) as u32,
            vendor_specific_identifier: v & 0xf_ffff_ffff,
            vendor_specific_identifier_extension: be_uint(&bytes[8..]),
        },
        naa => Naa::Reserved { naa },
    };
    Designator::Naa {
        identifier: hex(bytes),
        naa,
    }
}

/// Protocol specific port identifiers (SPC-5 7.7.6.11).
fn decode_protocol_port(
    protocol: Option<ProtocolIdentifier>,
    bytes: &[u8],
) -> ProtocolSpecificPort {
    match (protocol, bytes) {
        (Some(ProtocolIdentifier::Uas), [address, _, interface, _]) => ProtocolSpecificPort::Usb {
            device_address: address & 0x7f,
            interface_number: *interface,
        },
        (Some(ProtocolIdentifier::Sop), [hi, lo, _, _]) => ProtocolSpecificPort::PciExpress {
            routing_id: u16::from_be_bytes([*hi, *lo]),
        },
        _ => ProtocolSpecificPort::Other {
            bytes: bytes.to_vec(),
        },
    }
}

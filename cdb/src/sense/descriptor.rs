//! Descriptor format sense data (SPC-5 4.4.2): response codes 72h and 73h, and the sense
//! data descriptors it carries (SPC-5 4.4.2.1, table 29).

use super::key::SenseKey;
use super::problem::Problem;
use super::sks::{progress_percent, SenseKeySpecific};
use super::{decode_nested, Header, SenseData};
use crate::scsi::cdb_bytes::be_uint;
use serde::Serialize;

/// Length of the descriptor format header (SPC-5 4.4.2, table 28).
pub const DESCRIPTOR_HEADER_LEN: usize = 8;

/// The fields of descriptor format sense data after the common header (SPC-5 4.4.2).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct DescriptorSense {
    /// SDAT_OVFL (byte 4 bit 7): the sense data did not fit the device's sense buffer.
    pub sdat_ovfl: bool,
    /// ADDITIONAL SENSE LENGTH (byte 7).
    pub additional_sense_length: Option<u8>,
    /// The sense data descriptors, in order.
    pub descriptors: Vec<SenseDescriptor>,
}

/// One sense data descriptor (SPC-5 4.4.2.1): its type code, the type's name and its
/// decoded contents.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SenseDescriptor {
    /// DESCRIPTOR TYPE (byte 0).
    pub descriptor_type: u8,
    /// The type's name (SPC-5 table 29).
    pub name: &'static str,
    /// The decoded fields.
    #[serde(flatten)]
    pub body: DescriptorBody,
}

/// The contents of a sense data descriptor, by type (SPC-5 table 29).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DescriptorBody {
    /// 00h Information (SPC-5 4.4.2.2).
    Information {
        /// VALID: the INFORMATION field is defined by a standard.
        valid: bool,
        /// INFORMATION.
        information: u64,
    },
    /// 01h Command-specific information (SPC-5 4.4.2.3).
    CommandSpecificInformation {
        /// COMMAND-SPECIFIC INFORMATION.
        command_specific_information: u64,
    },
    /// 02h Sense key specific (SPC-5 4.4.2.4).
    SenseKeySpecific {
        /// SKSV: the field is valid.
        sksv: bool,
        /// The field decoded for the sense key, when SKSV is one.
        sense_key_specific: Option<SenseKeySpecific>,
    },
    /// 03h Field replaceable unit (SPC-5 4.4.2.5).
    FieldReplaceableUnit {
        /// FIELD REPLACEABLE UNIT CODE.
        field_replaceable_unit_code: u8,
    },
    /// 04h Stream commands (SPC-5 4.4.2.6, SSC-4).
    StreamCommands {
        /// FILEMARK.
        filemark: bool,
        /// EOM.
        eom: bool,
        /// ILI.
        ili: bool,
    },
    /// 05h Block commands (SPC-5 4.4.2.7, SBC-4).
    BlockCommands {
        /// ILI.
        ili: bool,
    },
    /// 06h OSD object identification (SPC-5 4.4.2.8, OSD-2).
    OsdObjectIdentification {
        /// NOT INITIATED COMMAND FUNCTIONS.
        not_initiated_command_functions: u32,
        /// COMPLETED COMMAND FUNCTIONS.
        completed_command_functions: u32,
        /// PARTITION_ID, as hex.
        #[serde(serialize_with = "crate::json::hex_u64")]
        #[schemars(with = "String")]
        partition_id: u64,
        /// OBJECT_ID, as hex.
        #[serde(serialize_with = "crate::json::hex_u64")]
        #[schemars(with = "String")]
        object_id: u64,
    },
    /// 07h OSD response integrity check value (SPC-5 4.4.2.8, OSD-2): kept as bytes.
    OsdResponseIntegrityCheckValue {
        /// The descriptor bytes after the two-byte header.
        bytes: Vec<u8>,
    },
    /// 08h OSD attribute identification (SPC-5 4.4.2.8, OSD-2).
    OsdAttributeIdentification {
        /// The attributes named, as (ATTRIBUTES PAGE, ATTRIBUTE NUMBER) pairs.
        attributes: Vec<OsdAttribute>,
    },
    /// 09h ATA Status Return (SPC-5 4.4.2.8, SAT-5 12.2.2.7).
    AtaStatusReturn {
        /// EXTEND: the ATA command was a 48-bit command; COUNT and LBA hold all bits.
        extend: bool,
        /// ERROR.
        error: u8,
        /// COUNT (15:8 only when EXTEND is one).
        count: u16,
        /// LBA (47:24 only when EXTEND is one).
        lba: u64,
        /// DEVICE.
        device: u8,
        /// STATUS.
        status: u8,
    },
    /// 0Ah Another progress indication (SPC-5 4.4.2.9).
    AnotherProgressIndication {
        /// SENSE KEY of the operation in progress.
        sense_key: SenseKey,
        /// ADDITIONAL SENSE CODE.
        asc: u8,
        /// ADDITIONAL SENSE CODE QUALIFIER.
        ascq: u8,
        /// The T10 text of the ASC/ASCQ pair.
        description: Option<String>,
        /// PROGRESS INDICATION, a numerator over 65 536.
        progress_indication: u16,
        /// The same as a percentage.
        percent: f64,
    },
    /// 0Bh User data segment referral (SPC-5 4.4.2.10, SBC-4 4.28).
    UserDataSegmentReferral {
        /// NOT_ALL_R: not every referral is reported.
        not_all_r: bool,
        /// The user data segment referral descriptors that are complete.
        referrals: Vec<UserDataSegmentReferral>,
    },
    /// 0Ch Forwarded sense data (SPC-5 4.4.2.11).
    ForwardedSenseData {
        /// FSDT: the forwarded sense data was truncated.
        fsdt: bool,
        /// SENSE DATA SOURCE (0h the EXTENDED COPY source device, 1h–7h destination device
        /// 0–6).
        sense_data_source: u8,
        /// FORWARDED STATUS: the SCSI status the source device returned.
        forwarded_status: u8,
        /// The forwarded sense data, decoded.
        sense: Option<Box<SenseData>>,
    },
    /// 0Dh Direct-access block device (SPC-5 4.4.2.12, SBC-4 4.18.2).
    DirectAccessBlockDevice {
        /// VALID: the INFORMATION field is defined by a standard.
        valid: bool,
        /// ILI.
        ili: bool,
        /// SKSV.
        sksv: bool,
        /// SENSE KEY SPECIFIC, when SKSV is one.
        sense_key_specific: Option<SenseKeySpecific>,
        /// FIELD REPLACEABLE UNIT CODE.
        field_replaceable_unit_code: u8,
        /// INFORMATION.
        information: u64,
        /// COMMAND-SPECIFIC INFORMATION.
        command_specific_information: u64,
    },
    /// 0Eh Device designation (SPC-5 4.4.2.13).
    DeviceDesignation {
        /// DESIGNATION USAGE REASON (byte 3).
        usage_reason: u8,
        /// The designation descriptor (as in VPD page 83h, SPC-5 7.7.6.1), if present.
        designation: Option<Designation>,
    },
    /// 0Fh Microcode activation time (SPC-5 4.4.2.14).
    MicrocodeActivationTime {
        /// MICROCODE ACTIVATION TIME in seconds; zero means unknown.
        microcode_activation_time: u16,
    },
    /// Vendor specific (80h–FFh), reserved types, and descriptors too short to decode.
    Raw {
        /// The descriptor bytes after the two-byte header.
        bytes: Vec<u8>,
    },
}

/// One OSD attribute named by an OSD attribute identification descriptor (OSD-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct OsdAttribute {
    /// ATTRIBUTES PAGE.
    pub attributes_page: u32,
    /// ATTRIBUTE NUMBER.
    pub attribute_number: u32,
}

/// A user data segment referral descriptor (SBC-4 4.28, table 14).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct UserDataSegmentReferral {
    /// FIRST USER DATA SEGMENT LBA.
    pub first_user_data_segment_lba: u64,
    /// LAST USER DATA SEGMENT LBA.
    pub last_user_data_segment_lba: u64,
    /// The target port groups and their asymmetric access states.
    pub target_port_groups: Vec<ReferralTargetPortGroup>,
}

/// A target port group descriptor inside a referral (SBC-4 4.28, table 15).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ReferralTargetPortGroup {
    /// ASYMMETRIC ACCESS STATE (SPC-5 5.16.2.2).
    pub asymmetric_access_state: u8,
    /// TARGET PORT GROUP.
    pub target_port_group: u16,
}

/// A designation descriptor (SPC-5 7.7.6.1, table 642), decoded minimally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Designation {
    /// PROTOCOL IDENTIFIER (byte 0 bits 7:4).
    pub protocol_identifier: u8,
    /// CODE SET (byte 0 bits 3:0): 1 binary, 2 ASCII, 3 UTF-8.
    pub code_set: u8,
    /// PIV (byte 1 bit 7): PROTOCOL IDENTIFIER is valid.
    pub piv: bool,
    /// ASSOCIATION (byte 1 bits 5:4): 0 logical unit, 1 target port, 2 target device.
    pub association: u8,
    /// DESIGNATOR TYPE (byte 1 bits 3:0).
    pub designator_type: u8,
    /// DESIGNATOR, as many bytes as present up to DESIGNATOR LENGTH.
    pub designator: Vec<u8>,
}

/// The name of a DESCRIPTOR TYPE (SPC-5 table 29).
pub fn descriptor_type_name(descriptor_type: u8) -> &'static str {
    match descriptor_type {
        0x00 => "Information",
        0x01 => "Command-specific information",
        0x02 => "Sense key specific",
        0x03 => "Field replaceable unit",
        0x04 => "Stream commands",
        0x05 => "Block commands",
        0x06 => "OSD object identification",
        0x07 => "OSD response integrity check value",
        0x08 => "OSD attribute identification",
        0x09 => "ATA Status Return",
        0x0A => "Another progress indication",
        0x0B => "User data segment referral",
        0x0C => "Forwarded sense data",
        0x0D => "Direct-access block device",
        0x0E => "Device designation",
        0x0F => "Microcode activation time",
        0x80..=0xFF => "Vendor specific",
        _ => "Reserved",
    }
}

/// The fewest bytes (header included) a descriptor of each type needs to be decoded;
/// `None` for types kept raw.
fn min_len(descriptor_type: u8) -> Option<usize> {
    Some(match descriptor_type {
        0x00 | 0x01 => 12,
        0x02 | 0x0A | 0x0F => 8,
        0x03..=0x05 | 0x0B | 0x0C | 0x0E => 4,
        0x06 => 32,
        0x07 | 0x08 => 2,
        0x09 => 14,
        0x0D => 24,
        _ => return None,
    })
}

/// Decodes descriptor format sense data, collecting what is wrong with it in `problems`.
pub(super) fn decode(
    buf: &[u8],
    depth: usize,
    problems: &mut Vec<Problem>,
) -> (Header, DescriptorSense) {
    let have = buf.len();
    if have < DESCRIPTOR_HEADER_LEN {
        problems.push(Problem::ShortHeader {
            need: DESCRIPTOR_HEADER_LEN,
            have,
        });
    }
    let end = match buf.get(7) {
        Some(&asl) => {
            let declared = DESCRIPTOR_HEADER_LEN + usize::from(asl);
            if declared > have {
                problems.push(Problem::Truncated { declared, have });
            }
            declared.min(have)
        }
        None => have,
    };
    let sense_key = buf.get(1).copied();
    let header = Header {
        sense_key,
        asc_ascq: buf.get(2).zip(buf.get(3)).map(|(&a, &q)| (a, q)),
    };
    let mut descriptors = Vec::new();
    let mut pos = DESCRIPTOR_HEADER_LEN;
    while let Some(rest) = buf.get(pos..end).filter(|r| !r.is_empty()) {
        let descriptor_type = rest[0];
        let declared = rest.get(1).map_or(2, |&n| 2 + usize::from(n));
        if declared > rest.len() {
            problems.push(Problem::DescriptorOverrun {
                offset: pos,
                descriptor_type,
                declared,
                have: rest.len(),
            });
        }
        let bytes = rest.get(..declared).unwrap_or(rest);
        let body = decode_one(bytes, sense_key.unwrap_or(0), depth, pos, problems);
        descriptors.push(SenseDescriptor {
            descriptor_type,
            name: descriptor_type_name(descriptor_type),
            body,
        });
        pos += declared;
    }
    let sense = DescriptorSense {
        sdat_ovfl: buf.get(4).is_some_and(|b| b & 0x80 != 0),
        additional_sense_length: buf.get(7).copied(),
        descriptors,
    };
    (header, sense)
}

/// Decodes one descriptor (`d` starts at its DESCRIPTOR TYPE byte and holds no more than
/// its declared length).
fn decode_one(
    d: &[u8],
    sense_key: u8,
    depth: usize,
    offset: usize,
    problems: &mut Vec<Problem>,
) -> DescriptorBody {
    let descriptor_type = d.first().copied().unwrap_or(0);
    let raw = || DescriptorBody::Raw {
        bytes: d.get(2..).unwrap_or_default().to_vec(),
    };
    let Some(need) = min_len(descriptor_type) else {
        return raw();
    };
    if d.len() < need {
        problems.push(Problem::DescriptorTooShort {
            offset,
            descriptor_type,
            have: d.len(),
            need,
        });
        return raw();
    }
    // Every index below is within `need` bytes, checked just above.
    let be = |range: std::ops::Range<usize>| be_uint(d.get(range).unwrap_or_default());
    let sks = |at: usize| {
        d.get(at..at + 3)
            .and_then(|s| <[u8; 3]>::try_from(s).ok())
            .and_then(|b| SenseKeySpecific::decode(sense_key, b))
    };
    match descriptor_type {
        0x00 => DescriptorBody::Information {
            valid: d[2] & 0x80 != 0,
            information: be(4..12),
        },
        0x01 => DescriptorBody::CommandSpecificInformation {
            command_specific_information: be(4..12),
        },
        0x02 => DescriptorBody::SenseKeySpecific {
            sksv: d[4] & 0x80 != 0,
            sense_key_specific: sks(4),
        },
        0x03 => DescriptorBody::FieldReplaceableUnit {
            field_replaceable_unit_code: d[3],
        },
        0x04 => DescriptorBody::StreamCommands {
            filemark: d[3] & 0x80 != 0,
            eom: d[3] & 0x40 != 0,
            ili: d[3] & 0x20 != 0,
        },
        0x05 => DescriptorBody::BlockCommands {
            ili: d[3] & 0x20 != 0,
        },
        0x06 => DescriptorBody::OsdObjectIdentification {
            not_initiated_command_functions: be(8..12) as u32,
            completed_command_functions: be(12..16) as u32,
            partition_id: be(16..24),
            object_id: be(24..32),
        },
        0x07 => DescriptorBody::OsdResponseIntegrityCheckValue {
            bytes: d[2..].to_vec(),
        },
        0x08 => DescriptorBody::OsdAttributeIdentification {
            attributes: d
                .get(8..)
                .unwrap_or_default()
                .chunks_exact(8)
                .map(|c| OsdAttribute {
                    attributes_page: be_uint(&c[..4]) as u32,
                    attribute_number: be_uint(&c[4..]) as u32,
                })
                .collect(),
        },
        0x09 => ata_status_return(d),
        0x0A => DescriptorBody::AnotherProgressIndication {
            sense_key: SenseKey::from_bits(d[2]),
            asc: d[3],
            ascq: d[4],
            description: super::asc::describe(d[3], d[4]),
            progress_indication: be(6..8) as u16,
            percent: progress_percent(be(6..8) as u16),
        },
        0x0B => DescriptorBody::UserDataSegmentReferral {
            not_all_r: d[3] & 0x01 != 0,
            referrals: referrals(&d[4..]),
        },
        0x0C => {
            let forwarded = &d[4..];
            if forwarded.is_empty() {
                problems.push(Problem::EmptyForwardedSense { offset });
            }
            DescriptorBody::ForwardedSenseData {
                fsdt: d[2] & 0x80 != 0,
                sense_data_source: d[2] & 0x0F,
                forwarded_status: d[3],
                sense: decode_nested(forwarded, depth + 1, problems).map(Box::new),
            }
        }
        0x0D => DescriptorBody::DirectAccessBlockDevice {
            valid: d[2] & 0x80 != 0,
            ili: d[2] & 0x20 != 0,
            sksv: d[4] & 0x80 != 0,
            sense_key_specific: sks(4),
            field_replaceable_unit_code: d[7],
            information: be(8..16),
            command_specific_information: be(16..24),
        },
        0x0E => DescriptorBody::DeviceDesignation {
            usage_reason: d[3],
            designation: designation(&d[4..]),
        },
        0x0F => DescriptorBody::MicrocodeActivationTime {
            microcode_activation_time: be(6..8) as u16,
        },
        _ => raw(),
    }
}

/// The ATA Status Return descriptor (SAT-5 12.2.2.7); `d` holds at least 14 bytes.
fn ata_status_return(d: &[u8]) -> DescriptorBody {
    let byte = |i: usize| u64::from(d.get(i).copied().unwrap_or(0));
    let extend = byte(2) & 0x01 != 0;
    // LBA bits 7:0, 15:8, 23:16 are in bytes 7, 9, 11; bits 31:24, 39:32, 47:40 in 6, 8, 10.
    let low = byte(7) | byte(9) << 8 | byte(11) << 16;
    let high = byte(6) | byte(8) << 8 | byte(10) << 16;
    let (count, lba) = if extend {
        (byte(4) << 8 | byte(5), low | high << 24)
    } else {
        (byte(5), low)
    };
    DescriptorBody::AtaStatusReturn {
        extend,
        error: d[3],
        count: count as u16,
        lba,
        device: d[12],
        status: d[13],
    }
}

/// The user data segment referral descriptors (SBC-4 4.28) in `list`; an incomplete last
/// descriptor is dropped.
fn referrals(mut list: &[u8]) -> Vec<UserDataSegmentReferral> {
    let mut out = Vec::new();
    while list.len() >= 20 {
        let groups = usize::from(list[3]);
        let len = 20 + 4 * groups;
        let Some(one) = list.get(..len) else { break };
        out.push(UserDataSegmentReferral {
            first_user_data_segment_lba: be_uint(&one[4..12]),
            last_user_data_segment_lba: be_uint(&one[12..20]),
            target_port_groups: one[20..]
                .chunks_exact(4)
                .map(|g| ReferralTargetPortGroup {
                    asymmetric_access_state: g[0] & 0x0F,
                    target_port_group: u16::from_be_bytes([g[2], g[3]]),
                })
                .collect(),
        });
        list = &list[len..];
    }
    out
}

/// A designation descriptor (SPC-5 7.7.6.1); `None` if its four-byte header is missing.
fn designation(d: &[u8]) -> Option<Designation> {
    let header = d.get(..4)?;
    let len = usize::from(header[3]);
    let designator = d.get(4..).unwrap_or_default();
    Some(Designation {
        protocol_identifier: header[0] >> 4,
        code_set: header[0] & 0x0F,
        piv: header[1] & 0x80 != 0,
        association: (header[1] >> 4) & 0x03,
        designator_type: header[1] & 0x0F,
        designator: designator.get(..len).unwrap_or(designator).to_vec(),
    })
}

//! Human-readable rendering of sense data, in the spirit of what sg3_utils users read.

use super::descriptor::{DescriptorBody, SenseDescriptor};
use super::sks::SenseKeySpecific;
use super::{AdditionalSense, Format, SenseData, SenseFormat};
use std::fmt::{self, Write};

/// Indentation added per forwarded sense nesting level.
const INDENT: &str = "    ";

impl fmt::Display for SenseData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        render(self, "", &mut out)?;
        f.write_str(out.trim_end())
    }
}

impl fmt::Display for SenseKeySpecific {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bit = |b: &Option<u8>| b.map(|b| format!(" bit {b}")).unwrap_or_default();
        match self {
            SenseKeySpecific::FieldPointer {
                command,
                bit_pointer,
                field_pointer,
            } => {
                let place = if *command { "CDB" } else { "parameter data" };
                write!(
                    f,
                    "error in {place}: byte {field_pointer}{}",
                    bit(bit_pointer)
                )
            }
            SenseKeySpecific::ActualRetryCount { actual_retry_count } => {
                write!(f, "actual retry count {actual_retry_count}")
            }
            SenseKeySpecific::ProgressIndication { percent, .. } => {
                write!(f, "progress {percent:.2}%")
            }
            SenseKeySpecific::SegmentPointer {
                segment_descriptor,
                bit_pointer,
                field_pointer,
            } => {
                let base = if *segment_descriptor {
                    "segment descriptor"
                } else {
                    "parameter list"
                };
                write!(
                    f,
                    "error in {base}: byte {field_pointer}{}",
                    bit(bit_pointer)
                )
            }
            SenseKeySpecific::UnitAttentionConditionQueue { overflow } => write!(
                f,
                "unit attention condition queue {}",
                if *overflow {
                    "overflowed"
                } else {
                    "not overflowed"
                }
            ),
            SenseKeySpecific::Reserved { bytes } => {
                write!(
                    f,
                    "reserved {:02x} {:02x} {:02x}",
                    bytes[0], bytes[1], bytes[2]
                )
            }
        }
    }
}

/// Appends the rendering of `s` to `out`, each line prefixed with `pad`.
fn render(s: &SenseData, pad: &str, out: &mut String) -> fmt::Result {
    let format = match s.response_code.format {
        Format::Fixed => "Fixed format",
        Format::Descriptor => "Descriptor format",
        Format::VendorSpecific => "Vendor specific format",
        Format::Unknown => "Unknown format",
    };
    // Only 70h–73h say current or deferred (SPC-5 4.4.1 table 27); vendor specific and
    // unknown response codes say neither.
    let when = if s.is_deferred() {
        ", deferred"
    } else if s.is_current() {
        ", current"
    } else {
        ""
    };
    write!(out, "{pad}{format} ({:#04x}){when}", s.response_code.code)?;
    if let Some(key) = s.sense_key {
        write!(out, "; Sense key: {}", key.name)?;
    }
    out.push('\n');
    if let Some(a) = &s.additional_sense {
        writeln!(out, "{pad}Additional sense: {}", additional(a))?;
    }
    let inner = format!("{pad}  ");
    match &s.format {
        SenseFormat::Fixed(x) => {
            let mut flags = Vec::new();
            for (set, name) in [
                (x.filemark, "FILEMARK"),
                (x.eom, "EOM"),
                (x.ili, "ILI"),
                (x.sdat_ovfl, "SDAT_OVFL"),
            ] {
                if set {
                    flags.push(name);
                }
            }
            if !flags.is_empty() {
                writeln!(out, "{inner}Flags: {}", flags.join(" "))?;
            }
            if let Some(a) = &x.ata_pass_through {
                writeln!(
                    out,
                    "{inner}ATA registers: error={:#04x} status={:#04x} device={:#04x} \
                     count(7:0)={:#04x} lba(23:0)={:#08x} extend={} log index {}{}{}",
                    a.error,
                    a.status,
                    a.device,
                    a.count,
                    a.lba,
                    u8::from(a.extend),
                    a.log_index,
                    if a.count_upper_nonzero {
                        ", count upper nonzero"
                    } else {
                        ""
                    },
                    if a.lba_upper_nonzero {
                        ", LBA upper nonzero"
                    } else {
                        ""
                    },
                )?;
            } else if let Some(info) = x.information.filter(|&i| x.valid || i != 0) {
                let note = if x.valid { "" } else { " (VALID=0)" };
                writeln!(out, "{inner}Information: {info:#x}{note}")?;
            }
            if let Some(csi) = x.command_specific_information.filter(|&c| c != 0) {
                writeln!(out, "{inner}Command-specific information: {csi:#x}")?;
            }
            if let Some(fru) = x.field_replaceable_unit_code.filter(|&c| c != 0) {
                writeln!(out, "{inner}Field replaceable unit code: {fru:#04x}")?;
            }
            if let Some(sks) = &x.sense_key_specific {
                writeln!(out, "{inner}Sense key specific: {sks}")?;
            }
            if !x.additional_sense_bytes.is_empty() {
                writeln!(
                    out,
                    "{inner}Additional sense bytes: {}",
                    hex(&x.additional_sense_bytes)
                )?;
            }
        }
        SenseFormat::Descriptor(d) => {
            if d.sdat_ovfl {
                writeln!(out, "{inner}Flags: SDAT_OVFL")?;
            }
            for desc in &d.descriptors {
                descriptor(desc, &inner, out)?;
            }
        }
        SenseFormat::Raw { bytes } => writeln!(out, "{inner}Bytes: {}", hex(bytes))?,
    }
    for p in &s.problems {
        writeln!(out, "{inner}Problem: {p}")?;
    }
    Ok(())
}

/// Appends one descriptor's rendering.
fn descriptor(d: &SenseDescriptor, pad: &str, out: &mut String) -> fmt::Result {
    write!(
        out,
        "{pad}Descriptor {:#04x} {}: ",
        d.descriptor_type, d.name
    )?;
    match &d.body {
        DescriptorBody::Information { valid, information } => {
            let note = if *valid { "" } else { " (VALID=0)" };
            writeln!(out, "{information:#x}{note}")
        }
        DescriptorBody::CommandSpecificInformation {
            command_specific_information,
        } => writeln!(out, "{command_specific_information:#x}"),
        DescriptorBody::SenseKeySpecific {
            sense_key_specific, ..
        } => match sense_key_specific {
            Some(s) => writeln!(out, "{s}"),
            None => writeln!(out, "not valid"),
        },
        DescriptorBody::FieldReplaceableUnit {
            field_replaceable_unit_code,
        } => writeln!(out, "{field_replaceable_unit_code:#04x}"),
        DescriptorBody::StreamCommands { filemark, eom, ili } => {
            writeln!(
                out,
                "FILEMARK={} EOM={} ILI={}",
                u8::from(*filemark),
                u8::from(*eom),
                u8::from(*ili)
            )
        }
        DescriptorBody::BlockCommands { ili } => writeln!(out, "ILI={}", u8::from(*ili)),
        DescriptorBody::OsdObjectIdentification {
            not_initiated_command_functions,
            completed_command_functions,
            partition_id,
            object_id,
        } => writeln!(
            out,
            "partition {partition_id:#x} object {object_id:#x}, not initiated \
             {not_initiated_command_functions:#x}, completed {completed_command_functions:#x}"
        ),
        DescriptorBody::OsdAttributeIdentification { attributes } => {
            let list: Vec<String> = attributes
                .iter()
                .map(|a| format!("{:#x}/{:#x}", a.attributes_page, a.attribute_number))
                .collect();
            writeln!(out, "{}", list.join(" "))
        }
        DescriptorBody::AtaStatusReturn {
            extend,
            error,
            count,
            lba,
            device,
            status,
        } => writeln!(
            out,
            "extend={} error={error:#04x} count={count:#x} lba={lba:#x} device={device:#04x} \
             status={status:#04x}",
            u8::from(*extend)
        ),
        DescriptorBody::AnotherProgressIndication {
            sense_key,
            asc,
            ascq,
            description,
            percent,
            ..
        } => {
            let a = AdditionalSense {
                asc: *asc,
                ascq: *ascq,
                description: description.clone(),
            };
            writeln!(
                out,
                "{percent:.2}% of {} / {}",
                sense_key.name,
                additional(&a)
            )
        }
        DescriptorBody::UserDataSegmentReferral {
            not_all_r,
            referrals,
        } => {
            writeln!(out, "NOT_ALL_R={}", u8::from(*not_all_r))?;
            for r in referrals {
                write!(
                    out,
                    "{pad}  LBA {:#x}..={:#x}:",
                    r.first_user_data_segment_lba, r.last_user_data_segment_lba
                )?;
                for g in &r.target_port_groups {
                    write!(
                        out,
                        " group {} state {:#x}",
                        g.target_port_group, g.asymmetric_access_state
                    )?;
                }
                out.push('\n');
            }
            Ok(())
        }
        DescriptorBody::ForwardedSenseData {
            fsdt,
            sense_data_source,
            forwarded_status,
            sense,
        } => {
            let source = match sense_data_source {
                0 => "EXTENDED COPY source device".to_owned(),
                n @ 1..=7 => format!("EXTENDED COPY destination device {}", n - 1),
                n => format!("reserved source {n}"),
            };
            writeln!(
                out,
                "{source}, status {forwarded_status:#04x}, FSDT={}",
                u8::from(*fsdt)
            )?;
            match sense {
                Some(s) => render(s, &format!("{pad}{INDENT}"), out),
                None => Ok(()),
            }
        }
        DescriptorBody::DirectAccessBlockDevice {
            valid,
            ili,
            sense_key_specific,
            field_replaceable_unit_code,
            information,
            command_specific_information,
            ..
        } => {
            writeln!(
                out,
                "information {information:#x}{}, command-specific {command_specific_information:#x}, \
                 FRU {field_replaceable_unit_code:#04x}, ILI={}",
                if *valid { "" } else { " (VALID=0)" },
                u8::from(*ili)
            )?;
            match sense_key_specific {
                Some(s) => writeln!(out, "{pad}  Sense key specific: {s}"),
                None => Ok(()),
            }
        }
        DescriptorBody::DeviceDesignation {
            usage_reason,
            designation,
        } => {
            write!(out, "usage reason {usage_reason}")?;
            if let Some(d) = designation {
                write!(
                    out,
                    ", designator type {:#x} code set {:#x} association {:#x}: {}",
                    d.designator_type,
                    d.code_set,
                    d.association,
                    hex(&d.designator)
                )?;
            }
            out.push('\n');
            Ok(())
        }
        DescriptorBody::MicrocodeActivationTime {
            microcode_activation_time,
        } => match microcode_activation_time {
            0 => writeln!(out, "unknown"),
            t => writeln!(out, "{t} seconds"),
        },
        DescriptorBody::OsdResponseIntegrityCheckValue { bytes }
        | DescriptorBody::Raw { bytes } => writeln!(out, "{}", hex(bytes)),
    }
}

/// "Description (ASC/ASCQ)" or the bare codes for an unassigned pair.
fn additional(a: &AdditionalSense) -> String {
    match &a.description {
        Some(text) => format!("{text} ({:02X}h/{:02X}h)", a.asc, a.ascq),
        None => format!("ASC {:02X}h ASCQ {:02X}h (unassigned)", a.asc, a.ascq),
    }
}

/// Bytes as space-separated hex.
fn hex(bytes: &[u8]) -> String {
    crate::json::hex_text(bytes, " ")
}

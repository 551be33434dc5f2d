//! `scsitool opcodes DEVICE [--op OP [--sa SA]]`: REPORT SUPPORTED OPERATION CODES
//! (SPC-5 6.36), every supported command with its name, or one command's SUPPORT field and
//! CDB usage map, like sg_opcodes.

use crate::commands::device::{open_scsi, run};
use crate::exit::Failure;
use crate::hexin::to_hex;
use crate::output::{Output, Report};
use anyhow::Result;
use cdb::scsi::opcode::{has_service_action, lookup, opcode_name};
use cdb::scsi::spc::report_opcodes::{
    CommandDescriptor, OneCommand, ReportSupportedOperationCodes, ReportingOptions,
    SupportedOperationCodes,
};
use serde::Serialize;
use std::fmt::Write;
use transports::open::Access;

/// ALLOCATION LENGTH: room for several hundred command descriptors.
const ALLOCATION_LENGTH: u32 = 8192;

/// The `--json` document of `scsitool opcodes`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct OpcodesReport {
    /// The device as named on the command line.
    pub device: String,
    /// The answer: `{"format": "all_commands" | "one_command", ...}`.
    pub report: OpcodesData,
}

/// The two forms of REPORT SUPPORTED OPERATION CODES parameter data (SPC-5 6.36.2,
/// 6.36.3), with the commands' names.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(tag = "format", rename_all = "snake_case")]
pub enum OpcodesData {
    /// REPORTING OPTIONS 000b: every supported command (SPC-5 6.36.2).
    AllCommands {
        /// COMMAND DATA LENGTH.
        command_data_length: u32,
        /// The command descriptors, each with its name.
        commands: Vec<NamedCommand>,
        /// True when the data ended before COMMAND DATA LENGTH said.
        truncated: bool,
    },
    /// REPORTING OPTIONS 001b or 010b: one command (SPC-5 6.36.3).
    OneCommand {
        /// The operation code asked about.
        operation_code: u8,
        /// The service action asked about, if any.
        service_action: Option<u16>,
        /// The command's name, when the standards name it.
        name: Option<&'static str>,
        /// The one-command parameter data.
        #[serde(flatten)]
        data: OneCommand,
    },
}

/// A command descriptor (SPC-5 6.36.2) and the command's name.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct NamedCommand {
    /// The name the standards give the operation code (and service action), if any.
    pub name: Option<&'static str>,
    /// The descriptor as returned.
    #[serde(flatten)]
    pub descriptor: CommandDescriptor,
}

/// The name of `opcode` with `service_action`, else of the operation code alone.
fn name_of(opcode: u8, service_action: Option<u16>) -> Option<&'static str> {
    service_action
        .and_then(|sa| lookup(opcode, Some(sa)))
        .map(|e| e.name)
        .or_else(|| opcode_name(opcode))
}

impl Report for OpcodesReport {
    fn human(&self) -> String {
        let mut text = String::new();
        match &self.report {
            OpcodesData::AllCommands {
                commands,
                truncated,
                ..
            } => {
                text.push_str("  Opcode  Service    CDB    Name\n  (hex)   action(h)  size\n");
                text.push_str(&format!("  {}\n", "-".repeat(60)));
                for command in commands {
                    let d = &command.descriptor;
                    let sa = if d.servactv {
                        format!("{:>5x}", d.service_action)
                    } else {
                        String::new()
                    };
                    let _ = writeln!(
                        text,
                        "   {:02x}     {sa:<5}    {:>5}    {}",
                        d.operation_code,
                        d.cdb_length,
                        command.name.unwrap_or("(no standard name)")
                    );
                }
                if *truncated {
                    text.push_str("  (list truncated)\n");
                }
            }
            OpcodesData::OneCommand {
                operation_code,
                service_action,
                name,
                data,
            } => {
                let _ = write!(text, "  Opcode=0x{operation_code:02x}");
                if let Some(sa) = service_action {
                    let _ = write!(text, "  Service_action=0x{sa:04x}");
                }
                let _ = writeln!(
                    text,
                    "\n  Command_name: {}\n  SUPPORT: {} ({})",
                    name.unwrap_or("(no standard name)"),
                    data.support.name,
                    data.support.code
                );
                if !data.cdb_usage_data.is_empty() {
                    let _ = writeln!(text, "  Usage data: {}", to_hex(&data.cdb_usage_data));
                }
                if let Some(timeouts) = &data.timeouts {
                    let _ = writeln!(
                        text,
                        "  Nominal timeout: {} s, recommended timeout: {} s",
                        timeouts.nominal_command_processing_timeout,
                        timeouts.recommended_command_timeout
                    );
                }
                if data.truncated {
                    text.push_str("  (data truncated)\n");
                }
            }
        }
        text
    }
}

/// The REPORTING OPTIONS for `--op`/`--sa`: all commands, one operation code, or one
/// operation code and service action. An operation code that selects its command by a
/// service action needs `--sa` (SPC-5 6.36.1: the device would refuse 001b for it).
fn reporting_options(op: Option<u8>, sa: Option<u16>) -> Result<ReportingOptions> {
    Ok(match (op, sa) {
        (None, _) => ReportingOptions::AllCommands,
        (Some(operation_code), None) if has_service_action(operation_code) => {
            return Err(Failure::usage(format!(
                "operation code {operation_code:02X}h ({}) selects its command by a service \
                 action: give --sa",
                opcode_name(operation_code).unwrap_or("no standard name")
            ))
            .into())
        }
        (Some(operation_code), None) => ReportingOptions::OperationCode { operation_code },
        (Some(operation_code), Some(service_action)) => {
            ReportingOptions::OperationCodeAndServiceAction {
                operation_code,
                service_action,
            }
        }
    })
}

/// Sends REPORT SUPPORTED OPERATION CODES for all commands, or for `op` (and `sa`).
pub fn command(out: Output, device: &str, op: Option<u8>, sa: Option<u16>) -> Result<()> {
    let command = ReportSupportedOperationCodes {
        rctd: false,
        reporting_options: reporting_options(op, sa)?,
        allocation_length: ALLOCATION_LENGTH,
    };
    let mut transport = open_scsi(device, Access::Read)?;
    let report = match run(out, transport.as_mut(), &command)?.response {
        SupportedOperationCodes::AllCommands(all) => OpcodesData::AllCommands {
            command_data_length: all.command_data_length,
            commands: all
                .commands
                .into_iter()
                .map(|descriptor| NamedCommand {
                    name: name_of(
                        descriptor.operation_code,
                        descriptor.servactv.then_some(descriptor.service_action),
                    ),
                    descriptor,
                })
                .collect(),
            truncated: all.truncated,
        },
        SupportedOperationCodes::OneCommand(data) => {
            // The one-command form answers REPORTING OPTIONS 001b/010b, sent only with --op.
            let operation_code = op.unwrap_or_default();
            OpcodesData::OneCommand {
                operation_code,
                service_action: sa,
                name: name_of(operation_code, sa),
                data,
            }
        }
    };
    out.emit(&OpcodesReport {
        device: device.to_string(),
        report,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::{status_of, ExitStatus};

    #[test]
    fn service_action_opcodes_need_sa() {
        // 9Eh is SERVICE ACTION IN (16) (SPC-5 4.2.5.2).
        let error = reporting_options(Some(0x9e), None).unwrap_err();
        assert_eq!(status_of(&error), ExitStatus::Usage);
        assert!(error.to_string().contains("--sa"), "{error}");
        assert_eq!(
            reporting_options(Some(0x9e), Some(0x10)).unwrap(),
            ReportingOptions::OperationCodeAndServiceAction {
                operation_code: 0x9e,
                service_action: 0x10
            }
        );
        assert_eq!(
            reporting_options(Some(0x28), None).unwrap(),
            ReportingOptions::OperationCode {
                operation_code: 0x28
            }
        );
        assert_eq!(
            reporting_options(None, None).unwrap(),
            ReportingOptions::AllCommands
        );
    }
}

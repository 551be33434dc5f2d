//! REPORT SUPPORTED OPERATION CODES, MAINTENANCE IN A3h service action 0Ch (SPC-5 6.36),
//! and its all-commands and one-command parameter data.

use crate::command::{Cdb, CdbField, CdbLayout, DataInCommand};
use crate::error::DecodeError;
use crate::scsi::cdb_bytes::{be_uint, check, check_service_action};
use serde::Serialize;

/// MAINTENANCE IN operation code (SPC-5 6.36).
pub const OPCODE: u8 = crate::scsi::opcode::MAINTENANCE_IN;
/// The REPORT SUPPORTED OPERATION CODES service action (SPC-5 6.36).
pub const SERVICE_ACTION: u8 = 0x0c;

/// The REPORTING OPTIONS field and the operation code / service action it asks about
/// (SPC-5 6.36.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportingOptions {
    /// 000b: all commands, all-commands parameter data.
    AllCommands,
    /// 001b: one operation code that has no service actions.
    OperationCode {
        /// REQUESTED OPERATION CODE.
        operation_code: u8,
    },
    /// 010b: one operation code and service action (the opcode must have service actions).
    OperationCodeAndServiceAction {
        /// REQUESTED OPERATION CODE.
        operation_code: u8,
        /// REQUESTED SERVICE ACTION.
        service_action: u16,
    },
    /// 011b: one operation code, with the service action used only if it has them.
    OperationCodeAndServiceActionIfAny {
        /// REQUESTED OPERATION CODE.
        operation_code: u8,
        /// REQUESTED SERVICE ACTION.
        service_action: u16,
    },
}

impl ReportingOptions {
    /// The three-bit REPORTING OPTIONS code, REQUESTED OPERATION CODE and REQUESTED
    /// SERVICE ACTION as the CDB holds them.
    fn fields(self) -> (u8, u8, u16) {
        match self {
            ReportingOptions::AllCommands => (0, 0, 0),
            ReportingOptions::OperationCode { operation_code } => (1, operation_code, 0),
            ReportingOptions::OperationCodeAndServiceAction {
                operation_code,
                service_action,
            } => (2, operation_code, service_action),
            ReportingOptions::OperationCodeAndServiceActionIfAny {
                operation_code,
                service_action,
            } => (3, operation_code, service_action),
        }
    }
}

/// A REPORT SUPPORTED OPERATION CODES command (SPC-5 6.36.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportSupportedOperationCodes {
    /// RCTD (return command timeouts descriptor).
    pub rctd: bool,
    /// REPORTING OPTIONS with the requested operation code and service action.
    pub reporting_options: ReportingOptions,
    /// ALLOCATION LENGTH.
    pub allocation_length: u32,
}

impl CdbLayout for ReportSupportedOperationCodes {
    const NAME: &'static str = "REPORT SUPPORTED OPERATION CODES";

    fn parse_cdb(cdb: &[u8]) -> Result<Self, DecodeError> {
        check(cdb, 12, OPCODE, Self::NAME)?;
        check_service_action(cdb, SERVICE_ACTION, Self::NAME)?;
        let operation_code = cdb[3];
        let service_action = u16::from_be_bytes([cdb[4], cdb[5]]);
        let reporting_options = match cdb[2] & 7 {
            0 => ReportingOptions::AllCommands,
            1 => ReportingOptions::OperationCode { operation_code },
            2 => ReportingOptions::OperationCodeAndServiceAction {
                operation_code,
                service_action,
            },
            3 => ReportingOptions::OperationCodeAndServiceActionIfAny {
                operation_code,
                service_action,
            },
            other => {
                return Err(DecodeError::InvalidValue {
                    what: "REPORTING OPTIONS",
                    value: other.into(),
                })
            }
        };
        Ok(ReportSupportedOperationCodes {
            rctd: cdb[2] & 0x80 != 0,
            reporting_options,
            allocation_length: be_uint(&cdb[6..10]) as u32,
        })
    }

    fn to_cdb(&self) -> Cdb {
        let (options, operation_code, service_action) = self.reporting_options.fields();
        let mut cdb = Cdb::zeroed(12);
        let b = cdb.bytes_mut();
        b[0] = OPCODE;
        b[1] = SERVICE_ACTION;
        b[2] = u8::from(self.rctd) << 7 | options;
        b[3] = operation_code;
        b[4..6].copy_from_slice(&service_action.to_be_bytes());
        b[6..10].copy_from_slice(&self.allocation_length.to_be_bytes());
        cdb
    }

    fn fields(&self) -> Vec<CdbField> {
        let (options, operation_code, service_action) = self.reporting_options.fields();
        vec![
            CdbField::new("SERVICE ACTION", SERVICE_ACTION),
            CdbField::flag("RCTD", self.rctd),
            CdbField::new("REPORTING OPTIONS", options),
            CdbField::new("REQUESTED OPERATION CODE", operation_code),
            CdbField::new("REQUESTED SERVICE ACTION", service_action),
            CdbField::new("ALLOCATION LENGTH", self.allocation_length),
        ]
    }
}

/// What REPORT SUPPORTED OPERATION CODES returns, by reporting option.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "format", rename_all = "snake_case")]
pub enum SupportedOperationCodes {
    /// All-commands parameter data (reporting option 000b).
    AllCommands(AllCommands),
    /// One-command parameter data (reporting options 001b to 011b).
    OneCommand(OneCommand),
}

impl DataInCommand for ReportSupportedOperationCodes {
    type Response = SupportedOperationCodes;

    fn allocation_length(&self) -> u32 {
        self.allocation_length
    }

    fn decode_data(&self, data_in: &[u8]) -> Result<SupportedOperationCodes, DecodeError> {
        Ok(match self.reporting_options {
            ReportingOptions::AllCommands => {
                SupportedOperationCodes::AllCommands(AllCommands::decode(data_in)?)
            }
            _ => SupportedOperationCodes::OneCommand(OneCommand::decode(data_in)?),
        })
    }
}

/// The command timeouts descriptor (SPC-5 6.36.4): timeouts in seconds, 0 = not reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct CommandTimeouts {
    /// DESCRIPTOR LENGTH (0Ah).
    pub descriptor_length: u16,
    /// COMMAND SPECIFIC.
    pub command_specific: u8,
    /// NOMINAL COMMAND PROCESSING TIMEOUT, seconds.
    pub nominal_command_processing_timeout: u32,
    /// RECOMMENDED COMMAND TIMEOUT, seconds.
    pub recommended_command_timeout: u32,
}

/// Length of the command timeouts descriptor (SPC-5 6.36.4).
pub const TIMEOUTS_DESCRIPTOR_LEN: usize = 12;

impl CommandTimeouts {
    fn decode(b: &[u8]) -> Option<Self> {
        let b = b.get(..TIMEOUTS_DESCRIPTOR_LEN)?;
        Some(CommandTimeouts {
            descriptor_length: u16::from_be_bytes([b[0], b[1]]),
            command_specific: b[3],
            nominal_command_processing_timeout: be_uint(&b[4..8]) as u32,
            recommended_command_timeout: be_uint(&b[8..12]) as u32,
        })
    }
}

/// All-commands parameter data (SPC-5 6.36.2).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct AllCommands {
    /// COMMAND DATA LENGTH.
    pub command_data_length: u32,
    /// The command descriptors present.
    pub commands: Vec<CommandDescriptor>,
    /// True when the data ended before COMMAND DATA LENGTH said.
    pub truncated: bool,
}

/// A command descriptor (SPC-5 6.36.2).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct CommandDescriptor {
    /// OPERATION CODE.
    pub operation_code: u8,
    /// SERVICE ACTION (meaningful when `servactv`).
    pub service_action: u16,
    /// CTDP: a command timeouts descriptor follows.
    pub ctdp: bool,
    /// SERVACTV: the SERVICE ACTION field is valid.
    pub servactv: bool,
    /// CDB LENGTH.
    pub cdb_length: u16,
    /// The command timeouts descriptor, when CTDP is set.
    pub timeouts: Option<CommandTimeouts>,
}

impl AllCommands {
    /// Decodes all-commands parameter data; an incomplete trailing descriptor is dropped
    /// and flagged.
    pub fn decode(data: &[u8]) -> Result<Self, DecodeError> {
        DecodeError::ensure_len(data, 4, "all-commands parameter data header")?;
        let command_data_length = be_uint(&data[..4]) as u32;
        let body = &data[4..];
        let mut truncated = body.len() < command_data_length as usize;
        let mut rest = &body[..body.len().min(command_data_length as usize)];
        let mut commands = Vec::new();
        while !rest.is_empty() {
            let Some(d) = rest.get(..8) else {
                truncated = true;
                break;
            };
            let ctdp = d[5] & 0x02 != 0;
            let size = if ctdp { 8 + TIMEOUTS_DESCRIPTOR_LEN } else { 8 };
            let timeouts = if ctdp {
                let Some(t) = CommandTimeouts::decode(&rest[8..]) else {
                    truncated = true;
                    break;
                };
                Some(t)
            } else {
                None
            };
            commands.push(CommandDescriptor {
                operation_code: d[0],
                service_action: u16::from_be_bytes([d[2], d[3]]),
                ctdp,
                servactv: d[5] & 0x01 != 0,
                cdb_length: u16::from_be_bytes([d[6], d[7]]),
                timeouts,
            });
            rest = rest.get(size..).unwrap_or_default();
        }
        Ok(AllCommands {
            command_data_length,
            commands,
            truncated,
        })
    }
}

/// The SUPPORT field of one-command parameter data (SPC-5 6.36.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Support {
    /// The three-bit SUPPORT code.
    pub code: u8,
    /// Its meaning.
    pub name: &'static str,
}

impl Support {
    /// The SUPPORT value for a three-bit code.
    pub fn from_code(code: u8) -> Self {
        let name = match code & 7 {
            0 => "data about the requested command is not currently available",
            1 => "command not supported",
            3 => "command supported in conformance with a SCSI standard",
            5 => "command supported in a vendor specific manner",
            _ => "reserved",
        };
        Support {
            code: code & 7,
            name,
        }
    }

    /// True for codes 011b and 101b (supported per standard or vendor specific).
    pub fn is_supported(&self) -> bool {
        matches!(self.code, 3 | 5)
    }
}

/// One-command parameter data (SPC-5 6.36.3).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct OneCommand {
    /// RWCDLP (byte 0 bit 0): with CDLP, which command duration limits page applies.
    pub rwcdlp: bool,
    /// CTDP: a command timeouts descriptor follows the CDB usage data.
    pub ctdp: bool,
    /// MLU (multiple logical units), byte 1 bits 6:5.
    pub mlu: u8,
    /// CDLP (command duration limit page), byte 1 bits 4:3.
    pub cdlp: u8,
    /// SUPPORT.
    pub support: Support,
    /// CDB SIZE.
    pub cdb_size: u16,
    /// CDB USAGE DATA: the opcode, then a bit mask of the CDB bits the device uses.
    pub cdb_usage_data: Vec<u8>,
    /// The command timeouts descriptor, when CTDP is set and present.
    pub timeouts: Option<CommandTimeouts>,
    /// True when the data ended before the CDB usage data or timeouts descriptor did.
    pub truncated: bool,
}

impl OneCommand {
    /// Decodes one-command parameter data.
    pub fn decode(data: &[u8]) -> Result<Self, DecodeError> {
        DecodeError::ensure_len(data, 4, "one-command parameter data header")?;
        let ctdp = data[1] & 0x80 != 0;
        let cdb_size = u16::from_be_bytes([data[2], data[3]]);
        let usage_end = 4 + usize::from(cdb_size);
        let cdb_usage_data = data[4..usage_end.min(data.len())].to_vec();
        let timeouts = if ctdp {
            data.get(usage_end..).and_then(CommandTimeouts::decode)
        } else {
            None
        };
        Ok(OneCommand {
            rwcdlp: data[0] & 0x01 != 0,
            ctdp,
            mlu: (data[1] >> 5) & 3,
            cdlp: (data[1] >> 3) & 3,
            support: Support::from_code(data[1]),
            cdb_size,
            truncated: data.len() < usage_end || (ctdp && timeouts.is_none()),
            cdb_usage_data,
            timeouts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::ScsiCommand;
    use proptest::prelude::*;

    #[test]
    fn cdb_bytes() {
        let cmd = ReportSupportedOperationCodes {
            rctd: true,
            reporting_options: ReportingOptions::OperationCodeAndServiceActionIfAny {
                operation_code: 0x9e,
                service_action: 0x10,
            },
            allocation_length: 0x200,
        };
        assert_eq!(
            cmd.cdb().as_bytes(),
            &[0xa3, 0x0c, 0x83, 0x9e, 0x00, 0x10, 0, 0, 0x02, 0x00, 0, 0]
        );
        let mut bad = cmd.cdb().as_bytes().to_vec();
        bad[2] = 0x05;
        assert!(ReportSupportedOperationCodes::parse_cdb(&bad).is_err());
        bad[1] = 0x0d;
        assert!(ReportSupportedOperationCodes::parse_cdb(&bad).is_err());
    }

    #[test]
    fn one_command_like_libata_read_16() {
        // libata's answer for READ (16) with CDL (drivers/ata/libata-scsi.c
        // ata_scsiop_maint_in): byte 0 = RWCDLP, byte 1 = CDLP 01b << 3 | SUPPORT 011b,
        // CDB SIZE 16, usage data starting with the opcode.
        let mut data = vec![0x01, 0x0b, 0x00, 0x10, 0x88, 0xff];
        data.extend_from_slice(&[0xff; 14]);
        let one = OneCommand::decode(&data).unwrap();
        assert!(one.rwcdlp && !one.ctdp && !one.truncated);
        assert_eq!(one.cdlp, 1);
        assert!(one.support.is_supported());
        assert_eq!(one.support.code, 3);
        assert_eq!(one.cdb_usage_data.len(), 16);
        assert_eq!(one.cdb_usage_data[0], 0x88);
    }

    #[test]
    fn one_command_with_timeouts() {
        let mut data = vec![0x00, 0x81, 0x00, 0x06, 0x12, 0xe3, 0xff, 0xff, 0xff, 0x07];
        data.extend_from_slice(&[0, 0x0a, 0, 0, 0, 0, 0, 5, 0, 0, 0, 30]);
        let one = OneCommand::decode(&data).unwrap();
        assert_eq!(one.support.name, "command not supported");
        let t = one.timeouts.unwrap();
        assert_eq!(
            (
                t.nominal_command_processing_timeout,
                t.recommended_command_timeout
            ),
            (5, 30)
        );
        assert!(OneCommand::decode(&data[..12]).unwrap().truncated);
    }

    #[test]
    fn all_commands_with_and_without_timeouts() {
        // TEST UNIT READY (6-byte CDB); MAINTENANCE IN/0Ch with SERVACTV and CTDP.
        let mut data = vec![0, 0, 0, 28];
        data.extend_from_slice(&[0x00, 0, 0, 0, 0, 0x00, 0, 6]);
        data.extend_from_slice(&[0xa3, 0, 0, 0x0c, 0, 0x03, 0, 12]);
        data.extend_from_slice(&[0, 0x0a, 0, 0, 0, 0, 0, 1, 0, 0, 0, 10]);
        let all = AllCommands::decode(&data).unwrap();
        assert!(!all.truncated);
        assert_eq!(all.commands.len(), 2);
        assert_eq!(all.commands[0].cdb_length, 6);
        let c = &all.commands[1];
        assert!(c.servactv && c.ctdp);
        assert_eq!(
            (c.operation_code, c.service_action, c.cdb_length),
            (0xa3, 0x0c, 12)
        );
        assert_eq!(c.timeouts.as_ref().unwrap().recommended_command_timeout, 10);
        let short = AllCommands::decode(&data[..30]).unwrap();
        assert!(short.truncated);
        assert_eq!(short.commands.len(), 1);
    }

    fn options() -> impl Strategy<Value = ReportingOptions> {
        prop_oneof![
            Just(ReportingOptions::AllCommands),
            any::<u8>()
                .prop_map(|operation_code| ReportingOptions::OperationCode { operation_code }),
            (any::<u8>(), any::<u16>()).prop_map(|(operation_code, service_action)| {
                ReportingOptions::OperationCodeAndServiceAction {
                    operation_code,
                    service_action,
                }
            }),
            (any::<u8>(), any::<u16>()).prop_map(|(operation_code, service_action)| {
                ReportingOptions::OperationCodeAndServiceActionIfAny {
                    operation_code,
                    service_action,
                }
            }),
        ]
    }

    proptest! {
        #[test]
        fn round_trip(rctd: bool, reporting_options in options(), allocation_length: u32) {
            let cmd = ReportSupportedOperationCodes { rctd, reporting_options, allocation_length };
            prop_assert_eq!(ReportSupportedOperationCodes::parse_cdb(cmd.to_cdb().as_bytes()), Ok(cmd));
        }

        #[test]
        fn arbitrary_bytes_do_not_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            if let Ok(all) = AllCommands::decode(&bytes) {
                prop_assert!(all.commands.len() <= bytes.len() / 8);
            }
            if let Ok(one) = OneCommand::decode(&bytes) {
                prop_assert!(one.cdb_usage_data.len() <= bytes.len());
            }
        }
    }
}

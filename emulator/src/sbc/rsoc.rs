//! REPORT SUPPORTED OPERATION CODES (SPC-5 6.36), answered from the same command table
//! that dispatches CDBs.

use super::commands::{self, Command, Request, COMMANDS};
use super::completion::transfer;
use super::disk::Disk;
use super::sense::{self, Condition};
use cdb::command::CdbLayout;
use cdb::scsi::spc::report_opcodes::{
    ReportSupportedOperationCodes, ReportingOptions, TIMEOUTS_DESCRIPTOR_LEN,
};

/// SUPPORT 001b: the command is not supported (SPC-5 6.36.3).
const NOT_SUPPORTED: u8 = 0x01;
/// SUPPORT 011b: supported in conformance with a SCSI standard (SPC-5 6.36.3).
const SUPPORTED: u8 = 0x03;
/// CTDP: a command timeouts descriptor follows (SPC-5 6.36.2 byte 5 bit 1, 6.36.3 byte 1
/// bit 7).
const CTDP_ALL: u8 = 0x02;
const CTDP_ONE: u8 = 0x80;
/// SERVACTV: the SERVICE ACTION field is valid (SPC-5 6.36.2 byte 5 bit 0).
const SERVACTV: u8 = 0x01;

/// REPORT SUPPORTED OPERATION CODES (SPC-5 6.36): every command (reporting options 000b)
/// or one (001b–011b); RCTD = 1 adds command timeouts descriptors, which report no
/// timeouts (zero). Asking for a service action of an operation code that has none, or
/// for an operation code alone when it has service actions, is INVALID FIELD IN CDB.
pub(crate) fn report_supported_operation_codes(
    _disk: &mut Disk,
    request: &Request<'_>,
    data_in: &mut [u8],
) -> Result<usize, Condition> {
    let parsed = ReportSupportedOperationCodes::parse_cdb(request.cdb)
        .map_err(|_| Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 2, 2))?;
    let data = match parsed.reporting_options {
        ReportingOptions::AllCommands => all_commands(parsed.rctd),
        ReportingOptions::OperationCode { operation_code } => {
            if commands::has_service_action(operation_code) {
                return Err(Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 2, 2));
            }
            one_command(parsed.rctd, commands::find(operation_code, 0))
        }
        ReportingOptions::OperationCodeAndServiceAction {
            operation_code,
            service_action,
        } => {
            if !commands::has_service_action(operation_code) {
                return Err(Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 2, 2));
            }
            one_command(
                parsed.rctd,
                find_with_service_action(operation_code, service_action),
            )
        }
        ReportingOptions::OperationCodeAndServiceActionIfAny {
            operation_code,
            service_action,
        } => {
            let command = if commands::has_service_action(operation_code) {
                find_with_service_action(operation_code, service_action)
            } else {
                commands::find(operation_code, 0)
            };
            one_command(parsed.rctd, command)
        }
    };
    Ok(transfer(data_in, &data, parsed.allocation_length as usize))
}

/// The command with this operation code and 16-bit REQUESTED SERVICE ACTION.
fn find_with_service_action(opcode: u8, service_action: u16) -> Option<&'static Command> {
    u8::try_from(service_action)
        .ok()
        .and_then(|sa| commands::find(opcode, sa))
}

/// A command timeouts descriptor reporting no timeouts (SPC-5 6.36.4).
fn timeouts() -> [u8; TIMEOUTS_DESCRIPTOR_LEN] {
    let mut d = [0u8; TIMEOUTS_DESCRIPTOR_LEN];
    d[1] = (TIMEOUTS_DESCRIPTOR_LEN - 2) as u8;
    d
}

/// All-commands parameter data (SPC-5 6.36.2).
fn all_commands(rctd: bool) -> Vec<u8> {
    let mut body = Vec::new();
    for command in COMMANDS {
        let sa = command.service_action.unwrap_or(0);
        let flags = if command.service_action.is_some() {
            SERVACTV
        } else {
            0
        } | if rctd { CTDP_ALL } else { 0 };
        body.extend_from_slice(&[command.opcode, 0, 0, sa, 0, flags]);
        body.extend_from_slice(&(command.cdb_len() as u16).to_be_bytes());
        if rctd {
            body.extend_from_slice(&timeouts());
        }
    }
    let mut data = (body.len() as u32).to_be_bytes().to_vec();
    data.extend(body);
    data
}

/// One-command parameter data (SPC-5 6.36.3): SUPPORT and, for a supported command, its
/// CDB USAGE DATA.
fn one_command(rctd: bool, command: Option<&Command>) -> Vec<u8> {
    let ctdp = if rctd { CTDP_ONE } else { 0 };
    let Some(command) = command else {
        return vec![0, NOT_SUPPORTED, 0, 0];
    };
    let mut data = vec![0, ctdp | SUPPORTED];
    data.extend_from_slice(&(command.cdb_len() as u16).to_be_bytes());
    data.extend(command.usage_data());
    if rctd {
        data.extend_from_slice(&timeouts());
    }
    data
}

//! The commands the logical unit supports: one table that both dispatches each CDB and
//! answers REPORT SUPPORTED OPERATION CODES (SPC-5 6.36), so what the logical unit reports
//! is what it does.

use super::disk::Disk;
use super::sense::Condition;
use super::{buffer, capacity, inquiry, luns, media, mode_select, mode_sense, rsoc, unit};
use cdb::scsi::sbc::lba_cdb::{Sixteen, Ten};
use cdb::scsi::spc::mode::{Six, Ten as ModeTen};

/// One command as the handlers see it.
pub(crate) struct Request<'a> {
    /// The CDB, cut to the command's length.
    pub cdb: &'a [u8],
    /// The data-out bytes the transport delivered.
    pub data_out: &'a [u8],
    /// How many logical units the target has (LUNs 0 to `luns - 1`).
    pub luns: u16,
}

/// A command handler: the number of data-in bytes transferred, or the condition to report.
pub(crate) type Handler = fn(&mut Disk, &Request<'_>, &mut [u8]) -> Result<usize, Condition>;

/// A supported command (SPC-5 6.36.2, 6.36.3).
pub(crate) struct Command {
    /// OPERATION CODE.
    pub opcode: u8,
    /// SERVICE ACTION (byte 1 bits 4:0), for commands that have one.
    pub service_action: Option<u8>,
    /// CDB USAGE DATA (SPC-5 6.36.3): the operation code, then a mask of the CDB bits the
    /// device server evaluates, the service action in its own field. Its length is the
    /// CDB length.
    pub usage: &'static [u8],
    /// Needs the medium: NOT READY while the logical unit is stopped (SBC-4 4.20.2).
    pub media_access: bool,
    /// Carries out the command.
    pub handler: Handler,
}

const fn cmd(opcode: u8, usage: &'static [u8], media_access: bool, handler: Handler) -> Command {
    Command {
        opcode,
        service_action: None,
        usage,
        media_access,
        handler,
    }
}

const fn sa_cmd(
    opcode: u8,
    service_action: u8,
    usage: &'static [u8],
    media_access: bool,
    handler: Handler,
) -> Command {
    Command {
        opcode,
        service_action: Some(service_action),
        usage,
        media_access,
        handler,
    }
}

/// NACA (bit 2 of the CONTROL byte) is evaluated: it is rejected (SAM-5 5.2).
const CONTROL: u8 = 0x04;

/// Every supported command, by operation code then service action.
pub(crate) static COMMANDS: &[Command] = &[
    cmd(
        0x00,
        &[0x00, 0, 0, 0, 0, CONTROL],
        true,
        unit::test_unit_ready,
    ),
    cmd(
        0x03,
        &[0x03, 0x01, 0, 0, 0xff, CONTROL],
        false,
        unit::request_sense,
    ),
    cmd(
        0x12,
        &[0x12, 0x03, 0xff, 0xff, 0xff, CONTROL],
        false,
        inquiry::inquiry,
    ),
    cmd(
        0x15,
        &[0x15, 0x11, 0, 0, 0xff, CONTROL],
        false,
        mode_select::mode_select::<Six>,
    ),
    cmd(
        0x1a,
        &[0x1a, 0x08, 0xff, 0xff, 0xff, CONTROL],
        false,
        mode_sense::mode_sense::<Six>,
    ),
    cmd(
        0x1b,
        &[0x1b, 0x01, 0, 0, 0xf7, CONTROL],
        false,
        unit::start_stop_unit,
    ),
    cmd(
        0x25,
        &[0x25, 0, 0, 0, 0, 0, 0, 0, 0, CONTROL],
        true,
        capacity::read_capacity_10,
    ),
    cmd(0x28, &RW10, true, media::read::<Ten>),
    cmd(0x2a, &RW10, true, media::write::<Ten>),
    cmd(0x35, &SYNC10, true, media::synchronize_cache::<Ten>),
    cmd(0x3b, &BUFFER10, false, buffer::write_buffer),
    cmd(0x3c, &BUFFER10, false, buffer::read_buffer),
    cmd(
        0x55,
        &[0x55, 0x11, 0, 0, 0, 0, 0, 0xff, 0xff, CONTROL],
        false,
        mode_select::mode_select::<ModeTen>,
    ),
    cmd(
        0x5a,
        &[0x5a, 0x18, 0xff, 0xff, 0, 0, 0, 0xff, 0xff, CONTROL],
        false,
        mode_sense::mode_sense::<ModeTen>,
    ),
    cmd(0x88, &RW16, true, media::read::<Sixteen>),
    cmd(0x8a, &RW16, true, media::write::<Sixteen>),
    cmd(0x91, &SYNC16, true, media::synchronize_cache::<Sixteen>),
    sa_cmd(
        0x9e,
        0x10,
        &READ_CAPACITY_16,
        true,
        capacity::read_capacity_16,
    ),
    cmd(
        0xa0,
        &[0xa0, 0, 0xff, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, CONTROL],
        false,
        luns::report_luns,
    ),
    sa_cmd(
        0xa3,
        0x0c,
        &[
            0xa3, 0x0c, 0x87, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, CONTROL,
        ],
        false,
        rsoc::report_supported_operation_codes,
    ),
];

/// READ (10) / WRITE (10): RDPROTECT/WRPROTECT, DPO, FUA, LBA, TRANSFER LENGTH (SBC-4 5.15).
const RW10: [u8; 10] = [0x28, 0xf8, 0xff, 0xff, 0xff, 0xff, 0, 0xff, 0xff, CONTROL];
/// READ (16) / WRITE (16) (SBC-4 5.16, 5.41).
const RW16: [u8; 16] = [
    0x88, 0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, CONTROL,
];
/// SYNCHRONIZE CACHE (10): IMMED, LBA, NUMBER OF LOGICAL BLOCKS (SBC-4 5.28).
const SYNC10: [u8; 10] = [0x35, 0x02, 0xff, 0xff, 0xff, 0xff, 0, 0xff, 0xff, CONTROL];
/// SYNCHRONIZE CACHE (16) (SBC-4 5.29).
const SYNC16: [u8; 16] = [
    0x91, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, CONTROL,
];
/// WRITE BUFFER / READ BUFFER (10): MODE SPECIFIC, MODE, BUFFER ID, BUFFER OFFSET and
/// PARAMETER LIST LENGTH or ALLOCATION LENGTH (SPC-5 6.49, 6.16).
const BUFFER10: [u8; 10] = [
    0x3b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, CONTROL,
];
/// READ CAPACITY (16): service action 10h, ALLOCATION LENGTH (SBC-4 5.21).
const READ_CAPACITY_16: [u8; 16] = [
    0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, CONTROL,
];

impl Command {
    /// The CDB length (SPC-5 6.36.2 CDB LENGTH).
    pub fn cdb_len(&self) -> usize {
        self.usage.len()
    }

    /// The CDB USAGE DATA with the operation code in byte 0 (the table shares one mask
    /// between READ and WRITE of a size).
    pub fn usage_data(&self) -> Vec<u8> {
        let mut usage = self.usage.to_vec();
        if let Some(first) = usage.first_mut() {
            *first = self.opcode;
        }
        usage
    }
}

/// Whether `opcode` selects its command by a service action in byte 1 (SPC-5 4.2.5.2).
pub(crate) fn has_service_action(opcode: u8) -> bool {
    COMMANDS
        .iter()
        .any(|c| c.opcode == opcode && c.service_action.is_some())
}

/// The supported command for `opcode` and (for operation codes that have them)
/// `service_action`.
pub(crate) fn find(opcode: u8, service_action: u8) -> Option<&'static Command> {
    COMMANDS
        .iter()
        .find(|c| c.opcode == opcode && c.service_action.is_none_or(|sa| sa == service_action))
}

//! An SBC-4 direct-access target: logical units ([`Disk`]) over any
//! [`crate::block::BlockDevice`], answering CDBs the way a real disk does.
//!
//! A transport calls [`Target::execute`] with a LUN, the CDB, the data-out bytes and a
//! data-in buffer, and gets back a [`Completion`]: the status, autosense data (SPC-5 4.4:
//! fixed format 70h, or descriptor format 72h when D_SENSE is set in the control mode
//! page) and the number of data-in bytes transferred.
//!
//! Supported: TEST UNIT READY, REQUEST SENSE, INQUIRY (standard data and VPD pages 00h,
//! 80h, 83h, 86h, B0h, B1h, B2h), READ CAPACITY (10)/(16), READ and WRITE (10)/(16) with
//! DPO/FUA, SYNCHRONIZE CACHE (10)/(16), MODE SENSE and MODE SELECT (6)/(10) with the
//! caching (08h) and control (0Ah) pages, REPORT LUNS, REPORT SUPPORTED OPERATION CODES,
//! START STOP UNIT, READ BUFFER (10) modes 02h, 03h and 0Fh, and WRITE BUFFER microcode
//! download modes 05h, 07h, 0Dh, 0Eh and 0Fh (see [`microcode`] and [`crate::image`]). Anything
//! else is ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE.
//!
//! Unit attention (SAM-5 5.14): after power on or reset the first command other than
//! INQUIRY, REPORT LUNS and REQUEST SENSE ends in CHECK CONDITION, UNIT ATTENTION 29h/00h;
//! REQUEST SENSE returns the condition and clears it. Activating downloaded microcode
//! establishes 3Fh/01h MICROCODE HAS BEEN CHANGED the same way (SPC-5 6.49); each logical
//! unit holds its own microcode, so it is the downloading unit's revision that changes.
//!
//! Readiness (SBC-4 4.20): media access is NOT READY 04h/02h while the unit is stopped,
//! and 04h/1Fh MICROCODE DOWNLOAD REQUIRED while a truncated download has left it without
//! usable microcode (see [`MicrocodeConfig::brick_on_truncated`]).

mod buffer;
pub(crate) mod capacity;
pub(crate) mod checked;
mod commands;
mod completion;
mod disk;
pub(crate) mod inquiry;
pub(crate) mod luns;
pub(crate) mod media;
pub mod microcode;
pub(crate) mod mode_data;
mod mode_pages;
mod mode_select;
mod mode_sense;
mod rsoc;
pub mod sense;
pub(crate) mod unit;
mod vpd;

#[cfg(test)]
mod tests;

pub(crate) use completion::transfer;
pub use completion::Completion;
pub use disk::{Disk, Identity, MAX_TRANSFER_BYTES};
pub use luns::lun_bytes;
pub use microcode::{Activation, MicrocodeConfig};

use crate::block::BlockError;
use crate::target::ScsiTarget;
use commands::{Command, Request};
use sense::Condition;

/// The most logical units a target holds: the flat space LUNs 0 to 3FFFh (SAM-5 4.7.6).
pub const MAX_LUNS: usize = 0x4000;

/// Operation codes that neither report nor clear a pending unit attention: INQUIRY,
/// REPORT LUNS and REQUEST SENSE (SAM-5 5.14).
pub(crate) const UNIT_ATTENTION_EXEMPT: [u8; 3] = [0x12, 0xa0, 0x03];

/// A SCSI target device: logical units numbered 0 to n−1 (SAM-5 4.6).
#[derive(Debug)]
pub struct Target {
    units: Vec<Disk>,
}

impl Target {
    /// A target whose logical unit `i` is `units[i]`; units past [`MAX_LUNS`] are dropped.
    pub fn new(mut units: Vec<Disk>) -> Self {
        units.truncate(MAX_LUNS);
        Target { units }
    }

    /// Logical unit `lun`, if it exists (SAM-5 4.6.1).
    pub fn unit(&self, lun: u16) -> Option<&Disk> {
        self.units.get(usize::from(lun))
    }

    /// Logical unit `lun`, mutably, if it exists (SAM-5 4.6.1).
    pub fn unit_mut(&mut self, lun: u16) -> Option<&mut Disk> {
        self.units.get_mut(usize::from(lun))
    }
}

impl ScsiTarget for Target {
    fn luns(&self) -> u16 {
        // At most MAX_LUNS (4000h) units are kept.
        self.units.len() as u16
    }

    fn block_size(&self, lun: u16) -> u32 {
        self.unit(lun).map_or(0, |disk| disk.device().block_size())
    }

    fn reset(&mut self) -> Result<(), BlockError> {
        self.units.iter_mut().try_for_each(Disk::reset)
    }

    fn power_cycle(&mut self) -> Result<(), BlockError> {
        self.units.iter_mut().try_for_each(|disk| {
            disk.device_mut().lose_power()?;
            disk.reset()
        })
    }

    fn execute(&mut self, lun: u16, cdb: &[u8], data_out: &[u8], data_in: &mut [u8]) -> Completion {
        let luns = self.luns();
        match self.units.get_mut(usize::from(lun)) {
            Some(disk) => execute_on(disk, luns, cdb, data_out, data_in),
            None => execute_absent(luns, cdb, data_out, data_in),
        }
    }
}

/// Runs a command on a logical unit: unit attention first (SAM-5 5.14), then the CDB's
/// operation code, length and CONTROL byte, readiness (SBC-4 4.20) and the command.
fn execute_on(
    disk: &mut Disk,
    luns: u16,
    cdb: &[u8],
    data_out: &[u8],
    data_in: &mut [u8],
) -> Completion {
    let exempt = cdb
        .first()
        .is_some_and(|op| UNIT_ATTENTION_EXEMPT.contains(op));
    if !exempt {
        if let Some(ua) = disk.take_unit_attention() {
            return Completion::check(&ua.into(), disk.d_sense());
        }
    }
    let outcome = prepare(cdb).and_then(|(command, cdb)| {
        if command.media_access {
            disk.not_ready()
                .map_or(Ok(()), |code| Err(Condition::from(code)))?;
        }
        let request = Request {
            cdb,
            data_out,
            luns,
        };
        (command.handler)(disk, &request, data_in)
    });
    finish(outcome, disk.d_sense())
}

/// Answers a command addressed to a LUN with no logical unit (SPC-5 6.7.2, 6.39; SAM-5
/// 5.11): INQUIRY reports PERIPHERAL QUALIFIER 011b, REPORT LUNS works, REQUEST SENSE
/// returns LOGICAL UNIT NOT SUPPORTED, anything else fails with it.
fn execute_absent(luns: u16, cdb: &[u8], data_out: &[u8], data_in: &mut [u8]) -> Completion {
    let outcome = prepare(cdb).and_then(|(command, cdb)| {
        let request = Request {
            cdb,
            data_out,
            luns,
        };
        match command.opcode {
            0x12 => inquiry::absent_unit(&request, data_in),
            0xa0 => luns::report(request.cdb, luns, data_in),
            0x03 => unit::request_sense_absent(&request, data_in),
            _ => Err(sense::LOGICAL_UNIT_NOT_SUPPORTED.into()),
        }
    });
    finish(outcome, false)
}

/// GOOD with the data-in length, or CHECK CONDITION with the condition's sense data.
fn finish(outcome: Result<usize, Condition>, descriptor: bool) -> Completion {
    match outcome {
        Ok(len) => Completion::good(len),
        Err(condition) => Completion::check(&condition, descriptor),
    }
}

/// Finds the command for `cdb` and cuts the CDB to its length (longer CDBs are transport
/// padding). An unknown operation code, or a CDB too short for its operation code, is
/// INVALID COMMAND OPERATION CODE (SPC-5 4.2.5.1); an unsupported service action of a
/// supported operation code is INVALID FIELD IN CDB (SPC-5 4.2.5.2); NACA = 1 is INVALID
/// FIELD IN CDB, as NormACA is not supported (SAM-5 5.2).
fn prepare(cdb: &[u8]) -> Result<(&'static Command, &[u8]), Condition> {
    let opcode = *cdb.first().ok_or(sense::INVALID_COMMAND_OPERATION_CODE)?;
    let service_action = cdb.get(1).map_or(0, |b| b & 0x1f);
    let command = commands::find(opcode, service_action).ok_or_else(|| {
        if commands::has_service_action(opcode) {
            Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 1, 4)
        } else {
            sense::INVALID_COMMAND_OPERATION_CODE.into()
        }
    })?;
    let cdb = cdb
        .get(..command.cdb_len())
        .ok_or(sense::INVALID_COMMAND_OPERATION_CODE)?;
    let control_at = cdb.len() - 1;
    if cdb[control_at] & 0x04 != 0 {
        return Err(Condition::cdb_field(
            sense::INVALID_FIELD_IN_CDB,
            control_at as u16,
            2,
        ));
    }
    Ok((command, cdb))
}

//! A USB–NVMe bridge: a SCSI target device with one logical unit that translates SCSI
//! commands to an NVMe controller behind it, as bridge chips do (NVM Express SCSI
//! Translation Reference 1.5; SAT-5 where a chip keeps a SAT layer), plus the vendor
//! tunnels that carry raw NVMe admin commands through vendor CDBs.
//!
//! Translated: TEST UNIT READY, REQUEST SENSE, INQUIRY (standard data with the bridge's
//! strings, VPD pages 00h, 80h from the NVMe serial number, 83h from the namespace's
//! NGUID or EUI-64 and a T10 vendor ID designator, B1h), READ CAPACITY (10)/(16) from
//! Identify Namespace, READ and WRITE (10)/(16) to NVMe Read and Write (FUA to FUA, split
//! at the controller's MDTS), SYNCHRONIZE CACHE (10)/(16) to Flush, MODE SENSE and MODE
//! SELECT (6)/(10) with the caching page whose WCE is the Volatile Write Cache feature
//! (06h), REPORT LUNS and START STOP UNIT. A failed NVMe command becomes the sense data
//! the translation reference maps its status to. Every other operation code — WRITE
//! BUFFER included: no bridge here passes it — is ILLEGAL REQUEST, INVALID COMMAND
//! OPERATION CODE (20h/00h).
//!
//! Unit attention (SAM-5 5.14): after power on, a hard reset or a reset of the drive
//! behind, the first command other than INQUIRY, REPORT LUNS and REQUEST SENSE ends in
//! UNIT ATTENTION 29h/00h; REQUEST SENSE returns and clears it.
//!
//! The [`Model`] decides the vendor CDBs: see [`model::Tunnel`] and
//! [`Model::sat_layer`] (ATA PASS-THROUGH as an ATA hardware reset).

mod ata;
mod inquiry;
mod jmicron;
mod media;
mod mode;
pub mod model;
mod status;
mod tunnel;

#[cfg(test)]
mod tests;

pub use model::{Model, Tunnel, UsbId};

use crate::block::{BlockDevice, BlockError};
use crate::nvme::Controller;
use crate::sbc::sense::{self, Condition, SenseCode};
use crate::sbc::transfer;
use crate::sbc::{luns, unit, Completion, UNIT_ATTENTION_EXEMPT};
use crate::target::ScsiTarget;
use cdb::command::{DataPhase, Direction};
use cdb::nvme::id_ctrl::IdentifyControllerData;
use cdb::nvme::id_ns::IdentifyNamespaceData;
use cdb::nvme::identify::{IdentifyController, IdentifyNamespace};
use cdb::nvme::{Completion as NvmeCompletion, NvmeCommand, Queue, ResetKind, SubmissionEntry};
use cdb::scsi::opcode::{cdb_length, CdbLength};

/// The namespace a bridge presents as its logical unit.
const NSID: u32 = 1;

/// A USB–NVMe bridge chip in front of an NVMe controller: one logical unit, LUN 0.
pub struct Bridge<D> {
    model: Model,
    controller: Controller<D>,
    attention: Option<SenseCode>,
    tunnel: tunnel::Buffer,
    jmicron: jmicron::State,
    next_cid: u16,
}

/// The result of a command handler: data-in bytes transferred, or the condition.
type Outcome = Result<usize, Condition>;

impl<D: BlockDevice> Bridge<D> {
    /// A powered-on `model` bridge in front of `controller`, with its power-on unit
    /// attention pending.
    pub fn new(model: Model, controller: Controller<D>) -> Self {
        Bridge {
            model,
            controller,
            attention: Some(sense::POWER_ON_RESET),
            tunnel: tunnel::Buffer::default(),
            jmicron: jmicron::State::default(),
            next_cid: 0,
        }
    }

    /// The bridge chip.
    pub fn model(&self) -> Model {
        self.model
    }

    /// The NVMe controller behind the bridge.
    pub fn controller(&self) -> &Controller<D> {
        &self.controller
    }

    /// The NVMe controller behind the bridge, for power cuts and fault injection.
    pub fn controller_mut(&mut self) -> &mut Controller<D> {
        &mut self.controller
    }

    /// Resets the drive behind the bridge (a Controller Level Reset, NVMe Base 2.0 3.7.2)
    /// and the bridge's own state; the next command sees UNIT ATTENTION 29h/00h.
    fn reset_drive(&mut self) -> Result<(), BlockError> {
        self.attention = Some(sense::POWER_ON_RESET);
        self.jmicron = jmicron::State::default();
        self.controller.reset(ResetKind::ControllerLevel)
    }

    /// Submits one entry to the controller, numbering it (Base 2.0 4.2 CID).
    fn submit_entry(
        &mut self,
        queue: Queue,
        mut sqe: SubmissionEntry,
        data_out: &[u8],
        data_in: &mut [u8],
    ) -> NvmeCompletion {
        sqe.set_cid(self.next_cid);
        self.next_cid = self.next_cid.wrapping_add(1);
        self.controller.submit(queue, &sqe, data_out, data_in)
    }

    /// Submits a typed command; its data-in (if any) goes to `data_in`. A failed command
    /// is the sense its status maps to.
    fn submit<C: NvmeCommand>(&mut self, cmd: &C, data_in: &mut [u8]) -> Result<u32, Condition> {
        let data_out = match cmd.data_phase() {
            DataPhase::Out(data) => data,
            DataPhase::None | DataPhase::In(_) => &[],
        };
        let done = self.submit_entry(cmd.queue(), cmd.entry(), data_out, data_in);
        match status::sense_for(done.status) {
            None => Ok(done.dw0),
            Some(code) => Err(code.into()),
        }
    }

    /// The Identify Controller data structure (Base 2.0 5.17.2.1), decoded.
    fn identify_controller(&mut self) -> Result<IdentifyControllerData, Condition> {
        let mut data = vec![0; cdb::nvme::identify::IDENTIFY_LEN as usize];
        self.submit(&IdentifyController::controller(), &mut data)?;
        IdentifyControllerData::decode(&data).map_err(|_| sense::INTERNAL_TARGET_FAILURE.into())
    }

    /// The Identify Namespace data structure of namespace 1 (NVM Command Set 1.0
    /// 4.1.5.1), decoded.
    fn identify_namespace(&mut self) -> Result<IdentifyNamespaceData, Condition> {
        let cmd = IdentifyNamespace::new(NSID).map_err(|_| sense::INTERNAL_TARGET_FAILURE)?;
        let mut data = vec![0; cdb::nvme::identify::IDENTIFY_LEN as usize];
        self.submit(&cmd, &mut data)?;
        IdentifyNamespaceData::decode(&data).map_err(|_| sense::INTERNAL_TARGET_FAILURE.into())
    }

    /// Runs a command on the logical unit: unit attention first, then the command.
    fn execute_on_unit(&mut self, cdb: &[u8], data_out: &[u8], data_in: &mut [u8]) -> Outcome {
        let opcode = *cdb.first().ok_or(sense::INVALID_COMMAND_OPERATION_CODE)?;
        if !UNIT_ATTENTION_EXEMPT.contains(&opcode) {
            if let Some(ua) = self.attention.take() {
                return Err(ua.into());
            }
        }
        let cdb = cut(cdb)?;
        match opcode {
            0x00 => Ok(0),
            0x03 => self.request_sense(cdb, data_in),
            0x12 => self.inquiry(cdb, data_in),
            0x15 | 0x55 => self.mode_select(cdb, data_out),
            0x1a | 0x5a => self.mode_sense(cdb, data_in),
            0x1b => self.start_stop_unit(cdb),
            0x25 | 0x9e => self.read_capacity(cdb, data_in),
            0x28 | 0x88 => self.read(cdb, data_in),
            0x2a | 0x8a => self.write(cdb, data_out),
            0x35 | 0x91 => self.synchronize_cache(cdb),
            0xa0 => report_luns(cdb, data_in),
            0x85 | 0xa1 if self.model.sat_layer() => self.ata_pass_through(cdb),
            0xa1 if self.model.tunnel() == Tunnel::JmicronA1 => {
                self.jmicron(cdb, data_out, data_in)
            }
            0xe4 if self.model.tunnel() == Tunnel::RealtekE4 => self.realtek(cdb, data_in),
            0xe6 if self.model.tunnel() == Tunnel::AsmediaE6 => self.asmedia(cdb, data_in),
            _ => Err(sense::INVALID_COMMAND_OPERATION_CODE.into()),
        }
    }

    /// REQUEST SENSE (SPC-5 6.39): the pending unit attention (clearing it) or NO SENSE,
    /// fixed format or, with DESC = 1, descriptor format.
    fn request_sense(&mut self, cdb: &[u8], data_in: &mut [u8]) -> Outcome {
        let code = self.attention.take().unwrap_or(sense::NO_SENSE);
        unit::return_sense(cdb, &code.into(), data_in)
    }
}

/// Cuts `cdb` to the length its operation code implies (SPC-5 4.2.5.1; longer CDBs are
/// transport padding); the vendor tunnels of groups 6 and 7 are 16 bytes. A CDB shorter
/// than that is INVALID COMMAND OPERATION CODE.
fn cut(cdb: &[u8]) -> Result<&[u8], Condition> {
    let len = match cdb_length(cdb.first().copied().unwrap_or(0)) {
        CdbLength::Fixed(n) => n,
        CdbLength::VendorSpecific => 16,
        CdbLength::Variable | CdbLength::Reserved => {
            return Err(sense::INVALID_COMMAND_OPERATION_CODE.into())
        }
    };
    cdb.get(..len)
        .ok_or_else(|| sense::INVALID_COMMAND_OPERATION_CODE.into())
}

/// REPORT LUNS (SPC-5 6.33): the bridge's one logical unit, LUN 0.
fn report_luns(cdb: &[u8], data_in: &mut [u8]) -> Outcome {
    luns::report(cdb, 1, data_in)
}

impl<D: BlockDevice> ScsiTarget for Bridge<D> {
    fn luns(&self) -> u16 {
        1
    }

    fn block_size(&self, lun: u16) -> u32 {
        if lun == 0 {
            self.controller.device().block_size()
        } else {
            0
        }
    }

    fn execute(&mut self, lun: u16, cdb: &[u8], data_out: &[u8], data_in: &mut [u8]) -> Completion {
        let outcome = if lun == 0 {
            self.execute_on_unit(cdb, data_out, data_in)
        } else {
            absent_unit(cdb, data_in)
        };
        match outcome {
            Ok(len) => Completion::good(len),
            Err(condition) => Completion::check(&condition, false),
        }
    }

    fn reset(&mut self) -> Result<(), BlockError> {
        self.reset_drive()
    }

    fn power_cycle(&mut self) -> Result<(), BlockError> {
        self.controller.device_mut().lose_power()?;
        self.attention = Some(sense::POWER_ON_RESET);
        self.jmicron = jmicron::State::default();
        self.controller.power_cycle()
    }

    /// JMicron's A1h steps are its tunnel, not ATA PASS-THROUGH: the step's protocol and
    /// length say the data phase ([`jmicron`]). Other tunnel CDBs are vendor operation
    /// codes with no standard layout, so the faces follow the host.
    fn vendor_data_phase(&self, lun: u16, cdb: &[u8]) -> Option<(Direction, u64)> {
        if lun != 0 || self.model.tunnel() != Tunnel::JmicronA1 {
            return None;
        }
        jmicron::data_phase(cdb)
    }
}

/// A command to a LUN other than 0 (SAM-5 5.11, SPC-5 6.7.2): INQUIRY answers PERIPHERAL
/// QUALIFIER 011b, REPORT LUNS works, anything else is LOGICAL UNIT NOT SUPPORTED.
fn absent_unit(cdb: &[u8], data_in: &mut [u8]) -> Outcome {
    let cdb = cut(cdb)?;
    match cdb.first() {
        Some(0x12) => inquiry::absent(cdb, data_in),
        Some(0xa0) => report_luns(cdb, data_in),
        _ => Err(sense::LOGICAL_UNIT_NOT_SUPPORTED.into()),
    }
}

//! The device side of the Bulk-Only Transport (USB MSC BOT 1.0) in front of a SCSI target
//! device ([`ScsiTarget`]): CBW, data and CSW transport (BOT 5.3), the thirteen host/device cases of
//! BOT 6.7, reset recovery (BOT 5.3.4) and injected [`Fault`]s.
//!
//! Where BOT lets the device choose, it behaves like QEMU's usb-storage: data-in shorter
//! than the host expects is padded with zeros up to dCBWDataTransferLength (BOT 6.7.5),
//! data-out the device does not want is accepted and ignored (BOT 6.7.9, 6.7.11), and a
//! direction mismatch (BOT 6.7.8, 6.7.10) STALLs every bulk transfer until a port reset.

mod pipe;

use super::fault::{Armed, Fault, Phase};
use super::intent::{self, Intent};
use super::pipe::{Endpoint, UsbError};
use super::sense;
use crate::sbc::{Completion, MAX_TRANSFER_BYTES};
use crate::target::ScsiTarget;
use cdb::command::CdbLayout;
use cdb::scsi::spc::request_sense::RequestSense;
use cdb::scsi::status::Status;
use cdb::usb::bot::{Cbw, Csw, CswStatus, CBW_SIGNATURE};
use std::collections::BTreeMap;
use zerocopy::{FromBytes, IntoBytes};

/// REQUEST SENSE operation code (SPC-5 6.39).
const REQUEST_SENSE: u8 = 0x03;
/// The highest LUN bCBWLUN can address (BOT 5.1: four bits).
const MAX_BOT_LUN: u16 = 15;

/// Where the device is in the command sequence (BOT 5.3, Figure 1).
#[derive(Debug)]
enum Stage {
    /// Waiting for a CBW.
    Command,
    /// Receiving data-out: the CBW, the bytes so far and the bytes the device wants (Do).
    DataOut {
        cbw: Cbw,
        received: Vec<u8>,
        wanted: u64,
    },
    /// Sending data-in: the data, the bytes sent, the stream's length (the rest is zero
    /// padding) and the CSW that follows.
    DataIn {
        data: Vec<u8>,
        sent: u64,
        total: u64,
        csw: Csw,
    },
    /// The CSW waits for a bulk-in transfer.
    Status(Csw),
}

/// A Bulk-Only mass-storage interface (USB MSC BOT 1.0) over a SCSI target device
/// ([`ScsiTarget`]), driven through [`UsbPipe`](super::UsbPipe).
#[derive(Debug)]
pub struct BotDevice<T> {
    target: T,
    stage: Stage,
    halted_in: bool,
    halted_out: bool,
    /// An invalid or not meaningful CBW: both pipes STALL until Reset Recovery (BOT 6.6.1).
    awaiting_reset: bool,
    /// A direction mismatch: every bulk transfer STALLs until a port reset (QEMU).
    wedged: bool,
    /// An injected no-response: bulk transfers time out until a reset.
    hung: bool,
    disconnected: bool,
    /// Sense data of each LUN's last CHECK CONDITION, for the next REQUEST SENSE (BOT has
    /// no autosense; SAM-5 5.13).
    sense: BTreeMap<u16, Vec<u8>>,
    faults: Armed,
}

impl<T: ScsiTarget> BotDevice<T> {
    /// A Bulk-Only interface in front of `target`, in its default state (BOT 5.3).
    pub fn new(target: T) -> Self {
        BotDevice {
            target,
            stage: Stage::Command,
            halted_in: false,
            halted_out: false,
            awaiting_reset: false,
            wedged: false,
            hung: false,
            disconnected: false,
            sense: BTreeMap::new(),
            faults: Armed::default(),
        }
    }

    /// Arms `fault` for the coming command (see [`Fault`]).
    pub fn inject(&mut self, fault: Fault) {
        self.faults.push(fault);
    }

    /// The SCSI target behind the interface (SAM-5 4.6).
    pub fn target(&self) -> &T {
        &self.target
    }

    /// The SCSI target behind the interface, mutably (SAM-5 4.6).
    pub fn target_mut(&mut self) -> &mut T {
        &mut self.target
    }

    /// The SCSI target, the interface's own state discarded.
    pub fn into_target(self) -> T {
        self.target
    }

    /// True once the device has left the bus (an injected disconnect).
    pub fn is_disconnected(&self) -> bool {
        self.disconnected
    }

    /// Get Max LUN's answer (BOT 3.2): the highest LUN, at most 15.
    fn max_lun(&self) -> u16 {
        self.target.luns().saturating_sub(1).min(MAX_BOT_LUN)
    }

    /// The failure every bulk transfer meets before the stage is looked at, if any.
    fn bulk_gate(&self, halted: bool) -> Result<(), UsbError> {
        if self.disconnected {
            Err(UsbError::Disconnected)
        } else if self.hung {
            Err(UsbError::Timeout)
        } else if self.wedged || halted {
            Err(UsbError::Stall)
        } else {
            Ok(())
        }
    }

    /// Fires an injected STALL, disconnect or no-response at `phase` on `endpoint`.
    fn phase_fault(&mut self, phase: Phase, endpoint: Endpoint) -> Result<(), UsbError> {
        let fired = self
            .faults
            .fire_link(phase, &mut self.disconnected, &mut self.hung);
        if fired == Err(UsbError::Stall) {
            self.halt(endpoint);
        }
        fired
    }

    /// Halts `endpoint` (USB 2.0 9.4.5).
    fn halt(&mut self, endpoint: Endpoint) {
        match endpoint {
            Endpoint::BulkIn => self.halted_in = true,
            Endpoint::BulkOut => self.halted_out = true,
        }
    }

    /// Receives a CBW (BOT 6.2): an invalid or not meaningful one STALLs both pipes until
    /// Reset Recovery (BOT 6.6.1); a valid one starts the command.
    fn receive_cbw(&mut self, data: &[u8]) {
        match Cbw::read_from_bytes(data) {
            Ok(cbw) if self.meaningful(&cbw) => self.start(cbw),
            _ => {
                self.halted_in = true;
                self.halted_out = true;
                self.awaiting_reset = true;
            }
        }
    }

    /// A CBW is valid with its signature (BOT 6.2.1) and meaningful with reserved bits
    /// zero, a supported LUN and bCBWCBLength 1 to 16 (BOT 6.2.2).
    fn meaningful(&self, cbw: &Cbw) -> bool {
        cbw.signature.get() == CBW_SIGNATURE
            && cbw.flags & 0x7f == 0
            && cbw.lun & 0xf0 == 0
            && u16::from(cbw.lun) <= self.max_lun()
            && (1..=16).contains(&cbw.cb_length)
    }

    /// Starts a command: picks the BOT 6.7 case from the host's expectation (Hn, Hi, Ho)
    /// and the device's intent (Dn, Di, Do).
    fn start(&mut self, cbw: Cbw) {
        let lun = u16::from(cbw.lun);
        let cb = cbw.command_block().unwrap_or_default().to_vec();
        let intent = intent::of(&self.target, lun, &cb);
        let expected = cbw.data_transfer_length.get();
        let tag = cbw.tag.get();
        self.stage = match (expected, cbw.is_data_in(), intent) {
            // Cases 2 and 3 (Hn < Di, Hn < Do): phase error (BOT 6.7.2, 6.7.3).
            (0, _, Intent::In(_) | Intent::Out(_)) => {
                Stage::Status(Csw::new(tag, 0, CswStatus::PhaseError))
            }
            // Case 1 (Hn = Dn).
            (0, _, _) => {
                let (completion, _) = self.execute(lun, &cb, &[], 0);
                Stage::Status(Csw::new(tag, 0, status_of(&completion)))
            }
            // Cases 8 and 10 (Hi <> Do, Ho <> Di): STALL until a port reset (QEMU).
            (_, true, Intent::Out(_)) | (_, false, Intent::In(_)) => {
                self.wedged = true;
                Stage::Command
            }
            (_, true, _) => self.start_data_in(lun, &cb, tag, expected),
            (_, false, intent) => Stage::DataOut {
                cbw,
                received: Vec::new(),
                wanted: match intent {
                    Intent::Out(n) => n,
                    Intent::Unknown => u64::from(expected),
                    Intent::None | Intent::In(_) => 0,
                },
            },
        };
    }

    /// Cases 4 to 7 (Hi against Dn, Di): executes, then streams the data padded to the
    /// host's length (BOT 6.7.4, 6.7.5, 6.7.6) or cut to it with phase error (BOT 6.7.7).
    fn start_data_in(&mut self, lun: u16, cb: &[u8], tag: u32, expected: u32) -> Stage {
        // One byte more than the host expects is enough to see Hi < Di (case 7).
        let room = expected.saturating_add(1).min(MAX_TRANSFER_BYTES) as usize;
        let (completion, mut data) = self.execute(lun, cb, &[], room);
        let sent = u32::try_from(data.len()).unwrap_or(u32::MAX);
        let csw = if sent > expected {
            data.truncate(expected as usize);
            Csw::new(tag, 0, CswStatus::PhaseError)
        } else {
            Csw::new(tag, expected - sent, status_of(&completion))
        };
        let total = self
            .faults
            .fire(|f| match *f {
                Fault::ShortPacket { keep } => Some(keep.min(expected)),
                _ => None,
            })
            .unwrap_or(expected);
        Stage::DataIn {
            data,
            sent: 0,
            total: u64::from(total),
            csw,
        }
    }

    /// Cases 9, 11, 12 and 13 once the host's data-out is in: executes with the bytes the
    /// device wants (BOT 6.7.9, 6.7.11, 6.7.12), or phase error when the host sent fewer
    /// (BOT 6.7.13).
    fn finish_data_out(&mut self, cbw: &Cbw, received: &[u8], wanted: u64) -> Csw {
        let tag = cbw.tag.get();
        let expected = cbw.data_transfer_length.get();
        let Some(data) = usize::try_from(wanted).ok().and_then(|n| received.get(..n)) else {
            return Csw::new(tag, expected, CswStatus::PhaseError);
        };
        let cb = cbw.command_block().unwrap_or_default().to_vec();
        let (completion, _) = self.execute(u16::from(cbw.lun), &cb, data, 0);
        let status = status_of(&completion);
        let residue = match status {
            CswStatus::Passed => expected - data.len() as u32,
            _ => expected,
        };
        Csw::new(tag, residue, status)
    }

    /// Executes `cb` on `lun` with `room` bytes of data-in space; keeps the sense of a
    /// CHECK CONDITION and answers the next REQUEST SENSE with it, in the format DESC asks
    /// for, as BOT has no autosense (SAM-5 5.13; SPC-5 6.39). Any command to the LUN
    /// discards the kept sense.
    fn execute(
        &mut self,
        lun: u16,
        cb: &[u8],
        data_out: &[u8],
        room: usize,
    ) -> (Completion, Vec<u8>) {
        let kept = self.sense.remove(&lun);
        let mut data_in = vec![0u8; room];
        let completion = match (kept, RequestSense::parse_cdb(cb)) {
            (Some(sense), Ok(request)) if cb.first() == Some(&REQUEST_SENSE) => {
                let sense = sense::in_format(&sense, request.desc);
                let n = sense
                    .len()
                    .min(usize::from(request.allocation_length))
                    .min(room);
                data_in[..n].copy_from_slice(&sense[..n]);
                Completion::good(n)
            }
            _ => self.target.execute(lun, cb, data_out, &mut data_in),
        };
        if completion.status == Status::CheckCondition {
            self.sense.insert(lun, completion.sense.clone());
        }
        data_in.truncate(completion.data_in_len);
        (completion, data_in)
    }

    /// Delivers the CSW (BOT 5.2) with the CSW faults applied; the command is over.
    fn deliver_csw(&mut self, mut csw: Csw, max: usize) -> Vec<u8> {
        if self.faults.take(Fault::BadCswSignature) {
            csw.signature = (!csw.signature.get()).into();
        }
        if self.faults.take(Fault::WrongCswTag) {
            csw.tag = csw.tag.get().wrapping_add(1).into();
        }
        if self.faults.take(Fault::PhaseError) {
            csw.status = CswStatus::PhaseError.code();
        }
        self.faults.clear();
        self.stage = Stage::Command;
        let bytes = csw.as_bytes();
        bytes[..max.min(bytes.len())].to_vec()
    }
}

/// bCSWStatus for a SCSI status (BOT 5.2): GOOD passes, anything else fails.
fn status_of(completion: &Completion) -> CswStatus {
    match completion.status {
        Status::Good => CswStatus::Passed,
        _ => CswStatus::Failed,
    }
}

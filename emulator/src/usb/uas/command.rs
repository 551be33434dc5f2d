//! What the UAS interface does with an IU from the command pipe (UAS-2 4.4, 6.2.2,
//! 6.2.3): starts a command, answers a task management function, or refuses the IU.

use super::{Outgoing, Quirk, Stage, Task, UasDevice, STREAMS};
use crate::sbc::sense::{Condition, SenseCode, LOGICAL_UNIT_NOT_SUPPORTED};
use crate::sbc::{Completion, MAX_TRANSFER_BYTES};
use crate::target::ScsiTarget;
use crate::usb::intent::{self, Intent};
use cdb::scsi::opcode;
use cdb::sense::key;
use cdb::usb::uas::{
    CommandIu, Iu, IuHeader, ResponseCode, ResponseIu, SenseIu, TaskManagementFunction,
    TaskManagementIu, CDB_FIELD_LEN, IU_ID_TASK_MANAGEMENT,
};

/// ABORTED COMMAND, 4Eh/00h OVERLAPPED COMMANDS ATTEMPTED (SAM-5 5.9.3): a tag in flight.
const OVERLAPPED_COMMANDS_ATTEMPTED: SenseCode = SenseCode {
    key: key::ABORTED_COMMAND,
    asc: 0x4e,
    ascq: 0x00,
};
/// ILLEGAL REQUEST, 4Bh/01h INVALID TARGET PORT TRANSFER TAG RECEIVED: a tag no stream
/// carries (QEMU usb-uas).
const INVALID_TAG: SenseCode = SenseCode {
    key: key::ILLEGAL_REQUEST,
    asc: 0x4b,
    ascq: 0x01,
};
/// ILLEGAL REQUEST, 26h/01h PARAMETER NOT SUPPORTED: additional CDB bytes (QEMU usb-uas).
const ADDITIONAL_CDB_NOT_SUPPORTED: SenseCode = SenseCode {
    key: key::ILLEGAL_REQUEST,
    asc: 0x26,
    ascq: 0x01,
};
/// The data-in room given to a CDB whose length the decoder cannot tell (64 KiB, more
/// than any vendor pass-through reply the bridges in the field return).
const UNKNOWN_DATA_IN_ROOM: usize = 64 << 10;
/// The longest sense data a Sense IU carries (SPC-5 4.4.1: 252 bytes).
const MAX_SENSE_LEN: usize = 252;

impl<T: ScsiTarget> UasDevice<T> {
    /// Receives one IU from the command pipe (UAS-2 4.4.1).
    pub(super) fn receive(&mut self, bytes: &[u8]) {
        let Ok(header) = IuHeader::parse(bytes) else {
            // Too short to name a tag: nothing can answer it.
            return;
        };
        let tag = header.tag.get();
        match Iu::parse(bytes) {
            Ok(Iu::Command(iu)) => self.command(iu),
            Ok(Iu::TaskManagement(iu)) => self.task_management(&iu),
            // A function code UAS-2 6.2.3 does not assign (QEMU: not supported).
            Err(_) if header.iu_id == IU_ID_TASK_MANAGEMENT => {
                self.respond(tag, ResponseCode::TaskManagementFunctionNotSupported)
            }
            _ => self.respond(tag, ResponseCode::InvalidInformationUnit),
        }
    }

    /// Queues a Response IU (UAS-2 6.2.5) for `tag`.
    fn respond(&mut self, tag: u16, code: ResponseCode) {
        let bytes = Iu::Response(ResponseIu::new(tag, code)).to_bytes();
        self.send(tag, bytes, None);
    }

    /// Starts the command of a Command IU (UAS-2 6.2.2), or ends it at once with the
    /// sense QEMU gives a tag in flight, a tag no stream carries, additional CDB bytes or
    /// an unknown logical unit.
    fn command(&mut self, iu: CommandIu) {
        let tag = iu.tag;
        let refusal = if self.tasks.contains_key(&tag) {
            Some(OVERLAPPED_COMMANDS_ATTEMPTED)
        } else if self.streams && !(1..=STREAMS).contains(&tag) {
            Some(INVALID_TAG)
        } else if !iu.additional_cdb.is_empty() {
            Some(ADDITIONAL_CDB_NOT_SUPPORTED)
        } else {
            None
        };
        let lun = lun_number(&iu.lun).filter(|&l| l < self.target.luns());
        match (refusal, lun) {
            (Some(code), _) => self.refuse(tag, code),
            (None, None) => self.refuse(tag, LOGICAL_UNIT_NOT_SUPPORTED),
            (None, Some(lun)) => self.start(tag, lun, cdb_of(&iu.cdb)),
        }
    }

    /// Ends command `tag` with CHECK CONDITION and `code`, without starting it; a tag in
    /// flight keeps its own command.
    fn refuse(&mut self, tag: u16, code: SenseCode) {
        let completion = Completion::check(&Condition::from(code), false);
        let bytes = sense_iu(tag, &completion);
        self.send(tag, bytes, None);
    }

    /// Starts command `tag` on `lun`: the data phase the CDB implies, or the quirks'.
    fn start(&mut self, tag: u16, lun: u16, cdb: Vec<u8>) {
        let intent = intent::of(&self.target, lun, &cdb);
        let unknown = intent == Intent::Unknown;
        if unknown && self.quirks.contains(&Quirk::ResetOnUnknownCdb) {
            self.drop_all();
            self.off_bus = true;
            return;
        }
        let stage = match intent {
            Intent::Unknown if self.quirks.contains(&Quirk::DropUnknownDataPhase) => {
                // The bridge runs it with no data and reports GOOD whatever happened.
                self.target.execute(lun, &cdb, &[], &mut []);
                self.finish(tag, lun, &Completion::good(0));
                None
            }
            Intent::None => {
                let completion = self.target.execute(lun, &cdb, &[], &mut []);
                self.finish(tag, lun, &completion);
                None
            }
            Intent::In(n) => self.execute_data_in(tag, lun, &cdb, room(n)),
            Intent::Unknown => self.execute_data_in(tag, lun, &cdb, UNKNOWN_DATA_IN_ROOM),
            Intent::Out(wanted) => Some(Stage::DataOut {
                cdb,
                wanted,
                received: Vec::new(),
            }),
        };
        if let Some(stage) = stage {
            self.tasks.insert(tag, Task { lun, stage });
            self.wait_for_data(tag);
        }
    }

    /// Executes a data-in command with `room` bytes: its data phase, or none when the
    /// target returned no data (the Sense IU is queued then).
    fn execute_data_in(&mut self, tag: u16, lun: u16, cdb: &[u8], room: usize) -> Option<Stage> {
        let mut data = vec![0u8; room];
        let completion = self.target.execute(lun, cdb, &[], &mut data);
        data.truncate(completion.data_in_len);
        if data.is_empty() {
            self.finish(tag, lun, &completion);
            return None;
        }
        Some(Stage::DataIn {
            data,
            sent: 0,
            sense_iu: sense_iu(tag, &completion),
        })
    }

    /// Queues the Sense IU of command `tag` on `lun`; reading it retires the tag.
    pub(super) fn finish(&mut self, tag: u16, lun: u16, completion: &Completion) {
        let bytes = sense_iu(tag, completion);
        let stage = Stage::Done;
        self.tasks.insert(tag, Task { lun, stage });
        self.send(tag, bytes, Some(tag));
    }

    /// Lines command `tag` up for its data phase: without streams it waits its turn and
    /// its Ready IU announces it (UAS-2 4.4.2); with streams it may start at once.
    fn wait_for_data(&mut self, tag: u16) {
        if !self.streams {
            self.data_queue.push_back(tag);
            if self.data_queue.len() == 1 {
                self.announce(tag);
            }
        }
    }

    /// Queues the Read Ready or Write Ready IU of command `tag` (UAS-2 6.2.6, 6.2.7).
    fn announce(&mut self, tag: u16) {
        let iu = match self.tasks.get(&tag).map(|t| &t.stage) {
            Some(Stage::DataIn { .. }) => Iu::ReadReady { tag },
            Some(Stage::DataOut { .. }) => Iu::WriteReady { tag },
            _ => return,
        };
        self.send(tag, iu.to_bytes(), None);
    }

    /// Ends the data phase of command `tag`: without streams the next command waiting is
    /// announced.
    pub(super) fn data_phase_over(&mut self, tag: u16) {
        if self.data_queue.front() == Some(&tag) {
            self.data_queue.pop_front();
            if let Some(&next) = self.data_queue.front() {
                self.announce(next);
            }
        } else {
            self.data_queue.retain(|&t| t != tag);
        }
    }

    /// Answers a Task Management IU (UAS-2 6.2.3) with a Response IU (UAS-2 6.2.5), then
    /// aborts what it names (so the Response IU precedes a Ready IU the abort brings).
    fn task_management(&mut self, iu: &TaskManagementIu) {
        let lun = lun_number(&iu.lun).filter(|&l| l < self.target.luns());
        let (code, victims) = match (iu.function, lun) {
            (_, None) => (ResponseCode::IncorrectLogicalUnitNumber, Vec::new()),
            (TaskManagementFunction::AbortTask, Some(_)) => (
                ResponseCode::TaskManagementFunctionComplete,
                vec![iu.task_tag],
            ),
            (TaskManagementFunction::LogicalUnitReset, Some(lun)) => {
                let tags = self
                    .tasks
                    .iter()
                    .filter(|(_, t)| t.lun == lun && !matches!(t.stage, Stage::Done))
                    .map(|(&tag, _)| tag)
                    .collect();
                (ResponseCode::TaskManagementFunctionComplete, tags)
            }
            _ => (ResponseCode::TaskManagementFunctionNotSupported, Vec::new()),
        };
        self.respond(iu.tag, code);
        victims.into_iter().for_each(|tag| self.abort(tag));
    }

    /// Aborts command `tag` (SAM-5 7.2): it gets no status; its Sense IU, if queued and
    /// not yet read, is withdrawn.
    fn abort(&mut self, tag: u16) {
        if self.tasks.remove(&tag).is_none() {
            return;
        }
        self.data_phase_over(tag);
        for queue in self.status.values_mut() {
            queue.retain(|o: &Outgoing| o.retires != Some(tag));
        }
    }
}

/// The logical unit an eight-byte LUN addresses with single-level peripheral or flat space
/// addressing (SAM-5 4.7.5, 4.7.6); `None` for any other form.
fn lun_number(lun: &[u8; 8]) -> Option<u16> {
    let [first, second, rest @ ..] = *lun;
    if rest != [0; 6] {
        return None;
    }
    match first >> 6 {
        0b00 if first == 0 => Some(second.into()),
        0b01 => Some(u16::from_be_bytes([first & 0x3f, second])),
        _ => None,
    }
}

/// The CDB in a Command IU's 16-byte field: as long as its operation code's group says
/// (SPC-5 4.2.5.1), all 16 bytes for vendor-specific groups.
fn cdb_of(field: &[u8; CDB_FIELD_LEN]) -> Vec<u8> {
    let len = opcode::expected_len(field)
        .unwrap_or(CDB_FIELD_LEN)
        .min(CDB_FIELD_LEN);
    field.get(..len).unwrap_or(field).to_vec()
}

/// Data-in room for `n` bytes the CDB asks for, at most [`MAX_TRANSFER_BYTES`].
fn room(n: u64) -> usize {
    usize::try_from(n.min(u64::from(MAX_TRANSFER_BYTES))).unwrap_or(0)
}

/// The Sense IU (UAS-2 6.2.4) ending command `tag` with `completion`'s status and sense.
fn sense_iu(tag: u16, completion: &Completion) -> Vec<u8> {
    let sense = completion
        .sense
        .get(..completion.sense.len().min(MAX_SENSE_LEN))
        .unwrap_or_default();
    SenseIu::new(tag, completion.status, sense)
        .map(|iu| Iu::Sense(iu).to_bytes())
        .unwrap_or_default()
}

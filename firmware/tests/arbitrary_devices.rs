//! Devices answering anything: arbitrary status bytes, sense data and data-in for every
//! SCSI command (SAM-5 5.3), arbitrary completion statuses and data for every NVMe command
//! (NVMe Base 2.0 4.6.1). The update never panics, sends a bounded number of commands,
//! and a refusal sends no download command.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cdb::nvme::{Completion, Queue, Status as NvmeStatus, SubmissionEntry};
use cdb::scsi::status::Status;
use firmware::update::{update, UpdateOptions};
use firmware::{Outcome, Target};
use proptest::prelude::*;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use transports::nvme::NvmeTransport;
use transports::scsi::{DataBuffer, ScsiReply, ScsiRequest, ScsiTransport, TransportError};

/// One scripted answer: a status byte, sense bytes and data-in bytes.
type Answer = (u8, Vec<u8>, Vec<u8>);

/// Answers from a script, cycling; records the opcodes it was sent.
struct Scripted {
    answers: Vec<Answer>,
    next: usize,
    opcodes: Arc<Mutex<Vec<u8>>>,
}

impl Scripted {
    fn answer(&mut self) -> Answer {
        let a = self.answers[self.next % self.answers.len()].clone();
        self.next += 1;
        a
    }
}

fn fill(data: DataBuffer<'_>, from: &[u8]) -> usize {
    match data {
        DataBuffer::In(buf) => {
            let n = buf.len().min(from.len());
            buf[..n].copy_from_slice(&from[..n]);
            n
        }
        DataBuffer::Out(bytes) => bytes.len(),
        DataBuffer::None => 0,
    }
}

impl ScsiTransport for Scripted {
    fn execute(&mut self, request: ScsiRequest<'_>) -> Result<ScsiReply, TransportError> {
        self.opcodes.lock().unwrap().push(request.cdb[0]);
        let (status, sense, data) = self.answer();
        let transferred = fill(request.data, &data);
        Ok(ScsiReply {
            status: Status::from(status),
            sense,
            transferred,
        })
    }

    fn describe(&self) -> String {
        "scripted SCSI device".into()
    }
}

impl NvmeTransport for Scripted {
    fn submit(
        &mut self,
        _queue: Queue,
        entry: &SubmissionEntry,
        data: DataBuffer<'_>,
        _timeout: Duration,
    ) -> Result<Completion, TransportError> {
        self.opcodes.lock().unwrap().push(entry.opc());
        let (status, sense, data_in) = self.answer();
        fill(data, &data_in);
        let field = u16::from(status) | u16::from(sense.first().copied().unwrap_or(0) & 7) << 8;
        Ok(Completion {
            dw0: 0,
            dw1: 0,
            sqhd: 0,
            sqid: 0,
            cid: 0,
            phase: false,
            status: NvmeStatus::from_field(field),
        })
    }

    fn describe(&self) -> String {
        "scripted NVMe controller".into()
    }
}

fn answers() -> impl Strategy<Value = Vec<Answer>> {
    let status = prop_oneof![Just(0u8), Just(2), Just(8), any::<u8>()];
    proptest::collection::vec(
        (
            status,
            proptest::collection::vec(any::<u8>(), 0..40),
            proptest::collection::vec(any::<u8>(), 0..600),
        ),
        1..12,
    )
}

fn options<'a>() -> UpdateOptions<'a> {
    let mut o = UpdateOptions::new();
    o.download.retry_delay = Duration::ZERO;
    o
}

proptest! {
    #[test]
    fn an_arbitrary_scsi_device_never_panics_the_update(script in answers(), len in 1usize..3000) {
        let opcodes = Arc::new(Mutex::new(Vec::new()));
        let device = Scripted { answers: script, next: 0, opcodes: opcodes.clone() };
        let mut target = Target::Scsi(Box::new(device));
        let report = update(&mut target, &vec![0u8; len], &mut options());
        let sent = opcodes.lock().unwrap().clone();
        prop_assert!(sent.len() < 200, "{} commands", sent.len());
        if matches!(report.outcome, Outcome::Refused { .. }) {
            prop_assert!(!sent.contains(&0x3b), "a refusal sent WRITE BUFFER");
        }
    }

    #[test]
    fn an_arbitrary_nvme_controller_never_panics_the_update(script in answers(), dwords in 1usize..3000) {
        let opcodes = Arc::new(Mutex::new(Vec::new()));
        let device = Scripted { answers: script, next: 0, opcodes: opcodes.clone() };
        let mut target = Target::Nvme { transport: Box::new(device), bridge: None };
        let report = update(&mut target, &vec![0u8; dwords * 4], &mut options());
        let sent = opcodes.lock().unwrap().clone();
        prop_assert!(sent.len() < 200, "{} commands", sent.len());
        if matches!(report.outcome, Outcome::Refused { .. }) {
            prop_assert!(!sent.contains(&0x11) && !sent.contains(&0x10));
        }
    }
}

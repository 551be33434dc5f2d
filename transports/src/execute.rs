//! Running a typed command over any transport: the data buffer is sized and directed by
//! the command ([`ScsiCommand::data_phase`]), so the CDB's allocation length and the
//! transfer always agree, and the answer is decoded by the command itself.

use crate::scsi::{DataBuffer, ScsiReply, ScsiRequest, ScsiTransport, TransportError};
use cdb::command::{DataPhase, ScsiCommand};
use cdb::error::DecodeError;
use cdb::scsi::status::Status;
use cdb::sense::key::UNIT_ATTENTION;
use cdb::sense::{classify, RetryClass, SenseData};
use std::time::Duration;

/// A command that completed: GOOD, or CHECK CONDITION with only recovered or
/// informational sense (SPC-5 4.4: RECOVERED ERROR, NO SENSE).
#[derive(Debug)]
pub struct Executed<R> {
    /// The decoded data-in (or `()` for commands without it).
    pub response: R,
    /// The data-in bytes the device returned.
    pub data_in: Vec<u8>,
    /// The device's raw answer.
    pub reply: ScsiReply,
    /// UNIT ATTENTION conditions reported (and the command reissued) before it ran
    /// (SAM-5 5.14: the command that receives the UNIT ATTENTION is not executed).
    pub unit_attentions: Vec<SenseData>,
}

/// How many UNIT ATTENTION conditions [`execute`] clears by reissuing the command before
/// it reports the next one as an error.
pub const UNIT_ATTENTION_RETRIES: usize = 4;

/// Why a typed command did not produce a response.
#[derive(Debug, thiserror::Error)]
pub enum ExecuteError {
    /// No status came back.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The device answered with a status other than GOOD (SAM-5 5.3), with its sense.
    #[error("{command}: {status}{}", sense.as_ref().map(|s| format!(": {}", one_line(s))).unwrap_or_default())]
    Device {
        /// The command's name.
        command: &'static str,
        /// The status.
        status: Status,
        /// The decoded sense data, when any came back.
        sense: Option<Box<SenseData>>,
        /// The raw answer.
        reply: ScsiReply,
    },
    /// The device answered GOOD but its data-in could not be decoded.
    #[error("{command}: the data the device returned cannot be decoded: {error}")]
    Decode {
        /// The command's name.
        command: &'static str,
        /// What is wrong with the data.
        error: DecodeError,
        /// The data-in bytes.
        data_in: Vec<u8>,
    },
}

/// Sense data summarised on one line: sense key and additional sense text.
fn one_line(sense: &SenseData) -> String {
    let key = sense.sense_key.map_or("no sense key", |k| k.name);
    match &sense.additional_sense {
        Some(additional) => format!(
            "{key}, {} ({:02X}h/{:02X}h)",
            additional
                .description
                .as_deref()
                .unwrap_or("reserved ASC/ASCQ"),
            additional.asc,
            additional.ascq
        ),
        None => key.to_string(),
    }
}

/// Executes `command` on `transport` and decodes its answer. A UNIT ATTENTION means the
/// command was not executed: it is reissued (up to [`UNIT_ATTENTION_RETRIES`] times) and
/// the conditions are returned in [`Executed::unit_attentions`].
pub fn execute<C: ScsiCommand>(
    transport: &mut dyn ScsiTransport,
    command: &C,
    timeout: Duration,
) -> Result<Executed<C::Response>, ExecuteError> {
    let mut data_in = Vec::new();
    let (reply, unit_attentions) = run(transport, command, timeout, Sink::Own(&mut data_in))?;
    data_in.truncate(reply.transferred.min(data_in.len()));
    match command.decode(&data_in) {
        Ok(response) => Ok(Executed {
            response,
            data_in,
            reply,
            unit_attentions,
        }),
        Err(error) => Err(ExecuteError::Decode {
            command: command.name(),
            error,
            data_in,
        }),
    }
}

/// Executes `command`, whose data-in phase is exactly `buf`'s length, with the data
/// landing in `buf` — no copy, for bulk reads — and returns the reply (its `transferred`
/// tells how much of `buf` was filled) and the UNIT ATTENTION conditions cleared as
/// [`execute`] does. The answer is not decoded. A command with another data phase is
/// refused before anything is sent: the buffer comes from the command, never beside it.
pub fn execute_into<C: ScsiCommand>(
    transport: &mut dyn ScsiTransport,
    command: &C,
    buf: &mut [u8],
    timeout: Duration,
) -> Result<(ScsiReply, Vec<SenseData>), ExecuteError> {
    match command.data_phase() {
        DataPhase::In(len) if len as usize == buf.len() => {}
        phase => {
            return Err(ExecuteError::Transport(TransportError::Refused(format!(
                "{}: a data-in buffer of {} bytes for a data phase of {phase:?}",
                command.name(),
                buf.len()
            ))))
        }
    }
    run(transport, command, timeout, Sink::Caller(buf))
}

/// Where a command's data-in goes.
enum Sink<'b> {
    /// A buffer of the command's own length and direction, made for each attempt.
    Own(&'b mut Vec<u8>),
    /// The caller's buffer, of the command's data-in length.
    Caller(&'b mut [u8]),
}

/// Sends `command` with its data-in going to `sink`, reissuing it after
/// a UNIT ATTENTION, until an answer that is not one: GOOD or RECOVERED ERROR comes back
/// with the conditions cleared; any other status is [`ExecuteError::Device`].
fn run<C: ScsiCommand>(
    transport: &mut dyn ScsiTransport,
    command: &C,
    timeout: Duration,
    mut sink: Sink<'_>,
) -> Result<(ScsiReply, Vec<SenseData>), ExecuteError> {
    let mut unit_attentions = Vec::new();
    let cdb = command.cdb();
    loop {
        let data = match &mut sink {
            Sink::Own(data_in) => DataBuffer::for_phase(command.data_phase(), data_in),
            Sink::Caller(buf) => DataBuffer::In(buf),
        };
        let reply = transport.execute(ScsiRequest {
            cdb: cdb.as_bytes(),
            data,
            timeout,
        })?;
        let sense = (!reply.sense.is_empty())
            .then(|| cdb::sense::decode(&reply.sense).ok())
            .flatten();
        match classify(reply.status, sense.as_ref()) {
            RetryClass::Good | RetryClass::Recovered => return Ok((reply, unit_attentions)),
            _ => match sense {
                Some(ua)
                    if ua.sense_key_code() == Some(UNIT_ATTENTION)
                        && unit_attentions.len() < UNIT_ATTENTION_RETRIES =>
                {
                    unit_attentions.push(ua);
                }
                sense => {
                    return Err(ExecuteError::Device {
                        command: command.name(),
                        status: reply.status,
                        sense: sense.map(Box::new),
                        reply,
                    })
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::open::{open, Access, Device};
    use cdb::scsi::sbc::lba_cdb::Sixteen;
    use cdb::scsi::spc::inquiry::{Inquiry, InquiryData};
    use cdb::scsi::spc::test_unit_ready::TestUnitReady;

    fn sim(uri: &str) -> Box<dyn ScsiTransport> {
        match open(uri, Access::Read).unwrap() {
            Device::Scsi(transport) => transport,
            Device::Nvme(_) => panic!("{uri} opened an NVMe device"),
        }
    }

    #[test]
    fn the_power_on_unit_attention_is_reported_and_the_command_reissued() {
        let mut t = sim("sim:?size=1M");
        let timeout = Duration::from_secs(1);
        let done = execute(t.as_mut(), &TestUnitReady, timeout).unwrap();
        assert_eq!(done.reply.status, Status::Good);
        assert_eq!(done.unit_attentions.len(), 1);
        assert_eq!(done.unit_attentions[0].asc_ascq(), Some((0x29, 0x00)));
        let again = execute(t.as_mut(), &TestUnitReady, timeout).unwrap();
        assert!(again.unit_attentions.is_empty());
    }

    #[test]
    fn a_power_cycle_loses_cached_writes_and_raises_the_power_on_attention() {
        use cdb::scsi::sbc::read_write::{Read, RwOptions, Write};
        let mut t = sim("sim:?size=1M");
        let timeout = Duration::from_secs(1);
        let durable = [0x11u8; 512];
        let cached = [0x22u8; 512];
        let fua = RwOptions {
            fua: true,
            ..RwOptions::default()
        };
        let write = Write::<Sixteen>::new(1, &durable, 512, fua).unwrap();
        execute(t.as_mut(), &write, timeout).unwrap();
        let write = Write::<Sixteen>::new(2, &cached, 512, RwOptions::default()).unwrap();
        execute(t.as_mut(), &write, timeout).unwrap();
        t.power_cycle().unwrap();
        let read = Read::<Sixteen>::new(1, 2, 512, RwOptions::default()).unwrap();
        let done = execute(t.as_mut(), &read, timeout).unwrap();
        assert_eq!(done.unit_attentions.len(), 1, "the power-on unit attention");
        assert_eq!(&done.data_in[..512], &durable[..]);
        assert_eq!(
            &done.data_in[512..],
            &[0u8; 512][..],
            "the cached write is gone"
        );
    }

    #[test]
    fn a_refusal_carries_its_sense() {
        let mut t = sim("sim:?size=1M");
        // READ CAPACITY (16) with a service action the target does not have: 9Eh/1Fh.
        let raw = cdb::scsi::vendor::RawCommand::new(
            &[0x9e, 0x1f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0],
            cdb::command::DataPhase::In(32),
        )
        .unwrap();
        let error = execute(t.as_mut(), &raw, Duration::from_secs(1)).unwrap_err();
        let ExecuteError::Device { status, sense, .. } = &error else {
            panic!("{error}")
        };
        assert_eq!(*status, Status::CheckCondition);
        assert_eq!(sense.as_ref().unwrap().sense_key_code(), Some(0x05));
        assert!(error.to_string().contains("ILLEGAL REQUEST"), "{error}");
    }

    #[test]
    fn the_data_in_buffer_is_the_commands_allocation_length() {
        let mut t = sim("sim:?size=1M&vendor=ACME");
        let inquiry = Inquiry::standard_with_length(36).unwrap();
        let done = execute(t.as_mut(), &inquiry, Duration::from_secs(1)).unwrap();
        assert_eq!(done.data_in.len(), 36);
        let InquiryData::Standard(data) = done.response else {
            panic!("not standard data")
        };
        assert_eq!(data.t10_vendor_identification, "ACME");
    }

    #[test]
    fn execute_into_fills_the_callers_buffer_and_refuses_another_length() {
        use cdb::scsi::sbc::read_write::{Read, RwOptions, Write};
        let mut t = sim("sim:?size=1M");
        let timeout = Duration::from_secs(1);
        let block: Vec<u8> = (0..1024u32).map(|i| (i * 3) as u8).collect();
        let write = Write::<Sixteen>::new(4, &block, 512, RwOptions::default()).unwrap();
        execute(t.as_mut(), &write, timeout).unwrap();
        let read = Read::<Sixteen>::new(4, 2, 512, RwOptions::default()).unwrap();
        let mut buf = vec![0u8; 1024];
        let (reply, _) = execute_into(t.as_mut(), &read, &mut buf, timeout).unwrap();
        assert_eq!(reply.transferred, 1024);
        assert_eq!(buf, block);
        let mut short = vec![0u8; 512];
        let refused = execute_into(t.as_mut(), &read, &mut short, timeout);
        assert!(
            matches!(
                refused,
                Err(ExecuteError::Transport(TransportError::Refused(_)))
            ),
            "{refused:?}"
        );
        let mut none = [0u8; 0];
        assert!(execute_into(t.as_mut(), &TestUnitReady, &mut none, timeout).is_err());
    }
}

//! The commands in flight (UAS-2 4.4, 6.2): a batch of requests issued with up to the
//! queue depth at once, each from its Command IU to its Sense IU, completed as the device
//! answers.

use super::super::bot::usb_error;
use super::task::Reach;
use super::{copy, UasTransport};
use crate::scsi::{DataBuffer, ScsiReply, ScsiRequest, TransportError};
use cdb::scsi::status::Status;
use cdb::usb::uas::{CommandIu, Iu, CDB_FIELD_LEN};
use emulator::usb::device::{
    copy_received, Completion, Transfer, TransferData, TransferId, Transferred, UsbDevice,
};
use emulator::usb::UsbError;
use std::time::{Duration, Instant};

/// One command in flight (SAM-5 4.5: a task).
#[derive(Debug)]
struct Slot {
    /// The request's position in the batch.
    index: usize,
    /// Its tag (and, with streams, its stream ID).
    tag: u16,
    /// Its pending status transfer (with streams).
    status: Option<TransferId>,
    /// Its pending data transfer.
    data: Option<TransferId>,
    /// Without streams: a Read Ready or Write Ready IU started its data phase, which it
    /// does once (UAS-2 6.2.6, 6.2.7); another would have its transfer's bytes land over
    /// the first's.
    readied: bool,
    /// Data bytes moved so far.
    moved: usize,
    /// The request's timeout.
    timeout: Duration,
    /// When that timeout runs out, counted from the issue; `None` past what an `Instant`
    /// holds.
    deadline: Option<Instant>,
    /// A GOOD Sense IU that arrived while the data transfer was still pending: the
    /// command ends when the data transfer completes, or after [`DATA_AFTER_SENSE`].
    reply: Option<ScsiReply>,
}

/// How long a command whose GOOD Sense IU overtook its data transfer waits for that
/// transfer to complete: host controllers report completions of different endpoints out
/// of order (EHCI does), though the device sent the data first (UAS-2 4.4). Linux's uas
/// driver waits for the data transfer the same way. A transfer still pending after it
/// moved nothing: a bridge that dropped the data phase.
const DATA_AFTER_SENSE: Duration = Duration::from_secs(1);

/// Why commands are abandoned: the error they fail with and the pipe to clear, if one
/// stalled.
struct Abandon {
    error: TransportError,
    halted: Option<u8>,
}

impl Abandon {
    /// An error about the device's bytes or order (no pipe halted).
    fn protocol(message: String) -> Self {
        Abandon {
            error: TransportError::Failed(message),
            halted: None,
        }
    }

    /// A USB failure on the pipe `endpoint` during `what`: a STALL halts it.
    fn usb(what: &str, endpoint: u8, error: UsbError, timeout: Duration) -> Self {
        Abandon {
            error: match error {
                UsbError::Stall => TransportError::Failed(format!(
                    "{what}: the pipe STALLed; its halt was cleared and the command aborted"
                )),
                other => usb_error(what, other, timeout),
            },
            halted: (error == UsbError::Stall).then_some(endpoint),
        }
    }
}

/// A batch of requests and their results.
pub(super) struct Batch<'b, 'r> {
    requests: &'b mut [ScsiRequest<'r>],
    results: Vec<Option<Result<ScsiReply, TransportError>>>,
    /// The next request to issue.
    next: usize,
    active: Vec<Slot>,
    /// Without streams: the status transfer every command shares (UAS-2 4.4.2).
    shared_status: Option<TransferId>,
}

impl<'b, 'r> Batch<'b, 'r> {
    /// A batch of `requests`, none issued.
    pub fn new(requests: &'b mut [ScsiRequest<'r>]) -> Self {
        let results = requests.iter().map(|_| None).collect();
        Batch {
            requests,
            results,
            next: 0,
            active: Vec::new(),
            shared_status: None,
        }
    }

    /// Issues and completes every request on `t`.
    pub fn run<D: UsbDevice>(
        mut self,
        t: &mut UasTransport<D>,
    ) -> Vec<Result<ScsiReply, TransportError>> {
        loop {
            self.fill(t);
            if self.active.is_empty() {
                break;
            }
            self.step(t);
        }
        // A status transfer re-armed while a command waited for its data: nothing is in
        // flight to answer it.
        if let Some(id) = self.shared_status.take() {
            let _ = t.device.discard(id);
        }
        self.results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(TransportError::Failed("not issued".into()))))
            .collect()
    }

    /// Issues requests while tags are free.
    fn fill<D: UsbDevice>(&mut self, t: &mut UasTransport<D>) {
        while self.active.len() < t.queue_depth() && self.next < self.requests.len() {
            let index = self.next;
            self.next += 1;
            self.issue(t, index);
        }
    }

    /// Issues request `index`: its transfers (with streams), then its Command IU (UAS-2
    /// 6.2.2) on the command pipe.
    fn issue<D: UsbDevice>(&mut self, t: &mut UasTransport<D>, index: usize) {
        let Some(request) = self.requests.get(index) else {
            return;
        };
        let cdb = request.cdb;
        if cdb.len() > CDB_FIELD_LEN {
            let refusal = "UAS carries CDBs of at most 16 bytes here: additional CDB bytes \
                           are refused by QEMU's usb-uas and many bridges";
            return self.set(index, Err(TransportError::Refused(refusal.into())));
        }
        let Some(tag) = (1..t.link.tags).find(|&tag| self.active.iter().all(|s| s.tag != tag))
        else {
            return self.set(index, Err(TransportError::Failed("no free tag".into())));
        };
        let iu = match CommandIu::new(tag, t.lun_bytes(), cdb) {
            Ok(iu) => Iu::Command(iu).to_bytes(),
            Err(e) => return self.set(index, Err(TransportError::Refused(e.to_string()))),
        };
        let timeout = request.timeout;
        t.device.set_timeout(timeout);
        self.active.push(Slot {
            index,
            tag,
            status: None,
            data: None,
            readied: false,
            moved: 0,
            timeout,
            deadline: Instant::now().checked_add(timeout),
            reply: None,
        });
        let at = self.active.len() - 1;
        if t.link.streams {
            if let Err(abandon) = self.submit_stream_transfers(t, at) {
                return self.abandon(t, Some(at), abandon);
            }
        }
        let command = t.link.command.address;
        if let Err(error) = t.device.bulk_out(command, 0, &iu) {
            let abandon = Abandon::usb("Command IU", command, error, timeout);
            self.abandon(t, Some(at), abandon);
        }
    }

    /// With streams: the status transfer and the data transfer of slot `at` on its
    /// stream (UAS-2 4.4.3).
    fn submit_stream_transfers<D: UsbDevice>(
        &mut self,
        t: &mut UasTransport<D>,
        at: usize,
    ) -> Result<(), Abandon> {
        let Some(slot) = self.active.get(at) else {
            return Ok(());
        };
        let (tag, timeout, index) = (slot.tag, slot.timeout, slot.index);
        let status = t.submit_status(tag).map_err(|error| Abandon {
            error,
            halted: None,
        })?;
        if let Some(slot) = self.active.get_mut(at) {
            slot.status = Some(status);
        }
        if let Some((endpoint, submitted)) = self.submit_data(t, index, tag, None) {
            let data = submitted.map_err(|e| Abandon::usb("data pipe", endpoint, e, timeout))?;
            if let Some(slot) = self.active.get_mut(at) {
                slot.data = Some(data);
            }
        }
        Ok(())
    }

    /// Submits the data transfer of request `index` on `stream` if it has a data buffer
    /// (going in when `read` is `Some(true)`, out when `Some(false)`, either way when
    /// `None`): data-in lands straight in the request's buffer where the device offers
    /// that ([`UsbDevice::submit_into`]) and the buffer is a whole number of packets,
    /// otherwise in a buffer rounded up to wMaxPacketSize (USB 2.0 5.8.3); data-out sends
    /// its bytes. The endpoint and what the submission returned.
    fn submit_data<D: UsbDevice>(
        &mut self,
        t: &mut UasTransport<D>,
        index: usize,
        stream: u16,
        read: Option<bool>,
    ) -> Option<(u8, Result<TransferId, UsbError>)> {
        let (endpoint, data) = match &mut self.requests.get_mut(index)?.data {
            DataBuffer::In(buf) if !buf.is_empty() && read != Some(false) => {
                let (endpoint, packet) = (t.link.data_in.address, t.link.data_in.packet);
                if buf.len() % packet == 0 {
                    // SAFETY: `buf` is borrowed by this batch until `run` returns, and is
                    // not touched while the transfer is pending: a slot leaves the batch
                    // only after its data transfer completed or was discarded (`finish`,
                    // `abandon`), and `UasTransport::execute_queued` reclaims whatever a
                    // panic leaves pending before the borrow ends.
                    let lent = unsafe {
                        t.device
                            .submit_into(endpoint, stream, buf.as_mut_ptr(), buf.len())
                    };
                    if let Some(submitted) = lent {
                        return Some((endpoint, submitted));
                    }
                }
                let rounded = buf.len().div_ceil(packet) * packet;
                (endpoint, TransferData::In(rounded))
            }
            DataBuffer::Out(bytes) if !bytes.is_empty() && read != Some(true) => {
                (t.link.data_out.address, TransferData::Out(bytes.to_vec()))
            }
            _ => return None,
        };
        let transfer = Transfer {
            endpoint,
            stream,
            data,
        };
        Some((endpoint, t.device.submit(transfer)))
    }

    /// Waits for the next completion and acts on it.
    fn step<D: UsbDevice>(&mut self, t: &mut UasTransport<D>) {
        let awaiting = self.active.iter().any(|s| s.reply.is_some());
        let timeout = match awaiting {
            true => self.left().min(DATA_AFTER_SENSE),
            false => self.left(),
        };
        if !t.link.streams && self.shared_status.is_none() {
            match t.submit_status(0) {
                Ok(id) => self.shared_status = Some(id),
                Err(error) => {
                    let halted = None;
                    return self.abandon(t, None, Abandon { error, halted });
                }
            }
        }
        let completion = match t.early.pop_front() {
            Some(completion) => Ok(completion),
            None => t.device.reap(timeout),
        };
        match completion {
            Ok(completion) => {
                self.dispatch(t, completion);
                self.expire(t);
            }
            Err(UsbError::Timeout) if awaiting => self.end_awaiting(t),
            Err(error) => {
                // A timeout names the requests' (shortest) timeout, not what was left of it.
                let status = t.link.status.address;
                let timeout = self.timeout(None);
                let abandon = Abandon::usb("waiting for the device", status, error, timeout);
                self.abandon(t, None, abandon);
            }
        }
    }

    /// Routes a completion to its command; one of a discarded transfer is dropped.
    fn dispatch<D: UsbDevice>(&mut self, t: &mut UasTransport<D>, completion: Completion) {
        let id = Some(completion.id);
        if self.shared_status == id {
            self.shared_status = None;
            return self.status(t, None, completion.result);
        }
        if let Some(at) = self.active.iter().position(|s| s.status == id) {
            if let Some(slot) = self.active.get_mut(at) {
                slot.status = None;
            }
            return self.status(t, Some(at), completion.result);
        }
        if let Some(at) = self.active.iter().position(|s| s.data == id) {
            self.data(t, at, completion.result);
        }
    }

    /// A data transfer of slot `at` completed: the bytes it moved are recorded (data-in
    /// copied into the buffer, bytes past it dropped).
    fn data<D: UsbDevice>(
        &mut self,
        t: &mut UasTransport<D>,
        at: usize,
        result: Result<Transferred, UsbError>,
    ) {
        let Some(slot) = self.active.get_mut(at) else {
            return;
        };
        slot.data = None;
        let Some(request) = self.requests.get_mut(slot.index) else {
            return;
        };
        match (result, &mut request.data) {
            (Ok(Transferred::In(bytes)), DataBuffer::In(buf)) => {
                slot.moved = copy_received(&bytes, buf);
            }
            (Ok(Transferred::Received(n)), DataBuffer::In(buf)) => slot.moved = n.min(buf.len()),
            (Ok(Transferred::Out(n)), DataBuffer::Out(bytes)) => slot.moved = n.min(bytes.len()),
            (Ok(_), _) => {}
            (Err(error), data) => {
                let (what, endpoint) = match data {
                    DataBuffer::Out(_) => ("data-out pipe", t.link.data_out.address),
                    _ => ("data-in pipe", t.link.data_in.address),
                };
                let abandon = Abandon::usb(what, endpoint, error, slot.timeout);
                return self.abandon(t, Some(at), abandon);
            }
        }
        if let Some(mut reply) = self.active.get_mut(at).and_then(|s| s.reply.take()) {
            reply.transferred = self.active.get(at).map_or(0, |s| s.moved);
            self.finish(t, at, Ok(reply));
        }
    }

    /// Ends the commands whose GOOD Sense IU came and whose data transfer did not follow
    /// within [`DATA_AFTER_SENSE`]: with what moved (nothing), their data transfer
    /// discarded.
    fn end_awaiting<D: UsbDevice>(&mut self, t: &mut UasTransport<D>) {
        while let Some(at) = self.active.iter().position(|s| s.reply.is_some()) {
            let reply = self.active.get_mut(at).and_then(|s| s.reply.take());
            if let Some(reply) = reply {
                self.finish(t, at, Ok(reply));
            }
        }
    }

    /// A status transfer completed: the shared one (`at` = `None`) or slot `at`'s.
    fn status<D: UsbDevice>(
        &mut self,
        t: &mut UasTransport<D>,
        at: Option<usize>,
        result: Result<Transferred, UsbError>,
    ) {
        let timeout = self.timeout(at);
        let bytes = match result {
            Ok(Transferred::In(bytes)) => bytes,
            Ok(Transferred::Out(_) | Transferred::Received(_)) => Vec::new(),
            Err(error) => {
                let status = t.link.status.address;
                let abandon = Abandon::usb("status pipe", status, error, timeout);
                return self.abandon(t, at, abandon);
            }
        };
        let iu = match Iu::parse(&bytes) {
            Ok(iu) => iu,
            Err(e) => return self.abandon(t, at, Abandon::protocol(format!("status pipe: {e}"))),
        };
        let owner = self.active.iter().position(|s| s.tag == iu.tag());
        let owner = match (owner, at) {
            (Some(owner), None) => owner,
            (Some(owner), Some(at)) if owner == at => owner,
            _ => {
                let stream = at.and_then(|a| self.active.get(a)).map(|s| s.tag);
                let message = match stream {
                    Some(stream) => format!("an IU tagged {} on stream {stream}", iu.tag()),
                    None => format!("an IU tagged {}, no command in flight", iu.tag()),
                };
                return self.abandon(t, at, Abandon::protocol(format!("status pipe: {message}")));
            }
        };
        match iu {
            Iu::Sense(sense) => {
                let (moved, data_pending) = self
                    .active
                    .get(owner)
                    .map_or((0, false), |s| (s.moved, s.data.is_some()));
                let reply = ScsiReply {
                    status: sense.status,
                    sense: sense.sense_data,
                    transferred: moved,
                };
                // GOOD with the data transfer not yet reaped: wait for it (a failed
                // command's pending data is cancelled, as Linux's uas driver does).
                match self.active.get_mut(owner) {
                    Some(slot) if data_pending && reply.status == Status::Good => {
                        slot.reply = Some(reply)
                    }
                    _ => self.finish(t, owner, Ok(reply)),
                }
            }
            Iu::Response(response) => {
                let code = response.response_code;
                // The device refused the Command IU; the tag is aborted all the same, so
                // that it is free whatever the device did.
                let message = format!(
                    "the device answered the Command IU tagged {} with a Response IU: \
                     {code:?} ({:02X}h)",
                    response.tag,
                    code.code()
                );
                self.abandon(t, Some(owner), Abandon::protocol(message));
            }
            Iu::ReadReady { .. } | Iu::WriteReady { .. } if !t.link.streams => {
                let read = matches!(iu, Iu::ReadReady { .. });
                self.ready(t, owner, read);
            }
            other => {
                let message = format!("status pipe: unexpected {other:?}");
                self.abandon(t, Some(owner), Abandon::protocol(message));
            }
        }
    }

    /// A Read Ready (`read`) or Write Ready IU for slot `at` (UAS-2 6.2.6, 6.2.7): its
    /// data transfer is submitted, if its buffer goes that way.
    fn ready<D: UsbDevice>(&mut self, t: &mut UasTransport<D>, at: usize, read: bool) {
        let Some(slot) = self.active.get(at) else {
            return;
        };
        let (index, tag, timeout) = (slot.index, slot.tag, slot.timeout);
        let submitted = match slot.data.is_none() && !slot.readied {
            true => self.submit_data(t, index, 0, Some(read)),
            false => None,
        };
        let Some((endpoint, submitted)) = submitted else {
            let which = if read { "Read Ready" } else { "Write Ready" };
            let message = format!(
                "a {which} IU for tag {tag}, whose command has no such data phase pending \
                 (or had it already)"
            );
            return self.abandon(t, Some(at), Abandon::protocol(message));
        };
        match submitted {
            Ok(id) => {
                if let Some(slot) = self.active.get_mut(at) {
                    slot.data = Some(id);
                    slot.readied = true;
                }
            }
            Err(e) => self.abandon(t, Some(at), Abandon::usb("data pipe", endpoint, e, timeout)),
        }
    }

    /// Ends slot `at` with `result`; its transfers still pending are discarded.
    fn finish<D: UsbDevice>(
        &mut self,
        t: &mut UasTransport<D>,
        at: usize,
        result: Result<ScsiReply, TransportError>,
    ) {
        if at < self.active.len() {
            let slot = self.active.remove(at);
            discard(t, &slot);
            self.set(slot.index, result);
        }
    }

    /// Abandons slot `at` (every command without streams, or when `at` is `None`): their
    /// transfers are discarded and recovery runs (see [`UasTransport::recover`]); they fail
    /// with `abandon`'s error, the others abandoned along with them saying so, and commands
    /// a reset ended too.
    fn abandon<D: UsbDevice>(
        &mut self,
        t: &mut UasTransport<D>,
        at: Option<usize>,
        abandon: Abandon,
    ) {
        let culprit = at.and_then(|a| self.active.get(a)).map(|s| s.tag);
        let victims: Vec<Slot> = match at {
            Some(at) if t.link.streams && at < self.active.len() => vec![self.active.remove(at)],
            _ => std::mem::take(&mut self.active),
        };
        if let Some(id) = self.shared_status.take() {
            let _ = t.device.discard(id);
        }
        victims.iter().for_each(|slot| discard(t, slot));
        let timeout = victims.iter().map(|s| s.timeout).min().unwrap_or_default();
        let tags: Vec<u16> = victims.iter().map(|s| s.tag).collect();
        let recovered = match abandon.error {
            TransportError::Gone(_) => Err(copy(&abandon.error)),
            _ => t.recover(&tags, abandon.halted, timeout),
        };
        for slot in &victims {
            let error = match culprit {
                Some(tag) if tag != slot.tag => TransportError::Failed(format!(
                    "abandoned with the command tagged {tag}: {}",
                    abandon.error
                )),
                _ => copy(&abandon.error),
            };
            self.set(slot.index, Err(error));
        }
        let bystanders = match &recovered {
            Ok(Reach::Task) => return,
            Ok(reach) => TransportError::Failed(format!(
                "ended by the {} that recovery needed",
                reach.name()
            )),
            Err(TransportError::Gone(why)) => TransportError::Gone(why.clone()),
            Err(error) => TransportError::Failed(format!("recovery failed: {error}")),
        };
        for slot in std::mem::take(&mut self.active) {
            discard(t, &slot);
            self.set(slot.index, Err(copy(&bystanders)));
        }
        if matches!(recovered, Err(TransportError::Gone(_))) {
            // A device gone fails every request not issued yet the same way.
            while self.next < self.requests.len() {
                self.set(self.next, Err(copy(&bystanders)));
                self.next += 1;
            }
        }
    }

    /// The time left until the earliest deadline of the commands still waiting for their
    /// Sense IU (the whole timeout of one whose deadline is too far to hold); the shortest
    /// timeout when every command has its Sense IU.
    fn left(&self) -> Duration {
        let now = Instant::now();
        self.active
            .iter()
            .filter(|s| s.reply.is_none())
            .map(|s| {
                s.deadline
                    .map_or(s.timeout, |d| d.saturating_duration_since(now))
            })
            .min()
            .unwrap_or_else(|| self.timeout(None))
    }

    /// Abandons the commands whose timeout ran out while completions of others kept
    /// arriving: each fails with [`TransportError::Timeout`] and is aborted (UAS-2 6.5).
    fn expire<D: UsbDevice>(&mut self, t: &mut UasTransport<D>) {
        loop {
            let now = Instant::now();
            let expired = self.active.iter().position(|s| {
                s.reply.is_none() && s.deadline.is_some_and(|deadline| deadline <= now)
            });
            let Some(at) = expired else {
                return;
            };
            let timeout = self.timeout(Some(at));
            let status = t.link.status.address;
            let abandon =
                Abandon::usb("waiting for the device", status, UsbError::Timeout, timeout);
            self.abandon(t, Some(at), abandon);
        }
    }

    /// The timeout of slot `at`; with `None`, the shortest of the commands in flight.
    fn timeout(&self, at: Option<usize>) -> Duration {
        match at.and_then(|a| self.active.get(a)) {
            Some(slot) => slot.timeout,
            None => self
                .active
                .iter()
                .map(|s| s.timeout)
                .min()
                .unwrap_or_default(),
        }
    }

    /// Records the result of request `index`.
    fn set(&mut self, index: usize, result: Result<ScsiReply, TransportError>) {
        if let Some(place) = self.results.get_mut(index) {
            *place = Some(result);
        }
    }
}

/// Discards the pending transfers of `slot` (usbfs DISCARDURB).
fn discard<D: UsbDevice>(t: &mut UasTransport<D>, slot: &Slot) {
    for id in [slot.status, slot.data].into_iter().flatten() {
        let _ = t.device.discard(id);
    }
}

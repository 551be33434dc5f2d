//! The UAS host transport driving the emulated mass-storage device (UAS-only and dual
//! layouts, high speed and SuperSpeed) over an SBC disk with one vendor command: typed
//! commands through `execute`, several in flight, each injectable [`UasFault`], forged
//! device answers, the `drop-unknown-data-phase` quirk and [`connect`]'s choice of
//! protocol. Answers are checked against SPC-5/SBC-4 with the `cdb` crate's decoders.

use super::UasTransport;
use crate::execute::execute;
use crate::scsi::{DataBuffer, ScsiReply, ScsiRequest, ScsiTransport, TransportError};
use crate::usb::bot::BotTransport;
use crate::usb::{connect, UsbProtocol};
use cdb::command::ScsiCommand;
use cdb::scsi::sbc::read_capacity::ReadCapacity10;
use cdb::scsi::sbc::read_write::{Read10, RwOptions, Write10};
use cdb::scsi::sbc::synchronize_cache::SynchronizeCache10;
use cdb::scsi::spc::inquiry::{Inquiry, InquiryData};
use cdb::scsi::spc::log_sense::LogSense;
use cdb::scsi::spc::test_unit_ready::TestUnitReady;
use cdb::scsi::status::Status;
use cdb::sense::key::ILLEGAL_REQUEST;
use cdb::usb::descriptor::PipeId;
use cdb::usb::request::{SetupPacket, CLEAR_FEATURE};
use cdb::usb::uas::{Iu, TaskManagementFunction};
use emulator::block::BlockError;
use emulator::sbc::{Completion, Target};
use emulator::sim::SimDevice;
use emulator::target::ScsiTarget;
use emulator::uri::SimSpec;
use emulator::usb::device::{
    DeviceConfig, Layout, MassStorageDevice, PollQueue, Speed, Transfer, TransferData, TransferId,
    Transferred, UsbDevice,
};
use emulator::usb::{Quirk, UasFault, UsbError, UsbResult};
use proptest::prelude::*;
use std::collections::VecDeque;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(5);
const BLOCK: u32 = 512;
/// The emulated device's UAS command and status pipes (QEMU usb-uas numbering: endpoint
/// number = pipe ID).
const COMMAND_PIPE: u8 = 0x01;
const STATUS_PIPE: u8 = 0x82;
/// A vendor-specific operation code (group 6, SPC-5 4.2.5.1) the test target answers with
/// [`VENDOR_REPLY`] bytes, as the firmware behind a bridge does.
const VENDOR_OPCODE: u8 = 0xc0;
const VENDOR_REPLY: usize = 512;
/// The UAS alternates: UAS-only and dual (alt 1), each at both speeds.
const CASES: [(Layout, Speed); 4] = [
    (Layout::Uas, Speed::High),
    (Layout::Uas, Speed::Super),
    (Layout::Dual, Speed::High),
    (Layout::Dual, Speed::Super),
];

/// An SBC target plus one vendor data-in command.
#[derive(Debug)]
struct Vendor(Target);

fn vendor_pattern() -> Vec<u8> {
    (0..VENDOR_REPLY).map(|i| (i % 251) as u8 ^ 0x3c).collect()
}

impl ScsiTarget for Vendor {
    fn luns(&self) -> u16 {
        self.0.luns()
    }
    fn block_size(&self, lun: u16) -> u32 {
        self.0.block_size(lun)
    }
    fn execute(&mut self, lun: u16, cdb: &[u8], out: &[u8], data_in: &mut [u8]) -> Completion {
        if cdb.first() != Some(&VENDOR_OPCODE) {
            return self.0.execute(lun, cdb, out, data_in);
        }
        let pattern = vendor_pattern();
        let n = pattern.len().min(data_in.len());
        data_in[..n].copy_from_slice(&pattern[..n]);
        Completion::good(n)
    }
    fn reset(&mut self) -> Result<(), BlockError> {
        self.0.reset()
    }
    fn power_cycle(&mut self) -> Result<(), BlockError> {
        self.0.power_cycle()
    }
}

type Dev = MassStorageDevice<Vendor>;

fn device_with(layout: Layout, speed: Speed, quirks: &[Quirk]) -> Dev {
    let spec = SimSpec::parse("sim:?size=4M&vendor=ACME").expect("sim: URI");
    let Ok(SimDevice::Scsi(target)) = spec.build() else {
        panic!("not a SCSI target");
    };
    let mut config = DeviceConfig::new(layout, speed);
    config.uas_quirks = quirks.to_vec();
    MassStorageDevice::new(Vendor(target), config)
}

/// What the host sent on the command pipe, and port resets.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Sent {
    Command(u16),
    Task(TaskManagementFunction, u16),
    ClearHalt(u8),
    PortReset,
    Streams(u16),
}

/// The emulated device with the host's command-pipe IUs and recovery requests recorded,
/// its bulk-in answers (or its control answers) optionally forged, and stream allocation
/// optionally refused. Submitted transfers run
/// on a queue of its own, so forged answers reach them.
struct Wire {
    device: Dev,
    queue: PollQueue,
    /// Answers for the next status-pipe transfers (every bulk-in when `garbage`).
    forged: VecDeque<Vec<u8>>,
    garbage: bool,
    /// Forged answers go to the control requests of enumeration instead.
    garbage_control: bool,
    no_streams: bool,
    /// Completions are reported status pipe first, as an EHCI host controller may order
    /// those of different endpoints.
    status_first: bool,
    /// Completions collected and not yet reported (with `status_first`).
    completed: VecDeque<emulator::usb::device::Completion>,
    /// The status-pipe transfers submitted.
    status_ids: Vec<TransferId>,
    /// A stream whose transfers never complete, until the next Task Management IU.
    muted: Option<u16>,
    /// At most this many streams granted.
    grant: Option<u16>,
    log: Vec<Sent>,
    /// Offers [`UsbDevice::submit_into`], as usbfs does.
    lend: bool,
    /// Transfers into the host's memory not yet reaped: where and how much.
    lent: Vec<(TransferId, *mut u8, usize)>,
    /// How many transfers were lent memory.
    lendings: usize,
    /// The reap after this many more panics.
    explode: Option<usize>,
}

impl Wire {
    fn new(device: Dev) -> Self {
        Wire {
            device,
            queue: PollQueue::default(),
            forged: VecDeque::new(),
            garbage: false,
            garbage_control: false,
            no_streams: false,
            status_first: false,
            completed: VecDeque::new(),
            status_ids: Vec::new(),
            muted: None,
            grant: None,
            log: Vec::new(),
            lend: true,
            lent: Vec::new(),
            lendings: 0,
            explode: None,
        }
    }

    /// The next completion, status pipe first with `status_first`.
    fn next_completion(&mut self) -> Result<emulator::usb::device::Completion, UsbError> {
        if !self.status_first {
            return PollQueue::reap_own(self, |d| &mut d.queue);
        }
        while let Ok(completion) = PollQueue::reap_own(self, |d| &mut d.queue) {
            self.completed.push_back(completion);
        }
        let ids: Vec<TransferId> = self.completed.iter().map(|c| c.id).collect();
        let status = ids.into_iter().position(|id| self.status_ids.contains(&id));
        let next = match status {
            Some(at) => self.completed.remove(at),
            None => self.completed.pop_front(),
        };
        next.ok_or(UsbError::Timeout)
    }
}

impl UsbDevice for Wire {
    fn speed(&self) -> Speed {
        self.device.speed()
    }
    fn control_in(&mut self, setup: SetupPacket) -> UsbResult {
        if self.garbage_control {
            return Ok(self.forged.pop_front().unwrap_or_default());
        }
        self.device.control_in(setup)
    }
    fn control_out(&mut self, setup: SetupPacket, data: &[u8]) -> Result<(), UsbError> {
        if setup.request == CLEAR_FEATURE {
            self.log.push(Sent::ClearHalt(setup.index.get() as u8));
        }
        self.device.control_out(setup, data)
    }
    fn bulk_out(&mut self, endpoint: u8, stream: u16, data: &[u8]) -> Result<usize, UsbError> {
        if endpoint == COMMAND_PIPE {
            match Iu::parse(data) {
                Ok(Iu::Command(iu)) => self.log.push(Sent::Command(iu.tag)),
                Ok(Iu::TaskManagement(iu)) => {
                    self.muted = None;
                    self.log.push(Sent::Task(iu.function, iu.task_tag))
                }
                _ => {}
            }
        }
        self.device.bulk_out(endpoint, stream, data)
    }
    fn bulk_in(&mut self, endpoint: u8, stream: u16, max: usize) -> UsbResult {
        if self.garbage || endpoint == STATUS_PIPE {
            if let Some(answer) = self.forged.pop_front() {
                return Ok(answer);
            }
        }
        self.device.bulk_in(endpoint, stream, max)
    }
    fn port_reset(&mut self) -> Result<(), UsbError> {
        self.log.push(Sent::PortReset);
        self.device.port_reset()
    }
    fn submit(&mut self, transfer: Transfer) -> Result<TransferId, UsbError> {
        let endpoint = transfer.endpoint;
        let muted = transfer.stream != 0 && self.muted == Some(transfer.stream);
        let id = self.queue.submit(transfer);
        if muted {
            // Named, then never completed.
            self.queue.discard(id);
        }
        if endpoint == STATUS_PIPE {
            self.status_ids.push(id);
        }
        Ok(id)
    }
    fn reap(&mut self, _timeout: Duration) -> Result<emulator::usb::device::Completion, UsbError> {
        self.explode = match self.explode {
            Some(0) => panic!("the host controller exploded"),
            left => left.map(|n| n - 1),
        };
        let mut completion = self.next_completion()?;
        let Some(at) = self.lent.iter().position(|(id, ..)| *id == completion.id) else {
            return Ok(completion);
        };
        let (_, buf, len) = self.lent.remove(at);
        if let Ok(Transferred::In(bytes)) = &completion.result {
            let n = bytes.len().min(len);
            // SAFETY: `submit_into`'s caller keeps `len` bytes at `buf` for this transfer
            // until it is reaped, which is now.
            unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), buf, n) };
            completion.result = Ok(Transferred::Received(n));
        }
        Ok(completion)
    }
    fn discard(&mut self, id: TransferId) -> Result<(), UsbError> {
        self.lent.retain(|(lent, ..)| *lent != id);
        self.queue.discard(id);
        Ok(())
    }
    unsafe fn submit_into(
        &mut self,
        endpoint: u8,
        stream: u16,
        buf: *mut u8,
        len: usize,
    ) -> Option<Result<TransferId, UsbError>> {
        if !self.lend {
            return None;
        }
        let data = TransferData::In(len);
        let submitted = self.submit(Transfer {
            endpoint,
            stream,
            data,
        });
        if let Ok(id) = submitted {
            self.lent.push((id, buf, len));
            self.lendings += 1;
        }
        Some(submitted)
    }
    fn reclaim(&mut self) {
        for (id, ..) in std::mem::take(&mut self.lent) {
            self.queue.discard(id);
        }
    }
    fn alloc_streams(&mut self, endpoints: &[u8], streams: u16) -> Result<u16, UsbError> {
        if self.no_streams {
            return Err(UsbError::InvalidParam);
        }
        self.log.push(Sent::Streams(streams));
        let granted = self.device.alloc_streams(endpoints, streams)?;
        Ok(self.grant.map_or(granted, |most| granted.min(most)))
    }
}

type Transport = UasTransport<Wire>;

/// A transport on the UAS alternate of `layout` at `speed`, past the power-on UNIT
/// ATTENTION, its log cleared.
fn ready_with(layout: Layout, speed: Speed, quirks: &[Quirk]) -> Transport {
    let mut t =
        UasTransport::open(Wire::new(device_with(layout, speed, quirks)), 0).expect("UAS opens");
    execute(&mut t, &TestUnitReady, TIMEOUT).expect("TEST UNIT READY");
    t.device_mut().log.clear();
    t
}

fn ready(layout: Layout, speed: Speed) -> Transport {
    ready_with(layout, speed, &[])
}

fn inject(t: &mut Transport, fault: UasFault) {
    t.device_mut().device.uas().expect("UAS face").inject(fault);
}

/// INQUIRY through `execute`, checked against the identity the sim: URI set (SPC-5 6.7.2).
fn inquiry_works(t: &mut dyn ScsiTransport) {
    let done = execute(t, &Inquiry::standard(), TIMEOUT).expect("INQUIRY");
    let InquiryData::Standard(data) = done.response else {
        panic!("standard INQUIRY data expected");
    };
    assert_eq!(data.t10_vendor_identification.trim_end(), "ACME");
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i % 253) as u8 ^ seed).collect()
}

fn raw(
    t: &mut impl ScsiTransport,
    cdb: &[u8],
    data: DataBuffer<'_>,
) -> Result<ScsiReply, TransportError> {
    t.execute(ScsiRequest {
        cdb,
        data,
        timeout: TIMEOUT,
    })
}

/// A one-block WRITE (10) when `pipe` is the data-out pipe, else a READ (10): a command
/// whose transfers cross `pipe`.
fn io_across(t: &mut Transport, pipe: PipeId) -> Result<ScsiReply, TransportError> {
    let data = pattern(BLOCK as usize, 9);
    if pipe == PipeId::DataOut {
        let write = Write10::new(5, &data, BLOCK, RwOptions::default()).expect("WRITE");
        raw(t, write.cdb().as_bytes(), DataBuffer::Out(&data))
    } else {
        let read = Read10::new(5, 1, BLOCK, RwOptions::default()).expect("READ");
        let mut buf = vec![0u8; BLOCK as usize];
        raw(t, read.cdb().as_bytes(), DataBuffer::In(&mut buf))
    }
}

const PIPES: [PipeId; 4] = [
    PipeId::Command,
    PipeId::Status,
    PipeId::DataIn,
    PipeId::DataOut,
];

/// A READ (10) of one block whose data-in fills `buf`.
fn read_request<'a>(cdb: &'a [u8], buf: &'a mut [u8]) -> ScsiRequest<'a> {
    ScsiRequest {
        cdb,
        data: DataBuffer::In(buf),
        timeout: TIMEOUT,
    }
}

/// READ (10) of blocks 0 to `count - 1`, one block each, queued together: the results
/// and the blocks read.
fn queued_reads(
    t: &mut Transport,
    count: u64,
) -> (Vec<Result<ScsiReply, TransportError>>, Vec<Vec<u8>>) {
    let reads: Vec<_> = (0..count)
        .map(|i| {
            Read10::new(i, 1, BLOCK, RwOptions::default())
                .expect("READ")
                .cdb()
        })
        .collect();
    let mut bufs = vec![vec![0u8; BLOCK as usize]; count as usize];
    let mut requests: Vec<ScsiRequest> = reads
        .iter()
        .zip(bufs.iter_mut())
        .map(|(cdb, buf)| read_request(cdb.as_bytes(), buf))
        .collect();
    let results = t.execute_queued(&mut requests);
    drop(requests);
    (results, bufs)
}

#[test]
fn inquiry_read_capacity_round_trips_and_synchronize_cache() {
    for (layout, speed) in CASES {
        let mut t = ready(layout, speed);
        let expected_alt = if layout == Layout::Dual { 1 } else { 0 };
        assert_eq!(t.link().alternate, expected_alt, "{layout:?}");
        assert_eq!(t.link().streams, speed == Speed::Super);
        assert_eq!(
            t.link().status.address,
            STATUS_PIPE,
            "from the Pipe Usage descriptors"
        );
        inquiry_works(&mut t);
        let capacity = execute(&mut t, &ReadCapacity10, TIMEOUT).expect("READ CAPACITY");
        assert_eq!(capacity.response.logical_block_length, BLOCK);
        assert_eq!(capacity.response.capacity_bytes, Some(4 << 20));
        for (lba, len) in [(1u64, BLOCK as usize), (8, 64 << 10), (1024, 1 << 20)] {
            let data = pattern(len, lba as u8);
            let write = Write10::new(lba, &data, BLOCK, RwOptions::default()).expect("WRITE");
            let written = execute(&mut t, &write, TIMEOUT).expect("written");
            assert_eq!(written.reply.transferred, len, "{layout:?} {speed:?} {len}");
            let blocks = (len / BLOCK as usize) as u32;
            let read = Read10::new(lba, blocks, BLOCK, RwOptions::default()).expect("READ");
            let back = execute(&mut t, &read, TIMEOUT).expect("read");
            assert_eq!(back.reply.transferred, len);
            assert!(
                back.data_in == data,
                "{layout:?} {speed:?} {len} bytes differ"
            );
        }
        // The 64 KiB and 1 MiB reads landed in place (the 512-byte one too at high speed,
        // where it is a whole number of packets), and none is left lent.
        let lendings = if speed == Speed::High { 3 } else { 2 };
        assert_eq!(t.device_mut().lendings, lendings, "{layout:?} {speed:?}");
        assert!(t.device_mut().lent.is_empty());
        let sync = execute(&mut t, &SynchronizeCache10::all(), TIMEOUT).expect("SYNC CACHE");
        assert_eq!(sync.reply.status, Status::Good);
        assert!(
            t.describe().contains("USB Attached SCSI"),
            "{}",
            t.describe()
        );
        assert!(t.describe().contains(&format!("alt {expected_alt}")));
    }
}

#[test]
fn an_unsupported_opcode_brings_its_sense_in_the_sense_iu() {
    for (layout, speed) in CASES {
        let mut t = ready(layout, speed);
        let log_sense = LogSense::new(0x00, 0, 64).expect("LOG SENSE");
        let mut buf = vec![0u8; 64];
        let reply =
            raw(&mut t, log_sense.cdb().as_bytes(), DataBuffer::In(&mut buf)).expect("a status");
        assert_eq!(
            (reply.status, reply.transferred),
            (Status::CheckCondition, 0)
        );
        // Autosense: the Sense IU's sense data, INVALID COMMAND OPERATION CODE (SPC-5).
        let sense = cdb::sense::decode(&reply.sense).expect("sense data");
        assert_eq!(sense.sense_key_code(), Some(ILLEGAL_REQUEST));
        assert_eq!(sense.asc_ascq(), Some((0x20, 0x00)));
        assert!(t
            .device_mut()
            .log
            .iter()
            .all(|s| matches!(s, Sent::Command(_))));
        inquiry_works(&mut t);
    }
}

#[test]
fn cdbs_longer_than_16_bytes_and_empty_ones_are_refused_unsent() {
    let mut t = ready(Layout::Uas, Speed::Super);
    for cdb in [&[0x7fu8; 32][..], &[]] {
        let refused = raw(&mut t, cdb, DataBuffer::None);
        assert!(
            matches!(refused, Err(TransportError::Refused(_))),
            "{refused:?}"
        );
    }
    assert!(t.device_mut().log.is_empty(), "nothing sent");
    inquiry_works(&mut t);
}

#[test]
fn several_commands_in_flight_complete_as_the_device_answers() {
    for speed in [Speed::High, Speed::Super] {
        let mut t = ready(Layout::Uas, speed);
        let depth = t.queue_depth();
        assert_eq!(depth, 15, "16 tags, one kept for task management");
        // 20 WRITEs of one block each: more than the queue holds.
        let blocks: Vec<Vec<u8>> = (0..20).map(|i| pattern(BLOCK as usize, i)).collect();
        let writes: Vec<Write10> = (0..20)
            .map(|i| Write10::new(i, &blocks[i as usize], BLOCK, RwOptions::default()))
            .collect::<Result<_, _>>()
            .expect("WRITE");
        let cdbs: Vec<_> = writes.iter().map(|w| w.cdb()).collect();
        let mut requests: Vec<ScsiRequest> = cdbs
            .iter()
            .zip(&blocks)
            .map(|(cdb, data)| ScsiRequest {
                cdb: cdb.as_bytes(),
                data: DataBuffer::Out(data),
                timeout: TIMEOUT,
            })
            .collect();
        let results = t.execute_queued(&mut requests);
        for result in &results {
            let reply = result.as_ref().expect("written");
            assert_eq!(
                (reply.status, reply.transferred),
                (Status::Good, BLOCK as usize)
            );
        }
        let tags: Vec<u16> = t
            .device_mut()
            .log
            .iter()
            .filter_map(|s| match s {
                Sent::Command(tag) => Some(*tag),
                _ => None,
            })
            .collect();
        // The first `depth` Command IUs went out before any completed, under distinct tags.
        let mut first: Vec<u16> = tags[..depth].to_vec();
        first.sort_unstable();
        assert_eq!(first, (1..=15).collect::<Vec<u16>>(), "{speed:?}");
        // READ them back, several at once, with a mix of INQUIRY.
        let (results, bufs) = queued_reads(&mut t, 20);
        assert!(results
            .iter()
            .all(|r| r.as_ref().is_ok_and(|r| r.status == Status::Good)));
        assert_eq!(bufs, blocks, "{speed:?}");
    }
}

#[test]
fn stalls_are_cleared_and_the_command_fails_then_the_next_works() {
    for (layout, speed) in CASES {
        for pipe in PIPES {
            let mut t = ready(layout, speed);
            inject(&mut t, UasFault::Stall(pipe));
            let failed = io_across(&mut t, pipe);
            assert!(
                matches!(&failed, Err(TransportError::Failed(m)) if m.contains("STALL")),
                "{layout:?} {speed:?} {pipe:?}: {failed:?}"
            );
            // The halt was cleared (USB 2.0 9.4.5), then the abandoned command aborted
            // (SAM-5 7.2).
            let endpoint = match pipe {
                PipeId::Command => t.link().command.address,
                PipeId::Status => t.link().status.address,
                PipeId::DataIn => t.link().data_in.address,
                PipeId::DataOut => t.link().data_out.address,
            };
            assert_eq!(
                t.device_mut().log,
                [
                    Sent::Command(1),
                    Sent::ClearHalt(endpoint),
                    Sent::Task(TaskManagementFunction::AbortTask, 1)
                ],
                "{layout:?} {speed:?} {pipe:?}"
            );
            inquiry_works(&mut t);
            inquiry_works(&mut t);
        }
    }
}

#[test]
fn no_response_times_out_and_the_recovery_ladder_ends_in_a_port_reset() {
    for (layout, speed) in CASES {
        for pipe in PIPES {
            let mut t = ready(layout, speed);
            inject(&mut t, UasFault::NoResponse(pipe));
            let failed = io_across(&mut t, pipe);
            assert!(
                matches!(failed, Err(TransportError::Timeout(d)) if d == TIMEOUT),
                "{layout:?} {speed:?} {pipe:?}: {failed:?}"
            );
            // A hung device answers no task management: ABORT TASK, LOGICAL UNIT RESET,
            // then a port reset, after which SuperSpeed allocates the streams again.
            let log = &t.device_mut().log;
            let tail: Vec<&Sent> = log.iter().skip(1).collect();
            let ladder = [
                Sent::Task(TaskManagementFunction::AbortTask, 1),
                Sent::Task(TaskManagementFunction::LogicalUnitReset, 0),
                Sent::PortReset,
            ];
            let streams = usize::from(speed == Speed::Super);
            assert_eq!(tail.len(), ladder.len() + streams, "{pipe:?}: {log:?}");
            assert!(
                tail.iter().zip(&ladder).all(|(a, b)| *a == b),
                "{pipe:?}: {log:?}"
            );
            if speed == Speed::Super {
                assert!(
                    matches!(tail.last(), Some(Sent::Streams(n)) if *n > 1),
                    "{log:?}"
                );
            }
            inquiry_works(&mut t);
        }
    }
}

#[test]
fn a_command_that_never_completes_is_aborted_and_times_out() {
    // READ (10) without its data-in buffer at SuperSpeed: the device waits on the data-in
    // stream for ever (UAS-2 4.4.3); ABORT TASK ends it.
    let mut t = ready(Layout::Uas, Speed::Super);
    let read = Read10::new(0, 1, BLOCK, RwOptions::default()).expect("READ");
    let failed = raw(&mut t, read.cdb().as_bytes(), DataBuffer::None);
    assert!(
        matches!(failed, Err(TransportError::Timeout(_))),
        "{failed:?}"
    );
    assert_eq!(
        t.device_mut().log,
        [
            Sent::Command(1),
            Sent::Task(TaskManagementFunction::AbortTask, 1)
        ]
    );
    inquiry_works(&mut t);
}

#[test]
fn a_disconnected_device_is_gone() {
    for (layout, speed) in CASES {
        for pipe in PIPES {
            let mut t = ready(layout, speed);
            inject(&mut t, UasFault::Disconnect(pipe));
            for _ in 0..2 {
                let failed = io_across(&mut t, pipe);
                assert!(
                    matches!(failed, Err(TransportError::Gone(_))),
                    "{pipe:?}: {failed:?}"
                );
            }
        }
    }
}

#[test]
fn a_short_data_in_reports_only_what_came() {
    for (layout, speed) in CASES {
        let mut t = ready(layout, speed);
        inject(&mut t, UasFault::ShortDataIn { keep: 10 });
        let reply = raw(
            &mut t,
            Inquiry::standard().cdb().as_bytes(),
            DataBuffer::In(&mut [0u8; 96]),
        )
        .expect("a status");
        // UAS has no residue field: the bytes moved are what the data transfer moved.
        assert_eq!((reply.status, reply.transferred), (Status::Good, 10));
        inquiry_works(&mut t);
    }
}

#[test]
fn logical_unit_reset_completes() {
    for speed in [Speed::High, Speed::Super] {
        let mut t = ready(Layout::Uas, speed);
        t.logical_unit_reset(TIMEOUT).expect("LOGICAL UNIT RESET");
        assert_eq!(
            t.device_mut().log,
            [Sent::Task(TaskManagementFunction::LogicalUnitReset, 0)]
        );
        inquiry_works(&mut t);
    }
}

/// One INQUIRY whose status-pipe answers are `forged` first.
fn forged_inquiry(speed: Speed, forged: &[&[u8]]) -> Result<ScsiReply, TransportError> {
    let mut t = ready(Layout::Uas, speed);
    t.device_mut().forged = forged.iter().map(|f| f.to_vec()).collect();
    let result = raw(
        &mut t,
        Inquiry::standard().cdb().as_bytes(),
        DataBuffer::In(&mut [0u8; 96]),
    );
    inquiry_works(&mut t);
    result
}

#[test]
fn device_bytes_that_are_not_a_valid_iu_for_the_command_are_clear_errors() {
    let sense_too_long: &[u8] = &[3, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 200, 0x70, 0];
    for speed in [Speed::High, Speed::Super] {
        for (forged, says) in [
            (&[9u8, 0, 0, 1][..], "IU ID"),
            (
                &[3, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0][..],
                "tagged 9",
            ),
            (sense_too_long, "Sense IU"),
            (&[4, 0, 0, 1, 0, 0, 0, 0x77][..], "RESPONSE CODE"),
            (&[4, 0, 0, 1, 0, 0, 0, 0x02][..], "InvalidInformationUnit"),
            (&[][..], "IU header"),
        ] {
            let failed = forged_inquiry(speed, &[forged]);
            assert!(
                matches!(&failed, Err(TransportError::Failed(m)) if m.contains(says)),
                "{speed:?} {forged:02x?}: {failed:?}"
            );
        }
    }
    // A Ready IU with streams is not part of UAS-2 4.4.3.
    let failed = forged_inquiry(Speed::Super, &[&[6, 0, 0, 1]]);
    assert!(
        matches!(failed, Err(TransportError::Failed(_))),
        "{failed:?}"
    );
    // A Write Ready IU for a data-in command.
    let failed = forged_inquiry(Speed::High, &[&[7, 0, 0, 1]]);
    assert!(
        matches!(&failed, Err(TransportError::Failed(m)) if m.contains("Write Ready")),
        "{failed:?}"
    );
}

#[test]
fn drop_unknown_data_phase_loses_the_data_over_uas_only() {
    let mut cdb = [0u8; 16];
    cdb[0] = VENDOR_OPCODE;
    let quirks = [Quirk::DropUnknownDataPhase];
    for speed in [Speed::High, Speed::Super] {
        // Alt 0, Bulk-Only: the CBW states the transfer (BOT 5.1); 512 bytes move.
        let device = device_with(Layout::Dual, speed, &quirks);
        let mut bot = BotTransport::open(device, 0).expect("Bulk-Only opens");
        execute(&mut bot, &TestUnitReady, TIMEOUT).expect("TEST UNIT READY");
        let mut buf = vec![0u8; VENDOR_REPLY];
        let reply = raw(&mut bot, &cdb, DataBuffer::In(&mut buf)).expect("a status");
        assert_eq!(
            (reply.status, reply.transferred),
            (Status::Good, VENDOR_REPLY)
        );
        assert_eq!(buf, vendor_pattern());
        // Alt 1, UAS: the bridge drops the data phase and says GOOD; the transport
        // reports the bytes that moved: none (residual = the whole transfer).
        let mut t = ready_with(Layout::Dual, speed, &quirks);
        let mut buf = vec![0u8; VENDOR_REPLY];
        let reply = raw(&mut t, &cdb, DataBuffer::In(&mut buf)).expect("a status");
        assert_eq!(
            (reply.status, reply.transferred),
            (Status::Good, 0),
            "{speed:?}"
        );
        inquiry_works(&mut t);
    }
}

#[test]
fn a_lent_buffer_whose_data_phase_is_dropped_is_taken_back() {
    let mut cdb = [0u8; 16];
    cdb[0] = VENDOR_OPCODE;
    for speed in [Speed::High, Speed::Super] {
        let mut t = ready_with(Layout::Dual, speed, &[Quirk::DropUnknownDataPhase]);
        let mut buf = vec![0xa5u8; 4096];
        let reply = raw(&mut t, &cdb, DataBuffer::In(&mut buf)).expect("a status");
        assert_eq!((reply.status, reply.transferred), (Status::Good, 0));
        // With streams the data transfer is lent at issue; without, it would be on a Read
        // Ready IU, which a bridge that drops the data phase never sends.
        let lendings = usize::from(speed == Speed::Super);
        assert_eq!(
            t.device_mut().lendings,
            lendings,
            "{speed:?}: the 4096 bytes"
        );
        assert!(
            t.device_mut().lent.is_empty(),
            "{speed:?}: nothing left lent"
        );
        assert!(buf.iter().all(|&b| b == 0xa5), "nothing landed");
        inquiry_works(&mut t);
    }
}

#[test]
fn a_panic_mid_batch_takes_every_lent_buffer_back() {
    for speed in [Speed::High, Speed::Super] {
        let mut t = ready(Layout::Uas, speed);
        let read = Read10::new(0, 8, BLOCK, RwOptions::default()).expect("READ");
        let mut buf = vec![0u8; 8 * BLOCK as usize];
        let cdb = read.cdb();
        // With streams the data transfer is lent at issue; without, on the Read Ready IU
        // that the first reap brings.
        t.device_mut().explode = Some(usize::from(speed == Speed::High));
        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            raw(&mut t, cdb.as_bytes(), DataBuffer::In(&mut buf))
        }));
        assert!(unwound.is_err(), "the panic unwound through the transport");
        assert_eq!(t.device_mut().lendings, 1, "{speed:?}");
        assert!(
            t.device_mut().lent.is_empty(),
            "{speed:?}: nothing left lent"
        );
    }
}

#[test]
fn without_lending_reads_land_through_an_owned_buffer() {
    for (layout, speed) in CASES {
        let mut t = ready(layout, speed);
        t.device_mut().lend = false;
        let data = pattern(64 << 10, 3);
        let write = Write10::new(16, &data, BLOCK, RwOptions::default()).expect("WRITE");
        execute(&mut t, &write, TIMEOUT).expect("written");
        let read = Read10::new(16, 128, BLOCK, RwOptions::default()).expect("READ");
        let back = execute(&mut t, &read, TIMEOUT).expect("read");
        assert!(back.data_in == data, "{layout:?} {speed:?}");
        inject(&mut t, UasFault::ShortDataIn { keep: 1000 });
        let mut buf = vec![0u8; 4096];
        let reply = raw(&mut t, read.cdb().as_bytes(), DataBuffer::In(&mut buf)).expect("status");
        assert_eq!((reply.status, reply.transferred), (Status::Good, 1000));
        assert_eq!(buf[..1000], data[..1000]);
        assert_eq!(t.device_mut().lendings, 0);
    }
}

/// What `connect` chose, from its description.
fn connected(
    layout: Layout,
    speed: Speed,
    protocol: UsbProtocol,
    no_streams: bool,
) -> Result<String, TransportError> {
    let mut wire = Wire::new(device_with(layout, speed, &[]));
    wire.no_streams = no_streams;
    let mut t = connect(wire, protocol, 0)?;
    let _ = execute(t.as_mut(), &TestUnitReady, TIMEOUT);
    inquiry_works(t.as_mut());
    Ok(t.describe())
}

#[test]
fn connect_picks_the_protocol_the_interface_offers() {
    const UAS: &str = "USB Attached SCSI";
    const BOT: &str = "USB Bulk-Only";
    for speed in [Speed::High, Speed::Super] {
        for (layout, protocol, want) in [
            (Layout::Bot, UsbProtocol::Auto, BOT),
            (Layout::Bot, UsbProtocol::Bot, BOT),
            (Layout::Uas, UsbProtocol::Auto, UAS),
            (Layout::Uas, UsbProtocol::Uas, UAS),
            (Layout::Dual, UsbProtocol::Auto, UAS),
            (Layout::Dual, UsbProtocol::Bot, BOT),
            (Layout::Dual, UsbProtocol::Uas, UAS),
        ] {
            let described = connected(layout, speed, protocol, false).expect("connects");
            assert!(
                described.starts_with(want),
                "{layout:?} {protocol:?}: {described}"
            );
            if want == UAS {
                let alt = if layout == Layout::Dual {
                    "alt 1"
                } else {
                    "alt 0"
                };
                assert!(described.contains(alt), "{described}");
            }
        }
        // Demanding a protocol the interface lacks is refused, naming what it offers.
        let refused = connected(Layout::Bot, speed, UsbProtocol::Uas, false);
        assert!(
            matches!(&refused, Err(TransportError::Refused(m)) if m.contains("alt 0 Bulk-Only (50h)")),
            "{refused:?}"
        );
        let refused = connected(Layout::Uas, speed, UsbProtocol::Bot, false);
        assert!(
            matches!(&refused, Err(TransportError::Refused(m)) if m.contains("alt 0 UAS (62h)")),
            "{refused:?}"
        );
    }
    // At SuperSpeed without streams UAS is unusable: Auto falls back to Bulk-Only where
    // offered, and UAS alone is refused.
    let fallback = connected(Layout::Dual, Speed::Super, UsbProtocol::Auto, true).expect("BOT");
    assert!(fallback.starts_with(BOT), "{fallback}");
    for (layout, protocol) in [
        (Layout::Dual, UsbProtocol::Uas),
        (Layout::Uas, UsbProtocol::Auto),
    ] {
        let refused = connected(layout, Speed::Super, protocol, true);
        assert!(
            matches!(&refused, Err(TransportError::Refused(m)) if m.contains("streams")),
            "{layout:?} {protocol:?}: {refused:?}"
        );
    }
    // At high speed streams are not needed.
    let high = connected(Layout::Uas, Speed::High, UsbProtocol::Uas, true).expect("UAS");
    assert!(high.starts_with(UAS), "{high}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Arbitrary device bytes on every bulk-in pipe never panic the host, and a reply
    /// never claims more than the buffer.
    #[test]
    fn arbitrary_device_answers_never_panic(
        answers in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..48), 0..8),
        super_speed in any::<bool>(),
        queued in 1usize..4,
    ) {
        let speed = if super_speed { Speed::Super } else { Speed::High };
        let mut t = ready(Layout::Uas, speed);
        t.device_mut().garbage = true;
        t.device_mut().forged = answers.into_iter().collect();
        let cdb = Inquiry::standard().cdb();
        let mut bufs = vec![vec![0u8; 96]; queued];
        let mut requests: Vec<ScsiRequest> = bufs
            .iter_mut()
            .map(|buf| read_request(cdb.as_bytes(), buf))
            .collect();
        for reply in t.execute_queued(&mut requests).into_iter().flatten() {
            prop_assert!(reply.transferred <= 96);
        }
    }
}

/// Four one-block READs at once, the first of whose data-in transfers STALLs; a READ that
/// succeeds must have returned its block.
fn queued_reads_with_a_stall(speed: Speed) -> Vec<Result<ScsiReply, TransportError>> {
    let mut t = ready(Layout::Uas, speed);
    let blocks: Vec<Vec<u8>> = (0..4).map(|i| pattern(BLOCK as usize, 0x40 | i)).collect();
    for (lba, data) in blocks.iter().enumerate() {
        let write = Write10::new(lba as u64, data, BLOCK, RwOptions::default()).expect("WRITE");
        execute(&mut t, &write, TIMEOUT).expect("written");
    }
    inject(&mut t, UasFault::Stall(PipeId::DataIn));
    let (results, bufs) = queued_reads(&mut t, 4);
    inquiry_works(&mut t);
    for ((result, buf), block) in results.iter().zip(&bufs).zip(&blocks) {
        if result.is_ok() {
            assert_eq!(buf, block, "a READ that succeeded returned its block");
        }
    }
    results
}

#[test]
fn with_streams_a_stall_fails_only_its_own_command() {
    let results = queued_reads_with_a_stall(Speed::Super);
    assert!(
        matches!(&results[0], Err(TransportError::Failed(m)) if m.contains("STALL")),
        "{results:?}"
    );
    for result in &results[1..] {
        let reply = result.as_ref().expect("the other READs complete");
        assert_eq!(
            (reply.status, reply.transferred),
            (Status::Good, BLOCK as usize)
        );
    }
}

#[test]
fn without_streams_a_stall_abandons_every_command_in_flight() {
    // Every IU shares the status pipe (UAS-2 4.4.2): the commands in flight with the
    // failed one are aborted with it, and none reports a success it did not have.
    let results = queued_reads_with_a_stall(Speed::High);
    assert!(
        matches!(&results[0], Err(TransportError::Failed(m)) if m.contains("STALL")),
        "{results:?}"
    );
    for result in &results[1..] {
        assert!(
            matches!(result, Err(TransportError::Failed(m)) if m.contains("abandoned with the command tagged 1")),
            "{result:?}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Arbitrary descriptors never panic enumeration, whichever protocol is asked for.
    #[test]
    fn arbitrary_descriptors_never_panic(
        answers in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..4),
        super_speed in any::<bool>(),
        protocol in prop_oneof![Just(UsbProtocol::Auto), Just(UsbProtocol::Bot), Just(UsbProtocol::Uas)],
    ) {
        let speed = if super_speed { Speed::Super } else { Speed::High };
        let mut wire = Wire::new(device_with(Layout::Dual, speed, &[]));
        wire.garbage_control = true;
        wire.forged = answers.into_iter().collect();
        if let Ok(mut t) = connect(wire, protocol, 0) {
            let _ = execute(t.as_mut(), &TestUnitReady, TIMEOUT);
        }
    }
}

#[test]
fn the_lun_travels_in_the_sam_format() {
    let spec = SimSpec::parse("sim:?luns=2&vendor=ACME").expect("sim: URI");
    let Ok(SimDevice::Scsi(target)) = spec.build() else {
        panic!("not a SCSI target");
    };
    let config = DeviceConfig::new(Layout::Uas, Speed::Super);
    let device = MassStorageDevice::new(Vendor(target), config);
    let mut t = UasTransport::open(Wire::new(device), 1).expect("LUN 1");
    execute(&mut t, &TestUnitReady, TIMEOUT).expect("LUN 1 serves");
    inquiry_works(&mut t);
    assert!(t.describe().ends_with("LUN 1"), "{}", t.describe());
    // A LUN the target lacks: LOGICAL UNIT NOT SUPPORTED, 25h/00h (SPC-5 4.4).
    let device = device_with(Layout::Uas, Speed::Super, &[]);
    let mut t = UasTransport::open(Wire::new(device), 5).expect("opens: UAS has no Get Max LUN");
    let reply = raw(&mut t, TestUnitReady.cdb().as_bytes(), DataBuffer::None).expect("a status");
    assert_eq!(reply.status, Status::CheckCondition);
    let sense = cdb::sense::decode(&reply.sense).expect("sense data");
    assert_eq!(
        (sense.sense_key_code(), sense.asc_ascq()),
        (Some(ILLEGAL_REQUEST), Some((0x25, 0)))
    );
}

#[test]
fn reset_on_unknown_cdb_is_a_device_gone() {
    let mut cdb = [0u8; 16];
    cdb[0] = VENDOR_OPCODE;
    let mut t = ready_with(Layout::Uas, Speed::Super, &[Quirk::ResetOnUnknownCdb]);
    let mut buf = vec![0u8; VENDOR_REPLY];
    let failed = raw(&mut t, &cdb, DataBuffer::In(&mut buf));
    assert!(matches!(failed, Err(TransportError::Gone(_))), "{failed:?}");
}

#[test]
fn a_sense_iu_reaped_before_its_data_waits_for_the_data() {
    for (layout, speed) in CASES {
        let mut t = ready(layout, speed);
        t.device_mut().status_first = true;
        let data: Vec<u8> = (0..64 * 1024u32).map(|i| (i % 251) as u8).collect();
        let write = Write10::new(8, &data, BLOCK, RwOptions::default()).expect("WRITE");
        execute(&mut t, &write, TIMEOUT).expect("written");
        let read = Read10::new(8, 128, BLOCK, RwOptions::default()).expect("READ");
        let done = execute(&mut t, &read, TIMEOUT)
            .unwrap_or_else(|e| panic!("{layout:?} {speed:?}: {e:?} {:?}", t.device_mut().log));
        assert_eq!(done.reply.transferred, data.len(), "{layout:?} {speed:?}");
        assert_eq!(done.response, data, "{layout:?} {speed:?}");
        inquiry_works(&mut t);
    }
}

#[test]
fn a_pipe_usage_on_an_endpoint_of_the_wrong_direction_is_refused() {
    // UAS-2 4.3: the status pipe is bulk-in. A device whose Pipe Usage descriptor puts it
    // on a bulk-out endpoint offers no status pipe, and opening says so before any IU.
    use cdb::usb::descriptor::{CONFIGURATION, DEVICE, ENDPOINT};
    for speed in [Speed::High, Speed::Super] {
        let mut device = device_with(Layout::Uas, speed, &[]);
        let get = |kind, length| SetupPacket::get_descriptor(kind, 0, 0, length);
        let identity = device
            .control_in(get(DEVICE, 18))
            .expect("device descriptor");
        let head = device.control_in(get(CONFIGURATION, 9)).expect("header");
        let total = u16::from_le_bytes([head[2], head[3]]);
        let mut configuration = device.control_in(get(CONFIGURATION, total)).expect("all");
        let mut at = 0;
        let mut flipped = 0;
        while at + 2 < configuration.len() {
            let length = usize::from(configuration[at]).max(1);
            if configuration[at + 1] == ENDPOINT && configuration[at + 2] == STATUS_PIPE {
                configuration[at + 2] = STATUS_PIPE & 0x7f;
                flipped += 1;
            }
            at += length;
        }
        assert_eq!(flipped, 1, "the status pipe's endpoint descriptor");
        let mut wire = Wire::new(device);
        wire.garbage_control = true;
        wire.forged = [identity, head, configuration].into_iter().collect();
        let Err(TransportError::Failed(message)) = UasTransport::open(wire, 0) else {
            panic!("opened without a bulk-in status pipe");
        };
        assert!(
            message.contains("no Status pipe on a bulk-in endpoint"),
            "{message}"
        );
    }
}

#[test]
fn a_second_read_ready_iu_after_the_data_phase_is_an_error_never_data_over_data() {
    // Without streams one Read Ready IU starts the command's data-in transfer (UAS-2
    // 6.2.6). A device that sends another after that transfer completed and then GOOD
    // must not have the second transfer's bytes written over the first's and reported as
    // the command's data: the command fails.
    use cdb::usb::uas::SenseIu;
    let mut t = ready(Layout::Uas, Speed::High);
    let good = SenseIu::new(1, Status::Good, &[]).expect("Sense IU");
    let ready_iu = Iu::ReadReady { tag: 1 }.to_bytes();
    // Every bulk-in answered in turn: status, data, status, data, status.
    t.device_mut().garbage = true;
    t.device_mut().forged = [
        ready_iu.clone(),
        vec![0xaa; 96],
        ready_iu,
        vec![0x55; 96],
        Iu::Sense(good).to_bytes(),
    ]
    .into_iter()
    .collect();
    let mut buf = [0u8; 96];
    let cdb = Inquiry::standard().cdb();
    let result = raw(&mut t, cdb.as_bytes(), DataBuffer::In(&mut buf));
    let Err(TransportError::Failed(message)) = result else {
        panic!("a second data phase reported as {result:?}");
    };
    assert!(message.contains("Read Ready"), "{message}");
}

#[test]
fn stray_ius_do_not_stretch_a_task_management_wait_past_its_timeout() {
    // Without streams the IUs of other tags ahead of the Response IU are skipped (UAS-2
    // 4.4.2), but every wait for them comes out of the one timeout of the function: with
    // none left, the first stray IU ends it rather than starting a new wait.
    let mut t = ready(Layout::Uas, Speed::High);
    let stray = Iu::ReadReady { tag: 3 }.to_bytes();
    t.device_mut().forged = std::iter::repeat_n(stray, 10).collect();
    let result = t.logical_unit_reset(Duration::ZERO);
    assert!(
        matches!(result, Err(TransportError::Timeout(_))),
        "{result:?}"
    );
    assert_eq!(t.device_mut().forged.len(), 9, "one stray IU reaped");
}

#[test]
fn a_command_never_answered_times_out_while_the_others_keep_completing() {
    // Two command tags (three streams granted, one kept for task management): the first
    // command's stream never completes. Its timeout runs from its issue, so as soon as a
    // completion of another shows it ran out it is aborted (UAS-2 6.5; SAM-5 7.2) and its
    // tag reused, rather than after every other request of the batch.
    let mut wire = Wire::new(device_with(Layout::Uas, Speed::Super, &[]));
    wire.grant = Some(3);
    let mut t = UasTransport::open(wire, 0).expect("UAS opens");
    let _ = execute(&mut t, &TestUnitReady, TIMEOUT);
    assert_eq!(t.queue_depth(), 2);
    t.device_mut().log.clear();
    t.device_mut().muted = Some(1);
    let cdb = TestUnitReady.cdb();
    let mut requests: Vec<ScsiRequest> = (0..5)
        .map(|i| ScsiRequest {
            cdb: cdb.as_bytes(),
            data: DataBuffer::None,
            timeout: if i == 0 { Duration::ZERO } else { TIMEOUT },
        })
        .collect();
    let results = t.execute_queued(&mut requests);
    assert!(
        matches!(results[0], Err(TransportError::Timeout(d)) if d.is_zero()),
        "{:?}",
        results[0]
    );
    for result in &results[1..] {
        assert!(
            matches!(result, Ok(reply) if reply.status == Status::Good),
            "{result:?}"
        );
    }
    let log = &t.device_mut().log;
    let abort = Sent::Task(TaskManagementFunction::AbortTask, 1);
    assert_eq!(
        log.get(..3),
        Some(&[Sent::Command(1), Sent::Command(2), abort][..]),
        "{log:?}"
    );
}

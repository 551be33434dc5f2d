//! The Bulk-Only host transport driving the emulated mass-storage device over an SBC disk
//! (`sim:`): typed commands through `execute`, autosense, and each injectable BOT fault
//! (BOT 5.3, 6.3, 6.7) followed by a command that must work again.

use super::BotTransport;
use crate::execute::execute;
use crate::scsi::{DataBuffer, ScsiReply, ScsiRequest, ScsiTransport, TransportError, UsbId};
use cdb::command::ScsiCommand;
use cdb::scsi::sbc::read_capacity::ReadCapacity10;
use cdb::scsi::sbc::read_write::{Read10, RwOptions, Write10};
use cdb::scsi::spc::inquiry::{Inquiry, InquiryData};
use cdb::scsi::spc::test_unit_ready::TestUnitReady;
use cdb::scsi::status::Status;
use cdb::sense::key::{ILLEGAL_REQUEST, UNIT_ATTENTION};
use cdb::usb::bot::{Cbw, CSW_LEN};
use cdb::usb::request::{SetupPacket, BULK_ONLY_MASS_STORAGE_RESET, CLEAR_FEATURE};
use emulator::sbc::Target;
use emulator::sim::SimDevice;
use emulator::uri::SimSpec;
use emulator::usb::device::{
    Completion, DeviceConfig, Layout, MassStorageDevice, Speed, Transfer, TransferId, UsbDevice,
};
use emulator::usb::{Fault, Phase, UsbError, UsbResult};
use proptest::prelude::*;
use std::time::Duration;

type Transport = BotTransport<MassStorageDevice<Target>>;

const TIMEOUT: Duration = Duration::from_secs(5);
const BLOCK: u32 = 512;

fn device(uri: &str, layout: Layout) -> MassStorageDevice<Target> {
    let Ok(SimDevice::Scsi(target)) = SimSpec::parse(uri).expect("sim: URI").build() else {
        panic!("{uri} is not a SCSI target");
    };
    MassStorageDevice::new(target, DeviceConfig::new(layout, Speed::High))
}

fn transport(layout: Layout) -> Transport {
    BotTransport::open(device("sim:?size=1M&vendor=ACME", layout), 0).expect("opens")
}

/// A transport past the power-on UNIT ATTENTION.
fn ready() -> Transport {
    let mut t = transport(Layout::Bot);
    execute(&mut t, &TestUnitReady, TIMEOUT).expect("TEST UNIT READY");
    t
}

fn inject(t: &mut Transport, fault: Fault) {
    t.device_mut().bot().expect("Bulk-Only face").inject(fault);
}

/// INQUIRY through `execute`, checked against the identity the sim: URI set (SPC-5 6.7.2).
fn inquiry_works(t: &mut Transport) {
    let done = execute(t, &Inquiry::standard(), TIMEOUT).expect("INQUIRY");
    let InquiryData::Standard(data) = done.response else {
        panic!("standard INQUIRY data expected");
    };
    assert_eq!(data.t10_vendor_identification.trim_end(), "ACME");
}

/// One raw command of `command`'s CDB with a data-in buffer of its own length.
fn raw_in(t: &mut Transport, command: &impl ScsiCommand) -> Result<ScsiReply, TransportError> {
    let cdb = command.cdb();
    let mut buf = vec![0u8; command.data_phase().len() as usize];
    t.execute(ScsiRequest {
        cdb: cdb.as_bytes(),
        data: DataBuffer::In(&mut buf),
        timeout: TIMEOUT,
    })
}

fn sense_key(reply: &ScsiReply) -> Option<u8> {
    cdb::sense::decode(&reply.sense).ok()?.sense_key_code()
}

#[test]
fn inquiry_read_capacity_and_a_write_read_round_trip() {
    let mut t = ready();
    assert_eq!(t.max_lun(), 0);
    inquiry_works(&mut t);
    let capacity = execute(&mut t, &ReadCapacity10, TIMEOUT).expect("READ CAPACITY");
    assert_eq!(capacity.response.logical_block_length, BLOCK);
    assert_eq!(capacity.response.capacity_bytes, Some(1 << 20));
    let data: Vec<u8> = (0..2 * BLOCK).map(|i| (i % 251) as u8).collect();
    let write = Write10::new(3, &data, BLOCK, RwOptions::default()).expect("WRITE (10)");
    let written = execute(&mut t, &write, TIMEOUT).expect("written");
    assert_eq!(written.reply.transferred, data.len());
    let read = Read10::new(3, 2, BLOCK, RwOptions::default()).expect("READ (10)");
    assert_eq!(execute(&mut t, &read, TIMEOUT).expect("read").data_in, data);
}

#[test]
fn check_condition_brings_the_sense_of_request_sense() {
    let mut t = transport(Layout::Bot);
    let reply = raw_in(&mut t, &TestUnitReady).expect("a status");
    assert_eq!(reply.status, Status::CheckCondition);
    assert_eq!(
        sense_key(&reply),
        Some(UNIT_ATTENTION),
        "power-on (SAM-5 6.3.1)"
    );
    let mut t = transport(Layout::Bot);
    let done = execute(&mut t, &TestUnitReady, TIMEOUT).expect("reissued");
    assert_eq!(done.unit_attentions.len(), 1);
    // Past the last LBA: LOGICAL BLOCK ADDRESS OUT OF RANGE (SBC-4 5.15).
    let beyond = Read10::new(1 << 20, 1, BLOCK, RwOptions::default()).expect("READ (10)");
    let reply = raw_in(&mut t, &beyond).expect("a status");
    assert_eq!(reply.status, Status::CheckCondition);
    assert_eq!(sense_key(&reply), Some(ILLEGAL_REQUEST));
    let sense = cdb::sense::decode(&reply.sense).expect("sense");
    assert_eq!(sense.additional_sense.map(|a| a.asc), Some(0x21));
    inquiry_works(&mut t);
}

#[test]
fn a_cdb_longer_than_16_bytes_is_refused() {
    let mut t = ready();
    let cdb = [0x7fu8; 32];
    let refused = t.execute(ScsiRequest {
        cdb: &cdb,
        data: DataBuffer::None,
        timeout: TIMEOUT,
    });
    assert!(matches!(refused, Err(TransportError::Refused(m)) if m.contains("at most 16 bytes")));
    // bCBWCBLength is 1 to 16 (BOT 5.1): an empty CDB is not sent either.
    let empty = t.execute(ScsiRequest {
        cdb: &[],
        data: DataBuffer::None,
        timeout: TIMEOUT,
    });
    assert!(matches!(empty, Err(TransportError::Refused(_))));
    inquiry_works(&mut t);
}

#[test]
fn the_dual_devices_alt_0_is_bulk_only() {
    let mut t = BotTransport::open(device("sim:?vendor=ACME", Layout::Dual), 0).expect("opens");
    inquiry_works(&mut t);
    // The device descriptor's idVendor:idProduct, QEMU's 46F4h:0001h (USB 2.0 9.6.1).
    assert_eq!(
        t.usb_id(),
        Some(UsbId {
            vendor_id: 0x46f4,
            product_id: 0x0001
        })
    );
    assert!(t.device_mut().bot().is_some(), "alt 0 stays selected");
}

#[test]
fn get_max_lun_bounds_the_lun() {
    let t = BotTransport::open(device("sim:?luns=2", Layout::Bot), 1).expect("LUN 1");
    assert_eq!(t.max_lun(), 1);
    let refused = BotTransport::open(device("sim:?luns=2", Layout::Bot), 2);
    assert!(matches!(refused, Err(TransportError::Refused(_))));
}

#[test]
fn stalls_are_cleared_and_the_command_completes() {
    // A stalled CBW or CSW: the command still runs (BOT 5.3.4, 6.7.2).
    for phase in [Phase::Command, Phase::Status] {
        let mut t = ready();
        inject(&mut t, Fault::Stall(phase));
        inquiry_works(&mut t);
        inquiry_works(&mut t);
    }
    // A stalled data-in phase: nothing moved, the CSW's residue says so (BOT 6.7.2).
    let mut t = ready();
    inject(&mut t, Fault::Stall(Phase::Data));
    let reply = raw_in(&mut t, &Inquiry::standard()).expect("a status");
    assert_eq!((reply.status, reply.transferred), (Status::Good, 0));
    inquiry_works(&mut t);
    // A stalled data-out phase: the command failed unexecuted (BOT 6.7.3).
    let data = vec![0xa5u8; BLOCK as usize];
    inject(&mut t, Fault::Stall(Phase::Data));
    let write = Write10::new(0, &data, BLOCK, RwOptions::default()).expect("WRITE (10)");
    let reply = t
        .execute(ScsiRequest {
            cdb: write.cdb().as_bytes(),
            data: DataBuffer::Out(&data),
            timeout: TIMEOUT,
        })
        .expect("a status");
    assert_eq!(
        (reply.status, reply.transferred),
        (Status::CheckCondition, 0)
    );
    // The device recorded no sense for it: none is reported, so the failure stays one.
    assert!(reply.sense.is_empty(), "{:?}", reply.sense);
    inject(&mut t, Fault::Stall(Phase::Data));
    let executed = crate::execute::execute(&mut t, &write, TIMEOUT);
    assert!(
        matches!(executed, Err(crate::execute::ExecuteError::Device { .. })),
        "a stalled WRITE is not a completed one: {executed:?}"
    );
    inquiry_works(&mut t);
}

#[test]
fn a_csw_not_valid_or_meaningful_or_a_phase_error_fails_then_recovers() {
    for (fault, says) in [
        (Fault::BadCswSignature, "not valid"),
        (Fault::WrongCswTag, "dCSWTag"),
        (Fault::PhaseError, "phase error"),
    ] {
        let mut t = ready();
        inject(&mut t, fault);
        let failed = raw_in(&mut t, &Inquiry::standard());
        assert!(
            matches!(&failed, Err(TransportError::Failed(m)) if m.contains(says)),
            "{fault:?}: {failed:?}"
        );
        inquiry_works(&mut t);
    }
}

#[test]
fn a_short_packet_moves_only_what_came() {
    let mut t = ready();
    inject(&mut t, Fault::ShortPacket { keep: 8 });
    let reply = raw_in(&mut t, &Inquiry::standard()).expect("a status");
    assert_eq!(reply.transferred, 8);
    inquiry_works(&mut t);
}

#[test]
fn no_response_times_out_and_reset_recovery_revives_the_device() {
    for phase in [Phase::Command, Phase::Data, Phase::Status] {
        let mut t = ready();
        inject(&mut t, Fault::NoResponse(phase));
        let failed = raw_in(&mut t, &Inquiry::standard());
        assert!(
            matches!(failed, Err(TransportError::Timeout(d)) if d == TIMEOUT),
            "{phase:?}"
        );
        inquiry_works(&mut t);
    }
}

#[test]
fn a_disconnected_device_is_gone() {
    for phase in [Phase::Command, Phase::Data, Phase::Status] {
        let mut t = ready();
        inject(&mut t, Fault::Disconnect(phase));
        for _ in 0..2 {
            let failed = raw_in(&mut t, &Inquiry::standard());
            assert!(matches!(failed, Err(TransportError::Gone(_))), "{phase:?}");
        }
    }
}

#[test]
fn a_device_wedged_by_a_direction_mismatch_is_port_reset() {
    let mut t = ready();
    // READ (10) with a data-out buffer: Ho <> Di (BOT 6.7.10); QEMU STALLs until a port
    // reset.
    let read = Read10::new(0, 1, BLOCK, RwOptions::default()).expect("READ (10)");
    let data = vec![0u8; BLOCK as usize];
    let failed = t.execute(ScsiRequest {
        cdb: read.cdb().as_bytes(),
        data: DataBuffer::Out(&data),
        timeout: TIMEOUT,
    });
    assert!(
        matches!(failed, Err(TransportError::Failed(_))),
        "{failed:?}"
    );
    inquiry_works(&mut t);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Arbitrary CDBs and data-in lengths never panic, and the device still answers.
    #[test]
    fn arbitrary_commands_never_panic(
        cdb in proptest::collection::vec(any::<u8>(), 1..=16),
        len in 0usize..2048,
        out in any::<bool>(),
    ) {
        let mut t = ready();
        let mut buf = vec![0u8; len];
        let data = if out { DataBuffer::Out(&buf) } else { DataBuffer::In(&mut buf) };
        let _ = t.execute(ScsiRequest { cdb: &cdb, data, timeout: TIMEOUT });
        inquiry_works(&mut t);
    }
}

/// What the host put on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Wire {
    BulkOut(Vec<u8>),
    BulkIn(usize),
    Control(u8),
    PortReset,
}

/// The emulated device with the host's transfers recorded.
struct Recorder {
    device: MassStorageDevice<Target>,
    log: Vec<Wire>,
}

impl UsbDevice for Recorder {
    fn speed(&self) -> Speed {
        self.device.speed()
    }
    fn control_in(&mut self, setup: SetupPacket) -> UsbResult {
        self.log.push(Wire::Control(setup.request));
        self.device.control_in(setup)
    }
    fn control_out(&mut self, setup: SetupPacket, data: &[u8]) -> Result<(), UsbError> {
        self.log.push(Wire::Control(setup.request));
        self.device.control_out(setup, data)
    }
    fn bulk_out(&mut self, endpoint: u8, stream: u16, data: &[u8]) -> Result<usize, UsbError> {
        self.log.push(Wire::BulkOut(data.to_vec()));
        self.device.bulk_out(endpoint, stream, data)
    }
    fn bulk_in(&mut self, endpoint: u8, stream: u16, max: usize) -> UsbResult {
        self.log.push(Wire::BulkIn(max));
        self.device.bulk_in(endpoint, stream, max)
    }
    fn port_reset(&mut self) -> Result<(), UsbError> {
        self.log.push(Wire::PortReset);
        self.device.port_reset()
    }
    fn submit(&mut self, transfer: Transfer) -> Result<TransferId, UsbError> {
        self.device.submit(transfer)
    }
    fn reap(&mut self, timeout: Duration) -> Result<Completion, UsbError> {
        self.device.reap(timeout)
    }
    fn discard(&mut self, id: TransferId) -> Result<(), UsbError> {
        self.device.discard(id)
    }
}

fn recorded() -> BotTransport<Recorder> {
    let device = device("sim:?size=1M", Layout::Bot);
    let recorder = Recorder {
        device,
        log: Vec::new(),
    };
    let mut t = BotTransport::open(recorder, 0).expect("opens");
    execute(&mut t, &TestUnitReady, TIMEOUT).expect("TEST UNIT READY");
    t.device_mut().log.clear();
    t
}

#[test]
fn tags_increment_and_data_in_is_rounded_to_the_packet_size() {
    let mut t = recorded();
    let inquiry = Inquiry::standard();
    for _ in 0..3 {
        execute(&mut t, &inquiry, TIMEOUT).expect("INQUIRY");
    }
    let log = &t.device_mut().log;
    let tags: Vec<u32> = log
        .iter()
        .filter_map(|w| match w {
            Wire::BulkOut(bytes) => Cbw::parse(bytes).ok().map(|c| c.tag.get()),
            _ => None,
        })
        .collect();
    assert_eq!(tags.len(), 3);
    assert!(
        tags.windows(2).all(|w| w[1] == w[0].wrapping_add(1)),
        "{tags:?}"
    );
    let allocation = inquiry.data_phase().len() as usize;
    let reads: Vec<usize> = log
        .iter()
        .filter_map(|w| match w {
            Wire::BulkIn(max) if *max != CSW_LEN => Some(*max),
            _ => None,
        })
        .collect();
    // High-speed bulk packets are 512 bytes (USB 2.0 5.8.3).
    assert_eq!(reads, vec![allocation.div_ceil(512) * 512; 3]);
}

#[test]
fn reset_recovery_is_a_mass_storage_reset_then_clear_halt_on_both_pipes() {
    let mut t = recorded();
    t.device_mut()
        .device
        .bot()
        .expect("Bulk-Only face")
        .inject(Fault::BadCswSignature);
    let cdb = TestUnitReady.cdb();
    let failed = t.execute(ScsiRequest {
        cdb: cdb.as_bytes(),
        data: DataBuffer::None,
        timeout: TIMEOUT,
    });
    assert!(matches!(failed, Err(TransportError::Failed(_))));
    let controls: Vec<&Wire> = t
        .device_mut()
        .log
        .iter()
        .filter(|w| matches!(w, Wire::Control(_) | Wire::PortReset))
        .collect();
    // BOT 5.3.4: Bulk-Only Mass Storage Reset (FFh), CLEAR_FEATURE (01h) twice.
    assert_eq!(
        controls,
        [
            &Wire::Control(BULK_ONLY_MASS_STORAGE_RESET),
            &Wire::Control(CLEAR_FEATURE),
            &Wire::Control(CLEAR_FEATURE),
        ]
    );
}

/// The emulated device whose bulk-in answers are replaced by arbitrary bytes, and whose
/// descriptors are too when `descriptors` is set.
struct Garbage {
    device: MassStorageDevice<Target>,
    answers: Vec<Vec<u8>>,
    descriptors: bool,
}

impl Garbage {
    fn next(&mut self) -> Vec<u8> {
        self.answers.pop().unwrap_or_default()
    }
}

impl UsbDevice for Garbage {
    fn speed(&self) -> Speed {
        self.device.speed()
    }
    fn control_in(&mut self, setup: SetupPacket) -> UsbResult {
        if self.descriptors {
            return Ok(self.next());
        }
        self.device.control_in(setup)
    }
    fn control_out(&mut self, setup: SetupPacket, data: &[u8]) -> Result<(), UsbError> {
        self.device.control_out(setup, data)
    }
    fn bulk_out(&mut self, endpoint: u8, stream: u16, data: &[u8]) -> Result<usize, UsbError> {
        self.device.bulk_out(endpoint, stream, data)
    }
    fn bulk_in(&mut self, _endpoint: u8, _stream: u16, _max: usize) -> UsbResult {
        Ok(self.next())
    }
    fn port_reset(&mut self) -> Result<(), UsbError> {
        self.device.port_reset()
    }
    fn submit(&mut self, transfer: Transfer) -> Result<TransferId, UsbError> {
        self.device.submit(transfer)
    }
    fn reap(&mut self, timeout: Duration) -> Result<Completion, UsbError> {
        self.device.reap(timeout)
    }
    fn discard(&mut self, id: TransferId) -> Result<(), UsbError> {
        self.device.discard(id)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Arbitrary device bytes in the descriptors, the data phase or the CSW never panic
    /// the host (BOT 6.3: a CSW that is not valid is a transport failure).
    #[test]
    fn arbitrary_device_bytes_never_panic(
        answers in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..6),
        descriptors in any::<bool>(),
    ) {
        let garbage = Garbage {
            device: device("sim:?size=1M", Layout::Bot),
            answers,
            descriptors,
        };
        if let Ok(mut t) = BotTransport::open(garbage, 0) {
            let cdb = Inquiry::standard().cdb();
            let mut buf = vec![0u8; 96];
            if let Ok(reply) = t.execute(ScsiRequest {
                cdb: cdb.as_bytes(),
                data: DataBuffer::In(&mut buf),
                timeout: TIMEOUT,
            }) {
                prop_assert!(reply.transferred <= 96);
            }
        }
    }
}

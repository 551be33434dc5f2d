//! The trace of real exchanges with the emulated device: a Bulk-Only INQUIRY through
//! [`BotTransport`] and a UAS command by hand, checked for the decoded blocks the
//! specifications define and for data shown only at level 2.

use super::Traced;
use crate::execute::execute;
use crate::usb::bot::BotTransport;
use cdb::command::ScsiCommand;
use cdb::scsi::spc::inquiry::Inquiry;
use cdb::scsi::spc::test_unit_ready::TestUnitReady;
use cdb::usb::descriptor::{Configuration, PipeId, CONFIGURATION};
use cdb::usb::request::SetupPacket;
use cdb::usb::uas::{CommandIu, Iu};
use emulator::sbc::Target;
use emulator::sim::SimDevice;
use emulator::uri::SimSpec;
use emulator::usb::device::{
    Completion, DeviceConfig, Layout, MassStorageDevice, Speed, Transfer, TransferData, TransferId,
    Transferred, UsbDevice,
};
use emulator::usb::UsbError;
use proptest::prelude::*;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A sink the test reads back.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("sink").extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Shared {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("sink")).into_owned()
    }
}

fn device(layout: Layout, speed: Speed) -> MassStorageDevice<Target> {
    let Ok(SimDevice::Scsi(target)) = SimSpec::parse("sim:?size=1M").expect("sim: URI").build()
    else {
        panic!("not a SCSI target");
    };
    MassStorageDevice::new(target, DeviceConfig::new(layout, speed))
}

/// A Bulk-Only INQUIRY of 36 bytes traced at `level`.
fn bot_inquiry(level: u8) -> String {
    let sink = Shared::default();
    let traced = Traced::new(
        device(Layout::Bot, Speed::High),
        level,
        Box::new(sink.clone()),
    );
    let mut transport = BotTransport::open(traced, 0).expect("opens");
    let timeout = Duration::from_secs(5);
    execute(&mut transport, &TestUnitReady, timeout).expect("TEST UNIT READY");
    let inquiry = Inquiry::standard_with_length(36).expect("INQUIRY");
    execute(&mut transport, &inquiry, timeout).expect("INQUIRY");
    sink.text()
}

#[test]
fn bulk_only_blocks_are_decoded_and_dumped() {
    let trace = bot_inquiry(1);
    // Enumeration: GET_DESCRIPTOR(CONFIGURATION), then Get Max LUN (A1h FEh).
    assert!(trace.contains("control 80 06 wValue 0200"), "{trace}");
    assert!(trace.contains("control a1 fe"), "{trace}");
    // The INQUIRY's CBW: data-in of 36 bytes, CDB 12 00 00 00 24 00 (BOT 5.1).
    let cbw = trace
        .lines()
        .find(|l| l.contains("CDB 12 00 00 00 24 00"))
        .unwrap_or_else(|| panic!("no INQUIRY CBW in {trace}"));
    assert!(cbw.contains("length 36 in"), "{cbw}");
    // Its bytes follow: the signature "USBC" (55 53 42 43, BOT 5.1) in the first line.
    let after = trace.split(cbw).nth(1).expect("after the CBW");
    assert!(after
        .lines()
        .nth(1)
        .is_some_and(|l| l.contains("0000  55 53 42 43")));
    assert!(trace.contains("data-in 36 bytes"), "{trace}");
    assert!(trace.contains("status Passed residue 0"), "{trace}");
    // The failed TEST UNIT READY's CSW and the REQUEST SENSE that follows it.
    assert!(trace.contains("status Failed"), "{trace}");
    assert!(trace.contains("CDB 03 00 00 00 fc 00"), "{trace}");
    // Level 1 dumps the protocol blocks only: two lines per 31-byte CBW, one per 13-byte
    // CSW, none for data.
    let dumps = trace.lines().filter(|l| l.starts_with("     ")).count();
    let count = |what: &str| trace.lines().filter(|l| l.contains(what)).count();
    assert!(count("CBW ") >= 3, "{trace}");
    assert_eq!(dumps, count("CBW ") * 2 + count("CSW "), "{trace}");
}

#[test]
fn level_two_dumps_the_data_too() {
    let one = bot_inquiry(1);
    let two = bot_inquiry(2);
    let dumps = |t: &str| t.lines().filter(|l| l.starts_with("     ")).count();
    // 36 bytes of INQUIRY data are three more lines, plus the sense data and descriptors.
    assert!(dumps(&two) >= dumps(&one) + 3, "{two}");
}

#[test]
fn uas_ius_are_decoded_on_their_pipes() {
    let sink = Shared::default();
    let mut dev = Traced::new(device(Layout::Dual, Speed::High), 1, Box::new(sink.clone()));
    let head = dev
        .control_in(SetupPacket::get_descriptor(CONFIGURATION, 0, 0, 9))
        .expect("head");
    let total = u16::from_le_bytes([head[2], head[3]]);
    let bytes = dev
        .control_in(SetupPacket::get_descriptor(CONFIGURATION, 0, 0, total))
        .expect("configuration");
    let configuration = Configuration::parse(&bytes).expect("parses");
    let uas = configuration.alternate(0, 1).expect("alt 1 is UAS");
    let pipe = |id| {
        uas.endpoints
            .iter()
            .find(|e| e.pipe == Some(id))
            .map(|e| e.endpoint_address)
            .expect("pipe")
    };
    dev.control_out(SetupPacket::set_configuration(1), &[])
        .expect("configured");
    dev.control_out(SetupPacket::set_interface(0, 1), &[])
        .expect("alt 1");
    let command = CommandIu::new(5, [0; 8], TestUnitReady.cdb().as_bytes()).expect("IU");
    dev.bulk_out(pipe(PipeId::Command), 0, &Iu::Command(command).to_bytes())
        .expect("command");
    let status = dev.bulk_in(pipe(PipeId::Status), 0, 64).expect("status");
    assert!(matches!(Iu::parse(&status), Ok(Iu::Sense(_))));
    assert_eq!(
        dev.bulk_in(pipe(PipeId::DataIn), 0, 512),
        Err(UsbError::Timeout)
    );
    let trace = sink.text();
    assert!(
        trace.contains("Command IU tag 5 LUN 00 00 00 00 00 00 00 00 CDB 00 00 00 00 00 00"),
        "{trace}"
    );
    // The power-on unit attention: CHECK CONDITION with 18 bytes of fixed sense.
    assert!(
        trace.contains("Sense IU tag 5 status CHECK CONDITION (02h)"),
        "{trace}"
    );
    assert!(
        trace.contains("no answer (NAK until the timeout)"),
        "{trace}"
    );
}

/// A device answering every IN transfer with the next of `answers`.
struct Noise {
    answers: Vec<Vec<u8>>,
}

impl UsbDevice for Noise {
    fn speed(&self) -> Speed {
        Speed::Super
    }
    fn control_in(&mut self, _setup: SetupPacket) -> emulator::usb::UsbResult {
        Ok(self.answers.pop().unwrap_or_default())
    }
    fn control_out(&mut self, _setup: SetupPacket, _data: &[u8]) -> Result<(), UsbError> {
        Ok(())
    }
    fn bulk_out(&mut self, _endpoint: u8, _stream: u16, data: &[u8]) -> Result<usize, UsbError> {
        Ok(data.len())
    }
    fn bulk_in(&mut self, _endpoint: u8, _stream: u16, _max: usize) -> emulator::usb::UsbResult {
        Ok(self.answers.pop().unwrap_or_default())
    }
    fn port_reset(&mut self) -> Result<(), UsbError> {
        Ok(())
    }
    fn submit(&mut self, _transfer: Transfer) -> Result<TransferId, UsbError> {
        Ok(TransferId(1))
    }
    fn reap(&mut self, _timeout: Duration) -> Result<Completion, UsbError> {
        Ok(Completion {
            id: TransferId(1),
            result: Ok(Transferred::In(self.answers.pop().unwrap_or_default())),
        })
    }
    fn discard(&mut self, _id: TransferId) -> Result<(), UsbError> {
        Ok(())
    }
}

proptest! {
    /// Whatever the device answers — descriptors, IUs, CSWs — the trace describes it
    /// without panicking, on every endpoint and after any SET_INTERFACE.
    #[test]
    fn arbitrary_answers_never_panic_the_trace(
        answers in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..80), 0..12),
        endpoints in proptest::collection::vec(any::<u8>(), 1..8),
        alternate in 0u8..3,
    ) {
        let mut dev = Traced::new(Noise { answers }, 2, Box::new(std::io::sink()));
        let _ = dev.control_in(SetupPacket::get_descriptor(CONFIGURATION, 0, 0, 255));
        let _ = dev.control_out(SetupPacket::set_interface(0, alternate), &[]);
        for &endpoint in &endpoints {
            let _ = dev.bulk_in(endpoint, 0, 64);
            let _ = dev.bulk_out(endpoint, 1, &[0x55, 0x53, 0x42, 0x43]);
            let id = dev.submit(Transfer { endpoint, stream: 2, data: TransferData::In(64) });
            prop_assert!(id.is_ok());
            let _ = dev.reap(Duration::ZERO);
        }
    }
}

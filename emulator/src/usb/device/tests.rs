//! The device model driven as usbfs or libusb would: enumeration with the standard
//! requests, descriptors parsed with `cdb::usb::descriptor`, both faces behind their
//! alternates over one target, routing errors, and arbitrary requests.

use super::descriptors::{BOT_IN, BOT_OUT, UAS_COMMAND, UAS_DATA_IN, UAS_DATA_OUT, UAS_STATUS};
use super::{
    DeviceConfig, Layout, MassStorageDevice, Speed, Transfer, TransferData, TransferId,
    Transferred, UsbDevice,
};
use crate::usb::test_target::{target, vendor_pattern, VendorTarget, VENDOR_OPCODE, VENDOR_REPLY};
use crate::usb::{Quirk, UsbError};
use cdb::command::ScsiCommand;
use cdb::scsi::spc::test_unit_ready::TestUnitReady;
use cdb::scsi::status::Status;
use cdb::usb::bot::{Cbw, Csw, CswStatus};
use cdb::usb::descriptor::{
    parse_string, Configuration, DeviceDescriptor, PipeId, CLASS_MASS_STORAGE, CONFIGURATION,
    DEVICE, PROTOCOL_BOT, PROTOCOL_UAS, STRING, SUBCLASS_SCSI,
};
use cdb::usb::request::SetupPacket;
use cdb::usb::uas::{CommandIu, Iu};
use proptest::prelude::*;

type Device = MassStorageDevice<VendorTarget>;

fn device(layout: Layout, speed: Speed) -> Device {
    let mut config = DeviceConfig::new(layout, speed);
    config.vendor_id = 0x174c;
    config.product_id = 0x2362;
    config.product = "Bridge".into();
    config.uas_quirks = vec![Quirk::DropUnknownDataPhase];
    MassStorageDevice::new(target(1), config)
}

/// Reads the whole configuration as a host does: 9 bytes for wTotalLength, then all.
fn configuration(dev: &mut Device) -> Configuration {
    let head = dev
        .control_in(SetupPacket::get_descriptor(CONFIGURATION, 0, 0, 9))
        .expect("configuration head");
    let total = u16::from_le_bytes([head[2], head[3]]);
    let bytes = dev
        .control_in(SetupPacket::get_descriptor(CONFIGURATION, 0, 0, total))
        .expect("configuration");
    assert_eq!(bytes.len(), usize::from(total));
    Configuration::parse(&bytes).expect("parses")
}

fn configure(dev: &mut Device, alternate: u8) {
    dev.control_out(SetupPacket::set_configuration(1), &[])
        .expect("configured");
    dev.control_out(SetupPacket::set_interface(0, alternate), &[])
        .expect("alternate");
}

/// One BOT command: CBW, data-in of `length`, CSW.
fn bot_command(dev: &mut Device, cdb: &[u8], length: u32) -> (Vec<u8>, Csw) {
    let cbw = Cbw::new(0x42, 0, cdb, length, true).expect("CBW");
    dev.bulk_out(BOT_OUT, 0, &cbw.to_bytes()).expect("CBW sent");
    let data = if length > 0 {
        dev.bulk_in(BOT_IN, 0, length as usize).expect("data-in")
    } else {
        Vec::new()
    };
    let csw = Csw::parse(&dev.bulk_in(BOT_IN, 0, 13).expect("CSW")).expect("valid CSW");
    assert_eq!(csw.tag.get(), 0x42);
    (data, csw)
}

fn vendor_cdb() -> [u8; 16] {
    let mut cdb = [0u8; 16];
    cdb[0] = VENDOR_OPCODE;
    cdb
}

#[test]
fn the_dual_device_describes_both_alternates() {
    for speed in [Speed::High, Speed::Super] {
        let mut dev = device(Layout::Dual, speed);
        let bytes = dev
            .control_in(SetupPacket::get_descriptor(DEVICE, 0, 0, 18))
            .expect("device descriptor");
        let descriptor = DeviceDescriptor::parse(&bytes).expect("parses");
        assert_eq!(
            (descriptor.id_vendor, descriptor.id_product),
            (0x174c, 0x2362)
        );
        assert_eq!(descriptor.bcd_usb >= 0x0300, speed == Speed::Super);
        let config = configuration(&mut dev);
        assert_eq!(config.interfaces.len(), 1);
        let bot = config.alternate(0, 0).expect("alt 0");
        let uas = config.alternate(0, 1).expect("alt 1");
        for alt in [bot, uas] {
            assert_eq!(
                (alt.interface_class, alt.interface_subclass),
                (CLASS_MASS_STORAGE, SUBCLASS_SCSI)
            );
        }
        assert_eq!(bot.interface_protocol, PROTOCOL_BOT);
        assert_eq!(uas.interface_protocol, PROTOCOL_UAS);
        let bot_eps: Vec<u8> = bot.endpoints.iter().map(|e| e.endpoint_address).collect();
        assert_eq!(bot_eps, [BOT_IN, BOT_OUT]);
        let uas_eps: Vec<_> = uas
            .endpoints
            .iter()
            .map(|e| (e.endpoint_address, e.pipe, e.streams()))
            .collect();
        let streams = if speed == Speed::Super { 16 } else { 0 };
        assert_eq!(
            uas_eps,
            [
                (UAS_COMMAND, Some(PipeId::Command), 0),
                (UAS_STATUS, Some(PipeId::Status), streams),
                (UAS_DATA_IN, Some(PipeId::DataIn), streams),
                (UAS_DATA_OUT, Some(PipeId::DataOut), streams),
            ]
        );
        let packet = if speed == Speed::Super { 1024 } else { 512 };
        assert!(uas
            .endpoints
            .iter()
            .chain(&bot.endpoints)
            .all(|e| e.max_packet_size == packet));
    }
}

#[test]
fn single_alternate_layouts_describe_one_protocol() {
    for (layout, protocol) in [(Layout::Bot, PROTOCOL_BOT), (Layout::Uas, PROTOCOL_UAS)] {
        let mut dev = device(layout, Speed::High);
        let config = configuration(&mut dev);
        let alternates: Vec<u8> = config.interfaces[0]
            .alternates
            .iter()
            .map(|a| a.interface_protocol)
            .collect();
        assert_eq!(alternates, [protocol]);
        dev.control_out(SetupPacket::set_configuration(1), &[])
            .expect("configured");
        assert_eq!(
            dev.control_out(SetupPacket::set_interface(0, 1), &[]),
            Err(UsbError::Stall),
            "no alt 1"
        );
    }
}

#[test]
fn strings_come_in_us_english() {
    let mut dev = device(Layout::Dual, Speed::High);
    let languages = dev
        .control_in(SetupPacket::get_descriptor(STRING, 0, 0, 255))
        .expect("LANGIDs");
    assert_eq!(languages, [4, STRING, 0x09, 0x04]);
    let product = dev
        .control_in(SetupPacket::get_descriptor(STRING, 2, 0x0409, 255))
        .expect("product");
    assert_eq!(parse_string(&product).as_deref(), Ok("Bridge"));
    assert_eq!(
        dev.control_in(SetupPacket::get_descriptor(STRING, 9, 0x0409, 255)),
        Err(UsbError::Stall)
    );
}

#[test]
fn bulk_transfers_need_the_endpoint_of_the_alternate_in_effect() {
    let mut dev = device(Layout::Dual, Speed::Super);
    assert_eq!(
        dev.bulk_out(BOT_OUT, 0, &[0; 31]),
        Err(UsbError::NotFound),
        "unconfigured"
    );
    configure(&mut dev, 0);
    assert_eq!(
        dev.bulk_out(UAS_COMMAND, 0, &[0; 32]),
        Err(UsbError::NotFound),
        "alt 1's"
    );
    assert_eq!(
        dev.bulk_in(BOT_OUT, 0, 13),
        Err(UsbError::NotFound),
        "wrong direction"
    );
    assert_eq!(
        dev.bulk_in(BOT_IN, 1, 13),
        Err(UsbError::InvalidParam),
        "no streams on BOT"
    );
    assert_eq!(dev.control_in(SetupPacket::get_interface(0)), Ok(vec![0]));
    configure(&mut dev, 1);
    assert_eq!(dev.control_in(SetupPacket::get_interface(0)), Ok(vec![1]));
    assert_eq!(
        dev.bulk_out(BOT_OUT, 0, &[0; 31]),
        Err(UsbError::NotFound),
        "alt 0's"
    );
    assert_eq!(
        dev.bulk_out(UAS_COMMAND, 1, &[0; 32]),
        Err(UsbError::InvalidParam)
    );
    assert_eq!(
        dev.bulk_in(UAS_STATUS, 17, 64),
        Err(UsbError::InvalidParam),
        "16 streams"
    );
}

#[test]
fn a_stream_id_at_high_speed_is_refused() {
    let mut dev = device(Layout::Uas, Speed::High);
    configure(&mut dev, 0);
    assert_eq!(dev.bulk_in(UAS_STATUS, 1, 64), Err(UsbError::InvalidParam));
}

#[test]
fn the_vendor_cdb_moves_its_data_over_bot_and_loses_it_over_uas() {
    let mut dev = device(Layout::Dual, Speed::Super);
    configure(&mut dev, 0);
    // Clear the power-on unit attention.
    let (_, csw) = bot_command(&mut dev, TestUnitReady.cdb().as_bytes(), 0);
    assert_eq!(csw.status(), Ok(CswStatus::Failed));
    let (data, csw) = bot_command(&mut dev, &vendor_cdb(), VENDOR_REPLY as u32);
    assert_eq!(csw.status(), Ok(CswStatus::Passed));
    assert_eq!(csw.data_residue.get(), 0);
    assert_eq!(data, vendor_pattern());

    configure(&mut dev, 1);
    let command = Iu::Command(CommandIu::new(1, [0; 8], &vendor_cdb()).expect("Command IU"));
    dev.bulk_out(UAS_COMMAND, 0, &command.to_bytes())
        .expect("command pipe");
    let status = dev.bulk_in(UAS_STATUS, 1, 64).expect("status pipe");
    match Iu::parse(&status).expect("IU") {
        Iu::Sense(sense) => assert_eq!((sense.tag, sense.status), (1, Status::Good)),
        other => panic!("expected the Sense IU, got {other:?}"),
    }
    assert_eq!(
        dev.bulk_in(UAS_DATA_IN, 1, 4096),
        Err(UsbError::Timeout),
        "no data"
    );
}

#[test]
fn set_interface_resets_the_interface_state() {
    let mut dev = device(Layout::Dual, Speed::High);
    configure(&mut dev, 0);
    // A CBW whose data and CSW the host never collects.
    let cbw = Cbw::new(1, 0, TestUnitReady.cdb().as_bytes(), 0, true).expect("CBW");
    dev.bulk_out(BOT_OUT, 0, &cbw.to_bytes()).expect("CBW");
    configure(&mut dev, 0);
    assert_eq!(
        dev.bulk_in(BOT_IN, 0, 13),
        Err(UsbError::Stall),
        "no CSW pending any more"
    );
}

#[test]
fn clear_feature_halt_and_class_requests_reach_the_face() {
    let mut dev = device(Layout::Dual, Speed::High);
    configure(&mut dev, 0);
    assert_eq!(dev.control_in(SetupPacket::get_max_lun(0)), Ok(vec![0]));
    // A CSW read with no command halts bulk-in (BOT 6.6.1 aside: an unexpected IN).
    assert_eq!(dev.bulk_in(BOT_IN, 0, 13), Err(UsbError::Stall));
    assert_eq!(dev.bulk_in(BOT_IN, 0, 13), Err(UsbError::Stall), "halted");
    dev.control_out(SetupPacket::clear_halt(BOT_IN), &[])
        .expect("clear halt");
    dev.control_out(SetupPacket::bulk_only_reset(0), &[])
        .expect("BOT reset");
    let (_, csw) = bot_command(&mut dev, TestUnitReady.cdb().as_bytes(), 0);
    assert!(csw.status().is_ok());
    configure(&mut dev, 1);
    assert_eq!(
        dev.control_in(SetupPacket::get_max_lun(0)),
        Err(UsbError::Stall)
    );
    assert_eq!(
        dev.control_out(SetupPacket::clear_halt(BOT_IN), &[]),
        Err(UsbError::Stall),
        "no such endpoint in alt 1"
    );
}

#[test]
fn port_reset_revives_a_bridge_that_dropped_off_the_bus() {
    let mut config = DeviceConfig::new(Layout::Dual, Speed::Super);
    config.uas_quirks = vec![Quirk::ResetOnUnknownCdb];
    let mut dev = MassStorageDevice::new(target(1), config);
    configure(&mut dev, 1);
    let command = Iu::Command(CommandIu::new(1, [0; 8], &vendor_cdb()).expect("Command IU"));
    dev.bulk_out(UAS_COMMAND, 0, &command.to_bytes())
        .expect("taken");
    assert_eq!(dev.bulk_in(UAS_STATUS, 1, 64), Err(UsbError::Disconnected));
    assert_eq!(
        dev.control_in(SetupPacket::get_descriptor(DEVICE, 0, 0, 18)),
        Err(UsbError::Disconnected)
    );
    dev.port_reset().expect("port reset");
    // The host stack restored configuration 1, alt 1.
    assert_eq!(dev.control_in(SetupPacket::get_interface(0)), Ok(vec![1]));
    let tur = Iu::Command(CommandIu::new(2, [0; 8], TestUnitReady.cdb().as_bytes()).expect("IU"));
    dev.bulk_out(UAS_COMMAND, 0, &tur.to_bytes())
        .expect("command pipe");
    assert!(dev.bulk_in(UAS_STATUS, 2, 64).is_ok());
}

fn endpoint() -> impl Strategy<Value = u8> {
    prop_oneof![
        Just(BOT_IN),
        Just(BOT_OUT),
        Just(UAS_COMMAND),
        Just(UAS_STATUS),
        Just(UAS_DATA_IN),
        Just(UAS_DATA_OUT),
        any::<u8>()
    ]
}

#[derive(Debug, Clone)]
enum Op {
    ControlIn([u8; 8]),
    ControlOut([u8; 8]),
    SetInterface(u8),
    Out(u8, u16, Vec<u8>),
    In(u8, u16, usize),
    Reset,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        any::<[u8; 8]>().prop_map(Op::ControlIn),
        any::<[u8; 8]>().prop_map(Op::ControlOut),
        (0u8..3).prop_map(Op::SetInterface),
        (
            endpoint(),
            0u16..20,
            proptest::collection::vec(any::<u8>(), 0..64)
        )
            .prop_map(|(e, s, d)| Op::Out(e, s, d)),
        (endpoint(), 0u16..20, 0usize..2048).prop_map(|(e, s, m)| Op::In(e, s, m)),
        Just(Op::Reset),
    ]
}

proptest! {
    #[test]
    fn arbitrary_requests_and_transfers_never_panic(
        ops in proptest::collection::vec(op(), 0..32),
        super_speed in any::<bool>(),
    ) {
        let speed = if super_speed { Speed::Super } else { Speed::High };
        let mut dev = device(Layout::Dual, speed);
        dev.control_out(SetupPacket::set_configuration(1), &[]).expect("configured");
        for op in ops {
            let _ = match op {
                Op::ControlIn(setup) => SetupPacket::parse(&setup)
                    .map_err(|_| UsbError::Stall)
                    .and_then(|s| dev.control_in(s))
                    .map(drop),
                Op::ControlOut(setup) => SetupPacket::parse(&setup)
                    .map_err(|_| UsbError::Stall)
                    .and_then(|s| dev.control_out(s, &[])),
                Op::SetInterface(alt) => dev.control_out(SetupPacket::set_interface(0, alt), &[]),
                Op::Out(e, s, d) => dev.bulk_out(e, s, &d).map(drop),
                Op::In(e, s, m) => dev.bulk_in(e, s, m).map(drop),
                Op::Reset => dev.port_reset(),
            };
        }
        prop_assert_eq!(dev.port_reset(), Ok(()));
        prop_assert!(dev.control_in(SetupPacket::get_descriptor(DEVICE, 0, 0, 18)).is_ok());
    }
}

/// Submits the data-in and status transfers of tag 1 (status first, as a host that does
/// not know which will come), then the Command IU, and reaps all three.
fn submit_uas_read(
    dev: &mut Device,
    cdb: &[u8],
) -> Vec<(TransferId, Result<Transferred, UsbError>)> {
    let status = dev
        .submit(Transfer {
            endpoint: UAS_STATUS,
            stream: 1,
            data: TransferData::In(64),
        })
        .expect("status submitted");
    let data = dev
        .submit(Transfer {
            endpoint: UAS_DATA_IN,
            stream: 1,
            data: TransferData::In(4096),
        })
        .expect("data submitted");
    let command = Iu::Command(CommandIu::new(1, [0; 8], cdb).expect("Command IU"));
    dev.bulk_out(UAS_COMMAND, 0, &command.to_bytes())
        .expect("command pipe");
    let mut done = Vec::new();
    while let Ok(completion) = dev.reap(std::time::Duration::ZERO) {
        done.push((completion.id, completion.result));
    }
    assert!(done.iter().any(|(id, _)| *id == status), "status completes");
    if let Some(position) = done.iter().position(|(id, _)| *id == data) {
        assert_eq!(position, 0, "data completes before the status");
    } else {
        dev.discard(data).expect("discarded");
    }
    done
}

#[test]
fn submitted_transfers_complete_in_the_order_the_device_answers() {
    let mut dev = device(Layout::Uas, Speed::Super);
    configure(&mut dev, 0);
    assert_eq!(dev.alloc_streams(&[UAS_STATUS, UAS_DATA_IN], 64), Ok(16));
    // The power-on unit attention: the Sense IU comes and the data transfer stays pending.
    let done = submit_uas_read(&mut dev, TestUnitReady.cdb().as_bytes());
    assert_eq!(done.len(), 1);
    // The vendor CDB's data over the drop-unknown-data-phase bridge: again no data.
    let done = submit_uas_read(&mut dev, &vendor_cdb());
    assert_eq!(done.len(), 1);
    let Ok(Transferred::In(bytes)) = &done[0].1 else {
        panic!("expected the Sense IU, got {done:?}");
    };
    assert!(matches!(Iu::parse(bytes), Ok(Iu::Sense(s)) if s.status == Status::Good));
    // INQUIRY moves its data first, then the Sense IU.
    let inquiry = cdb::scsi::spc::inquiry::Inquiry::standard_with_length(36).expect("INQUIRY");
    let done = submit_uas_read(&mut dev, inquiry.cdb().as_bytes());
    assert_eq!(done.len(), 2);
    assert!(matches!(&done[0].1, Ok(Transferred::In(data)) if data.len() == 36));
}

#[test]
fn streams_are_refused_where_the_endpoint_has_none() {
    let mut dev = device(Layout::Uas, Speed::High);
    configure(&mut dev, 0);
    assert_eq!(
        dev.alloc_streams(&[UAS_STATUS], 4),
        Err(UsbError::InvalidParam)
    );
    assert_eq!(dev.alloc_streams(&[0x8f], 4), Err(UsbError::NotFound));
}

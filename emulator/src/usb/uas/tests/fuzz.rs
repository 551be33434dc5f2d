//! Arbitrary bytes on every pipe and arbitrary sequences of operations never panic the
//! UAS interface, and a port reset always brings service back.

use super::Host;
use crate::usb::{Quirk, UasDevice, UasFault};
use cdb::scsi::spc::test_unit_ready::TestUnitReady;
use cdb::scsi::status::Status;
use cdb::usb::descriptor::PipeId;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Command(Vec<u8>),
    CommandIu { tag: u16, lun: u8, cdb: Vec<u8> },
    Status(u16, usize),
    DataIn(u16, usize),
    DataOut(u16, Vec<u8>),
    ClearHalt(PipeId),
    PortReset,
    Inject(UasFault),
}

fn pipe() -> impl Strategy<Value = PipeId> {
    prop_oneof![
        Just(PipeId::Command),
        Just(PipeId::Status),
        Just(PipeId::DataIn),
        Just(PipeId::DataOut)
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..64).prop_map(Op::Command),
        (
            0u16..20,
            0u8..3,
            proptest::collection::vec(any::<u8>(), 1..=16)
        )
            .prop_map(|(tag, lun, cdb)| Op::CommandIu { tag, lun, cdb }),
        (0u16..20, 0usize..2048).prop_map(|(s, m)| Op::Status(s, m)),
        (0u16..20, 0usize..4096).prop_map(|(s, m)| Op::DataIn(s, m)),
        (0u16..20, proptest::collection::vec(any::<u8>(), 0..1100))
            .prop_map(|(s, d)| Op::DataOut(s, d)),
        pipe().prop_map(Op::ClearHalt),
        Just(Op::PortReset),
        prop_oneof![
            pipe().prop_map(UasFault::Stall),
            pipe().prop_map(UasFault::NoResponse),
            (0u32..64).prop_map(|keep| UasFault::ShortDataIn { keep }),
        ]
        .prop_map(Op::Inject),
    ]
}

fn apply(host: &mut Host, op: Op) {
    // Any typed USB error is a fine answer; panics are not.
    let _ = match op {
        Op::Command(bytes) => host.dev.command_out(&bytes),
        Op::CommandIu { tag, lun, cdb } => {
            let iu = cdb::usb::uas::CommandIu::new(tag, crate::sbc::lun_bytes(lun.into()), &cdb)
                .expect("1 to 16 bytes");
            host.dev
                .command_out(&cdb::usb::uas::Iu::Command(iu).to_bytes())
        }
        Op::Status(stream, max) => host.dev.status_in(stream, max).map(drop),
        Op::DataIn(stream, max) => host.dev.data_in(stream, max).map(drop),
        Op::DataOut(stream, data) => host.dev.data_out(stream, &data),
        Op::ClearHalt(pipe) => host.dev.clear_halt(pipe),
        Op::PortReset => host.dev.port_reset(),
        Op::Inject(fault) => {
            host.dev.inject(fault);
            Ok(())
        }
    };
}

proptest! {
    #[test]
    fn arbitrary_command_pipe_bytes_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..80),
        streams in any::<bool>(),
    ) {
        let mut host = Host::new(streams);
        let _ = host.dev.command_out(&bytes);
        for stream in 0..3 {
            let _ = host.dev.status_in(stream, 1024);
            let _ = host.dev.data_in(stream, 4096);
        }
        prop_assert_eq!(host.dev.port_reset(), Ok(()));
        host.assert_serves();
    }

    #[test]
    fn arbitrary_operation_sequences_never_panic(
        ops in proptest::collection::vec(op(), 0..24),
        streams in any::<bool>(),
        quirk in proptest::option::of(prop_oneof![
            Just(Quirk::DropUnknownDataPhase),
            Just(Quirk::ResetOnUnknownCdb)
        ]),
    ) {
        let dev = UasDevice::new(super::target(2), streams);
        let dev = match quirk {
            Some(q) => dev.with_quirk(q),
            None => dev,
        };
        let mut host = Host::over(dev);
        for op in ops {
            apply(&mut host, op);
        }
        prop_assert_eq!(host.dev.port_reset(), Ok(()));
        // The interface still answers a command with its own Sense IU. Not always GOOD:
        // a port reset resets the USB interface, not the logical unit, so one that an
        // arbitrary CDB stopped (START STOP UNIT, 1Bh) stays NOT READY (SBC-4 5.25).
        let sense = host.run(7, 0, &TestUnitReady, &[]);
        prop_assert!(matches!(sense.status, Status::Good | Status::CheckCondition));
    }
}

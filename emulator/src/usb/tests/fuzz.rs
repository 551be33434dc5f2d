//! Arbitrary bulk-out bytes and arbitrary sequences of pipe operations never panic the
//! device, and Reset Recovery plus a port reset always bring service back.

use super::{cbw, Host};
use crate::usb::{Endpoint, Fault, Phase, UsbPipe};
use proptest::prelude::*;

/// One host operation.
#[derive(Debug, Clone)]
enum Op {
    Out(Vec<u8>),
    Cbw {
        length: u32,
        data_in: bool,
        lun: u8,
        cdb: Vec<u8>,
    },
    In(usize),
    MaxLun,
    Reset,
    ClearIn,
    ClearOut,
    PortReset,
    Inject(Fault),
}

fn phase() -> impl Strategy<Value = Phase> {
    prop_oneof![Just(Phase::Command), Just(Phase::Data), Just(Phase::Status)]
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        phase().prop_map(Fault::Stall),
        Just(Fault::BadCswSignature),
        Just(Fault::WrongCswTag),
        Just(Fault::PhaseError),
        (0u32..64).prop_map(|keep| Fault::ShortPacket { keep }),
        phase().prop_map(Fault::NoResponse),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..64).prop_map(Op::Out),
        (
            0u32..4096,
            any::<bool>(),
            0u8..3,
            proptest::collection::vec(any::<u8>(), 1..=16)
        )
            .prop_map(|(length, data_in, lun, cdb)| Op::Cbw {
                length,
                data_in,
                lun,
                cdb
            }),
        (0usize..4200).prop_map(Op::In),
        Just(Op::MaxLun),
        Just(Op::Reset),
        Just(Op::ClearIn),
        Just(Op::ClearOut),
        Just(Op::PortReset),
        fault().prop_map(Op::Inject),
    ]
}

fn apply(host: &mut Host, op: Op) {
    // Any typed USB error is a fine answer; panics are not.
    let _ = match op {
        Op::Out(bytes) => host.dev.bulk_out(&bytes),
        Op::Cbw {
            length,
            data_in,
            lun,
            cdb: cb,
        } => host.dev.bulk_out(&cbw(1, length, data_in, lun, &cb)),
        Op::In(max) => host.dev.bulk_in(max),
        Op::MaxLun => host.dev.get_max_lun(),
        Op::Reset => host.dev.mass_storage_reset(),
        Op::ClearIn => host.dev.clear_halt(Endpoint::BulkIn),
        Op::ClearOut => host.dev.clear_halt(Endpoint::BulkOut),
        Op::PortReset => host.dev.port_reset(),
        Op::Inject(fault) => {
            host.dev.inject(fault);
            Ok(Vec::new())
        }
    };
}

proptest! {
    #[test]
    fn arbitrary_bulk_out_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
        let mut host = Host::new(1);
        let _ = host.dev.bulk_out(&bytes);
        let _ = host.dev.bulk_in(4096);
        let _ = host.dev.bulk_in(13);
        assert_eq!(host.dev.port_reset(), Ok(vec![]));
        host.reset_recovery();
        host.assert_serves();
    }

    #[test]
    fn arbitrary_operation_sequences_never_panic(ops in proptest::collection::vec(op(), 0..24)) {
        let mut host = Host::new(2);
        for op in ops {
            apply(&mut host, op);
        }
        assert_eq!(host.dev.port_reset(), Ok(vec![]));
        host.assert_serves();
    }
}

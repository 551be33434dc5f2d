//! Arbitrary submission entries and data never panic the controller, and every answer is
//! a completion queue entry that decodes (Base 2.0 4.6), whatever fault profile's firmware
//! behaviour the controller has.

use super::{controller, ok};
use crate::fault::Profile;
use crate::nvme::Config;
use cdb::nvme::identify::IdentifyController;
use cdb::nvme::{Completion, Queue, SubmissionEntry};
use proptest::prelude::*;

proptest! {
    #[test]
    fn arbitrary_entries_get_decodable_completions(
        commands in proptest::collection::vec(
            (
                proptest::collection::vec(any::<u8>(), 64),
                any::<bool>(),
                proptest::collection::vec(any::<u8>(), 0..9000),
                0usize..9000,
            ),
            1..8,
        ),
        four_k in any::<bool>(),
    ) {
        let mut ctrl = controller(if four_k { 4096 } else { 512 }, Config::default());
        for (bytes, admin, data_out, in_len) in commands {
            let sqe = SubmissionEntry::parse(&bytes).unwrap();
            let queue = if admin { Queue::Admin } else { Queue::Io };
            let mut data_in = vec![0u8; in_len];
            let c = ctrl.submit(queue, &sqe, &data_out, &mut data_in);
            prop_assert_eq!(c.cid, sqe.cid());
            prop_assert_eq!(data_in.len(), in_len);
            prop_assert_eq!(Completion::parse(&c.to_bytes()).unwrap(), c);
            prop_assert!(c.status.sct <= 2, "generic, command specific or media status");
            prop_assert!(c.status.is_success() || c.status.name().is_some());
        }
        // The controller still answers.
        prop_assert_eq!(ok(&mut ctrl, &IdentifyController::controller()).nn, 1);
    }
}

/// The opcodes the controller implements, per queue, so that arbitrary fields reach the
/// command handlers and not only the opcode check.
const KNOWN: [(bool, u8); 9] = [
    (true, 0x02),
    (true, 0x06),
    (true, 0x09),
    (true, 0x0a),
    (true, 0x10),
    (true, 0x11),
    (false, 0x00),
    (false, 0x01),
    (false, 0x02),
];

proptest! {
    #[test]
    fn arbitrary_fields_of_known_commands_never_panic(
        commands in proptest::collection::vec(
            (
                0usize..KNOWN.len(),
                proptest::collection::vec(any::<u8>(), 64),
                proptest::collection::vec(any::<u8>(), 0..9000),
                0usize..20000,
            ),
            1..10,
        ),
        profile in proptest::sample::select(Profile::ALL.to_vec()),
    ) {
        let config = Config { firmware: profile.firmware(), ..Config::default() };
        let mut ctrl = controller(512, config);
        for (which, mut bytes, data_out, in_len) in commands {
            let (admin, opc) = KNOWN[which];
            bytes[0] = opc;
            bytes[1] &= 0x3c; // FUSE and PSDT 0, so the command's own fields are checked.
            let sqe = SubmissionEntry::parse(&bytes).unwrap();
            let queue = if admin { Queue::Admin } else { Queue::Io };
            let mut data_in = vec![0u8; in_len];
            let c = ctrl.submit(queue, &sqe, &data_out, &mut data_in);
            prop_assert_eq!(Completion::parse(&c.to_bytes()).unwrap(), c);
            prop_assert!(c.status.is_success() || c.status.name().is_some());
            prop_assert_ne!(c.status.to_field(), 0x4001, "a known opcode");
        }
        prop_assert_eq!(ok(&mut ctrl, &IdentifyController::controller()).nn, 1);
    }
}

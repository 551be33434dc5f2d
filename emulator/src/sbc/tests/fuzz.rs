//! Arbitrary CDBs, data-out and data-in buffers never panic the target, and every answer
//! is a valid status with decodable sense data (SAM-5 5.3.1, SPC-5 4.4).

use super::Harness;
use crate::target::ScsiTarget;
use cdb::scsi::status::Status;
use cdb::sense::{key, SenseKeySpecific};
use proptest::collection::vec;
use proptest::prelude::*;

/// The operation codes the target supports, so that arbitrary CDBs reach the handlers.
const SUPPORTED: [u8; 20] = [
    0x00, 0x03, 0x12, 0x15, 0x1a, 0x1b, 0x25, 0x28, 0x2a, 0x35, 0x3b, 0x3c, 0x55, 0x5a, 0x88, 0x8a,
    0x91, 0x9e, 0xa0, 0xa3,
];

fn cdb_bytes() -> impl Strategy<Value = Vec<u8>> {
    let len = prop_oneof![6usize..=16, Just(32usize)];
    let opcode = prop_oneof![proptest::sample::select(&SUPPORTED[..]), any::<u8>()];
    (len, opcode).prop_flat_map(|(len, opcode)| {
        vec(any::<u8>(), len - 1).prop_map(move |rest| {
            let mut cdb = vec![opcode];
            cdb.extend(rest);
            cdb
        })
    })
}

fn command() -> impl Strategy<Value = (u16, Vec<u8>, Vec<u8>, usize)> {
    (
        prop_oneof![4 => Just(0u16), 1 => Just(1u16)],
        cdb_bytes(),
        vec(any::<u8>(), 0..1100),
        0usize..1100,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_commands_get_valid_answers(commands in vec(command(), 1..8)) {
        let mut h = Harness::with(1, 64, 512);
        for (lun, cdb, data_out, in_len) in commands {
            let mut data_in = vec![0u8; in_len];
            let c = h.target.execute(lun, &cdb, &data_out, &mut data_in);
            prop_assert!(c.data_in_len <= in_len);
            match c.status {
                Status::Good => prop_assert!(c.sense.is_empty()),
                Status::CheckCondition => {
                    prop_assert_eq!(c.data_in_len, 0);
                    let sense = cdb::sense::decode(&c.sense).unwrap();
                    prop_assert!(sense.problems.is_empty(), "{:?}", sense.problems);
                    prop_assert!(matches!(sense.response_code.code, 0x70 | 0x72));
                    prop_assert!(sense.sense_key_code().is_some_and(|k| k != key::NO_SENSE));
                    prop_assert!(sense.asc_ascq().is_some());
                    if let Some(SenseKeySpecific::FieldPointer { command: true, field_pointer, .. }) =
                        sense.sense_key_specific()
                    {
                        prop_assert!(usize::from(*field_pointer) < cdb.len());
                    }
                }
                other => prop_assert!(false, "status {other}"),
            }
        }
    }
}

//! UAS IU layouts checked byte by byte against UAS-2 6.2's tables, round trips and
//! arbitrary bytes.

use super::*;
use proptest::prelude::*;

#[test]
fn command_iu_follows_uas2_table() {
    let lun = [0, 1, 0, 0, 0, 0, 0, 0];
    let iu = CommandIu::new(0x0102, lun, &[0x28, 0, 0, 0, 0, 8, 0, 0, 1, 0])
        .and_then(|c| c.with_attributes(3, TaskAttribute::Ordered))
        .expect("Command IU");
    let bytes = Iu::Command(iu.clone()).to_bytes();
    let mut want = vec![0x01, 0x00, 0x01, 0x02, 3 << 3 | 0b010, 0, 0, 0];
    want.extend_from_slice(&lun);
    want.extend_from_slice(&[0x28, 0, 0, 0, 0, 8, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(bytes, want);
    assert_eq!(Iu::parse(&bytes), Ok(Iu::Command(iu)));
}

#[test]
fn a_32_byte_cdb_carries_four_additional_dwords() {
    let cdb = [0x7f; 32];
    let iu = CommandIu::new(1, [0; 8], &cdb).expect("Command IU");
    let bytes = Iu::Command(iu.clone()).to_bytes();
    assert_eq!(bytes.len(), 48);
    assert_eq!(
        bytes[6],
        4 << 2,
        "ADDITIONAL CDB LENGTH in dwords, bits 7:2"
    );
    assert_eq!(Iu::parse(&bytes), Ok(Iu::Command(iu)));
    assert!(
        Iu::parse(&bytes[..44]).is_err(),
        "additional CDB bytes missing"
    );
}

#[test]
fn command_builder_refuses_unrepresentable_values() {
    assert!(CommandIu::new(1, [0; 8], &[]).is_err());
    assert!(
        CommandIu::new(1, [0; 8], &[0; 18]).is_err(),
        "not whole dwords"
    );
    assert!(CommandIu::new(1, [0; 8], &[0; 16 + 64 * 4]).is_err());
    let iu = CommandIu::new(1, [0; 8], &[0; 6]).expect("Command IU");
    assert!(iu.with_attributes(16, TaskAttribute::Simple).is_err());
}

#[test]
fn sense_iu_follows_uas2_table() {
    let sense = [
        0x70, 0, 0x05, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x24, 0, 0, 0, 0, 0,
    ];
    let iu = SenseIu::new(0x0203, Status::CheckCondition, &sense).expect("Sense IU");
    let bytes = Iu::Sense(iu.clone()).to_bytes();
    assert_eq!(&bytes[..4], &[0x03, 0, 0x02, 0x03]);
    assert_eq!(&bytes[4..7], &[0, 0, 0x02], "STATUS QUALIFIER, STATUS");
    assert_eq!(&bytes[14..16], &[0, 18], "SENSE DATA LENGTH");
    assert_eq!(&bytes[16..], &sense);
    assert_eq!(Iu::parse(&bytes), Ok(Iu::Sense(iu)));
    assert!(Iu::parse(&bytes[..20]).is_err(), "sense data cut short");
}

#[test]
fn response_and_task_management_ius_follow_uas2_tables() {
    let response = Iu::Response(ResponseIu::new(9, ResponseCode::OverlappedTagAttempted));
    assert_eq!(response.to_bytes(), [0x04, 0, 0, 9, 0, 0, 0, 0x0a]);
    assert_eq!(Iu::parse(&response.to_bytes()), Ok(response));
    let tmf = Iu::TaskManagement(TaskManagementIu {
        tag: 0x10,
        function: TaskManagementFunction::AbortTask,
        task_tag: 0x0304,
        lun: [0; 8],
    });
    let bytes = tmf.to_bytes();
    assert_eq!(
        bytes,
        [0x05, 0, 0, 0x10, 0x01, 0, 0x03, 0x04, 0, 0, 0, 0, 0, 0, 0, 0]
    );
    assert_eq!(Iu::parse(&bytes), Ok(tmf));
    let mut unknown = bytes;
    unknown[4] = 0x20;
    assert!(
        Iu::parse(&unknown).is_err(),
        "20h is not a task management function"
    );
}

#[test]
fn task_management_function_codes_follow_uas2() {
    let codes: Vec<u8> = TASK_MANAGEMENT_FUNCTIONS
        .iter()
        .map(|&(f, _)| f.code())
        .collect();
    assert_eq!(
        codes,
        [0x01, 0x02, 0x04, 0x08, 0x10, 0x40, 0x80, 0x81, 0x82]
    );
}

#[test]
fn ready_ius_are_four_bytes() {
    assert_eq!(Iu::ReadReady { tag: 5 }.to_bytes(), [0x06, 0, 0, 5]);
    assert_eq!(Iu::WriteReady { tag: 5 }.to_bytes(), [0x07, 0, 0, 5]);
    assert_eq!(
        Iu::parse(&[0x07, 0, 1, 0]),
        Ok(Iu::WriteReady { tag: 0x100 })
    );
    assert!(Iu::parse(&[0x06, 0, 0, 5, 0]).is_err());
    assert!(Iu::parse(&[0x02, 0, 0, 5]).is_err(), "02h is not an IU ID");
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic_and_parsed_ius_round_trip(
        bytes in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        if let Ok(iu) = Iu::parse(&bytes) {
            // Reserved bits are not kept; the re-emitted IU parses to the same value.
            prop_assert_eq!(Iu::parse(&iu.to_bytes()), Ok(iu));
        }
    }

    #[test]
    fn built_command_ius_round_trip(
        tag in any::<u16>(),
        lun in any::<[u8; 8]>(),
        len in 1usize..=16,
        extra in 0usize..=8,
    ) {
        let cdb: Vec<u8> = (0..len + if len == 16 { extra * 4 } else { 0 }).map(|i| i as u8).collect();
        let iu = Iu::Command(CommandIu::new(tag, lun, &cdb).expect("valid CDB"));
        prop_assert_eq!(Iu::parse(&iu.to_bytes()), Ok(iu));
    }
}

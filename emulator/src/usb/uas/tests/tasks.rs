//! Several commands in flight (UAS-2 4.4): queued by tag, one data phase at a time
//! without streams, any order with streams; tags in flight, tags no stream carries,
//! additional CDB bytes, unknown logical units; task management (UAS-2 6.2.3).

use super::Host;
use crate::sbc::lun_bytes;
use crate::usb::test_target::BLOCK;
use crate::usb::UsbError;
use cdb::command::ScsiCommand;
use cdb::scsi::sbc::read_write::{Read10, RwOptions, Write10};
use cdb::scsi::spc::test_unit_ready::TestUnitReady;
use cdb::scsi::status::Status;
use cdb::sense::key;
use cdb::usb::uas::{
    CommandIu, Iu, ResponseCode, ResponseIu, SenseIu, TaskManagementFunction, TaskManagementIu,
};

/// Writes block `lba` of LUN 0 with a pattern of `seed`, returning it.
fn fill(host: &mut Host, lba: u64, seed: u8) -> Vec<u8> {
    let data: Vec<u8> = (0..BLOCK).map(|i| (i as u8).wrapping_mul(seed)).collect();
    let write = Write10::new(lba, &data, BLOCK, RwOptions::default()).expect("write");
    assert_eq!(host.run(15, 0, &write, &[]).status, Status::Good);
    data
}

fn read(lba: u64) -> Vec<u8> {
    Read10::new(lba, 1, BLOCK, RwOptions::default())
        .expect("read")
        .cdb()
        .as_bytes()
        .to_vec()
}

/// The sense key and ASC/ASCQ of a CHECK CONDITION Sense IU.
fn condition(sense: &SenseIu) -> (u8, u8, u8) {
    assert_eq!(sense.status, Status::CheckCondition);
    let decoded = cdb::sense::decode(&sense.sense_data).expect("sense data");
    let (asc, ascq) = decoded.asc_ascq().expect("ASC");
    (decoded.sense_key_code().expect("key"), asc, ascq)
}

fn task_management(
    host: &mut Host,
    tag: u16,
    function: TaskManagementFunction,
    task_tag: u16,
    lun: u16,
) -> ResponseIu {
    let iu = Iu::TaskManagement(TaskManagementIu {
        tag,
        function,
        task_tag,
        lun: lun_bytes(lun),
    });
    host.dev.command_out(&iu.to_bytes()).expect("command pipe");
    match host.status(tag) {
        Iu::Response(response) => response,
        other => panic!("not a Response IU: {other:?}"),
    }
}

#[test]
fn without_streams_data_phases_follow_command_order() {
    let mut host = Host::new(false);
    let a = fill(&mut host, 1, 3);
    let b = fill(&mut host, 2, 5);
    host.command(1, 0, &read(1));
    host.command(2, 0, &read(2));
    assert_eq!(host.status(0), Iu::ReadReady { tag: 1 });
    assert_eq!(
        host.dev.status_in(0, 64),
        Err(UsbError::Timeout),
        "one phase at a time"
    );
    assert_eq!(host.dev.data_in(0, 4096), Ok(a));
    assert_eq!(host.sense(1).status, Status::Good);
    assert_eq!(host.status(0), Iu::ReadReady { tag: 2 });
    assert_eq!(host.dev.data_in(0, 4096), Ok(b));
    assert_eq!(host.sense(2).status, Status::Good);
}

#[test]
fn with_streams_commands_complete_out_of_order() {
    let mut host = Host::new(true);
    let blocks: Vec<Vec<u8>> = (1..=3).map(|i| fill(&mut host, i, i as u8 + 1)).collect();
    for tag in 1..=3u16 {
        host.command(tag, 0, &read(u64::from(tag)));
    }
    for tag in [3u16, 1, 2] {
        assert_eq!(
            host.dev.data_in(tag, 4096).as_ref(),
            Ok(&blocks[usize::from(tag) - 1])
        );
        assert_eq!(host.sense(tag).status, Status::Good);
    }
}

#[test]
fn a_tag_in_flight_gets_overlapped_commands_and_the_first_goes_on() {
    for streams in [false, true] {
        let mut host = Host::new(streams);
        let block = fill(&mut host, 9, 7);
        host.command(5, 0, &read(9));
        if !streams {
            assert_eq!(host.status(5), Iu::ReadReady { tag: 5 });
        }
        host.command(5, 0, TestUnitReady.cdb().as_bytes());
        assert_eq!(
            condition(&host.sense(5)),
            (key::ABORTED_COMMAND, 0x4e, 0x00)
        );
        let stream = host.stream(5);
        assert_eq!(host.dev.data_in(stream, 4096), Ok(block));
        assert_eq!(host.sense(5).status, Status::Good);
    }
}

#[test]
fn a_tag_is_free_again_once_its_sense_iu_is_read() {
    let mut host = Host::new(false);
    host.command(6, 0, TestUnitReady.cdb().as_bytes());
    assert_eq!(host.sense(6).status, Status::Good);
    host.command(6, 0, TestUnitReady.cdb().as_bytes());
    assert_eq!(host.sense(6).status, Status::Good);
}

#[test]
fn with_streams_tags_run_from_1_to_16() {
    let mut host = Host::new(true);
    host.command(16, 0, TestUnitReady.cdb().as_bytes());
    assert_eq!(host.sense(16).status, Status::Good);
    host.command(17, 0, TestUnitReady.cdb().as_bytes());
    assert_eq!(
        condition(&host.sense(17)),
        (key::ILLEGAL_REQUEST, 0x4b, 0x01)
    );
}

#[test]
fn additional_cdb_bytes_and_unknown_luns_are_refused() {
    let mut host = Host::new(false);
    let iu = CommandIu::new(3, lun_bytes(0), &[0x7f; 32]).expect("Command IU");
    host.dev
        .command_out(&Iu::Command(iu).to_bytes())
        .expect("command pipe");
    assert_eq!(
        condition(&host.sense(3)),
        (key::ILLEGAL_REQUEST, 0x26, 0x01)
    );
    host.command(4, 9, TestUnitReady.cdb().as_bytes());
    assert_eq!(
        condition(&host.sense(4)),
        (key::ILLEGAL_REQUEST, 0x25, 0x00)
    );
}

#[test]
fn abort_task_completes_and_the_aborted_command_gets_no_status() {
    for streams in [false, true] {
        let mut host = Host::new(streams);
        let b = fill(&mut host, 2, 9);
        host.command(1, 0, &read(1));
        host.command(2, 0, &read(2));
        if !streams {
            assert_eq!(host.status(0), Iu::ReadReady { tag: 1 });
        }
        let response = task_management(&mut host, 10, TaskManagementFunction::AbortTask, 1, 0);
        assert_eq!(
            response.response_code,
            ResponseCode::TaskManagementFunctionComplete
        );
        if streams {
            assert_eq!(host.dev.data_in(1, 4096), Err(UsbError::Timeout));
        } else {
            // The aborted command's data phase is over: the next one is announced.
            assert_eq!(host.status(0), Iu::ReadReady { tag: 2 });
        }
        let stream = host.stream(2);
        assert_eq!(host.dev.data_in(stream, 4096), Ok(b));
        assert_eq!(host.sense(2).status, Status::Good);
        let stream = host.stream(1);
        assert_eq!(
            host.dev.status_in(stream, 64),
            Err(UsbError::Timeout),
            "no status for 1"
        );
    }
}

#[test]
fn logical_unit_reset_aborts_the_units_commands() {
    let mut host = Host::new(true);
    host.command(1, 0, &read(1));
    host.command(2, 1, &read(1));
    let response = task_management(&mut host, 3, TaskManagementFunction::LogicalUnitReset, 0, 0);
    assert_eq!(
        response.response_code,
        ResponseCode::TaskManagementFunctionComplete
    );
    assert_eq!(host.dev.data_in(1, 4096), Err(UsbError::Timeout));
    assert_eq!(host.dev.data_in(2, 4096).map(|d| d.len()), Ok(512));
    assert_eq!(host.sense(2).status, Status::Good);
}

#[test]
fn other_task_management_functions_are_not_supported() {
    let mut host = Host::new(false);
    for function in [
        TaskManagementFunction::AbortTaskSet,
        TaskManagementFunction::ClearTaskSet,
        TaskManagementFunction::ITNexusReset,
        TaskManagementFunction::ClearAca,
        TaskManagementFunction::QueryTask,
        TaskManagementFunction::QueryTaskSet,
        TaskManagementFunction::QueryAsynchronousEvent,
    ] {
        let response = task_management(&mut host, 8, function, 1, 0);
        assert_eq!(
            response.response_code,
            ResponseCode::TaskManagementFunctionNotSupported
        );
    }
    let unassigned = [0x05, 0, 0, 8, 0x20, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0];
    host.dev.command_out(&unassigned).expect("command pipe");
    assert_eq!(
        host.status(8),
        Iu::Response(ResponseIu::new(
            8,
            ResponseCode::TaskManagementFunctionNotSupported
        ))
    );
    let response = task_management(&mut host, 9, TaskManagementFunction::AbortTask, 1, 7);
    assert_eq!(
        response.response_code,
        ResponseCode::IncorrectLogicalUnitNumber
    );
}

#[test]
fn an_iu_the_device_does_not_take_gets_invalid_information_unit() {
    let mut host = Host::new(false);
    let sense = Iu::Sense(SenseIu::new(12, Status::Good, &[]).expect("Sense IU"));
    host.dev
        .command_out(&sense.to_bytes())
        .expect("command pipe");
    assert_eq!(
        host.status(12),
        Iu::Response(ResponseIu::new(12, ResponseCode::InvalidInformationUnit))
    );
}

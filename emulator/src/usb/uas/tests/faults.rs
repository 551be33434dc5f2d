//! Each injected pipe fault and each field quirk shows its symptom, and a port reset (or
//! CLEAR_FEATURE(ENDPOINT_HALT)) recovers what it can.

use super::{target, Host};
use crate::usb::test_target::{vendor_pattern, VENDOR_OPCODE, VENDOR_REPLY};
use crate::usb::{Quirk, UasDevice, UasFault, UsbError};
use cdb::command::ScsiCommand;
use cdb::scsi::spc::inquiry::Inquiry;
use cdb::scsi::spc::test_unit_ready::TestUnitReady;
use cdb::scsi::status::Status;
use cdb::usb::descriptor::PipeId;
use cdb::usb::uas::Iu;

/// The vendor CDB: opcode C0h, 16 bytes like the pass-through CDBs of the bridges.
fn vendor_cdb() -> [u8; 16] {
    let mut cdb = [0u8; 16];
    cdb[0] = VENDOR_OPCODE;
    cdb
}

#[test]
fn a_stalled_pipe_stays_halted_until_clear_halt() {
    for pipe in [
        PipeId::Command,
        PipeId::Status,
        PipeId::DataIn,
        PipeId::DataOut,
    ] {
        let mut host = Host::new(true);
        host.dev.inject(UasFault::Stall(pipe));
        let first = match pipe {
            PipeId::Command => host.dev.command_out(&[0; 32]),
            PipeId::Status => host.dev.status_in(1, 64).map(drop),
            PipeId::DataIn => host.dev.data_in(1, 64).map(drop),
            PipeId::DataOut => host.dev.data_out(1, &[0; 4]),
        };
        assert_eq!(first, Err(UsbError::Stall), "{pipe:?}");
        let again = match pipe {
            PipeId::Command => host.dev.command_out(&[0; 32]),
            PipeId::Status => host.dev.status_in(1, 64).map(drop),
            PipeId::DataIn => host.dev.data_in(1, 64).map(drop),
            PipeId::DataOut => host.dev.data_out(1, &[0; 4]),
        };
        assert_eq!(again, Err(UsbError::Stall), "{pipe:?} halted");
        assert_eq!(host.dev.clear_halt(pipe), Ok(()));
        host.assert_serves();
    }
}

#[test]
fn a_stalled_data_in_transfer_keeps_the_data_for_after_clear_halt() {
    let mut host = Host::new(false);
    let inquiry = Inquiry::standard_with_length(36).expect("inquiry");
    host.command(2, 0, inquiry.cdb().as_bytes());
    assert_eq!(host.status(2), Iu::ReadReady { tag: 2 });
    host.dev.inject(UasFault::Stall(PipeId::DataIn));
    assert_eq!(host.dev.data_in(0, 36), Err(UsbError::Stall));
    host.dev.clear_halt(PipeId::DataIn).expect("clear halt");
    assert_eq!(host.dev.data_in(0, 36).map(|d| d.len()), Ok(36));
    assert_eq!(host.sense(2).status, Status::Good);
}

#[test]
fn a_disconnect_is_for_good() {
    let mut host = Host::new(false);
    host.dev.inject(UasFault::Disconnect(PipeId::Status));
    host.command(1, 0, TestUnitReady.cdb().as_bytes());
    assert_eq!(host.dev.status_in(0, 64), Err(UsbError::Disconnected));
    assert_eq!(host.dev.command_out(&[0; 32]), Err(UsbError::Disconnected));
    assert_eq!(host.dev.port_reset(), Err(UsbError::Disconnected));
}

#[test]
fn no_response_times_out_until_a_port_reset() {
    let mut host = Host::new(true);
    host.dev.inject(UasFault::NoResponse(PipeId::Command));
    assert_eq!(host.dev.command_out(&[0; 32]), Err(UsbError::Timeout));
    assert_eq!(host.dev.status_in(1, 64), Err(UsbError::Timeout));
    host.dev.port_reset().expect("port reset");
    host.assert_serves();
}

#[test]
fn a_short_data_in_loses_data_under_good_status() {
    let mut host = Host::new(true);
    host.dev.inject(UasFault::ShortDataIn { keep: 10 });
    let inquiry = Inquiry::standard_with_length(36).expect("inquiry");
    host.command(3, 0, inquiry.cdb().as_bytes());
    assert_eq!(host.dev.data_in(3, 36).map(|d| d.len()), Ok(10));
    assert_eq!(host.sense(3).status, Status::Good);
}

#[test]
fn without_quirks_a_vendor_cdb_moves_its_data_in() {
    let mut host = Host::new(false);
    host.command(4, 0, &vendor_cdb());
    assert_eq!(host.status(4), Iu::ReadReady { tag: 4 });
    assert_eq!(host.dev.data_in(0, VENDOR_REPLY), Ok(vendor_pattern()));
    assert_eq!(host.sense(4).status, Status::Good);
}

#[test]
fn drop_unknown_data_phase_reports_good_and_moves_no_data() {
    for streams in [false, true] {
        let dev = UasDevice::new(target(2), streams).with_quirk(Quirk::DropUnknownDataPhase);
        let mut host = Host::over(dev);
        host.command(4, 0, &vendor_cdb());
        // No Read Ready: the next IU is already the Sense IU, GOOD.
        assert_eq!(host.sense(4).status, Status::Good);
        let stream = host.stream(4);
        assert_eq!(
            host.dev.data_in(stream, VENDOR_REPLY),
            Err(UsbError::Timeout)
        );
        host.assert_serves();
    }
}

#[test]
fn reset_on_unknown_cdb_drops_off_the_bus_until_a_port_reset() {
    let dev = UasDevice::new(target(2), true).with_quirk(Quirk::ResetOnUnknownCdb);
    let mut host = Host::over(dev);
    host.command(1, 0, &vendor_cdb());
    assert_eq!(host.dev.status_in(1, 64), Err(UsbError::Disconnected));
    assert_eq!(host.dev.command_out(&[0; 32]), Err(UsbError::Disconnected));
    assert_eq!(
        host.dev.clear_halt(PipeId::Status),
        Err(UsbError::Disconnected)
    );
    host.dev.port_reset().expect("port reset");
    host.assert_serves();
}

#[test]
fn quirk_names_are_the_option_names() {
    for quirk in Quirk::ALL {
        assert_eq!(Quirk::from_name(quirk.name()), Some(quirk));
    }
    assert_eq!(
        Quirk::from_name("drop-unknown-data-phase"),
        Some(Quirk::DropUnknownDataPhase)
    );
    assert_eq!(
        Quirk::from_name("reset-on-unknown-cdb"),
        Some(Quirk::ResetOnUnknownCdb)
    );
}

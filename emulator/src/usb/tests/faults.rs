//! Injected faults as the host sees them, and how the host gets service back.

use super::{cbw, Host, RawCsw, BLOCK};
use crate::usb::{Endpoint, Fault, Phase, UsbError, UsbPipe};
use cdb::command::ScsiCommand;
use cdb::scsi::sbc::read_write::{Read10, RwOptions, Write10};
use cdb::scsi::spc::inquiry::Inquiry;

fn inquiry_cbw(tag: u32) -> Vec<u8> {
    let cmd = Inquiry::standard_with_length(36).expect("inquiry");
    cbw(tag, 36, true, 0, cmd.cdb().as_bytes())
}

/// Sends an INQUIRY CBW and reads its 36 bytes of data.
fn inquiry_through_data(host: &mut Host) -> u32 {
    let tag = host.next_tag();
    assert_eq!(host.dev.bulk_out(&inquiry_cbw(tag)), Ok(vec![]));
    assert_eq!(host.dev.bulk_in(36).map(|d| d.len()), Ok(36));
    tag
}

fn csw(host: &mut Host) -> RawCsw {
    RawCsw::decode(&host.dev.bulk_in(13).expect("CSW"))
}

#[test]
fn stall_on_cbw_then_clear_halt_and_resend() {
    let mut host = Host::new(1);
    host.dev.inject(Fault::Stall(Phase::Command));
    let tag = host.next_tag();
    assert_eq!(host.dev.bulk_out(&inquiry_cbw(tag)), Err(UsbError::Stall));
    assert_eq!(
        host.dev.bulk_out(&inquiry_cbw(tag)),
        Err(UsbError::Stall),
        "halted"
    );
    assert_eq!(host.dev.clear_halt(Endpoint::BulkOut), Ok(vec![]));
    assert_eq!(host.dev.bulk_out(&inquiry_cbw(tag)), Ok(vec![]));
    assert_eq!(host.dev.bulk_in(36).map(|d| d.len()), Ok(36));
    let csw = csw(&mut host);
    csw.assert_answers(tag);
    assert_eq!((csw.status, csw.residue), (0x00, 0));
}

#[test]
fn stall_on_data_in_then_csw_reports_nothing_moved() {
    let mut host = Host::new(1);
    host.dev.inject(Fault::Stall(Phase::Data));
    let tag = host.next_tag();
    assert_eq!(host.dev.bulk_out(&inquiry_cbw(tag)), Ok(vec![]));
    assert_eq!(host.dev.bulk_in(36), Err(UsbError::Stall));
    assert_eq!(host.dev.clear_halt(Endpoint::BulkIn), Ok(vec![]));
    let csw = csw(&mut host);
    csw.assert_answers(tag);
    assert_eq!(csw.residue, 36);
}

#[test]
fn stall_on_data_out_fails_the_write_unexecuted() {
    let mut host = Host::new(1);
    host.dev.inject(Fault::Stall(Phase::Data));
    let data = vec![0xee; BLOCK as usize];
    let write = Write10::new(4, &data, BLOCK, RwOptions::default()).expect("write");
    let tag = host.next_tag();
    assert_eq!(
        host.dev
            .bulk_out(&cbw(tag, BLOCK, false, 0, write.cdb().as_bytes())),
        Ok(vec![])
    );
    assert_eq!(host.dev.bulk_out(&data), Err(UsbError::Stall));
    assert_eq!(host.dev.clear_halt(Endpoint::BulkOut), Ok(vec![]));
    let csw = csw(&mut host);
    csw.assert_answers(tag);
    assert_eq!((csw.status, csw.residue), (0x01, BLOCK));
    let read = Read10::new(4, 1, BLOCK, RwOptions::default()).expect("read");
    let answer = host.send(0, &read);
    assert_eq!(answer.data, vec![0; BLOCK as usize]);
}

#[test]
fn stall_on_csw_then_clear_halt_delivers_it() {
    let mut host = Host::new(1);
    host.dev.inject(Fault::Stall(Phase::Status));
    let tag = inquiry_through_data(&mut host);
    assert_eq!(host.dev.bulk_in(13), Err(UsbError::Stall));
    assert_eq!(host.dev.clear_halt(Endpoint::BulkIn), Ok(vec![]));
    let csw = csw(&mut host);
    csw.assert_answers(tag);
    assert_eq!(csw.status, 0x00);
}

#[test]
fn bad_csw_signature_is_seen_once() {
    let mut host = Host::new(1);
    host.dev.inject(Fault::BadCswSignature);
    let tag = inquiry_through_data(&mut host);
    let csw = csw(&mut host);
    assert_ne!(&csw.signature, b"USBS");
    assert_eq!(csw.tag, tag);
    host.assert_serves();
}

#[test]
fn wrong_csw_tag() {
    let mut host = Host::new(1);
    host.dev.inject(Fault::WrongCswTag);
    let tag = inquiry_through_data(&mut host);
    let csw = csw(&mut host);
    assert_eq!(&csw.signature, b"USBS");
    assert_ne!(csw.tag, tag);
    host.assert_serves();
}

#[test]
fn injected_phase_error() {
    let mut host = Host::new(1);
    host.dev.inject(Fault::PhaseError);
    let tag = inquiry_through_data(&mut host);
    let csw = csw(&mut host);
    csw.assert_answers(tag);
    assert_eq!(csw.status, 0x02);
    host.reset_recovery();
    host.assert_serves();
}

#[test]
fn short_packet_truncates_data_in_while_the_csw_claims_it_all() {
    let mut host = Host::new(1);
    host.dev.inject(Fault::ShortPacket { keep: 8 });
    let tag = host.next_tag();
    assert_eq!(host.dev.bulk_out(&inquiry_cbw(tag)), Ok(vec![]));
    let data = host.dev.bulk_in(36).expect("short packet");
    assert_eq!(data.len(), 8);
    assert_eq!(data[0] & 0x1f, 0x00, "the start of the INQUIRY data");
    let csw = csw(&mut host);
    csw.assert_answers(tag);
    assert_eq!((csw.status, csw.residue), (0x00, 0));
}

#[test]
fn disconnect_fails_everything_for_good() {
    let mut host = Host::new(1);
    host.dev.inject(Fault::Disconnect(Phase::Data));
    let tag = host.next_tag();
    assert_eq!(host.dev.bulk_out(&inquiry_cbw(tag)), Ok(vec![]));
    assert_eq!(host.dev.bulk_in(36), Err(UsbError::Disconnected));
    assert_eq!(host.dev.bulk_in(13), Err(UsbError::Disconnected));
    assert_eq!(
        host.dev.bulk_out(&inquiry_cbw(tag)),
        Err(UsbError::Disconnected)
    );
    assert_eq!(host.dev.get_max_lun(), Err(UsbError::Disconnected));
    assert_eq!(host.dev.mass_storage_reset(), Err(UsbError::Disconnected));
    assert_eq!(
        host.dev.clear_halt(Endpoint::BulkIn),
        Err(UsbError::Disconnected)
    );
    assert_eq!(host.dev.port_reset(), Err(UsbError::Disconnected));
}

#[test]
fn no_response_times_out_until_reset_recovery() {
    let mut host = Host::new(1);
    host.dev.inject(Fault::NoResponse(Phase::Status));
    inquiry_through_data(&mut host);
    assert_eq!(host.dev.bulk_in(13), Err(UsbError::Timeout));
    assert_eq!(host.dev.bulk_out(&inquiry_cbw(1)), Err(UsbError::Timeout));
    assert_eq!(
        host.dev.get_max_lun(),
        Ok(vec![0]),
        "the control pipe still answers"
    );
    host.reset_recovery();
    host.assert_serves();
}

#[test]
fn no_response_on_cbw_times_out_until_port_reset() {
    let mut host = Host::new(1);
    host.dev.inject(Fault::NoResponse(Phase::Command));
    assert_eq!(host.dev.bulk_out(&inquiry_cbw(1)), Err(UsbError::Timeout));
    assert_eq!(host.dev.bulk_in(13), Err(UsbError::Timeout));
    assert_eq!(host.dev.port_reset(), Ok(vec![]));
    host.assert_serves();
}

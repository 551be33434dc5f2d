//! Microcode download: READ BUFFER (10) modes 02h, 03h, 0Fh (SPC-5 6.16) and WRITE BUFFER
//! modes 05h, 07h, 0Dh, 0Eh, 0Fh (SPC-5 6.49), with the activation semantics of SPC-5:
//! UNIT ATTENTION 3Fh/01h MICROCODE HAS BEEN CHANGED and the new PRODUCT REVISION LEVEL.

use super::double::Media;
use super::{assert_field, assert_sense, Harness};
use crate::image::{self, ImageError};
use crate::sbc::microcode::{Activation, MicrocodeConfig};
use crate::sbc::{Disk, Identity, Target};
use crate::target::ScsiTarget;
use cdb::scsi::spc::buffer::{
    ActivationEvents, BufferDescriptor, MicrocodeStatus, OffsetBoundary, ReadBuffer,
    ReadBufferData, ReadBufferMode, WriteBuffer, WriteBufferMode, MAX_24,
};
use cdb::scsi::spc::inquiry::{Inquiry, InquiryData};
use cdb::scsi::spc::test_unit_ready::TestUnitReady;
use cdb::sense::key;

/// A ready one-LUN target whose download buffer is `buffer`.
fn with_buffer(buffer: BufferDescriptor) -> Harness {
    with_config(MicrocodeConfig {
        buffer,
        ..MicrocodeConfig::default()
    })
}

/// A ready one-LUN target whose microcode download behaves as `config` says.
fn with_config(config: MicrocodeConfig) -> Harness {
    let (device, media) = Media::new(64, 512);
    let disk = Disk::new(Identity::default(), device).with_microcode(config);
    let mut h = Harness {
        target: Target::new(vec![disk]),
        media,
    };
    assert_sense(&h.check(&TestUnitReady), key::UNIT_ATTENTION, 0x29, 0x00);
    h
}

/// Offsets on 512-byte boundaries, 8 KiB of capacity.
fn small() -> Harness {
    with_buffer(BufferDescriptor {
        offset_boundary: OffsetBoundary::Aligned { exponent: 9 },
        buffer_capacity: 8192,
    })
}

fn descriptor(h: &mut Harness) -> BufferDescriptor {
    match h.good(&ReadBuffer::descriptor(0)) {
        ReadBufferData::Descriptor(d) => d,
        other => panic!("{other:?}"),
    }
}

fn status(h: &mut Harness) -> MicrocodeStatus {
    match h.good(&ReadBuffer::microcode_status()) {
        ReadBufferData::MicrocodeStatus(s) => s,
        other => panic!("{other:?}"),
    }
}

fn revision(h: &mut Harness) -> String {
    match h.good(&Inquiry::standard()) {
        InquiryData::Standard(s) => s.product_revision_level,
        other => panic!("{other:?}"),
    }
}

/// An image of `len` payload bytes carrying `rev`.
fn image_of(rev: &str, len: usize) -> Vec<u8> {
    let payload: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
    image::SCSI.build(rev, &payload)
}

/// Sends `image` in pieces of `chunk` bytes with `mode`, each built against the
/// descriptor the device reports; every piece but the last leaves the download awaiting
/// more data at the next offset (DOWNLOAD MICROCODE STATUS 21h, SPC-6).
fn download(h: &mut Harness, mode: WriteBufferMode, image: &[u8], chunk: usize) {
    let d = descriptor(h);
    let pieces: Vec<&[u8]> = image.chunks(chunk).collect();
    for (i, piece) in pieces.iter().enumerate() {
        let offset = (i * chunk) as u32;
        let cmd = WriteBuffer::new_checked(mode, 0, 0, offset, piece.to_vec(), &d).unwrap();
        h.good(&cmd);
        if i + 1 < pieces.len() {
            let s = status(h);
            assert_eq!(s.download_microcode_status.code, 0x21);
            assert_eq!(
                s.download_microcode_expected_buffer_offset,
                Some(offset + piece.len() as u32)
            );
            assert_eq!(revision(h), "0001", "activated before the final piece");
        }
    }
}

/// The next command reports UNIT ATTENTION 3Fh/01h MICROCODE HAS BEEN CHANGED once.
fn assert_microcode_changed(h: &mut Harness) {
    assert_sense(&h.check(&TestUnitReady), key::UNIT_ATTENTION, 0x3f, 0x01);
    h.good(&TestUnitReady);
}

#[test]
fn descriptor_reports_the_configured_boundary_and_capacity() {
    let mut h = Harness::ready();
    let d = descriptor(&mut h);
    assert_eq!(d.offset_boundary.alignment(), Some(512));
    assert_eq!(d.buffer_capacity, 0xff_fe00);
    let mut h = with_buffer(BufferDescriptor {
        offset_boundary: OffsetBoundary::ZeroOnly,
        buffer_capacity: 1 << 30,
    });
    let d = descriptor(&mut h);
    assert_eq!(d.offset_boundary, OffsetBoundary::ZeroOnly);
    // BUFFER CAPACITY is a 24-bit field (SPC-5 6.16).
    assert_eq!(d.buffer_capacity, MAX_24);
    let s = status(&mut h);
    assert_eq!(s.activated_microcode_status.code, 0x01);
    assert_eq!(s.download_microcode_status.code, 0x00);
    assert_eq!(s.download_microcode_maximum_size, Some(MAX_24));
}

#[test]
fn whole_image_in_one_mode_05h_activates_it() {
    let mut h = Harness::ready();
    let d = descriptor(&mut h);
    let image = image_of("0002", 3000);
    let cmd = WriteBuffer::new_checked(WriteBufferMode::DownloadMicrocodeSave, 0, 0, 0, image, &d)
        .unwrap();
    h.good(&cmd);
    // INQUIRY neither reports nor clears the unit attention (SAM-5 5.14), and already
    // shows the new revision.
    assert_eq!(revision(&mut h), "0002");
    assert_microcode_changed(&mut h);
    assert_eq!(status(&mut h).download_microcode_status.code, 0x00);
}

#[test]
fn chunked_mode_07h_on_the_offset_boundary() {
    let mut h = Harness::ready();
    let image = image_of("0A07", 5000);
    download(
        &mut h,
        WriteBufferMode::DownloadMicrocodeOffsetsSave,
        &image,
        1024,
    );
    assert_microcode_changed(&mut h);
    assert_eq!(revision(&mut h), "0A07");
    // The buffer holds the image (READ BUFFER mode 02h).
    let ReadBufferData::Bytes { data } = h.good(&ReadBuffer::data(0, 0, 16).unwrap()) else {
        panic!("data mode")
    };
    assert_eq!(data[..8], image::SCSI.magic);
    assert_eq!(&data[8..12], b"0A07");
    let ReadBufferData::Bytes { data } = h.good(&ReadBuffer::data(0, 4608, 1024).unwrap()) else {
        panic!("data mode")
    };
    assert_eq!(data[..image.len() - 4608], image[4608..]);
}

#[test]
fn deferred_mode_0eh_waits_for_mode_0fh() {
    let mut h = Harness::ready();
    let image = image_of("DEF1", 2000);
    download(
        &mut h,
        WriteBufferMode::DownloadMicrocodeOffsetsSaveDefer,
        &image,
        512,
    );
    // Saved, not active: no unit attention, same revision, status 33h (SPC-6).
    h.good(&TestUnitReady);
    assert_eq!(revision(&mut h), "0001");
    assert_eq!(status(&mut h).download_microcode_status.code, 0x33);
    h.good(&WriteBuffer::activate_deferred_microcode());
    assert_microcode_changed(&mut h);
    assert_eq!(revision(&mut h), "DEF1");
    assert_eq!(status(&mut h).download_microcode_status.code, 0x00);
    // Nothing is deferred any more.
    let sense = h.check(&WriteBuffer::activate_deferred_microcode());
    assert_sense(&sense, key::ILLEGAL_REQUEST, 0x2c, 0x00);
}

#[test]
fn deferred_mode_0eh_is_activated_by_a_reset() {
    let mut h = Harness::ready();
    let image = image_of("RST2", 700);
    download(
        &mut h,
        WriteBufferMode::DownloadMicrocodeOffsetsSaveDefer,
        &image,
        512,
    );
    h.target.reset().unwrap();
    // Power on / reset outranks MICROCODE HAS BEEN CHANGED (SAM-5 5.14).
    assert_sense(&h.check(&TestUnitReady), key::UNIT_ATTENTION, 0x29, 0x00);
    assert_eq!(revision(&mut h), "RST2");
    assert_sense(
        &h.check(&WriteBuffer::activate_deferred_microcode()),
        key::ILLEGAL_REQUEST,
        0x2c,
        0x00,
    );
}

#[test]
fn deferred_mode_0dh_survives_a_reset_and_needs_mode_0fh() {
    let mut h = Harness::ready();
    let image = image_of("0D0D", 100);
    download(
        &mut h,
        WriteBufferMode::DownloadMicrocodeOffsetsSelectEventsSaveDefer,
        &image,
        512,
    );
    assert_eq!(status(&mut h).download_microcode_status.code, 0x34);
    h.target.reset().unwrap();
    assert_sense(&h.check(&TestUnitReady), key::UNIT_ATTENTION, 0x29, 0x00);
    assert_eq!(revision(&mut h), "0001");
    h.good(&WriteBuffer::activate_deferred_microcode());
    assert_microcode_changed(&mut h);
    assert_eq!(revision(&mut h), "0D0D");
}

#[test]
fn activation_events_are_not_supported() {
    let mut h = Harness::ready();
    let events = ActivationEvents {
        po_act: true,
        ..ActivationEvents::default()
    };
    let cmd =
        WriteBuffer::download_microcode_offsets_select_events_save_defer(events, 0, 0, vec![0; 16])
            .unwrap();
    assert_field(&h.check(&cmd), 0x24, true, 1, 7);
}

#[test]
fn activate_without_deferred_microcode_is_a_command_sequence_error() {
    let mut h = Harness::ready();
    let sense = h.check(&WriteBuffer::activate_deferred_microcode());
    assert_sense(&sense, key::ILLEGAL_REQUEST, 0x2c, 0x00);
    h.good(&TestUnitReady);
}

/// Asserts INVALID FIELD IN PARAMETER LIST, nothing activated, status 91h.
fn assert_rejected(h: &mut Harness, sense: &cdb::sense::SenseData) {
    assert_sense(sense, key::ILLEGAL_REQUEST, 0x26, 0x00);
    h.good(&TestUnitReady);
    assert_eq!(revision(h), "0001");
    assert_eq!(status(h).download_microcode_status.code, 0x91);
}

#[test]
fn a_bad_image_is_rejected_and_changes_nothing() {
    let mut h = Harness::ready();
    let mut image = image_of("BAD1", 600);
    image[100] ^= 0x40;
    let sense = h.check(&WriteBuffer::download_microcode_save(0, image).unwrap());
    assert_rejected(&mut h, &sense);
}

#[test]
fn a_configured_check_can_reject_valid_images() {
    let mut h = with_config(MicrocodeConfig {
        validate: |_| Err(ImageError::Crc),
        ..MicrocodeConfig::default()
    });
    let image = image_of("GOOD", 1000);
    let sense = h.check(&WriteBuffer::download_microcode_save(0, image.clone()).unwrap());
    assert_rejected(&mut h, &sense);
    let d = descriptor(&mut h);
    let first = WriteBuffer::new_checked(
        WriteBufferMode::DownloadMicrocodeOffsetsSaveDefer,
        0,
        0,
        0,
        image,
        &d,
    )
    .unwrap();
    let sense = h.check(&first);
    assert_rejected(&mut h, &sense);
}

#[test]
fn a_wrong_header_is_rejected_on_the_first_piece() {
    let mut h = Harness::ready();
    let mut image = image_of("BAD2", 2000);
    image[0] = b'X';
    let cmd = WriteBuffer::download_microcode_offsets_save(0, 0, image[..512].to_vec()).unwrap();
    let sense = h.check(&cmd);
    assert_rejected(&mut h, &sense);
    // Nothing is in progress: the next piece has no download to continue.
    let next =
        WriteBuffer::download_microcode_offsets_save(0, 512, image[512..1024].to_vec()).unwrap();
    assert_field(&h.check(&next), 0x24, true, 3, 7);
}

#[test]
fn a_zero_length_piece_ends_a_truncated_download() {
    let mut h = Harness::ready();
    let image = image_of("TRN1", 2000);
    let d = descriptor(&mut h);
    let mode = WriteBufferMode::DownloadMicrocodeOffsetsSave;
    let first = WriteBuffer::new_checked(mode, 0, 0, 0, image[..1024].to_vec(), &d).unwrap();
    h.good(&first);
    let end = WriteBuffer::new_checked(mode, 0, 0, 1024, Vec::new(), &d).unwrap();
    let sense = h.check(&end);
    assert_rejected(&mut h, &sense);
}

#[test]
fn offsets_must_obey_the_boundary_and_follow_in_order() {
    let mut h = small();
    let image = image_of("ORD1", 3000);
    let mode = WriteBufferMode::DownloadMicrocodeOffsetsSave;
    let piece = |offset: usize, len: usize| {
        WriteBuffer::new(
            mode,
            0,
            0,
            offset as u32,
            image[offset..offset + len].to_vec(),
        )
        .unwrap()
    };
    h.good(&piece(0, 1024));
    // Not on the 512-byte boundary.
    assert_field(&h.check(&piece(1000, 24)), 0x24, true, 3, 7);
    // On the boundary, but not where the previous piece ended.
    assert_field(&h.check(&piece(2048, 512)), 0x24, true, 3, 7);
    // The download is intact and goes on.
    let s = status(&mut h);
    assert_eq!(s.download_microcode_status.code, 0x21);
    assert_eq!(s.download_microcode_expected_buffer_offset, Some(1024));
    // Another mode cannot continue it.
    let other =
        WriteBuffer::download_microcode_offsets_save_defer(0, 1024, image[1024..1536].to_vec())
            .unwrap();
    assert_field(&h.check(&other), 0x24, true, 1, 4);
    h.good(&piece(1024, 1024));
    h.good(&piece(2048, image.len() - 2048));
    assert_microcode_changed(&mut h);
    assert_eq!(revision(&mut h), "ORD1");
}

#[test]
fn transfers_beyond_the_capacity_are_rejected() {
    let mut h = small();
    let big = image_of("BIG1", 9000);
    let sense = h.check(&WriteBuffer::download_microcode_save(0, big.clone()).unwrap());
    assert_field(&sense, 0x24, true, 6, 7);
    let past = WriteBuffer::download_microcode_offsets_save(0, 8192 + 512, vec![0; 512]).unwrap();
    assert_field(&h.check(&past), 0x24, true, 3, 7);
    // A header that declares more than the capacity can never complete.
    let head = WriteBuffer::download_microcode_offsets_save(0, 0, big[..512].to_vec()).unwrap();
    let sense = h.check(&head);
    assert_rejected(&mut h, &sense);
    let read = ReadBuffer::data(0, 8192 + 512, 16).unwrap();
    assert_field(&h.check(&read), 0x24, true, 3, 7);
    assert_eq!(status(&mut h).download_microcode_maximum_size, Some(8192));
}

#[test]
fn read_buffer_data_mode_reads_the_buffer_within_its_capacity() {
    let mut h = small();
    let image = image_of("RB01", 1500);
    let piece = image[..1024].to_vec();
    h.good(&WriteBuffer::download_microcode_offsets_save(0, 0, piece.clone()).unwrap());
    let ReadBufferData::Bytes { data } = h.good(&ReadBuffer::data(0, 512, 512).unwrap()) else {
        panic!("data mode")
    };
    assert_eq!(data, piece[512..]);
    // Never written: zeros; nothing past the capacity.
    let ReadBufferData::Bytes { data } = h.good(&ReadBuffer::data(0, 7680, 4096).unwrap()) else {
        panic!("data mode")
    };
    assert_eq!(data, vec![0; 512]);
    assert_field(
        &h.check(&ReadBuffer::data(0, 100, 16).unwrap()),
        0x24,
        true,
        3,
        7,
    );
}

#[test]
fn unsupported_modes_and_buffer_ids_are_invalid_fields() {
    let mut h = Harness::ready();
    // WRITE BUFFER mode 02h (data) and READ BUFFER mode 1Ch (error history): MODE.
    assert_field(
        &h.check(&WriteBuffer::data(0, 0, vec![0; 16]).unwrap()),
        0x24,
        true,
        1,
        4,
    );
    let history = ReadBuffer::new(ReadBufferMode::ErrorHistory, 0, 0, 0, 64).unwrap();
    assert_field(&h.check(&history), 0x24, true, 1, 4);
    // Only BUFFER ID 00h exists.
    let other_id = WriteBuffer::download_microcode_save(1, image_of("ID01", 10)).unwrap();
    assert_field(&h.check(&other_id), 0x24, true, 2, 7);
    assert_field(&h.check(&ReadBuffer::descriptor(3)), 0x24, true, 2, 7);
    // Mode 05h carries the whole image from offset 0.
    let offset = WriteBuffer::new(
        WriteBufferMode::DownloadMicrocodeSave,
        0,
        0,
        512,
        image_of("OF01", 10),
    )
    .unwrap();
    assert_field(&h.check(&offset), 0x24, true, 3, 7);
    assert_eq!(revision(&mut h), "0001");
}

#[test]
fn short_data_out_is_a_data_phase_error() {
    let mut h = Harness::ready();
    let image = image_of("SH01", 100);
    let cmd = WriteBuffer::download_microcode_save(0, image.clone()).unwrap();
    let cdb = cdb::command::ScsiCommand::cdb(&cmd);
    let c = h.target.execute(0, cdb.as_bytes(), &image[..50], &mut []);
    let sense = cdb::sense::decode(&c.sense).unwrap();
    assert_sense(&sense, key::ABORTED_COMMAND, 0x4b, 0x00);
    assert_eq!(revision(&mut h), "0001");
}

#[test]
fn activation_at_hard_reset_leaves_deferred_modes_as_they_are() {
    let config = MicrocodeConfig {
        activation: Activation::AtHardReset,
        ..MicrocodeConfig::default()
    };
    // Mode 0Eh: still deferred microcode that mode 0Fh activates (status 33h first).
    let mut h = with_config(config);
    let mode = WriteBufferMode::DownloadMicrocodeOffsetsSaveDefer;
    download(&mut h, mode, &image_of("0E0E", 2000), 1024);
    assert_eq!(status(&mut h).download_microcode_status.code, 0x33);
    h.good(&WriteBuffer::activate_deferred_microcode());
    assert_microcode_changed(&mut h);
    assert_eq!(revision(&mut h), "0E0E");
    // Mode 0Dh with no event selected: a hard reset does not activate it.
    let mut h = with_config(config);
    let mode = WriteBufferMode::DownloadMicrocodeOffsetsSelectEventsSaveDefer;
    download(&mut h, mode, &image_of("0D0D", 2000), 1024);
    h.target.reset().unwrap();
    assert_sense(&h.check(&TestUnitReady), key::UNIT_ATTENTION, 0x29, 0x00);
    assert_eq!(revision(&mut h), "0001");
    assert_eq!(status(&mut h).download_microcode_status.code, 0x34);
}

#[test]
fn only_a_truncated_download_bricks_a_unit_configured_to() {
    let config = MicrocodeConfig {
        brick_on_truncated: true,
        ..MicrocodeConfig::default()
    };
    let mut h = with_config(config);
    let image = image_of("0BAD", 2000);
    let first = |h: &mut Harness| {
        h.good(
            &WriteBuffer::download_microcode_offsets_save(0, 0, image[..1024].to_vec()).unwrap(),
        );
    };
    // A piece of length 0 at offset 0 abandons the download: no harm done.
    first(&mut h);
    h.good(&WriteBuffer::download_microcode_offsets_save(0, 0, Vec::new()).unwrap());
    h.good(&TestUnitReady);
    // A damaged but complete image is rejected without bricking.
    let mut bad = image.clone();
    bad[100] ^= 1;
    let sense = h.check(&WriteBuffer::download_microcode_save(0, bad).unwrap());
    assert_rejected(&mut h, &sense);
    // Ending early at the expected offset bricks it, across a hard reset too.
    first(&mut h);
    let end = WriteBuffer::download_microcode_offsets_save(0, 1024, Vec::new()).unwrap();
    assert_sense(&h.check(&end), key::ILLEGAL_REQUEST, 0x26, 0x00);
    assert_sense(&h.check(&TestUnitReady), key::NOT_READY, 0x04, 0x1f);
    h.target.reset().unwrap();
    assert_sense(&h.check(&TestUnitReady), key::UNIT_ATTENTION, 0x29, 0x00);
    assert_sense(&h.check(&TestUnitReady), key::NOT_READY, 0x04, 0x1f);
    // Deferred microcode repairs it once activated, not before.
    let mode = WriteBufferMode::DownloadMicrocodeOffsetsSaveDefer;
    download(&mut h, mode, &image_of("0FIX", 2000), 1024);
    assert_sense(&h.check(&TestUnitReady), key::NOT_READY, 0x04, 0x1f);
    h.good(&WriteBuffer::activate_deferred_microcode());
    assert_microcode_changed(&mut h);
    assert_eq!(revision(&mut h), "0FIX");
}

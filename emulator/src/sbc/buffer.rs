//! READ BUFFER (10) (SPC-5 6.16) modes 02h, 03h and 0Fh, and WRITE BUFFER (SPC-5 6.49)
//! modes 05h, 07h, 0Dh, 0Eh and 0Fh: microcode download over the buffer and rules of
//! [`super::microcode`]. Other modes are INVALID FIELD IN CDB at MODE.
//!
//! Activation (SPC-5 6.49, 7.7.7 ACTIVATE MICROCODE 01b): the new microcode is active
//! before the WRITE BUFFER that completes it returns GOOD; INQUIRY then reports the
//! image's PRODUCT REVISION LEVEL, and a unit attention MICROCODE HAS BEEN CHANGED
//! (3Fh/01h) is established. SPC-5 establishes it for every I_T nexus other than the one
//! the WRITE BUFFER came through; the emulated target cannot tell nexuses apart (every
//! transport shares one), so it establishes it for that one too, and the host's next
//! command reports it.
//!
//! A disk configured with [`super::Activation::AtHardReset`] (ACTIVATE MICROCODE 10b)
//! instead saves what modes 05h and 07h download and activates it at the next power on or
//! hard reset, whose UNIT ATTENTION 29h/00h then stands for the change.

use super::commands::Request;
use super::completion::transfer;
use super::disk::Disk;
use super::microcode::{AfterDownload, Outcome};
use super::sense::{self, Condition};
use cdb::command::CdbLayout;
use cdb::scsi::spc::buffer::{ReadBuffer, ReadBufferMode, WriteBufferCdb, WriteBufferMode};

/// INVALID FIELD IN CDB at MODE (byte 1 bits 4–0).
fn invalid_mode() -> Condition {
    Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 1, 4)
}

/// INVALID FIELD IN CDB at MODE SPECIFIC (byte 1 bits 7–5): reserved in the modes the disk
/// supports, and no activation event of mode 0Dh is supported (POA_SUP, HRA_SUP and
/// VSA_SUP are zero in the Extended INQUIRY Data VPD page, SPC-5 7.7.7).
fn check_mode_specific(mode_specific: u8) -> Result<(), Condition> {
    if mode_specific != 0 {
        return Err(Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 1, 7));
    }
    Ok(())
}

/// Only BUFFER ID 00h exists; anything else is INVALID FIELD IN CDB at BUFFER ID.
fn check_buffer_id(buffer_id: u8) -> Result<(), Condition> {
    if buffer_id != 0 {
        return Err(Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 2, 7));
    }
    Ok(())
}

/// READ BUFFER (10) (SPC-5 6.16): mode 02h returns the buffer's bytes, mode 03h its
/// descriptor (OFFSET BOUNDARY, BUFFER CAPACITY), mode 0Fh the microcode status.
pub(crate) fn read_buffer(
    disk: &mut Disk,
    request: &Request<'_>,
    data_in: &mut [u8],
) -> Result<usize, Condition> {
    let cdb = ReadBuffer::parse_cdb(request.cdb).map_err(|_| invalid_mode())?;
    let mode_specific = request.cdb.get(1).map_or(0, |b| b >> 5);
    check_mode_specific(mode_specific)?;
    let microcode = disk.microcode();
    let allocation_length = cdb.allocation_length() as usize;
    let data = match cdb.mode() {
        ReadBufferMode::Data => {
            check_buffer_id(cdb.buffer_id())?;
            let wanted = allocation_length.min(data_in.len());
            microcode.read(cdb.buffer_offset(), wanted)?
        }
        ReadBufferMode::Descriptor => {
            check_buffer_id(cdb.buffer_id())?;
            let d = microcode.descriptor();
            let mut data = d.buffer_capacity.to_be_bytes();
            data[0] = d.offset_boundary.code();
            data.to_vec()
        }
        ReadBufferMode::MicrocodeStatus => microcode.status().to_vec(),
        _ => return Err(invalid_mode()),
    };
    Ok(transfer(data_in, &data, allocation_length))
}

/// WRITE BUFFER (SPC-5 6.49) microcode modes: 05h (whole image, save, activate), 07h
/// (with offsets, save, activate), 0Dh and 0Eh (with offsets, save, defer) and 0Fh
/// (activate deferred microcode). Fewer data-out bytes than PARAMETER LIST LENGTH is a
/// DATA PHASE ERROR.
pub(crate) fn write_buffer(
    disk: &mut Disk,
    request: &Request<'_>,
    _data_in: &mut [u8],
) -> Result<usize, Condition> {
    let cdb = WriteBufferCdb::parse_cdb(request.cdb).map_err(|_| invalid_mode())?;
    check_mode_specific(cdb.mode_specific())?;
    let deferral = |on_reset| AfterDownload::Defer { on_reset };
    let completion = match cdb.mode() {
        WriteBufferMode::ActivateDeferredMicrocode => {
            let outcome = disk.microcode_mut().activate_deferred()?;
            apply(disk, outcome);
            return Ok(0);
        }
        WriteBufferMode::DownloadMicrocodeSave => None,
        WriteBufferMode::DownloadMicrocodeOffsetsSave => Some(AfterDownload::Activate),
        WriteBufferMode::DownloadMicrocodeOffsetsSelectEventsSaveDefer => Some(deferral(false)),
        WriteBufferMode::DownloadMicrocodeOffsetsSaveDefer => Some(deferral(true)),
        _ => return Err(invalid_mode()),
    };
    check_buffer_id(cdb.buffer_id())?;
    let length = cdb.parameter_list_length() as usize;
    let data = request
        .data_out
        .get(..length)
        .ok_or(sense::DATA_PHASE_ERROR)?;
    let microcode = disk.microcode_mut();
    let outcome = match completion {
        None => microcode.download_whole(cdb.buffer_offset(), data)?,
        Some(completion) => microcode.download_piece(completion, cdb.buffer_offset(), data)?,
    };
    apply(disk, outcome);
    Ok(0)
}

/// Puts activated microcode into effect: the new revision, and UNIT ATTENTION 3Fh/01h.
fn apply(disk: &mut Disk, outcome: Outcome) {
    if let Outcome::Activated(revision) = outcome {
        disk.set_revision(revision);
        disk.raise_unit_attention(sense::MICROCODE_CHANGED);
    }
}

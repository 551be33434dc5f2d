//! INQUIRY (SPC-5 6.7): standard INQUIRY data (SPC-5 6.7.2) and, with EVPD = 1, the VPD
//! pages of [`super::vpd`].

use super::commands::Request;
use super::completion::transfer;
use super::disk::{Disk, Identity};
use super::sense::{self, Condition};
use super::vpd;
use cdb::scsi::spc::inquiry::STANDARD_INQUIRY_LEN;

/// VERSION 07h: the logical unit claims SPC-5 (SPC-5 6.7.2).
const VERSION_SPC5: u8 = 0x07;
/// HISUP (bit 4) and RESPONSE DATA FORMAT 2 (SPC-5 6.7.2, byte 3).
const HISUP_RDF2: u8 = 0x12;
/// CMDQUE (byte 7 bit 1): the command management model is supported (SPC-5 6.7.2).
const CMDQUE: u8 = 0x02;
/// PERIPHERAL QUALIFIER 011b, PERIPHERAL DEVICE TYPE 1Fh: no logical unit at this LUN
/// (SPC-5 6.7.2).
const NO_LOGICAL_UNIT: u8 = 0x7f;
/// VERSION DESCRIPTORs (SPC-5 6.7.2, table 150): SAM-5, SPC-5 and SBC-4, no version
/// claimed.
const VERSION_DESCRIPTORS: [u16; 3] = [0x00a0, 0x05c0, 0x0600];

/// The INQUIRY CDB fields (SPC-5 6.7.1). Read by hand: the typed `Inquiry` refuses an
/// ALLOCATION LENGTH below 5, which SPC-5 4.2.5.6 allows (zero transfers nothing).
pub(crate) struct InquiryCdb {
    /// EVPD: return the VPD page PAGE CODE names.
    pub evpd: bool,
    /// PAGE CODE.
    pub page_code: u8,
    /// ALLOCATION LENGTH.
    pub allocation_length: usize,
}

/// Reads the CDB; CMDDT = 1 (obsolete) and a PAGE CODE without EVPD are INVALID FIELD IN
/// CDB (SPC-5 6.7.1).
pub(crate) fn parse(cdb: &[u8]) -> Result<InquiryCdb, Condition> {
    let byte = |i: usize| cdb.get(i).copied().unwrap_or(0);
    if byte(1) & 0x02 != 0 {
        return Err(Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 1, 1));
    }
    let evpd = byte(1) & 0x01 != 0;
    let page_code = byte(2);
    if !evpd && page_code != 0 {
        return Err(Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 2, 7));
    }
    Ok(InquiryCdb {
        evpd,
        page_code,
        allocation_length: usize::from(u16::from_be_bytes([byte(3), byte(4)])),
    })
}

/// INQUIRY (SPC-5 6.7): standard data, or the VPD page asked for (an unsupported page is
/// INVALID FIELD IN CDB).
pub(crate) fn inquiry(
    disk: &mut Disk,
    request: &Request<'_>,
    data_in: &mut [u8],
) -> Result<usize, Condition> {
    let cdb = parse(request.cdb)?;
    let data = if cdb.evpd {
        vpd::page(disk, cdb.page_code)
            .ok_or_else(|| Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 2, 7))?
    } else {
        standard_data(0x00, disk.identity())
    };
    Ok(transfer(data_in, &data, cdb.allocation_length))
}

/// INQUIRY to a LUN without a logical unit (SPC-5 6.7.2): standard data with PERIPHERAL
/// QUALIFIER 011b and PERIPHERAL DEVICE TYPE 1Fh; VPD pages are LOGICAL UNIT NOT SUPPORTED.
pub(crate) fn absent_unit(request: &Request<'_>, data_in: &mut [u8]) -> Result<usize, Condition> {
    let cdb = parse(request.cdb)?;
    if cdb.evpd {
        return Err(sense::LOGICAL_UNIT_NOT_SUPPORTED.into());
    }
    let blank = Identity {
        vendor: String::new(),
        product: String::new(),
        revision: String::new(),
        serial: String::new(),
    };
    let data = standard_data(NO_LOGICAL_UNIT, &blank);
    Ok(transfer(data_in, &data, cdb.allocation_length))
}

/// Standard INQUIRY data, bytes 0–95 (SPC-5 6.7.2) with byte 0 `peripheral`.
fn standard_data(peripheral: u8, identity: &Identity) -> Vec<u8> {
    let mut d = vec![0u8; STANDARD_INQUIRY_LEN];
    d[0] = peripheral;
    d[2] = VERSION_SPC5;
    d[3] = HISUP_RDF2;
    d[4] = (STANDARD_INQUIRY_LEN - 5) as u8;
    d[7] = CMDQUE;
    ascii_field(&mut d[8..16], &identity.vendor);
    ascii_field(&mut d[16..32], &identity.product);
    ascii_field(&mut d[32..36], &identity.revision);
    for (slot, code) in d[58..].chunks_exact_mut(2).zip(VERSION_DESCRIPTORS) {
        slot.copy_from_slice(&code.to_be_bytes());
    }
    d
}

/// Fills `field` with `text` as left-aligned ASCII padded with spaces (SPC-5 4.3.1),
/// truncated to the field; characters outside printable ASCII become `?`.
pub(crate) fn ascii_field(field: &mut [u8], text: &str) {
    field.fill(b' ');
    for (slot, ch) in field.iter_mut().zip(text.chars()) {
        *slot = ascii_byte(ch);
    }
}

/// `ch` as an ASCII data byte (SPC-5 4.3.1): printable ASCII as is, anything else `?`.
pub(crate) fn ascii_byte(ch: char) -> u8 {
    if ch.is_ascii_graphic() || ch == ' ' {
        ch as u8
    } else {
        b'?'
    }
}

//! INQUIRY (SPC-5 6.7) through a bridge: standard data with the bridge chip's strings, and
//! the VPD pages a bridge builds from the NVMe drive's Identify data (NVM Express SCSI
//! Translation Reference 1.5, INQUIRY): 00h, 80h, 83h and B1h.

use super::{transfer, Bridge, Outcome};
use crate::block::BlockDevice;
use crate::sbc::sense::{self, Condition};
use cdb::scsi::spc::vpd::{
    BLOCK_DEVICE_CHARACTERISTICS, DEVICE_IDENTIFICATION, SUPPORTED_VPD_PAGES, UNIT_SERIAL_NUMBER,
};

/// Standard INQUIRY data length: 36 bytes, ADDITIONAL LENGTH 31 (SPC-5 6.7.2), what
/// bridge chips return.
const STANDARD_LEN: usize = 36;
/// VERSION 06h: SPC-4, as the translation reference specifies.
const VERSION_SPC4: u8 = 0x06;
/// RESPONSE DATA FORMAT 2 (SPC-5 6.7.2, byte 3).
const RDF2: u8 = 0x02;
/// The supported VPD pages, ascending (SPC-5 7.7.17).
const PAGES: [u8; 4] = [
    SUPPORTED_VPD_PAGES,
    UNIT_SERIAL_NUMBER,
    DEVICE_IDENTIFICATION,
    BLOCK_DEVICE_CHARACTERISTICS,
];

/// The INQUIRY CDB (SPC-5 6.7.1): EVPD, PAGE CODE, ALLOCATION LENGTH. CMDDT = 1 and a
/// PAGE CODE without EVPD are INVALID FIELD IN CDB.
fn parse(cdb: &[u8]) -> Result<(bool, u8, usize), Condition> {
    let byte = |i: usize| cdb.get(i).copied().unwrap_or(0);
    if byte(1) & 0x02 != 0 {
        return Err(Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 1, 1));
    }
    let evpd = byte(1) & 0x01 != 0;
    if !evpd && byte(2) != 0 {
        return Err(Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 2, 7));
    }
    let allocation_length = usize::from(u16::from_be_bytes([byte(3), byte(4)]));
    Ok((evpd, byte(2), allocation_length))
}

/// INQUIRY to a LUN without a logical unit: PERIPHERAL QUALIFIER 011b, PERIPHERAL DEVICE
/// TYPE 1Fh (SPC-5 6.7.2); VPD pages are LOGICAL UNIT NOT SUPPORTED.
pub(super) fn absent(cdb: &[u8], data_in: &mut [u8]) -> Outcome {
    let (evpd, _, allocation_length) = parse(cdb)?;
    if evpd {
        return Err(sense::LOGICAL_UNIT_NOT_SUPPORTED.into());
    }
    let data = standard(0x7f, ["", "", ""]);
    Ok(transfer(data_in, &data, allocation_length))
}

/// Standard INQUIRY data with byte 0 `peripheral` and the vendor, product and revision.
fn standard(peripheral: u8, [vendor, product, revision]: [&str; 3]) -> Vec<u8> {
    let mut d = vec![0u8; STANDARD_LEN];
    d[0] = peripheral;
    d[2] = VERSION_SPC4;
    d[3] = RDF2;
    d[4] = (STANDARD_LEN - 5) as u8;
    d[8..16].copy_from_slice(&ascii::<8>(vendor));
    d[16..32].copy_from_slice(&ascii::<16>(product));
    d[32..36].copy_from_slice(&ascii::<4>(revision));
    d
}

/// `ch` as an ASCII data byte (SPC-5 4.3.1): printable ASCII as is, anything else `?`.
fn printable(ch: char) -> u8 {
    if ch.is_ascii_graphic() || ch == ' ' {
        ch as u8
    } else {
        b'?'
    }
}

/// `text` left-aligned in an `N`-byte ASCII field padded with spaces (SPC-5 4.3.1).
fn ascii<const N: usize>(text: &str) -> [u8; N] {
    let mut field = [b' '; N];
    for (slot, ch) in field.iter_mut().zip(text.chars()) {
        *slot = printable(ch);
    }
    field
}

/// `text` trimmed of trailing spaces, as bytes of a variable-length ASCII field.
fn trimmed(text: &str) -> Vec<u8> {
    text.trim_end().chars().map(printable).collect()
}

impl<D: BlockDevice> Bridge<D> {
    /// INQUIRY (SPC-5 6.7): standard data, or a VPD page (an unsupported page is INVALID
    /// FIELD IN CDB).
    pub(super) fn inquiry(&mut self, cdb: &[u8], data_in: &mut [u8]) -> Outcome {
        let (evpd, page_code, allocation_length) = parse(cdb)?;
        let data = if evpd {
            let body = self.vpd(page_code)?;
            // Every body is shorter than 64 KiB.
            let mut page = vec![0x00, page_code];
            page.extend_from_slice(&(body.len() as u16).to_be_bytes());
            page.extend(body);
            page
        } else {
            let model = self.model;
            standard(0x00, [model.vendor(), model.product(), model.revision()])
        };
        Ok(transfer(data_in, &data, allocation_length))
    }

    /// The body of VPD page `page_code` (SPC-5 7.7).
    fn vpd(&mut self, page_code: u8) -> Result<Vec<u8>, Condition> {
        match page_code {
            SUPPORTED_VPD_PAGES => Ok(PAGES.to_vec()),
            UNIT_SERIAL_NUMBER => Ok(trimmed(&self.identify_controller()?.sn)),
            DEVICE_IDENTIFICATION => self.device_identification(),
            BLOCK_DEVICE_CHARACTERISTICS => Ok(block_device_characteristics()),
            _ => Err(Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, 2, 7)),
        }
    }

    /// Device Identification (SPC-5 7.7.6): an EUI-64 designator (SPC-5 7.7.6.5) from the
    /// namespace's NGUID (16 bytes) or else its EUI64 (8 bytes) when either is non-zero,
    /// and a T10 vendor ID designator (SPC-5 7.7.6.4): the bridge's T10 vendor
    /// identification, then the drive's model number and serial number.
    fn device_identification(&mut self) -> Result<Vec<u8>, Condition> {
        let ns = self.identify_namespace()?;
        let ctrl = self.identify_controller()?;
        let mut out = Vec::new();
        let eui: &[u8] = if ns.nguid != [0; 16] {
            &ns.nguid
        } else if ns.eui64 != [0; 8] {
            &ns.eui64
        } else {
            &[]
        };
        if !eui.is_empty() {
            // Code set 1 (binary), association 0 (logical unit), type 2 (EUI-64).
            out.extend_from_slice(&[0x01, 0x02, 0x00, eui.len() as u8]);
            out.extend_from_slice(eui);
        }
        let mut t10 = ascii::<8>(self.model.vendor()).to_vec();
        t10.extend(trimmed(&ctrl.mn));
        t10.push(b' ');
        t10.extend(trimmed(&ctrl.sn));
        t10.truncate(0xff);
        // Code set 2 (ASCII), association 0, type 1 (T10 vendor ID).
        out.extend_from_slice(&[0x02, 0x01, 0x00, t10.len() as u8]);
        out.extend(t10);
        Ok(out)
    }
}

/// Block Device Characteristics (SBC-4 6.6.2): MEDIUM ROTATION RATE 0001h, a
/// non-rotating medium, as the translation reference sets it for every NVMe namespace.
fn block_device_characteristics() -> Vec<u8> {
    let mut body = vec![0; 0x3c];
    body[0..2].copy_from_slice(&1u16.to_be_bytes());
    body
}

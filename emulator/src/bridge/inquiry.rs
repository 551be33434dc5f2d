//! INQUIRY (SPC-5 6.7) through a bridge: standard data with the bridge chip's strings, and
//! the VPD pages a bridge builds from the NVMe drive's Identify data (NVM Express SCSI
//! Translation Reference 1.5, INQUIRY): 00h, 80h, 83h and B1h.

use super::{transfer, Bridge, Outcome};
use crate::block::BlockDevice;
use crate::sbc::inquiry::{ascii_byte, ascii_field, parse, InquiryCdb};
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

/// INQUIRY to a LUN without a logical unit: PERIPHERAL QUALIFIER 011b, PERIPHERAL DEVICE
/// TYPE 1Fh (SPC-5 6.7.2); VPD pages are LOGICAL UNIT NOT SUPPORTED.
pub(super) fn absent(cdb: &[u8], data_in: &mut [u8]) -> Outcome {
    let parsed = parse(cdb)?;
    if parsed.evpd {
        return Err(sense::LOGICAL_UNIT_NOT_SUPPORTED.into());
    }
    let data = standard(0x7f, ["", "", ""]);
    Ok(transfer(data_in, &data, parsed.allocation_length))
}

/// Standard INQUIRY data with byte 0 `peripheral` and the vendor, product and revision.
fn standard(peripheral: u8, [vendor, product, revision]: [&str; 3]) -> Vec<u8> {
    let mut d = vec![0u8; STANDARD_LEN];
    d[0] = peripheral;
    d[2] = VERSION_SPC4;
    d[3] = RDF2;
    d[4] = (STANDARD_LEN - 5) as u8;
    ascii_field(&mut d[8..16], vendor);
    ascii_field(&mut d[16..32], product);
    ascii_field(&mut d[32..36], revision);
    d
}

/// `text` trimmed of trailing spaces, as bytes of a variable-length ASCII field.
fn trimmed(text: &str) -> Vec<u8> {
    text.trim_end().chars().map(ascii_byte).collect()
}

impl<D: BlockDevice> Bridge<D> {
    /// INQUIRY (SPC-5 6.7): standard data, or a VPD page (an unsupported page is INVALID
    /// FIELD IN CDB).
    pub(super) fn inquiry(&mut self, cdb: &[u8], data_in: &mut [u8]) -> Outcome {
        let InquiryCdb {
            evpd,
            page_code,
            allocation_length,
        } = parse(cdb)?;
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
        let mut t10 = vec![0; 8];
        ascii_field(&mut t10, self.model.vendor());
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

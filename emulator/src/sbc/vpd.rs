//! The vital product data pages the logical unit returns (SPC-5 7.7, SBC-4 6.6): 00h, 80h,
//! 83h, 86h, B0h, B1h and B2h.

use super::disk::{Disk, Identity};
use super::inquiry::ascii_field;
use super::media::max_transfer_blocks;
use super::microcode::Activation;
use super::sense::FIXED_LEN;
use cdb::scsi::spc::vpd::{
    BLOCK_DEVICE_CHARACTERISTICS, BLOCK_LIMITS, DEVICE_IDENTIFICATION, EXTENDED_INQUIRY_DATA,
    LOGICAL_BLOCK_PROVISIONING, SUPPORTED_VPD_PAGES, UNIT_SERIAL_NUMBER,
};

/// The supported pages, in ascending order (SPC-5 7.7.17).
const PAGES: [u8; 7] = [
    SUPPORTED_VPD_PAGES,
    UNIT_SERIAL_NUMBER,
    DEVICE_IDENTIFICATION,
    EXTENDED_INQUIRY_DATA,
    BLOCK_LIMITS,
    BLOCK_DEVICE_CHARACTERISTICS,
    LOGICAL_BLOCK_PROVISIONING,
];

/// PAGE LENGTH of pages 86h, B0h and B1h: 3Ch (SPC-5 7.7.7, SBC-4 6.6.4, 6.6.2).
const LONG_PAGE: usize = 0x3c;

/// The IEEE company ID of the NAA designator: AC-DE-48, the example OUI of the IEEE
/// registration authority's tutorials, used because the emulator owns none.
const IEEE_COMPANY_ID: u64 = 0xac_de48;

/// Page `page_code` with its header (SPC-5 7.7.1), or `None` for an unsupported page.
pub(crate) fn page(disk: &Disk, page_code: u8) -> Option<Vec<u8>> {
    let identity = disk.identity();
    let body = match page_code {
        SUPPORTED_VPD_PAGES => PAGES.to_vec(),
        UNIT_SERIAL_NUMBER => ascii(&identity.serial, 0xfc),
        DEVICE_IDENTIFICATION => device_identification(identity),
        EXTENDED_INQUIRY_DATA => extended_inquiry(disk.microcode().activation()),
        BLOCK_LIMITS => block_limits(disk.device().block_size()),
        BLOCK_DEVICE_CHARACTERISTICS => block_device_characteristics(),
        LOGICAL_BLOCK_PROVISIONING => logical_block_provisioning(),
        _ => return None,
    };
    // Every body above is shorter than 64 KiB.
    let length = body.len() as u16;
    let mut page = vec![0x00, page_code];
    page.extend_from_slice(&length.to_be_bytes());
    page.extend_from_slice(&body);
    Some(page)
}

/// `text` as space-padded ASCII of its own length, at most `max` bytes.
fn ascii(text: &str, max: usize) -> Vec<u8> {
    let mut field = vec![0; text.chars().count().min(max)];
    ascii_field(&mut field, text);
    field
}

/// Device Identification (SPC-5 7.7.6): an NAA IEEE Registered Extended designator
/// (NAA 6, SPC-5 7.7.6.6.5) and a T10 vendor ID designator (SPC-5 7.7.6.4), both
/// associated with the logical unit and derived from the identity.
fn device_identification(identity: &Identity) -> Vec<u8> {
    let seed = format!(
        "{}/{}/{}",
        identity.vendor, identity.product, identity.serial
    );
    let vendor_specific = fnv1a(0xcbf2_9ce4_8422_2325, seed.as_bytes()) & 0xf_ffff_ffff;
    let extension = fnv1a(0x6c62_272e_07bb_0142, seed.as_bytes());
    let naa = (6u64 << 60) | (IEEE_COMPANY_ID << 36) | vendor_specific;
    let mut out = vec![0x01, 0x03, 0x00, 16];
    out.extend_from_slice(&naa.to_be_bytes());
    out.extend_from_slice(&extension.to_be_bytes());
    let mut t10 = vec![b' '; 24];
    ascii_field(&mut t10[..8], &identity.vendor);
    ascii_field(&mut t10[8..], &identity.product);
    t10.extend(ascii(&identity.serial, 0xff - t10.len()));
    out.extend_from_slice(&[0x02, 0x01, 0x00, t10.len() as u8]);
    out.extend(t10);
    out
}

/// FNV-1a over `bytes` from `basis`: a stable hash for identifiers.
fn fnv1a(basis: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(basis, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// MULTI I_T NEXUS MICROCODE DOWNLOAD 1h (SPC-5 7.7.7): one download sequence at a time,
/// a piece at BUFFER OFFSET 0 starts it over (see [`super::microcode`]).
const ONE_SEQUENCE: u8 = 0x01;
/// DMS_VALID (byte 12 bit 4): the DM_MD bits are valid (SPC-5 7.7.7).
const DMS_VALID: u8 = 0x10;
/// DM_MD_5, DM_MD_7, DM_MD_D, DM_MD_E and DM_MD_F (byte 19): the WRITE BUFFER download
/// microcode modes the disk supports (SPC-5 7.7.7, 6.49).
const DOWNLOAD_MODES: u8 = 0x40 | 0x10 | 0x08 | 0x04 | 0x02;

/// Extended INQUIRY Data (SPC-5 7.7.7): ACTIVATE MICROCODE as configured (01b before the
/// final WRITE BUFFER completes, see [`super::buffer`], or 10b at a hard reset), SIMPSUP (simple task
/// attribute), V_SUP (volatile cache), LUICLR, MULTI I_T NEXUS MICROCODE DOWNLOAD 1h,
/// no activation event for mode 0Dh (POA_SUP, HRA_SUP, VSA_SUP zero), the longest sense
/// data, and the download microcode modes supported.
fn extended_inquiry(activation: Activation) -> Vec<u8> {
    // Body byte i is page byte i + 4.
    let mut body = vec![0; LONG_PAGE];
    body[0] = activation.code() << 6;
    body[1] = 0x01;
    body[2] = 0x01;
    body[3] = 0x01;
    body[5] = ONE_SEQUENCE;
    body[8] = DMS_VALID;
    body[9] = FIXED_LEN as u8;
    body[15] = DOWNLOAD_MODES;
    body
}

/// Block Limits (SBC-4 6.6.4): OPTIMAL TRANSFER LENGTH GRANULARITY 1 and the MAXIMUM
/// TRANSFER LENGTH READ and WRITE enforce; no UNMAP, WRITE SAME or atomic writes.
fn block_limits(block_size: u32) -> Vec<u8> {
    let mut body = vec![0; LONG_PAGE];
    body[2..4].copy_from_slice(&1u16.to_be_bytes());
    body[4..8].copy_from_slice(&max_transfer_blocks(block_size).to_be_bytes());
    body
}

/// Block Device Characteristics (SBC-4 6.6.2): MEDIUM ROTATION RATE 0001h (non-rotating
/// medium) and FUAB (FUA and SYNCHRONIZE CACHE behave as SBC-4 4.15 says).
fn block_device_characteristics() -> Vec<u8> {
    let mut body = vec![0; LONG_PAGE];
    body[0..2].copy_from_slice(&1u16.to_be_bytes());
    body[4] = 0x02;
    body
}

/// Logical Block Provisioning (SBC-4 6.6.6): PROVISIONING TYPE 000b (fully provisioned),
/// no UNMAP or WRITE SAME unmapping, no threshold.
fn logical_block_provisioning() -> Vec<u8> {
    vec![0; 4]
}

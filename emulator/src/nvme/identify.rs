//! Identify (NVMe Base 2.0 5.17): CNS 00h Identify Namespace (NVM Command Set 1.0
//! 4.1.5.1), CNS 01h Identify Controller (Base 2.0 5.17.2.1), CNS 02h Active Namespace ID
//! list (Base 2.0 5.17.2.2).

use super::health::{CCTEMP, ERROR_LOG_ENTRIES, WCTEMP};
use super::reply::{Done, Outcome, Reject};
use super::{copy_in, Controller, NSID};
use crate::block::BlockDevice;
use cdb::nvme::identify::{IdentifyActiveNamespaces, IDENTIFY_LEN};
use cdb::nvme::{SqeLayout, SubmissionEntry};

/// Version (VER) 2.0.0 (Base 2.0 3.1.3.2).
const VERSION_2_0: u32 = 0x0002_0000;

/// OACS bit 2: Firmware Commit and Firmware Image Download supported.
const OACS_FIRMWARE: u16 = 1 << 2;

/// LPA: bit 0 SMART per namespace, bit 2 extended data (NUMDU, LPO) for Get Log Page.
const LPA: u8 = 0b101;

/// ONCS bit 4: Save field in Set Features and Select field in Get Features supported.
const ONCS_SAVE_SELECT: u16 = 1 << 4;

/// VWC: bit 0 present, bits 2:1 = 11b Flush with NSID FFFFFFFFh supported.
const VWC: u8 = 0b111;

/// Maximum Power of power state 0, centiwatts (PSD0 MP, Base 2.0 5.17.2.1).
const PSD0_MAX_POWER: u16 = 2500;

/// Maximum Time for Firmware Activation (MTFA), 100 ms units.
const MTFA: u16 = 10;

/// Writes `text` into `buf[off..off + len]`, space padded (ASCII fields, Base 2.0 1.5).
fn put_ascii(buf: &mut [u8], off: usize, len: usize, text: &[u8]) {
    let field = &mut buf[off..off + len];
    field.fill(b' ');
    let n = text.len().min(len);
    field[..n].copy_from_slice(&text[..n]);
}

/// Writes little-endian `bytes` at `off`.
fn put(buf: &mut [u8], off: usize, bytes: &[u8]) {
    buf[off..off + bytes.len()].copy_from_slice(bytes);
}

impl<D: BlockDevice> Controller<D> {
    /// Identify: dispatches on CNS (CDW10 bits 7:0).
    pub(super) fn identify(&mut self, sqe: &SubmissionEntry, data_in: &mut [u8]) -> Outcome {
        let nsid = sqe.nsid.get();
        let data = match sqe.cdw10.get() as u8 {
            0x00 if nsid == NSID => self.namespace_data(),
            0x00 => return Err(Reject::invalid_namespace()),
            0x01 => self.controller_data(),
            0x02 => {
                let list = IdentifyActiveNamespaces::parse_sqe(sqe)
                    .map_err(|_| Reject::invalid_namespace())?;
                active_namespaces(list.nsid())
            }
            _ => return Err(Reject::invalid_field()),
        };
        copy_in(&data, data_in);
        Ok(Done::ok())
    }

    /// The Identify Controller data structure (Base 2.0 5.17.2.1).
    fn controller_data(&self) -> Vec<u8> {
        let c = &self.config;
        let fw = &c.firmware;
        let mut d = vec![0; IDENTIFY_LEN as usize];
        put(&mut d, 0, &c.vid.to_le_bytes());
        put(&mut d, 2, &c.ssvid.to_le_bytes());
        put_ascii(&mut d, 4, 20, c.serial.as_bytes());
        put_ascii(&mut d, 24, 40, c.model.as_bytes());
        put(&mut d, 64, &self.firmware.running());
        d[77] = c.mdts;
        put(&mut d, 80, &VERSION_2_0.to_le_bytes());
        d[111] = 1; // CNTRLTYPE: I/O controller.
        put(&mut d, 256, &OACS_FIRMWARE.to_le_bytes());
        d[258] = 3; // ACL, 0's based.
        d[259] = 3; // AERL, 0's based.
        d[260] = u8::from(fw.slot1_read_only)
            | (self.firmware.slot_count() << 1)
            | (u8::from(fw.activation_without_reset) << 4);
        d[261] = LPA;
        d[262] = (ERROR_LOG_ENTRIES - 1) as u8;
        put(&mut d, 266, &WCTEMP.to_le_bytes());
        put(&mut d, 268, &CCTEMP.to_le_bytes());
        put(&mut d, 270, &MTFA.to_le_bytes());
        let capacity = u128::from(self.device.block_count()) * u128::from(self.block_size());
        put(&mut d, 280, &capacity.to_le_bytes());
        d[319] = fw.fwug;
        d[512] = 0x66; // SQES: 64-byte entries.
        d[513] = 0x44; // CQES: 16-byte entries.
        put(&mut d, 516, &1u32.to_le_bytes()); // NN
        put(&mut d, 520, &ONCS_SAVE_SELECT.to_le_bytes());
        d[525] = VWC;
        let nqn = format!(
            "nqn.2014-08.org.nvmexpress:{:04x}{:04x}{:<20}{:<40}",
            c.vid, c.ssvid, c.serial, c.model
        );
        put_ascii(&mut d, 768, 256, nqn.as_bytes());
        put(&mut d, 2048, &PSD0_MAX_POWER.to_le_bytes());
        d
    }

    /// The Identify Namespace data structure, NVM Command Set (NVM Command Set 1.0
    /// 4.1.5.1): one LBA format, the device's block size, in use.
    fn namespace_data(&self) -> Vec<u8> {
        let blocks = self.device.block_count();
        let mut d = vec![0; IDENTIFY_LEN as usize];
        for off in [0, 8, 16] {
            put(&mut d, off, &blocks.to_le_bytes()); // NSZE, NCAP, NUSE
        }
        let bytes = u128::from(blocks) * u128::from(self.block_size());
        put(&mut d, 48, &bytes.to_le_bytes()); // NVMCAP
        d[128 + 2] = self.block_size().trailing_zeros() as u8; // LBAF0 LBADS
        d
    }
}

/// The Active Namespace ID list: active NSIDs above `after` (Base 2.0 5.17.2.2).
fn active_namespaces(after: u32) -> Vec<u8> {
    let mut d = vec![0; IDENTIFY_LEN as usize];
    if after < NSID {
        put(&mut d, 0, &NSID.to_le_bytes());
    }
    d
}

//! The Bulk-Only device driven as a host would: CBW bytes laid out by hand from BOT 5.1
//! around CDBs of the `cdb` crate's typed builders, CSWs decoded by hand from BOT 5.2, and
//! data decoded with the `cdb` crate's decoders.

mod cases;
mod commands;
mod faults;
mod fuzz;

use super::{BotDevice, Endpoint, UsbError, UsbPipe};
use crate::sbc::{Disk, Identity, Target};
use crate::store::{CachedDevice, RamMedium};
use cdb::command::{DataPhase, ScsiCommand};

/// Block size of the test disks.
pub(super) const BLOCK: u32 = 512;
/// Blocks of each test disk.
pub(super) const BLOCKS: u64 = 2048;

/// A CBW laid out per BOT 5.1 Table 5.1.
pub(super) fn cbw(tag: u32, length: u32, data_in: bool, lun: u8, cdb: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(31);
    bytes.extend_from_slice(b"USBC");
    bytes.extend_from_slice(&tag.to_le_bytes());
    bytes.extend_from_slice(&length.to_le_bytes());
    bytes.push(if data_in { 0x80 } else { 0x00 });
    bytes.push(lun);
    bytes.push(cdb.len() as u8);
    let mut cb = [0u8; 16];
    cb[..cdb.len()].copy_from_slice(cdb);
    bytes.extend_from_slice(&cb);
    bytes
}

/// A CSW as BOT 5.2 Table 5.2 lays it out.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct RawCsw {
    pub signature: [u8; 4],
    pub tag: u32,
    pub residue: u32,
    pub status: u8,
}

impl RawCsw {
    /// Decodes 13 CSW bytes.
    pub fn decode(bytes: &[u8]) -> Self {
        assert_eq!(bytes.len(), 13, "a CSW is 13 bytes");
        let word = |at: usize| {
            u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        RawCsw {
            signature: [bytes[0], bytes[1], bytes[2], bytes[3]],
            tag: word(4),
            residue: word(8),
            status: bytes[12],
        }
    }

    /// Asserts a valid CSW (BOT 6.3.1: signature "USBS") answering `tag`.
    pub fn assert_answers(&self, tag: u32) {
        assert_eq!(&self.signature, b"USBS");
        assert_eq!(self.tag, tag);
    }
}

/// A host driving the device's pipes.
pub(super) struct Host {
    pub dev: BotDevice<Target>,
    pub tag: u32,
}

/// What one command returned: the data-in bytes and the CSW.
pub(super) struct Answer {
    pub data: Vec<u8>,
    pub csw: RawCsw,
}

impl Answer {
    /// The data the device meant: the transfer less dCSWDataResidue (BOT 5.2), without
    /// the padding BOT 6.7.5 allows.
    pub fn payload(&self) -> &[u8] {
        let len = self.data.len().saturating_sub(self.csw.residue as usize);
        &self.data[..len]
    }
}

impl Host {
    /// A host on a device with `luns` RAM disks whose power-on unit attention is cleared.
    pub fn new(luns: u16) -> Self {
        let units = (0..luns)
            .map(|_| {
                let device = CachedDevice::new(RamMedium::new(BLOCKS * u64::from(BLOCK)), BLOCK)
                    .expect("block size");
                Disk::new(Identity::default(), Box::new(device))
            })
            .collect();
        let mut host = Host {
            dev: BotDevice::new(Target::new(units)),
            tag: 0,
        };
        for lun in 0..luns as u8 {
            let tur = host.send(lun, &cdb::scsi::spc::test_unit_ready::TestUnitReady);
            assert_eq!(tur.csw.status, 0x01, "power-on unit attention");
            host.request_sense(lun);
        }
        host
    }

    /// The next dCBWTag.
    pub fn next_tag(&mut self) -> u32 {
        self.tag = self.tag.wrapping_add(0x0101);
        self.tag
    }

    /// Sends `cmd` to `lun` with the CBW its data phase implies, moves the data and reads
    /// the CSW, expecting no USB error.
    pub fn send<C: ScsiCommand>(&mut self, lun: u8, cmd: &C) -> Answer {
        let cdb = cmd.cdb();
        match cmd.data_phase() {
            DataPhase::None => self.raw(lun, cdb.as_bytes(), 0, true, &[]),
            DataPhase::In(n) => self.raw(lun, cdb.as_bytes(), n, true, &[]),
            DataPhase::Out(data) => self.raw(lun, cdb.as_bytes(), data.len() as u32, false, data),
        }
    }

    /// One command with the host's own expectation: `length` bytes `data_in` or out (the
    /// `data_out` bytes); checks the CSW answers the CBW.
    pub fn raw(
        &mut self,
        lun: u8,
        cdb: &[u8],
        length: u32,
        data_in: bool,
        data_out: &[u8],
    ) -> Answer {
        let tag = self.next_tag();
        self.dev
            .bulk_out(&cbw(tag, length, data_in, lun, cdb))
            .expect("CBW accepted");
        let mut data = Vec::new();
        if length > 0 && data_in {
            data = self.dev.bulk_in(length as usize).expect("data-in");
        } else if length > 0 {
            self.dev.bulk_out(data_out).expect("data-out");
        }
        let csw = RawCsw::decode(&self.dev.bulk_in(13).expect("CSW"));
        csw.assert_answers(tag);
        Answer { data, csw }
    }

    /// REQUEST SENSE on `lun`: the sense data, decoded.
    pub fn request_sense(&mut self, lun: u8) -> cdb::sense::SenseData {
        let answer = self.send(lun, &cdb::scsi::spc::request_sense::RequestSense::default());
        assert_eq!(answer.csw.status, 0x00);
        cdb::sense::decode(answer.payload()).expect("sense data")
    }

    /// Reset Recovery (BOT 5.3.4): Mass Storage Reset, then CLEAR HALT on both pipes.
    pub fn reset_recovery(&mut self) {
        assert_eq!(self.dev.mass_storage_reset(), Ok(Vec::new()));
        assert_eq!(self.dev.clear_halt(Endpoint::BulkIn), Ok(Vec::new()));
        assert_eq!(self.dev.clear_halt(Endpoint::BulkOut), Ok(Vec::new()));
    }

    /// Asserts both bulk pipes answer STALL.
    pub fn assert_stalled(&mut self) {
        assert_eq!(self.dev.bulk_in(13), Err(UsbError::Stall));
        assert_eq!(self.dev.bulk_out(&[0; 31]), Err(UsbError::Stall));
    }

    /// Asserts the device serves a TEST UNIT READY.
    pub fn assert_serves(&mut self) {
        let answer = self.send(0, &cdb::scsi::spc::test_unit_ready::TestUnitReady);
        assert_eq!((answer.csw.status, answer.csw.residue), (0x00, 0));
    }
}

//! What the controller counts about itself: the SMART / Health Information log (NVMe
//! Base 2.0 5.16.1.3) and the Error Information log (Base 2.0 5.16.1.2).

use cdb::nvme::error_log::ERROR_ENTRY_LEN;
use cdb::nvme::Status;
use std::collections::VecDeque;

/// Error Information log entries kept (Identify Controller ELPE + 1).
pub(crate) const ERROR_LOG_ENTRIES: usize = 16;

/// Size of the SMART / Health Information log page (Base 2.0 5.16.1.3).
pub(crate) const SMART_LOG_LEN: usize = 512;

/// Warning Composite Temperature Threshold (WCTEMP), kelvins (70 °C).
pub(crate) const WCTEMP: u16 = 343;

/// Critical Composite Temperature Threshold (CCTEMP), kelvins (85 °C).
pub(crate) const CCTEMP: u16 = 358;

/// One failed command, as the Error Information log reports it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ErrorRecord {
    pub sqid: u16,
    pub cid: u16,
    pub status: Status,
    pub lba: u64,
    pub nsid: u32,
}

/// Counters since manufacture (this controller's lifetime).
#[derive(Debug, Clone)]
pub(crate) struct Health {
    units_read: u128,
    units_written: u128,
    read_commands: u128,
    write_commands: u128,
    power_cycles: u128,
    error_count: u64,
    errors: VecDeque<(u64, ErrorRecord)>,
}

/// Thousands of 512-byte units, rounded up (Base 2.0 5.16.1.3 Data Units Read/Written).
fn data_units(units_512: u128) -> u128 {
    units_512.div_ceil(1000)
}

impl Health {
    /// A controller that has been powered on once.
    pub fn new() -> Health {
        Health {
            units_read: 0,
            units_written: 0,
            read_commands: 0,
            write_commands: 0,
            power_cycles: 1,
            error_count: 0,
            errors: VecDeque::with_capacity(ERROR_LOG_ENTRIES),
        }
    }

    /// A completed Read of `bytes`.
    pub fn read(&mut self, bytes: u64) {
        self.units_read += u128::from(bytes / 512);
        self.read_commands += 1;
    }

    /// A completed Write of `bytes`.
    pub fn written(&mut self, bytes: u64) {
        self.units_written += u128::from(bytes / 512);
        self.write_commands += 1;
    }

    /// A power cycle.
    pub fn power_cycle(&mut self) {
        self.power_cycles += 1;
    }

    /// Records a failed command; the oldest entry goes when the log is full.
    pub fn error(&mut self, record: ErrorRecord) {
        self.error_count += 1;
        if self.errors.len() == ERROR_LOG_ENTRIES {
            self.errors.pop_back();
        }
        self.errors.push_front((self.error_count, record));
    }

    /// The Error Information log page, newest entry first; unused entries are zero
    /// (Error Count 0 means an invalid entry).
    pub fn error_log(&self) -> Vec<u8> {
        let mut page = vec![0; ERROR_LOG_ENTRIES * ERROR_ENTRY_LEN];
        for (entry, (count, e)) in page.chunks_exact_mut(ERROR_ENTRY_LEN).zip(&self.errors) {
            entry[0..8].copy_from_slice(&count.to_le_bytes());
            entry[8..10].copy_from_slice(&e.sqid.to_le_bytes());
            entry[10..12].copy_from_slice(&e.cid.to_le_bytes());
            entry[12..14].copy_from_slice(&(e.status.to_field() << 1).to_le_bytes());
            // Parameter Error Location: not reported.
            entry[14..16].copy_from_slice(&0xffffu16.to_le_bytes());
            entry[16..24].copy_from_slice(&e.lba.to_le_bytes());
            entry[24..28].copy_from_slice(&e.nsid.to_le_bytes());
        }
        page
    }

    /// The SMART / Health Information log page at Composite Temperature `kelvin`.
    pub fn smart_log(&self, kelvin: u16) -> Vec<u8> {
        let mut page = vec![0; SMART_LOG_LEN];
        page[0] = u8::from(kelvin >= WCTEMP) << 1;
        page[1..3].copy_from_slice(&kelvin.to_le_bytes());
        page[3] = 100; // Available Spare, percent.
        page[4] = 10; // Available Spare Threshold, percent.
        let counters = [
            (32, data_units(self.units_read)),
            (48, data_units(self.units_written)),
            (64, self.read_commands),
            (80, self.write_commands),
            (112, self.power_cycles),
            (176, u128::from(self.error_count)),
        ];
        for (off, value) in counters {
            page[off..off + 16].copy_from_slice(&value.to_le_bytes());
        }
        page[200..202].copy_from_slice(&kelvin.to_le_bytes());
        page
    }
}

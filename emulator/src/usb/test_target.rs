//! A SCSI target for the USB tests: RAM disks behind an SBC target plus one vendor command
//! with a data-in phase, as the firmware behind a bridge has.

use crate::sbc::{Completion, Disk, Identity, Target};
use crate::store::{CachedDevice, RamMedium};
use crate::target::ScsiTarget;

/// Block size of the test disks.
pub const BLOCK: u32 = 512;
/// The vendor-specific operation code the test target implements (group 6, SPC-5
/// 4.2.5.1): it returns [`VENDOR_REPLY`] bytes of a pattern.
pub const VENDOR_OPCODE: u8 = 0xc0;
/// The length of the vendor command's data-in.
pub const VENDOR_REPLY: usize = 512;

/// An SBC target plus one vendor command, as the firmware behind a bridge has.
#[derive(Debug)]
pub struct VendorTarget(pub Target);

/// The vendor command's data-in bytes.
pub fn vendor_pattern() -> Vec<u8> {
    (0..VENDOR_REPLY).map(|i| (i % 241) as u8 ^ 0x5a).collect()
}

impl ScsiTarget for VendorTarget {
    fn luns(&self) -> u16 {
        self.0.luns()
    }

    fn block_size(&self, lun: u16) -> u32 {
        self.0.block_size(lun)
    }

    fn execute(&mut self, lun: u16, cdb: &[u8], data_out: &[u8], data_in: &mut [u8]) -> Completion {
        if cdb.first() != Some(&VENDOR_OPCODE) {
            return self.0.execute(lun, cdb, data_out, data_in);
        }
        let pattern = vendor_pattern();
        let n = pattern.len().min(data_in.len());
        data_in[..n].copy_from_slice(&pattern[..n]);
        Completion::good(n)
    }

    fn reset(&mut self) -> Result<(), crate::block::BlockError> {
        self.0.reset()
    }

    fn power_cycle(&mut self) -> Result<(), crate::block::BlockError> {
        self.0.power_cycle()
    }
}

/// A target of `luns` RAM disks with one vendor command.
pub fn target(luns: u16) -> VendorTarget {
    let units = (0..luns)
        .map(|_| {
            let device = CachedDevice::new(RamMedium::new(2048 * u64::from(BLOCK)), BLOCK)
                .expect("block size");
            Disk::new(Identity::default(), Box::new(device))
        })
        .collect();
    VendorTarget(Target::new(units))
}

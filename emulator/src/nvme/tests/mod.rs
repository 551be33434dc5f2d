//! Conformance tests: the controller is driven only with submission entries from the
//! `cdb::nvme` builders, and its answers are decoded with the `cdb::nvme` decoders and
//! checked against NVMe Base 2.0 and NVM Command Set 1.0.

mod admin;
mod firmware;
mod fuzz;
mod io;

use super::{Config, Controller};
use crate::block::{check_range, BlockDevice, BlockError};
use cdb::command::DataPhase;
use cdb::nvme::{Completion, NvmeCommand, Status};

/// A RAM medium with a volatile write cache, recording what is durable separately from
/// what is cached (the test double until `emulator::store` lands).
pub(super) struct RamDisk {
    block_size: u32,
    durable: Vec<u8>,
    cached: Vec<(u64, Vec<u8>)>,
    cache_enabled: bool,
    pub flushes: usize,
}

impl RamDisk {
    pub fn new(block_size: u32, blocks: u64) -> RamDisk {
        RamDisk {
            block_size,
            durable: vec![0; (u64::from(block_size) * blocks) as usize],
            cached: Vec::new(),
            cache_enabled: false,
            flushes: 0,
        }
    }

    /// The durable contents of `lba` (what survives a power cut).
    pub fn durable_block(&self, lba: u64) -> &[u8] {
        let bs = self.block_size as usize;
        &self.durable[lba as usize * bs..(lba as usize + 1) * bs]
    }

    fn land(&mut self, lba: u64, data: &[u8]) {
        let start = lba as usize * self.block_size as usize;
        self.durable[start..start + data.len()].copy_from_slice(data);
    }
}

impl BlockDevice for RamDisk {
    fn block_size(&self) -> u32 {
        self.block_size
    }

    fn block_count(&self) -> u64 {
        self.durable.len() as u64 / u64::from(self.block_size)
    }

    fn read(&mut self, lba: u64, buf: &mut [u8]) -> Result<(), BlockError> {
        check_range(lba, buf.len(), self.block_size, self.block_count())?;
        let start = lba as usize * self.block_size as usize;
        buf.copy_from_slice(&self.durable[start..start + buf.len()]);
        let bs = u64::from(self.block_size);
        for (at, data) in &self.cached {
            for (i, block) in data.chunks(bs as usize).enumerate() {
                let b = at + i as u64;
                if b >= lba && b < lba + buf.len() as u64 / bs {
                    let off = ((b - lba) * bs) as usize;
                    buf[off..off + bs as usize].copy_from_slice(block);
                }
            }
        }
        Ok(())
    }

    fn write(&mut self, lba: u64, data: &[u8], fua: bool) -> Result<(), BlockError> {
        check_range(lba, data.len(), self.block_size, self.block_count())?;
        if self.cache_enabled && !fua {
            self.cached.push((lba, data.to_vec()));
        } else {
            self.land(lba, data);
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), BlockError> {
        self.flushes += 1;
        for (lba, data) in std::mem::take(&mut self.cached) {
            self.land(lba, &data);
        }
        Ok(())
    }

    fn write_cache_enabled(&self) -> bool {
        self.cache_enabled
    }

    fn set_write_cache(&mut self, enabled: bool) -> Result<(), BlockError> {
        if !enabled {
            self.flush()?;
        }
        self.cache_enabled = enabled;
        Ok(())
    }
}

/// A controller over a 1024-block RAM disk of `block_size` bytes.
pub(super) fn controller(block_size: u32, config: Config) -> Controller<RamDisk> {
    Controller::new(RamDisk::new(block_size, 1024), config).expect("valid block size")
}

/// Submits a typed command the way a transport does (its queue, data phase and a CID)
/// and returns the completion and the data-in bytes.
pub(super) fn run<C: NvmeCommand>(
    ctrl: &mut Controller<RamDisk>,
    cmd: &C,
) -> (Completion, Vec<u8>) {
    let mut sqe = cmd.entry();
    sqe.set_cid(0x1234);
    let (out, mut data_in): (&[u8], Vec<u8>) = match cmd.data_phase() {
        DataPhase::None => (&[], Vec::new()),
        DataPhase::In(n) => (&[], vec![0xee; n as usize]),
        DataPhase::Out(data) => (data, Vec::new()),
    };
    let completion = ctrl.submit(cmd.queue(), &sqe, out, &mut data_in);
    assert_eq!(completion.cid, 0x1234, "the CID is echoed (Base 2.0 4.6)");
    (completion, data_in)
}

/// Runs a command that must succeed and decodes its answer.
pub(super) fn ok<C: NvmeCommand>(ctrl: &mut Controller<RamDisk>, cmd: &C) -> C::Response
where
    C::Response: std::fmt::Debug,
{
    let (c, data) = run(ctrl, cmd);
    assert_eq!(c.status, Status::SUCCESS, "{} failed", cmd.name());
    cmd.decode(c.dw0, &data).expect("decodable answer")
}

/// Runs a command and returns its status field as Linux and nvme-cli print it.
pub(super) fn status<C: NvmeCommand>(ctrl: &mut Controller<RamDisk>, cmd: &C) -> u16 {
    run(ctrl, cmd).0.status.to_field()
}

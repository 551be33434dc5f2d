//! Conformance tests: the controller is driven only with submission entries from the
//! `cdb::nvme` builders, and its answers are decoded with the `cdb::nvme` decoders and
//! checked against NVMe Base 2.0 and NVM Command Set 1.0.

mod admin;
mod firmware;
mod fuzz;
mod io;

use super::{Config, Controller};
use crate::block::BlockDevice;
use crate::store::{CachedDevice, Medium, RamMedium};
use cdb::command::DataPhase;
use cdb::nvme::{Completion, NvmeCommand, Status};

/// The block device under test: `store`'s cached device over a RAM medium.
pub(super) type Disk = CachedDevice<RamMedium>;

/// The durable contents of block `lba` (what survives a power cut).
pub(super) fn durable(ctrl: &Controller<Disk>, lba: u64) -> Vec<u8> {
    let bs = ctrl.device().block_size();
    let mut block = vec![0; bs as usize];
    ctrl.device()
        .medium()
        .read_at(lba * u64::from(bs), &mut block)
        .expect("readable medium");
    block
}

/// A controller over a 1024-block RAM disk of `block_size` bytes.
pub(super) fn controller(block_size: u32, config: Config) -> Controller<Disk> {
    let medium = RamMedium::new(u64::from(block_size) * 1024);
    let disk = CachedDevice::new(medium, block_size).expect("valid block size");
    Controller::new(disk, config).expect("an NVMe block size")
}

/// Submits a typed command the way a transport does (its queue, data phase and a CID)
/// and returns the completion and the data-in bytes.
pub(super) fn run<C: NvmeCommand>(ctrl: &mut Controller<Disk>, cmd: &C) -> (Completion, Vec<u8>) {
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
pub(super) fn ok<C: NvmeCommand>(ctrl: &mut Controller<Disk>, cmd: &C) -> C::Response
where
    C::Response: std::fmt::Debug,
{
    let (c, data) = run(ctrl, cmd);
    assert_eq!(c.status, Status::SUCCESS, "{} failed", cmd.name());
    cmd.decode(c.dw0, &data).expect("decodable answer")
}

/// Runs a command and returns its status field as Linux and nvme-cli print it.
pub(super) fn status<C: NvmeCommand>(ctrl: &mut Controller<Disk>, cmd: &C) -> u16 {
    run(ctrl, cmd).0.status.to_field()
}

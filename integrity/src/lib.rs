//! Cache-integrity verification that names the promise a device broke: every logical block
//! written describes itself (who wrote it, where, in which generation and order), the
//! expected state after a pass or a power cut is computed from the write plan and a small
//! host-side journal of acknowledged flushes, and each block is classified — intact, allowed
//! to be older, lost after a flush or a FUA write, misdirected, torn, corrupt, foreign,
//! written out of order.
//!
//! - [`block`]: the self-describing block, encoded and recognised.
//! - [`plan`]: the write plan, computed rather than stored.
//! - [`classify`]: each block's class and the summary naming the broken promise.
//! - [`target`]: what a device must do for verification ([`target::BlockTarget`]), and a
//!   plain file or block device as one ([`target::file`]).
//! - [`scsi_target`] and [`nvme_target`]: that contract over any SCSI or NVMe transport.
//! - [`journal`]: the host-side record of what the device promised.
//! - [`preserve`]: `--preserve`, a crash-safe host journal of overwritten blocks and its
//!   restore.
//! - [`latency`]: flush and FUA latency histograms and the too-fast-to-be-durable check.
//! - [`run`]: a whole run — write phase, power cut, write cache restored, verify phase.

pub mod block;
pub mod classify;
pub mod journal;
pub mod latency;
pub mod nvme_target;
pub mod plan;
#[cfg(unix)]
pub mod preserve;
pub mod run;
pub mod scsi_target;
pub mod target;

#[cfg(test)]
mod test_support;

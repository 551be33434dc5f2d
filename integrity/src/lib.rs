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
//! - [`target`]: what a device must do for verification ([`target::BlockTarget`]).

pub mod block;
pub mod classify;
pub mod plan;
pub mod target;

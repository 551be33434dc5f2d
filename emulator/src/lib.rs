//! The built-in emulated devices behind `sim:` — an SBC disk with a volatile write cache
//! and power cuts, an NVMe controller, USB bridges and named fault profiles — so every
//! scsitool command runs on a machine with no hardware, and the failures that hurt users
//! can be reproduced on demand.
//!
//! Layers, bottom up:
//! - [`block`]: the contract every emulated medium meets ([`block::BlockDevice`]): blocks,
//!   a volatile write cache, flush and FUA, as SBC-4 4.15 and NVMe's volatile write cache
//!   describe them.
//! - [`store`]: the media under it (sparse RAM, a host file that survives the process) and
//!   the volatile write cache model with seeded power cuts ([`store::CachedDevice`]).
//! - [`sbc`]: an SBC-4 direct-access target over any block device — INQUIRY and VPD
//!   pages, READ/WRITE with FUA, SYNCHRONIZE CACHE, MODE SENSE/SELECT with a changeable
//!   WCE, REPORT LUNS, REPORT SUPPORTED OPERATION CODES, unit attention and sense data as
//!   SPC-5 and SAM-5 require.
//!
//! Depends on `cdb` only.

pub mod block;
pub mod sbc;
pub mod store;

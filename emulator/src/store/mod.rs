//! The storage under the emulated SCSI disk and NVMe controller: durable media (sparse RAM,
//! a host file) and the volatile write cache over them, with power cuts that lose what was
//! not durable (SBC-4 4.15 "Write caching"; NVMe Base 2.0 5.27.1.4 Volatile Write Cache).
//!
//! - [`Medium`]: the durable layer; [`RamMedium`] (sparse, `sim:`) and [`FileMedium`]
//!   (`sim:/path/disk.img`, survives the process, so killing it is a real power cut).
//! - [`CachedDevice`]: a [`crate::block::BlockDevice`] with a bounded volatile write cache.
//! - [`PowerCut`]: what a power cut keeps: nothing, a seeded subset in any order, or torn
//!   prefixes of multi-block writes.

mod cache;
mod device;
mod file;
mod medium;
mod power;
mod ram;

pub use device::{CachedDevice, DEFAULT_CACHE_BYTES};
pub use file::FileMedium;
pub use medium::Medium;
pub use power::PowerCut;
pub use ram::RamMedium;

#[cfg(test)]
mod device_tests;
#[cfg(test)]
mod file_tests;
#[cfg(test)]
mod model_tests;

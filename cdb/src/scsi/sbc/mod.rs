//! T10 SBC-4 block commands for direct-access devices.

pub mod lba_cdb;
pub mod read_capacity;
pub mod read_write;
pub mod start_stop_unit;
pub mod synchronize_cache;

//! One module per command family; each turns parsed arguments into output.

pub mod cdb;
pub mod device;
pub mod fwupdate;
pub mod generate;
pub mod inquiry;
pub mod list;
pub mod luns;
pub mod nvme;
pub mod opcodes;
pub mod rate;
pub mod raw;
pub mod read;
pub mod readcap;
pub mod schema;
pub mod sense;
pub mod sim;
pub mod sync;
pub mod tur;
pub mod verify;
pub mod wce;

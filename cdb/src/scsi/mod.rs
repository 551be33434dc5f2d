//! SCSI commands and the data they return, arranged by the T10 standard that defines them.

pub(crate) mod cdb_bytes;
pub mod cdb_decode;
pub mod opcode;
pub mod sat;
pub mod sbc;
pub mod spc;
pub mod status;
pub mod vendor;

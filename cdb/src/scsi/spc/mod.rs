//! T10 SPC-5 primary commands, common to every SCSI device type.

pub mod buffer;
pub mod inquiry;
pub mod log_sense;
pub mod mode;
pub mod report_luns;
pub mod report_opcodes;
pub mod request_sense;
pub mod test_unit_ready;
pub mod vpd;

//! NVMe commands and data structures (NVM Express Base Specification 2.0 and NVM Command
//! Set Specification 1.0): the 64-byte submission queue entry and the [`NvmeCommand`]
//! contract ([`sqe`]), the completion queue entry and status codes ([`completion`],
//! [`status`]), typed admin and I/O commands, and decoders for Identify data and log pages.

pub mod active_ns;
pub mod completion;
pub mod decode;
pub mod error_log;
pub mod features;
pub mod firmware;
pub mod fw_slot;
pub mod id_ctrl;
pub mod id_ns;
pub mod identify;
mod le;
pub mod log_page;
pub mod nvm;
pub mod power_state;
pub mod smart;
pub mod sqe;
pub mod status;

pub use completion::Completion;
pub use sqe::{NvmeCommand, Queue, SqeLayout, SubmissionEntry};
pub use status::{ResetKind, Status, StatusClass};

//! READ BUFFER (10) 3Ch (SPC-5 6.16) and WRITE BUFFER 3Bh (SPC-5 6.49): buffer data, the
//! buffer descriptor, error history, and microcode download.
//!
//! # Microcode status
//! SPC-5 defines READ BUFFER mode 0Fh, "read microcode status" (SPC-5 6.16; SPC-6 adds
//! download status codes): the activated, redundant and download microcode status,
//! decoded by [`microcode::MicrocodeStatus`]. WRITE BUFFER mode 0Fh is a different
//! thing: "activate deferred microcode", a command without data that activates microcode
//! saved by modes 0Dh/0Eh ([`write::WriteBuffer::activate_deferred_microcode`]). Related
//! facilities outside this module: the Extended INQUIRY Data VPD page 86h (ACTIVATE
//! MICROCODE, POA_SUP / HRA_SUP / VSA_SUP) and the sense codes 3Fh/01h MICROCODE HAS BEEN
//! CHANGED and 3Fh/16h MICROCODE HAS BEEN CHANGED WITHOUT RESET (SPC-5 table 59).

mod cdb10;
pub mod descriptor;
pub mod error_history;
pub mod microcode;
pub mod read;
pub mod write;

pub use cdb10::MAX_24;
pub use descriptor::{BufferDescriptor, OffsetBoundary};
pub use microcode::MicrocodeStatus;
pub use read::{ReadBuffer, ReadBufferData, ReadBufferMode};
pub use write::{ActivationEvents, WriteBuffer, WriteBufferCdb, WriteBufferMode};

//! How a command ends: its completion Dword 0 and status, or a rejection (NVMe Base 2.0
//! 4.6.1 Status Field; 4.6.1.2 the status code values used here).

use cdb::nvme::status::sct;
use cdb::nvme::Status;

/// Generic Command Status codes the controller returns (Base 2.0 4.6.1.2.1; 80h NVM
/// Command Set 1.0).
pub(crate) mod generic {
    /// Invalid Command Opcode.
    pub const INVALID_OPCODE: u8 = 0x01;
    /// Invalid Field in Command.
    pub const INVALID_FIELD: u8 = 0x02;
    /// Internal Error.
    pub const INTERNAL_ERROR: u8 = 0x06;
    /// Invalid Namespace or Format.
    pub const INVALID_NAMESPACE: u8 = 0x0b;
    /// Data SGL Length Invalid.
    pub const DATA_SGL_LENGTH_INVALID: u8 = 0x0f;
    /// LBA Out of Range (NVM Command Set 1.0).
    pub const LBA_OUT_OF_RANGE: u8 = 0x80;
    /// Namespace Not Ready (NVM Command Set 1.0): the namespace cannot be accessed; with
    /// DNR set, retrying will not help until the host acts.
    pub const NAMESPACE_NOT_READY: u8 = 0x82;
}

/// Command Specific Status codes the controller returns (Base 2.0 4.6.1.2.2).
pub(crate) mod specific {
    /// Invalid Firmware Slot (Firmware Commit).
    pub const INVALID_FIRMWARE_SLOT: u8 = 0x06;
    /// Invalid Firmware Image (Firmware Commit).
    pub const INVALID_FIRMWARE_IMAGE: u8 = 0x07;
    /// Invalid Log Page (Get Log Page).
    pub const INVALID_LOG_PAGE: u8 = 0x09;
    /// Firmware Activation Requires Conventional Reset (Firmware Commit).
    pub const REQUIRES_CONVENTIONAL_RESET: u8 = 0x0b;
    /// Feature Identifier Not Saveable (Set Features).
    pub const NOT_SAVEABLE: u8 = 0x0d;
    /// Feature Not Namespace Specific (Set Features).
    pub const NOT_NAMESPACE_SPECIFIC: u8 = 0x0f;
    /// Firmware Activation Requires NVM Subsystem Reset (Firmware Commit).
    pub const REQUIRES_NVM_SUBSYSTEM_RESET: u8 = 0x10;
    /// Firmware Activation Requires Controller Level Reset (Firmware Commit).
    pub const REQUIRES_CONTROLLER_LEVEL_RESET: u8 = 0x11;
    /// Firmware Activation Requires Maximum Time Violation (Firmware Commit).
    pub const MAX_TIME_VIOLATION: u8 = 0x12;
    /// Overlapping Range (Firmware Image Download).
    pub const OVERLAPPING_RANGE: u8 = 0x14;
}

/// Media and Data Integrity Error codes (NVM Command Set 1.0, Base 2.0 4.6.1.2.3).
pub(crate) mod media {
    /// Write Fault.
    pub const WRITE_FAULT: u8 = 0x80;
    /// Unrecovered Read Error.
    pub const UNRECOVERED_READ_ERROR: u8 = 0x81;
}

/// A command that completed: Dword 0 and its status (successful, or one of the firmware
/// activation statuses that report a successful commit, Base 2.0 5.13).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Done {
    pub dw0: u32,
    pub status: Status,
}

impl Done {
    /// Successful Completion with Dword 0.
    pub fn dw0(dw0: u32) -> Done {
        Done {
            dw0,
            status: Status::SUCCESS,
        }
    }

    /// Successful Completion with Dword 0 zero.
    pub fn ok() -> Done {
        Done::dw0(0)
    }
}

/// A command the controller rejected, with what the Error Information log records
/// (Base 2.0 5.16.1.2): the status (DNR set: retrying the same command fails again) and
/// the LBA involved, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reject {
    pub status: Status,
    pub lba: u64,
}

impl Reject {
    /// Rejects with status code type `sct` and code `sc`, DNR set.
    pub fn new(sct: u8, sc: u8) -> Reject {
        Reject {
            status: Status {
                sct,
                sc,
                dnr: true,
                ..Status::SUCCESS
            },
            lba: 0,
        }
    }

    /// A Generic Command Status rejection.
    pub fn generic(sc: u8) -> Reject {
        Reject::new(sct::GENERIC, sc)
    }

    /// A Command Specific Status rejection.
    pub fn specific(sc: u8) -> Reject {
        Reject::new(sct::COMMAND_SPECIFIC, sc)
    }

    /// Invalid Field in Command, the answer to any malformed field.
    pub fn invalid_field() -> Reject {
        Reject::generic(generic::INVALID_FIELD)
    }

    /// Invalid Namespace or Format.
    pub fn invalid_namespace() -> Reject {
        Reject::generic(generic::INVALID_NAMESPACE)
    }

    /// Records the LBA the error concerns.
    pub fn at_lba(self, lba: u64) -> Reject {
        Reject { lba, ..self }
    }
}

/// What every command handler returns.
pub(crate) type Outcome = Result<Done, Reject>;

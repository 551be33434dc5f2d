//! The completion Status Field (NVMe Base 2.0 4.6.1): status code type, status code, and
//! the Command Retry Delay, More and Do Not Retry bits; names for every status code the
//! specifications define, and what a host should do about each.

use serde::Serialize;

/// Status Code Type (SCT) values (Base 2.0 4.6.1.1, Figure "Status Code Type Values").
pub mod sct {
    /// Generic Command Status (Base 2.0 4.6.1.2.1).
    pub const GENERIC: u8 = 0;
    /// Command Specific Status (Base 2.0 4.6.1.2.2).
    pub const COMMAND_SPECIFIC: u8 = 1;
    /// Media and Data Integrity Errors (Base 2.0 4.6.1.2.3).
    pub const MEDIA_AND_DATA_INTEGRITY: u8 = 2;
    /// Path Related Status (Base 2.0 4.6.1.2.4).
    pub const PATH_RELATED: u8 = 3;
    /// Vendor Specific (Base 2.0 4.6.1.1).
    pub const VENDOR_SPECIFIC: u8 = 7;
}

/// The 15-bit Status Field of a completion queue entry (Base 2.0 4.6.1, Figure "Completion
/// Queue Entry: Status Field"), without the Phase Tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Status {
    /// Status Code Type (SCT), bits 10:8.
    pub sct: u8,
    /// Status Code (SC), bits 7:0.
    pub sc: u8,
    /// Command Retry Delay (CRD), bits 12:11: 0 = none, 1–3 select CRDT1–CRDT3.
    pub crd: u8,
    /// More (M), bit 13: more status information is in the Error Information log.
    pub more: bool,
    /// Do Not Retry (DNR), bit 14.
    pub dnr: bool,
}

impl Status {
    /// Successful Completion (Base 2.0 4.6.1.2.1).
    pub const SUCCESS: Status = Status {
        sct: 0,
        sc: 0,
        crd: 0,
        more: false,
        dnr: false,
    };

    /// Decodes the 15-bit status field (as Linux and nvme-cli report it, e.g. `0x4001`);
    /// bit 15 is ignored.
    pub fn from_field(field: u16) -> Status {
        Status {
            sc: field as u8,
            sct: ((field >> 8) & 0x7) as u8,
            crd: ((field >> 11) & 0x3) as u8,
            more: field & (1 << 13) != 0,
            dnr: field & (1 << 14) != 0,
        }
    }

    /// The 15-bit status field (SCT and CRD masked to their widths).
    pub fn to_field(&self) -> u16 {
        u16::from(self.sc)
            | (u16::from(self.sct & 0x7) << 8)
            | (u16::from(self.crd & 0x3) << 11)
            | (u16::from(self.more) << 13)
            | (u16::from(self.dnr) << 14)
    }

    /// True for Successful Completion (SCT 0, SC 00h).
    pub fn is_success(&self) -> bool {
        self.sct == sct::GENERIC && self.sc == 0
    }

    /// The name of the Status Code Type (Base 2.0 4.6.1.1).
    pub fn sct_name(&self) -> &'static str {
        match self.sct {
            sct::GENERIC => "Generic Command Status",
            sct::COMMAND_SPECIFIC => "Command Specific Status",
            sct::MEDIA_AND_DATA_INTEGRITY => "Media and Data Integrity Errors",
            sct::PATH_RELATED => "Path Related Status",
            sct::VENDOR_SPECIFIC => "Vendor Specific",
            _ => "Reserved",
        }
    }

    /// The status code's name as the specifications spell it, or `None` for a reserved
    /// code. Codes C0h–FFh of every type, and all of SCT 7, are "Vendor Specific".
    pub fn name(&self) -> Option<&'static str> {
        if self.sct == sct::VENDOR_SPECIFIC || (self.sc >= 0xc0 && self.sct <= 3) {
            return Some("Vendor Specific");
        }
        let table: &[(u8, &str)] = match self.sct {
            sct::GENERIC => GENERIC,
            sct::COMMAND_SPECIFIC => COMMAND_SPECIFIC,
            sct::MEDIA_AND_DATA_INTEGRITY => MEDIA,
            sct::PATH_RELATED => PATH,
            _ => &[],
        };
        table
            .iter()
            .find(|(code, _)| *code == self.sc)
            .map(|(_, name)| *name)
    }

    /// What the host should do (Base 2.0 4.6.1, 5.13 for the firmware reset codes).
    pub fn class(&self) -> StatusClass {
        if self.is_success() {
            return StatusClass::Success;
        }
        if self.sct == sct::COMMAND_SPECIFIC {
            let reset = match self.sc {
                0x0b => Some(ResetKind::Conventional),
                0x10 => Some(ResetKind::NvmSubsystem),
                0x11 | 0x12 => Some(ResetKind::ControllerLevel),
                _ => None,
            };
            if let Some(reset) = reset {
                return StatusClass::NeedsReset { reset };
            }
        }
        let transient: &[u8] = match self.sct {
            sct::GENERIC => TRANSIENT_GENERIC,
            sct::COMMAND_SPECIFIC => &[0x1d],
            sct::PATH_RELATED => &[0x03, 0x60, 0x70, 0x71],
            _ => &[],
        };
        if !self.dnr && transient.contains(&self.sc) {
            StatusClass::RetryLater
        } else {
            StatusClass::Fatal
        }
    }

    /// The status with its names and classification, for display and `--json`.
    pub fn describe(&self) -> StatusDescription {
        StatusDescription {
            status: *self,
            field: self.to_field(),
            sct_name: self.sct_name(),
            name: self.name(),
            class: self.class(),
        }
    }
}

/// Serialises a [`Status`] as its [`StatusDescription`] (codes, names and class), for
/// decoded structures that carry a status field (Base 2.0 4.6.1).
pub fn serialize_described<S: serde::Serializer>(
    status: &Status,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    status.describe().serialize(serializer)
}

/// A [`Status`] with its names and classification (Base 2.0 4.6.1).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct StatusDescription {
    /// The decoded fields.
    pub status: Status,
    /// The 15-bit status field value.
    pub field: u16,
    /// The Status Code Type's name.
    pub sct_name: &'static str,
    /// The Status Code's name; `None` for reserved codes.
    pub name: Option<&'static str>,
    /// What the host should do.
    pub class: StatusClass,
}

/// The kind of reset a firmware activation needs (Base 2.0 3.7, 5.13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResetKind {
    /// A Conventional Reset (Base 2.0 3.7.2): status 0Bh.
    Conventional,
    /// An NVM Subsystem Reset (Base 2.0 3.7.1): status 10h.
    NvmSubsystem,
    /// A Controller Level Reset (Base 2.0 3.7.2): status 11h, and 12h (re-issue the
    /// Firmware Commit and activate with a reset).
    ControllerLevel,
}

/// What a host should do about a completion (Base 2.0 4.6.1: DNR; 5.13: firmware
/// activation statuses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StatusClass {
    /// The command succeeded.
    Success,
    /// DNR is clear and the condition is transient: retry after the Command Retry Delay.
    RetryLater,
    /// The firmware commit succeeded but activation needs the named reset.
    NeedsReset {
        /// The reset needed.
        reset: ResetKind,
    },
    /// The command failed; retrying it unchanged will not help.
    Fatal,
}

/// Generic Command Status codes that clear up by themselves (Base 2.0 4.6.1.2.1).
const TRANSIENT_GENERIC: &[u8] = &[
    0x04, 0x05, 0x08, 0x09, 0x0a, 0x1d, 0x21, 0x22, 0x24, 0x82, 0x84,
];

/// Generic Command Status values (Base 2.0 4.6.1.2.1; 80h–84h NVM Command Set 1.0,
/// Figure "Status Code – Generic Command Status Values, NVM Command Set"; 85h–89h Key
/// Value Command Set 1.0).
const GENERIC: &[(u8, &str)] = &[
    (0x00, "Successful Completion"),
    (0x01, "Invalid Command Opcode"),
    (0x02, "Invalid Field in Command"),
    (0x03, "Command ID Conflict"),
    (0x04, "Data Transfer Error"),
    (0x05, "Commands Aborted due to Power Loss Notification"),
    (0x06, "Internal Error"),
    (0x07, "Command Abort Requested"),
    (0x08, "Command Aborted due to SQ Deletion"),
    (0x09, "Command Aborted due to Failed Fused Command"),
    (0x0a, "Command Aborted due to Missing Fused Command"),
    (0x0b, "Invalid Namespace or Format"),
    (0x0c, "Command Sequence Error"),
    (0x0d, "Invalid SGL Segment Descriptor"),
    (0x0e, "Invalid Number of SGL Descriptors"),
    (0x0f, "Data SGL Length Invalid"),
    (0x10, "Metadata SGL Length Invalid"),
    (0x11, "SGL Descriptor Type Invalid"),
    (0x12, "Invalid Use of Controller Memory Buffer"),
    (0x13, "PRP Offset Invalid"),
    (0x14, "Atomic Write Unit Exceeded"),
    (0x15, "Operation Denied"),
    (0x16, "SGL Offset Invalid"),
    (0x18, "Host Identifier Inconsistent Format"),
    (0x19, "Keep Alive Timer Expired"),
    (0x1a, "Keep Alive Timeout Invalid"),
    (0x1b, "Command Aborted due to Preempt and Abort"),
    (0x1c, "Sanitize Failed"),
    (0x1d, "Sanitize In Progress"),
    (0x1e, "SGL Data Block Granularity Invalid"),
    (0x1f, "Command Not Supported for Queue in CMB"),
    (0x20, "Namespace is Write Protected"),
    (0x21, "Command Interrupted"),
    (0x22, "Transient Transport Error"),
    (0x23, "Command Prohibited by Command and Feature Lockdown"),
    (0x24, "Admin Command Media Not Ready"),
    (0x80, "LBA Out of Range"),
    (0x81, "Capacity Exceeded"),
    (0x82, "Namespace Not Ready"),
    (0x83, "Reservation Conflict"),
    (0x84, "Format In Progress"),
    (0x85, "Invalid Value Size"),
    (0x86, "Invalid Key Size"),
    (0x87, "KV Key Does Not Exist"),
    (0x88, "Unrecovered Error"),
    (0x89, "Key Exists"),
];

/// Command Specific Status values (Base 2.0 4.6.1.2.2; 80h–83h NVM Command Set 1.0,
/// Figure "Status Code – Command Specific Status Values, NVM Command Set"; B8h–BFh Zoned
/// Namespace Command Set 1.1).
const COMMAND_SPECIFIC: &[(u8, &str)] = &[
    (0x00, "Completion Queue Invalid"),
    (0x01, "Invalid Queue Identifier"),
    (0x02, "Invalid Queue Size"),
    (0x03, "Abort Command Limit Exceeded"),
    (0x05, "Asynchronous Event Request Limit Exceeded"),
    (0x06, "Invalid Firmware Slot"),
    (0x07, "Invalid Firmware Image"),
    (0x08, "Invalid Interrupt Vector"),
    (0x09, "Invalid Log Page"),
    (0x0a, "Invalid Format"),
    (0x0b, "Firmware Activation Requires Conventional Reset"),
    (0x0c, "Invalid Queue Deletion"),
    (0x0d, "Feature Identifier Not Saveable"),
    (0x0e, "Feature Not Changeable"),
    (0x0f, "Feature Not Namespace Specific"),
    (0x10, "Firmware Activation Requires NVM Subsystem Reset"),
    (0x11, "Firmware Activation Requires Controller Level Reset"),
    (0x12, "Firmware Activation Requires Maximum Time Violation"),
    (0x13, "Firmware Activation Prohibited"),
    (0x14, "Overlapping Range"),
    (0x15, "Namespace Insufficient Capacity"),
    (0x16, "Namespace Identifier Unavailable"),
    (0x18, "Namespace Already Attached"),
    (0x19, "Namespace Is Private"),
    (0x1a, "Namespace Not Attached"),
    (0x1b, "Thin Provisioning Not Supported"),
    (0x1c, "Controller List Invalid"),
    (0x1d, "Device Self-test In Progress"),
    (0x1e, "Boot Partition Write Prohibited"),
    (0x1f, "Invalid Controller Identifier"),
    (0x20, "Invalid Secondary Controller State"),
    (0x21, "Invalid Number of Controller Resources"),
    (0x22, "Invalid Resource Identifier"),
    (
        0x23,
        "Sanitize Prohibited While Persistent Memory Region is Enabled",
    ),
    (0x24, "ANA Group Identifier Invalid"),
    (0x25, "ANA Attach Failed"),
    (0x26, "Insufficient Capacity"),
    (0x27, "Namespace Attachment Limit Exceeded"),
    (0x28, "Prohibition of Command Execution Not Supported"),
    (0x29, "I/O Command Set Not Supported"),
    (0x2a, "I/O Command Set Not Enabled"),
    (0x2b, "I/O Command Set Combination Rejected"),
    (0x2c, "Invalid I/O Command Set"),
    (0x2d, "Identifier Unavailable"),
    (0x80, "Conflicting Attributes"),
    (0x81, "Invalid Protection Information"),
    (0x82, "Attempted Write to Read Only Range"),
    (0x83, "Command Size Limit Exceeded"),
    (0xb8, "Zoned Boundary Error"),
    (0xb9, "Zone Is Full"),
    (0xba, "Zone Is Read Only"),
    (0xbb, "Zone Is Offline"),
    (0xbc, "Zone Invalid Write"),
    (0xbd, "Too Many Active Zones"),
    (0xbe, "Too Many Open Zones"),
    (0xbf, "Invalid Zone State Transition"),
];

/// Media and Data Integrity Error values (Base 2.0 4.6.1.2.3; NVM Command Set 1.0,
/// Figure "Status Code – Media and Data Integrity Errors, NVM Command Set").
const MEDIA: &[(u8, &str)] = &[
    (0x80, "Write Fault"),
    (0x81, "Unrecovered Read Error"),
    (0x82, "End-to-end Guard Check Error"),
    (0x83, "End-to-end Application Tag Check Error"),
    (0x84, "End-to-end Reference Tag Check Error"),
    (0x85, "Compare Failure"),
    (0x86, "Access Denied"),
    (0x87, "Deallocated or Unwritten Logical Block"),
    (0x88, "End-to-End Storage Tag Check Error"),
];

/// Path Related Status values (Base 2.0 4.6.1.2.4).
const PATH: &[(u8, &str)] = &[
    (0x00, "Internal Path Error"),
    (0x01, "Asymmetric Access Persistent Loss"),
    (0x02, "Asymmetric Access Inaccessible"),
    (0x03, "Asymmetric Access Transition"),
    (0x60, "Controller Pathing Error"),
    (0x70, "Host Pathing Error"),
    (0x71, "Command Aborted By Host"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn st(sct: u8, sc: u8) -> Status {
        Status {
            sct,
            sc,
            ..Status::SUCCESS
        }
    }

    #[test]
    fn qemu_firmware_commit_status_is_invalid_opcode_dnr() {
        // QEMU 7.2 answers Firmware Commit and Image Download with 0x4001: nvme-cli's
        // report in tests/fixtures/qemu-7.2/capture.log.
        let s = Status::from_field(0x4001);
        assert_eq!((s.sct, s.sc, s.crd, s.more, s.dnr), (0, 1, 0, false, true));
        assert_eq!(s.name(), Some("Invalid Command Opcode"));
        assert_eq!(s.class(), StatusClass::Fatal);
        // QEMU answers an unsupported log page with NVME_INVALID_FIELD | NVME_DNR, 0x4002
        // (hw/nvme/ctrl.c nvme_get_log, default case).
        assert_eq!(
            Status::from_field(0x4002).name(),
            Some("Invalid Field in Command")
        );
    }

    #[test]
    fn spot_checks_against_the_spec_tables() {
        assert_eq!(
            st(1, 0x0b).name(),
            Some("Firmware Activation Requires Conventional Reset")
        );
        assert_eq!(st(0, 0x80).name(), Some("LBA Out of Range"));
        assert_eq!(st(0, 0x83).name(), Some("Reservation Conflict"));
        assert_eq!(st(2, 0x81).name(), Some("Unrecovered Read Error"));
        assert_eq!(st(1, 0x06).name(), Some("Invalid Firmware Slot"));
        assert_eq!(st(1, 0x14).name(), Some("Overlapping Range"));
        assert_eq!(st(3, 0x02).name(), Some("Asymmetric Access Inaccessible"));
        assert_eq!(st(0, 0x17).name(), None);
        assert_eq!(st(1, 0x04).name(), None);
        assert_eq!(st(2, 0x00).name(), None);
        assert_eq!(st(0, 0xc5).name(), Some("Vendor Specific"));
        assert_eq!(st(7, 0x01).name(), Some("Vendor Specific"));
        assert_eq!(st(5, 0x01).name(), None);
        assert_eq!(st(5, 0x01).sct_name(), "Reserved");
    }

    #[test]
    fn classification() {
        assert_eq!(Status::SUCCESS.class(), StatusClass::Success);
        let reset = |sc| st(1, sc).class();
        assert_eq!(
            reset(0x0b),
            StatusClass::NeedsReset {
                reset: ResetKind::Conventional
            }
        );
        assert_eq!(
            reset(0x10),
            StatusClass::NeedsReset {
                reset: ResetKind::NvmSubsystem
            }
        );
        assert_eq!(
            reset(0x11),
            StatusClass::NeedsReset {
                reset: ResetKind::ControllerLevel
            }
        );
        assert_eq!(st(0, 0x82).class(), StatusClass::RetryLater);
        let dnr = Status {
            dnr: true,
            ..st(0, 0x82)
        };
        assert_eq!(dnr.class(), StatusClass::Fatal);
        assert_eq!(st(0, 0x02).class(), StatusClass::Fatal);
        assert_eq!(st(3, 0x03).class(), StatusClass::RetryLater);
        let json = serde_json::to_value(st(1, 0x0b).describe()).unwrap();
        assert_eq!(json["class"]["reset"], "conventional");
        assert_eq!(json["field"], 0x10b);
    }

    proptest! {
        #[test]
        fn field_round_trip(field in 0u16..0x8000) {
            let s = Status::from_field(field);
            prop_assert_eq!(s.to_field(), field);
            let _ = s.describe();
        }
    }
}

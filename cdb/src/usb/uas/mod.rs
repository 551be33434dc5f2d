//! USB Attached SCSI information units (T10 UAS-2 6; USB-IF UASP 1.0 6): the Command,
//! Sense, Response, Task Management, Read Ready and Write Ready IUs, each a zerocopy view
//! over the big-endian wire layout and a parsed representation ([`Iu`]).

use crate::code_table::{code_of, value_of};
use crate::error::{BuildError, DecodeError};
use crate::scsi::status::Status;
use codes::{RESPONSE_CODES, TASK_ATTRIBUTES, TASK_MANAGEMENT_FUNCTIONS};
use serde::Serialize;
use zerocopy::big_endian::U16;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// IU ID of the Command IU (UAS-2 6.2.2).
pub const IU_ID_COMMAND: u8 = 0x01;
/// IU ID of the Sense IU (UAS-2 6.2.4).
pub const IU_ID_SENSE: u8 = 0x03;
/// IU ID of the Response IU (UAS-2 6.2.5).
pub const IU_ID_RESPONSE: u8 = 0x04;
/// IU ID of the Task Management IU (UAS-2 6.2.3).
pub const IU_ID_TASK_MANAGEMENT: u8 = 0x05;
/// IU ID of the Read Ready IU (UAS-2 6.2.6).
pub const IU_ID_READ_READY: u8 = 0x06;
/// IU ID of the Write Ready IU (UAS-2 6.2.7).
pub const IU_ID_WRITE_READY: u8 = 0x07;

/// The Command IU without additional CDB bytes (UAS-2 6.2.2).
pub const COMMAND_IU_LEN: usize = 32;
/// The Sense IU before its sense data (UAS-2 6.2.4).
pub const SENSE_IU_HEADER_LEN: usize = 16;
/// The Response IU (UAS-2 6.2.5).
pub const RESPONSE_IU_LEN: usize = 8;
/// The Task Management IU (UAS-2 6.2.3).
pub const TASK_MANAGEMENT_IU_LEN: usize = 16;
/// The Read Ready and Write Ready IUs (UAS-2 6.2.6, 6.2.7).
pub const READY_IU_LEN: usize = 4;
/// The CDB field of the Command IU (UAS-2 6.2.2): longer CDBs continue in the additional
/// CDB bytes.
pub const CDB_FIELD_LEN: usize = 16;
/// The largest ADDITIONAL CDB LENGTH (UAS-2 6.2.2): six bits, counted in dwords.
pub const MAX_ADDITIONAL_CDB_DWORDS: usize = 0x3f;

/// The header every IU starts with (UAS-2 6.2.1): IU ID, reserved, TAG.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct IuHeader {
    /// IU ID.
    pub iu_id: u8,
    reserved: u8,
    /// TAG: the command or task management function the IU belongs to.
    pub tag: U16,
}

impl IuHeader {
    /// The header at the start of `bytes`.
    pub fn parse(bytes: &[u8]) -> Result<Self, DecodeError> {
        IuHeader::read_from_prefix(bytes)
            .map(|(header, _)| header)
            .map_err(|_| truncated("IU header", READY_IU_LEN, bytes.len()))
    }
}

/// Command IU wire layout (UAS-2 6.2.2, table "Command IU").
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
struct CommandView {
    header: IuHeader,
    /// Bits 6:3 COMMAND PRIORITY, bits 2:0 TASK ATTRIBUTE.
    priority_attribute: u8,
    reserved5: u8,
    /// Bits 7:2 ADDITIONAL CDB LENGTH in dwords.
    additional_cdb_length: u8,
    reserved7: u8,
    lun: [u8; 8],
    cdb: [u8; CDB_FIELD_LEN],
}

/// Sense IU wire layout before the sense data (UAS-2 6.2.4, table "Sense IU").
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
struct SenseView {
    header: IuHeader,
    status_qualifier: U16,
    status: u8,
    reserved: [u8; 7],
    sense_data_length: U16,
}

/// Response IU wire layout (UAS-2 6.2.5, table "Response IU").
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
struct ResponseView {
    header: IuHeader,
    additional_response_information: [u8; 3],
    response_code: u8,
}

/// Task Management IU wire layout (UAS-2 6.2.3, table "Task Management IU").
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
struct TaskManagementView {
    header: IuHeader,
    function: u8,
    reserved5: u8,
    task_tag: U16,
    lun: [u8; 8],
}

/// A Command IU (UAS-2 6.2.2): a SCSI command for the logical unit `lun`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct CommandIu {
    /// TAG: names the command on the status and data pipes (its stream ID with streams).
    pub tag: u16,
    /// COMMAND PRIORITY, 0 to 15 (SAM-5 8.7).
    pub command_priority: u8,
    /// TASK ATTRIBUTE.
    pub task_attribute: TaskAttribute,
    /// LOGICAL UNIT NUMBER: the eight SAM-5 4.7 LUN bytes.
    pub lun: [u8; 8],
    /// CDB: the first 16 CDB bytes, zero padded.
    pub cdb: [u8; CDB_FIELD_LEN],
    /// ADDITIONAL CDB BYTES: the CDB beyond 16 bytes, a whole number of dwords (the
    /// ADDITIONAL CDB LENGTH field counts them).
    pub additional_cdb: Vec<u8>,
}

impl CommandIu {
    /// A SIMPLE command of priority 0 carrying `cdb` (1 to 16 bytes, or 16 plus a whole
    /// number of dwords up to 63 of them) to the logical unit `lun` (UAS-2 6.2.2).
    pub fn new(tag: u16, lun: [u8; 8], cdb: &[u8]) -> Result<Self, BuildError> {
        const WHAT: &str = "Command IU";
        if cdb.is_empty() {
            return Err(BuildError::Invalid {
                command: WHAT,
                reason: "the CDB holds at least one byte",
            });
        }
        let (head, tail) = cdb.split_at(cdb.len().min(CDB_FIELD_LEN));
        BuildError::check_max(
            WHAT,
            "ADDITIONAL CDB LENGTH",
            tail.len() as u64,
            (MAX_ADDITIONAL_CDB_DWORDS * 4) as u64,
        )?;
        if tail.len() % 4 != 0 {
            return Err(BuildError::Invalid {
                command: WHAT,
                reason: "a CDB beyond 16 bytes continues in whole dwords",
            });
        }
        let mut field = [0u8; CDB_FIELD_LEN];
        field
            .get_mut(..head.len())
            .map(|f| f.copy_from_slice(head))
            .ok_or(BuildError::Invalid {
                command: WHAT,
                reason: "CDB field",
            })?;
        Ok(CommandIu {
            tag,
            command_priority: 0,
            task_attribute: TaskAttribute::Simple,
            lun,
            cdb: field,
            additional_cdb: tail.to_vec(),
        })
    }

    /// The same command with COMMAND PRIORITY `priority` (0 to 15) and `attribute`.
    pub fn with_attributes(
        mut self,
        priority: u8,
        attribute: TaskAttribute,
    ) -> Result<Self, BuildError> {
        BuildError::check_max("Command IU", "COMMAND PRIORITY", priority.into(), 15)?;
        self.command_priority = priority;
        self.task_attribute = attribute;
        Ok(self)
    }

    fn parse(bytes: &[u8]) -> Result<Self, DecodeError> {
        let (view, rest) = CommandView::read_from_prefix(bytes)
            .map_err(|_| truncated("Command IU", COMMAND_IU_LEN, bytes.len()))?;
        let code = view.priority_attribute & 0x07;
        let task_attribute = value_of(&TASK_ATTRIBUTES, code).ok_or(DecodeError::InvalidValue {
            what: "Command IU TASK ATTRIBUTE",
            value: code.into(),
        })?;
        let extra = usize::from(view.additional_cdb_length >> 2) * 4;
        exact("Command IU", COMMAND_IU_LEN + extra, bytes.len())?;
        Ok(CommandIu {
            tag: view.header.tag.get(),
            command_priority: (view.priority_attribute >> 3) & 0x0f,
            task_attribute,
            lun: view.lun,
            cdb: view.cdb,
            additional_cdb: rest.to_vec(),
        })
    }

    fn emit(&self, out: &mut Vec<u8>) {
        let view = CommandView {
            header: header(IU_ID_COMMAND, self.tag),
            priority_attribute: (self.command_priority & 0x0f) << 3
                | code_of(&TASK_ATTRIBUTES, self.task_attribute),
            reserved5: 0,
            // Builders bound the additional CDB to 63 dwords.
            additional_cdb_length: ((self.additional_cdb.len() / 4) as u8) << 2,
            reserved7: 0,
            lun: self.lun,
            cdb: self.cdb,
        };
        out.extend_from_slice(view.as_bytes());
        out.extend_from_slice(&self.additional_cdb);
    }
}

/// A Sense IU (UAS-2 6.2.4): the status of the command tagged `tag`, with sense data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct SenseIu {
    /// TAG of the command.
    pub tag: u16,
    /// STATUS QUALIFIER (SAM-5 5.3.2).
    pub status_qualifier: u16,
    /// STATUS (SAM-5 5.3.1).
    pub status: Status,
    /// SENSE DATA (SPC-5 4.4), SENSE DATA LENGTH bytes.
    pub sense_data: Vec<u8>,
}

impl SenseIu {
    /// A Sense IU carrying `status` and `sense_data` (at most FFFFh bytes, the SENSE DATA
    /// LENGTH field's range) for the command tagged `tag` (UAS-2 6.2.4).
    pub fn new(tag: u16, status: Status, sense_data: &[u8]) -> Result<Self, BuildError> {
        BuildError::check_max(
            "Sense IU",
            "SENSE DATA LENGTH",
            sense_data.len() as u64,
            u16::MAX.into(),
        )?;
        Ok(SenseIu {
            tag,
            status_qualifier: 0,
            status,
            sense_data: sense_data.to_vec(),
        })
    }

    fn parse(bytes: &[u8]) -> Result<Self, DecodeError> {
        let (view, rest) = SenseView::read_from_prefix(bytes)
            .map_err(|_| truncated("Sense IU", SENSE_IU_HEADER_LEN, bytes.len()))?;
        let length = usize::from(view.sense_data_length.get());
        exact("Sense IU", SENSE_IU_HEADER_LEN + length, bytes.len())?;
        Ok(SenseIu {
            tag: view.header.tag.get(),
            status_qualifier: view.status_qualifier.get(),
            status: Status::from(view.status),
            sense_data: rest.to_vec(),
        })
    }

    fn emit(&self, out: &mut Vec<u8>) {
        let view = SenseView {
            header: header(IU_ID_SENSE, self.tag),
            status_qualifier: self.status_qualifier.into(),
            status: u8::from(self.status),
            reserved: [0; 7],
            // Builders bound the sense data to u16::MAX bytes.
            sense_data_length: (self.sense_data.len() as u16).into(),
        };
        out.extend_from_slice(view.as_bytes());
        out.extend_from_slice(&self.sense_data);
    }
}

/// A Response IU (UAS-2 6.2.5): how a task management function (or an IU the device
/// could not accept) ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct ResponseIu {
    /// TAG of the IU answered.
    pub tag: u16,
    /// ADDITIONAL RESPONSE INFORMATION (SAM-5 7.11; QUERY ASYNCHRONOUS EVENT's answer).
    pub additional_response_information: [u8; 3],
    /// RESPONSE CODE.
    pub response_code: ResponseCode,
}

impl ResponseIu {
    /// A Response IU with `response_code` and no additional information (UAS-2 6.2.5).
    pub fn new(tag: u16, response_code: ResponseCode) -> Self {
        ResponseIu {
            tag,
            additional_response_information: [0; 3],
            response_code,
        }
    }

    fn parse(bytes: &[u8]) -> Result<Self, DecodeError> {
        let view = ResponseView::read_from_bytes(bytes)
            .map_err(|_| wrong_length("Response IU", RESPONSE_IU_LEN, bytes.len()))?;
        let response_code =
            value_of(&RESPONSE_CODES, view.response_code).ok_or(DecodeError::InvalidValue {
                what: "Response IU RESPONSE CODE",
                value: view.response_code.into(),
            })?;
        Ok(ResponseIu {
            tag: view.header.tag.get(),
            additional_response_information: view.additional_response_information,
            response_code,
        })
    }

    fn emit(&self, out: &mut Vec<u8>) {
        let view = ResponseView {
            header: header(IU_ID_RESPONSE, self.tag),
            additional_response_information: self.additional_response_information,
            response_code: self.response_code.code(),
        };
        out.extend_from_slice(view.as_bytes());
    }
}

/// A Task Management IU (UAS-2 6.2.3): `function` applied to the logical unit `lun`
/// (and, for ABORT TASK and QUERY TASK, to the command tagged `task_tag`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct TaskManagementIu {
    /// TAG of the task management function itself.
    pub tag: u16,
    /// TASK MANAGEMENT FUNCTION.
    pub function: TaskManagementFunction,
    /// TAG OF TASK TO BE MANAGED.
    pub task_tag: u16,
    /// LOGICAL UNIT NUMBER: the eight SAM-5 4.7 LUN bytes.
    pub lun: [u8; 8],
}

impl TaskManagementIu {
    fn parse(bytes: &[u8]) -> Result<Self, DecodeError> {
        let view = TaskManagementView::read_from_bytes(bytes)
            .map_err(|_| wrong_length("Task Management IU", TASK_MANAGEMENT_IU_LEN, bytes.len()))?;
        let function = value_of(&TASK_MANAGEMENT_FUNCTIONS, view.function).ok_or(
            DecodeError::InvalidValue {
                what: "Task Management IU TASK MANAGEMENT FUNCTION",
                value: view.function.into(),
            },
        )?;
        Ok(TaskManagementIu {
            tag: view.header.tag.get(),
            function,
            task_tag: view.task_tag.get(),
            lun: view.lun,
        })
    }

    fn emit(&self, out: &mut Vec<u8>) {
        let view = TaskManagementView {
            header: header(IU_ID_TASK_MANAGEMENT, self.tag),
            function: self.function.code(),
            reserved5: 0,
            task_tag: self.task_tag.into(),
            lun: self.lun,
        };
        out.extend_from_slice(view.as_bytes());
    }
}

/// One information unit (UAS-2 6.2), parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "iu")]
pub enum Iu {
    /// Command IU (01h).
    Command(CommandIu),
    /// Sense IU (03h).
    Sense(SenseIu),
    /// Response IU (04h).
    Response(ResponseIu),
    /// Task Management IU (05h).
    TaskManagement(TaskManagementIu),
    /// Read Ready IU (06h): the device is ready to send the data-in of command `tag`.
    ReadReady {
        /// TAG of the command.
        tag: u16,
    },
    /// Write Ready IU (07h): the device is ready to receive the data-out of command `tag`.
    WriteReady {
        /// TAG of the command.
        tag: u16,
    },
}

impl Iu {
    /// Parses one IU: the whole of `bytes`, whose length must be the IU's (UAS-2 6.2).
    pub fn parse(bytes: &[u8]) -> Result<Self, DecodeError> {
        let head = IuHeader::parse(bytes)?;
        match head.iu_id {
            IU_ID_COMMAND => CommandIu::parse(bytes).map(Iu::Command),
            IU_ID_SENSE => SenseIu::parse(bytes).map(Iu::Sense),
            IU_ID_RESPONSE => ResponseIu::parse(bytes).map(Iu::Response),
            IU_ID_TASK_MANAGEMENT => TaskManagementIu::parse(bytes).map(Iu::TaskManagement),
            IU_ID_READ_READY | IU_ID_WRITE_READY => {
                exact("Read/Write Ready IU", READY_IU_LEN, bytes.len())?;
                let tag = head.tag.get();
                Ok(if head.iu_id == IU_ID_READ_READY {
                    Iu::ReadReady { tag }
                } else {
                    Iu::WriteReady { tag }
                })
            }
            other => Err(DecodeError::InvalidValue {
                what: "IU ID",
                value: other.into(),
            }),
        }
    }

    /// The IU's wire bytes (UAS-2 6.2).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            Iu::Command(iu) => iu.emit(&mut out),
            Iu::Sense(iu) => iu.emit(&mut out),
            Iu::Response(iu) => iu.emit(&mut out),
            Iu::TaskManagement(iu) => iu.emit(&mut out),
            Iu::ReadReady { tag } => {
                out.extend_from_slice(header(IU_ID_READ_READY, *tag).as_bytes())
            }
            Iu::WriteReady { tag } => {
                out.extend_from_slice(header(IU_ID_WRITE_READY, *tag).as_bytes())
            }
        }
        out
    }

    /// The IU's TAG (UAS-2 6.2.1).
    pub fn tag(&self) -> u16 {
        match self {
            Iu::Command(iu) => iu.tag,
            Iu::Sense(iu) => iu.tag,
            Iu::Response(iu) => iu.tag,
            Iu::TaskManagement(iu) => iu.tag,
            Iu::ReadReady { tag } | Iu::WriteReady { tag } => *tag,
        }
    }
}

fn header(iu_id: u8, tag: u16) -> IuHeader {
    IuHeader {
        iu_id,
        reserved: 0,
        tag: tag.into(),
    }
}

fn truncated(what: &'static str, need: usize, have: usize) -> DecodeError {
    DecodeError::Truncated { what, need, have }
}

/// An IU whose length is fixed arrived with another length.
fn wrong_length(what: &'static str, need: usize, have: usize) -> DecodeError {
    if have < need {
        truncated(what, need, have)
    } else {
        DecodeError::Malformed {
            what,
            reason: "longer than the IU's length",
        }
    }
}

/// Checks that an IU of `need` bytes arrived as exactly `have` bytes.
fn exact(what: &'static str, need: usize, have: usize) -> Result<(), DecodeError> {
    if have == need {
        Ok(())
    } else {
        Err(wrong_length(what, need, have))
    }
}

mod codes;
#[cfg(test)]
mod tests;

pub use codes::{ResponseCode, TaskAttribute, TaskManagementFunction};

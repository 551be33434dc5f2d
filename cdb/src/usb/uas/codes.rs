//! The coded fields of UAS IUs (UAS-2 6.2): TASK ATTRIBUTE, RESPONSE CODE and TASK
//! MANAGEMENT FUNCTION, each with its table of codes.

use crate::code_table::code_of;
use serde::Serialize;

/// TASK ATTRIBUTE of a Command IU (UAS-2 6.2.2; SAM-5 8.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskAttribute {
    /// 000b SIMPLE.
    Simple,
    /// 001b HEAD OF QUEUE.
    HeadOfQueue,
    /// 010b ORDERED.
    Ordered,
    /// 100b ACA.
    Aca,
}

pub(super) const TASK_ATTRIBUTES: [(TaskAttribute, u8); 4] = [
    (TaskAttribute::Simple, 0b000),
    (TaskAttribute::HeadOfQueue, 0b001),
    (TaskAttribute::Ordered, 0b010),
    (TaskAttribute::Aca, 0b100),
];

/// RESPONSE CODE of a Response IU (UAS-2 6.2.5, table "RESPONSE CODE field").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResponseCode {
    /// 00h TASK MANAGEMENT FUNCTION COMPLETE.
    TaskManagementFunctionComplete,
    /// 02h INVALID INFORMATION UNIT.
    InvalidInformationUnit,
    /// 04h TASK MANAGEMENT FUNCTION NOT SUPPORTED.
    TaskManagementFunctionNotSupported,
    /// 05h TASK MANAGEMENT FUNCTION FAILED.
    TaskManagementFunctionFailed,
    /// 08h TASK MANAGEMENT FUNCTION SUCCEEDED.
    TaskManagementFunctionSucceeded,
    /// 09h INCORRECT LOGICAL UNIT NUMBER.
    IncorrectLogicalUnitNumber,
    /// 0Ah OVERLAPPED TAG ATTEMPTED.
    OverlappedTagAttempted,
}

pub(super) const RESPONSE_CODES: [(ResponseCode, u8); 7] = [
    (ResponseCode::TaskManagementFunctionComplete, 0x00),
    (ResponseCode::InvalidInformationUnit, 0x02),
    (ResponseCode::TaskManagementFunctionNotSupported, 0x04),
    (ResponseCode::TaskManagementFunctionFailed, 0x05),
    (ResponseCode::TaskManagementFunctionSucceeded, 0x08),
    (ResponseCode::IncorrectLogicalUnitNumber, 0x09),
    (ResponseCode::OverlappedTagAttempted, 0x0a),
];

/// TASK MANAGEMENT FUNCTION of a Task Management IU (UAS-2 6.2.3; SAM-5 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskManagementFunction {
    /// 01h ABORT TASK (SAM-5 7.2).
    AbortTask,
    /// 02h ABORT TASK SET (SAM-5 7.3).
    AbortTaskSet,
    /// 04h CLEAR TASK SET (SAM-5 7.5).
    ClearTaskSet,
    /// 08h LOGICAL UNIT RESET (SAM-5 7.7).
    LogicalUnitReset,
    /// 10h I_T NEXUS RESET (SAM-5 7.6).
    ITNexusReset,
    /// 40h CLEAR ACA (SAM-5 7.4).
    ClearAca,
    /// 80h QUERY TASK (SAM-5 7.8).
    QueryTask,
    /// 81h QUERY TASK SET (SAM-5 7.9).
    QueryTaskSet,
    /// 82h QUERY ASYNCHRONOUS EVENT (SAM-5 7.10).
    QueryAsynchronousEvent,
}

pub(super) const TASK_MANAGEMENT_FUNCTIONS: [(TaskManagementFunction, u8); 9] = [
    (TaskManagementFunction::AbortTask, 0x01),
    (TaskManagementFunction::AbortTaskSet, 0x02),
    (TaskManagementFunction::ClearTaskSet, 0x04),
    (TaskManagementFunction::LogicalUnitReset, 0x08),
    (TaskManagementFunction::ITNexusReset, 0x10),
    (TaskManagementFunction::ClearAca, 0x40),
    (TaskManagementFunction::QueryTask, 0x80),
    (TaskManagementFunction::QueryTaskSet, 0x81),
    (TaskManagementFunction::QueryAsynchronousEvent, 0x82),
];

impl TaskManagementFunction {
    /// The TASK MANAGEMENT FUNCTION code (UAS-2 6.2.3).
    pub fn code(self) -> u8 {
        code_of(&TASK_MANAGEMENT_FUNCTIONS, self)
    }
}

impl ResponseCode {
    /// The RESPONSE CODE byte (UAS-2 6.2.5).
    pub fn code(self) -> u8 {
        code_of(&RESPONSE_CODES, self)
    }
}

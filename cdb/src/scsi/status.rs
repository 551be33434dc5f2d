//! SCSI status codes (SAM-5 5.3.1, table "Status codes"): the byte a logical unit returns
//! when a command completes.

use serde::Serialize;
use std::fmt;

/// A SCSI status code (SAM-5 5.3.1).
///
/// Conversion from a byte never fails: a value the table does not assign is kept as
/// [`Status::Reserved`] with its raw byte, so `u8::from(Status::from(b)) == b` for every
/// byte `b`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(into = "StatusRepr")]
#[schemars(with = "StatusRepr")]
pub enum Status {
    /// GOOD (00h): the command completed successfully (SAM-5 5.3.1).
    Good,
    /// CHECK CONDITION (02h): sense data describes an error or exception (SAM-5 5.3.1).
    CheckCondition,
    /// CONDITION MET (04h): the requested operation is satisfied, e.g. PRE-FETCH found room
    /// in the cache (SAM-5 5.3.1).
    ConditionMet,
    /// BUSY (08h): the logical unit cannot accept the command now (SAM-5 5.3.1).
    Busy,
    /// INTERMEDIATE (10h): obsolete, for linked commands (SAM-5 5.3.1).
    Intermediate,
    /// INTERMEDIATE-CONDITION MET (14h): obsolete, for linked commands (SAM-5 5.3.1).
    IntermediateConditionMet,
    /// RESERVATION CONFLICT (18h): the command conflicts with a reservation (SAM-5 5.3.1).
    ReservationConflict,
    /// COMMAND TERMINATED (22h): obsolete (SAM-5 5.3.1).
    CommandTerminated,
    /// TASK SET FULL (28h): the task set has no room for the command (SAM-5 5.3.1).
    TaskSetFull,
    /// ACA ACTIVE (30h): an auto contingent allegiance is in effect (SAM-5 5.3.1).
    AcaActive,
    /// TASK ABORTED (40h): the command was aborted by another I_T nexus (SAM-5 5.3.1).
    TaskAborted,
    /// A reserved status value, holding the raw byte (SAM-5 5.3.1). Built by
    /// [`Status::from`] only for bytes the table does not assign.
    Reserved(u8),
}

/// The assigned status codes of SAM-5 5.3.1, with the standard's names.
const ASSIGNED: [(u8, Status, &str); 11] = [
    (0x00, Status::Good, "GOOD"),
    (0x02, Status::CheckCondition, "CHECK CONDITION"),
    (0x04, Status::ConditionMet, "CONDITION MET"),
    (0x08, Status::Busy, "BUSY"),
    (0x10, Status::Intermediate, "INTERMEDIATE"),
    (
        0x14,
        Status::IntermediateConditionMet,
        "INTERMEDIATE-CONDITION MET",
    ),
    (0x18, Status::ReservationConflict, "RESERVATION CONFLICT"),
    (0x22, Status::CommandTerminated, "COMMAND TERMINATED"),
    (0x28, Status::TaskSetFull, "TASK SET FULL"),
    (0x30, Status::AcaActive, "ACA ACTIVE"),
    (0x40, Status::TaskAborted, "TASK ABORTED"),
];

impl Status {
    /// The status byte (SAM-5 5.3.1).
    pub fn code(self) -> u8 {
        match self {
            Status::Reserved(code) => code,
            known => ASSIGNED
                .iter()
                .find(|(_, status, _)| *status == known)
                .map_or(0, |(code, _, _)| *code),
        }
    }

    /// The standard's name for the status, or `"RESERVED"` (SAM-5 5.3.1).
    pub fn name(self) -> &'static str {
        ASSIGNED
            .iter()
            .find(|(_, status, _)| *status == self)
            .map_or("RESERVED", |(_, _, name)| name)
    }

    /// Whether SAM-5 5.3.1 marks the status obsolete (INTERMEDIATE, INTERMEDIATE-CONDITION
    /// MET, COMMAND TERMINATED).
    pub fn is_obsolete(self) -> bool {
        matches!(
            self,
            Status::Intermediate | Status::IntermediateConditionMet | Status::CommandTerminated
        )
    }
}

impl From<u8> for Status {
    /// Decodes a status byte (SAM-5 5.3.1); unassigned values become [`Status::Reserved`].
    fn from(code: u8) -> Self {
        ASSIGNED
            .iter()
            .find(|(c, _, _)| *c == code)
            .map_or(Status::Reserved(code), |(_, status, _)| *status)
    }
}

impl From<Status> for u8 {
    /// The status byte (SAM-5 5.3.1).
    fn from(status: Status) -> Self {
        status.code()
    }
}

impl fmt::Display for Status {
    /// The standard's name; a reserved value shows its byte, e.g. `RESERVED (01h)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Reserved(code) => write!(f, "RESERVED ({code:02X}h)"),
            known => f.write_str(known.name()),
        }
    }
}

/// The JSON form of a [`Status`]: its code and its name (SAM-5 5.3.1).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct StatusRepr {
    /// The status byte.
    pub code: u8,
    /// The standard's name, or `"RESERVED"`.
    pub name: &'static str,
}

impl From<Status> for StatusRepr {
    fn from(status: Status) -> Self {
        StatusRepr {
            code: status.code(),
            name: status.name(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Status;

    /// SAM-5 5.3.1 table "Status codes".
    #[test]
    fn assigned_codes_match_sam5() {
        let cases = [
            (0x00, Status::Good, "GOOD"),
            (0x02, Status::CheckCondition, "CHECK CONDITION"),
            (0x04, Status::ConditionMet, "CONDITION MET"),
            (0x08, Status::Busy, "BUSY"),
            (0x10, Status::Intermediate, "INTERMEDIATE"),
            (
                0x14,
                Status::IntermediateConditionMet,
                "INTERMEDIATE-CONDITION MET",
            ),
            (0x18, Status::ReservationConflict, "RESERVATION CONFLICT"),
            (0x22, Status::CommandTerminated, "COMMAND TERMINATED"),
            (0x28, Status::TaskSetFull, "TASK SET FULL"),
            (0x30, Status::AcaActive, "ACA ACTIVE"),
            (0x40, Status::TaskAborted, "TASK ABORTED"),
        ];
        for (code, status, name) in cases {
            assert_eq!(Status::from(code), status);
            assert_eq!(u8::from(status), code);
            assert_eq!(status.to_string(), name);
        }
    }

    #[test]
    fn every_byte_round_trips() {
        for b in 0..=u8::MAX {
            assert_eq!(u8::from(Status::from(b)), b);
        }
    }

    #[test]
    fn reserved_keeps_its_byte() {
        for b in [0x01, 0x06, 0x0C, 0x20, 0x3E, 0x41, 0xFF] {
            assert_eq!(Status::from(b), Status::Reserved(b));
            assert_eq!(Status::from(b).name(), "RESERVED");
        }
        assert_eq!(Status::Reserved(0x01).to_string(), "RESERVED (01h)");
    }

    #[test]
    fn obsolete_codes() {
        assert!(Status::from(0x10).is_obsolete());
        assert!(Status::from(0x14).is_obsolete());
        assert!(Status::from(0x22).is_obsolete());
        assert!(!Status::from(0x02).is_obsolete());
        assert!(!Status::from(0x01).is_obsolete());
    }

    #[test]
    fn serialises_code_and_name() {
        let json = serde_json::to_value(Status::CheckCondition).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": 2, "name": "CHECK CONDITION"})
        );
        let json = serde_json::to_value(Status::from(0x3E)).unwrap();
        assert_eq!(json, serde_json::json!({"code": 62, "name": "RESERVED"}));
    }

    #[test]
    fn schema_describes_code_and_name() {
        let schema = serde_json::to_value(schemars::schema_for!(Status)).unwrap();
        let props = &schema["properties"];
        assert!(props.get("code").is_some());
        assert!(props.get("name").is_some());
    }
}

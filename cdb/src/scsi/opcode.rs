//! Operation code and service action names for the commands of SPC-5 and SBC-4 (plus the
//! SAT-5 ATA PASS-THROUGH commands), and the CDB length an operation code's group code
//! implies (SPC-5 4.2.5.1).

use serde::Serialize;

/// One named command: an operation code, and for commands selected by a service action
/// (SPC-5 4.2.5.2) that service action too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpcodeName {
    /// OPERATION CODE.
    pub opcode: u8,
    /// SERVICE ACTION, for service-action commands; `None` names the operation code itself.
    pub service_action: Option<u16>,
    /// The name as the standard spells it.
    pub name: &'static str,
}

const fn op(opcode: u8, name: &'static str) -> OpcodeName {
    OpcodeName {
        opcode,
        service_action: None,
        name,
    }
}

const fn sa(opcode: u8, service_action: u16, name: &'static str) -> OpcodeName {
    OpcodeName {
        opcode,
        service_action: Some(service_action),
        name,
    }
}

/// SERVICE ACTION IN (16) (SPC-5 4.2.5.2, SBC-4 5.21).
pub const SERVICE_ACTION_IN_16: u8 = 0x9e;
/// SERVICE ACTION OUT (16) (SPC-5 4.2.5.2).
pub const SERVICE_ACTION_OUT_16: u8 = 0x9f;
/// MAINTENANCE IN (SPC-5 4.2.5.2).
pub const MAINTENANCE_IN: u8 = 0xa3;
/// MAINTENANCE OUT (SPC-5 4.2.5.2).
pub const MAINTENANCE_OUT: u8 = 0xa4;
/// The variable-length CDB operation code (SPC-5 4.2.4).
pub const VARIABLE_LENGTH: u8 = 0x7f;

/// Every named command, ordered by operation code then service action (the command
/// lists of SPC-5 6 and SBC-4 5, SAT-5 12.2 for ATA PASS-THROUGH, and the obsolete
/// READ/WRITE (6), SEEK (10), RESERVE and RELEASE that emulators such as QEMU still serve).
pub static OPCODES: &[OpcodeName] = &[
    op(0x00, "TEST UNIT READY"),
    op(0x03, "REQUEST SENSE"),
    op(0x04, "FORMAT UNIT"),
    op(0x07, "REASSIGN BLOCKS"),
    op(0x08, "READ (6)"),
    op(0x0a, "WRITE (6)"),
    op(0x12, "INQUIRY"),
    op(0x15, "MODE SELECT (6)"),
    op(0x16, "RESERVE (6)"),
    op(0x17, "RELEASE (6)"),
    op(0x1a, "MODE SENSE (6)"),
    op(0x1b, "START STOP UNIT"),
    op(0x1c, "RECEIVE DIAGNOSTIC RESULTS"),
    op(0x1d, "SEND DIAGNOSTIC"),
    op(0x1e, "PREVENT ALLOW MEDIUM REMOVAL"),
    op(0x25, "READ CAPACITY (10)"),
    op(0x28, "READ (10)"),
    op(0x2a, "WRITE (10)"),
    op(0x2b, "SEEK (10)"),
    op(0x2e, "WRITE AND VERIFY (10)"),
    op(0x2f, "VERIFY (10)"),
    op(0x34, "PRE-FETCH (10)"),
    op(0x35, "SYNCHRONIZE CACHE (10)"),
    op(0x37, "READ DEFECT DATA (10)"),
    op(0x3b, "WRITE BUFFER"),
    op(0x3c, "READ BUFFER (10)"),
    op(0x3e, "READ LONG (10)"),
    op(0x3f, "WRITE LONG (10)"),
    op(0x41, "WRITE SAME (10)"),
    op(0x42, "UNMAP"),
    op(0x48, "SANITIZE"),
    sa(0x48, 0x01, "SANITIZE (OVERWRITE)"),
    sa(0x48, 0x02, "SANITIZE (BLOCK ERASE)"),
    sa(0x48, 0x03, "SANITIZE (CRYPTOGRAPHIC ERASE)"),
    sa(0x48, 0x1f, "SANITIZE (EXIT FAILURE MODE)"),
    op(0x4c, "LOG SELECT"),
    op(0x4d, "LOG SENSE"),
    op(0x55, "MODE SELECT (10)"),
    op(0x56, "RESERVE (10)"),
    op(0x57, "RELEASE (10)"),
    op(0x5a, "MODE SENSE (10)"),
    op(0x5e, "PERSISTENT RESERVE IN"),
    sa(0x5e, 0x00, "READ KEYS"),
    sa(0x5e, 0x01, "READ RESERVATION"),
    sa(0x5e, 0x02, "REPORT CAPABILITIES"),
    sa(0x5e, 0x03, "READ FULL STATUS"),
    op(0x5f, "PERSISTENT RESERVE OUT"),
    sa(0x5f, 0x00, "REGISTER"),
    sa(0x5f, 0x01, "RESERVE"),
    sa(0x5f, 0x02, "RELEASE"),
    sa(0x5f, 0x03, "CLEAR"),
    sa(0x5f, 0x04, "PREEMPT"),
    sa(0x5f, 0x05, "PREEMPT AND ABORT"),
    sa(0x5f, 0x06, "REGISTER AND IGNORE EXISTING KEY"),
    sa(0x5f, 0x07, "REGISTER AND MOVE"),
    sa(0x5f, 0x08, "REPLACE LOST RESERVATION"),
    op(0x7f, "VARIABLE LENGTH"),
    sa(0x7f, 0x0009, "READ (32)"),
    sa(0x7f, 0x000a, "VERIFY (32)"),
    sa(0x7f, 0x000b, "WRITE (32)"),
    sa(0x7f, 0x000c, "WRITE AND VERIFY (32)"),
    sa(0x7f, 0x000d, "WRITE SAME (32)"),
    sa(0x7f, 0x000e, "ORWRITE (32)"),
    sa(0x7f, 0x000f, "WRITE ATOMIC (32)"),
    sa(0x7f, 0x0010, "WRITE STREAM (32)"),
    sa(0x7f, 0x0011, "WRITE SCATTERED (32)"),
    sa(0x7f, 0x0012, "GET LBA STATUS (32)"),
    sa(0x7f, 0x1800, "RECEIVE CREDENTIAL"),
    sa(0x7f, 0x1ff0, "ATA PASS-THROUGH (32)"),
    op(0x83, "THIRD-PARTY COPY OUT"),
    sa(0x83, 0x00, "EXTENDED COPY (LID1)"),
    sa(0x83, 0x01, "EXTENDED COPY"),
    sa(0x83, 0x10, "POPULATE TOKEN"),
    sa(0x83, 0x11, "WRITE USING TOKEN"),
    sa(0x83, 0x1c, "COPY OPERATION ABORT"),
    op(0x84, "THIRD-PARTY COPY IN"),
    sa(0x84, 0x00, "RECEIVE COPY STATUS (LID1)"),
    sa(0x84, 0x01, "RECEIVE COPY DATA (LID1)"),
    sa(0x84, 0x03, "RECEIVE COPY OPERATING PARAMETERS"),
    sa(0x84, 0x04, "RECEIVE COPY FAILURE DETAILS (LID1)"),
    sa(0x84, 0x05, "RECEIVE COPY STATUS"),
    sa(0x84, 0x06, "RECEIVE COPY DATA"),
    sa(0x84, 0x07, "RECEIVE ROD TOKEN INFORMATION"),
    sa(0x84, 0x08, "REPORT ALL ROD TOKENS"),
    op(0x85, "ATA PASS-THROUGH (16)"),
    op(0x86, "ACCESS CONTROL IN"),
    op(0x87, "ACCESS CONTROL OUT"),
    op(0x88, "READ (16)"),
    op(0x89, "COMPARE AND WRITE"),
    op(0x8a, "WRITE (16)"),
    op(0x8b, "ORWRITE (16)"),
    op(0x8c, "READ ATTRIBUTE"),
    op(0x8d, "WRITE ATTRIBUTE"),
    op(0x8e, "WRITE AND VERIFY (16)"),
    op(0x8f, "VERIFY (16)"),
    op(0x90, "PRE-FETCH (16)"),
    op(0x91, "SYNCHRONIZE CACHE (16)"),
    op(0x93, "WRITE SAME (16)"),
    op(0x9a, "WRITE STREAM (16)"),
    op(0x9b, "READ BUFFER (16)"),
    op(0x9c, "WRITE ATOMIC (16)"),
    op(0x9d, "SERVICE ACTION BIDIRECTIONAL"),
    op(0x9e, "SERVICE ACTION IN (16)"),
    sa(0x9e, 0x0f, "RECEIVE BINDING REPORT"),
    sa(0x9e, 0x10, "READ CAPACITY (16)"),
    sa(0x9e, 0x11, "READ LONG (16)"),
    sa(0x9e, 0x12, "GET LBA STATUS (16)"),
    sa(0x9e, 0x13, "REPORT REFERRALS"),
    sa(0x9e, 0x14, "STREAM CONTROL"),
    sa(0x9e, 0x15, "BACKGROUND CONTROL"),
    sa(0x9e, 0x16, "GET STREAM STATUS"),
    sa(0x9e, 0x17, "GET PHYSICAL ELEMENT STATUS"),
    sa(0x9e, 0x18, "REMOVE ELEMENT AND TRUNCATE"),
    sa(0x9e, 0x19, "RESTORE ELEMENTS AND REBUILD"),
    op(0x9f, "SERVICE ACTION OUT (16)"),
    sa(0x9f, 0x0b, "TEST BIND"),
    sa(0x9f, 0x0c, "PREPARE BIND REPORT"),
    sa(0x9f, 0x0d, "SET AFFILIATION"),
    sa(0x9f, 0x0e, "BIND"),
    sa(0x9f, 0x0f, "UNBIND"),
    sa(0x9f, 0x11, "WRITE LONG (16)"),
    sa(0x9f, 0x12, "WRITE SCATTERED (16)"),
    op(0xa0, "REPORT LUNS"),
    op(0xa1, "ATA PASS-THROUGH (12)"),
    op(0xa2, "SECURITY PROTOCOL IN"),
    op(0xa3, "MAINTENANCE IN"),
    sa(0xa3, 0x05, "REPORT IDENTIFYING INFORMATION"),
    sa(0xa3, 0x0a, "REPORT TARGET PORT GROUPS"),
    sa(0xa3, 0x0b, "REPORT ALIASES"),
    sa(0xa3, 0x0c, "REPORT SUPPORTED OPERATION CODES"),
    sa(0xa3, 0x0d, "REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS"),
    sa(0xa3, 0x0e, "REPORT PRIORITY"),
    sa(0xa3, 0x0f, "REPORT TIMESTAMP"),
    sa(0xa3, 0x10, "MANAGEMENT PROTOCOL IN"),
    sa(0xa3, 0x1d, "REPORT PROVISIONING INITIALIZATION PATTERN"),
    op(0xa4, "MAINTENANCE OUT"),
    sa(0xa4, 0x06, "SET IDENTIFYING INFORMATION"),
    sa(0xa4, 0x0a, "SET TARGET PORT GROUPS"),
    sa(0xa4, 0x0b, "CHANGE ALIASES"),
    sa(0xa4, 0x0c, "REMOVE I_T NEXUS"),
    sa(0xa4, 0x0e, "SET PRIORITY"),
    sa(0xa4, 0x0f, "SET TIMESTAMP"),
    sa(0xa4, 0x10, "MANAGEMENT PROTOCOL OUT"),
    op(0xa8, "READ (12)"),
    op(0xa9, "SERVICE ACTION OUT (12)"),
    op(0xaa, "WRITE (12)"),
    op(0xab, "SERVICE ACTION IN (12)"),
    sa(0xab, 0x01, "READ MEDIA SERIAL NUMBER"),
    op(0xae, "WRITE AND VERIFY (12)"),
    op(0xaf, "VERIFY (12)"),
    op(0xb5, "SECURITY PROTOCOL OUT"),
    op(0xb7, "READ DEFECT DATA (12)"),
];

/// Operation codes whose byte 1 bits 4:0 hold a SERVICE ACTION (SPC-5 4.2.5.2); the
/// variable-length CDB (7Fh) holds it in bytes 8 and 9 instead (SPC-5 4.2.4).
const BYTE1_SERVICE_ACTION: &[u8] = &[
    0x48, 0x5e, 0x5f, 0x83, 0x84, 0x86, 0x87, 0x8c, 0x9d, 0x9e, 0x9f, 0xa3, 0xa4, 0xa9, 0xab,
];

/// Whether `opcode` selects its command by a service action (SPC-5 4.2.5.2, 4.2.4).
pub fn has_service_action(opcode: u8) -> bool {
    opcode == VARIABLE_LENGTH || BYTE1_SERVICE_ACTION.contains(&opcode)
}

/// The SERVICE ACTION of `cdb`, if its operation code has one and the CDB is long enough
/// to hold it (SPC-5 4.2.5.2; bytes 8–9 of a variable-length CDB, SPC-5 4.2.4).
pub fn service_action(cdb: &[u8]) -> Option<u16> {
    match cdb.first() {
        Some(&VARIABLE_LENGTH) => match (cdb.get(8), cdb.get(9)) {
            (Some(&hi), Some(&lo)) => Some(u16::from_be_bytes([hi, lo])),
            _ => None,
        },
        Some(&opcode) if BYTE1_SERVICE_ACTION.contains(&opcode) => {
            cdb.get(1).map(|b| u16::from(b & 0x1f))
        }
        _ => None,
    }
}

/// The entry for `opcode` and `service_action` (`None` for the operation code's own name).
pub fn lookup(opcode: u8, service_action: Option<u16>) -> Option<&'static OpcodeName> {
    OPCODES
        .iter()
        .find(|e| e.opcode == opcode && e.service_action == service_action)
}

/// The operation code's own name, e.g. `"SERVICE ACTION IN (16)"` for 9Eh.
pub fn opcode_name(opcode: u8) -> Option<&'static str> {
    lookup(opcode, None).map(|e| e.name)
}

/// The most specific name for a CDB: its service action's name where it has one that is
/// known, else its operation code's name.
pub fn cdb_name(cdb: &[u8]) -> Option<&'static str> {
    let opcode = *cdb.first()?;
    service_action(cdb)
        .and_then(|sa| lookup(opcode, Some(sa)))
        .or_else(|| lookup(opcode, None))
        .map(|e| e.name)
}

/// The CDB length an operation code's GROUP CODE (bits 7:5) implies (SPC-5 4.2.5.1,
/// table 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "kind", content = "bytes")]
pub enum CdbLength {
    /// A fixed length: 6 (group 0), 10 (groups 1 and 2), 16 (group 4) or 12 (group 5).
    Fixed(usize),
    /// The variable-length CDB 7Fh: 8 + ADDITIONAL CDB LENGTH (byte 7) bytes.
    Variable,
    /// Group 3 other than 7Fh: reserved.
    Reserved,
    /// Groups 6 and 7: vendor specific, any length.
    VendorSpecific,
}

/// The GROUP CODE of an operation code: bits 7:5 (SPC-5 4.2.5.1).
pub fn group_code(opcode: u8) -> u8 {
    opcode >> 5
}

/// The CDB length `opcode` implies (SPC-5 4.2.5.1).
pub fn cdb_length(opcode: u8) -> CdbLength {
    match group_code(opcode) {
        0 => CdbLength::Fixed(6),
        1 | 2 => CdbLength::Fixed(10),
        3 if opcode == VARIABLE_LENGTH => CdbLength::Variable,
        3 => CdbLength::Reserved,
        4 => CdbLength::Fixed(16),
        5 => CdbLength::Fixed(12),
        _ => CdbLength::VendorSpecific,
    }
}

/// The length `cdb` should have from its operation code (and, for 7Fh, its ADDITIONAL CDB
/// LENGTH): `None` when the group code does not fix it or the CDB is too short to say.
pub fn expected_len(cdb: &[u8]) -> Option<usize> {
    match cdb_length(*cdb.first()?) {
        CdbLength::Fixed(n) => Some(n),
        CdbLength::Variable => cdb.get(7).map(|&n| 8 + usize::from(n)),
        CdbLength::Reserved | CdbLength::VendorSpecific => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn table_is_sorted_and_unique() {
        for pair in OPCODES.windows(2) {
            let key = |e: &OpcodeName| (e.opcode, e.service_action.map_or(-1, i32::from));
            assert!(
                key(&pair[0]) < key(&pair[1]),
                "{:?} / {:?}",
                pair[0],
                pair[1]
            );
        }
        // Every service-action entry belongs to an operation code that has one.
        for e in OPCODES.iter().filter(|e| e.service_action.is_some()) {
            assert!(has_service_action(e.opcode), "{e:?}");
            assert!(lookup(e.opcode, None).is_some(), "{e:?}");
        }
    }

    #[test]
    fn service_action_names() {
        let rc16 = [0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0];
        assert_eq!(service_action(&rc16), Some(0x10));
        assert_eq!(cdb_name(&rc16), Some("READ CAPACITY (16)"));
        assert_eq!(opcode_name(0x9e), Some("SERVICE ACTION IN (16)"));
        let rsoc = [0xa3, 0x0c, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0];
        assert_eq!(cdb_name(&rsoc), Some("REPORT SUPPORTED OPERATION CODES"));
        assert_eq!(cdb_name(&[0xa3, 0x0a]), Some("REPORT TARGET PORT GROUPS"));
        assert_eq!(cdb_name(&[0xa3, 0x1e]), Some("MAINTENANCE IN"));
        let mut read32 = [0u8; 32];
        read32[0] = 0x7f;
        read32[7] = 0x18;
        read32[9] = 0x09;
        assert_eq!(cdb_name(&read32), Some("READ (32)"));
        assert_eq!(expected_len(&read32), Some(32));
        // INQUIRY has no service action: byte 1 is EVPD.
        assert_eq!(service_action(&[0x12, 0x01, 0x80, 0, 0xff, 0]), None);
        assert_eq!(cdb_name(&[0xc0]), None);
    }

    #[test]
    fn group_code_lengths() {
        assert_eq!(cdb_length(0x12), CdbLength::Fixed(6));
        assert_eq!(cdb_length(0x28), CdbLength::Fixed(10));
        assert_eq!(cdb_length(0x5a), CdbLength::Fixed(10));
        assert_eq!(cdb_length(0x60), CdbLength::Reserved);
        assert_eq!(cdb_length(0x7f), CdbLength::Variable);
        assert_eq!(cdb_length(0x88), CdbLength::Fixed(16));
        assert_eq!(cdb_length(0xa0), CdbLength::Fixed(12));
        assert_eq!(cdb_length(0xc0), CdbLength::VendorSpecific);
        assert_eq!(cdb_length(0xff), CdbLength::VendorSpecific);
        // Every named fixed-length command sits in a fixed group.
        for e in OPCODES.iter().filter(|e| e.opcode != VARIABLE_LENGTH) {
            assert!(matches!(cdb_length(e.opcode), CdbLength::Fixed(_)), "{e:?}");
        }
    }

    proptest! {
        #[test]
        fn arbitrary_cdbs(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            let _ = service_action(&bytes);
            let _ = expected_len(&bytes);
            prop_assert_eq!(cdb_name(&bytes).is_some(), bytes.first().is_some_and(|&o| opcode_name(o).is_some()));
        }
    }
}

//! NVMe completion status to SCSI sense data, as a bridge translates it (NVM Express SCSI
//! Translation Reference 1.5, "NVMe Status to SCSI Status/Sense mapping"): every mapped
//! status is CHECK CONDITION with the sense key and additional sense code below; a status
//! the reference does not map is ILLEGAL REQUEST with no additional sense code.

use crate::sbc::sense::SenseCode;
use cdb::nvme::status::sct;
use cdb::nvme::Status;
use cdb::sense::key;

const fn code(key: u8, asc: u8, ascq: u8) -> SenseCode {
    SenseCode { key, asc, ascq }
}

/// Generic Command Status (Base 2.0 4.6.1.2.1) mappings.
const GENERIC: &[(u8, SenseCode)] = &[
    // Invalid Command Opcode: INVALID COMMAND OPERATION CODE.
    (0x01, code(key::ILLEGAL_REQUEST, 0x20, 0x00)),
    // Invalid Field in Command: INVALID FIELD IN CDB.
    (0x02, code(key::ILLEGAL_REQUEST, 0x24, 0x00)),
    // Data Transfer Error.
    (0x04, code(key::MEDIUM_ERROR, 0x00, 0x00)),
    // Commands Aborted due to Power Loss Notification: WARNING – POWER LOSS EXPECTED.
    (0x05, code(key::ABORTED_COMMAND, 0x0b, 0x08)),
    // Internal Error: INTERNAL TARGET FAILURE.
    (0x06, code(key::HARDWARE_ERROR, 0x44, 0x00)),
    // Command Abort Requested, SQ deletion, failed or missing fused command.
    (0x07, code(key::ABORTED_COMMAND, 0x00, 0x00)),
    (0x08, code(key::ABORTED_COMMAND, 0x00, 0x00)),
    (0x09, code(key::ABORTED_COMMAND, 0x00, 0x00)),
    (0x0a, code(key::ABORTED_COMMAND, 0x00, 0x00)),
    // Invalid Namespace or Format: ACCESS DENIED – INVALID LU IDENTIFIER.
    (0x0b, code(key::ILLEGAL_REQUEST, 0x20, 0x09)),
    // Command Sequence Error.
    (0x0c, code(key::ILLEGAL_REQUEST, 0x2c, 0x00)),
    // LBA Out of Range: LOGICAL BLOCK ADDRESS OUT OF RANGE.
    (0x80, code(key::ILLEGAL_REQUEST, 0x21, 0x00)),
    // Capacity Exceeded.
    (0x81, code(key::MEDIUM_ERROR, 0x00, 0x00)),
    // Namespace Not Ready: LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE.
    (0x82, code(key::NOT_READY, 0x04, 0x00)),
];

/// Media and Data Integrity Errors (Base 2.0 4.6.1.2.3; NVM Command Set 1.0) mappings.
const MEDIA: &[(u8, SenseCode)] = &[
    // Write Fault: PERIPHERAL DEVICE WRITE FAULT.
    (0x80, code(key::MEDIUM_ERROR, 0x03, 0x00)),
    // Unrecovered Read Error.
    (0x81, code(key::MEDIUM_ERROR, 0x11, 0x00)),
    // End-to-end Guard, Application Tag and Reference Tag Check Errors.
    (0x82, code(key::MEDIUM_ERROR, 0x10, 0x01)),
    (0x83, code(key::MEDIUM_ERROR, 0x10, 0x02)),
    (0x84, code(key::MEDIUM_ERROR, 0x10, 0x03)),
    // Compare Failure: MISCOMPARE DURING VERIFY OPERATION.
    (0x85, code(key::MISCOMPARE, 0x1d, 0x00)),
    // Access Denied: ACCESS DENIED – NO ACCESS RIGHTS.
    (0x86, code(key::DATA_PROTECT, 0x20, 0x02)),
];

/// The sense a failed NVMe command becomes, or `None` for Successful Completion.
pub(crate) fn sense_for(status: Status) -> Option<SenseCode> {
    if status.is_success() {
        return None;
    }
    let table = match status.sct {
        sct::GENERIC => GENERIC,
        sct::MEDIA_AND_DATA_INTEGRITY => MEDIA,
        _ => &[],
    };
    let mapped = table.iter().find(|(sc, _)| *sc == status.sc);
    Some(mapped.map_or(code(key::ILLEGAL_REQUEST, 0x00, 0x00), |(_, sense)| *sense))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(sct: u8, sc: u8) -> Status {
        Status {
            sct,
            sc,
            dnr: true,
            ..Status::SUCCESS
        }
    }

    #[test]
    fn statuses_map_as_the_translation_reference_says() {
        assert_eq!(sense_for(Status::SUCCESS), None);
        let cases = [
            (sct::GENERIC, 0x01, (key::ILLEGAL_REQUEST, 0x20, 0x00)),
            (sct::GENERIC, 0x02, (key::ILLEGAL_REQUEST, 0x24, 0x00)),
            (sct::GENERIC, 0x06, (key::HARDWARE_ERROR, 0x44, 0x00)),
            (sct::GENERIC, 0x80, (key::ILLEGAL_REQUEST, 0x21, 0x00)),
            (sct::GENERIC, 0x82, (key::NOT_READY, 0x04, 0x00)),
            (
                sct::MEDIA_AND_DATA_INTEGRITY,
                0x81,
                (key::MEDIUM_ERROR, 0x11, 0x00),
            ),
            (
                sct::MEDIA_AND_DATA_INTEGRITY,
                0x85,
                (key::MISCOMPARE, 0x1d, 0x00),
            ),
            // Not in the reference's table: ILLEGAL REQUEST, no additional sense code.
            (
                sct::COMMAND_SPECIFIC,
                0x07,
                (key::ILLEGAL_REQUEST, 0x00, 0x00),
            ),
            (sct::GENERIC, 0x7f, (key::ILLEGAL_REQUEST, 0x00, 0x00)),
        ];
        for (sct, sc, (key, asc, ascq)) in cases {
            assert_eq!(
                sense_for(status(sct, sc)),
                Some(SenseCode { key, asc, ascq }),
                "SCT {sct} SC {sc:02x}"
            );
        }
    }
}

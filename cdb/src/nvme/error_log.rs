//! The Error Information log page (NVMe Base 2.0 5.16.1.2, LID 01h): 64-byte entries.

use super::le::Le;
use super::status::Status;
use serde::Serialize;

/// Size of one Error Information log entry (Base 2.0 5.16.1.2).
pub const ERROR_ENTRY_LEN: usize = 64;

/// One Error Information log entry (Base 2.0 5.16.1.2, Figure "Error Information Log
/// Entry Data Structure").
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct ErrorInformationEntry {
    /// Error Count, bytes 7:0 (0 = invalid entry).
    pub error_count: u64,
    /// Submission Queue ID, bytes 9:8 (FFFFh = not specific to a command).
    pub submission_queue_id: u16,
    /// Command ID, bytes 11:10 (FFFFh = not specific to a command).
    pub command_id: u16,
    /// Phase Tag of the completion, byte 12 bit 0.
    pub phase_tag: bool,
    /// Status Field of the completion, bytes 13:12 bits 15:1 (Base 2.0 4.6.1).
    #[serde(serialize_with = "super::status::serialize_described")]
    #[schemars(with = "super::status::StatusDescription")]
    pub status: Status,
    /// Parameter Error Location, bytes 15:14: byte (7:0) and bit (10:8) in the command.
    pub parameter_error_location: u16,
    /// LBA, bytes 23:16: the first LBA that experienced the error.
    pub lba: u64,
    /// Namespace, bytes 27:24.
    pub nsid: u32,
    /// Vendor Specific Information Available, byte 28 (log page ID, 0 = none).
    pub vendor_specific_information_available: u8,
    /// Transport Type (TRTYPE), byte 29.
    pub transport_type: u8,
    /// Command Set Identifier (CSI), byte 30: the I/O Command Set of the command the
    /// error is associated with (reserved, zero, before NVMe 2.0).
    pub command_set_identifier: u8,
    /// Opcode, byte 31: the opcode of the command the error is associated with
    /// (reserved, zero, before NVMe 2.0).
    pub opcode: u8,
    /// Command Specific Information, bytes 39:32.
    pub command_specific_information: u64,
    /// Transport Type Specific Information, bytes 41:40.
    pub transport_type_specific_information: u16,
    /// Log Page Version (LPV), byte 63: the version of this entry's layout (0 before
    /// NVMe 2.0).
    pub log_page_version: u8,
}

/// The Error Information log: the whole entries present (Base 2.0 5.16.1.2).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct ErrorInformationLog {
    /// Entries in log order, including invalid ones (Error Count 0).
    pub entries: Vec<ErrorInformationEntry>,
    /// Bytes after the last whole entry (a short transfer), ignored.
    pub trailing_bytes: usize,
}

impl ErrorInformationEntry {
    /// Decodes one 64-byte entry.
    pub fn decode(bytes: &[u8; ERROR_ENTRY_LEN]) -> Self {
        let b = Le(bytes);
        let sf = b.u16(12);
        ErrorInformationEntry {
            error_count: b.u64(0),
            submission_queue_id: b.u16(8),
            command_id: b.u16(10),
            phase_tag: sf & 1 != 0,
            status: Status::from_field(sf >> 1),
            parameter_error_location: b.u16(14),
            lba: b.u64(16),
            nsid: b.u32(24),
            vendor_specific_information_available: b.u8(28),
            transport_type: b.u8(29),
            command_set_identifier: b.u8(30),
            opcode: b.u8(31),
            command_specific_information: b.u64(32),
            transport_type_specific_information: b.u16(40),
            log_page_version: b.u8(63),
        }
    }

    /// True when the entry holds an error (Error Count is not 0).
    pub fn is_valid(&self) -> bool {
        self.error_count != 0
    }
}

impl ErrorInformationLog {
    /// Decodes every whole 64-byte entry present.
    pub fn decode(data: &[u8]) -> Self {
        let chunks = data.chunks_exact(ERROR_ENTRY_LEN);
        let trailing_bytes = chunks.remainder().len();
        let entries = chunks
            .filter_map(|c| <&[u8; ERROR_ENTRY_LEN]>::try_from(c).ok())
            .map(ErrorInformationEntry::decode)
            .collect();
        ErrorInformationLog {
            entries,
            trailing_bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decodes_entry() {
        let mut d = vec![0u8; 130];
        d[0] = 5;
        d[8..10].copy_from_slice(&1u16.to_le_bytes());
        d[10..12].copy_from_slice(&0x22u16.to_le_bytes());
        // Status 4281h (SCT 2 SC 81h Unrecovered Read Error, DNR) with phase 1.
        d[12..14].copy_from_slice(&((0x4281u16 << 1) | 1).to_le_bytes());
        d[16] = 0x40;
        d[24] = 1;
        // CSI 0 (NVM), opcode 02h (Read), CSI byte 30 / opcode 31 / LPV 63 as libnvme's
        // struct nvme_error_log_page places them; command specific information after.
        d[29] = 3;
        d[30] = 0;
        d[31] = 0x02;
        d[32] = 0x77;
        d[40] = 0x55;
        d[63] = 1;
        let log = ErrorInformationLog::decode(&d);
        assert_eq!(log.entries.len(), 2);
        assert_eq!(log.trailing_bytes, 2);
        let e = &log.entries[0];
        assert!(e.is_valid() && e.phase_tag);
        assert_eq!(
            (e.submission_queue_id, e.command_id, e.lba, e.nsid),
            (1, 0x22, 0x40, 1)
        );
        assert_eq!(e.status.name(), Some("Unrecovered Read Error"));
        assert!(e.status.dnr);
        assert_eq!(
            (e.transport_type, e.command_set_identifier, e.opcode),
            (3, 0, 0x02)
        );
        assert_eq!(
            (
                e.command_specific_information,
                e.transport_type_specific_information,
                e.log_page_version
            ),
            (0x77, 0x55, 1)
        );
        let mut csi = [0u8; ERROR_ENTRY_LEN];
        csi[30] = 0x02;
        assert_eq!(
            ErrorInformationEntry::decode(&csi).command_set_identifier,
            2
        );
        assert!(!log.entries[1].is_valid());
    }

    proptest! {
        #[test]
        fn arbitrary_bytes(d in proptest::collection::vec(any::<u8>(), 0..600)) {
            let log = ErrorInformationLog::decode(&d);
            prop_assert_eq!(log.entries.len(), d.len() / 64);
            prop_assert_eq!(log.trailing_bytes, d.len() % 64);
        }
    }
}

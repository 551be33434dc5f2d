//! REPORT LUNS A0h (SPC-5 6.33) and the logical unit numbers it returns (SAM-5 4.7).

use crate::command::{Cdb, CdbField, CdbLayout, DataInCommand};
use crate::error::{BuildError, DecodeError};
use crate::scsi::cdb_bytes::{be_uint, check};
use serde::Serialize;

/// REPORT LUNS operation code (SPC-5 6.33).
pub const OPCODE: u8 = 0xa0;
/// The smallest ALLOCATION LENGTH REPORT LUNS allows (SPC-5 6.33: less than 16 is an
/// ILLEGAL REQUEST).
pub const MIN_ALLOCATION_LENGTH: u32 = 16;

/// A REPORT LUNS command (SPC-5 6.33).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportLuns {
    select_report: u8,
    allocation_length: u32,
}

impl ReportLuns {
    /// REPORT LUNS with SELECT REPORT `select_report` (see [`select_report_name`]);
    /// ALLOCATION LENGTH must be at least 16.
    pub fn new(select_report: u8, allocation_length: u32) -> Result<Self, BuildError> {
        if allocation_length < MIN_ALLOCATION_LENGTH {
            return Err(BuildError::Invalid {
                command: Self::NAME,
                reason: "ALLOCATION LENGTH must be at least 16",
            });
        }
        Ok(ReportLuns {
            select_report,
            allocation_length,
        })
    }

    /// SELECT REPORT.
    pub fn select_report(&self) -> u8 {
        self.select_report
    }

    /// ALLOCATION LENGTH.
    pub fn allocation_length(&self) -> u32 {
        self.allocation_length
    }
}

/// The name of a SELECT REPORT code (SPC-5 6.33).
pub fn select_report_name(code: u8) -> Option<&'static str> {
    Some(match code {
        0x00 => "logical units (no well known logical units)",
        0x01 => "well known logical units",
        0x02 => "all logical units",
        0x10 => "administrative logical units",
        0x11 => "administrative and subsidiary logical units",
        0x12 => "subsidiary logical units of the addressed administrative logical unit",
        0xf8..=0xff => "vendor specific",
        _ => return None,
    })
}

impl CdbLayout for ReportLuns {
    const NAME: &'static str = "REPORT LUNS";

    fn parse_cdb(cdb: &[u8]) -> Result<Self, DecodeError> {
        check(cdb, 12, OPCODE, Self::NAME)?;
        let allocation_length = be_uint(&cdb[6..10]) as u32;
        if allocation_length < MIN_ALLOCATION_LENGTH {
            return Err(DecodeError::InvalidValue {
                what: "REPORT LUNS ALLOCATION LENGTH",
                value: allocation_length.into(),
            });
        }
        Ok(ReportLuns {
            select_report: cdb[2],
            allocation_length,
        })
    }

    fn to_cdb(&self) -> Cdb {
        let mut cdb = Cdb::zeroed(12);
        let b = cdb.bytes_mut();
        b[0] = OPCODE;
        b[2] = self.select_report;
        b[6..10].copy_from_slice(&self.allocation_length.to_be_bytes());
        cdb
    }

    fn fields(&self) -> Vec<CdbField> {
        vec![
            CdbField::new("SELECT REPORT", self.select_report),
            CdbField::new("ALLOCATION LENGTH", self.allocation_length),
        ]
    }
}

impl DataInCommand for ReportLuns {
    type Response = LunList;

    fn allocation_length(&self) -> u32 {
        self.allocation_length
    }

    fn decode_data(&self, data_in: &[u8]) -> Result<LunList, DecodeError> {
        LunList::decode(data_in)
    }
}

/// REPORT LUNS parameter data (SPC-5 6.33).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct LunList {
    /// LUN LIST LENGTH: bytes of LUN entries the device has.
    pub lun_list_length: u32,
    /// The LUNs present in the data.
    pub luns: Vec<Lun>,
    /// True when LUN LIST LENGTH exceeds what was returned (allocation length too small):
    /// `luns` holds only the entries present.
    pub truncated: bool,
}

impl LunList {
    /// Decodes REPORT LUNS parameter data; a partial trailing entry is ignored and flagged.
    pub fn decode(data: &[u8]) -> Result<Self, DecodeError> {
        DecodeError::ensure_len(data, 8, "REPORT LUNS parameter data header")?;
        let lun_list_length = be_uint(&data[..4]) as u32;
        let entries = &data[8..];
        let present = entries.len().min(lun_list_length as usize);
        let luns = entries[..present]
            .chunks_exact(8)
            .filter_map(|c| <[u8; 8]>::try_from(c).ok())
            .map(Lun::decode)
            .collect::<Vec<_>>();
        Ok(LunList {
            lun_list_length,
            truncated: luns.len() * 8 < lun_list_length as usize,
            luns,
        })
    }
}

/// One logical unit number (SAM-5 4.7), decoded level by level.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Lun {
    /// The eight LUN bytes.
    pub bytes: [u8; 8],
    /// The LUN as the Linux kernel's integer (`scsilun_to_int` order): 2-byte levels
    /// swapped into a 64-bit number, first level lowest; a decimal string in JSON.
    #[serde(serialize_with = "crate::json::decimal")]
    #[schemars(with = "String")]
    pub linux_lun: u64,
    /// The addressing fields, first level first (SAM-5 4.7.2: up to four levels). A level
    /// follows only a peripheral device level with a non-zero BUS IDENTIFIER; every other
    /// level addresses the logical unit and ends the hierarchy.
    pub levels: Vec<LunAddress>,
    /// True when bytes after the level that ends the hierarchy are not zero (SAM-5 4.7
    /// requires zeros there); they are not decoded as levels.
    pub data_after_last_level: bool,
}

/// A well-known logical unit's name (SPC-5 8.1).
pub fn well_known_lun_name(w_lun: u8) -> Option<&'static str> {
    Some(match w_lun {
        0x01 => "REPORT LUNS",
        0x02 => "ACCESS CONTROLS",
        0x03 => "TARGET LOG PAGES",
        0x04 => "SECURITY PROTOCOL",
        0x05 => "MANAGEMENT PROTOCOL",
        0x06 => "TARGET COMMANDS",
        _ => return None,
    })
}

/// One level of a LUN: an addressing field by ADDRESS METHOD (SAM-5 4.7.3 to 4.7.8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "address_method", rename_all = "snake_case")]
pub enum LunAddress {
    /// 00b peripheral device addressing (SAM-5 4.7.5).
    PeripheralDevice {
        /// BUS IDENTIFIER (0: this level's logical unit).
        bus_identifier: u8,
        /// TARGET OR LUN.
        target_or_lun: u8,
    },
    /// 01b flat space addressing (SAM-5 4.7.6).
    FlatSpace {
        /// FLAT SPACE LUN (14 bits).
        flat_space_lun: u16,
    },
    /// 10b logical unit addressing (SAM-5 4.7.7).
    LogicalUnit {
        /// TARGET (6 bits).
        target: u8,
        /// BUS NUMBER (3 bits).
        bus_number: u8,
        /// LUN (5 bits).
        lun: u8,
    },
    /// 11b extended logical unit addressing, well known logical unit (SAM-5 4.7.8.2; the
    /// W-LUNs are listed in SPC-5 8.1).
    WellKnown {
        /// W-LUN.
        w_lun: u8,
        /// The well-known logical unit's name, if standard.
        name: Option<&'static str>,
    },
    /// 11b extended flat space addressing, 4 bytes (SAM-5 4.7.8.3).
    ExtendedFlatSpace {
        /// EXTENDED FLAT SPACE LUN (24 bits).
        extended_flat_space_lun: u32,
    },
    /// 11b long extended flat space addressing, 6 bytes (SAM-5 4.7.8.4).
    LongExtendedFlatSpace {
        /// LONG EXTENDED FLAT SPACE LUN (40 bits).
        long_extended_flat_space_lun: u64,
    },
    /// 11b logical unit not specified, FFh (SAM-5 4.7.8.5).
    NotSpecified,
    /// 11b with a reserved LENGTH / EXTENDED ADDRESS METHOD combination.
    ReservedExtended {
        /// LENGTH code (0 to 3: 2, 4, 6 or 8 bytes).
        length: u8,
        /// EXTENDED ADDRESS METHOD.
        extended_address_method: u8,
        /// The field's bytes.
        bytes: Vec<u8>,
    },
}

impl LunAddress {
    /// Decodes the addressing field at the start of `b` (at least 2 bytes); returns it and
    /// its length.
    fn decode(b: &[u8]) -> (LunAddress, usize) {
        let (b0, b1) = (
            b.first().copied().unwrap_or(0),
            b.get(1).copied().unwrap_or(0),
        );
        match b0 >> 6 {
            0 => (
                LunAddress::PeripheralDevice {
                    bus_identifier: b0 & 0x3f,
                    target_or_lun: b1,
                },
                2,
            ),
            1 => (
                LunAddress::FlatSpace {
                    flat_space_lun: u16::from_be_bytes([b0 & 0x3f, b1]),
                },
                2,
            ),
            2 => (
                LunAddress::LogicalUnit {
                    target: b0 & 0x3f,
                    bus_number: b1 >> 5,
                    lun: b1 & 0x1f,
                },
                2,
            ),
            _ => Self::decode_extended(b, b0),
        }
    }

    fn decode_extended(b: &[u8], b0: u8) -> (LunAddress, usize) {
        let length = (b0 >> 4) & 3;
        let method = b0 & 0x0f;
        let size = 2 * (usize::from(length) + 1);
        let field = &b[..size.min(b.len())];
        let rest = be_uint(field.get(1..).unwrap_or_default());
        let address = match (length, method) {
            (0, 1) => LunAddress::WellKnown {
                w_lun: rest as u8,
                name: well_known_lun_name(rest as u8),
            },
            (1, 2) => LunAddress::ExtendedFlatSpace {
                extended_flat_space_lun: rest as u32,
            },
            (2, 2) => LunAddress::LongExtendedFlatSpace {
                long_extended_flat_space_lun: rest,
            },
            (3, 0xf) => LunAddress::NotSpecified,
            _ => LunAddress::ReservedExtended {
                length,
                extended_address_method: method,
                bytes: field.to_vec(),
            },
        };
        (address, size)
    }
}

impl Lun {
    /// Decodes an 8-byte LUN.
    pub fn decode(bytes: [u8; 8]) -> Self {
        let mut levels = Vec::new();
        let mut at = 0;
        let mut data_after_last_level = false;
        while let Some(rest) = bytes.get(at..).filter(|rest| !rest.is_empty()) {
            let (address, used) = LunAddress::decode(rest);
            let next_level = matches!(
                address,
                LunAddress::PeripheralDevice { bus_identifier, .. } if bus_identifier != 0
            );
            levels.push(address);
            at += used;
            if !next_level {
                data_after_last_level = bytes.get(at..).is_some_and(|r| r.iter().any(|&b| b != 0));
                break;
            }
        }
        Lun {
            bytes,
            linux_lun: lun_to_linux(bytes),
            levels,
            data_after_last_level,
        }
    }
}

/// The Linux integer LUN for 8 LUN bytes (the order of the kernel's `scsilun_to_int`):
/// each 2-byte level, first byte high, is placed at 16 bits times its level.
pub fn lun_to_linux(bytes: [u8; 8]) -> u64 {
    bytes
        .chunks_exact(2)
        .enumerate()
        .fold(0, |acc, (level, pair)| {
            acc | u64::from(u16::from_be_bytes([pair[0], pair[1]])) << (16 * level)
        })
}

/// The 8 LUN bytes for a Linux integer LUN (inverse of [`lun_to_linux`]).
pub fn linux_to_lun(lun: u64) -> [u8; 8] {
    let mut bytes = [0u8; 8];
    for (level, pair) in bytes.chunks_exact_mut(2).enumerate() {
        pair.copy_from_slice(&((lun >> (16 * level)) as u16).to_be_bytes());
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::ScsiCommand;
    use proptest::prelude::*;

    /// SAM-5 4.7: a peripheral level with a non-zero BUS IDENTIFIER leads to a next level
    /// (here LUN 0); any other level ends the hierarchy, and non-zero bytes after it are
    /// flagged, not decoded.
    #[test]
    fn hierarchy_ends_at_the_level_that_addresses_the_logical_unit() {
        let bus = Lun::decode([0x01, 0x02, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            bus.levels,
            [
                LunAddress::PeripheralDevice {
                    bus_identifier: 1,
                    target_or_lun: 2
                },
                LunAddress::PeripheralDevice {
                    bus_identifier: 0,
                    target_or_lun: 0
                },
            ]
        );
        assert!(!bus.data_after_last_level);

        let logical = Lun::decode([0x81, 0x23, 0x45, 0x67, 0, 0, 0, 0]);
        assert_eq!(logical.levels.len(), 1);
        assert!(logical.data_after_last_level);

        let four = Lun::decode([0x01, 0x01, 0x02, 0x02, 0x03, 0x03, 0x00, 0x04]);
        assert_eq!(four.levels.len(), 4);
        assert!(!four.data_after_last_level);
    }

    #[test]
    fn cdb_bytes_and_minimum_length() {
        let cmd = ReportLuns::new(0x02, 4096).unwrap();
        assert_eq!(
            cmd.cdb().as_bytes(),
            &[0xa0, 0, 0x02, 0, 0, 0, 0, 0, 0x10, 0, 0, 0]
        );
        assert!(ReportLuns::new(0, 15).is_err());
        assert!(ReportLuns::parse_cdb(&[0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0]).is_err());
    }

    #[test]
    fn qemu_lun_0_only() {
        // QEMU hw/scsi/scsi-bus.c scsi_target_emulate_report_luns with one LUN 0:
        // LUN LIST LENGTH 8, one all-zero entry.
        let data = [0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        let list = LunList::decode(&data).unwrap();
        assert!(!list.truncated);
        assert_eq!(list.luns.len(), 1);
        assert_eq!(list.luns[0].linux_lun, 0);
        assert_eq!(
            list.luns[0].levels,
            vec![LunAddress::PeripheralDevice {
                bus_identifier: 0,
                target_or_lun: 0
            }]
        );
    }

    /// QEMU 7.2 hw/scsi/scsi-bus.c scsi_target_emulate_report_luns with scsi-hd LUNs 0, 1
    /// and 300 on one target: LUN 0 first, LUNs below 256 as peripheral device addressing
    /// (00h, LUN), others as flat space (40h | LUN >> 8, LUN & FFh); LUN LIST LENGTH is the
    /// whole list, the transfer is cut to the allocation length rounded down to 8.
    const QEMU_THREE_LUNS: [u8; 32] = [
        0, 0, 0, 24, 0, 0, 0, 0, // header
        0, 0, 0, 0, 0, 0, 0, 0, // LUN 0
        0, 1, 0, 0, 0, 0, 0, 0, // LUN 1
        0x41, 0x2c, 0, 0, 0, 0, 0, 0, // LUN 300
    ];

    #[test]
    fn qemu_several_luns() {
        let list = LunList::decode(&QEMU_THREE_LUNS).unwrap();
        assert!(!list.truncated);
        let linux: Vec<u64> = list.luns.iter().map(|l| l.linux_lun).collect();
        assert_eq!(linux, vec![0, 1, 0x412c]);
        assert_eq!(
            list.luns[2].levels,
            vec![LunAddress::FlatSpace {
                flat_space_lun: 300
            }]
        );
        // ALLOCATION LENGTH 20: QEMU sends 16 bytes.
        let cut = LunList::decode(&QEMU_THREE_LUNS[..16]).unwrap();
        assert!(cut.truncated);
        assert_eq!(cut.lun_list_length, 24);
        assert_eq!(cut.luns.len(), 1);
    }

    #[test]
    fn several_luns_and_methods() {
        // LUNs 0, 1 (peripheral), 300 (flat space: 41h 2Ch), REPORT LUNS W-LUN (C1h 01h),
        // a two-level LUN (peripheral bus 1 target 2, then LUN 3).
        let mut data = vec![0, 0, 0, 40, 0, 0, 0, 0];
        data.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0]);
        data.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]);
        data.extend_from_slice(&[0x41, 0x2c, 0, 0, 0, 0, 0, 0]);
        data.extend_from_slice(&[0xc1, 0x01, 0, 0, 0, 0, 0, 0]);
        data.extend_from_slice(&[0x01, 0x02, 0x00, 0x03, 0, 0, 0, 0]);
        let list = LunList::decode(&data).unwrap();
        let levels: Vec<_> = list.luns.iter().map(|l| l.levels.clone()).collect();
        assert_eq!(
            levels[2],
            vec![LunAddress::FlatSpace {
                flat_space_lun: 300
            }]
        );
        assert_eq!(
            levels[3],
            vec![LunAddress::WellKnown {
                w_lun: 1,
                name: Some("REPORT LUNS")
            }]
        );
        assert_eq!(levels[4].len(), 2);
        // Linux: W-LUN C101h is 0xc101; LUN 1 is 1; flat 300 is 0x412c; two-level 0x0003_0102.
        let linux: Vec<u64> = list.luns.iter().map(|l| l.linux_lun).collect();
        assert_eq!(linux, vec![0, 1, 0x412c, 0xc101, 0x0003_0102]);
    }

    #[test]
    fn extended_and_logical_unit_methods() {
        let l = Lun::decode([0x85, 0x43, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            l.levels,
            vec![LunAddress::LogicalUnit {
                target: 5,
                bus_number: 2,
                lun: 3
            }]
        );
        let l = Lun::decode([0xd2, 0x12, 0x34, 0x56, 0, 0, 0, 0]);
        assert_eq!(
            l.levels,
            vec![LunAddress::ExtendedFlatSpace {
                extended_flat_space_lun: 0x123456
            }]
        );
        let l = Lun::decode([0xe2, 1, 2, 3, 4, 5, 0, 0]);
        assert_eq!(
            l.levels,
            vec![LunAddress::LongExtendedFlatSpace {
                long_extended_flat_space_lun: 0x0102030405
            }]
        );
        let l = Lun::decode([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
        assert_eq!(l.levels, vec![LunAddress::NotSpecified]);
        // Four levels of peripheral device addressing.
        let l = Lun::decode([0x01, 0x01, 0x02, 0x02, 0x03, 0x03, 0x00, 0x04]);
        assert_eq!(l.levels.len(), 4);
    }

    #[test]
    fn short_data_is_flagged() {
        let data = [0, 0, 0, 24, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        let list = LunList::decode(&data).unwrap();
        assert!(list.truncated);
        assert_eq!(list.luns.len(), 1);
        assert!(LunList::decode(&data[..7]).is_err());
    }

    #[test]
    fn linux_lun_is_an_exact_decimal_string_in_json() {
        // Flat space addressing (01b) at level 1: 4001h, as Linux LUN 16385; a second
        // level makes the integer exceed 2^53.
        let lun = Lun::decode([0x40, 0x01, 0, 0, 0, 0, 0xff, 0xff]);
        let v = serde_json::to_value(&lun).unwrap();
        assert_eq!(v["linux_lun"], lun.linux_lun.to_string());
        assert!(lun.linux_lun > 1 << 53);
    }

    proptest! {
        #[test]
        fn round_trip(select: u8, len in 16u32..) {
            let cmd = ReportLuns::new(select, len).unwrap();
            prop_assert_eq!(ReportLuns::parse_cdb(cmd.to_cdb().as_bytes()), Ok(cmd));
        }

        #[test]
        fn linux_lun_round_trip(lun: u64) {
            prop_assert_eq!(lun_to_linux(linux_to_lun(lun)), lun);
        }

        #[test]
        fn arbitrary_bytes_do_not_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            if let Ok(list) = LunList::decode(&bytes) {
                prop_assert!(list.luns.len() <= bytes.len() / 8);
                for l in &list.luns {
                    prop_assert!(l.levels.len() <= 4);
                }
            }
        }
    }
}

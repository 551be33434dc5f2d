//! ATA PASS-THROUGH (12) A1h and (16) 85h (SAT-5 12.2.2, 12.2.3): an ATA command's
//! registers wrapped in a CDB, and the data phase its PROTOCOL, T_DIR, BYT_BLOK, T_TYPE
//! and T_LENGTH fields describe. One implementation parameterised by CDB size.

use crate::command::{Cdb, CdbField, CdbLayout, DataPhase, Direction, ScsiCommand};
use crate::error::{BuildError, DecodeError};
use crate::scsi::cdb_bytes::{bit, byte, check, get_le, put_le, rejected};
use std::marker::PhantomData;

/// The layout of one ATA PASS-THROUGH CDB size: where each ATA register byte sits, least
/// significant byte first (SAT-5 tables 169 and 170).
pub trait AtaCdbSize: Copy + std::fmt::Debug + PartialEq + Eq + Default {
    /// CDB length.
    const LEN: usize;
    /// OPERATION CODE.
    const OPCODE: u8;
    /// Command name.
    const NAME: &'static str;
    /// Whether byte 1 bit 0 is the EXTEND bit (16-byte form only).
    const HAS_EXTEND: bool;
    /// FEATURES byte offsets, low byte first.
    const FEATURES: &'static [usize];
    /// COUNT byte offsets, low byte first.
    const COUNT: &'static [usize];
    /// LBA byte offsets, low byte first.
    const LBA: &'static [usize];
    /// DEVICE byte offset.
    const DEVICE: usize;
    /// COMMAND byte offset.
    const COMMAND: usize;
}

/// ATA PASS-THROUGH (12), operation code A1h (SAT-5 12.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ata12;

/// ATA PASS-THROUGH (16), operation code 85h (SAT-5 12.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ata16;

impl AtaCdbSize for Ata12 {
    const LEN: usize = 12;
    const OPCODE: u8 = 0xa1;
    const NAME: &'static str = "ATA PASS-THROUGH (12)";
    const HAS_EXTEND: bool = false;
    const FEATURES: &'static [usize] = &[3];
    const COUNT: &'static [usize] = &[4];
    const LBA: &'static [usize] = &[5, 6, 7];
    const DEVICE: usize = 8;
    const COMMAND: usize = 9;
}

impl AtaCdbSize for Ata16 {
    const LEN: usize = 16;
    const OPCODE: u8 = 0x85;
    const NAME: &'static str = "ATA PASS-THROUGH (16)";
    const HAS_EXTEND: bool = true;
    const FEATURES: &'static [usize] = &[4, 3];
    const COUNT: &'static [usize] = &[6, 5];
    const LBA: &'static [usize] = &[8, 10, 12, 7, 9, 11];
    const DEVICE: usize = 13;
    const COMMAND: usize = 14;
}

/// The name SAT-5 table 171 gives a PROTOCOL code.
pub fn protocol_name(protocol: u8) -> &'static str {
    match protocol {
        0x0 => "ATA hardware reset",
        0x1 => "Software reset",
        0x3 => "Non-data",
        0x4 => "PIO Data-In",
        0x5 => "PIO Data-Out",
        0x6 => "DMA",
        0x8 => "Execute Device Diagnostic",
        0x9 => "Non-data command with DEVICE RESET",
        0xa => "UDMA Data In",
        0xb => "UDMA Data Out",
        0xc => "NCQ",
        0xf => "Return Response Information",
        _ => "reserved",
    }
}

/// PROTOCOL: PIO Data-In (SAT-5 table 171).
pub const PROTOCOL_PIO_DATA_IN: u8 = 0x4;
/// PROTOCOL: Non-data (SAT-5 table 171).
pub const PROTOCOL_NON_DATA: u8 = 0x3;

/// The direction a data-transferring PROTOCOL requires, `None` for protocols that either
/// transfer no data or take it from T_DIR (DMA, NCQ) (SAT-5 table 171).
fn protocol_direction(protocol: u8) -> Option<Direction> {
    match protocol {
        0x4 | 0xa => Some(Direction::FromDevice),
        0x5 | 0xb => Some(Direction::ToDevice),
        _ => None,
    }
}

/// Whether PROTOCOL is a reserved code (SAT-5 table 171: 2h, 7h, Dh, Eh), which a SATL
/// rejects (as Linux ata_scsi_map_proto does).
fn protocol_reserved(protocol: u8) -> bool {
    matches!(protocol, 0x2 | 0x7 | 0xd | 0xe)
}

/// Whether PROTOCOL transfers data at all (SAT-5 table 171).
fn protocol_has_data(protocol: u8) -> bool {
    matches!(protocol, 0x4 | 0x5 | 0x6 | 0xa | 0xb | 0xc)
}

/// The fields of an ATA PASS-THROUGH CDB: the ATA registers and how the SATL transfers
/// data (SAT-5 12.2.2.1, 12.2.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AtaRegisters {
    /// MULTIPLE_COUNT (3 bits): log2 of the sectors per DRQ data block for READ/WRITE
    /// MULTIPLE commands (SAT-5 12.2.2.1).
    pub multiple_count: u8,
    /// PROTOCOL (4 bits, SAT-5 table 171); see [`protocol_name`].
    pub protocol: u8,
    /// EXTEND: a 48-bit command (16-byte form only).
    pub extend: bool,
    /// OFF_LINE (2 bits): 2^(n+1) − 2 seconds during which the ATA status is not valid.
    pub off_line: u8,
    /// CK_COND: return the ATA registers in sense data even on success.
    pub ck_cond: bool,
    /// T_TYPE: transfer unit is the logical sector size (1) rather than 512 bytes (0).
    pub t_type: bool,
    /// T_DIR: data from the device (1) or to it (0).
    pub t_dir: bool,
    /// BYT_BLOK: the length is in T_TYPE blocks (1) or in bytes (0).
    pub byt_blok: bool,
    /// T_LENGTH (2 bits): no data (0), length in FEATURES (1), COUNT (2) or the
    /// transport's TPSIU (3).
    pub t_length: u8,
    /// FEATURES (8 bits in the 12-byte form, 16 bits with EXTEND).
    pub features: u16,
    /// COUNT (8 bits in the 12-byte form, 16 bits with EXTEND).
    pub count: u16,
    /// LBA (24 bits; 48 bits with EXTEND).
    pub lba: u64,
    /// DEVICE.
    pub device: u8,
    /// COMMAND: the ATA command code.
    pub command: u8,
}

/// How many bytes an ATA PASS-THROUGH CDB transfers (SAT-5 12.2.2.3, table 173).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtaTransferLength {
    /// A byte count the CDB determines.
    Bytes(u32),
    /// T_LENGTH 11b: the transport's transfer length (TPSIU) decides.
    Tpsiu,
}

/// The data phase an ATA PASS-THROUGH CDB describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AtaTransfer {
    /// Direction (None when no data is transferred).
    pub direction: Direction,
    /// Length.
    pub length: AtaTransferLength,
}

impl AtaRegisters {
    /// The data transfer these registers describe. `logical_sector_size` is the unit when
    /// T_TYPE is 1 (512 bytes otherwise). A zero FEATURES/COUNT yields zero bytes and no
    /// direction: ATA commands that read 0 as 256 or 65536 sectors need an explicit count.
    pub fn transfer(&self, logical_sector_size: u32) -> Result<AtaTransfer, BuildError> {
        if !protocol_has_data(self.protocol) || self.t_length == 0 {
            return Ok(AtaTransfer {
                direction: Direction::None,
                length: AtaTransferLength::Bytes(0),
            });
        }
        let direction = if self.t_dir {
            Direction::FromDevice
        } else {
            Direction::ToDevice
        };
        let n = match self.t_length {
            1 => self.features,
            2 => self.count,
            _ => {
                return Ok(AtaTransfer {
                    direction,
                    length: AtaTransferLength::Tpsiu,
                })
            }
        };
        let unit = match (self.byt_blok, self.t_type) {
            (false, _) => 1,
            (true, false) => 512,
            (true, true) => u64::from(logical_sector_size),
        };
        let bytes = u64::from(n) * unit;
        let direction = if bytes == 0 {
            Direction::None
        } else {
            direction
        };
        BuildError::check_max(
            "ATA PASS-THROUGH",
            "transfer length (bytes)",
            bytes,
            u64::from(u32::MAX),
        )?;
        Ok(AtaTransfer {
            direction,
            length: AtaTransferLength::Bytes(bytes as u32),
        })
    }

    fn validate<S: AtaCdbSize>(&self) -> Result<(), BuildError> {
        let max = |field, value: u64, max| BuildError::check_max(S::NAME, field, value, max);
        let invalid = |reason| BuildError::Invalid {
            command: S::NAME,
            reason,
        };
        max("MULTIPLE_COUNT", u64::from(self.multiple_count), 0x7)?;
        max("PROTOCOL", u64::from(self.protocol), 0xf)?;
        if protocol_reserved(self.protocol) {
            return Err(invalid("PROTOCOL is a reserved value"));
        }
        max("OFF_LINE", u64::from(self.off_line), 0x3)?;
        max("T_LENGTH", u64::from(self.t_length), 0x3)?;
        if self.extend && !S::HAS_EXTEND {
            return Err(invalid("EXTEND needs ATA PASS-THROUGH (16)"));
        }
        // Without EXTEND the SATL sends a 28-bit command: the high bytes would be ignored.
        let (wide, lba_max) = if self.extend {
            (0xffff, (1 << 48) - 1)
        } else {
            (0xff, 0xff_ffff)
        };
        max("FEATURES", u64::from(self.features), wide)?;
        max("COUNT", u64::from(self.count), wide)?;
        max("LBA", self.lba, lba_max)?;
        if !protocol_has_data(self.protocol) && self.t_length != 0 {
            return Err(invalid("T_LENGTH must be 0 for a protocol without data"));
        }
        if let Some(dir) = protocol_direction(self.protocol) {
            let t_dir = if self.t_dir {
                Direction::FromDevice
            } else {
                Direction::ToDevice
            };
            if dir != t_dir {
                return Err(invalid("T_DIR contradicts PROTOCOL"));
            }
        }
        Ok(())
    }
}

/// An ATA PASS-THROUGH CDB of size `S`, validated on construction (SAT-5 12.2.2, 12.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AtaPassThroughCdb<S: AtaCdbSize> {
    pub(crate) registers: AtaRegisters,
    pub(crate) _size: PhantomData<S>,
}

/// ATA PASS-THROUGH (12) CDB (SAT-5 12.2.2).
pub type AtaPassThrough12Cdb = AtaPassThroughCdb<Ata12>;
/// ATA PASS-THROUGH (16) CDB (SAT-5 12.2.3).
pub type AtaPassThrough16Cdb = AtaPassThroughCdb<Ata16>;

impl<S: AtaCdbSize> AtaPassThroughCdb<S> {
    /// Builds the CDB, rejecting fields that do not fit this size and EXTEND, or that
    /// contradict each other (a data length for a non-data protocol, T_DIR against a PIO
    /// or UDMA direction).
    pub fn new(registers: AtaRegisters) -> Result<Self, BuildError> {
        registers.validate::<S>()?;
        Ok(AtaPassThroughCdb {
            registers,
            _size: PhantomData,
        })
    }

    /// The registers and transfer fields.
    pub fn registers(&self) -> &AtaRegisters {
        &self.registers
    }
}

impl<S: AtaCdbSize> CdbLayout for AtaPassThroughCdb<S> {
    const NAME: &'static str = S::NAME;

    fn parse_cdb(cdb: &[u8]) -> Result<Self, DecodeError> {
        check(cdb, S::LEN, S::OPCODE, S::NAME)?;
        let b2 = byte(cdb, 2);
        let registers = AtaRegisters {
            multiple_count: byte(cdb, 1) >> 5,
            protocol: (byte(cdb, 1) >> 1) & 0x0f,
            extend: S::HAS_EXTEND && bit(cdb, 1, 0),
            off_line: b2 >> 6,
            ck_cond: bit(cdb, 2, 5),
            t_type: bit(cdb, 2, 4),
            t_dir: bit(cdb, 2, 3),
            byt_blok: bit(cdb, 2, 2),
            t_length: b2 & 0x03,
            features: get_le(cdb, S::FEATURES) as u16,
            count: get_le(cdb, S::COUNT) as u16,
            lba: get_le(cdb, S::LBA),
            device: byte(cdb, S::DEVICE),
            command: byte(cdb, S::COMMAND),
        };
        // Without EXTEND a SATL sends a 28-bit command and ignores the high bytes (as Linux
        // ata_scsi_pass_thru does): a CDB with them set is one the builder rejects.
        Self::new(registers).map_err(rejected)
    }

    fn to_cdb(&self) -> Cdb {
        let r = &self.registers;
        let mut cdb = Cdb::zeroed(S::LEN);
        let b = cdb.bytes_mut();
        b[0] = S::OPCODE;
        b[1] = (r.multiple_count << 5) | (r.protocol << 1) | u8::from(r.extend);
        b[2] = (r.off_line << 6)
            | (u8::from(r.ck_cond) << 5)
            | (u8::from(r.t_type) << 4)
            | (u8::from(r.t_dir) << 3)
            | (u8::from(r.byt_blok) << 2)
            | r.t_length;
        put_le(b, S::FEATURES, u64::from(r.features));
        put_le(b, S::COUNT, u64::from(r.count));
        put_le(b, S::LBA, r.lba);
        b[S::DEVICE] = r.device;
        b[S::COMMAND] = r.command;
        cdb
    }

    fn fields(&self) -> Vec<CdbField> {
        let r = &self.registers;
        let mut fields = vec![
            CdbField::new("MULTIPLE_COUNT", r.multiple_count),
            CdbField::new("PROTOCOL", r.protocol),
        ];
        if S::HAS_EXTEND {
            fields.push(CdbField::flag("EXTEND", r.extend));
        }
        fields.extend([
            CdbField::new("OFF_LINE", r.off_line),
            CdbField::flag("CK_COND", r.ck_cond),
            CdbField::flag("T_TYPE", r.t_type),
            CdbField::flag("T_DIR", r.t_dir),
            CdbField::flag("BYT_BLOK", r.byt_blok),
            CdbField::new("T_LENGTH", r.t_length),
            CdbField::new("FEATURES", r.features),
            CdbField::new("COUNT", r.count),
            CdbField::new("LBA", r.lba),
            CdbField::new("DEVICE", r.device),
            CdbField::new("COMMAND", r.command),
        ]);
        fields
    }
}

/// An ATA PASS-THROUGH command with its data phase derived from the CDB; data-out
/// commands hold the bytes they send (SAT-5 12.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AtaPassThrough<'a, S: AtaCdbSize> {
    cdb: AtaPassThroughCdb<S>,
    data: DataPhase<'a>,
}

impl<'a, S: AtaCdbSize> AtaPassThrough<'a, S> {
    /// Pairs a CDB with its data: `data_out` must be given exactly for data-out CDBs and
    /// match the length they describe. T_LENGTH 11b (TPSIU) has no length in the CDB and
    /// is rejected here; send it as a [`crate::scsi::vendor::RawCommand`].
    pub fn new(
        cdb: AtaPassThroughCdb<S>,
        data_out: Option<&'a [u8]>,
        logical_sector_size: u32,
    ) -> Result<Self, BuildError> {
        let invalid = |reason| BuildError::Invalid {
            command: S::NAME,
            reason,
        };
        let transfer = cdb.registers.transfer(logical_sector_size)?;
        let AtaTransferLength::Bytes(len) = transfer.length else {
            return Err(invalid("T_LENGTH 11b (TPSIU) has no length in the CDB"));
        };
        let data = match (transfer.direction, data_out) {
            (Direction::None, None) => DataPhase::None,
            (Direction::None, Some([])) => DataPhase::None,
            (Direction::FromDevice, None) => DataPhase::input(len),
            (Direction::ToDevice, Some(bytes)) if bytes.len() == len as usize => {
                DataPhase::output(bytes)
            }
            (Direction::ToDevice, Some(_)) => {
                return Err(invalid("data-out length differs from the CDB's"))
            }
            (Direction::ToDevice, None) => return Err(invalid("data-out CDB without data")),
            (_, Some(_)) => return Err(invalid("data given for a CDB without data-out")),
        };
        Ok(AtaPassThrough { cdb, data })
    }
}

impl<S: AtaCdbSize> ScsiCommand for AtaPassThrough<'_, S> {
    /// The data-in bytes.
    type Response = Vec<u8>;

    fn name(&self) -> &'static str {
        S::NAME
    }

    fn cdb(&self) -> Cdb {
        self.cdb.to_cdb()
    }

    fn data_phase(&self) -> DataPhase<'_> {
        self.data
    }

    fn decode(&self, data_in: &[u8]) -> Result<Vec<u8>, DecodeError> {
        Ok(self.data.within(data_in).to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn identify() -> AtaRegisters {
        AtaRegisters {
            protocol: PROTOCOL_PIO_DATA_IN,
            t_dir: true,
            byt_blok: true,
            t_length: 2,
            count: 1,
            command: 0xec,
            ..AtaRegisters::default()
        }
    }

    #[test]
    fn identify_cdbs_match_sat5() {
        // As smartmontools and sg_sat_identify send IDENTIFY DEVICE: PROTOCOL 4 (byte 1 =
        // 08h), T_DIR + BYT_BLOK + T_LENGTH 10b (byte 2 = 0Eh), COUNT 1, COMMAND ECh.
        let c12 = AtaPassThrough12Cdb::new(identify()).unwrap();
        assert_eq!(
            c12.to_cdb().as_bytes(),
            [0xa1, 0x08, 0x0e, 0, 1, 0, 0, 0, 0, 0xec, 0, 0]
        );
        let c16 = AtaPassThrough16Cdb::new(identify()).unwrap();
        assert_eq!(
            c16.to_cdb().as_bytes(),
            [0x85, 0x08, 0x0e, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xec, 0]
        );
        let t = identify().transfer(4096).unwrap();
        assert_eq!(t.direction, Direction::FromDevice);
        assert_eq!(t.length, AtaTransferLength::Bytes(512));
        let cmd = AtaPassThrough::new(c16, None, 512).unwrap();
        assert_eq!(cmd.data_phase(), DataPhase::In(512));
    }

    #[test]
    fn lba48_byte_positions() {
        // READ DMA EXT of 8 sectors at LBA 0x0000_1122_3344_5566 (SAT-5 table 170).
        let r = AtaRegisters {
            protocol: 6,
            extend: true,
            t_dir: true,
            byt_blok: true,
            t_length: 2,
            features: 0xaabb,
            count: 0x0008,
            lba: 0x1122_3344_5566,
            device: 0x40,
            command: 0x25,
            ..AtaRegisters::default()
        };
        let c = AtaPassThrough16Cdb::new(r).unwrap();
        assert_eq!(
            c.to_cdb().as_bytes(),
            [
                0x85, 0x0d, 0x0e, 0xaa, 0xbb, 0x00, 0x08, 0x33, 0x66, 0x22, 0x55, 0x11, 0x44, 0x40,
                0x25, 0
            ]
        );
        assert_eq!(
            r.transfer(4096).unwrap().length,
            AtaTransferLength::Bytes(4096)
        );
        let t_type = AtaRegisters { t_type: true, ..r };
        assert_eq!(
            t_type.transfer(4096).unwrap().length,
            AtaTransferLength::Bytes(8 * 4096)
        );
    }

    #[test]
    fn rejections() {
        let wide = AtaRegisters {
            count: 0x100,
            ..identify()
        };
        assert!(AtaPassThrough12Cdb::new(wide).is_err());
        assert!(AtaPassThrough16Cdb::new(wide).is_err());
        assert!(AtaPassThrough16Cdb::new(AtaRegisters {
            extend: true,
            ..wide
        })
        .is_ok());
        assert!(AtaPassThrough12Cdb::new(AtaRegisters {
            extend: true,
            ..identify()
        })
        .is_err());
        // PIO Data-In with T_DIR to the device.
        assert!(AtaPassThrough16Cdb::new(AtaRegisters {
            t_dir: false,
            ..identify()
        })
        .is_err());
        // Non-data with a length.
        assert!(AtaPassThrough16Cdb::new(AtaRegisters {
            protocol: PROTOCOL_NON_DATA,
            ..identify()
        })
        .is_err());
        assert!(AtaPassThrough16Cdb::new(AtaRegisters {
            protocol: 0x10,
            ..identify()
        })
        .is_err());
        // Data-out without data, data-in with data.
        let out = AtaPassThrough16Cdb::new(AtaRegisters {
            protocol: 5,
            t_dir: false,
            ..identify()
        })
        .unwrap();
        assert!(AtaPassThrough::new(out, None, 512).is_err());
        assert!(AtaPassThrough::new(out, Some(&[0; 511]), 512).is_err());
        assert!(AtaPassThrough::new(out, Some(&[0; 512]), 512).is_ok());
        let inp = AtaPassThrough16Cdb::new(identify()).unwrap();
        assert!(AtaPassThrough::new(inp, Some(&[0; 512]), 512).is_err());
        let tpsiu = AtaPassThrough16Cdb::new(AtaRegisters {
            t_length: 3,
            ..identify()
        })
        .unwrap();
        assert!(AtaPassThrough::new(tpsiu, None, 512).is_err());
    }

    #[test]
    fn multiple_count_and_reserved_protocols() {
        // READ MULTIPLE (C4h), PIO Data-In, 8 sectors per DRQ block: MULTIPLE_COUNT 3 in
        // byte 1 bits 7:5 (SAT-5 table 169): 011b << 5 | 4h << 1 = 68h.
        let r = AtaRegisters {
            multiple_count: 3,
            command: 0xc4,
            ..identify()
        };
        let c = AtaPassThrough12Cdb::new(r).unwrap();
        assert_eq!(c.to_cdb().as_bytes()[1], 0x68);
        assert_eq!(AtaPassThrough12Cdb::parse_cdb(c.to_cdb().as_bytes()), Ok(c));
        assert_eq!(c.fields()[0], CdbField::new("MULTIPLE_COUNT", 3u8));
        assert!(AtaPassThrough16Cdb::new(AtaRegisters {
            multiple_count: 8,
            ..r
        })
        .is_err());
        for protocol in [0x2, 0x7, 0xd, 0xe] {
            let r = AtaRegisters {
                protocol,
                t_length: 0,
                ..AtaRegisters::default()
            };
            assert!(AtaPassThrough16Cdb::new(r).is_err(), "{protocol:x}");
            let mut cdb = [0u8; 16];
            cdb[0] = 0x85;
            cdb[1] = protocol << 1;
            assert!(
                AtaPassThrough16Cdb::parse_cdb(&cdb).is_err(),
                "{protocol:x}"
            );
        }
    }

    #[test]
    fn zero_length_is_no_data_phase() {
        // PIO Data-Out with COUNT 0: no bytes, so no data-out phase (and no data needed).
        let r = AtaRegisters {
            protocol: 5,
            t_dir: false,
            count: 0,
            ..identify()
        };
        assert_eq!(r.transfer(512).unwrap().direction, Direction::None);
        let out = AtaPassThrough16Cdb::new(r).unwrap();
        assert_eq!(
            AtaPassThrough::new(out, None, 512).unwrap().data_phase(),
            DataPhase::None
        );
        assert_eq!(
            AtaPassThrough::new(out, Some(&[]), 512)
                .unwrap()
                .data_phase(),
            DataPhase::None
        );
        let inp = AtaPassThrough16Cdb::new(AtaRegisters {
            count: 0,
            ..identify()
        })
        .unwrap();
        assert_eq!(
            AtaPassThrough::new(inp, None, 512).unwrap().data_phase(),
            DataPhase::None
        );
    }

    #[test]
    fn parse_rejects_what_new_rejects() {
        // IDENTIFY DEVICE with the high COUNT byte set but EXTEND clear: a SATL sends
        // COUNT 1 (28-bit), so the CDB must not decode as COUNT 0101h.
        let mut cdb = [0u8; 16];
        cdb[..3].copy_from_slice(&[0x85, 0x08, 0x0e]);
        cdb[5] = 1;
        cdb[6] = 1;
        cdb[14] = 0xec;
        assert_eq!(
            AtaPassThrough16Cdb::parse_cdb(&cdb),
            Err(DecodeError::InvalidValue {
                what: "COUNT",
                value: 0x101
            })
        );
        cdb[5] = 0;
        cdb[3] = 1;
        assert!(matches!(
            AtaPassThrough16Cdb::parse_cdb(&cdb),
            Err(DecodeError::InvalidValue {
                what: "FEATURES",
                ..
            })
        ));
        cdb[3] = 0;
        cdb[11] = 1;
        assert!(matches!(
            AtaPassThrough16Cdb::parse_cdb(&cdb),
            Err(DecodeError::InvalidValue { what: "LBA", .. })
        ));
        // With EXTEND the same bytes are a 48-bit command.
        cdb[1] |= 1;
        assert!(AtaPassThrough16Cdb::parse_cdb(&cdb).is_ok());
        // T_DIR against PIO Data-In.
        let mut c12 = [0xa1, 0x08, 0x06, 0, 1, 0, 0, 0, 0, 0xec, 0, 0];
        assert!(AtaPassThrough12Cdb::parse_cdb(&c12).is_err());
        c12[2] = 0x0e;
        assert!(AtaPassThrough12Cdb::parse_cdb(&c12).is_ok());
    }

    fn registers(extend: bool) -> impl Strategy<Value = AtaRegisters> {
        let wide: u16 = if extend { 0xffff } else { 0xff };
        let lba_max: u64 = if extend { (1 << 48) - 1 } else { 0xff_ffff };
        (
            (
                (0u8..16).prop_filter("reserved", |p| !protocol_reserved(*p)),
                0u8..4,
                any::<bool>(),
                any::<bool>(),
                any::<bool>(),
            ),
            (any::<bool>(), 0u8..4, 0..=wide, 0..=wide, 0..=lba_max),
            (any::<u8>(), any::<u8>(), 0u8..8),
        )
            .prop_map(
                move |(
                    (protocol, off_line, ck_cond, t_type, t_dir),
                    (byt_blok, t_length, features, count, lba),
                    (device, command, multiple_count),
                )| {
                    let mut r = AtaRegisters {
                        multiple_count,
                        protocol,
                        extend,
                        off_line,
                        ck_cond,
                        t_type,
                        t_dir,
                        byt_blok,
                        t_length,
                        features,
                        count,
                        lba,
                        device,
                        command,
                    };
                    // Make the transfer fields consistent with the protocol.
                    if !protocol_has_data(protocol) {
                        r.t_length = 0;
                    }
                    if let Some(dir) = protocol_direction(protocol) {
                        r.t_dir = dir == Direction::FromDevice;
                    }
                    r
                },
            )
    }

    proptest! {
        #[test]
        fn round_trip_12(r in registers(false)) {
            let x = AtaPassThrough12Cdb::new(r).unwrap();
            prop_assert_eq!(AtaPassThrough12Cdb::parse_cdb(x.to_cdb().as_bytes()), Ok(x));
        }

        #[test]
        fn round_trip_16(r in registers(true), r28 in registers(false)) {
            let x = AtaPassThrough16Cdb::new(r).unwrap();
            prop_assert_eq!(AtaPassThrough16Cdb::parse_cdb(x.to_cdb().as_bytes()), Ok(x));
            let x = AtaPassThrough16Cdb::new(r28).unwrap();
            prop_assert_eq!(AtaPassThrough16Cdb::parse_cdb(x.to_cdb().as_bytes()), Ok(x));
        }

        #[test]
        fn parse_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..40), sector: u32) {
            let _ = AtaPassThrough12Cdb::parse_cdb(&bytes);
            if let Ok(c) = AtaPassThrough16Cdb::parse_cdb(&bytes) {
                let _ = c.registers().transfer(sector);
                prop_assert_eq!(c.fields().len(), 14);
            }
        }
    }
}

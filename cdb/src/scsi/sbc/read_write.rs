//! READ (10)/(16) and WRITE (10)/(16) (SBC-4 5.15, 5.16, 5.40, 5.41), one implementation
//! parameterised by CDB size ([`Ten`], [`Sixteen`]) and direction ([`ReadOp`], [`WriteOp`]).
//!
//! The CDB layouts ([`RwCdb`]) carry every field, RDPROTECT/WRPROTECT included; the
//! [`Read`] and [`Write`] commands transfer no protection information and reject a
//! non-zero RDPROTECT/WRPROTECT, so their data phase is exactly TRANSFER LENGTH × logical
//! block length.

use super::lba_cdb::{BlockRange, CdbSize, Op};
pub use super::lba_cdb::{Sixteen, Ten};
use crate::command::{Cdb, CdbField, CdbLayout, DataPhase, ScsiCommand};
use crate::error::{BuildError, DecodeError};
use crate::scsi::cdb_bytes::{bit, byte, check};
use std::marker::PhantomData;

/// The direction of a block transfer command: selects READ or WRITE at a given size.
pub trait RwKind: Copy + std::fmt::Debug + PartialEq + Eq + Default {
    /// True for WRITE (SBC-4 5.40/5.41), false for READ (SBC-4 5.15/5.16).
    const WRITE: bool;
}

/// READ (SBC-4 5.15, 5.16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReadOp;

/// WRITE (SBC-4 5.40, 5.41).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WriteOp;

impl RwKind for ReadOp {
    const WRITE: bool = false;
}

impl RwKind for WriteOp {
    const WRITE: bool = true;
}

/// The options of READ and WRITE besides the address and length (SBC-4 5.15, 5.16,
/// 5.40, 5.41).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RwOptions {
    /// RDPROTECT (READ) or WRPROTECT (WRITE), 3 bits: how protection information is
    /// checked and transferred (SBC-4 5.15 table 63, 5.40 table 112). [`Read`] and
    /// [`Write`] need 0.
    pub protect: u8,
    /// DPO: disable page out (do not retain the data in cache).
    pub dpo: bool,
    /// FUA: force unit access (read from / write to the medium, not only the cache).
    pub fua: bool,
    /// RARC: rebuild assist recovery control, READ only (SBC-4 5.15; reserved in WRITE).
    pub rarc: bool,
    /// DLD2:0: the command duration limit descriptor, 3 bits, 16-byte CDBs only (SBC-4
    /// 5.16, 5.41; DLD2 in byte 1 bit 0, DLD1:0 in byte 14 bits 7:6).
    pub dld: u8,
    /// GROUP NUMBER (6 bits, SBC-4 4.22).
    pub group_number: u8,
}

/// A READ or WRITE CDB of size `S` (SBC-4 5.15, 5.16, 5.40, 5.41), validated on
/// construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RwCdb<S: CdbSize, D: RwKind> {
    range: BlockRange,
    protect: u8,
    dpo: bool,
    fua: bool,
    rarc: bool,
    dld: u8,
    _kind: PhantomData<(S, D)>,
}

/// READ (10) CDB (SBC-4 5.15).
pub type Read10Cdb = RwCdb<Ten, ReadOp>;
/// READ (16) CDB (SBC-4 5.16).
pub type Read16Cdb = RwCdb<Sixteen, ReadOp>;
/// WRITE (10) CDB (SBC-4 5.40).
pub type Write10Cdb = RwCdb<Ten, WriteOp>;
/// WRITE (16) CDB (SBC-4 5.41).
pub type Write16Cdb = RwCdb<Sixteen, WriteOp>;

const TRANSFER_LENGTH: &str = "TRANSFER LENGTH";
const DPO_BIT: u8 = 4;
const FUA_BIT: u8 = 3;
const RARC_BIT: u8 = 2;
/// The largest RDPROTECT/WRPROTECT and DLD value (3 bits).
const THREE_BITS: u8 = 0x7;

impl<S: CdbSize, D: RwKind> RwCdb<S, D> {
    const OP: Op = if D::WRITE { S::WRITE } else { S::READ };
    /// RDPROTECT or WRPROTECT, as this direction names it.
    const PROTECT: &'static str = if D::WRITE { "WRPROTECT" } else { "RDPROTECT" };
    /// DLD2:0 exists in the 16-byte CDBs only (SBC-4 5.16, 5.41).
    const HAS_DLD: bool = S::LEN == 16;

    /// Builds the CDB, rejecting an LBA, TRANSFER LENGTH, GROUP NUMBER, RDPROTECT/WRPROTECT
    /// or DLD that does not fit, and RARC in WRITE.
    pub fn new(
        logical_block_address: u64,
        transfer_length: u32,
        options: RwOptions,
    ) -> Result<Self, BuildError> {
        let max = |field, value: u8, max: u8| {
            BuildError::check_max(Self::NAME, field, u64::from(value), u64::from(max))
        };
        max(Self::PROTECT, options.protect, THREE_BITS)?;
        max(
            "DLD",
            options.dld,
            if Self::HAS_DLD { THREE_BITS } else { 0 },
        )?;
        if D::WRITE && options.rarc {
            return Err(BuildError::Invalid {
                command: Self::NAME,
                reason: "RARC is reserved in WRITE",
            });
        }
        Ok(RwCdb {
            range: BlockRange::new::<S>(
                Self::OP.name,
                TRANSFER_LENGTH,
                logical_block_address,
                u64::from(transfer_length),
                options.group_number,
            )?,
            protect: options.protect,
            dpo: options.dpo,
            fua: options.fua,
            rarc: options.rarc,
            dld: options.dld,
            _kind: PhantomData,
        })
    }

    /// LOGICAL BLOCK ADDRESS: the first block transferred.
    pub fn logical_block_address(&self) -> u64 {
        self.range.lba
    }

    /// TRANSFER LENGTH in logical blocks.
    pub fn transfer_length(&self) -> u32 {
        self.range.count
    }

    /// RDPROTECT/WRPROTECT, DPO, FUA, RARC, DLD and GROUP NUMBER.
    pub fn options(&self) -> RwOptions {
        RwOptions {
            protect: self.protect,
            dpo: self.dpo,
            fua: self.fua,
            rarc: self.rarc,
            dld: self.dld,
            group_number: self.range.group_number,
        }
    }
}

impl<S: CdbSize, D: RwKind> CdbLayout for RwCdb<S, D> {
    const NAME: &'static str = Self::OP.name;

    fn parse_cdb(cdb: &[u8]) -> Result<Self, DecodeError> {
        check(cdb, S::LEN, Self::OP.opcode, Self::NAME)?;
        let dld = if Self::HAS_DLD {
            (u8::from(bit(cdb, 1, 0)) << 2) | (byte(cdb, S::GROUP_AT) >> 6)
        } else {
            0
        };
        Ok(RwCdb {
            range: BlockRange::parse::<S>(cdb),
            protect: byte(cdb, 1) >> 5,
            dpo: bit(cdb, 1, DPO_BIT),
            fua: bit(cdb, 1, FUA_BIT),
            // Reserved in WRITE.
            rarc: !D::WRITE && bit(cdb, 1, RARC_BIT),
            dld,
            _kind: PhantomData,
        })
    }

    fn to_cdb(&self) -> Cdb {
        let mut cdb = Cdb::zeroed(S::LEN);
        let b = cdb.bytes_mut();
        b[0] = Self::OP.opcode;
        b[1] = (self.protect << 5)
            | (u8::from(self.dpo) << DPO_BIT)
            | (u8::from(self.fua) << FUA_BIT)
            | (u8::from(self.rarc) << RARC_BIT)
            | (self.dld >> 2);
        self.range.emit::<S>(b);
        if Self::HAS_DLD {
            b[S::GROUP_AT] |= (self.dld & 0x3) << 6;
        }
        cdb
    }

    fn fields(&self) -> Vec<CdbField> {
        let mut fields = vec![
            CdbField::new(Self::PROTECT, self.protect),
            CdbField::flag("DPO", self.dpo),
            CdbField::flag("FUA", self.fua),
        ];
        if !D::WRITE {
            fields.push(CdbField::flag("RARC", self.rarc));
        }
        if Self::HAS_DLD {
            fields.push(CdbField::new("DLD", self.dld));
        }
        fields.extend(self.range.fields::<S>(TRANSFER_LENGTH));
        fields
    }
}

/// [`Read`] and [`Write`] transfer no protection information: RDPROTECT/WRPROTECT must be
/// 0 so that the data phase is whole logical blocks (SBC-4 4.21.2).
fn no_protection(command: &'static str, options: RwOptions) -> Result<(), BuildError> {
    if options.protect == 0 {
        Ok(())
    } else {
        Err(BuildError::Invalid {
            command,
            reason: "protection information (RDPROTECT/WRPROTECT other than 0) is not supported",
        })
    }
}

/// READ of `S` size as a command: the data-in length is TRANSFER LENGTH × block length
/// (SBC-4 5.15, 5.16).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Read<S: CdbSize> {
    cdb: RwCdb<S, ReadOp>,
    data_len: u32,
}

/// READ (10) command (SBC-4 5.15).
pub type Read10 = Read<Ten>;
/// READ (16) command (SBC-4 5.16).
pub type Read16 = Read<Sixteen>;

impl<S: CdbSize> Read<S> {
    /// Reads `blocks` logical blocks of `block_size` bytes from `logical_block_address`;
    /// fails when a field does not fit or the byte count overflows 32 bits.
    pub fn new(
        logical_block_address: u64,
        blocks: u32,
        block_size: u32,
        options: RwOptions,
    ) -> Result<Self, BuildError> {
        let cdb = RwCdb::new(logical_block_address, blocks, options)?;
        no_protection(S::READ.name, options)?;
        if block_size == 0 {
            return Err(BuildError::Invalid {
                command: S::READ.name,
                reason: "logical block length must not be 0",
            });
        }
        let data_len = u64::from(blocks) * u64::from(block_size);
        BuildError::check_max(
            S::READ.name,
            "data length (bytes)",
            data_len,
            u64::from(u32::MAX),
        )?;
        Ok(Read {
            cdb,
            data_len: data_len as u32,
        })
    }

    /// The CDB.
    pub fn layout(&self) -> &RwCdb<S, ReadOp> {
        &self.cdb
    }
}

impl<S: CdbSize> ScsiCommand for Read<S> {
    /// The blocks read.
    type Response = Vec<u8>;

    fn name(&self) -> &'static str {
        S::READ.name
    }

    fn cdb(&self) -> Cdb {
        self.cdb.to_cdb()
    }

    fn data_phase(&self) -> DataPhase<'_> {
        DataPhase::input(self.data_len)
    }

    /// Returns the data; a short transfer is an error because READ transfers every block
    /// it completes (SBC-4 5.15).
    fn decode(&self, data_in: &[u8]) -> Result<Vec<u8>, DecodeError> {
        DecodeError::ensure_len(data_in, self.data_len as usize, S::READ.name)?;
        Ok(data_in
            .get(..self.data_len as usize)
            .unwrap_or_default()
            .to_vec())
    }
}

/// WRITE of `S` size as a command holding the bytes it sends; TRANSFER LENGTH is the
/// number of whole blocks in them (SBC-4 5.40, 5.41).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Write<'a, S: CdbSize> {
    cdb: RwCdb<S, WriteOp>,
    data: &'a [u8],
}

/// WRITE (10) command (SBC-4 5.40).
pub type Write10<'a> = Write<'a, Ten>;
/// WRITE (16) command (SBC-4 5.41).
pub type Write16<'a> = Write<'a, Sixteen>;

impl<'a, S: CdbSize> Write<'a, S> {
    /// Writes `data` at `logical_block_address`; `data` must be a non-empty whole number
    /// of `block_size`-byte blocks whose count fits TRANSFER LENGTH.
    pub fn new(
        logical_block_address: u64,
        data: &'a [u8],
        block_size: u32,
        options: RwOptions,
    ) -> Result<Self, BuildError> {
        let invalid = |reason| BuildError::Invalid {
            command: S::WRITE.name,
            reason,
        };
        if block_size == 0 {
            return Err(invalid("logical block length must not be 0"));
        }
        if data.is_empty() {
            return Err(invalid("no data to write"));
        }
        let size = block_size as usize;
        if data.len() % size != 0 {
            return Err(invalid(
                "data length is not a multiple of the logical block length",
            ));
        }
        BuildError::check_max(
            S::WRITE.name,
            "data length (bytes)",
            data.len() as u64,
            u64::from(u32::MAX),
        )?;
        let blocks = (data.len() / size) as u64;
        BuildError::check_max(
            S::WRITE.name,
            TRANSFER_LENGTH,
            blocks,
            crate::scsi::cdb_bytes::max_for_width(S::COUNT_BYTES),
        )?;
        let cdb = RwCdb::new(logical_block_address, blocks as u32, options)?;
        no_protection(S::WRITE.name, options)?;
        Ok(Write { cdb, data })
    }

    /// The CDB.
    pub fn layout(&self) -> &RwCdb<S, WriteOp> {
        &self.cdb
    }
}

impl<S: CdbSize> ScsiCommand for Write<'_, S> {
    type Response = ();

    fn name(&self) -> &'static str {
        S::WRITE.name
    }

    fn cdb(&self) -> Cdb {
        self.cdb.to_cdb()
    }

    fn data_phase(&self) -> DataPhase<'_> {
        DataPhase::output(self.data)
    }

    fn decode(&self, _data_in: &[u8]) -> Result<(), DecodeError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn opts(dpo: bool, fua: bool, group_number: u8) -> RwOptions {
        RwOptions {
            dpo,
            fua,
            group_number,
            ..RwOptions::default()
        }
    }

    #[test]
    fn read10_matches_sbc4_layout() {
        // READ (10), FUA, LBA 0x12345678, group 5, 8 blocks (SBC-4 5.15).
        let cmd = Read10::new(0x1234_5678, 8, 512, opts(false, true, 5)).unwrap();
        assert_eq!(
            cmd.cdb().as_bytes(),
            [0x28, 0x08, 0x12, 0x34, 0x56, 0x78, 0x05, 0x00, 0x08, 0x00]
        );
        assert_eq!(cmd.data_phase(), DataPhase::In(4096));
    }

    #[test]
    fn write16_matches_sbc4_layout() {
        let data = [0u8; 4096 * 2];
        let cmd =
            Write16::new(0x0102_0304_0506_0708, &data, 4096, opts(true, false, 0x3f)).unwrap();
        assert_eq!(
            cmd.cdb().as_bytes(),
            [0x8a, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 2, 0x3f, 0]
        );
        assert_eq!(cmd.data_phase().len(), 8192);
    }

    #[test]
    fn range_rejections() {
        assert!(Read10Cdb::new(1 << 32, 1, RwOptions::default()).is_err());
        assert!(Read10Cdb::new(u64::from(u32::MAX), 0x1_0000 - 1, RwOptions::default()).is_ok());
        assert!(Read10Cdb::new(0, 0x1_0000, RwOptions::default()).is_err());
        assert!(Read16Cdb::new(u64::MAX, u32::MAX, RwOptions::default()).is_ok());
        assert!(Read16Cdb::new(0, 1, opts(false, false, 0x40)).is_err());
        // Byte count overflow: 2^20 blocks of 4096 bytes is 2^32 bytes.
        assert!(Read16::new(0, 1 << 20, 4096, RwOptions::default()).is_err());
        assert!(Read16::new(0, 1, 0, RwOptions::default()).is_err());
    }

    #[test]
    fn write_rejects_bad_data() {
        let o = RwOptions::default();
        assert!(Write10::new(0, &[], 512, o).is_err());
        assert!(Write10::new(0, &[0; 513], 512, o).is_err());
        // 65536 blocks of 1 byte do not fit WRITE (10)'s 16-bit TRANSFER LENGTH.
        let big = vec![0u8; 0x1_0000];
        assert!(Write10::new(0, &big, 1, o).is_err());
        assert_eq!(
            Write16::new(0, &big, 1, o)
                .unwrap()
                .layout()
                .transfer_length(),
            0x1_0000
        );
    }

    #[test]
    fn read_decode_requires_all_blocks() {
        let cmd = Read10::new(0, 2, 512, RwOptions::default()).unwrap();
        assert!(cmd.decode(&[0; 1023]).is_err());
        assert_eq!(cmd.decode(&[7; 1024]).unwrap().len(), 1024);
    }

    #[test]
    fn parse_rejects_wrong_opcode() {
        let cdb = [0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0];
        assert!(Read10Cdb::parse_cdb(&cdb).is_ok());
        assert!(Write10Cdb::parse_cdb(&cdb).is_err());
        assert!(Read16Cdb::parse_cdb(&cdb).is_err());
    }

    #[test]
    fn protection_rarc_and_dld_are_kept() {
        // READ (16): RDPROTECT 011b, RARC, DLD2 (byte 1 = 65h); DLD1:0 = 10b over GROUP
        // NUMBER 5 (byte 14 = 85h): DLD 110b (SBC-4 5.16).
        let cdb = [0x88, 0x65, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 1, 0x85, 0];
        let x = Read16Cdb::parse_cdb(&cdb).unwrap();
        let o = x.options();
        assert_eq!((o.protect, o.rarc, o.dld, o.group_number), (3, true, 6, 5));
        assert_eq!(x.to_cdb().as_bytes(), cdb);
        let names: Vec<_> = x.fields().iter().map(|f| (f.name, f.value)).collect();
        assert!(names.contains(&("RDPROTECT", 3)));
        assert!(names.contains(&("RARC", 1)));
        assert!(names.contains(&("DLD", 6)));
        // WRITE (10) with WRPROTECT 1: a valid CDB, but not a Write this crate sends.
        let w = [0x2a, 0x20, 0, 0, 0, 0, 0, 0, 1, 0];
        assert_eq!(Write10Cdb::parse_cdb(&w).unwrap().options().protect, 1);
        let protect = RwOptions {
            protect: 1,
            ..RwOptions::default()
        };
        assert!(Read10::new(0, 1, 512, protect).is_err());
        assert!(Write16::new(0, &[0; 512], 512, protect).is_err());
        assert!(Read10Cdb::new(0, 1, protect).is_ok());
        // RARC is READ only, DLD 16-byte only.
        let rarc = RwOptions {
            rarc: true,
            ..RwOptions::default()
        };
        assert!(Write16Cdb::new(0, 1, rarc).is_err());
        assert_eq!(
            Read10Cdb::new(0, 1, rarc).unwrap().to_cdb().as_bytes()[1],
            0x04
        );
        let dld = RwOptions {
            dld: 1,
            ..RwOptions::default()
        };
        assert!(Read10Cdb::new(0, 1, dld).is_err());
        assert!(Read16Cdb::new(0, 1, RwOptions { dld: 8, ..dld }).is_err());
    }

    fn round_trip<S: CdbSize, D: RwKind>(lba: u64, tl: u32, o: RwOptions) {
        let x = RwCdb::<S, D>::new(lba, tl, o).unwrap();
        let cdb = x.to_cdb();
        assert_eq!(cdb.len(), S::LEN);
        assert_eq!(RwCdb::<S, D>::parse_cdb(cdb.as_bytes()), Ok(x));
    }

    proptest! {
        #[test]
        fn round_trip_all(
            lba in any::<u64>(),
            tl in any::<u32>(),
            dpo: bool,
            fua: bool,
            rarc: bool,
            g in 0u8..=0x3f,
            protect in 0u8..8,
            dld in 0u8..8,
        ) {
            let read10 = RwOptions { protect, rarc, ..opts(dpo, fua, g) };
            let write10 = RwOptions { rarc: false, ..read10 };
            let read16 = RwOptions { dld, ..read10 };
            let write16 = RwOptions { dld, ..write10 };
            round_trip::<Sixteen, ReadOp>(lba, tl, read16);
            round_trip::<Sixteen, WriteOp>(lba, tl, write16);
            round_trip::<Ten, ReadOp>(lba & 0xffff_ffff, tl & 0xffff, read10);
            round_trip::<Ten, WriteOp>(lba & 0xffff_ffff, tl & 0xffff, write10);
        }

        #[test]
        fn parse_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            let _ = Read10Cdb::parse_cdb(&bytes);
            let _ = Read16Cdb::parse_cdb(&bytes);
            let _ = Write10Cdb::parse_cdb(&bytes);
            if let Ok(x) = Write16Cdb::parse_cdb(&bytes) {
                prop_assert_eq!(x.to_cdb().as_bytes()[2..14].to_vec(), bytes[2..14].to_vec());
            }
        }
    }
}

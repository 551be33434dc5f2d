//! SYNCHRONIZE CACHE (10) 35h and (16) 91h (SBC-4 5.28, 5.29): write cached data for a
//! range of logical blocks to the medium. One implementation parameterised by CDB size.

use super::lba_cdb::{BlockRange, CdbSize};
pub use super::lba_cdb::{Sixteen, Ten};
use crate::command::{Cdb, CdbField, CdbLayout, DataInCommand};
use crate::error::{BuildError, DecodeError};
use crate::scsi::cdb_bytes::{bit, check};
use std::marker::PhantomData;

/// A SYNCHRONIZE CACHE CDB of size `S` (SBC-4 5.28, 5.29), validated on construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynchronizeCache<S: CdbSize> {
    immed: bool,
    range: BlockRange,
    _size: PhantomData<S>,
}

/// SYNCHRONIZE CACHE (10) (SBC-4 5.28).
pub type SynchronizeCache10 = SynchronizeCache<Ten>;
/// SYNCHRONIZE CACHE (16) (SBC-4 5.29).
pub type SynchronizeCache16 = SynchronizeCache<Sixteen>;

const NUMBER_OF_LOGICAL_BLOCKS: &str = "NUMBER OF LOGICAL BLOCKS";
const IMMED_BIT: u8 = 1;

impl<S: CdbSize> SynchronizeCache<S> {
    /// Synchronizes `number_of_logical_blocks` blocks from `logical_block_address`
    /// (0 blocks = through the last LBA); IMMED returns status before the write completes.
    pub fn new(
        immed: bool,
        logical_block_address: u64,
        number_of_logical_blocks: u32,
        group_number: u8,
    ) -> Result<Self, BuildError> {
        Ok(SynchronizeCache {
            immed,
            range: BlockRange::new::<S>(
                S::SYNCHRONIZE_CACHE.name,
                NUMBER_OF_LOGICAL_BLOCKS,
                logical_block_address,
                u64::from(number_of_logical_blocks),
                group_number,
            )?,
            _size: PhantomData,
        })
    }

    /// The whole medium: LBA 0, NUMBER OF LOGICAL BLOCKS 0, no IMMED.
    pub fn all() -> Self {
        SynchronizeCache {
            immed: false,
            range: BlockRange {
                lba: 0,
                count: 0,
                group_number: 0,
            },
            _size: PhantomData,
        }
    }

    /// IMMED.
    pub fn immed(&self) -> bool {
        self.immed
    }

    /// LOGICAL BLOCK ADDRESS.
    pub fn logical_block_address(&self) -> u64 {
        self.range.lba
    }

    /// NUMBER OF LOGICAL BLOCKS (0 = through the last LBA).
    pub fn number_of_logical_blocks(&self) -> u32 {
        self.range.count
    }

    /// GROUP NUMBER.
    pub fn group_number(&self) -> u8 {
        self.range.group_number
    }
}

impl<S: CdbSize> CdbLayout for SynchronizeCache<S> {
    const NAME: &'static str = S::SYNCHRONIZE_CACHE.name;

    fn parse_cdb(cdb: &[u8]) -> Result<Self, DecodeError> {
        check(cdb, S::LEN, S::SYNCHRONIZE_CACHE.opcode, Self::NAME)?;
        Ok(SynchronizeCache {
            immed: bit(cdb, 1, IMMED_BIT),
            range: BlockRange::parse::<S>(cdb),
            _size: PhantomData,
        })
    }

    fn to_cdb(&self) -> Cdb {
        let mut cdb = Cdb::zeroed(S::LEN);
        let b = cdb.bytes_mut();
        b[0] = S::SYNCHRONIZE_CACHE.opcode;
        b[1] = u8::from(self.immed) << IMMED_BIT;
        self.range.emit::<S>(b);
        cdb
    }

    fn fields(&self) -> Vec<CdbField> {
        let mut fields = vec![CdbField::flag("IMMED", self.immed)];
        fields.extend(self.range.fields::<S>(NUMBER_OF_LOGICAL_BLOCKS));
        fields
    }
}

impl<S: CdbSize> DataInCommand for SynchronizeCache<S> {
    type Response = ();

    fn allocation_length(&self) -> u32 {
        0
    }

    fn decode_data(&self, _data_in: &[u8]) -> Result<(), DecodeError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{DataPhase, ScsiCommand};
    use proptest::prelude::*;

    #[test]
    fn layouts_match_sbc4() {
        let c = SynchronizeCache10::new(true, 0x0102_0304, 0x0506, 7).unwrap();
        assert_eq!(c.to_cdb().as_bytes(), [0x35, 0x02, 1, 2, 3, 4, 7, 5, 6, 0]);
        let c = SynchronizeCache16::new(false, 0x0102_0304_0506_0708, 0x0a0b_0c0d, 1).unwrap();
        assert_eq!(
            c.to_cdb().as_bytes(),
            [0x91, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0x0a, 0x0b, 0x0c, 0x0d, 1, 0]
        );
        assert_eq!(SynchronizeCache16::all().to_cdb().as_bytes()[1..], [0; 15]);
        assert_eq!(c.data_phase(), DataPhase::None);
    }

    #[test]
    fn range_rejections() {
        assert!(SynchronizeCache10::new(false, 1 << 32, 0, 0).is_err());
        assert!(SynchronizeCache10::new(false, 0, 0x1_0000, 0).is_err());
        assert!(SynchronizeCache16::new(false, u64::MAX, u32::MAX, 0x40).is_err());
        assert!(SynchronizeCache16::new(false, u64::MAX, u32::MAX, 0x3f).is_ok());
    }

    proptest! {
        #[test]
        fn round_trip(immed: bool, lba: u64, n: u32, g in 0u8..=0x3f) {
            let x = SynchronizeCache16::new(immed, lba, n, g).unwrap();
            prop_assert_eq!(SynchronizeCache16::parse_cdb(x.to_cdb().as_bytes()), Ok(x));
            let x = SynchronizeCache10::new(immed, lba & 0xffff_ffff, n & 0xffff, g).unwrap();
            prop_assert_eq!(SynchronizeCache10::parse_cdb(x.to_cdb().as_bytes()), Ok(x));
        }

        #[test]
        fn parse_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            let _ = SynchronizeCache10::parse_cdb(&bytes);
            prop_assert_eq!(
                SynchronizeCache16::parse_cdb(&bytes).is_ok(),
                bytes.len() == 16 && bytes[0] == 0x91
            );
        }
    }
}

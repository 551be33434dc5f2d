//! TEST UNIT READY (SPC-5 6.47): ask whether the logical unit is ready; the answer is the
//! status (and sense data), never a data transfer.

use crate::command::{Cdb, CdbField, CdbLayout, DataInCommand};
use crate::error::DecodeError;
use crate::scsi::cdb_bytes::check;

/// TEST UNIT READY CDB (SPC-5 6.47): six bytes, operation code 00h, no fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TestUnitReady;

impl CdbLayout for TestUnitReady {
    const NAME: &'static str = "TEST UNIT READY";

    fn parse_cdb(cdb: &[u8]) -> Result<Self, DecodeError> {
        check(cdb, 6, 0x00, Self::NAME)?;
        Ok(TestUnitReady)
    }

    fn to_cdb(&self) -> Cdb {
        Cdb::zeroed(6)
    }

    fn fields(&self) -> Vec<CdbField> {
        Vec::new()
    }
}

impl DataInCommand for TestUnitReady {
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
    fn six_zero_bytes() {
        assert_eq!(TestUnitReady.to_cdb().as_bytes(), [0; 6]);
        assert_eq!(TestUnitReady.data_phase(), DataPhase::None);
        assert_eq!(TestUnitReady::parse_cdb(&[0; 6]), Ok(TestUnitReady));
        assert!(TestUnitReady::parse_cdb(&[0; 10]).is_err());
        assert!(TestUnitReady::parse_cdb(&[3, 0, 0, 0, 0, 0]).is_err());
    }

    proptest! {
        #[test]
        fn parse_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            prop_assert_eq!(
                TestUnitReady::parse_cdb(&bytes).is_ok(),
                bytes.len() == 6 && bytes[0] == 0
            );
        }
    }
}

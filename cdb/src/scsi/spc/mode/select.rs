//! MODE SELECT (6) 15h and MODE SELECT (10) 55h (SPC-5 6.11, 6.12), one implementation
//! parameterised by [`ModeForm`].

use super::form::ModeForm;
use crate::command::{Cdb, CdbField, CdbLayout, DataPhase, ScsiCommand};
use crate::error::{BuildError, DecodeError};
use crate::scsi::cdb_bytes::{be_uint, check, put_be};
use std::marker::PhantomData;

/// The CDB of MODE SELECT (6) or (10) (SPC-5 6.11, 6.12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModeSelectCdb<F: ModeForm> {
    /// PF (page format): the parameter list uses the SPC/command-set page formats.
    pub pf: bool,
    /// SP (save pages): save the changed pages.
    pub sp: bool,
    parameter_list_length: u16,
    form: PhantomData<F>,
}

impl<F: ModeForm> ModeSelectCdb<F> {
    /// A MODE SELECT CDB; PARAMETER LIST LENGTH must fit the form (255 for 6-byte).
    pub fn new(pf: bool, sp: bool, parameter_list_length: u16) -> Result<Self, BuildError> {
        BuildError::check_max(
            F::SELECT_NAME,
            "PARAMETER LIST LENGTH",
            parameter_list_length.into(),
            F::max_length(),
        )?;
        Ok(ModeSelectCdb {
            pf,
            sp,
            parameter_list_length,
            form: PhantomData,
        })
    }

    /// PARAMETER LIST LENGTH.
    pub fn parameter_list_length(&self) -> u16 {
        self.parameter_list_length
    }
}

impl<F: ModeForm> CdbLayout for ModeSelectCdb<F> {
    const NAME: &'static str = F::SELECT_NAME;

    fn parse_cdb(cdb: &[u8]) -> Result<Self, DecodeError> {
        check(cdb, F::CDB_LEN, F::SELECT_OPCODE, F::SELECT_NAME)?;
        Ok(ModeSelectCdb {
            pf: cdb[1] & 0x10 != 0,
            sp: cdb[1] & 0x01 != 0,
            parameter_list_length: be_uint(&cdb[F::LENGTH_AT..F::LENGTH_AT + F::LENGTH_WIDTH])
                as u16,
            form: PhantomData,
        })
    }

    fn to_cdb(&self) -> Cdb {
        let mut cdb = Cdb::zeroed(F::CDB_LEN);
        let b = cdb.bytes_mut();
        b[0] = F::SELECT_OPCODE;
        b[1] = u8::from(self.pf) << 4 | u8::from(self.sp);
        put_be(
            b,
            F::LENGTH_AT,
            F::LENGTH_WIDTH,
            self.parameter_list_length.into(),
        );
        cdb
    }

    fn fields(&self) -> Vec<CdbField> {
        vec![
            CdbField::flag("PF", self.pf),
            CdbField::flag("SP", self.sp),
            CdbField::new("PARAMETER LIST LENGTH", self.parameter_list_length),
        ]
    }
}

/// A MODE SELECT (6) or (10) command holding its parameter list (SPC-5 6.11, 6.12); the
/// PARAMETER LIST LENGTH is the length of that list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeSelect<F: ModeForm> {
    cdb: ModeSelectCdb<F>,
    parameter_list: Vec<u8>,
}

/// MODE SELECT (6) (SPC-5 6.11).
pub type ModeSelect6 = ModeSelect<super::form::Six>;
/// MODE SELECT (10) (SPC-5 6.12).
pub type ModeSelect10 = ModeSelect<super::form::Ten>;

impl<F: ModeForm> ModeSelect<F> {
    /// A MODE SELECT sending `parameter_list` (SPC-5 7.5: header, block descriptors,
    /// pages). Rejects a list longer than the form's PARAMETER LIST LENGTH can describe.
    pub fn new(pf: bool, sp: bool, parameter_list: Vec<u8>) -> Result<Self, BuildError> {
        let len = parameter_list.len() as u64;
        BuildError::check_max(
            F::SELECT_NAME,
            "PARAMETER LIST LENGTH",
            len,
            F::max_length(),
        )?;
        Ok(ModeSelect {
            cdb: ModeSelectCdb::new(pf, sp, len as u16)?,
            parameter_list,
        })
    }

    /// The CDB fields.
    pub fn cdb_layout(&self) -> ModeSelectCdb<F> {
        self.cdb
    }

    /// The parameter list sent.
    pub fn parameter_list(&self) -> &[u8] {
        &self.parameter_list
    }
}

impl<F: ModeForm> ScsiCommand for ModeSelect<F> {
    type Response = ();

    fn name(&self) -> &'static str {
        F::SELECT_NAME
    }

    fn cdb(&self) -> Cdb {
        self.cdb.to_cdb()
    }

    fn data_phase(&self) -> DataPhase<'_> {
        DataPhase::output(&self.parameter_list)
    }

    fn decode(&self, _data_in: &[u8]) -> Result<(), DecodeError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::form::{Six, Ten};
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn length_comes_from_the_data() {
        let cmd = ModeSelect10::new(true, false, vec![0; 28]).unwrap();
        assert_eq!(cmd.cdb().as_bytes(), &[0x55, 0x10, 0, 0, 0, 0, 0, 0, 28, 0]);
        assert_eq!(cmd.data_phase().len(), 28);
        let cmd = ModeSelect6::new(true, true, vec![0; 24]).unwrap();
        assert_eq!(cmd.cdb().as_bytes(), &[0x15, 0x11, 0, 0, 24, 0]);
        assert!(ModeSelect6::new(true, false, vec![0; 256]).is_err());
        // No parameter list: no data phase (not a data-out phase of no bytes).
        let empty = ModeSelect6::new(true, false, Vec::new()).unwrap();
        assert_eq!(empty.data_phase(), DataPhase::None);
    }

    fn round_trip<F: ModeForm>(pf: bool, sp: bool, len: u16) {
        let len = (u64::from(len) % (F::max_length() + 1)) as u16;
        let cdb = ModeSelectCdb::<F>::new(pf, sp, len).unwrap();
        assert_eq!(
            ModeSelectCdb::<F>::parse_cdb(cdb.to_cdb().as_bytes()),
            Ok(cdb)
        );
    }

    proptest! {
        #[test]
        fn round_trips(pf: bool, sp: bool, len: u16) {
            round_trip::<Six>(pf, sp, len);
            round_trip::<Ten>(pf, sp, len);
        }

        #[test]
        fn parse_arbitrary_cdb(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            let _ = ModeSelectCdb::<Six>::parse_cdb(&bytes);
            let _ = ModeSelectCdb::<Ten>::parse_cdb(&bytes);
        }
    }
}

//! MODE SENSE (6) 1Ah and MODE SENSE (10) 5Ah (SPC-5 6.13, 6.14), one implementation
//! parameterised by [`ModeForm`].

use super::form::ModeForm;
use super::parameters::ModeParameters;
use crate::command::{Cdb, CdbField, CdbLayout, DataInCommand};
use crate::error::{BuildError, DecodeError};
use crate::scsi::cdb_bytes::{be_uint, check, put_be};
use serde::Serialize;
use std::marker::PhantomData;

/// The PC (page control) field of MODE SENSE (SPC-5 6.13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PageControl {
    /// 00b: current values.
    Current,
    /// 01b: changeable values (a mask of the bits MODE SELECT may change).
    Changeable,
    /// 10b: default values.
    Default,
    /// 11b: saved values.
    Saved,
}

impl PageControl {
    /// The two-bit PC code.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The PC value for a two-bit code (higher bits are ignored).
    pub fn from_code(code: u8) -> Self {
        match code & 3 {
            0 => PageControl::Current,
            1 => PageControl::Changeable,
            2 => PageControl::Default,
            _ => PageControl::Saved,
        }
    }
}

/// PAGE CODE 3Fh: return all mode pages (SPC-5 6.13).
pub const ALL_PAGES: u8 = 0x3f;
/// SUBPAGE CODE FFh: return all subpages of the page (SPC-5 6.13).
pub const ALL_SUBPAGES: u8 = 0xff;

/// A MODE SENSE (6) or (10) command (SPC-5 6.13, 6.14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModeSense<F: ModeForm> {
    dbd: bool,
    llbaa: bool,
    pc: PageControl,
    page_code: u8,
    subpage_code: u8,
    allocation_length: u16,
    form: PhantomData<F>,
}

/// MODE SENSE (6) (SPC-5 6.13).
pub type ModeSense6 = ModeSense<super::form::Six>;
/// MODE SENSE (10) (SPC-5 6.14).
pub type ModeSense10 = ModeSense<super::form::Ten>;

impl<F: ModeForm> ModeSense<F> {
    /// A MODE SENSE for `page_code` (0 to 3Fh) / `subpage_code` with page control `pc`,
    /// block descriptors allowed (DBD=0), LLBAA=0. The ALLOCATION LENGTH must fit the form
    /// (255 for the 6-byte form).
    pub fn new(
        pc: PageControl,
        page_code: u8,
        subpage_code: u8,
        allocation_length: u16,
    ) -> Result<Self, BuildError> {
        BuildError::check_max(F::SENSE_NAME, "PAGE CODE", page_code.into(), 0x3f)?;
        BuildError::check_max(
            F::SENSE_NAME,
            "ALLOCATION LENGTH",
            allocation_length.into(),
            F::max_length(),
        )?;
        Ok(ModeSense {
            dbd: false,
            llbaa: false,
            pc,
            page_code,
            subpage_code,
            allocation_length,
            form: PhantomData,
        })
    }

    /// Sets DBD (disable block descriptors).
    pub fn with_dbd(mut self, dbd: bool) -> Self {
        self.dbd = dbd;
        self
    }

    /// Sets LLBAA (long LBA accepted); only the 10-byte form has it (SPC-5 6.14).
    pub fn with_llbaa(mut self, llbaa: bool) -> Result<Self, BuildError> {
        if llbaa && !F::LONG_LBA {
            return Err(BuildError::Invalid {
                command: F::SENSE_NAME,
                reason: "LLBAA exists only in MODE SENSE (10)",
            });
        }
        self.llbaa = llbaa;
        Ok(self)
    }

    /// DBD: disable block descriptors.
    pub fn dbd(&self) -> bool {
        self.dbd
    }

    /// LLBAA: long LBA accepted (10-byte form only).
    pub fn llbaa(&self) -> bool {
        self.llbaa
    }

    /// PC: which values are requested.
    pub fn pc(&self) -> PageControl {
        self.pc
    }

    /// PAGE CODE.
    pub fn page_code(&self) -> u8 {
        self.page_code
    }

    /// SUBPAGE CODE.
    pub fn subpage_code(&self) -> u8 {
        self.subpage_code
    }

    /// ALLOCATION LENGTH.
    pub fn allocation_length(&self) -> u16 {
        self.allocation_length
    }
}

impl<F: ModeForm> CdbLayout for ModeSense<F> {
    const NAME: &'static str = F::SENSE_NAME;

    fn parse_cdb(cdb: &[u8]) -> Result<Self, DecodeError> {
        check(cdb, F::CDB_LEN, F::SENSE_OPCODE, F::SENSE_NAME)?;
        let length = be_uint(&cdb[F::LENGTH_AT..F::LENGTH_AT + F::LENGTH_WIDTH]) as u16;
        Ok(ModeSense {
            dbd: cdb[1] & 0x08 != 0,
            llbaa: F::LONG_LBA && cdb[1] & 0x10 != 0,
            pc: PageControl::from_code(cdb[2] >> 6),
            page_code: cdb[2] & 0x3f,
            subpage_code: cdb[3],
            allocation_length: length,
            form: PhantomData,
        })
    }

    fn to_cdb(&self) -> Cdb {
        let mut cdb = Cdb::zeroed(F::CDB_LEN);
        let b = cdb.bytes_mut();
        b[0] = F::SENSE_OPCODE;
        b[1] = u8::from(self.llbaa) << 4 | u8::from(self.dbd) << 3;
        b[2] = self.pc.code() << 6 | self.page_code;
        b[3] = self.subpage_code;
        put_be(
            b,
            F::LENGTH_AT,
            F::LENGTH_WIDTH,
            self.allocation_length.into(),
        );
        cdb
    }

    fn fields(&self) -> Vec<CdbField> {
        let mut fields = Vec::with_capacity(7);
        if F::LONG_LBA {
            fields.push(CdbField::flag("LLBAA", self.llbaa));
        }
        fields.extend([
            CdbField::flag("DBD", self.dbd),
            CdbField::new("PC", self.pc.code()),
            CdbField::new("PAGE CODE", self.page_code),
            CdbField::new("SUBPAGE CODE", self.subpage_code),
            CdbField::new("ALLOCATION LENGTH", self.allocation_length),
        ]);
        fields
    }
}

impl<F: ModeForm> DataInCommand for ModeSense<F> {
    type Response = ModeParameters;

    fn allocation_length(&self) -> u32 {
        self.allocation_length.into()
    }

    fn decode_data(&self, data_in: &[u8]) -> Result<ModeParameters, DecodeError> {
        ModeParameters::decode::<F>(data_in)
    }
}

#[cfg(test)]
mod tests {
    use super::super::form::{Six, Ten};
    use super::*;
    use crate::command::{DataPhase, ScsiCommand};
    use proptest::prelude::*;

    #[test]
    fn mode_sense6_caching_changeable_bytes() {
        // SPC-5 6.13: 1Ah, DBD in byte 1 bit 3, PC in byte 2 bits 7:6, page 08h.
        let cmd = ModeSense6::new(PageControl::Changeable, 0x08, 0, 0xff)
            .unwrap()
            .with_dbd(true);
        assert_eq!(cmd.cdb().as_bytes(), &[0x1a, 0x08, 0x48, 0x00, 0xff, 0x00]);
        assert_eq!(cmd.data_phase(), DataPhase::In(255));
    }

    #[test]
    fn mode_sense10_all_pages_bytes() {
        let cmd = ModeSense10::new(PageControl::Current, ALL_PAGES, ALL_SUBPAGES, 0x1000)
            .unwrap()
            .with_llbaa(true)
            .unwrap();
        assert_eq!(
            cmd.cdb().as_bytes(),
            &[0x5a, 0x10, 0x3f, 0xff, 0, 0, 0, 0x10, 0x00, 0]
        );
    }

    #[test]
    fn rejects_unrepresentable() {
        assert!(ModeSense6::new(PageControl::Current, 0x40, 0, 4).is_err());
        assert!(ModeSense6::new(PageControl::Current, 8, 0, 256).is_err());
        assert!(ModeSense6::new(PageControl::Current, 8, 0, 4)
            .unwrap()
            .with_llbaa(true)
            .is_err());
        assert!(ModeSense10::parse_cdb(&[0x1a, 0, 8, 0, 4, 0]).is_err());
    }

    fn round_trip<F: ModeForm>(pc: u8, page: u8, sub: u8, len: u16, dbd: bool, llbaa: bool) {
        let len = (u64::from(len) % (F::max_length() + 1)) as u16;
        let cmd = ModeSense::<F>::new(PageControl::from_code(pc), page, sub, len)
            .unwrap()
            .with_dbd(dbd)
            .with_llbaa(llbaa && F::LONG_LBA)
            .unwrap();
        assert_eq!(ModeSense::<F>::parse_cdb(cmd.to_cdb().as_bytes()), Ok(cmd));
    }

    proptest! {
        #[test]
        fn round_trips(pc in 0u8..4, page in 0u8..0x40, sub: u8, len: u16, dbd: bool, llbaa: bool) {
            round_trip::<Six>(pc, page, sub, len, dbd, llbaa);
            round_trip::<Ten>(pc, page, sub, len, dbd, llbaa);
        }

        #[test]
        fn parse_arbitrary_cdb(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            let _ = ModeSense6::parse_cdb(&bytes);
            let _ = ModeSense10::parse_cdb(&bytes);
        }
    }
}

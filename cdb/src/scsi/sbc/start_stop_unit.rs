//! START STOP UNIT (SBC-4 5.27): spin a direct-access device up or down, change its power
//! condition, or load/eject its medium.

use crate::command::{Cdb, CdbField, CdbLayout, DataInCommand};
use crate::error::{BuildError, DecodeError};
use crate::scsi::cdb_bytes::{bit, byte, check};

/// START STOP UNIT CDB (SBC-4 5.27.1), 6 bytes, operation code 1Bh.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StartStopUnit {
    immed: bool,
    power_condition_modifier: u8,
    power_condition: u8,
    no_flush: bool,
    loej: bool,
    start: bool,
}

const OPCODE: u8 = 0x1b;

/// The name SBC-4 table 96 gives a POWER CONDITION code.
pub fn power_condition_name(code: u8) -> &'static str {
    match code {
        0x0 => "START_VALID",
        0x1 => "ACTIVE",
        0x2 => "IDLE",
        0x3 => "STANDBY",
        0x5 => "obsolete",
        0x7 => "LU_CONTROL",
        0xa => "FORCE_IDLE_0",
        0xb => "FORCE_STANDBY_0",
        _ => "reserved",
    }
}

impl StartStopUnit {
    /// Builds the CDB, rejecting a POWER CONDITION or POWER CONDITION MODIFIER above 4 bits.
    ///
    /// `immed`: return status once the CDB is validated; `no_flush`: do not write cached
    /// data before stopping; `loej`: load (with `start`) or eject the medium; `start`: make
    /// the logical unit ready (used only with POWER CONDITION 0h, START_VALID).
    pub fn new(
        immed: bool,
        power_condition_modifier: u8,
        power_condition: u8,
        no_flush: bool,
        loej: bool,
        start: bool,
    ) -> Result<Self, BuildError> {
        let name = <Self as CdbLayout>::NAME;
        BuildError::check_max(
            name,
            "POWER CONDITION MODIFIER",
            u64::from(power_condition_modifier),
            0x0f,
        )?;
        BuildError::check_max(name, "POWER CONDITION", u64::from(power_condition), 0x0f)?;
        Ok(StartStopUnit {
            immed,
            power_condition_modifier,
            power_condition,
            no_flush,
            loej,
            start,
        })
    }

    /// START=1: spin up / make ready.
    pub fn start() -> Self {
        StartStopUnit {
            start: true,
            ..Self::default()
        }
    }

    /// START=0: stop.
    pub fn stop() -> Self {
        Self::default()
    }

    /// IMMED.
    pub fn immed(&self) -> bool {
        self.immed
    }

    /// POWER CONDITION MODIFIER (4 bits).
    pub fn power_condition_modifier(&self) -> u8 {
        self.power_condition_modifier
    }

    /// POWER CONDITION (4 bits, SBC-4 table 96); see [`power_condition_name`].
    pub fn power_condition(&self) -> u8 {
        self.power_condition
    }

    /// NO_FLUSH.
    pub fn no_flush(&self) -> bool {
        self.no_flush
    }

    /// LOEJ.
    pub fn loej(&self) -> bool {
        self.loej
    }

    /// START.
    pub fn start_bit(&self) -> bool {
        self.start
    }
}

impl CdbLayout for StartStopUnit {
    const NAME: &'static str = "START STOP UNIT";

    fn parse_cdb(cdb: &[u8]) -> Result<Self, DecodeError> {
        check(cdb, 6, OPCODE, Self::NAME)?;
        Ok(StartStopUnit {
            immed: bit(cdb, 1, 0),
            power_condition_modifier: byte(cdb, 3) & 0x0f,
            power_condition: byte(cdb, 4) >> 4,
            no_flush: bit(cdb, 4, 2),
            loej: bit(cdb, 4, 1),
            start: bit(cdb, 4, 0),
        })
    }

    fn to_cdb(&self) -> Cdb {
        let mut cdb = Cdb::zeroed(6);
        let b = cdb.bytes_mut();
        b[0] = OPCODE;
        b[1] = u8::from(self.immed);
        b[3] = self.power_condition_modifier;
        b[4] = (self.power_condition << 4)
            | (u8::from(self.no_flush) << 2)
            | (u8::from(self.loej) << 1)
            | u8::from(self.start);
        cdb
    }

    fn fields(&self) -> Vec<CdbField> {
        vec![
            CdbField::flag("IMMED", self.immed),
            CdbField::new("POWER CONDITION MODIFIER", self.power_condition_modifier),
            CdbField::new("POWER CONDITION", self.power_condition),
            CdbField::flag("NO_FLUSH", self.no_flush),
            CdbField::flag("LOEJ", self.loej),
            CdbField::flag("START", self.start),
        ]
    }
}

impl DataInCommand for StartStopUnit {
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
    use proptest::prelude::*;

    #[test]
    fn known_cdbs() {
        // START, STOP, IMMED eject, and STANDBY with NO_FLUSH (SBC-4 5.27.1).
        assert_eq!(
            StartStopUnit::start().to_cdb().as_bytes(),
            [0x1b, 0, 0, 0, 1, 0]
        );
        assert_eq!(
            StartStopUnit::stop().to_cdb().as_bytes(),
            [0x1b, 0, 0, 0, 0, 0]
        );
        let eject = StartStopUnit::new(true, 0, 0, false, true, false).unwrap();
        assert_eq!(eject.to_cdb().as_bytes(), [0x1b, 1, 0, 0, 2, 0]);
        let standby = StartStopUnit::new(false, 0, 3, true, false, false).unwrap();
        assert_eq!(standby.to_cdb().as_bytes()[4], 0x34);
        assert_eq!(power_condition_name(3), "STANDBY");
        assert_eq!(power_condition_name(4), "reserved");
    }

    #[test]
    fn rejects_wide_fields() {
        assert!(StartStopUnit::new(false, 0, 0x10, false, false, false).is_err());
        assert!(StartStopUnit::new(false, 0x10, 0, false, false, false).is_err());
    }

    proptest! {
        #[test]
        fn round_trip(immed: bool, pcm in 0u8..16, pc in 0u8..16, no_flush: bool, loej: bool, start: bool) {
            let x = StartStopUnit::new(immed, pcm, pc, no_flush, loej, start).unwrap();
            prop_assert_eq!(StartStopUnit::parse_cdb(x.to_cdb().as_bytes()), Ok(x));
        }

        #[test]
        fn parse_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            prop_assert_eq!(StartStopUnit::parse_cdb(&bytes).is_ok(), bytes.len() == 6 && bytes[0] == 0x1b);
        }
    }
}

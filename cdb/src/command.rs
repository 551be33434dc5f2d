//! What every typed SCSI command is: CDB bytes, a data phase derived from the same values,
//! and a decoder for the data the device returns.
//!
//! SPC-5 4.2.5.6: the ALLOCATION LENGTH of a data-in command bounds what the device may
//! return; the transport's transfer length must agree with it, or devices and drivers reject
//! the command (ILLEGAL REQUEST 24/00 or 20/00 through some HBA drivers). A
//! [`ScsiCommand`] produces both from one value, so they cannot disagree.

use crate::error::{BuildError, DecodeError};
use serde::Serialize;
use std::fmt;

/// The longest CDB a typed command builds: the 32-byte variable-length CDB (SPC-5 4.2.4).
pub const MAX_CDB_LEN: usize = 32;

/// Command descriptor block bytes (SPC-5 4.2): 6, 10, 12, 16 or 32 bytes, or any length
/// from 6 to 16 for vendor-specific commands.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cdb {
    bytes: [u8; MAX_CDB_LEN],
    len: u8,
}

impl Cdb {
    /// Copies `bytes` into a CDB, accepting lengths 6 to 16 and 32.
    pub fn new(bytes: &[u8]) -> Result<Self, BuildError> {
        let len = bytes.len();
        if !(6..=16).contains(&len) && len != MAX_CDB_LEN {
            return Err(BuildError::Invalid {
                command: "CDB",
                reason: "length must be 6 to 16 or 32 bytes",
            });
        }
        let mut cdb = Cdb::zeroed(len);
        cdb.bytes[..len].copy_from_slice(bytes);
        Ok(cdb)
    }

    /// A CDB of `len` zero bytes, for builders to fill in.
    ///
    /// # Panics
    /// If `len` exceeds [`MAX_CDB_LEN`]; builders pass constants.
    pub(crate) fn zeroed(len: usize) -> Self {
        assert!(len <= MAX_CDB_LEN, "CDB length {len} exceeds {MAX_CDB_LEN}");
        Cdb {
            bytes: [0; MAX_CDB_LEN],
            len: len as u8,
        }
    }

    /// Mutable access to the CDB bytes, for builders.
    pub(crate) fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.bytes[..self.len as usize]
    }

    /// The CDB bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }

    /// The CDB length in bytes.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Always false: a CDB holds at least six bytes.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The OPERATION CODE, byte 0 (SPC-5 4.2.5.1).
    pub fn opcode(&self) -> u8 {
        self.bytes[0]
    }
}

impl fmt::Debug for Cdb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.as_bytes().iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// Direction of a command's data phase, from the initiator's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// No data phase.
    None,
    /// Data-in: the device sends data to the host.
    FromDevice,
    /// Data-out: the host sends data to the device.
    ToDevice,
}

/// The data phase a command needs: none, a data-in transfer of a known length, or the
/// data-out bytes themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataPhase<'a> {
    /// No data is transferred.
    None,
    /// The device returns at most this many bytes (the allocation or transfer length).
    In(u32),
    /// The host sends exactly these bytes.
    Out(&'a [u8]),
}

impl<'a> DataPhase<'a> {
    /// A data-in phase of at most `len` bytes; no data phase when `len` is 0. Every typed
    /// command builds its phase through this or [`DataPhase::output`], so that a phase
    /// that moves no bytes is always [`DataPhase::None`].
    pub fn input(len: u32) -> Self {
        match len {
            0 => DataPhase::None,
            len => DataPhase::In(len),
        }
    }

    /// A data-out phase sending `data`; no data phase when `data` is empty.
    pub fn output(data: &'a [u8]) -> Self {
        if data.is_empty() {
            DataPhase::None
        } else {
            DataPhase::Out(data)
        }
    }

    /// The direction of this phase.
    pub fn direction(&self) -> Direction {
        match self {
            DataPhase::None => Direction::None,
            DataPhase::In(_) => Direction::FromDevice,
            DataPhase::Out(_) => Direction::ToDevice,
        }
    }

    /// The number of bytes this phase transfers.
    pub fn len(&self) -> u32 {
        match self {
            DataPhase::None => 0,
            DataPhase::In(n) => *n,
            // Data-out builders reject buffers larger than u32::MAX bytes.
            DataPhase::Out(data) => u32::try_from(data.len()).unwrap_or(u32::MAX),
        }
    }

    /// The part of `data_in` this phase allows: at most its length (a device may not
    /// return more than the allocation length, SPC-5 4.2.5.6).
    pub fn within<'b>(&self, data_in: &'b [u8]) -> &'b [u8] {
        let limit = data_in.len().min(self.len() as usize);
        data_in.get(..limit).unwrap_or_default()
    }

    /// True when no bytes are transferred.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A SCSI command ready to send: its CDB, its data phase and its response decoder all come
/// from the same value.
pub trait ScsiCommand {
    /// What the command's data-in bytes decode to (`()` for commands without data-in).
    type Response;

    /// The command's name as SPC/SBC spells it, e.g. `"INQUIRY"`.
    fn name(&self) -> &'static str;

    /// The CDB bytes.
    fn cdb(&self) -> Cdb;

    /// The data phase, whose direction and length the CDB implies.
    fn data_phase(&self) -> DataPhase<'_>;

    /// Decodes the data-in bytes the device actually returned (the transfer length less the
    /// residual). Devices may return less than was allocated; decoders accept that where
    /// the standard allows it.
    fn decode(&self, data_in: &[u8]) -> Result<Self::Response, DecodeError>;
}

/// A command whose CDB layout is the whole command: no data-out, and a data-in phase
/// (possibly none) bounded by the allocation length the CDB itself carries (SPC-5 4.2.5.6).
///
/// Implementing this gives [`ScsiCommand`], with the name from [`CdbLayout::NAME`], the CDB
/// from [`CdbLayout::to_cdb`] and a data-in phase of exactly [`allocation_length`] bytes —
/// so the transfer and the CDB cannot disagree.
///
/// [`allocation_length`]: DataInCommand::allocation_length
pub trait DataInCommand: CdbLayout {
    /// What the data-in bytes decode to (`()` for commands without data).
    type Response;

    /// The ALLOCATION LENGTH (or other length field) the CDB carries; 0 for no data phase.
    fn allocation_length(&self) -> u32;

    /// Decodes the data-in bytes the device returned.
    fn decode_data(&self, data_in: &[u8]) -> Result<Self::Response, DecodeError>;
}

impl<T: DataInCommand> ScsiCommand for T {
    type Response = T::Response;

    fn name(&self) -> &'static str {
        T::NAME
    }

    fn cdb(&self) -> Cdb {
        self.to_cdb()
    }

    fn data_phase(&self) -> DataPhase<'_> {
        DataPhase::input(self.allocation_length())
    }

    fn decode(&self, data_in: &[u8]) -> Result<Self::Response, DecodeError> {
        self.decode_data(data_in)
    }
}

/// One named field of a CDB, as shown by `scsitool cdb decode` and `-v`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CdbField {
    /// The field's name as the standard spells it, e.g. `"ALLOCATION LENGTH"`.
    pub name: &'static str,
    /// The field's value (flags are 0 or 1).
    pub value: u64,
}

impl CdbField {
    /// A field with a numeric value.
    pub fn new(name: &'static str, value: impl Into<u64>) -> Self {
        CdbField {
            name,
            value: value.into(),
        }
    }

    /// A one-bit flag.
    pub fn flag(name: &'static str, set: bool) -> Self {
        CdbField {
            name,
            value: u64::from(set),
        }
    }
}

/// The parsed form of one CDB layout: the fields a CDB's bytes hold, parsed from and
/// emitted to bytes (a view in the style of smoltcp's `Repr` types).
///
/// Every typed command's CDB implements this, so that `parse_cdb(to_cdb(x)) == x` can be
/// tested for every builder and any CDB can be named and decoded field by field.
pub trait CdbLayout: Sized {
    /// The command's name as SPC/SBC spells it.
    const NAME: &'static str;

    /// Parses a CDB of this layout, rejecting wrong lengths, opcodes or service actions.
    fn parse_cdb(cdb: &[u8]) -> Result<Self, DecodeError>;

    /// Emits the CDB bytes.
    fn to_cdb(&self) -> Cdb;

    /// The CDB's fields, in CDB order, for display.
    fn fields(&self) -> Vec<CdbField>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phase_without_bytes_is_none() {
        assert_eq!(DataPhase::input(0), DataPhase::None);
        assert_eq!(DataPhase::output(&[]), DataPhase::None);
        assert_eq!(DataPhase::input(512), DataPhase::In(512));
        assert_eq!(DataPhase::output(&[1, 2]).direction(), Direction::ToDevice);
    }

    #[test]
    fn data_in_is_bounded_by_the_phase_length() {
        let data = [1u8, 2, 3, 4];
        assert_eq!(DataPhase::In(2).within(&data), &[1, 2]);
        assert_eq!(DataPhase::In(8).within(&data), &data);
        assert!(DataPhase::None.within(&data).is_empty());
    }
}

//! The 10-byte CDB layout READ BUFFER (10) and WRITE BUFFER share (SPC-5 6.16, 6.49):
//! MODE SPECIFIC and MODE in byte 1, BUFFER ID, a 24-bit BUFFER OFFSET and a 24-bit
//! length (ALLOCATION LENGTH or PARAMETER LIST LENGTH).

use crate::command::{Cdb, CdbField};
use crate::error::DecodeError;
use crate::scsi::cdb_bytes::{get_be, put_be};

/// The largest BUFFER OFFSET and length either command can carry (24 bits).
pub const MAX_24: u32 = 0xff_ffff;

/// The fields of a READ BUFFER (10) or WRITE BUFFER CDB, with MODE still a raw code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct BufferCdb {
    /// MODE (byte 1 bits 4:0).
    pub mode: u8,
    /// MODE SPECIFIC (byte 1 bits 7:5).
    pub mode_specific: u8,
    /// BUFFER ID (byte 2).
    pub buffer_id: u8,
    /// BUFFER OFFSET (bytes 3–5).
    pub buffer_offset: u32,
    /// ALLOCATION LENGTH or PARAMETER LIST LENGTH (bytes 6–8).
    pub length: u32,
}

impl BufferCdb {
    /// Parses a 10-byte CDB with `opcode`.
    pub fn parse(cdb: &[u8], opcode: u8, what: &'static str) -> Result<Self, DecodeError> {
        crate::scsi::cdb_bytes::check(cdb, 10, opcode, what)?;
        Ok(BufferCdb {
            mode: cdb[1] & 0x1f,
            mode_specific: cdb[1] >> 5,
            buffer_id: cdb[2],
            buffer_offset: get_be(cdb, 3, 3) as u32,
            length: get_be(cdb, 6, 3) as u32,
        })
    }

    /// Emits the CDB with `opcode`; the caller checked every field's range.
    pub fn emit(&self, opcode: u8) -> Cdb {
        let mut cdb = Cdb::zeroed(10);
        let b = cdb.bytes_mut();
        b[0] = opcode;
        b[1] = self.mode_specific << 5 | (self.mode & 0x1f);
        b[2] = self.buffer_id;
        put_be(b, 3, 3, self.buffer_offset.into());
        put_be(b, 6, 3, self.length.into());
        cdb
    }

    /// The fields for display, naming the length field `length_name`.
    pub fn fields(&self, length_name: &'static str) -> Vec<CdbField> {
        vec![
            CdbField::new("MODE SPECIFIC", self.mode_specific),
            CdbField::new("MODE", self.mode),
            CdbField::new("BUFFER ID", self.buffer_id),
            CdbField::new("BUFFER OFFSET", self.buffer_offset),
            CdbField::new(length_name, self.length),
        ]
    }
}

//! READ BUFFER (10) 3Ch (SPC-5 6.16).

use super::cdb10::{BufferCdb, MAX_24};
use super::descriptor::BufferDescriptor;
use super::error_history::{returns_directory, ErrorHistoryDirectory};
use super::microcode::MicrocodeStatus;
use crate::code_table::{code_of, value_of};
use crate::command::{Cdb, CdbField, CdbLayout, DataInCommand};
use crate::error::{BuildError, DecodeError};
use serde::Serialize;

/// READ BUFFER (10) operation code (SPC-5 6.16).
pub const OPCODE: u8 = 0x3c;

/// READ BUFFER MODE field values (SPC-5 6.16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReadBufferMode {
    /// 00h: combined header and data.
    CombinedHeaderAndData,
    /// 01h: vendor specific.
    VendorSpecific,
    /// 02h: data.
    Data,
    /// 03h: descriptor.
    Descriptor,
    /// 0Ah: read data from echo buffer.
    EchoBuffer,
    /// 0Bh: echo buffer descriptor.
    EchoBufferDescriptor,
    /// 0Fh: read microcode status.
    MicrocodeStatus,
    /// 1Ah: enable expander communications protocol and echo buffer.
    EnableExpanderEchoBuffer,
    /// 1Ch: error history.
    ErrorHistory,
}

impl ReadBufferMode {
    const TABLE: [(ReadBufferMode, u8); 9] = [
        (ReadBufferMode::CombinedHeaderAndData, 0x00),
        (ReadBufferMode::VendorSpecific, 0x01),
        (ReadBufferMode::Data, 0x02),
        (ReadBufferMode::Descriptor, 0x03),
        (ReadBufferMode::EchoBuffer, 0x0a),
        (ReadBufferMode::EchoBufferDescriptor, 0x0b),
        (ReadBufferMode::MicrocodeStatus, 0x0f),
        (ReadBufferMode::EnableExpanderEchoBuffer, 0x1a),
        (ReadBufferMode::ErrorHistory, 0x1c),
    ];

    /// The MODE code.
    pub fn code(self) -> u8 {
        code_of(&Self::TABLE, self)
    }

    /// The mode for a MODE code, if SPC-5 defines it.
    pub fn from_code(code: u8) -> Option<Self> {
        value_of(&Self::TABLE, code)
    }
}

/// A READ BUFFER (10) command (SPC-5 6.16).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadBuffer {
    mode: ReadBufferMode,
    mode_specific: u8,
    buffer_id: u8,
    buffer_offset: u32,
    allocation_length: u32,
}

impl ReadBuffer {
    /// A READ BUFFER; MODE SPECIFIC is 3 bits, BUFFER OFFSET and ALLOCATION LENGTH 24.
    pub fn new(
        mode: ReadBufferMode,
        mode_specific: u8,
        buffer_id: u8,
        buffer_offset: u32,
        allocation_length: u32,
    ) -> Result<Self, BuildError> {
        BuildError::check_max(Self::NAME, "MODE SPECIFIC", mode_specific.into(), 7)?;
        BuildError::check_max(
            Self::NAME,
            "BUFFER OFFSET",
            buffer_offset.into(),
            MAX_24.into(),
        )?;
        BuildError::check_max(
            Self::NAME,
            "ALLOCATION LENGTH",
            allocation_length.into(),
            MAX_24.into(),
        )?;
        Ok(ReadBuffer {
            mode,
            mode_specific,
            buffer_id,
            buffer_offset,
            allocation_length,
        })
    }

    /// Mode 02h: `allocation_length` bytes of buffer `buffer_id` from `buffer_offset`.
    pub fn data(
        buffer_id: u8,
        buffer_offset: u32,
        allocation_length: u32,
    ) -> Result<Self, BuildError> {
        Self::new(
            ReadBufferMode::Data,
            0,
            buffer_id,
            buffer_offset,
            allocation_length,
        )
    }

    /// Mode 03h: the 4-byte descriptor of buffer `buffer_id`.
    pub fn descriptor(buffer_id: u8) -> Self {
        ReadBuffer {
            mode: ReadBufferMode::Descriptor,
            mode_specific: 0,
            buffer_id,
            buffer_offset: 0,
            allocation_length: 4,
        }
    }

    /// Mode 0Fh: the microcode status (16 bytes).
    pub fn microcode_status() -> Self {
        ReadBuffer {
            mode: ReadBufferMode::MicrocodeStatus,
            mode_specific: 0,
            buffer_id: 0,
            buffer_offset: 0,
            allocation_length: 16,
        }
    }

    /// Mode 1Ch: error history buffer `buffer_id` (00h-03h directory, 10h-EFh data).
    pub fn error_history(
        buffer_id: u8,
        buffer_offset: u32,
        allocation_length: u32,
    ) -> Result<Self, BuildError> {
        Self::new(
            ReadBufferMode::ErrorHistory,
            0,
            buffer_id,
            buffer_offset,
            allocation_length,
        )
    }

    /// MODE.
    pub fn mode(&self) -> ReadBufferMode {
        self.mode
    }

    /// BUFFER ID.
    pub fn buffer_id(&self) -> u8 {
        self.buffer_id
    }

    /// BUFFER OFFSET.
    pub fn buffer_offset(&self) -> u32 {
        self.buffer_offset
    }

    /// ALLOCATION LENGTH.
    pub fn allocation_length(&self) -> u32 {
        self.allocation_length
    }
}

impl ReadBuffer {
    /// The CDB fields with MODE as its code.
    fn raw(&self) -> BufferCdb {
        BufferCdb {
            mode: self.mode.code(),
            mode_specific: self.mode_specific,
            buffer_id: self.buffer_id,
            buffer_offset: self.buffer_offset,
            length: self.allocation_length,
        }
    }
}

impl CdbLayout for ReadBuffer {
    const NAME: &'static str = "READ BUFFER (10)";

    fn parse_cdb(cdb: &[u8]) -> Result<Self, DecodeError> {
        let raw = BufferCdb::parse(cdb, OPCODE, Self::NAME)?;
        let mode = ReadBufferMode::from_code(raw.mode).ok_or(DecodeError::InvalidValue {
            what: "READ BUFFER MODE",
            value: raw.mode.into(),
        })?;
        Ok(ReadBuffer {
            mode,
            mode_specific: raw.mode_specific,
            buffer_id: raw.buffer_id,
            buffer_offset: raw.buffer_offset,
            allocation_length: raw.length,
        })
    }

    fn to_cdb(&self) -> Cdb {
        self.raw().emit(OPCODE)
    }

    fn fields(&self) -> Vec<CdbField> {
        self.raw().fields("ALLOCATION LENGTH")
    }
}

/// What READ BUFFER returned, decoded by mode.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReadBufferData {
    /// Buffer contents (modes 00h, 01h, 02h, 0Ah, 1Ah, and error history data buffers).
    Bytes {
        /// The bytes returned.
        data: Vec<u8>,
    },
    /// Mode 03h descriptor (SPC-5 6.16, descriptor mode).
    Descriptor(BufferDescriptor),
    /// Mode 0Bh echo buffer descriptor (SPC-5 6.16, echo buffer descriptor mode).
    EchoBufferDescriptor {
        /// EBOS (echo buffer overwritten supported).
        ebos: bool,
        /// BUFFER CAPACITY (13 bits).
        buffer_capacity: u16,
    },
    /// Mode 0Fh microcode status.
    MicrocodeStatus(MicrocodeStatus),
    /// Mode 1Ch with buffer ID 00h-03h: the error history directory.
    ErrorHistoryDirectory(ErrorHistoryDirectory),
}

impl DataInCommand for ReadBuffer {
    type Response = ReadBufferData;

    fn allocation_length(&self) -> u32 {
        self.allocation_length
    }

    fn decode_data(&self, data_in: &[u8]) -> Result<ReadBufferData, DecodeError> {
        Ok(match self.mode {
            ReadBufferMode::Descriptor => {
                ReadBufferData::Descriptor(BufferDescriptor::decode(data_in)?)
            }
            ReadBufferMode::EchoBufferDescriptor => {
                DecodeError::ensure_len(data_in, 4, "echo buffer descriptor")?;
                ReadBufferData::EchoBufferDescriptor {
                    ebos: data_in[0] & 1 != 0,
                    buffer_capacity: u16::from_be_bytes([data_in[2], data_in[3]]) & 0x1fff,
                }
            }
            ReadBufferMode::MicrocodeStatus => {
                ReadBufferData::MicrocodeStatus(MicrocodeStatus::decode(data_in)?)
            }
            ReadBufferMode::ErrorHistory if returns_directory(self.buffer_id) => {
                ReadBufferData::ErrorHistoryDirectory(ErrorHistoryDirectory::decode(data_in)?)
            }
            _ => ReadBufferData::Bytes {
                data: data_in.to_vec(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::ScsiCommand;
    use proptest::prelude::*;

    #[test]
    fn cdb_bytes() {
        let cmd = ReadBuffer::data(1, 0x012345, 0x200).unwrap();
        assert_eq!(
            cmd.cdb().as_bytes(),
            &[0x3c, 0x02, 0x01, 0x01, 0x23, 0x45, 0x00, 0x02, 0x00, 0]
        );
        assert_eq!(
            ReadBuffer::descriptor(0).cdb().as_bytes(),
            &[0x3c, 0x03, 0, 0, 0, 0, 0, 0, 4, 0]
        );
        assert_eq!(ReadBuffer::microcode_status().cdb().as_bytes()[1], 0x0f);
        assert!(ReadBuffer::data(0, 1 << 24, 4).is_err());
        assert!(ReadBuffer::data(0, 0, 1 << 24).is_err());
        assert!(ReadBuffer::parse_cdb(&[0x3c, 0x05, 0, 0, 0, 0, 0, 0, 4, 0]).is_err());
    }

    #[test]
    fn decodes_by_mode() {
        let d = ReadBuffer::descriptor(0)
            .decode(&[0xff, 0x00, 0x80, 0x00])
            .unwrap();
        assert_eq!(
            d,
            ReadBufferData::Descriptor(BufferDescriptor {
                offset_boundary: super::super::OffsetBoundary::ZeroOnly,
                buffer_capacity: 0x8000
            })
        );
        let echo = ReadBuffer::new(ReadBufferMode::EchoBufferDescriptor, 0, 0, 0, 4).unwrap();
        assert_eq!(
            echo.decode(&[1, 0, 0xe0, 0x40]).unwrap(),
            ReadBufferData::EchoBufferDescriptor {
                ebos: true,
                buffer_capacity: 0x40
            }
        );
        let eh = ReadBuffer::error_history(0x10, 0, 64).unwrap();
        assert_eq!(
            eh.decode(&[1, 2]).unwrap(),
            ReadBufferData::Bytes { data: vec![1, 2] }
        );
    }

    fn modes() -> impl Strategy<Value = ReadBufferMode> {
        proptest::sample::select(ReadBufferMode::TABLE.map(|(m, _)| m).to_vec())
    }

    proptest! {
        #[test]
        fn round_trip(mode in modes(), ms in 0u8..8, id: u8, off in 0u32..=MAX_24, len in 0u32..=MAX_24) {
            let cmd = ReadBuffer::new(mode, ms, id, off, len).unwrap();
            prop_assert_eq!(ReadBuffer::parse_cdb(cmd.to_cdb().as_bytes()), Ok(cmd));
        }

        #[test]
        fn arbitrary_bytes_do_not_panic(mode in modes(), id: u8, bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let cmd = ReadBuffer::new(mode, 0, id, 0, 600).unwrap();
            let _ = cmd.decode(&bytes);
        }
    }
}

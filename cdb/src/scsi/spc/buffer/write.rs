//! WRITE BUFFER 3Bh (SPC-5 6.49): data, microcode download and activation, application
//! client error history.

use super::cdb10::{BufferCdb, MAX_24};
use super::descriptor::BufferDescriptor;
use crate::code_table::{code_of, value_of};
use crate::command::{Cdb, CdbField, CdbLayout, DataPhase, ScsiCommand};
use crate::error::{BuildError, DecodeError};

/// WRITE BUFFER operation code (SPC-5 6.49).
pub const OPCODE: u8 = 0x3b;

/// WRITE BUFFER MODE field values (SPC-5 6.49).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteBufferMode {
    /// 00h: combined header and data.
    CombinedHeaderAndData,
    /// 01h: vendor specific.
    VendorSpecific,
    /// 02h: data.
    Data,
    /// 04h: download microcode and activate.
    DownloadMicrocode,
    /// 05h: download microcode, save, and activate.
    DownloadMicrocodeSave,
    /// 06h: download microcode with offsets and activate.
    DownloadMicrocodeOffsets,
    /// 07h: download microcode with offsets, save, and activate.
    DownloadMicrocodeOffsetsSave,
    /// 0Ah: write data to echo buffer.
    EchoBuffer,
    /// 0Dh: download microcode with offsets, select activation events, save, and defer
    /// activate.
    DownloadMicrocodeOffsetsSelectEventsSaveDefer,
    /// 0Eh: download microcode with offsets, save, and defer activate.
    DownloadMicrocodeOffsetsSaveDefer,
    /// 0Fh: activate deferred microcode (no data).
    ActivateDeferredMicrocode,
    /// 1Ah: enable expander communications protocol and echo buffer.
    EnableExpanderEchoBuffer,
    /// 1Bh: disable expander communications protocol.
    DisableExpander,
    /// 1Ch: download application client error history.
    ApplicationClientErrorHistory,
}

impl WriteBufferMode {
    const TABLE: [(WriteBufferMode, u8); 14] = [
        (WriteBufferMode::CombinedHeaderAndData, 0x00),
        (WriteBufferMode::VendorSpecific, 0x01),
        (WriteBufferMode::Data, 0x02),
        (WriteBufferMode::DownloadMicrocode, 0x04),
        (WriteBufferMode::DownloadMicrocodeSave, 0x05),
        (WriteBufferMode::DownloadMicrocodeOffsets, 0x06),
        (WriteBufferMode::DownloadMicrocodeOffsetsSave, 0x07),
        (WriteBufferMode::EchoBuffer, 0x0a),
        (
            WriteBufferMode::DownloadMicrocodeOffsetsSelectEventsSaveDefer,
            0x0d,
        ),
        (WriteBufferMode::DownloadMicrocodeOffsetsSaveDefer, 0x0e),
        (WriteBufferMode::ActivateDeferredMicrocode, 0x0f),
        (WriteBufferMode::EnableExpanderEchoBuffer, 0x1a),
        (WriteBufferMode::DisableExpander, 0x1b),
        (WriteBufferMode::ApplicationClientErrorHistory, 0x1c),
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

/// The MODE SPECIFIC field of mode 0Dh: events that also activate the deferred microcode
/// (SPC-5 6.49, download microcode with offsets, select activation events, save, and
/// defer activate mode). Supported events are reported in the Extended INQUIRY Data VPD
/// page (POA_SUP, HRA_SUP, VSA_SUP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ActivationEvents {
    /// PO_ACT: activate on power on.
    pub po_act: bool,
    /// HR_ACT: activate on hard reset.
    pub hr_act: bool,
    /// VSE_ACT: activate on a vendor specific event.
    pub vse_act: bool,
}

impl ActivationEvents {
    /// The 3-bit MODE SPECIFIC value.
    pub fn mode_specific(self) -> u8 {
        u8::from(self.po_act) << 2 | u8::from(self.hr_act) << 1 | u8::from(self.vse_act)
    }
}

/// The CDB of WRITE BUFFER (SPC-5 6.49).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteBufferCdb {
    mode: WriteBufferMode,
    mode_specific: u8,
    buffer_id: u8,
    buffer_offset: u32,
    parameter_list_length: u32,
}

impl WriteBufferCdb {
    /// A WRITE BUFFER CDB; MODE SPECIFIC is 3 bits, BUFFER OFFSET and PARAMETER LIST
    /// LENGTH 24 bits each.
    pub fn new(
        mode: WriteBufferMode,
        mode_specific: u8,
        buffer_id: u8,
        buffer_offset: u32,
        parameter_list_length: u32,
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
            "PARAMETER LIST LENGTH",
            parameter_list_length.into(),
            MAX_24.into(),
        )?;
        Ok(WriteBufferCdb {
            mode,
            mode_specific,
            buffer_id,
            buffer_offset,
            parameter_list_length,
        })
    }

    /// MODE.
    pub fn mode(&self) -> WriteBufferMode {
        self.mode
    }

    /// MODE SPECIFIC.
    pub fn mode_specific(&self) -> u8 {
        self.mode_specific
    }

    /// BUFFER ID.
    pub fn buffer_id(&self) -> u8 {
        self.buffer_id
    }

    /// BUFFER OFFSET.
    pub fn buffer_offset(&self) -> u32 {
        self.buffer_offset
    }

    /// PARAMETER LIST LENGTH.
    pub fn parameter_list_length(&self) -> u32 {
        self.parameter_list_length
    }
}

impl WriteBufferCdb {
    /// The CDB fields with MODE as its code.
    fn raw(&self) -> BufferCdb {
        BufferCdb {
            mode: self.mode.code(),
            mode_specific: self.mode_specific,
            buffer_id: self.buffer_id,
            buffer_offset: self.buffer_offset,
            length: self.parameter_list_length,
        }
    }
}

impl CdbLayout for WriteBufferCdb {
    const NAME: &'static str = "WRITE BUFFER";

    fn parse_cdb(cdb: &[u8]) -> Result<Self, DecodeError> {
        let raw = BufferCdb::parse(cdb, OPCODE, Self::NAME)?;
        let mode = WriteBufferMode::from_code(raw.mode).ok_or(DecodeError::InvalidValue {
            what: "WRITE BUFFER MODE",
            value: raw.mode.into(),
        })?;
        Ok(WriteBufferCdb {
            mode,
            mode_specific: raw.mode_specific,
            buffer_id: raw.buffer_id,
            buffer_offset: raw.buffer_offset,
            parameter_list_length: raw.length,
        })
    }

    fn to_cdb(&self) -> Cdb {
        self.raw().emit(OPCODE)
    }

    fn fields(&self) -> Vec<CdbField> {
        self.raw().fields("PARAMETER LIST LENGTH")
    }
}

/// A WRITE BUFFER command holding the bytes it sends (SPC-5 6.49); PARAMETER LIST LENGTH
/// is their length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteBuffer {
    cdb: WriteBufferCdb,
    data: Vec<u8>,
}

impl WriteBuffer {
    /// A WRITE BUFFER of any mode. Rejects offsets and lengths beyond 24 bits and data
    /// with modes 0Fh and 1Bh (which transfer none).
    pub fn new(
        mode: WriteBufferMode,
        mode_specific: u8,
        buffer_id: u8,
        buffer_offset: u32,
        data: Vec<u8>,
    ) -> Result<Self, BuildError> {
        let no_data = matches!(
            mode,
            WriteBufferMode::ActivateDeferredMicrocode | WriteBufferMode::DisableExpander
        );
        if no_data && !data.is_empty() {
            return Err(BuildError::Invalid {
                command: WriteBufferCdb::NAME,
                reason: "modes 0Fh and 1Bh transfer no data",
            });
        }
        let len = u64::try_from(data.len()).unwrap_or(u64::MAX);
        BuildError::check_max(
            WriteBufferCdb::NAME,
            "PARAMETER LIST LENGTH",
            len,
            MAX_24.into(),
        )?;
        Ok(WriteBuffer {
            cdb: WriteBufferCdb::new(mode, mode_specific, buffer_id, buffer_offset, len as u32)?,
            data,
        })
    }

    /// As [`WriteBuffer::new`], and also checks BUFFER OFFSET against the OFFSET BOUNDARY
    /// and the end of the data against the BUFFER CAPACITY that READ BUFFER mode 03h
    /// returned for this buffer (SPC-5 6.16, descriptor mode).
    pub fn new_checked(
        mode: WriteBufferMode,
        mode_specific: u8,
        buffer_id: u8,
        buffer_offset: u32,
        data: Vec<u8>,
        descriptor: &BufferDescriptor,
    ) -> Result<Self, BuildError> {
        let command = WriteBufferCdb::NAME;
        if !descriptor.offset_boundary.permits(buffer_offset) {
            return Err(BuildError::Invalid {
                command,
                reason: "BUFFER OFFSET violates the buffer's OFFSET BOUNDARY",
            });
        }
        let end = u64::from(buffer_offset) + data.len() as u64;
        BuildError::check_max(
            command,
            "BUFFER OFFSET + PARAMETER LIST LENGTH",
            end,
            descriptor.buffer_capacity.into(),
        )?;
        Self::new(mode, mode_specific, buffer_id, buffer_offset, data)
    }

    /// Mode 02h: write `data` into buffer `buffer_id` at `buffer_offset`.
    pub fn data(buffer_id: u8, buffer_offset: u32, data: Vec<u8>) -> Result<Self, BuildError> {
        Self::new(WriteBufferMode::Data, 0, buffer_id, buffer_offset, data)
    }

    /// Mode 05h: download a whole microcode image, save and activate it.
    pub fn download_microcode_save(buffer_id: u8, image: Vec<u8>) -> Result<Self, BuildError> {
        Self::new(
            WriteBufferMode::DownloadMicrocodeSave,
            0,
            buffer_id,
            0,
            image,
        )
    }

    /// Mode 07h: one piece of a microcode image at `buffer_offset`; saved and activated
    /// after the last piece.
    pub fn download_microcode_offsets_save(
        buffer_id: u8,
        buffer_offset: u32,
        chunk: Vec<u8>,
    ) -> Result<Self, BuildError> {
        Self::new(
            WriteBufferMode::DownloadMicrocodeOffsetsSave,
            0,
            buffer_id,
            buffer_offset,
            chunk,
        )
    }

    /// Mode 0Dh: one piece of a microcode image, saved and deferred; activated by mode 0Fh
    /// or by the selected `events`.
    pub fn download_microcode_offsets_select_events_save_defer(
        events: ActivationEvents,
        buffer_id: u8,
        buffer_offset: u32,
        chunk: Vec<u8>,
    ) -> Result<Self, BuildError> {
        Self::new(
            WriteBufferMode::DownloadMicrocodeOffsetsSelectEventsSaveDefer,
            events.mode_specific(),
            buffer_id,
            buffer_offset,
            chunk,
        )
    }

    /// Mode 0Eh: one piece of a microcode image, saved and deferred until mode 0Fh (or a
    /// power on / hard reset).
    pub fn download_microcode_offsets_save_defer(
        buffer_id: u8,
        buffer_offset: u32,
        chunk: Vec<u8>,
    ) -> Result<Self, BuildError> {
        Self::new(
            WriteBufferMode::DownloadMicrocodeOffsetsSaveDefer,
            0,
            buffer_id,
            buffer_offset,
            chunk,
        )
    }

    /// Mode 0Fh: activate deferred microcode. No data; BUFFER ID, BUFFER OFFSET and
    /// PARAMETER LIST LENGTH are zero (ignored by the device).
    pub fn activate_deferred_microcode() -> Self {
        WriteBuffer {
            cdb: WriteBufferCdb {
                mode: WriteBufferMode::ActivateDeferredMicrocode,
                mode_specific: 0,
                buffer_id: 0,
                buffer_offset: 0,
                parameter_list_length: 0,
            },
            data: Vec::new(),
        }
    }

    /// Mode 1Ch: download application client error history `data`.
    pub fn application_client_error_history(data: Vec<u8>) -> Result<Self, BuildError> {
        Self::new(
            WriteBufferMode::ApplicationClientErrorHistory,
            0,
            0,
            0,
            data,
        )
    }

    /// The CDB fields.
    pub fn cdb_layout(&self) -> WriteBufferCdb {
        self.cdb
    }
}

impl ScsiCommand for WriteBuffer {
    type Response = ();

    fn name(&self) -> &'static str {
        WriteBufferCdb::NAME
    }

    fn cdb(&self) -> Cdb {
        self.cdb.to_cdb()
    }

    fn data_phase(&self) -> DataPhase<'_> {
        DataPhase::output(&self.data)
    }

    fn decode(&self, _data_in: &[u8]) -> Result<(), DecodeError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::descriptor::OffsetBoundary;
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn cdb_bytes() {
        let cmd = WriteBuffer::download_microcode_offsets_save(0, 0x8000, vec![0; 0x8000]).unwrap();
        assert_eq!(
            cmd.cdb().as_bytes(),
            &[0x3b, 0x07, 0, 0x00, 0x80, 0x00, 0x00, 0x80, 0x00, 0]
        );
        assert_eq!(cmd.data_phase().len(), 0x8000);
        let act = WriteBuffer::activate_deferred_microcode();
        assert_eq!(act.cdb().as_bytes(), &[0x3b, 0x0f, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(act.data_phase(), DataPhase::None);
        let events = ActivationEvents {
            po_act: true,
            hr_act: false,
            vse_act: true,
        };
        let d =
            WriteBuffer::download_microcode_offsets_select_events_save_defer(events, 1, 0, vec![1])
                .unwrap();
        assert_eq!(&d.cdb().as_bytes()[..3], &[0x3b, 0xad, 0x01]);
        assert_eq!(
            WriteBuffer::application_client_error_history(vec![0; 4])
                .unwrap()
                .cdb()
                .as_bytes()[1],
            0x1c
        );
    }

    #[test]
    fn rejects_unrepresentable() {
        assert!(WriteBuffer::data(0, 1 << 24, vec![1]).is_err());
        assert!(WriteBuffer::data(0, 0, vec![0; 1 << 24]).is_err());
        assert!(
            WriteBuffer::new(WriteBufferMode::ActivateDeferredMicrocode, 0, 0, 0, vec![1]).is_err()
        );
        assert!(WriteBufferCdb::parse_cdb(&[0x3b, 0x03, 0, 0, 0, 0, 0, 0, 0, 0]).is_err());
        assert!(WriteBuffer::new(WriteBufferMode::DisableExpander, 0, 0, 0, vec![1]).is_err());
    }

    #[test]
    fn checked_constructor_honours_descriptor() {
        let d = BufferDescriptor {
            offset_boundary: OffsetBoundary::Aligned { exponent: 9 },
            buffer_capacity: 4096,
        };
        let mode = WriteBufferMode::DownloadMicrocodeOffsetsSaveDefer;
        assert!(WriteBuffer::new_checked(mode, 0, 0, 512, vec![0; 512], &d).is_ok());
        assert!(WriteBuffer::new_checked(mode, 0, 0, 100, vec![0; 512], &d).is_err());
        assert!(WriteBuffer::new_checked(mode, 0, 0, 3584, vec![0; 1024], &d).is_err());
        let zero = BufferDescriptor {
            offset_boundary: OffsetBoundary::ZeroOnly,
            buffer_capacity: 1 << 20,
        };
        assert!(WriteBuffer::new_checked(mode, 0, 0, 0, vec![0; 8], &zero).is_ok());
        assert!(WriteBuffer::new_checked(mode, 0, 0, 512, vec![0; 8], &zero).is_err());
    }

    fn modes() -> impl Strategy<Value = WriteBufferMode> {
        proptest::sample::select(WriteBufferMode::TABLE.map(|(m, _)| m).to_vec())
    }

    proptest! {
        #[test]
        fn round_trip(mode in modes(), ms in 0u8..8, id: u8, off in 0u32..=MAX_24, len in 0u32..=MAX_24) {
            let cdb = WriteBufferCdb::new(mode, ms, id, off, len).unwrap();
            prop_assert_eq!(WriteBufferCdb::parse_cdb(cdb.to_cdb().as_bytes()), Ok(cdb));
        }

        #[test]
        fn length_comes_from_data(id: u8, off in 0u32..=MAX_24, data in proptest::collection::vec(any::<u8>(), 0..600)) {
            let cmd = WriteBuffer::data(id, off, data.clone()).unwrap();
            let parsed = WriteBufferCdb::parse_cdb(cmd.cdb().as_bytes()).unwrap();
            prop_assert_eq!(parsed.parameter_list_length() as usize, data.len());
            prop_assert_eq!(parsed.buffer_offset(), off);
        }

        #[test]
        fn parse_arbitrary_cdb(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            let _ = WriteBufferCdb::parse_cdb(&bytes);
        }
    }
}

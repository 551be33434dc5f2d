//! The logical unit's microcode download buffer and state (SPC-5 6.16, 6.49): what WRITE
//! BUFFER downloads, when it is saved and activated, and what READ BUFFER reports.
//!
//! Rules the emulated disk follows, where SPC-5 leaves them to the device:
//! - One buffer, BUFFER ID 00h, with the OFFSET BOUNDARY and BUFFER CAPACITY that READ
//!   BUFFER mode 03h reports; every offset must obey the boundary, every transfer must
//!   end within the capacity (else INVALID FIELD IN CDB at BUFFER OFFSET or PARAMETER
//!   LIST LENGTH).
//! - A download with offsets (modes 07h, 0Dh, 0Eh) starts at BUFFER OFFSET 0 and goes on
//!   in order: each piece starts where the previous one ended, in the same mode (else
//!   INVALID FIELD IN CDB at BUFFER OFFSET or MODE). A piece at offset 0 starts over.
//! - The image ([`crate::image::SCSI`]) declares its length: the piece that completes it is the
//!   final one. A piece with PARAMETER LIST LENGTH 0 at the expected offset also ends the
//!   download, with whatever has arrived. A header that cannot start a valid image ends
//!   it at once. A piece of length 0 at offset 0 abandons the download in progress.
//! - The final piece is validated; an invalid image is discarded and the command ends in
//!   INVALID FIELD IN PARAMETER LIST (26h/00h). A valid image is saved, then activated
//!   (05h, 07h) or kept as deferred microcode (0Dh, 0Eh) until WRITE BUFFER mode 0Fh, or,
//!   after mode 0Eh, a power on or hard reset.
//! - Configured with [`Activation::AtHardReset`], a valid image downloaded with mode 05h
//!   or 07h is saved and activated only by the next power on or hard reset.
//! - Configured with `brick_on_truncated`, a download with offsets that a piece of length 0
//!   ends before the declared length leaves the unit without usable microcode: media
//!   access is NOT READY, MICROCODE DOWNLOAD REQUIRED (04h/1Fh) until a valid image is
//!   activated.

use super::sense::{self, Condition};
use crate::image::{self, ImageError};
use cdb::scsi::spc::buffer::{BufferDescriptor, OffsetBoundary, MAX_24};

/// The download buffer the disk has unless configured otherwise: offsets on 512-byte
/// boundaries (OFFSET BOUNDARY 09h), and the largest capacity READ BUFFER mode 03h can
/// report on that boundary (FFFE00h bytes, SPC-5 6.16).
pub const DEFAULT_BUFFER: BufferDescriptor = BufferDescriptor {
    offset_boundary: OffsetBoundary::Aligned { exponent: 9 },
    buffer_capacity: MAX_24 & !0x1ff,
};

/// How a logical unit's microcode download behaves (SPC-5 6.16, 6.49).
#[derive(Debug, Clone, Copy)]
pub struct MicrocodeConfig {
    /// OFFSET BOUNDARY and BUFFER CAPACITY of buffer 00h, as READ BUFFER mode 03h reports
    /// them (capacities above FFFFFFh are cut to it).
    pub buffer: BufferDescriptor,
    /// Checks a complete image: the PRODUCT REVISION LEVEL it installs, or why the disk
    /// rejects it with INVALID FIELD IN PARAMETER LIST. Completion is still detected from
    /// the [`image`] header; a fault profile can reject valid images here.
    pub validate: fn(&[u8]) -> Result<String, ImageError>,
    /// When microcode downloaded with modes 05h and 07h takes effect; reported as
    /// ACTIVATE MICROCODE in the Extended INQUIRY Data VPD page (SPC-5 7.7.7).
    pub activation: Activation,
    /// A download with offsets ended early by a piece of PARAMETER LIST LENGTH 0 leaves
    /// the unit NOT READY, MICROCODE DOWNLOAD REQUIRED for media access (SPC-5 6.49 leaves
    /// the state after a failed download to the device).
    pub brick_on_truncated: bool,
}

impl Default for MicrocodeConfig {
    /// [`DEFAULT_BUFFER`], the [`image::SCSI`] format, activation before completion, and a truncated
    /// download that only discards the image.
    fn default() -> Self {
        MicrocodeConfig {
            buffer: DEFAULT_BUFFER,
            validate: |staged| image::SCSI.parse(staged),
            activation: Activation::BeforeCompletion,
            brick_on_truncated: false,
        }
    }
}

/// When microcode downloaded with WRITE BUFFER modes 05h and 07h is activated: the
/// ACTIVATE MICROCODE field of the Extended INQUIRY Data VPD page (SPC-5 7.7.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// 01b: before the final WRITE BUFFER of the download completes.
    BeforeCompletion,
    /// 10b: after a power on or hard reset (SAM-5 6.3); UNIT ATTENTION 29h/00h then
    /// reports the reset and INQUIRY the new revision.
    AtHardReset,
}

impl Activation {
    /// The ACTIVATE MICROCODE code (SPC-5 7.7.7, byte 4 bits 7–6).
    pub fn code(self) -> u8 {
        match self {
            Activation::BeforeCompletion => 0b01,
            Activation::AtHardReset => 0b10,
        }
    }
}

/// DOWNLOAD MICROCODE STATUS codes (READ BUFFER mode 0Fh, SPC-5 6.16 and SPC-6).
mod status {
    /// 00h: no download microcode operation in progress.
    pub const IDLE: u8 = 0x00;
    /// 21h: a download with offsets is in progress, awaiting more data.
    pub const IN_PROGRESS: u8 = 0x21;
    /// 31h: microcode saved, awaiting a hard reset or power on (modes 05h, 07h with
    /// [`super::Activation::AtHardReset`]).
    pub const DEFERRED_HARD_RESET: u8 = 0x31;
    /// 33h: deferred microcode saved, awaiting any activation event (mode 0Eh).
    pub const DEFERRED_ANY_EVENT: u8 = 0x33;
    /// 34h: deferred microcode saved, awaiting WRITE BUFFER activate (mode 0Dh).
    pub const DEFERRED_WRITE_BUFFER: u8 = 0x34;
    /// 91h: the microcode image was discarded as invalid.
    pub const INVALID_IMAGE: u8 = 0x91;
}

/// What a download with offsets does once the image is complete (SPC-5 6.49).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AfterDownload {
    /// Mode 07h: save and activate.
    Activate,
    /// Mode 0Eh (`on_reset`) or 0Dh with no activation event selected: save and defer.
    Defer {
        /// Also activated by a power on or hard reset.
        on_reset: bool,
    },
}

/// A download with offsets in progress.
#[derive(Debug, Clone, Copy)]
struct Download {
    completion: AfterDownload,
    /// The BUFFER OFFSET the next piece must have.
    next: u32,
}

/// Saved microcode waiting for activation (SPC-5 6.49).
#[derive(Debug, Clone)]
struct Deferred {
    revision: String,
    trigger: Trigger,
}

/// What activates saved microcode (SPC-5 6.49).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trigger {
    /// WRITE BUFFER mode 0Fh only (mode 0Dh, no activation event selected).
    WriteBuffer,
    /// WRITE BUFFER mode 0Fh, a power on or a hard reset (mode 0Eh).
    WriteBufferOrReset,
    /// A power on or hard reset only (modes 05h, 07h with [`Activation::AtHardReset`]):
    /// it is not deferred microcode, so mode 0Fh does not activate it.
    HardReset,
}

impl Trigger {
    /// The DOWNLOAD MICROCODE STATUS while the microcode waits.
    fn status(self) -> u8 {
        match self {
            Trigger::WriteBuffer => status::DEFERRED_WRITE_BUFFER,
            Trigger::WriteBufferOrReset => status::DEFERRED_ANY_EVENT,
            Trigger::HardReset => status::DEFERRED_HARD_RESET,
        }
    }
}

/// What a WRITE BUFFER did to the microcode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Nothing activated (more data awaited, deferred, or nothing to do).
    Pending,
    /// New microcode is active; its PRODUCT REVISION LEVEL.
    Activated(String),
}

/// The microcode buffer and download state of one logical unit.
#[derive(Debug, Clone)]
pub(crate) struct Microcode {
    limits: BufferDescriptor,
    validate: fn(&[u8]) -> Result<String, ImageError>,
    activation: Activation,
    brick_on_truncated: bool,
    /// No usable microcode since a truncated download: media access is NOT READY.
    bricked: bool,
    buffer: Vec<u8>,
    download: Option<Download>,
    deferred: Option<Deferred>,
    /// DOWNLOAD MICROCODE STATUS when no download is in progress.
    last: u8,
}

/// BUFFER OFFSET, bytes 3–5 of the CDB.
const OFFSET_FIELD: u16 = 3;
/// PARAMETER LIST LENGTH / ALLOCATION LENGTH, bytes 6–8 of the CDB.
const LENGTH_FIELD: u16 = 6;
/// MODE, byte 1 bits 4–0.
const MODE_FIELD: u16 = 1;

impl Microcode {
    /// An empty buffer as `config` describes; the capacity is cut to what 24 bits can
    /// report.
    pub fn new(config: MicrocodeConfig) -> Self {
        let limits = BufferDescriptor {
            buffer_capacity: config.buffer.buffer_capacity.min(MAX_24),
            ..config.buffer
        };
        Microcode {
            limits,
            validate: config.validate,
            activation: config.activation,
            brick_on_truncated: config.brick_on_truncated,
            bricked: false,
            buffer: Vec::new(),
            download: None,
            deferred: None,
            last: status::IDLE,
        }
    }

    /// When modes 05h and 07h activate microcode (ACTIVATE MICROCODE, SPC-5 7.7.7).
    pub fn activation(&self) -> Activation {
        self.activation
    }

    /// True while a truncated download has left the unit without usable microcode: media
    /// access is NOT READY, MICROCODE DOWNLOAD REQUIRED (04h/1Fh).
    pub fn download_required(&self) -> bool {
        self.bricked
    }

    /// The READ BUFFER descriptor (mode 03h, SPC-5 6.16).
    pub fn descriptor(&self) -> BufferDescriptor {
        self.limits
    }

    /// Checks that a transfer of `len` bytes at `offset` obeys the boundary and capacity.
    fn check_range(&self, offset: u32, len: u32) -> Result<(), Condition> {
        let capacity = u64::from(self.limits.buffer_capacity);
        if !self.limits.offset_boundary.permits(offset) || u64::from(offset) > capacity {
            return Err(field(OFFSET_FIELD));
        }
        if u64::from(offset) + u64::from(len) > capacity {
            return Err(field(LENGTH_FIELD));
        }
        Ok(())
    }

    /// Up to `len` bytes of the buffer from `offset` (READ BUFFER mode 02h); bytes never
    /// written read as zero, and nothing is returned past the capacity.
    pub fn read(&self, offset: u32, len: usize) -> Result<Vec<u8>, Condition> {
        self.check_range(offset, 0)?;
        let start = offset as usize;
        let end = start
            .saturating_add(len)
            .min(self.limits.buffer_capacity as usize);
        let mut data = vec![0; end - start];
        if let Some(held) = self.buffer.get(start..end.min(self.buffer.len())) {
            data[..held.len()].copy_from_slice(held);
        }
        Ok(data)
    }

    /// The microcode status data, 16 bytes (READ BUFFER mode 0Fh, SPC-5 6.16): activated
    /// microcode valid, no redundant copy reported, the download status, the buffer
    /// capacity as the maximum size, and the offset the next piece must have.
    pub fn status(&self) -> [u8; 16] {
        let mut data = [0u8; 16];
        data[0] = 0x01;
        data[2] = match self.download {
            Some(_) => status::IN_PROGRESS,
            None => self.last,
        };
        data[4..8].copy_from_slice(&self.limits.buffer_capacity.to_be_bytes());
        let expected = self.download.map_or(0, |d| d.next);
        data[12..16].copy_from_slice(&expected.to_be_bytes());
        data
    }

    /// Mode 05h: `image` is the whole microcode, at BUFFER OFFSET 0; saved and activated
    /// if valid. Any download in progress is abandoned.
    pub fn download_whole(&mut self, offset: u32, image: &[u8]) -> Result<Outcome, Condition> {
        if offset != 0 {
            return Err(field(OFFSET_FIELD));
        }
        self.check_range(0, len_of(image))?;
        if image.is_empty() {
            return Ok(Outcome::Pending);
        }
        self.download = None;
        self.buffer.clear();
        self.buffer.extend_from_slice(image);
        self.finish(AfterDownload::Activate)
    }

    /// Modes 07h, 0Dh, 0Eh: one piece of an image at `offset` (see the module's rules).
    pub fn download_piece(
        &mut self,
        completion: AfterDownload,
        offset: u32,
        piece: &[u8],
    ) -> Result<Outcome, Condition> {
        self.check_range(offset, len_of(piece))?;
        match self.download {
            _ if offset == 0 && piece.is_empty() => {
                self.download = None;
                return Ok(Outcome::Pending);
            }
            Some(d) if offset != 0 && d.completion != completion => {
                return Err(Condition::cdb_field(
                    sense::INVALID_FIELD_IN_CDB,
                    MODE_FIELD,
                    4,
                ))
            }
            Some(d) if offset != 0 && offset != d.next => return Err(field(OFFSET_FIELD)),
            None if offset != 0 => return Err(field(OFFSET_FIELD)),
            _ => {}
        }
        if offset == 0 {
            self.buffer.clear();
        }
        self.buffer.extend_from_slice(piece);
        let next = offset + len_of(piece);
        self.download = Some(Download { completion, next });
        let complete = image::SCSI.declared_len(&self.buffer) == Some(self.buffer.len() as u64);
        let hopeless = !image::SCSI.plausible(&self.buffer, u64::from(self.limits.buffer_capacity));
        if piece.is_empty() && !complete && self.brick_on_truncated {
            self.bricked = true;
        }
        if piece.is_empty() || complete || hopeless {
            return self.finish(completion);
        }
        Ok(Outcome::Pending)
    }

    /// Mode 0Fh: activates the deferred microcode; COMMAND SEQUENCE ERROR when there is
    /// none (SPC-5 6.49, activate deferred microcode mode).
    pub fn activate_deferred(&mut self) -> Result<Outcome, Condition> {
        self.activate_if(|trigger| trigger != Trigger::HardReset)
            .ok_or(sense::COMMAND_SEQUENCE_ERROR.into())
    }

    /// A power on or hard reset (SPC-5 6.49): a download in progress is abandoned, and
    /// microcode saved by mode 0Eh, or by modes 05h and 07h awaiting a hard reset, is
    /// activated (its revision is returned).
    pub fn reset(&mut self) -> Option<String> {
        self.download = None;
        match self.activate_if(|trigger| trigger != Trigger::WriteBuffer)? {
            Outcome::Activated(revision) => Some(revision),
            Outcome::Pending => None,
        }
    }

    /// Activates the saved microcode if `fires` says its trigger has happened.
    fn activate_if(&mut self, fires: impl Fn(Trigger) -> bool) -> Option<Outcome> {
        let deferred = self.deferred.take_if(|d| fires(d.trigger))?;
        Some(self.activated(deferred.revision))
    }

    /// New microcode is active: nothing waits, and the unit is usable again.
    fn activated(&mut self, revision: String) -> Outcome {
        self.last = status::IDLE;
        self.bricked = false;
        Outcome::Activated(revision)
    }

    /// Validates the staged image and saves, activates or defers it.
    fn finish(&mut self, completion: AfterDownload) -> Result<Outcome, Condition> {
        self.download = None;
        let revision = match (self.validate)(&self.buffer) {
            Ok(revision) => revision,
            Err(_) => {
                self.last = status::INVALID_IMAGE;
                return Err(sense::INVALID_FIELD_IN_PARAMETER_LIST.into());
            }
        };
        let trigger = match (completion, self.activation) {
            (AfterDownload::Activate, Activation::BeforeCompletion) => {
                self.deferred = None;
                return Ok(self.activated(revision));
            }
            (AfterDownload::Activate, Activation::AtHardReset) => Trigger::HardReset,
            (AfterDownload::Defer { on_reset: true }, _) => Trigger::WriteBufferOrReset,
            (AfterDownload::Defer { on_reset: false }, _) => Trigger::WriteBuffer,
        };
        self.last = trigger.status();
        self.deferred = Some(Deferred { revision, trigger });
        Ok(Outcome::Pending)
    }
}

/// INVALID FIELD IN CDB at the 24-bit field starting at byte `byte`.
fn field(byte: u16) -> Condition {
    Condition::cdb_field(sense::INVALID_FIELD_IN_CDB, byte, 7)
}

/// The length of data the CDB's 24-bit PARAMETER LIST LENGTH has already bounded.
fn len_of(data: &[u8]) -> u32 {
    u32::try_from(data.len()).unwrap_or(u32::MAX)
}

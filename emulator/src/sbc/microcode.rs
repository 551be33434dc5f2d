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
//! - The image ([`super::image`]) declares its length: the piece that completes it is the
//!   final one. A piece with PARAMETER LIST LENGTH 0 at the expected offset also ends the
//!   download, with whatever has arrived. A header that cannot start a valid image ends
//!   it at once. A piece of length 0 at offset 0 abandons the download in progress.
//! - The final piece is validated; an invalid image is discarded and the command ends in
//!   INVALID FIELD IN PARAMETER LIST (26h/00h). A valid image is saved, then activated
//!   (05h, 07h) or kept as deferred microcode (0Dh, 0Eh) until WRITE BUFFER mode 0Fh, or,
//!   after mode 0Eh, a power on or hard reset.

use super::image::{self, ImageError};
use super::sense::{self, Condition};
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
}

impl Default for MicrocodeConfig {
    /// [`DEFAULT_BUFFER`] and [`image::parse`].
    fn default() -> Self {
        MicrocodeConfig {
            buffer: DEFAULT_BUFFER,
            validate: image::parse,
        }
    }
}

/// DOWNLOAD MICROCODE STATUS codes (READ BUFFER mode 0Fh, SPC-5 6.16 and SPC-6).
mod status {
    /// 00h: no download microcode operation in progress.
    pub const IDLE: u8 = 0x00;
    /// 21h: a download with offsets is in progress, awaiting more data.
    pub const IN_PROGRESS: u8 = 0x21;
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

/// Saved microcode waiting for activation (SPC-5 6.49, modes 0Dh, 0Eh).
#[derive(Debug, Clone)]
struct Deferred {
    revision: String,
    on_reset: bool,
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
            buffer: Vec::new(),
            download: None,
            deferred: None,
            last: status::IDLE,
        }
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
        let complete = image::declared_len(&self.buffer) == Some(self.buffer.len() as u64);
        let hopeless = !image::plausible(&self.buffer, self.limits.buffer_capacity);
        if piece.is_empty() || complete || hopeless {
            return self.finish(completion);
        }
        Ok(Outcome::Pending)
    }

    /// Mode 0Fh: activates the deferred microcode; COMMAND SEQUENCE ERROR when there is
    /// none (SPC-5 6.49, activate deferred microcode mode).
    pub fn activate_deferred(&mut self) -> Result<Outcome, Condition> {
        let deferred = self.deferred.take().ok_or(sense::COMMAND_SEQUENCE_ERROR)?;
        self.last = status::IDLE;
        Ok(Outcome::Activated(deferred.revision))
    }

    /// A power on or hard reset (SPC-5 6.49): a download in progress is abandoned, and
    /// deferred microcode saved by mode 0Eh is activated (its revision is returned).
    pub fn reset(&mut self) -> Option<String> {
        self.download = None;
        match self.deferred.take() {
            Some(d) if d.on_reset => {
                self.last = status::IDLE;
                Some(d.revision)
            }
            kept => {
                self.deferred = kept;
                None
            }
        }
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
        match completion {
            AfterDownload::Activate => {
                self.deferred = None;
                self.last = status::IDLE;
                Ok(Outcome::Activated(revision))
            }
            AfterDownload::Defer { on_reset } => {
                self.last = if on_reset {
                    status::DEFERRED_ANY_EVENT
                } else {
                    status::DEFERRED_WRITE_BUFFER
                };
                self.deferred = Some(Deferred { revision, on_reset });
                Ok(Outcome::Pending)
            }
        }
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

//! `--preserve`: the original content of every block range is saved in a host-side journal
//! before the range is first overwritten, and [`restore`] writes it all back — after a
//! completed run or after the verifying process was killed at any point.
//!
//! Crash safety comes from the order of operations: [`Preserver::save`] reads the range from
//! the device, appends one record (LBA, block count, data, CRC-32) to the journal and
//! `fdatasync`s the journal; only after `save` returns may the caller write the range. A
//! crash during an append leaves a torn tail record, which [`restore`] recognises by its
//! length and CRC and ignores: the device was not written for it.
//!
//! The journal lives on the host, never on the device under test (the caller chooses its
//! path). It is created atomically (written under a temporary name, fsynced, then linked
//! into place), so it either does not exist or has a complete header naming the device and
//! its geometry.
//!
//! Layout, integers little-endian:
//! - header: magic `SCSITPRV`, version `u32`, block size `u32`, block count `u64`,
//!   identity length `u32`, identity (UTF-8), CRC-32 of everything before it;
//! - record: kind `u32` (`REC1` saved data, `DONE` restored), LBA `u64`, block count `u32`,
//!   the blocks, CRC-32 of kind..data, total record length `u32` (read backwards by
//!   [`restore`]).
//!
//! Memory stays bounded whatever the device size: records hold at most
//! [`MAX_RECORD_BYTES`] of data, and [`restore`] streams the journal twice (a forward pass
//! validating, a backward pass writing) with one record in memory. The [`Preserver`] keeps
//! the set of ranges it already saved, one entry per disjoint range.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::target::{BlockTarget, Geometry, TargetError};

/// The most data bytes one journal record holds (at least one block).
pub const MAX_RECORD_BYTES: u32 = 1 << 20;

const MAGIC: [u8; 8] = *b"SCSITPRV";
const VERSION: u32 = 1;
/// The longest device identity a header holds.
const MAX_IDENTITY: usize = 4096;
/// Fixed header bytes before the identity.
const HEADER_FIXED: usize = 8 + 4 + 4 + 8 + 4;
const KIND_SAVED: [u8; 4] = *b"REC1";
const KIND_DONE: [u8; 4] = *b"DONE";
/// Record bytes before the data: kind, LBA, block count.
const RECORD_HEAD: usize = 4 + 8 + 4;
/// Record bytes after the data: CRC-32, total length.
const RECORD_TAIL: usize = 4 + 4;

/// Why preserving or restoring failed.
#[derive(Debug, thiserror::Error)]
pub enum PreserveError {
    /// The journal file could not be created, read or written.
    #[error("journal {}: {source}", path.display())]
    Journal {
        /// The journal's path.
        path: PathBuf,
        /// What the host reported.
        source: io::Error,
    },
    /// The device could not be read (saving) or written (restoring).
    #[error(transparent)]
    Target(#[from] TargetError),
    /// The file is not a preserve journal (bad magic, version or header CRC).
    #[error("{}: not a preserve journal: {why}", path.display())]
    NotAJournal {
        /// The file's path.
        path: PathBuf,
        /// What was wrong.
        why: String,
    },
    /// Bytes that are not a torn last append: longer than one record, followed by an
    /// intact record, or changed during the restore.
    #[error(
        "{}: journal damaged at offset {offset} ({bytes} bytes there are not intact \
         records and not one torn append); refusing to restore a partial journal",
        path.display()
    )]
    Corrupt {
        /// The journal's path.
        path: PathBuf,
        /// Where the valid records end.
        offset: u64,
        /// How many bytes follow.
        bytes: u64,
    },
    /// The journal was written for a device of another geometry.
    #[error(
        "the journal is for {journal_blocks} blocks of {journal_block_size} bytes, the \
         target has {target_blocks} blocks of {target_block_size} bytes"
    )]
    GeometryMismatch {
        /// Block size in the journal header.
        journal_block_size: u32,
        /// Block count in the journal header.
        journal_blocks: u64,
        /// The target's block size.
        target_block_size: u32,
        /// The target's block count.
        target_blocks: u64,
    },
    /// The journal was restored already; restoring again could undo later writes.
    #[error("{}: already restored", path.display())]
    AlreadyRestored {
        /// The journal's path.
        path: PathBuf,
    },
    /// A range outside the device.
    #[error("LBA {lba} + {count} blocks is beyond the {blocks} blocks of the device")]
    OutOfRange {
        /// First block.
        lba: u64,
        /// Block count.
        count: u64,
        /// The device's block count.
        blocks: u64,
    },
}

/// What [`restore`] did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct RestoreReport {
    /// The device identity recorded when the journal was created.
    pub identity: String,
    /// Logical block size of the journal's device.
    pub block_size: u32,
    /// Block count of the journal's device.
    pub blocks: u64,
    /// Saved records written back.
    pub records: u64,
    /// Blocks written back.
    pub blocks_restored: u64,
    /// Bytes of a torn last record (a crash during its append), ignored.
    pub torn_tail_bytes: u64,
}

/// Saves block ranges into a journal before they are overwritten.
#[derive(Debug)]
pub struct Preserver {
    file: File,
    path: PathBuf,
    geometry: Geometry,
    /// Where the next record goes.
    end: u64,
    saved: SavedRanges,
    record: Vec<u8>,
}

impl Preserver {
    /// Creates a new journal at `path` (never overwriting an existing file) for the device
    /// `identity` with `geometry`; the header is durable when this returns.
    pub fn create(path: &Path, identity: &str, geometry: Geometry) -> Result<Self, PreserveError> {
        let header =
            encode_header(identity, geometry).ok_or_else(|| PreserveError::NotAJournal {
                path: path.to_path_buf(),
                why: format!("device identity longer than {MAX_IDENTITY} bytes"),
            })?;
        let fail = journal_error(path);
        let mut temporary = OsString::from(path.as_os_str());
        temporary.push(".tmp");
        let temporary = PathBuf::from(temporary);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&temporary)
            .map_err(&fail)?;
        file.write_all_at(&header, 0).map_err(&fail)?;
        file.sync_all().map_err(&fail)?;
        let linked = std::fs::hard_link(&temporary, path);
        let _ = std::fs::remove_file(&temporary);
        linked.map_err(&fail)?;
        sync_parent(path).map_err(&fail)?;
        Ok(Preserver {
            file,
            path: path.to_path_buf(),
            geometry,
            end: header.len() as u64,
            saved: SavedRanges::default(),
            record: Vec::new(),
        })
    }

    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Saves the blocks of `lba..lba + count` not saved before: reads them from `target`,
    /// appends them to the journal and makes the journal durable. Only after this returns
    /// may the range be overwritten. Returns the number of blocks newly saved.
    pub fn save<T: BlockTarget + ?Sized>(
        &mut self,
        target: &mut T,
        lba: u64,
        count: u64,
    ) -> Result<u64, PreserveError> {
        check_geometry(self.geometry, target.geometry())?;
        let end = lba
            .checked_add(count)
            .filter(|&end| end <= self.geometry.blocks)
            .ok_or(PreserveError::OutOfRange {
                lba,
                count,
                blocks: self.geometry.blocks,
            })?;
        let per_record = blocks_per_chunk(self.geometry, MAX_RECORD_BYTES);
        let mut newly = 0;
        for (gap_start, gap_end) in self.saved.gaps(lba, end) {
            for (chunk_lba, chunk_count) in chunks(gap_start, gap_end, per_record) {
                self.append(target, chunk_lba, chunk_count)?;
                self.saved
                    .insert(chunk_lba, chunk_lba + u64::from(chunk_count));
                newly += u64::from(chunk_count);
            }
        }
        Ok(newly)
    }

    /// Reads one chunk from the device and appends it as a durable record.
    fn append<T: BlockTarget + ?Sized>(
        &mut self,
        target: &mut T,
        lba: u64,
        count: u32,
    ) -> Result<(), PreserveError> {
        let data_len = count as usize * self.geometry.block_size as usize;
        self.record.clear();
        self.record.extend_from_slice(&KIND_SAVED);
        self.record.extend_from_slice(&lba.to_le_bytes());
        self.record.extend_from_slice(&count.to_le_bytes());
        self.record.resize(RECORD_HEAD + data_len, 0);
        let max_read = blocks_per_chunk(self.geometry, target.geometry().max_transfer);
        let data = &mut self.record[RECORD_HEAD..];
        let bs = self.geometry.block_size as usize;
        for (part, part_lba) in data
            .chunks_mut(max_read as usize * bs)
            .zip((lba..).step_by(max_read as usize))
        {
            target.read(part_lba, part)?;
        }
        seal_record(&mut self.record);
        let fail = journal_error(&self.path);
        let written = self
            .file
            .write_all_at(&self.record, self.end)
            .and_then(|()| self.file.sync_data());
        if let Err(error) = written {
            // Drop what may have reached the file so later records follow a valid one.
            let _ = self.file.set_len(self.end);
            return Err(fail(error));
        }
        self.end += self.record.len() as u64;
        Ok(())
    }
}

/// Writes every range saved in the journal at `path` back to `target` (the first saved
/// content of a block wins: records are applied newest first), flushes the target, then
/// marks the journal restored (a `DONE` record; a second restore is refused). A torn last
/// record is ignored and cut off. Interrupted before the mark, restore can simply be run
/// again: every record holds original content.
pub fn restore<T: BlockTarget + ?Sized>(
    path: &Path,
    target: &mut T,
) -> Result<RestoreReport, PreserveError> {
    let fail = journal_error(path);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(&fail)?;
    let (identity, geometry, header_len) = read_header(&file, path)?;
    check_geometry(geometry, target.geometry())?;
    let scan = scan(&file, path, geometry, header_len)?;
    if scan.done {
        return Err(PreserveError::AlreadyRestored {
            path: path.to_path_buf(),
        });
    }
    let max_write = blocks_per_chunk(geometry, target.geometry().max_transfer) as usize;
    let bs = geometry.block_size as usize;
    let mut buf = Vec::new();
    let mut end = scan.valid_end;
    while end > header_len {
        let mut length = [0u8; 4];
        file.read_exact_at(&mut length, end - 4).map_err(&fail)?;
        let start = end
            .checked_sub(u64::from(u32::from_le_bytes(length)))
            .filter(|&start| start >= header_len);
        let record = match start {
            Some(start) => read_record(&file, start, geometry, &mut buf).map_err(&fail)?,
            None => None,
        };
        let (Some(start), Some(record)) = (start, record) else {
            return Err(PreserveError::Corrupt {
                path: path.to_path_buf(),
                offset: end,
                bytes: end - header_len,
            });
        };
        let data = &buf[RECORD_HEAD..buf.len() - RECORD_TAIL];
        for (part, part_lba) in data
            .chunks(max_write * bs)
            .zip((record.lba..).step_by(max_write))
        {
            target.write(part_lba, part, false)?;
        }
        end = start;
    }
    target.flush()?;
    let mut done = Vec::with_capacity(RECORD_HEAD + RECORD_TAIL);
    done.extend_from_slice(&KIND_DONE);
    done.resize(RECORD_HEAD, 0);
    seal_record(&mut done);
    file.set_len(scan.valid_end).map_err(&fail)?;
    file.write_all_at(&done, scan.valid_end).map_err(&fail)?;
    file.sync_data().map_err(&fail)?;
    Ok(RestoreReport {
        identity,
        block_size: geometry.block_size,
        blocks: geometry.blocks,
        records: scan.records,
        blocks_restored: scan.blocks,
        torn_tail_bytes: scan.torn_tail,
    })
}

/// The header bytes, or `None` if the identity is too long.
fn encode_header(identity: &str, geometry: Geometry) -> Option<Vec<u8>> {
    if identity.len() > MAX_IDENTITY {
        return None;
    }
    let mut header = Vec::with_capacity(HEADER_FIXED + identity.len() + 4);
    header.extend_from_slice(&MAGIC);
    header.extend_from_slice(&VERSION.to_le_bytes());
    header.extend_from_slice(&geometry.block_size.to_le_bytes());
    header.extend_from_slice(&geometry.blocks.to_le_bytes());
    header.extend_from_slice(&(identity.len() as u32).to_le_bytes());
    header.extend_from_slice(identity.as_bytes());
    let crc = crc32fast::hash(&header);
    header.extend_from_slice(&crc.to_le_bytes());
    Some(header)
}

/// Reads and checks the header: the identity, the geometry (with the largest transfer a
/// record holds) and the header's length.
/// The device identity a preserve journal was created for (what `--restore` reopens).
pub fn identity(path: &Path) -> Result<String, PreserveError> {
    let file = File::open(path).map_err(|source| PreserveError::Journal {
        path: path.to_path_buf(),
        source,
    })?;
    read_header(&file, path).map(|(identity, _, _)| identity)
}

fn read_header(file: &File, path: &Path) -> Result<(String, Geometry, u64), PreserveError> {
    let not = |why: &str| PreserveError::NotAJournal {
        path: path.to_path_buf(),
        why: why.to_string(),
    };
    let mut fixed = [0u8; HEADER_FIXED];
    file.read_exact_at(&mut fixed, 0)
        .map_err(|_| not("shorter than a header"))?;
    let (magic, rest) = fixed.split_at(8);
    let (version, rest) = rest.split_at(4);
    let (block_size, rest) = rest.split_at(4);
    let (blocks, identity_len) = rest.split_at(8);
    let [version, block_size, identity_len] = [version, block_size, identity_len].map(le_u32);
    if magic != MAGIC {
        return Err(not("bad magic"));
    }
    if version != VERSION {
        return Err(not(&format!("version {version}, expected {VERSION}")));
    }
    let identity_len = identity_len as usize;
    if identity_len > MAX_IDENTITY || block_size == 0 || block_size % 512 != 0 {
        return Err(not("implausible header fields"));
    }
    let mut rest = vec![0u8; identity_len + 4];
    file.read_exact_at(&mut rest, HEADER_FIXED as u64)
        .map_err(|_| not("header cut short"))?;
    let (identity, crc) = rest.split_at(identity_len);
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&fixed);
    hasher.update(identity);
    if hasher.finalize() != le_u32(crc) {
        return Err(not("header CRC mismatch"));
    }
    let identity = String::from_utf8_lossy(identity).into_owned();
    let geometry = Geometry {
        block_size,
        blocks: le_u64(blocks),
        max_transfer: MAX_RECORD_BYTES.max(block_size),
    };
    Ok((identity, geometry, (HEADER_FIXED + identity_len + 4) as u64))
}

/// The result of the forward pass over the records.
struct Scan {
    /// Where the last valid record ends.
    valid_end: u64,
    records: u64,
    blocks: u64,
    torn_tail: u64,
    /// A `DONE` record was found.
    done: bool,
}

/// Validates records from `header_len` on, one in memory at a time.
fn scan(
    file: &File,
    path: &Path,
    geometry: Geometry,
    header_len: u64,
) -> Result<Scan, PreserveError> {
    let fail = journal_error(path);
    let len = file.metadata().map_err(&fail)?.len();
    let mut result = Scan {
        valid_end: header_len,
        records: 0,
        blocks: 0,
        torn_tail: 0,
        done: false,
    };
    let mut buf = Vec::new();
    while let Some(record) =
        read_record(file, result.valid_end, geometry, &mut buf).map_err(&fail)?
    {
        result.valid_end += buf.len() as u64;
        if record.done {
            result.done = true;
            break;
        }
        result.records += 1;
        result.blocks += u64::from(record.count);
    }
    result.torn_tail = len.saturating_sub(result.valid_end);
    let max_record = (RECORD_HEAD + RECORD_TAIL) as u64 + u64::from(geometry.max_transfer);
    if result.torn_tail >= max_record
        || (result.done && result.torn_tail > 0)
        || ends_with_record(file, result.valid_end, len, geometry, &mut buf).map_err(&fail)?
    {
        return Err(PreserveError::Corrupt {
            path: path.to_path_buf(),
            offset: result.valid_end,
            bytes: result.torn_tail,
        });
    }
    Ok(result)
}

/// Whether the bytes after `valid_end` end with an intact record: then they are not a torn
/// append but damage in front of later records.
fn ends_with_record(
    file: &File,
    valid_end: u64,
    len: u64,
    geometry: Geometry,
    buf: &mut Vec<u8>,
) -> io::Result<bool> {
    let mut length = [0u8; 4];
    if len < valid_end + RECORD_TAIL as u64 || !read_fully(file, &mut length, len - 4)? {
        return Ok(false);
    }
    match len.checked_sub(u64::from(le_u32(&length))) {
        Some(start) if start > valid_end => Ok(read_record(file, start, geometry, buf)?.is_some()),
        _ => Ok(false),
    }
}

/// A record's decoded head.
struct Record {
    lba: u64,
    count: u32,
    done: bool,
}

/// Reads the record at `offset` into `buf` (resized to exactly the record); `None` if it
/// is missing, cut short or fails its checks.
fn read_record(
    file: &File,
    offset: u64,
    geometry: Geometry,
    buf: &mut Vec<u8>,
) -> io::Result<Option<Record>> {
    let mut head = [0u8; RECORD_HEAD];
    if !read_fully(file, &mut head, offset)? {
        return Ok(None);
    }
    let (kind, rest) = head.split_at(4);
    let (lba, count) = rest.split_at(8);
    let (lba, count) = (le_u64(lba), le_u32(count));
    let done = kind == KIND_DONE;
    let data_len = u64::from(count) * u64::from(geometry.block_size);
    let plausible = if done {
        lba == 0 && count == 0
    } else {
        kind == KIND_SAVED
            && count > 0
            && data_len <= u64::from(geometry.max_transfer)
            && lba
                .checked_add(u64::from(count))
                .is_some_and(|end| end <= geometry.blocks)
    };
    if !plausible {
        return Ok(None);
    }
    let total = RECORD_HEAD + data_len as usize + RECORD_TAIL;
    buf.clear();
    buf.resize(total, 0);
    if !read_fully(file, buf, offset)? {
        return Ok(None);
    }
    let (body, tail) = buf.split_at(total - RECORD_TAIL);
    let intact =
        le_u32(&tail[..4]) == crc32fast::hash(body) && le_u32(&tail[4..]) as usize == total;
    Ok(intact.then_some(Record { lba, count, done }))
}

/// Appends the CRC-32 and the total length to a record's head and data.
fn seal_record(record: &mut Vec<u8>) {
    let crc = crc32fast::hash(record);
    let total = (record.len() + RECORD_TAIL) as u32;
    record.extend_from_slice(&crc.to_le_bytes());
    record.extend_from_slice(&total.to_le_bytes());
}

/// Fills `buf` from `offset`; `false` if the file ends first.
fn read_fully(file: &File, buf: &mut [u8], offset: u64) -> io::Result<bool> {
    match file.read_exact_at(buf, offset) {
        Ok(()) => Ok(true),
        Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => Ok(false),
        Err(error) => Err(error),
    }
}

/// A little-endian `u32` from exactly four bytes (zero if the slice is not four long).
fn le_u32(bytes: &[u8]) -> u32 {
    bytes.try_into().map_or(0, u32::from_le_bytes)
}

/// A little-endian `u64` from exactly eight bytes (zero if the slice is not eight long).
fn le_u64(bytes: &[u8]) -> u64 {
    bytes.try_into().map_or(0, u64::from_le_bytes)
}

/// Journal and target must describe the same blocks.
fn check_geometry(journal: Geometry, target: Geometry) -> Result<(), PreserveError> {
    if journal.block_size == target.block_size && journal.blocks == target.blocks {
        return Ok(());
    }
    Err(PreserveError::GeometryMismatch {
        journal_block_size: journal.block_size,
        journal_blocks: journal.blocks,
        target_block_size: target.block_size,
        target_blocks: target.blocks,
    })
}

/// Whole blocks in `bytes` (at least one).
fn blocks_per_chunk(geometry: Geometry, bytes: u32) -> u32 {
    (bytes / geometry.block_size).max(1)
}

/// `start..end` cut into pieces of at most `per_chunk` blocks.
fn chunks(start: u64, end: u64, per_chunk: u32) -> impl Iterator<Item = (u64, u32)> {
    (start..end)
        .step_by(per_chunk as usize)
        .map(move |lba| (lba, (end - lba).min(u64::from(per_chunk)) as u32))
}

/// Maps a host I/O error on the journal at `path`.
fn journal_error(path: &Path) -> impl Fn(io::Error) -> PreserveError + '_ {
    move |source| PreserveError::Journal {
        path: path.to_path_buf(),
        source,
    }
}

/// Makes the journal's directory entry durable.
fn sync_parent(path: &Path) -> io::Result<()> {
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    File::open(parent)?.sync_all()
}

/// Disjoint, coalesced block ranges `start..end`, keyed by start.
#[derive(Debug, Default)]
struct SavedRanges(BTreeMap<u64, u64>);

impl SavedRanges {
    /// The parts of `start..end` not in the set, in order.
    fn gaps(&self, start: u64, end: u64) -> Vec<(u64, u64)> {
        let mut gaps = Vec::new();
        if start >= end {
            return gaps;
        }
        let mut at = start;
        let before = self.0.range(..=start).next_back().map(|(&s, &e)| (s, e));
        for (s, e) in before
            .into_iter()
            .chain(self.0.range(start + 1..end).map(|(&s, &e)| (s, e)))
        {
            if s > at {
                gaps.push((at, s.min(end)));
            }
            at = at.max(e);
            if at >= end {
                break;
            }
        }
        if at < end {
            gaps.push((at, end));
        }
        gaps
    }

    /// Adds `start..end`, merging with touching or overlapping ranges.
    fn insert(&mut self, mut start: u64, mut end: u64) {
        if let Some((&s, &e)) = self.0.range(..=start).next_back() {
            if e >= start {
                start = s;
                end = end.max(e);
            }
        }
        let absorbed: Vec<(u64, u64)> = self.0.range(start..=end).map(|(&s, &e)| (s, e)).collect();
        for (s, e) in absorbed {
            self.0.remove(&s);
            end = end.max(e);
        }
        self.0.insert(start, end);
    }
}

#[cfg(test)]
mod tests;

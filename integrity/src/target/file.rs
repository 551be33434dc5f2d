//! A plain file or block device node as a verification target: positioned reads and
//! writes (`pread`/`pwrite`), optionally with `O_DIRECT` so the page cache is bypassed,
//! `fdatasync` as the flush (the host's equivalent of SYNCHRONIZE CACHE, SBC-4 5.24), and
//! FUA emulated as a write followed by `fdatasync` (SBC-4 5.40 FUA: durable on completion).
//!
//! The geometry comes from the file size, or for a block device node from its size
//! (`lseek` to the end) and its logical block size (`BLKSSZGET`); the block size used for
//! verification is chosen by the caller and must be a multiple of the device's.

use std::fs::{File, OpenOptions};
use std::io::{self, Seek, SeekFrom};
use std::os::unix::fs::{FileExt, FileTypeExt};
use std::path::{Path, PathBuf};

use super::{BlockTarget, Geometry, TargetError};

/// The most bytes one read or write moves (a host-side limit; the kernel splits further).
pub const MAX_TRANSFER: u32 = 1 << 20;

/// Buffer alignment for `O_DIRECT`: covers every logical block size up to 4096 bytes and
/// the page size of common hosts.
const DIRECT_ALIGN: usize = 4096;

/// How to open a [`FileTarget`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileOptions {
    /// Logical block size for verification (a multiple of 512 and of the device's logical
    /// block size); `None` takes the device's (512 for a regular file).
    pub block_size: Option<u32>,
    /// Open with `O_DIRECT` (Linux): reads and writes bypass the host page cache, so a
    /// flush tests the device rather than the kernel.
    pub direct: bool,
}

/// A regular file or block device node under verification.
#[derive(Debug)]
pub struct FileTarget {
    file: File,
    path: PathBuf,
    geometry: Geometry,
    /// The aligned bounce buffer, present with `O_DIRECT`.
    bounce: Option<AlignedBuf>,
}

impl FileTarget {
    /// Opens `path` read-write; the geometry is fixed at open.
    pub fn open(path: &Path, options: FileOptions) -> Result<Self, TargetError> {
        let file = open_file(path, options.direct)?;
        let meta = file.metadata()?;
        let (bytes, device_block) = if meta.file_type().is_block_device() {
            let mut handle = &file;
            (handle.seek(SeekFrom::End(0))?, logical_block_size(&file)?)
        } else if meta.is_file() {
            (meta.len(), 512)
        } else {
            return Err(TargetError::Unsupported(format!(
                "{}: neither a regular file nor a block device",
                path.display()
            )));
        };
        let block_size = options.block_size.unwrap_or(device_block);
        if block_size == 0 || block_size % 512 != 0 || block_size % device_block != 0 {
            return Err(TargetError::Unsupported(format!(
                "{}: block size {block_size} is not a multiple of 512 and of the device's \
                 logical block size {device_block}",
                path.display()
            )));
        }
        let blocks = bytes / u64::from(block_size);
        if blocks == 0 {
            return Err(TargetError::Unsupported(format!(
                "{}: smaller than one {block_size}-byte block; give the file the size to \
                 test (e.g. `truncate -s 1G FILE`)",
                path.display()
            )));
        }
        let max_transfer = (MAX_TRANSFER / block_size).max(1) * block_size;
        let bounce = options
            .direct
            .then(|| AlignedBuf::new(max_transfer as usize));
        Ok(FileTarget {
            file,
            path: path.to_path_buf(),
            geometry: Geometry {
                block_size,
                blocks,
                max_transfer,
            },
            bounce,
        })
    }

    /// The byte offset of `lba` after checking that `len` bytes are whole blocks inside
    /// the target.
    fn offset(&self, lba: u64, len: usize) -> Result<u64, TargetError> {
        let bs = u64::from(self.geometry.block_size);
        let len = len as u64;
        let fits = lba
            .checked_add(len / bs)
            .is_some_and(|end| end <= self.geometry.blocks);
        if len % bs != 0 || !fits {
            return Err(TargetError::Device(format!(
                "{}: {len} bytes at LBA {lba} are not whole {bs}-byte blocks inside the \
                 {} blocks of the target",
                self.path.display(),
                self.geometry.blocks
            )));
        }
        Ok(lba * bs)
    }

    /// Explains an I/O error, naming `O_DIRECT` when it is the likely cause.
    fn io_error(&self, what: &str, error: io::Error) -> TargetError {
        let hint = if self.bounce.is_some() && error.raw_os_error() == Some(libc::EINVAL) {
            " (O_DIRECT: the filesystem or device refuses direct I/O at this alignment; \
             try without O_DIRECT or with the device's block size)"
        } else {
            ""
        };
        TargetError::Io(io::Error::new(
            error.kind(),
            format!("{}: {what}: {error}{hint}", self.path.display()),
        ))
    }
}

impl BlockTarget for FileTarget {
    fn geometry(&self) -> Geometry {
        self.geometry
    }

    fn read(&mut self, lba: u64, buf: &mut [u8]) -> Result<(), TargetError> {
        let start = self.offset(lba, buf.len())?;
        let step = self.geometry.max_transfer as usize;
        for (index, chunk) in buf.chunks_mut(step).enumerate() {
            let at = start + (index * step) as u64;
            let result = match self.bounce.as_mut() {
                Some(bounce) => {
                    let aligned = bounce.slice(chunk.len());
                    let done = self.file.read_exact_at(aligned, at);
                    chunk.copy_from_slice(aligned);
                    done
                }
                None => self.file.read_exact_at(chunk, at),
            };
            result.map_err(|e| self.io_error("read", e))?;
        }
        Ok(())
    }

    /// FUA is emulated: the data is written, then `fdatasync` makes it durable before
    /// the call returns.
    fn write(&mut self, lba: u64, data: &[u8], fua: bool) -> Result<(), TargetError> {
        let start = self.offset(lba, data.len())?;
        let step = self.geometry.max_transfer as usize;
        for (index, chunk) in data.chunks(step).enumerate() {
            let at = start + (index * step) as u64;
            let result = match self.bounce.as_mut() {
                Some(bounce) => {
                    let aligned = bounce.slice(chunk.len());
                    aligned.copy_from_slice(chunk);
                    self.file.write_all_at(aligned, at)
                }
                None => self.file.write_all_at(chunk, at),
            };
            result.map_err(|e| self.io_error("write", e))?;
        }
        if fua {
            self.flush()?;
        }
        Ok(())
    }

    /// Without `O_DIRECT`, each write goes out on its own thread (positioned writes on one
    /// file descriptor), so the kernel has them all in flight; with it, they share the
    /// bounce buffer and go one after the other.
    fn write_many(&mut self, writes: &[(u64, &[u8])], fua: bool) -> Result<(), TargetError> {
        if self.bounce.is_some() || writes.len() < 2 {
            return writes
                .iter()
                .try_for_each(|&(lba, data)| self.write(lba, data, fua));
        }
        let offsets = writes
            .iter()
            .map(|&(lba, data)| self.offset(lba, data.len()))
            .collect::<Result<Vec<_>, _>>()?;
        let file = &self.file;
        let results: Vec<io::Result<()>> = std::thread::scope(|scope| {
            let handles: Vec<_> = writes
                .iter()
                .zip(&offsets)
                .map(|(&(_, data), &at)| scope.spawn(move || file.write_all_at(data, at)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(io::Error::other("writer panicked")))
                })
                .collect()
        });
        for result in results {
            result.map_err(|e| self.io_error("write", e))?;
        }
        if fua {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), TargetError> {
        self.file
            .sync_data()
            .map_err(|e| self.io_error("fdatasync", e))
    }

    /// A file or block node does not report its device's cache.
    fn write_cache(&mut self) -> Result<Option<bool>, TargetError> {
        Ok(None)
    }

    fn set_write_cache(&mut self, _enabled: bool) -> Result<(), TargetError> {
        Err(TargetError::Unsupported(format!(
            "{}: a file or block device node cannot switch the device's write cache; use \
             the SCSI or NVMe target",
            self.path.display()
        )))
    }

    fn power_cycle(&mut self) -> Result<(), TargetError> {
        Err(TargetError::Unsupported(format!(
            "{}: the host cannot cut a file's or block device's power",
            self.path.display()
        )))
    }

    fn describe(&self) -> String {
        let direct = if self.bounce.is_some() {
            " (O_DIRECT)"
        } else {
            ""
        };
        format!("pread/pwrite on {}{direct}", self.path.display())
    }
}

/// Opens read-write, with `O_DIRECT` if asked, naming a refusal of `O_DIRECT`.
fn open_file(path: &Path, direct: bool) -> Result<File, TargetError> {
    let mut options = OpenOptions::new();
    options.read(true).write(true);
    if direct {
        direct_flag(&mut options, path)?;
    }
    options.open(path).map_err(|error| {
        if direct && error.raw_os_error() == Some(libc::EINVAL) {
            TargetError::Unsupported(format!(
                "{}: the filesystem refuses O_DIRECT ({error}); run without O_DIRECT",
                path.display()
            ))
        } else {
            TargetError::Io(io::Error::new(
                error.kind(),
                format!("{}: {error}", path.display()),
            ))
        }
    })
}

#[cfg(target_os = "linux")]
fn direct_flag(options: &mut OpenOptions, _path: &Path) -> Result<(), TargetError> {
    use std::os::unix::fs::OpenOptionsExt;
    options.custom_flags(libc::O_DIRECT);
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn direct_flag(_options: &mut OpenOptions, path: &Path) -> Result<(), TargetError> {
    Err(TargetError::Unsupported(format!(
        "{}: O_DIRECT is only supported on Linux",
        path.display()
    )))
}

/// The logical block size of a block device node (`BLKSSZGET`, Linux).
#[cfg(target_os = "linux")]
fn logical_block_size(file: &File) -> Result<u32, TargetError> {
    use std::os::fd::AsRawFd;
    let mut size: libc::c_int = 0;
    // SAFETY: BLKSSZGET writes one int through the pointer, which is valid for the call.
    let rc = unsafe { libc::ioctl(file.as_raw_fd(), libc::BLKSSZGET, &mut size) };
    if rc < 0 {
        return Err(TargetError::Io(io::Error::last_os_error()));
    }
    u32::try_from(size)
        .ok()
        .filter(|&s| s >= 512)
        .ok_or_else(|| TargetError::Device(format!("BLKSSZGET reported {size} bytes")))
}

/// Without `BLKSSZGET`, a block device is taken to have 512-byte logical blocks.
#[cfg(not(target_os = "linux"))]
fn logical_block_size(_file: &File) -> Result<u32, TargetError> {
    Ok(512)
}

/// A heap buffer whose usable part starts on a [`DIRECT_ALIGN`] boundary.
#[derive(Debug)]
struct AlignedBuf {
    storage: Vec<u8>,
    start: usize,
}

impl AlignedBuf {
    fn new(len: usize) -> Self {
        let storage = vec![0u8; len + DIRECT_ALIGN];
        let start = storage
            .as_ptr()
            .align_offset(DIRECT_ALIGN)
            .min(DIRECT_ALIGN);
        AlignedBuf { storage, start }
    }

    /// The first `len` aligned bytes (`len` is at most the length given to `new`).
    fn slice(&mut self, len: usize) -> &mut [u8] {
        &mut self.storage[self.start..self.start + len]
    }
}

#[cfg(test)]
mod tests;

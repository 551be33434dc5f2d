//! A medium in a host file (`sim:/path/disk.img`): the file IS the durable layer, written
//! with positioned I/O, so a killed emulator process is a real power cut (SBC-4 4.15: data
//! still in the volatile cache is lost) and a later process sees exactly what was durable.
//!
//! Durability here means surviving the emulator process: the host kernel keeps what was
//! written to the file. A host crash is not modelled (that would need an fsync per durable
//! write).

use std::fs::{File, OpenOptions};
use std::path::Path;

use super::medium::Medium;
use crate::block::BlockError;

/// A file-backed medium of a fixed length (SBC-4 4.15 medium; NVMe Base 2.0 5.27.1.4
/// non-volatile media). Never-written regions of the file read as zeros.
#[derive(Debug)]
pub struct FileMedium {
    file: File,
    len: u64,
}

impl FileMedium {
    /// Opens `path` as a medium of `len` bytes: creates the file if it is missing and
    /// extends a shorter file (sparsely, with zeros). A file longer than `len` is refused,
    /// never truncated, since that would destroy durable data.
    pub fn open(path: &Path, len: u64) -> Result<Self, BlockError> {
        let shown = path.display();
        let failed =
            |what: &str, e: std::io::Error| BlockError::Backing(format!("{what} {shown}: {e}"));
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| failed("cannot open", e))?;
        let current = file.metadata().map_err(|e| failed("cannot stat", e))?.len();
        if current > len {
            return Err(BlockError::Backing(format!(
                "{shown} is {current} bytes, larger than the {len}-byte device; refusing to \
                 truncate it (give a size of at least {current} bytes)"
            )));
        }
        if current < len {
            file.set_len(len).map_err(|e| failed("cannot extend", e))?;
        }
        Ok(FileMedium { file, len })
    }
}

impl Medium for FileMedium {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), BlockError> {
        positioned::read(&self.file, offset, buf)
            .map_err(|e| BlockError::Backing(format!("read at byte {offset}: {e}")))
    }

    fn write_at(&mut self, offset: u64, data: &[u8]) -> Result<(), BlockError> {
        positioned::write(&self.file, offset, data)
            .map_err(|e| BlockError::Backing(format!("write at byte {offset}: {e}")))
    }
}

/// Positioned whole-buffer I/O on the host's file API.
#[cfg(unix)]
mod positioned {
    use std::fs::File;
    use std::io;
    use std::os::unix::fs::FileExt;

    /// Reads exactly `buf.len()` bytes at `offset`.
    pub fn read(file: &File, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        file.read_exact_at(buf, offset)
    }

    /// Writes all of `data` at `offset`.
    pub fn write(file: &File, offset: u64, data: &[u8]) -> io::Result<()> {
        file.write_all_at(data, offset)
    }
}

/// Positioned whole-buffer I/O on the host's file API.
#[cfg(windows)]
mod positioned {
    use std::fs::File;
    use std::io;
    use std::os::windows::fs::FileExt;

    /// Reads exactly `buf.len()` bytes at `offset`.
    pub fn read(file: &File, mut offset: u64, mut buf: &mut [u8]) -> io::Result<()> {
        while !buf.is_empty() {
            match file.seek_read(buf, offset)? {
                0 => return Err(io::ErrorKind::UnexpectedEof.into()),
                n => {
                    buf = &mut buf[n..];
                    offset += n as u64;
                }
            }
        }
        Ok(())
    }

    /// Writes all of `data` at `offset`.
    pub fn write(file: &File, mut offset: u64, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            match file.seek_write(data, offset)? {
                0 => return Err(io::ErrorKind::WriteZero.into()),
                n => {
                    data = &data[n..];
                    offset += n as u64;
                }
            }
        }
        Ok(())
    }
}

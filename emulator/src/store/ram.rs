//! A sparse medium in RAM: memory is spent only on chunks that were written, so a 1 TiB
//! emulated disk costs what its written data costs. Never-written blocks read as zeros,
//! like a fully provisioned medium formatted with zeros (SBC-4 4.7, logical block
//! provisioning).

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use super::medium::Medium;
use crate::block::BlockError;

/// Bytes per allocation unit. A multiple of every usual block size (512, 4096), and large
/// enough that a 1 MiB transfer touches only 16 chunks.
const CHUNK: usize = 64 * 1024;

/// A sparse RAM medium (the `sim:` default): the durable layer lives as long as the process.
///
/// Complexity: a read or write of `n` bytes costs `O(n / 64 KiB)` hash lookups plus the
/// copy; memory is `64 KiB` per chunk ever written with non-zero data, independent of
/// [`Medium::len`].
#[derive(Debug, Default)]
pub struct RamMedium {
    len: u64,
    chunks: HashMap<u64, Box<[u8]>>,
}

impl RamMedium {
    /// A medium of `len` bytes, all zero, with nothing allocated yet.
    pub fn new(len: u64) -> Self {
        RamMedium {
            len,
            chunks: HashMap::new(),
        }
    }

    /// Bytes of chunk storage allocated so far (written chunks only).
    pub fn allocated_bytes(&self) -> u64 {
        (self.chunks.len() * CHUNK) as u64
    }
}

/// Splits `offset .. offset + len` at chunk boundaries: (chunk index, offset within the
/// chunk, offset within the caller's buffer, length).
fn pieces(offset: u64, len: usize) -> impl Iterator<Item = (u64, usize, usize, usize)> {
    let mut done = 0usize;
    std::iter::from_fn(move || {
        if done >= len {
            return None;
        }
        let at = offset + done as u64;
        let index = at / CHUNK as u64;
        let within = (at % CHUNK as u64) as usize;
        let take = (CHUNK - within).min(len - done);
        let piece = (index, within, done, take);
        done += take;
        Some(piece)
    })
}

impl Medium for RamMedium {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), BlockError> {
        for (index, within, at, take) in pieces(offset, buf.len()) {
            let out = &mut buf[at..at + take];
            match self.chunks.get(&index) {
                Some(chunk) => out.copy_from_slice(&chunk[within..within + take]),
                None => out.fill(0),
            }
        }
        Ok(())
    }

    fn write_at(&mut self, offset: u64, data: &[u8]) -> Result<(), BlockError> {
        for (index, within, at, take) in pieces(offset, data.len()) {
            let piece = &data[at..at + take];
            let chunk = match self.chunks.entry(index) {
                Entry::Occupied(chunk) => chunk.into_mut(),
                // Zeros over a never-written chunk change nothing: stay sparse.
                Entry::Vacant(_) if piece.iter().all(|&b| b == 0) => continue,
                // A whole new chunk is a copy of the data, without zeroing it first.
                Entry::Vacant(chunk) if take == CHUNK => {
                    chunk.insert(piece.into());
                    continue;
                }
                Entry::Vacant(chunk) => chunk.insert(vec![0u8; CHUNK].into_boxed_slice()),
            };
            chunk[within..within + take].copy_from_slice(piece);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIB: u64 = 1 << 40;

    #[test]
    fn a_tebibyte_medium_allocates_only_what_is_written() {
        let mut medium = RamMedium::new(TIB);
        assert_eq!(medium.allocated_bytes(), 0);
        let mut buf = vec![0xAAu8; 4096];
        medium.read_at(TIB - 4096, &mut buf).expect("read");
        assert!(
            buf.iter().all(|&b| b == 0),
            "unwritten blocks read as zeros"
        );

        medium.write_at(0, &[1u8; 512]).expect("write");
        medium.write_at(TIB / 2, &[2u8; 4096]).expect("write");
        medium.write_at(TIB - 512, &[3u8; 512]).expect("write");
        assert_eq!(medium.allocated_bytes(), 3 * CHUNK as u64);

        medium.read_at(TIB / 2, &mut buf).expect("read");
        assert!(buf.iter().all(|&b| b == 2));
    }

    #[test]
    fn writes_spanning_chunks_read_back_and_zeros_stay_sparse() {
        let mut medium = RamMedium::new(4 * CHUNK as u64);
        // Spans the end of chunk 0, all of chunk 1 and the start of chunk 2.
        let data: Vec<u8> = (0..CHUNK + 1024).map(|i| (i % 251) as u8 + 1).collect();
        medium.write_at(CHUNK as u64 - 512, &data).expect("write");
        assert_eq!(medium.allocated_bytes(), 3 * CHUNK as u64);
        let mut back = vec![0u8; data.len() + 1024];
        medium
            .read_at(CHUNK as u64 - 1024, &mut back)
            .expect("read");
        assert_eq!(&back[..512], &[0u8; 512][..]);
        assert_eq!(&back[512..512 + data.len()], &data[..]);
        assert_eq!(&back[512 + data.len()..], &[0u8; 512][..]);

        // Zeros over an unwritten chunk allocate nothing.
        medium
            .write_at(3 * CHUNK as u64, &[0u8; 4096])
            .expect("write");
        assert_eq!(medium.allocated_bytes(), 3 * CHUNK as u64);
    }
}

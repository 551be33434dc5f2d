//! The self-describing logical block: what verification writes to every block and how a
//! block read back is recognised (ours, zeros, foreign, misdirected, torn or corrupt).
//!
//! A logical block (SBC-4 4.5; NVM Command Set 1.0 2.1) is any non-zero multiple of 512
//! bytes. Every 512-byte sector begins with a sector stamp, so a write torn inside the
//! block is located to the sector; sector 0 also carries the block header. All integers
//! are little-endian.
//!
//! | Offset (in each sector) | Size | Field |
//! |---|---|---|
//! | 0  | 8 | magic, [`MAGIC`] |
//! | 8  | 8 | run nonce |
//! | 16 | 8 | LBA the block was written to |
//! | 24 | 4 | generation (the plan's epoch) |
//! | 28 | 4 | sector index within the block |
//!
//! | Offset (sector 0 only) | Size | Field |
//! |---|---|---|
//! | 32 | 8 | write sequence number |
//! | 40 | 4 | CRC-32 (IEEE 802.3) over the whole block except these 4 bytes |
//! | 44 | 4 | reserved, zero |
//!
//! Every other byte is payload: the 8 bytes at block offset `8k` are the little-endian
//! word `wy(key + (k + 1) * GAMMA)`, where `key` is derived from (nonce, LBA, generation)
//! with the SplitMix64 finaliser and `wy` is the wyrand output function (one 128-bit
//! multiply per word) — incompressible, regenerated at any offset without state, written
//! a word at a time (several GB/s; `examples/block_speed.rs` measures it).

use cdb::error::DecodeError;
use serde::Serialize;

/// The sector size the stamps are laid out on (SBC-4 4.5: logical blocks are multiples of
/// it on every device verification supports).
pub const SECTOR: usize = 512;
/// The magic that begins every sector of a block written by verification (`SCSIVFY1`).
pub const MAGIC: u64 = u64::from_le_bytes(*b"SCSIVFY1");
/// Bytes of the sector stamp at the start of every sector.
pub const SECTOR_STAMP_LEN: usize = 32;
/// Bytes of sector stamp plus block header at the start of sector 0.
pub const HEADER_LEN: usize = 48;
/// Offset of the CRC-32 in sector 0.
const CRC_OFFSET: usize = 40;
/// The SplitMix64 increment (the golden ratio in 64-bit fixed point).
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// What a block written by verification says about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Stamp {
    /// The run's nonce: blocks of other runs are foreign.
    pub nonce: u64,
    /// The LBA the block was written to.
    pub lba: u64,
    /// The generation (epoch of the write plan) that wrote it.
    pub generation: u32,
    /// The write sequence number of the write that carried it.
    pub seq: u64,
}

/// What a block read back holds, as far as its bytes tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Content {
    /// An intact block of this run for this LBA.
    Ours {
        /// Its stamp.
        stamp: Stamp,
    },
    /// Every byte zero (never written, unmapped, or deallocated).
    Zeros,
    /// No sector carries this run's magic and nonce.
    Foreign,
    /// An intact block of this run, written for another LBA.
    Misdirected {
        /// Its stamp (whose `lba` names where it was meant to go).
        stamp: Stamp,
    },
    /// The sectors disagree: part of the block comes from another write (or a sector
    /// stamp itself was damaged: a stamp is not covered by a per-sector check).
    Torn {
        /// Index of the first sector that differs from sector 0.
        sector: u32,
        /// Generation of sector 0 (`None`: not this run's data).
        before: Option<u32>,
        /// Generation of that sector (`None`: not this run's data).
        after: Option<u32>,
    },
    /// The sector stamps agree but the CRC does not match.
    Corrupt {
        /// Its stamp as read.
        stamp: Stamp,
        /// Bits that differ from what the stamp says was written.
        bit_flips: u64,
    },
}

/// SplitMix64's output function: a bijective 64-bit mixer (also spreads the CLI's
/// seeds and nonces).
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One payload word from its counter: the wyrand output function (a 64x64->128-bit
/// multiply folded to 64 bits), one multiply per word.
fn payload_word(counter: u64) -> u64 {
    let product = u128::from(counter) * u128::from(counter ^ 0xE703_7ED1_A0B4_28DB);
    (product as u64) ^ ((product >> 64) as u64)
}

fn payload_key(nonce: u64, lba: u64, generation: u32) -> u64 {
    mix(nonce ^ mix(lba ^ mix(u64::from(generation) ^ GAMMA)))
}

fn check_len(len: usize) -> Result<(), DecodeError> {
    if len == 0 || len % SECTOR != 0 {
        return Err(DecodeError::InvalidValue {
            what: "logical block length (a non-zero multiple of 512)",
            value: len as u64,
        });
    }
    Ok(())
}

fn put(buf: &mut [u8], at: usize, bytes: &[u8]) {
    if let Some(dst) = buf.get_mut(at..at + bytes.len()) {
        dst.copy_from_slice(bytes);
    }
}

fn get_u64(buf: &[u8], at: usize) -> u64 {
    buf.get(at..at + 8)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u64::from_le_bytes)
}

fn get_u32(buf: &[u8], at: usize) -> u32 {
    buf.get(at..at + 4)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u32::from_le_bytes)
}

fn block_crc(buf: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(buf.get(..CRC_OFFSET).unwrap_or_default());
    h.update(buf.get(CRC_OFFSET + 4..).unwrap_or_default());
    h.finalize()
}

/// Fills `buf` with the block `stamp` describes. `buf.len()` is the logical block length:
/// a non-zero multiple of [`SECTOR`], or an error.
pub fn encode(stamp: &Stamp, buf: &mut [u8]) -> Result<(), DecodeError> {
    check_len(buf.len())?;
    let key = payload_key(stamp.nonce, stamp.lba, stamp.generation);
    let mut counter = key;
    for word in buf.chunks_exact_mut(8) {
        counter = counter.wrapping_add(GAMMA);
        word.copy_from_slice(&payload_word(counter).to_le_bytes());
    }
    for (index, sector) in buf.chunks_exact_mut(SECTOR).enumerate() {
        put(sector, 0, &MAGIC.to_le_bytes());
        put(sector, 8, &stamp.nonce.to_le_bytes());
        put(sector, 16, &stamp.lba.to_le_bytes());
        put(sector, 24, &stamp.generation.to_le_bytes());
        put(sector, 28, &(index as u32).to_le_bytes());
    }
    put(buf, 32, &stamp.seq.to_le_bytes());
    put(buf, 44, &0u32.to_le_bytes());
    let crc = block_crc(buf);
    put(buf, CRC_OFFSET, &crc.to_le_bytes());
    Ok(())
}

/// What one sector's stamp says: this run's data for (lba, generation), or not ours.
fn sector_key(sector: &[u8], nonce: u64) -> Option<(u64, u32)> {
    (get_u64(sector, 0) == MAGIC && get_u64(sector, 8) == nonce)
        .then(|| (get_u64(sector, 16), get_u32(sector, 24)))
}

/// Counts the bits of `buf` that differ from the block `stamp` describes, CRC excluded.
fn bit_flips(stamp: &Stamp, buf: &[u8]) -> u64 {
    let mut expected = vec![0u8; buf.len()];
    if encode(stamp, &mut expected).is_err() {
        return 0;
    }
    let crc = CRC_OFFSET..CRC_OFFSET + 4;
    buf.iter()
        .zip(&expected)
        .enumerate()
        .filter(|(i, _)| !crc.contains(i))
        .map(|(_, (a, b))| u64::from((a ^ b).count_ones()))
        .sum()
}

/// Says what `buf` (one logical block read from `lba`) holds, for the run `nonce`.
/// Errors only when the length is not a non-zero multiple of [`SECTOR`].
pub fn decode(buf: &[u8], nonce: u64, lba: u64) -> Result<Content, DecodeError> {
    check_len(buf.len())?;
    let mut sectors = buf.chunks_exact(SECTOR);
    let first = sectors
        .next()
        .map(|s| sector_key(s, nonce))
        .unwrap_or_default();
    if let Some(changed) = sectors.position(|s| sector_key(s, nonce) != first) {
        let after = buf
            .get((changed + 1) * SECTOR..)
            .and_then(|s| sector_key(s, nonce));
        if first.is_none() && after.is_none() {
            return Ok(foreign_or_zeros(buf));
        }
        return Ok(Content::Torn {
            sector: (changed + 1) as u32,
            before: first.map(|(_, g)| g),
            after: after.map(|(_, g)| g),
        });
    }
    let Some((stamp_lba, generation)) = first else {
        return Ok(foreign_or_zeros(buf));
    };
    let stamp = Stamp {
        nonce,
        lba: stamp_lba,
        generation,
        seq: get_u64(buf, 32),
    };
    if block_crc(buf) != get_u32(buf, CRC_OFFSET) {
        return Ok(Content::Corrupt {
            stamp,
            bit_flips: bit_flips(&stamp, buf),
        });
    }
    Ok(if stamp_lba == lba {
        Content::Ours { stamp }
    } else {
        Content::Misdirected { stamp }
    })
}

fn foreign_or_zeros(buf: &[u8]) -> Content {
    if buf.iter().all(|&b| b == 0) {
        Content::Zeros
    } else {
        Content::Foreign
    }
}

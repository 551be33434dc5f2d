//! The block format: layout as documented, round trips, and every content kind detected.

use integrity::block::{decode, encode, Content, Stamp, MAGIC, SECTOR};
use proptest::prelude::*;

const NONCE: u64 = 0x0123_4567_89ab_cdef;

fn stamp(lba: u64, generation: u32, seq: u64) -> Stamp {
    Stamp {
        nonce: NONCE,
        lba,
        generation,
        seq,
    }
}

fn block(len: usize, s: &Stamp) -> Vec<u8> {
    let mut buf = vec![0u8; len];
    encode(s, &mut buf).expect("valid length");
    buf
}

fn le64(buf: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(buf[at..at + 8].try_into().expect("8 bytes"))
}

fn le32(buf: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(buf[at..at + 4].try_into().expect("4 bytes"))
}

#[test]
fn layout_matches_the_documented_offsets() {
    let s = stamp(0x1122_3344, 7, 99);
    let buf = block(4096, &s);
    assert_eq!(&buf[0..8], b"SCSIVFY1");
    for i in 0..8 {
        let sector = &buf[i * SECTOR..];
        assert_eq!(&sector[0..8], b"SCSIVFY1", "magic of sector {i}");
        assert_eq!(le64(sector, 8), NONCE);
        assert_eq!(le64(sector, 16), 0x1122_3344);
        assert_eq!(le32(sector, 24), 7);
        assert_eq!(le32(sector, 28), i as u32);
    }
    assert_eq!(le64(&buf, 32), 99);
    assert_eq!(le32(&buf, 44), 0);
    let mut h = crc32fast::Hasher::new();
    h.update(&buf[..40]);
    h.update(&buf[44..]);
    assert_eq!(
        le32(&buf, 40),
        h.finalize(),
        "CRC-32 over the block except its own field"
    );
}

#[test]
fn payload_is_not_repetitive_and_depends_on_lba_and_generation() {
    let a = block(4096, &stamp(5, 1, 0));
    let b = block(4096, &stamp(6, 1, 0));
    let c = block(4096, &stamp(5, 2, 0));
    let words: std::collections::HashSet<u64> =
        a[48..512].chunks_exact(8).map(|w| le64(w, 0)).collect();
    assert_eq!(words.len(), (512 - 48) / 8, "every payload word distinct");
    assert_ne!(a[512 + 32..], b[512 + 32..]);
    assert_ne!(a[512 + 32..], c[512 + 32..]);
}

#[test]
fn round_trips_for_block_sizes_512_to_64k() {
    for len in [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 1536] {
        let s = stamp(len as u64 * 3, 4, 12345);
        assert_eq!(
            decode(&block(len, &s), NONCE, s.lba),
            Ok(Content::Ours { stamp: s }),
            "{len}"
        );
    }
}

#[test]
fn lengths_that_are_not_whole_sectors_are_rejected() {
    for len in [0, 1, 511, 513, 4095] {
        assert!(encode(&stamp(0, 0, 0), &mut vec![0; len]).is_err());
        assert!(decode(&vec![0; len], NONCE, 0).is_err());
    }
}

#[test]
fn zeros_and_foreign_data_are_recognised() {
    assert_eq!(decode(&[0u8; 4096], NONCE, 3), Ok(Content::Zeros));
    assert_eq!(decode(&[0x5au8; 4096], NONCE, 3), Ok(Content::Foreign));
    let other_run = block(
        4096,
        &Stamp {
            nonce: NONCE ^ 1,
            ..stamp(3, 0, 0)
        },
    );
    assert_eq!(decode(&other_run, NONCE, 3), Ok(Content::Foreign));
}

#[test]
fn a_block_written_for_another_lba_is_misdirected() {
    let s = stamp(70, 2, 8);
    assert_eq!(
        decode(&block(4096, &s), NONCE, 71),
        Ok(Content::Misdirected { stamp: s })
    );
}

#[test]
fn a_tear_is_located_to_the_sector() {
    let old = block(8192, &stamp(9, 1, 3));
    let new = block(8192, &stamp(9, 2, 40));
    let mut torn = new.clone();
    torn[5 * SECTOR..].copy_from_slice(&old[5 * SECTOR..]);
    assert_eq!(
        decode(&torn, NONCE, 9),
        Ok(Content::Torn {
            sector: 5,
            before: Some(2),
            after: Some(1)
        })
    );
    let mut over_zeros = vec![0u8; 8192];
    over_zeros[..3 * SECTOR].copy_from_slice(&new[..3 * SECTOR]);
    assert_eq!(
        decode(&over_zeros, NONCE, 9),
        Ok(Content::Torn {
            sector: 3,
            before: Some(2),
            after: None
        })
    );
    let mut tail_first = vec![0u8; 8192];
    tail_first[6 * SECTOR..].copy_from_slice(&new[6 * SECTOR..]);
    assert_eq!(
        decode(&tail_first, NONCE, 9),
        Ok(Content::Torn {
            sector: 6,
            before: None,
            after: Some(2)
        })
    );
}

#[test]
fn flipped_bits_are_counted() {
    let s = stamp(11, 3, 77);
    let mut buf = block(4096, &s);
    for bit in [
        48 * 8,
        600 * 8 + 3,
        4095 * 8 + 7,
        1000 * 8 + 1,
        1000 * 8 + 2,
    ] {
        buf[bit / 8] ^= 1 << (bit % 8);
    }
    assert_eq!(
        decode(&buf, NONCE, 11),
        Ok(Content::Corrupt {
            stamp: s,
            bit_flips: 5
        })
    );
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..3000), lba: u64) {
        let _ = decode(&bytes, NONCE, lba);
    }

    #[test]
    fn arbitrary_sectors_with_our_stamp_never_panic(
        sectors in 1usize..9, seed: u64, flips in proptest::collection::vec(any::<usize>(), 0..40),
    ) {
        let mut buf = block(sectors * SECTOR, &stamp(seed, seed as u32, seed));
        for f in flips {
            let bit = f % (buf.len() * 8);
            buf[bit / 8] ^= 1 << (bit % 8);
        }
        let _ = decode(&buf, NONCE, seed);
    }

    #[test]
    fn every_stamp_round_trips(sectors in 1usize..130, lba: u64, generation: u32, seq: u64) {
        let s = stamp(lba, generation, seq);
        prop_assert_eq!(decode(&block(sectors * SECTOR, &s), NONCE, lba), Ok(Content::Ours { stamp: s }));
    }

    #[test]
    fn payload_flips_are_counted_exactly(
        bits in proptest::collection::btree_set(48usize * 8..4096 * 8, 1..20),
    ) {
        let s = stamp(1, 1, 1);
        let mut buf = block(4096, &s);
        let mut n = 0u64;
        for bit in &bits {
            // Stamps and the CRC are not payload: leave them to the stamp checks.
            let in_stamp = bit / 8 % SECTOR < 32;
            if !in_stamp {
                buf[bit / 8] ^= 1 << (bit % 8);
                n += 1;
            }
        }
        let expected = if n == 0 { Content::Ours { stamp: s } } else { Content::Corrupt { stamp: s, bit_flips: n } };
        prop_assert_eq!(decode(&buf, NONCE, 1), Ok(expected));
    }
}

#[test]
fn magic_constant_spells_scsivfy1() {
    assert_eq!(MAGIC.to_le_bytes(), *b"SCSIVFY1");
}

//! Measures encode and decode throughput of the self-describing block next to a plain
//! memory copy (a measurement, not a test):
//! `cargo run --release -p integrity --example block_speed`.

use std::hint::black_box;
use std::time::Instant;

use integrity::block::{decode, encode, Content, Stamp};

/// Bytes in the arena the blocks are encoded into (larger than the CPU caches).
const ARENA: usize = 64 << 20;
/// Passes over the arena per measurement.
const PASSES: u64 = 8;

fn rate(started: Instant) -> f64 {
    (ARENA as u64 * PASSES) as f64 / started.elapsed().as_secs_f64() / 1e9
}

fn main() {
    let mut arena = vec![0u8; ARENA];
    let mut copy = vec![0u8; ARENA];
    for block_size in [512usize, 4096, 65536] {
        let stamp = |lba: usize, pass: u64| Stamp {
            nonce: 7,
            lba: lba as u64,
            generation: pass as u32,
            seq: pass,
        };
        let started = Instant::now();
        for pass in 0..PASSES {
            for (lba, block) in arena.chunks_exact_mut(block_size).enumerate() {
                if encode(&stamp(lba, pass), black_box(block)).is_err() {
                    return;
                }
            }
        }
        let encoded = rate(started);
        let started = Instant::now();
        let mut intact = 0u64;
        for _ in 0..PASSES {
            for (lba, block) in arena.chunks_exact(block_size).enumerate() {
                let content = decode(black_box(block), 7, lba as u64);
                intact += u64::from(matches!(content, Ok(Content::Ours { .. })));
            }
        }
        let decoded = rate(started);
        let started = Instant::now();
        for _ in 0..PASSES {
            copy.copy_from_slice(black_box(&arena));
            black_box(&mut copy);
        }
        let copied = rate(started);
        println!(
            "{block_size:>6} B blocks: encode {encoded:.2} GB/s, decode {decoded:.2} GB/s, \
             memcpy {copied:.2} GB/s ({intact} intact blocks decoded)"
        );
    }
}

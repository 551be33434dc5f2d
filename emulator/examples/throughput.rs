//! Benchmark: 1 MiB READ and WRITE on the RAM medium, through the block layer and through
//! the emulated SCSI disk (WRITE (16) / READ (16) CDBs), next to a plain memcpy of the
//! same sizes in the same run. Run by `bench/emulator-throughput`; prints GB/s and ratios,
//! asserts nothing about speed.

use cdb::command::{DataPhase, ScsiCommand};
use cdb::scsi::sbc::lba_cdb::Sixteen;
use cdb::scsi::sbc::read_write::{Read, RwOptions, Write};
use cdb::scsi::status::Status;
use emulator::block::BlockDevice;
use emulator::sbc::{Disk, Identity, Target};
use emulator::store::{CachedDevice, RamMedium};
use emulator::target::ScsiTarget;
use std::hint::black_box;
use std::time::Instant;

const MIB: usize = 1 << 20;
/// Bytes moved per measurement: 256 MiB in 1 MiB transfers.
const SPAN: usize = 256 * MIB;
const BLOCK: u32 = 512;

/// Seconds for `f`, best of three runs.
fn best_of_three(mut f: impl FnMut()) -> f64 {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn gbps(seconds: f64) -> f64 {
    SPAN as f64 / seconds / 1e9
}

fn device(write_cache: bool) -> CachedDevice<RamMedium> {
    CachedDevice::new(RamMedium::new(SPAN as u64), BLOCK)
        .expect("block size")
        .with_write_cache(write_cache)
}

/// Runs a typed command on LUN 0 of `target`, returning its status.
fn run<C: ScsiCommand>(target: &mut Target, command: &C, data_in: &mut [u8]) -> Status {
    let out: &[u8] = match command.data_phase() {
        DataPhase::Out(data) => data,
        _ => &[],
    };
    target
        .execute(0, command.cdb().as_bytes(), out, data_in)
        .status
}

fn main() {
    let source = vec![0xA5u8; MIB];
    let mut sink = vec![0u8; MIB];

    let mut memory = vec![0u8; SPAN];
    let memcpy_write = best_of_three(|| {
        for chunk in memory.chunks_mut(MIB) {
            chunk.copy_from_slice(black_box(&source));
        }
    });
    let memcpy_read = best_of_three(|| {
        for chunk in memory.chunks(MIB) {
            sink.copy_from_slice(black_box(chunk));
        }
    });

    let mut durable = device(false);
    let block_write = best_of_three(|| {
        for i in 0..SPAN / MIB {
            durable
                .write(
                    (i * MIB) as u64 / u64::from(BLOCK),
                    black_box(&source),
                    false,
                )
                .expect("write");
        }
    });
    let block_read = best_of_three(|| {
        for i in 0..SPAN / MIB {
            durable
                .read((i * MIB) as u64 / u64::from(BLOCK), &mut sink)
                .expect("read");
        }
    });

    let mut target = Target::new(vec![Disk::new(
        Identity::default(),
        Box::new(device(false)),
    )]);
    let blocks = (MIB as u32 / BLOCK) as u64;
    // Clear the power-on unit attention.
    run(
        &mut target,
        &Read::<Sixteen>::new(0, 1, BLOCK, RwOptions::default()).expect("read"),
        &mut sink,
    );
    let scsi_write = best_of_three(|| {
        for i in 0..(SPAN / MIB) as u64 {
            let write = Write::<Sixteen>::new(i * blocks, &source, BLOCK, RwOptions::default())
                .expect("write");
            assert_eq!(run(&mut target, &write, &mut []), Status::Good);
        }
    });
    let scsi_read = best_of_three(|| {
        for i in 0..(SPAN / MIB) as u64 {
            let read = Read::<Sixteen>::new(i * blocks, blocks as u32, BLOCK, RwOptions::default())
                .expect("read");
            assert_eq!(run(&mut target, &read, &mut sink), Status::Good);
        }
    });

    println!(
        "emulator throughput, 1 MiB transfers over {} MiB (best of 3)",
        SPAN / MIB
    );
    println!("{:<34} {:>8} {:>8}", "", "GB/s", "ratio");
    let rows = [
        ("memcpy write (baseline)", memcpy_write, memcpy_write),
        ("block layer write (durable)", block_write, memcpy_write),
        ("SCSI WRITE (16) via CDB", scsi_write, memcpy_write),
        ("memcpy read (baseline)", memcpy_read, memcpy_read),
        ("block layer read", block_read, memcpy_read),
        ("SCSI READ (16) via CDB", scsi_read, memcpy_read),
    ];
    for (name, seconds, baseline) in rows {
        println!(
            "{name:<34} {:>8.2} {:>7.2}x",
            gbps(seconds),
            baseline / seconds
        );
    }
}

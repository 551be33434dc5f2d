//! The SCSI and NVMe block targets on the emulated devices: geometry from the device,
//! whole-block round trips, FUA and flush durability across a power cycle, and the write
//! cache switched and read back.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use integrity::nvme_target::NvmeBlockTarget;
use integrity::scsi_target::ScsiBlockTarget;
use integrity::target::BlockTarget;
use transports::open::{open, Access, Device};

fn target(uri: &str) -> Box<dyn BlockTarget> {
    match open(uri, Access::Write).unwrap() {
        Device::Scsi(t) => Box::new(ScsiBlockTarget::new(t).unwrap()),
        Device::Nvme(t) => Box::new(NvmeBlockTarget::new(t, 1).unwrap()),
    }
}

/// `count` blocks of `byte`.
fn blocks(t: &dyn BlockTarget, count: usize, byte: u8) -> Vec<u8> {
    vec![byte; count * t.geometry().block_size as usize]
}

fn read(t: &mut dyn BlockTarget, lba: u64, count: usize) -> Vec<u8> {
    let mut buf = blocks(t, count, 0xee);
    t.read(lba, &mut buf).unwrap();
    buf
}

#[test]
fn geometry_comes_from_the_device() {
    for (uri, bs, count) in [
        ("sim:?size=8M&bs=4096", 4096, 2048),
        ("sim:?size=8M", 512, 16384),
        ("sim:nvme?size=8M", 512, 16384),
        ("sim:bridge-asmedia?size=8M", 512, 16384),
    ] {
        let g = target(uri).geometry();
        assert_eq!((g.block_size, g.blocks), (bs, count), "{uri}");
        assert!(
            g.max_transfer >= bs && g.max_transfer % bs == 0,
            "{uri}: {g:?}"
        );
        assert!(g.max_transfer <= 1 << 20, "{uri}: {g:?}");
    }
}

#[test]
fn fua_and_flushed_writes_survive_a_power_cycle_and_cached_ones_do_not() {
    for uri in [
        "sim:?size=8M",
        "sim:nvme?size=8M",
        "sim:bridge-jmicron?size=8M",
    ] {
        let mut t = target(uri);
        let t = t.as_mut();
        t.write(10, &blocks(t, 2, 0x11), true).unwrap();
        t.write(20, &blocks(t, 2, 0x22), false).unwrap();
        t.flush().unwrap();
        t.write(30, &blocks(t, 2, 0x33), false).unwrap();
        assert_eq!(
            read(t, 30, 2),
            blocks(t, 2, 0x33),
            "{uri}: the cache serves reads"
        );
        t.power_cycle().unwrap();
        assert_eq!(read(t, 10, 2), blocks(t, 2, 0x11), "{uri}: FUA");
        assert_eq!(read(t, 20, 2), blocks(t, 2, 0x22), "{uri}: flushed");
        assert_eq!(read(t, 30, 2), blocks(t, 2, 0), "{uri}: cached, lost");
    }
}

#[test]
fn a_lying_flush_is_visible_through_the_target() {
    let mut t = target("sim:lying-flush?size=8M");
    let t = t.as_mut();
    t.write(5, &blocks(t, 1, 0x55), false).unwrap();
    t.flush().unwrap();
    t.power_cycle().unwrap();
    assert_eq!(read(t, 5, 1), blocks(t, 1, 0));
}

#[test]
fn the_write_cache_is_switched_and_read_back() {
    for uri in [
        "sim:?size=8M",
        "sim:nvme?size=8M",
        "sim:bridge-realtek?size=8M",
    ] {
        let mut t = target(uri);
        assert_eq!(t.write_cache().unwrap(), Some(true), "{uri}");
        t.set_write_cache(false).unwrap();
        assert_eq!(t.write_cache().unwrap(), Some(false), "{uri}");
        // With the cache off every completed write is durable.
        t.write(7, &blocks(t.as_ref(), 1, 0x77), false).unwrap();
        t.power_cycle().unwrap();
        // A power cycle restores the power-on default (on) and keeps the written data.
        assert_eq!(read(t.as_mut(), 7, 1), blocks(t.as_ref(), 1, 0x77), "{uri}");
        t.set_write_cache(true).unwrap();
        assert_eq!(t.write_cache().unwrap(), Some(true), "{uri}");
    }
}

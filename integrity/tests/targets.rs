//! The SCSI and NVMe block targets on the emulated devices: geometry from the device,
//! whole-block round trips, FUA and flush durability across a power cycle, and the write
//! cache switched and read back.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cdb::scsi::status::Status;
use integrity::nvme_target::NvmeBlockTarget;
use integrity::scsi_target::ScsiBlockTarget;
use integrity::target::BlockTarget;
use transports::open::{open, Access, Device};
use transports::scsi::{ScsiReply, ScsiRequest, ScsiTransport, TransportError};

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

/// `count` blocks at `lba`, each filled with `seed` plus its position.
fn pattern(t: &dyn BlockTarget, count: usize, seed: u8) -> Vec<Vec<u8>> {
    (0..count)
        .map(|i| blocks(t, 8, seed.wrapping_add(i as u8)))
        .collect()
}

#[test]
fn queued_writes_and_reads_round_trip_over_every_transport() {
    // UAS queues them (15 in flight); the others send them one after another.
    for uri in [
        "sim:?size=8M&usb=uas",
        "sim:?size=8M&usb=uas&speed=high",
        "sim:?size=8M&usb=bot",
        "sim:?size=8M",
    ] {
        let mut t = target(uri);
        let t = t.as_mut();
        let data = pattern(t, 20, 0x40);
        let writes: Vec<(u64, &[u8])> = data
            .iter()
            .enumerate()
            .map(|(i, d)| (100 + 8 * i as u64, d.as_slice()))
            .collect();
        t.write_many(&writes, false).unwrap();
        let mut back: Vec<Vec<u8>> = (0..20).map(|_| blocks(t, 8, 0xee)).collect();
        let mut reads: Vec<(u64, &mut [u8])> = back
            .iter_mut()
            .enumerate()
            .map(|(i, b)| (100 + 8 * i as u64, b.as_mut_slice()))
            .collect();
        t.read_many(&mut reads).unwrap();
        assert!(back == data, "{uri}: the blocks read back differ");
        // Each read alone agrees.
        assert_eq!(read(t, 100 + 8 * 19, 8), data[19], "{uri}");
    }
}

/// A transport whose queue answers its first command with a UNIT ATTENTION (POWER ON
/// OCCURRED, 29h/00h, SPC-5 4.4.2 fixed format) without sending it.
struct AttentionFirst {
    inner: Box<dyn ScsiTransport>,
    /// The batches it was given.
    batches: std::rc::Rc<std::cell::Cell<usize>>,
}

impl ScsiTransport for AttentionFirst {
    fn execute(&mut self, request: ScsiRequest<'_>) -> Result<ScsiReply, TransportError> {
        self.inner.execute(request)
    }
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn execute_many(
        &mut self,
        requests: Vec<ScsiRequest<'_>>,
    ) -> Vec<Result<ScsiReply, TransportError>> {
        self.batches.set(self.batches.get() + 1);
        let mut sense = vec![0u8; 18];
        (sense[0], sense[2], sense[7], sense[12]) = (0x70, 0x06, 10, 0x29);
        let attention = ScsiReply {
            status: Status::CheckCondition,
            sense,
            transferred: 0,
        };
        let mut requests = requests.into_iter();
        requests.next();
        std::iter::once(Ok(attention))
            .chain(requests.map(|r| self.inner.execute(r)))
            .collect()
    }
}

#[test]
fn a_queued_command_answered_with_a_unit_attention_is_sent_again_alone() {
    let Device::Scsi(inner) = open("sim:?size=8M", Access::Write).unwrap() else {
        panic!("a SCSI device");
    };
    let batches = std::rc::Rc::default();
    let flaky = AttentionFirst {
        inner,
        batches: std::rc::Rc::clone(&batches),
    };
    let mut t = ScsiBlockTarget::new(Box::new(flaky)).unwrap();
    let data = pattern(&t, 4, 0x70);
    for (i, d) in data.iter().enumerate() {
        t.write(8 * i as u64, d, false).unwrap();
    }
    let mut back: Vec<Vec<u8>> = (0..4).map(|_| blocks(&t, 8, 0)).collect();
    let mut reads: Vec<(u64, &mut [u8])> = back
        .iter_mut()
        .enumerate()
        .map(|(i, b)| (8 * i as u64, b.as_mut_slice()))
        .collect();
    t.read_many(&mut reads).unwrap();
    assert!(
        back == data,
        "the first read, sent again alone, arrives too"
    );
    // And a queued write whose first command met the attention is written all the same.
    let again = pattern(&t, 2, 0x90);
    let writes: Vec<(u64, &[u8])> = vec![(0, &again[0]), (8, &again[1])];
    t.write_many(&writes, false).unwrap();
    assert_eq!(read(&mut t, 0, 8), again[0]);
    assert_eq!(batches.get(), 2, "both went as one batch each");
}

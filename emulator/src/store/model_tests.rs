//! Random sequences of writes, reads, flushes, write cache changes and power cuts against a
//! reference model of SBC-4 4.15 / NVMe Base 2.0 5.27.1.4: the device and the model agree
//! on what the host reads and on what is durable, and nothing panics.

use proptest::prelude::*;

use super::*;
use crate::block::BlockDevice;

/// A small odd block size, so nothing relies on 512 or 4096.
const BS: usize = 64;
const BLOCKS: u64 = 16;

/// The content of a block written with `tag` (0: never written, all zeros). Every byte
/// depends on the tag, so a block copied from the wrong place is caught.
fn block(tag: u32) -> Vec<u8> {
    if tag == 0 {
        return vec![0; BS];
    }
    let mut data: Vec<u8> = (0..BS).map(|j| (tag as u8).wrapping_add(j as u8)).collect();
    data[..4].copy_from_slice(&tag.to_le_bytes());
    data
}

/// The tags of whole blocks; panics on a block that is no tag's content.
fn tags(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks(BS)
        .map(|b| {
            let tag = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            assert_eq!(b, block(tag), "block is not a whole written block");
            tag
        })
        .collect()
}

#[derive(Debug, Clone)]
enum Op {
    Write { lba: u64, blocks: u64, fua: bool },
    Read { lba: u64, blocks: u64 },
    Flush,
    SetWriteCache(bool),
    Cut(PowerCut),
}

fn op() -> impl Strategy<Value = Op> {
    let policy = prop_oneof![
        Just(PowerCut::LoseAll),
        any::<u64>().prop_map(|seed| PowerCut::KeepSome { seed }),
        any::<u64>().prop_map(|seed| PowerCut::Tear { seed }),
    ];
    prop_oneof![
        6 => (0..BLOCKS + 3, 0..6u64, any::<bool>())
            .prop_map(|(lba, blocks, fua)| Op::Write { lba, blocks, fua }),
        2 => (0..BLOCKS + 3, 0..8u64).prop_map(|(lba, blocks)| Op::Read { lba, blocks }),
        1 => Just(Op::Flush),
        1 => any::<bool>().prop_map(Op::SetWriteCache),
        1 => policy.prop_map(Op::Cut),
    ]
}

/// The reference: durable tags, cached tags, and the write cache state.
struct Model {
    durable: Vec<u32>,
    cached: Vec<Option<u32>>,
    write_cache: bool,
    next_tag: u32,
}

impl Model {
    fn view(&self) -> Vec<u32> {
        self.durable
            .iter()
            .zip(&self.cached)
            .map(|(&d, c)| c.unwrap_or(d))
            .collect()
    }

    fn flush(&mut self) {
        for (d, c) in self.durable.iter_mut().zip(&mut self.cached) {
            if let Some(tag) = c.take() {
                *d = tag;
            }
        }
    }
}

fn medium_tags(dev: &CachedDevice<RamMedium>) -> Vec<u32> {
    let mut bytes = vec![0u8; BLOCKS as usize * BS];
    dev.medium().read_at(0, &mut bytes).expect("medium");
    tags(&bytes)
}

/// Applies `op` to both; checks the read and the durable layer. `destages` says whether
/// the cache bound is small enough for a cached write to make older data durable.
fn step(dev: &mut CachedDevice<RamMedium>, model: &mut Model, op: &Op, destages: bool) {
    let newest = model.view();
    let mut may_destage = false;
    let mut maybe_kept = false;
    match *op {
        Op::Write { lba, blocks, fua } => {
            let first = model.next_tag;
            model.next_tag += blocks as u32;
            let data: Vec<u8> = (0..blocks).flat_map(|k| block(first + k as u32)).collect();
            let outcome = dev.write(lba, &data, fua);
            if lba + blocks > BLOCKS {
                assert!(outcome.is_err(), "{op:?} is out of range");
                return;
            }
            outcome.expect("write in range");
            for k in 0..blocks {
                let (b, tag) = ((lba + k) as usize, first + k as u32);
                if fua || !model.write_cache {
                    model.durable[b] = tag;
                    model.cached[b] = None;
                } else {
                    model.cached[b] = Some(tag);
                }
            }
            may_destage = destages;
        }
        Op::Read { lba, blocks } => {
            let mut buf = vec![0u8; blocks as usize * BS];
            let outcome = dev.read(lba, &mut buf);
            if lba + blocks > BLOCKS {
                assert!(outcome.is_err(), "{op:?} is out of range");
                return;
            }
            outcome.expect("read in range");
            assert_eq!(tags(&buf), newest[lba as usize..(lba + blocks) as usize]);
        }
        Op::Flush => {
            dev.flush().expect("flush");
            model.flush();
        }
        Op::SetWriteCache(enabled) => {
            dev.set_write_cache(enabled).expect("set write cache");
            if !enabled {
                model.flush();
            }
            model.write_cache = enabled;
        }
        Op::Cut(policy) => {
            dev.power_cut(policy).expect("power cut");
            maybe_kept = policy != PowerCut::LoseAll;
            model.cached.iter_mut().for_each(|c| *c = None);
            model.write_cache = true;
        }
    }
    let on_medium = medium_tags(dev);
    for (b, &tag) in on_medium.iter().enumerate() {
        if may_destage || maybe_kept {
            let allowed = [model.durable[b], newest[b], model.view()[b]];
            assert!(
                allowed.contains(&tag),
                "block {b}: {tag} not in {allowed:?}"
            );
        } else {
            assert_eq!(tag, model.durable[b], "block {b} durable after {op:?}");
        }
    }
    model.durable = on_medium;
    assert_eq!(dev.write_cache_enabled(), model.write_cache);
    let mut all = vec![0u8; BLOCKS as usize * BS];
    dev.read(0, &mut all).expect("read all");
    assert_eq!(tags(&all), model.view(), "the host reads the newest data");
}

proptest! {
    #[test]
    fn the_device_agrees_with_the_reference_model(
        ops in proptest::collection::vec(op(), 1..60),
        small_bound in any::<bool>(),
    ) {
        let bound = if small_bound { 3 * BS + 200 } else { DEFAULT_CACHE_BYTES };
        let medium = RamMedium::new(BLOCKS * BS as u64);
        let mut dev = CachedDevice::new(medium, BS as u32)
            .expect("device")
            .with_cache_bound(bound);
        let mut model = Model {
            durable: vec![0; BLOCKS as usize],
            cached: vec![None; BLOCKS as usize],
            write_cache: true,
            next_tag: 1,
        };
        for op in &ops {
            step(&mut dev, &mut model, op, small_bound);
            prop_assert!(dev.cached_bytes() <= bound);
        }
    }

    #[test]
    fn arbitrary_requests_never_panic(
        lba in any::<u64>(),
        len in 0..4096usize,
        fua in any::<bool>(),
        block_size in 1..1024u32,
    ) {
        let medium = RamMedium::new(64 * 1024);
        let mut dev = CachedDevice::new(medium, block_size).expect("device");
        let data = vec![0xA5u8; len];
        let wrote = dev.write(lba, &data, fua);
        let mut back = vec![0u8; len];
        let read = dev.read(lba, &mut back);
        prop_assert_eq!(wrote.is_ok(), read.is_ok());
        if read.is_ok() {
            prop_assert_eq!(back, data);
        }
        dev.power_cut(PowerCut::Tear { seed: lba }).expect("cut");
    }
}

//! Flush, Read and Write against NVMe Base 2.0 7.1 and NVM Command Set 1.0, and the
//! durability the volatile write cache promises (Base 2.0 5.27.1.4).

use super::{controller, durable, ok, run, status};
use crate::nvme::Config;
use crate::store::PowerCut;
use cdb::nvme::features::SetFeatures;
use cdb::nvme::log_page::LogPage;
use cdb::nvme::nvm::{Flush, Read, Write, NSID_BROADCAST};
use cdb::nvme::{NvmeCommand, Queue};

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(7) ^ seed).collect()
}

#[test]
fn write_then_read_round_trips() {
    for bs in [512u32, 4096] {
        let mut ctrl = controller(bs, Config::default());
        let data = pattern(3 * bs as usize, 0x5a);
        ok(&mut ctrl, &Write::new(1, 10, &data, bs).unwrap());
        let (c, back) = run(&mut ctrl, &Read::new(1, 10, 3, bs).unwrap());
        assert!(c.status.is_success());
        assert_eq!(back, data);
        let (_, untouched) = run(&mut ctrl, &Read::new(1, 13, 1, bs).unwrap());
        assert!(
            untouched.iter().all(|&b| b == 0),
            "never-written blocks read zeros"
        );
        let (_, last) = run(&mut ctrl, &Read::new(1, 1023, 1, bs).unwrap());
        assert_eq!(last.len(), bs as usize, "the last LBA is readable");
    }
}

#[test]
fn cached_writes_become_durable_on_flush_and_fua() {
    let mut ctrl = controller(512, Config::default());
    let a = pattern(512, 1);
    ok(&mut ctrl, &Write::new(1, 0, &a, 512).unwrap());
    assert_ne!(durable(&ctrl, 0), &a[..], "write cache on: not yet durable");
    ok(&mut ctrl, &Flush::new(1).unwrap());
    assert_eq!(durable(&ctrl, 0), &a[..]);

    let b = pattern(512, 2);
    ok(
        &mut ctrl,
        &Write::new(1, 1, &b, 512).unwrap().with_flags(true, false),
    );
    assert_eq!(durable(&ctrl, 1), &b[..], "FUA: durable on completion");

    let c = pattern(512, 3);
    ok(&mut ctrl, &Write::new(1, 2, &c, 512).unwrap());
    ok(&mut ctrl, &Flush::new(NSID_BROADCAST).unwrap());
    assert_eq!(durable(&ctrl, 2), &c[..], "Flush of every namespace");

    ok(&mut ctrl, &SetFeatures::volatile_write_cache(false, false));
    let d = pattern(512, 4);
    ok(&mut ctrl, &Write::new(1, 3, &d, 512).unwrap());
    assert_eq!(durable(&ctrl, 3), &d[..], "no cache: durable on completion");
}

#[test]
fn flush_of_another_namespace_is_rejected() {
    let mut ctrl = controller(512, Config::default());
    let a = pattern(512, 1);
    ok(&mut ctrl, &Write::new(1, 0, &a, 512).unwrap());
    assert_eq!(status(&mut ctrl, &Flush::new(2).unwrap()), 0x400b);
    let mut zero = Flush::new(1).unwrap().entry();
    zero.nsid = 0u32.into();
    let c = ctrl.submit(Queue::Io, &zero, &[], &mut []);
    assert_eq!(c.status.to_field(), 0x400b);
    assert_ne!(durable(&ctrl, 0), a, "a rejected Flush flushes nothing");
}

#[test]
fn a_power_cut_keeps_exactly_what_was_made_durable() {
    let mut ctrl = controller(4096, Config::default());
    let flushed = pattern(4096, 1);
    let fua = pattern(4096, 2);
    let cached = pattern(4096, 3);
    ok(&mut ctrl, &Write::new(1, 0, &flushed, 4096).unwrap());
    ok(&mut ctrl, &Flush::new(1).unwrap());
    ok(
        &mut ctrl,
        &Write::new(1, 1, &fua, 4096)
            .unwrap()
            .with_flags(true, false),
    );
    ok(&mut ctrl, &Write::new(1, 2, &cached, 4096).unwrap());
    let (_, before) = run(&mut ctrl, &Read::new(1, 2, 1, 4096).unwrap());
    assert_eq!(before, cached, "reads see the cached data");
    ctrl.device_mut().power_cut(PowerCut::LoseAll).unwrap();
    ctrl.power_cycle().unwrap();
    let (_, after) = run(&mut ctrl, &Read::new(1, 0, 3, 4096).unwrap());
    assert_eq!(&after[..4096], &flushed[..]);
    assert_eq!(&after[4096..8192], &fua[..]);
    assert!(
        after[8192..].iter().all(|&b| b == 0),
        "the cached write is lost"
    );
    assert_eq!(ok(&mut ctrl, &LogPage::smart_health(0)).power_cycles, 2);
}

#[test]
fn lba_out_of_range_is_reported_with_the_lba() {
    let mut ctrl = controller(512, Config::default());
    assert_eq!(
        status(&mut ctrl, &Read::new(1, 1023, 2, 512).unwrap()),
        0x4080
    );
    let data = vec![0u8; 512];
    assert_eq!(
        status(&mut ctrl, &Write::new(1, 1024, &data, 512).unwrap()),
        0x4080
    );
    assert_eq!(
        status(&mut ctrl, &Read::new(1, u64::MAX, 1, 512).unwrap()),
        0x4080
    );
    let log = ok(&mut ctrl, &LogPage::error_information(1).unwrap());
    assert_eq!(log.entries[0].lba, u64::MAX);
    assert_eq!(log.entries[0].nsid, 1);
    assert_eq!(log.entries[0].submission_queue_id, 1);
}

#[test]
fn other_namespaces_are_invalid() {
    let mut ctrl = controller(512, Config::default());
    assert_eq!(status(&mut ctrl, &Read::new(2, 0, 1, 512).unwrap()), 0x400b);
    let mut broadcast = Read::new(1, 0, 1, 512).unwrap().entry();
    broadcast.nsid = NSID_BROADCAST.into();
    let c = ctrl.submit(Queue::Io, &broadcast, &[], &mut [0; 512]);
    assert_eq!(c.status.to_field(), 0x400b);
}

#[test]
fn a_buffer_shorter_than_the_transfer_is_rejected() {
    let mut ctrl = controller(512, Config::default());
    let data = vec![0xabu8; 1024];
    let write = Write::new(1, 0, &data, 512).unwrap().entry();
    let c = ctrl.submit(Queue::Io, &write, &data[..1000], &mut []);
    assert_eq!(c.status.name(), Some("Data SGL Length Invalid"));
    let read = Read::new(1, 0, 2, 512).unwrap().entry();
    let c = ctrl.submit(Queue::Io, &read, &[], &mut [0; 1023]);
    assert_eq!(c.status.to_field(), 0x400f);
    let (_, back) = run(&mut ctrl, &Read::new(1, 0, 2, 512).unwrap());
    assert!(
        back.iter().all(|&b| b == 0),
        "the rejected write stored nothing"
    );
}

#[test]
fn transfers_beyond_mdts_are_invalid_fields() {
    let config = Config {
        mdts: 1,
        ..Config::default()
    };
    let mut ctrl = controller(512, config);
    // MDTS 1: 2 pages of 4 KiB = 16 blocks of 512 bytes.
    let (c, _) = run(&mut ctrl, &Read::new(1, 0, 16, 512).unwrap());
    assert!(c.status.is_success());
    assert_eq!(
        status(&mut ctrl, &Read::new(1, 0, 17, 512).unwrap()),
        0x4002
    );
}

#[test]
fn smart_counters_follow_host_io() {
    let mut ctrl = controller(512, Config::default());
    let smart = |ctrl: &mut _| ok(ctrl, &LogPage::smart_health(0));
    let one = vec![1u8; 512];
    ok(&mut ctrl, &Write::new(1, 0, &one, 512).unwrap());
    let log = smart(&mut ctrl);
    assert_eq!(
        log.data_units_written, 1,
        "thousands of 512-byte units, rounded up"
    );
    assert_eq!(log.host_write_commands, 1);
    assert_eq!((log.data_units_read, log.host_read_commands), (0, 0));
    // 999 more units: exactly 1000 units written, still 1 data unit.
    let many = vec![2u8; 999 * 512];
    ok(&mut ctrl, &Write::new(1, 1, &many, 512).unwrap());
    let log = smart(&mut ctrl);
    assert_eq!((log.data_units_written, log.host_write_commands), (1, 2));
    ok(&mut ctrl, &Write::new(1, 0, &one, 512).unwrap());
    assert_eq!(smart(&mut ctrl).data_units_written, 2);
    for _ in 0..3 {
        run(&mut ctrl, &Read::new(1, 0, 8, 512).unwrap());
    }
    let log = smart(&mut ctrl);
    assert_eq!((log.data_units_read, log.host_read_commands), (1, 3));
    // Failed commands are not counted.
    status(&mut ctrl, &Read::new(1, 5000, 1, 512).unwrap());
    assert_eq!(smart(&mut ctrl).host_read_commands, 3);
}

#[test]
fn four_k_blocks_count_eight_units_each() {
    let mut ctrl = controller(4096, Config::default());
    let data = vec![3u8; 125 * 4096];
    ok(&mut ctrl, &Write::new(1, 0, &data, 4096).unwrap());
    let log = ok(&mut ctrl, &LogPage::smart_health(1));
    assert_eq!(log.data_units_written, 1, "125 × 8 = 1000 units");
    assert_eq!(log.data_units_written_bytes(), 512_000);
}

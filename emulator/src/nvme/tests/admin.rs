//! Identify, Get Log Page and Get/Set Features against NVMe Base 2.0 5.15–5.17, 5.27.

use super::{controller, ok, run, status};
use crate::block::BlockDevice;
use crate::nvme::Config;
use cdb::nvme::features::{GetFeatures, Select, SetFeatures, VolatileWriteCache};
use cdb::nvme::identify::{IdentifyActiveNamespaces, IdentifyController, IdentifyNamespace};
use cdb::nvme::log_page::{GetLogPage, LogPage};
use cdb::nvme::nvm::Flush;
use cdb::nvme::{NvmeCommand, Queue, ResetKind, Status};

#[test]
fn identify_controller_reports_what_the_controller_does() {
    let mut ctrl = controller(512, Config::default());
    let id = ok(&mut ctrl, &IdentifyController::controller());
    assert_eq!((id.vid, id.ssvid), (0x1b36, 0x1af4));
    assert_eq!(id.sn, "SIM0001");
    assert_eq!(id.mn, "scsitool emulated NVMe");
    assert_eq!(id.fr, "1.0");
    assert_eq!(id.ver, 0x0002_0000, "VER 2.0.0");
    assert_eq!(id.mdts, 8);
    assert_eq!(id.cntrltype, 1, "I/O controller");
    assert!(id.oacs.firmware_download_commit);
    assert!(!id.oacs.format_nvm && !id.oacs.namespace_management);
    assert_eq!(id.frmw.slots, 3);
    assert!(!id.frmw.first_slot_read_only);
    assert!(id.frmw.activation_without_reset);
    assert_eq!(id.firmware_chunk_bytes(), 4096, "FWUG 01h = 4 KiB");
    assert_eq!(id.vwc & 1, 1, "volatile write cache present");
    assert_eq!((id.vwc >> 1) & 3, 3, "Flush with NSID FFFFFFFFh supported");
    assert_eq!(id.nn, 1);
    assert_eq!((id.sqes, id.cqes), (0x66, 0x44));
    assert_eq!(id.oncs & (1 << 4), 1 << 4, "Get Features SEL supported");
    assert_eq!(id.lpa & 0b101, 0b101, "SMART per namespace, LPO supported");
    assert!(id.wctemp > 273 && id.wctemp < id.cctemp);
    assert_eq!(id.elpe, 15);
    assert_eq!((id.npss, id.psd.len()), (0, 1));
    assert!(id
        .subnqn
        .starts_with("nqn.2014-08.org.nvmexpress:1b361af4SIM0001"));
    assert_eq!(id.tnvmcap, 512 * 1024);
}

#[test]
fn identify_namespace_describes_the_block_device() {
    for bs in [512, 4096] {
        let mut ctrl = controller(bs, Config::default());
        let ns = ok(&mut ctrl, &IdentifyNamespace::new(1).unwrap());
        assert_eq!((ns.nsze, ns.ncap, ns.nuse), (1024, 1024, 1024));
        assert_eq!(ns.lba_data_size(), Some(u64::from(bs)));
        assert_eq!(ns.lba_format_in_use().map(|f| f.ms), Some(0), "no metadata");
        assert_eq!(ns.nvmcap, u128::from(bs) * 1024);
        assert_eq!(ns.nsfeat & 1, 0, "not thin provisioned");
    }
}

#[test]
fn identify_rejects_what_does_not_exist() {
    let mut ctrl = controller(512, Config::default());
    assert_eq!(
        status(&mut ctrl, &IdentifyNamespace::new(2).unwrap()),
        0x400b
    );
    assert_eq!(
        status(&mut ctrl, &IdentifyNamespace::new(0xffff_ffff).unwrap()),
        0x400b,
        "no namespace management: no common namespace capabilities"
    );
    let mut zero = IdentifyNamespace::new(1).unwrap().entry();
    zero.nsid = 0u32.into();
    let mut unknown_cns = IdentifyController::controller().entry();
    unknown_cns.cdw10 = 0x10u32.into();
    let mut list_end = IdentifyActiveNamespaces::new(0).unwrap().entry();
    list_end.nsid = 0xffff_fffeu32.into();
    for (sqe, field) in [(zero, 0x400b), (unknown_cns, 0x4002), (list_end, 0x400b)] {
        let c = ctrl.submit(Queue::Admin, &sqe, &[], &mut [0; 4096]);
        assert_eq!(c.status.to_field(), field);
    }
}

#[test]
fn active_namespace_list_holds_nsid_1() {
    let mut ctrl = controller(512, Config::default());
    let list = ok(&mut ctrl, &IdentifyActiveNamespaces::new(0).unwrap());
    assert_eq!(list.nsids, vec![1]);
    let after = ok(&mut ctrl, &IdentifyActiveNamespaces::new(1).unwrap());
    assert!(
        after.nsids.is_empty(),
        "only NSIDs greater than the one given"
    );
}

#[test]
fn data_in_is_bounded_by_the_host_buffer() {
    let mut ctrl = controller(512, Config::default());
    let sqe = IdentifyController::controller().entry();
    let mut short = [0u8; 30];
    let c = ctrl.submit(Queue::Admin, &sqe, &[], &mut short);
    assert!(c.status.is_success());
    assert_eq!(&short[4..11], b"SIM0001");
}

#[test]
fn unsupported_opcodes_are_invalid_opcode_with_dnr() {
    let mut ctrl = controller(512, Config::default());
    // Opcode 00h on the admin queue is Delete I/O Submission Queue; Identify (06h) is not
    // an NVM command set I/O command.
    let cases = [
        (Queue::Admin, Flush::new(1).unwrap().entry()),
        (Queue::Io, IdentifyController::controller().entry()),
    ];
    for (queue, sqe) in cases {
        let c = ctrl.submit(queue, &sqe, &[], &mut []);
        assert_eq!(c.status.to_field(), 0x4001, "as QEMU answers");
        assert_eq!(c.status.name(), Some("Invalid Command Opcode"));
    }
}

#[test]
fn fused_commands_and_sgls_are_invalid_fields() {
    let mut ctrl = controller(512, Config::default());
    for (fuse, psdt) in [(1, 0), (0, 1)] {
        let mut sqe = IdentifyController::controller().entry();
        sqe.set_fuse_psdt(fuse, psdt).unwrap();
        let c = ctrl.submit(Queue::Admin, &sqe, &[], &mut [0; 4096]);
        assert_eq!(c.status.to_field(), 0x4002);
    }
}

#[test]
fn smart_log_reports_a_healthy_new_controller() {
    let mut ctrl = controller(512, Config::default());
    for nsid in [0, 1, 0xffff_ffff] {
        let log = ok(&mut ctrl, &LogPage::smart_health(nsid));
        assert_eq!(log.critical_warning.raw, 0);
        assert_eq!(log.composite_temperature_celsius(), 40);
        assert_eq!(log.temperature_sensors[0], Some(313));
        assert_eq!(
            (log.available_spare, log.available_spare_threshold),
            (100, 10)
        );
        assert_eq!(log.power_cycles, 1);
        assert_eq!(log.data_units_written, 0);
    }
    assert_eq!(status(&mut ctrl, &LogPage::smart_health(2)), 0x400b);
    ctrl.power_cycle().unwrap();
    assert_eq!(ok(&mut ctrl, &LogPage::smart_health(0)).power_cycles, 2);
}

#[test]
fn hot_controller_warns() {
    let config = Config {
        temperature_kelvin: 350,
        ..Config::default()
    };
    let mut ctrl = controller(512, config);
    let log = ok(&mut ctrl, &LogPage::smart_health(0));
    assert!(log.critical_warning.temperature, "at or above WCTEMP");
}

#[test]
fn log_page_offset_and_length_are_honoured() {
    let mut ctrl = controller(512, Config::default());
    // FRS1 is bytes 15:8 of the Firmware Slot Information log.
    let frs1 = GetLogPage::new(0x03, 0, 8, 8).unwrap();
    let (c, data) = run(&mut ctrl, &frs1);
    assert!(c.status.is_success());
    assert_eq!(data, b"1.0     ");
    // The first dword of the SMART log: critical warning, temperature, available spare.
    let (_, head) = run(&mut ctrl, &GetLogPage::new(0x02, 0, 4, 0).unwrap());
    assert_eq!(head, [0, 0x39, 0x01, 100]);
    // Past the page's end: Invalid Field in Command.
    assert_eq!(
        status(&mut ctrl, &GetLogPage::new(0x02, 0, 4, 512).unwrap()),
        0x4002
    );
    // A request longer than the page reads zeros past its end.
    let (c, long) = run(&mut ctrl, &GetLogPage::new(0x03, 0, 1024, 0).unwrap());
    assert!(c.status.is_success());
    assert_eq!(long.len(), 1024);
    assert!(long[512..].iter().all(|&b| b == 0));
    // The upper LPO dword is parsed, not truncated.
    let (c, _) = run(&mut ctrl, &GetLogPage::new(0x02, 0, 4, 1 << 32).unwrap());
    assert_eq!(c.status.to_field(), 0x4002);
}

#[test]
fn unknown_log_pages_are_invalid_log_page() {
    let mut ctrl = controller(512, Config::default());
    for lid in [0x00, 0x04, 0x05, 0x7f, 0xc0] {
        let field = status(&mut ctrl, &GetLogPage::new(lid, 0, 512, 0).unwrap());
        let s = Status::from_field(field);
        assert_eq!((s.sct, s.sc, s.dnr), (1, 0x09, true), "LID {lid:02x}h");
        assert_eq!(s.name(), Some("Invalid Log Page"));
    }
}

#[test]
fn error_log_records_failed_commands_newest_first() {
    let mut ctrl = controller(512, Config::default());
    assert_eq!(
        status(&mut ctrl, &IdentifyNamespace::new(5).unwrap()),
        0x400b
    );
    assert_eq!(
        status(&mut ctrl, &GetLogPage::new(0x55, 0, 4, 0).unwrap()),
        0x4109
    );
    let log = ok(&mut ctrl, &LogPage::error_information(16).unwrap());
    assert_eq!(log.entries.len(), 16);
    let valid: Vec<_> = log.entries.iter().filter(|e| e.is_valid()).collect();
    assert_eq!(valid.len(), 2);
    assert_eq!(valid[0].error_count, 2);
    assert_eq!(valid[0].status.to_field(), 0x4109);
    assert_eq!(
        (valid[0].submission_queue_id, valid[0].command_id),
        (0, 0x1234)
    );
    assert_eq!((valid[1].error_count, valid[1].nsid), (1, 5));
    assert_eq!(valid[1].status.to_field(), 0x400b);
    let smart = ok(&mut ctrl, &LogPage::smart_health(0));
    assert_eq!(smart.number_of_error_information_log_entries, 2);
    // The log keeps the newest ELPE + 1 entries.
    for _ in 0..20 {
        status(&mut ctrl, &IdentifyNamespace::new(5).unwrap());
    }
    let log = ok(&mut ctrl, &LogPage::error_information(16).unwrap());
    assert!(log.entries.iter().all(|e| e.is_valid()));
    assert_eq!(log.entries[0].error_count, 22);
    assert_eq!(log.entries[15].error_count, 7);
}

fn wce(ctrl: &mut super::Controller<super::Disk>, sel: Select) -> u32 {
    ok(ctrl, &GetFeatures::volatile_write_cache(sel))
}

#[test]
fn volatile_write_cache_feature_toggles_the_device_cache() {
    let mut ctrl = controller(512, Config::default());
    assert!(VolatileWriteCache::from_dw0(wce(&mut ctrl, Select::Current)).wce);
    assert!(ctrl.device().write_cache_enabled());
    ok(&mut ctrl, &SetFeatures::volatile_write_cache(false, false));
    assert_eq!(wce(&mut ctrl, Select::Current), 0);
    assert!(!ctrl.device().write_cache_enabled());
    assert_eq!(wce(&mut ctrl, Select::Default), 1);
    assert_eq!(
        wce(&mut ctrl, Select::Saved),
        1,
        "not saveable: saved is the default"
    );
    assert_eq!(
        wce(&mut ctrl, Select::SupportedCapabilities),
        0b100,
        "changeable, not namespace specific, not saveable"
    );
    ok(&mut ctrl, &SetFeatures::volatile_write_cache(true, false));
    assert_eq!(wce(&mut ctrl, Select::Current), 1);
    ok(&mut ctrl, &SetFeatures::volatile_write_cache(false, false));
    ctrl.reset(ResetKind::ControllerLevel).unwrap();
    assert_eq!(
        wce(&mut ctrl, Select::Current),
        1,
        "reset restores the default"
    );
}

#[test]
fn write_cache_feature_rejections() {
    let mut ctrl = controller(512, Config::default());
    let saved = status(&mut ctrl, &SetFeatures::volatile_write_cache(false, true));
    assert_eq!(
        Status::from_field(saved).name(),
        Some("Feature Identifier Not Saveable")
    );
    assert_eq!(
        wce(&mut ctrl, Select::Current),
        1,
        "a rejected Set Features changes nothing"
    );
    let mut per_ns = SetFeatures::volatile_write_cache(false, false);
    per_ns.nsid = 1;
    assert_eq!(status(&mut ctrl, &per_ns), 0x410f);
    per_ns.nsid = 9;
    assert_eq!(status(&mut ctrl, &per_ns), 0x400b);
    let mut other = GetFeatures::volatile_write_cache(Select::Current);
    other.fid = 0x07;
    assert_eq!(status(&mut ctrl, &other), 0x4002);
    let mut reserved_sel = GetFeatures::volatile_write_cache(Select::Current).entry();
    reserved_sel.cdw10 = (0x06u32 | (5 << 8)).into();
    let c = ctrl.submit(Queue::Admin, &reserved_sel, &[], &mut []);
    assert_eq!(c.status.to_field(), 0x4002);
}

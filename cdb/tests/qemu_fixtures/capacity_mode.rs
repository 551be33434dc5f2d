//! READ CAPACITY (10)/(16) (SBC-4 5.20, 5.21), MODE SENSE (6)/(10) with the caching page
//! (SPC-5 6.13, 6.14, SBC-4 6.5.5), the WCE change built from them, and REPORT LUNS
//! (SPC-5 6.33) of the four QEMU disks.

use super::{Disk, CAPACITY, DISKS};
use cdb::command::ScsiCommand;
use cdb::scsi::sbc::read_capacity::{ReadCapacity10, ReadCapacity16};
use cdb::scsi::spc::mode::{
    set_wce, BlockDescriptor, CachingPage, DecodedModePage, ModeForm, ModeParameters, Six, Ten,
};
use cdb::scsi::spc::report_luns::{LunAddress, LunList};

#[test]
fn read_capacity_10() {
    for disk in &DISKS {
        let d = ReadCapacity10.decode(&disk.capture("readcap10")).unwrap();
        assert_eq!(
            u64::from(d.returned_logical_block_address),
            disk.blocks() - 1,
            "{}",
            disk.label
        );
        assert_eq!(d.logical_block_length, disk.block_length);
        assert!(!d.use_read_capacity_16);
        assert_eq!(d.capacity_bytes, Some(CAPACITY));
    }
}

#[test]
fn read_capacity_16() {
    for disk in &DISKS {
        let d = ReadCapacity16::default()
            .decode(&disk.capture("readcap16"))
            .unwrap();
        assert_eq!(d.returned_logical_block_address, disk.blocks() - 1);
        assert_eq!(d.logical_block_length, disk.block_length);
        assert_eq!(d.capacity_bytes, Some(CAPACITY));
        let x = d.details.expect("32 bytes returned");
        // Logical = physical block size on every disk; no protection information;
        // scsi-disk.c sets LBPME (byte 14 bit 7) because discard is supported, never LBPRZ.
        assert_eq!(x.logical_blocks_per_physical_block_exponent, 0);
        assert_eq!(x.physical_block_length, Some(u64::from(disk.block_length)));
        assert!(!x.prot_en);
        assert_eq!((x.p_type, x.p_i_exponent, x.protection.code), (0, 0, 0));
        assert!(x.lbpme, "{}", disk.label);
        assert!(!x.lbprz);
        assert_eq!(x.lowest_aligned_logical_block_address, 0);
        // RC BASIS 0: QEMU 7.2 leaves byte 12 zero.
        assert_eq!(x.rc_basis, 0);
    }
}

fn mode<F: ModeForm>(disk: &Disk, what: &str) -> (Vec<u8>, ModeParameters) {
    let bytes = disk.capture(what);
    let m = ModeParameters::decode::<F>(&bytes).unwrap();
    assert!(!m.truncated, "{} {what}", disk.label);
    // MODE DATA LENGTH counts the bytes after itself: the whole capture.
    assert_eq!(
        usize::from(m.header.mode_data_length) + F::LENGTH_WIDTH,
        bytes.len()
    );
    // scsi-hd defaults: MEDIUM TYPE 0, writable, dpofua off; one short block descriptor
    // of the whole disk (MODE SENSE (6) and (10) with DBD = 0, LLBAA = 0).
    assert_eq!(m.header.medium_type, 0);
    assert_eq!(m.header.device_specific_parameter, 0);
    assert!(!m.header.wp && !m.header.dpofua && !m.header.longlba);
    assert_eq!(m.header.block_descriptor_length, 8);
    assert_eq!(
        m.block_descriptors,
        vec![BlockDescriptor::Short {
            number_of_logical_blocks: disk.blocks() as u32,
            logical_block_length: disk.block_length,
        }],
        "{} {what}",
        disk.label
    );
    (bytes, m)
}

fn caching(m: &ModeParameters) -> &CachingPage {
    let page = m.page(0x08, 0).expect("caching page");
    assert!(!page.spf);
    assert_eq!(page.page_length, 0x12);
    match &page.decoded {
        Some(DecodedModePage::Caching(c)) => c,
        other => panic!("caching page decoded as {other:?}"),
    }
}

/// The caching page with only WCE set: QEMU's current values (write cache on by
/// default) and its changeable mask (scsi-disk.c: "only WCE is changeable").
fn only_wce() -> CachingPage {
    CachingPage {
        ic: false,
        abpf: false,
        cap: false,
        disc: false,
        size: false,
        wce: true,
        mf: false,
        rcd: false,
        demand_read_retention_priority: 0,
        write_retention_priority: 0,
        disable_pre_fetch_transfer_length: 0,
        minimum_pre_fetch: 0,
        maximum_pre_fetch: 0,
        maximum_pre_fetch_ceiling: 0,
        fsw: false,
        lbcss: false,
        dra: false,
        nv_dis: false,
        number_of_cache_segments: 0,
        cache_segment_size: 0,
    }
}

#[test]
fn caching_page_current_and_changeable() {
    for disk in &DISKS {
        for (form, m) in [
            ("10 current", mode::<Ten>(disk, "mode10-08-current").1),
            ("6 current", mode::<Six>(disk, "mode6-08-current").1),
            ("10 changeable", mode::<Ten>(disk, "mode10-08-changeable").1),
        ] {
            assert_eq!(m.pages.len(), 1, "{} {form}", disk.label);
            assert!(!m.pages[0].ps, "scsi-hd saves no pages");
            assert_eq!(caching(&m), &only_wce(), "{} {form}", disk.label);
        }
    }
}

#[test]
fn all_pages() {
    for disk in &DISKS {
        let (_, m) = mode::<Ten>(disk, "mode10-3f-current");
        // scsi-disk.c walks the page codes in order; for a disk it has read-write error
        // recovery, rigid disk geometry, flexible disk geometry and caching.
        let codes: Vec<(u8, u8)> = m
            .pages
            .iter()
            .map(|p| (p.page_code, p.subpage_code))
            .collect();
        assert_eq!(codes, [(0x01, 0), (0x04, 0), (0x05, 0), (0x08, 0)]);
        let lengths: Vec<u16> = m.pages.iter().map(|p| p.page_length).collect();
        assert_eq!(lengths, [0x0a, 0x16, 0x1e, 0x12]);
        assert!(m
            .pages
            .iter()
            .all(|p| !p.spf && usize::from(p.page_length) == p.data.len()));
        assert_eq!(caching(&m), &only_wce());
        assert!(m
            .pages
            .iter()
            .filter(|p| p.page_code != 0x08)
            .all(|p| p.decoded.is_none()));
    }
}

/// The WCE change from real captures: the list sent is the current MODE SENSE data with
/// MODE DATA LENGTH zeroed and WCE (caching page byte 2 bit 2) set to `wce` — nothing
/// else differs, since QEMU reports a zero DEVICE-SPECIFIC PARAMETER and PS = 0.
fn check_set_wce<F: ModeForm>(disk: &Disk, current_capture: &str, wce: bool) {
    let (bytes, current) = mode::<F>(disk, current_capture);
    let (_, changeable) = mode::<Ten>(disk, "mode10-08-changeable");
    let cmd = set_wce::<F>(&current, &changeable, wce).unwrap();
    let layout = cmd.cdb_layout();
    assert!(layout.pf && !layout.sp);
    let list = cmd.parameter_list();
    assert_eq!(usize::from(layout.parameter_list_length()), list.len());
    let mut expected = bytes.clone();
    expected[..F::LENGTH_WIDTH].fill(0);
    let wce_at = F::HEADER_LEN + 8 + 2;
    assert_eq!(expected[wce_at - 2], 0x08, "caching page header");
    expected[wce_at] = if wce { 0x04 } else { 0x00 };
    assert_eq!(
        list,
        &expected[..],
        "{} {current_capture} wce={wce}",
        disk.label
    );
    let sent = ModeParameters::decode_parameter_list::<F>(list).unwrap();
    assert_eq!(sent.block_descriptors, current.block_descriptors);
    assert_eq!(caching(&sent).wce, wce);
}

#[test]
fn set_wce_toggles_only_wce() {
    for disk in &DISKS {
        for wce in [false, true] {
            check_set_wce::<Ten>(disk, "mode10-08-current", wce);
            check_set_wce::<Six>(disk, "mode6-08-current", wce);
        }
    }
}

#[test]
fn set_wce_from_all_pages_sends_only_the_caching_page() {
    for disk in &DISKS {
        let (_, all) = mode::<Ten>(disk, "mode10-3f-current");
        let (_, changeable) = mode::<Ten>(disk, "mode10-08-changeable");
        let (only_caching, _) = mode::<Ten>(disk, "mode10-08-current");
        let cmd = set_wce::<Ten>(&all, &changeable, false).unwrap();
        let sent = ModeParameters::decode_parameter_list::<Ten>(cmd.parameter_list()).unwrap();
        assert_eq!(sent.pages.len(), 1);
        assert_eq!(sent.pages[0].page_code, 0x08);
        assert!(!caching(&sent).wce);
        // Same list as from the page 08h capture.
        let mut expected = only_caching;
        expected[..2].fill(0);
        expected[8 + 8 + 2] = 0;
        assert_eq!(cmd.parameter_list(), &expected[..]);
    }
}

#[test]
fn report_luns_single_lun_0() {
    for disk in &DISKS {
        let l = LunList::decode(&disk.capture("luns")).unwrap();
        assert_eq!(l.lun_list_length, 8, "{}", disk.label);
        assert!(!l.truncated);
        assert_eq!(l.luns.len(), 1);
        let lun = &l.luns[0];
        assert_eq!(lun.bytes, [0; 8]);
        assert_eq!(lun.linux_lun, 0);
        assert_eq!(
            lun.levels,
            vec![LunAddress::PeripheralDevice {
                bus_identifier: 0,
                target_or_lun: 0
            }]
        );
    }
}

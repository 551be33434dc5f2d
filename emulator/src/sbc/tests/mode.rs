//! MODE SENSE / MODE SELECT (SPC-5 6.11–6.14) with the caching (SBC-4 6.5.5) and control
//! (SPC-5 7.5.10) pages.

use super::{assert_field, assert_sense, Harness};
use cdb::scsi::sbc::read_write::{RwOptions, Write10};
use cdb::scsi::spc::mode::page::DecodedModePage;
use cdb::scsi::spc::mode::sense::ALL_PAGES;
use cdb::scsi::spc::mode::{
    set_wce, BlockDescriptor, ModeForm, ModeParameters, ModeSelect, ModeSense, ModeSense10,
    ModeSense6, PageControl, Six, Ten,
};
use cdb::scsi::spc::request_sense::RequestSense;
use cdb::sense::Format;

fn sense_page<F: ModeForm>(h: &mut Harness, pc: PageControl, page: u8) -> ModeParameters {
    let max = F::max_length().min(512) as u16;
    h.good(&ModeSense::<F>::new(pc, page, 0, max).unwrap())
}

fn wce(params: &ModeParameters) -> bool {
    match &params.page(0x08, 0).unwrap().decoded {
        Some(DecodedModePage::Caching(c)) => c.wce,
        other => panic!("caching page: {other:?}"),
    }
}

fn toggle_wce<F: ModeForm>(h: &mut Harness, on: bool) {
    let current = sense_page::<F>(h, PageControl::Current, 0x08);
    let changeable = sense_page::<F>(h, PageControl::Changeable, 0x08);
    h.good(&set_wce::<F>(&current, &changeable, on).unwrap());
}

#[test]
fn caching_page_shows_only_wce_changeable() {
    let mut h = Harness::ready();
    let mask = sense_page::<Ten>(&mut h, PageControl::Changeable, 0x08);
    let page = mask.page(0x08, 0).unwrap();
    assert_eq!(page.page_length, 0x12);
    assert!(!page.ps);
    assert_eq!(page.data[0], 0x04, "only WCE in byte 2");
    assert!(page.data[1..].iter().all(|&b| b == 0));
}

#[test]
fn wce_follows_mode_select_in_both_forms() {
    let mut h = Harness::ready();
    assert!(wce(&sense_page::<Six>(&mut h, PageControl::Current, 0x08)));
    h.good(&Write10::new(0, &[1; 512], 512, RwOptions::default()).unwrap());
    toggle_wce::<Ten>(&mut h, false);
    // SBC-4 4.15: disabling the cache leaves nothing only in the cache.
    assert!(!h.media.wce());
    assert!(!h.media.cached());
    assert_eq!(h.media.durable(0), vec![1; 512]);
    assert!(!wce(&sense_page::<Ten>(&mut h, PageControl::Current, 0x08)));
    // With WCE = 0 every write is durable when it completes.
    h.good(&Write10::new(1, &[2; 512], 512, RwOptions::default()).unwrap());
    assert_eq!(h.media.durable(1), vec![2; 512]);
    toggle_wce::<Six>(&mut h, true);
    assert!(h.media.wce());
    assert!(wce(&sense_page::<Six>(&mut h, PageControl::Current, 0x08)));
    // Default values stay what the unit powered on with.
    assert!(wce(&sense_page::<Ten>(&mut h, PageControl::Default, 0x08)));
}

#[test]
fn all_pages_and_block_descriptors() {
    let mut h = Harness::ready();
    let all = sense_page::<Ten>(&mut h, PageControl::Current, ALL_PAGES);
    assert!(!all.truncated);
    let codes: Vec<u8> = all.pages.iter().map(|p| p.page_code).collect();
    assert_eq!(codes, [0x08, 0x0a]);
    assert!(all.header.dpofua && !all.header.wp);
    assert_eq!(
        all.block_descriptors,
        [BlockDescriptor::Short {
            number_of_logical_blocks: 2048,
            logical_block_length: 512
        }]
    );
    let long = ModeSense10::new(PageControl::Current, 0x0a, 0, 512)
        .unwrap()
        .with_llbaa(true)
        .unwrap();
    let long = h.good(&long);
    assert!(long.header.longlba);
    assert_eq!(
        long.block_descriptors,
        [BlockDescriptor::Long {
            number_of_logical_blocks: 2048,
            logical_block_length: 512
        }]
    );
    let dbd = ModeSense6::new(PageControl::Current, 0x08, 0, 255)
        .unwrap()
        .with_dbd(true);
    assert!(h.good(&dbd).block_descriptors.is_empty());
}

#[test]
fn short_allocation_keeps_the_full_mode_data_length() {
    let mut h = Harness::ready();
    let full = sense_page::<Six>(&mut h, PageControl::Current, ALL_PAGES);
    let cut = h.good(&ModeSense6::new(PageControl::Current, ALL_PAGES, 0, 20).unwrap());
    assert!(cut.truncated);
    assert_eq!(cut.header.mode_data_length, full.header.mode_data_length);
}

#[test]
fn saved_values_are_not_supported() {
    let mut h = Harness::ready();
    let sense = h.check(&ModeSense10::new(PageControl::Saved, 0x08, 0, 64).unwrap());
    assert_sense(&sense, 0x05, 0x39, 0x00);
}

#[test]
fn unsupported_page_and_subpage_point_at_their_fields() {
    let mut h = Harness::ready();
    let sense = h.check(&ModeSense6::new(PageControl::Current, 0x1c, 0, 64).unwrap());
    assert_field(&sense, 0x24, true, 2, 5);
    let sense = h.check(&ModeSense10::new(PageControl::Current, 0x0a, 0x01, 64).unwrap());
    assert_field(&sense, 0x24, true, 3, 7);
}

#[test]
fn save_pages_and_pf_zero_are_invalid_fields() {
    let mut h = Harness::ready();
    let current = sense_page::<Six>(&mut h, PageControl::Current, 0x08);
    let list = current.to_parameter_list::<Six>().unwrap();
    let sense = h.check(&ModeSelect::<Six>::new(true, true, list.clone()).unwrap());
    assert_field(&sense, 0x24, true, 1, 0);
    let sense = h.check(&ModeSelect::<Six>::new(false, false, list).unwrap());
    assert_field(&sense, 0x24, true, 1, 4);
}

#[test]
fn changing_an_unchangeable_bit_points_into_the_parameter_list() {
    let mut h = Harness::ready();
    let mut current = sense_page::<Ten>(&mut h, PageControl::Current, 0x08);
    current.header.device_specific_parameter = 0;
    // RCD (caching page byte 2 bit 0) is not changeable.
    current.pages[0].data[0] |= 0x01;
    let list = current.to_parameter_list::<Ten>().unwrap();
    let sense = h.check(&ModeSelect::<Ten>::new(true, false, list).unwrap());
    // Header 8 + block descriptor 8 + page byte 2.
    assert_field(&sense, 0x26, false, 18, 0);
    // Nothing changed.
    assert!(h.media.wce());
}

#[test]
fn wrong_block_length_and_page_length_are_rejected() {
    let mut h = Harness::ready();
    let current = sense_page::<Six>(&mut h, PageControl::Current, 0x08);
    let mut bad_block = current.clone();
    bad_block.block_descriptors = vec![BlockDescriptor::Short {
        number_of_logical_blocks: 0,
        logical_block_length: 4096,
    }];
    let list = bad_block.to_parameter_list::<Six>().unwrap();
    let sense = h.check(&ModeSelect::<Six>::new(true, false, list).unwrap());
    assert_field(&sense, 0x26, false, 4 + 5, 7);
    let mut bad_length = current.to_parameter_list::<Six>().unwrap();
    bad_length.truncate(bad_length.len() - 2);
    bad_length[13] = 0x10;
    let sense = h.check(&ModeSelect::<Six>::new(true, false, bad_length).unwrap());
    assert_field(&sense, 0x26, false, 13, 7);
}

#[test]
fn truncated_parameter_lists_are_length_errors() {
    let mut h = Harness::ready();
    let sense = h.check(&ModeSelect::<Ten>::new(true, false, vec![0; 5]).unwrap());
    assert_sense(&sense, 0x05, 0x1a, 0x00);
    let current = sense_page::<Six>(&mut h, PageControl::Current, 0x08);
    let mut list = current.to_parameter_list::<Six>().unwrap();
    list.truncate(list.len() - 1);
    let sense = h.check(&ModeSelect::<Six>::new(true, false, list).unwrap());
    assert_sense(&sense, 0x05, 0x1a, 0x00);
    // PARAMETER LIST LENGTH 0 is not an error (SPC-5 6.11).
    h.good(&ModeSelect::<Six>::new(true, false, Vec::new()).unwrap());
}

#[test]
fn d_sense_switches_to_descriptor_format() {
    let mut h = Harness::ready();
    let mut control = sense_page::<Ten>(&mut h, PageControl::Current, 0x0a);
    let mask = sense_page::<Ten>(&mut h, PageControl::Changeable, 0x0a);
    assert_eq!(mask.page(0x0a, 0).unwrap().data[0], 0x04, "only D_SENSE");
    control.header.device_specific_parameter = 0;
    control.pages[0].data[0] |= 0x04;
    h.good(
        &ModeSelect::<Ten>::new(true, false, control.to_parameter_list::<Ten>().unwrap()).unwrap(),
    );
    let sense = h.check(&ModeSense6::new(PageControl::Current, 0x1c, 0, 64).unwrap());
    assert_eq!(sense.response_code.format, Format::Descriptor);
    assert_field(&sense, 0x24, true, 2, 5);
    // REQUEST SENSE follows its own DESC bit (SPC-5 6.39).
    let polled = h.good(&RequestSense::new(false, 252));
    assert_eq!(polled.response_code.format, Format::Fixed);
}

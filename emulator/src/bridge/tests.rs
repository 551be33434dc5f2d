//! The bridges driven as a host drives them: typed SCSI commands from `cdb`, answers decoded
//! with `cdb`'s decoders and checked against SPC-5, SBC-4, SAT-5, NVMe Base 2.0 and the
//! tunnel layouts (smartmontools' SCSI-to-NVMe tunnels, facts only). The tunnel CDBs are
//! built here from those layouts by small helpers.

use super::*;
use crate::image;
use crate::sim::{SimBlocks, SimDevice};
use crate::testing::{self, sense_code, Code};
use crate::uri::SimSpec;
use cdb::command::{CdbLayout, ScsiCommand};
use cdb::nvme::features::{GetFeatures, Select};
use cdb::nvme::firmware::{CommitAction, FirmwareCommit, FirmwareImageDownload};
use cdb::nvme::log_page::LogPage;
use cdb::nvme::Status as NvmeStatus;
use cdb::scsi::sbc::lba_cdb::{Sixteen, Ten};
use cdb::scsi::sbc::read_capacity::{
    ReadCapacity10, ReadCapacity10Data, ReadCapacity16, ReadCapacity16Data,
};
use cdb::scsi::sbc::read_write::{Read, RwOptions, Write};
use cdb::scsi::sbc::start_stop_unit::StartStopUnit;
use cdb::scsi::sbc::synchronize_cache::SynchronizeCache;
use cdb::scsi::spc::buffer::WriteBuffer;
use cdb::scsi::spc::inquiry::{Inquiry, InquiryData};
use cdb::scsi::spc::mode::caching::CachingPage;
use cdb::scsi::spc::mode::wce::set_wce;
use cdb::scsi::spc::mode::{ModeParameters, ModeSense, PageControl, Ten as ModeTen};
use cdb::scsi::spc::report_luns::ReportLuns;
use cdb::scsi::spc::request_sense::RequestSense;
use cdb::scsi::spc::test_unit_ready::TestUnitReady;
use cdb::scsi::spc::vpd::VpdPage;
use cdb::scsi::status::Status;
use cdb::sense::sks::SenseKeySpecific;
use cdb::sense::{key, SenseData};
use cdb::tunnel::asmedia::AsmediaPassThrough;
use cdb::tunnel::jmicron::{CommandBlock, JmicronTunnel, Protocol, TunnelCdb};
use cdb::tunnel::realtek::RealtekPassThrough;
use proptest::prelude::*;
use zerocopy::IntoBytes;

type Sim = Bridge<SimBlocks>;

const RESET: Code = (key::UNIT_ATTENTION, 0x29, 0x00);
const INVALID_OPCODE: Code = (key::ILLEGAL_REQUEST, 0x20, 0x00);
const INVALID_FIELD: Code = (key::ILLEGAL_REQUEST, 0x24, 0x00);

fn bridge(uri: &str) -> Box<Sim> {
    match SimSpec::parse(uri).unwrap().build().unwrap() {
        SimDevice::Bridge(bridge) => bridge,
        _ => panic!("{uri} did not build a bridge"),
    }
}

/// A bridge past its power-on unit attention.
fn ready(uri: &str) -> Box<Sim> {
    let mut b = bridge(uri);
    assert_eq!(
        sense_code(&b.execute(0, &[0; 6], &[], &mut [])),
        Some(RESET)
    );
    b
}

/// The FIELD POINTER of a CHECK CONDITION: C/D and the byte.
fn field_pointer(done: &Completion) -> Option<(bool, u16)> {
    let sense = SenseData::decode(&done.sense).ok()?;
    match sense.sense_key_specific()? {
        SenseKeySpecific::FieldPointer {
            command,
            field_pointer,
            ..
        } => Some((*command, *field_pointer)),
        _ => None,
    }
}

/// Sends a raw CDB with data-out `out` and `in_len` bytes of data-in.
fn raw(b: &mut Sim, cdb: &[u8], out: &[u8], in_len: usize) -> (Completion, Vec<u8>) {
    testing::send_raw(b, 0, cdb, out, in_len)
}

/// Runs a typed command: completion and data-in.
fn run<C: ScsiCommand>(b: &mut Sim, cmd: &C) -> (Completion, Vec<u8>) {
    testing::send(b, 0, cmd)
}

/// Runs a typed command that must succeed; its decoded answer.
fn good<C: ScsiCommand>(b: &mut Sim, cmd: &C) -> C::Response {
    let (done, data) = run(b, cmd);
    assert_eq!(sense_code(&done), None, "{}", cmd.name());
    cmd.decode(&data).unwrap()
}

fn sense<C: ScsiCommand>(b: &mut Sim, cmd: &C) -> Option<Code> {
    sense_code(&run(b, cmd).0)
}

/// Submits an NVMe command straight to the controller behind the bridge.
fn direct<C: NvmeCommand>(b: &mut Sim, cmd: &C) -> (NvmeStatus, u32, Vec<u8>) {
    let (done, data) = testing::submit(b.controller_mut(), cmd);
    (done.status, done.dw0, data)
}

// ----- the tunnel CDBs, from cdb's tunnel builders -----

/// An ASMedia E6h CDB with these fields (even ones its builder refuses).
fn asmedia(opcode: u8, cdw10: u32, cdw12: u32, cdw13: u32) -> Vec<u8> {
    let cdb = AsmediaPassThrough {
        opcode,
        cdw10,
        cdw12,
        cdw13,
    };
    cdb.to_cdb().as_bytes().to_vec()
}

/// A Realtek E4h CDB with these fields (even ones its builder refuses).
fn realtek(transfer_length: u16, opcode: u8, cdw10_low: u8) -> Vec<u8> {
    let cdb = RealtekPassThrough {
        transfer_length,
        opcode,
        cdw10_low,
    };
    cdb.to_cdb().as_bytes().to_vec()
}

/// A JMicron A1h step CDB for an admin command.
fn jmicron(protocol: Protocol, len: u32) -> Vec<u8> {
    let cdb = TunnelCdb::new(true, protocol, len).unwrap();
    cdb.to_cdb().as_bytes().to_vec()
}

/// JMicron's 512-byte command block for `sqe`.
fn jmicron_block(sqe: &SubmissionEntry) -> Vec<u8> {
    CommandBlock::new(sqe).as_bytes().to_vec()
}

/// Runs `cmd` through JMicron's three steps: its data-in, and the completion from the
/// reply block.
fn through_jmicron<C: NvmeCommand>(b: &mut Sim, cmd: &C) -> (Vec<u8>, NvmeCompletion) {
    let tunnel = JmicronTunnel::new(cmd).unwrap();
    good(b, &tunnel.send_command());
    let data = good(b, &tunnel.transfer());
    (data, good(b, &tunnel.read_response()).completion)
}

// ----- the translation core -----

#[test]
fn inquiry_names_the_bridge_and_vpd_pages_come_from_the_drive() {
    for model in Model::ALL {
        let mut b = bridge(&format!("sim:{}?size=8M&serial=NV42", profile_name(model)));
        let InquiryData::Standard(std) = good(&mut b, &Inquiry::standard()) else {
            panic!("not standard data")
        };
        assert_eq!(std.t10_vendor_identification, model.vendor());
        assert_eq!(std.product_identification, model.product());
        assert_eq!(std.product_revision_level, model.revision());
        let InquiryData::Vpd(VpdPage::UnitSerialNumber(sn)) = good(&mut b, &Inquiry::vpd(0x80))
        else {
            panic!("not page 80h")
        };
        assert_eq!(sn.product_serial_number, "NV42");
        let InquiryData::Vpd(VpdPage::DeviceIdentification(di)) = good(&mut b, &Inquiry::vpd(0x83))
        else {
            panic!("not page 83h")
        };
        assert!(di.problem.is_none(), "{di:?}");
        assert!(format!("{:?}", di.designators).contains("NV42"), "{di:?}");
        let InquiryData::Vpd(VpdPage::SupportedVpdPages(pages)) = good(&mut b, &Inquiry::vpd(0x00))
        else {
            panic!("not page 00h")
        };
        assert!(
            format!("{pages:?}").contains("131"),
            "83h listed: {pages:?}"
        );
        // An unsupported page is INVALID FIELD IN CDB on the PAGE CODE.
        let (done, _) = run(&mut b, &Inquiry::vpd(0x86));
        assert_eq!(sense_code(&done), Some(INVALID_FIELD));
        assert_eq!(field_pointer(&done), Some((true, 2)));
    }
}

fn profile_name(model: Model) -> &'static str {
    crate::fault::Profile::ALL
        .into_iter()
        .find(|p| p.bridge() == Some(model))
        .unwrap()
        .name()
}

#[test]
fn unit_attention_follows_power_on_and_resets_and_request_sense_clears_it() {
    let mut b = bridge("sim:bridge-asmedia?size=1M");
    // INQUIRY is exempt and leaves the condition pending (SAM-5 5.14).
    good(&mut b, &Inquiry::standard());
    let data = good(&mut b, &RequestSense::new(false, 252));
    assert_eq!(data.sense_key_code(), Some(key::UNIT_ATTENTION));
    assert_eq!(data.asc_ascq(), Some((0x29, 0x00)));
    assert_eq!(sense(&mut b, &TestUnitReady), None);
    b.reset().unwrap();
    assert_eq!(sense(&mut b, &TestUnitReady), Some(RESET));
    assert_eq!(sense(&mut b, &TestUnitReady), None);
}

#[test]
fn read_capacity_matches_identify_namespace() {
    for uri in [
        "sim:bridge-realtek?size=8M",
        "sim:bridge-jmicron?size=64M&bs=4096",
    ] {
        let mut b = ready(uri);
        let cmd = IdentifyNamespace::new(1).unwrap();
        let (_, _, data) = direct(&mut b, &cmd);
        let ns = IdentifyNamespaceData::decode(&data).unwrap();
        let ten: ReadCapacity10Data = good(&mut b, &ReadCapacity10);
        assert_eq!(u64::from(ten.returned_logical_block_address), ns.nsze - 1);
        assert_eq!(
            Some(u64::from(ten.logical_block_length)),
            ns.lba_data_size()
        );
        let sixteen: ReadCapacity16Data = good(&mut b, &ReadCapacity16::default());
        assert_eq!(sixteen.returned_logical_block_address, ns.nsze - 1);
        assert_eq!(
            Some(u64::from(sixteen.logical_block_length)),
            ns.lba_data_size()
        );
    }
}

fn write10(lba: u64, data: &[u8], fua: bool) -> Write<'_, Ten> {
    let options = RwOptions {
        fua,
        ..RwOptions::default()
    };
    Write::<Ten>::new(lba, data, 512, options).unwrap()
}

fn read16(b: &mut Sim, lba: u64, blocks: u32) -> Vec<u8> {
    let cmd = Read::<Sixteen>::new(lba, blocks, 512, RwOptions::default()).unwrap();
    let (done, data) = run(b, &cmd);
    assert_eq!(sense_code(&done), None);
    data
}

/// Cuts the power of the drive's write cache and power-cycles the controller.
fn power_cut(b: &mut Sim) {
    b.controller_mut().device_mut().lose_power().unwrap();
    b.controller_mut().power_cycle().unwrap();
}

#[test]
fn writes_read_back_and_fua_and_synchronize_cache_survive_a_power_cut() {
    let mut b = ready("sim:bridge-no-write-buffer?size=8M");
    let cached = vec![0x11; 512];
    let fua = vec![0x22; 512];
    let synced = vec![0x33; 1024];
    assert_eq!(sense(&mut b, &write10(1, &cached, false)), None);
    assert_eq!(sense(&mut b, &write10(2, &fua, true)), None);
    assert_eq!(read16(&mut b, 1, 2), [cached.clone(), fua.clone()].concat());
    power_cut(&mut b);
    // The cached write is lost (SBC-4 4.15); the FUA one is durable.
    assert_eq!(read16(&mut b, 1, 1), vec![0; 512]);
    assert_eq!(read16(&mut b, 2, 1), fua);
    assert_eq!(sense(&mut b, &write10(8, &synced, false)), None);
    assert_eq!(sense(&mut b, &SynchronizeCache::<Sixteen>::all()), None);
    power_cut(&mut b);
    assert_eq!(read16(&mut b, 8, 2), synced);

    // Behind a lying flush the synchronized write is lost too.
    let mut liar = ready("sim:bridge-no-write-buffer,lying-flush?size=8M");
    assert_eq!(sense(&mut liar, &write10(8, &synced, false)), None);
    assert_eq!(sense(&mut liar, &SynchronizeCache::<Ten>::all()), None);
    power_cut(&mut liar);
    assert_eq!(read16(&mut liar, 8, 2), vec![0; 1024]);
}

#[test]
fn transfers_longer_than_mdts_are_split_and_out_of_range_is_21h() {
    let mut b = ready("sim:bridge-jmicron?size=8M");
    // MDTS 8: 1 MiB per NVMe command; 3 MiB goes as three.
    let data: Vec<u8> = (0..3 << 20).map(|i: u32| (i / 512) as u8).collect();
    let cmd = Write::<Sixteen>::new(100, &data, 512, RwOptions::default()).unwrap();
    assert_eq!(sense(&mut b, &cmd), None);
    assert_eq!(read16(&mut b, 100, 6144), data);
    let beyond = Read::<Ten>::new(16383, 2, 512, RwOptions::default()).unwrap();
    assert_eq!(
        sense(&mut b, &beyond),
        Some((key::ILLEGAL_REQUEST, 0x21, 0x00))
    );
}

fn caching(b: &mut Sim, pc: PageControl) -> (ModeParameters, bool) {
    let cmd = ModeSense::<ModeTen>::new(pc, 0x08, 0, 255).unwrap();
    let params = good(b, &cmd);
    let page = params.page(0x08, 0).unwrap();
    let wce = CachingPage::decode(&page.data).unwrap().wce;
    (params, wce)
}

fn feature_wce(b: &mut Sim) -> bool {
    let (status, dw0, _) = direct(b, &GetFeatures::volatile_write_cache(Select::Current));
    assert!(status.is_success());
    dw0 & 1 != 0
}

#[test]
fn wce_in_the_caching_page_is_the_volatile_write_cache_feature() {
    let mut b = ready("sim:bridge-asmedia?size=8M");
    let (current, wce) = caching(&mut b, PageControl::Current);
    assert!(wce && feature_wce(&mut b));
    let (changeable, mask) = caching(&mut b, PageControl::Changeable);
    assert!(mask, "WCE is changeable");
    let select = set_wce::<ModeTen>(&current, &changeable, false).unwrap();
    assert_eq!(sense(&mut b, &select), None);
    assert!(!feature_wce(&mut b), "Set Features 06h reached the drive");
    assert!(!caching(&mut b, PageControl::Current).1);
    assert!(caching(&mut b, PageControl::Default).1, "default stays on");
    // Saved values are not supported (SPC-5 6.13).
    let saved = ModeSense::<ModeTen>::new(PageControl::Saved, 0x08, 0, 255).unwrap();
    assert_eq!(
        sense(&mut b, &saved),
        Some((key::ILLEGAL_REQUEST, 0x39, 0x00))
    );
    // A bit other than WCE is INVALID FIELD IN PARAMETER LIST, pointing at it.
    let mut list = select.parameter_list().to_vec();
    let last = list.len() - 1;
    list[last] = 0xff;
    let cdb = [0x55, 0x10, 0, 0, 0, 0, 0, 0, list.len() as u8, 0];
    let (done, _) = raw(&mut b, &cdb, &list, 0);
    assert_eq!(sense_code(&done), Some((key::ILLEGAL_REQUEST, 0x26, 0x00)));
    assert_eq!(field_pointer(&done), Some((false, last as u16)));
}

#[test]
fn start_stop_unit_and_mode_select_make_the_disks_checks() {
    let mut b = ready("sim:bridge-asmedia?size=1M");
    // SBC-4 5.27: POWER CONDITION 0h with START 0 or 1 is GOOD.
    assert_eq!(sense(&mut b, &StartStopUnit::stop()), None);
    assert_eq!(sense(&mut b, &StartStopUnit::start()), None);
    // LOEJ on a medium that is not removable, and a power condition: INVALID FIELD IN CDB
    // at byte 4.
    let loej = StartStopUnit::new(false, 0, 0, false, true, false).unwrap();
    let idle = StartStopUnit::new(false, 0, 2, false, false, true).unwrap();
    for cmd in [loej, idle] {
        let (done, _) = run(&mut b, &cmd);
        assert_eq!(sense_code(&done), Some(INVALID_FIELD));
        assert_eq!(field_pointer(&done), Some((true, 4)));
    }
    // MODE SELECT (10) with PF = 0 (SPC-5 6.12): INVALID FIELD IN CDB at byte 1.
    let header = [0u8; 8];
    let (done, _) = raw(&mut b, &[0x55, 0, 0, 0, 0, 0, 0, 0, 8, 0], &header, 0);
    assert_eq!(sense_code(&done), Some(INVALID_FIELD));
    assert_eq!(field_pointer(&done), Some((true, 1)));
    // A page the bridge does not have (Control, 0Ah, SPC-5 7.5.10): INVALID FIELD IN
    // PARAMETER LIST at its PAGE CODE, the byte after the 8-byte header.
    let mut list = header.to_vec();
    list.extend_from_slice(&[0x0a, 0x0a]);
    list.resize(list.len() + 0x0a, 0);
    let cdb = [0x55, 0x10, 0, 0, 0, 0, 0, 0, list.len() as u8, 0];
    let (done, _) = raw(&mut b, &cdb, &list, 0);
    assert_eq!(sense_code(&done), Some((key::ILLEGAL_REQUEST, 0x26, 0x00)));
    assert_eq!(field_pointer(&done), Some((false, 8)));
}

#[test]
fn report_luns_lists_one_unit_and_other_luns_are_not_supported() {
    let mut b = ready("sim:bridge-realtek?size=1M");
    let (done, data) = run(&mut b, &ReportLuns::new(0, 64).unwrap());
    assert_eq!(sense_code(&done), None);
    assert_eq!(&data[..4], &8u32.to_be_bytes(), "LUN LIST LENGTH: one LUN");
    assert_eq!(&data[8..], &[0; 8], "LUN 0, peripheral device addressing");
    // An ALLOCATION LENGTH below 16 is INVALID FIELD IN CDB (SPC-5 6.33).
    let short = [0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0];
    assert_eq!(
        sense_code(&raw(&mut b, &short, &[], 8).0),
        Some(INVALID_FIELD)
    );
    let done = b.execute(1, &[0; 6], &[], &mut []);
    assert_eq!(sense_code(&done), Some((key::ILLEGAL_REQUEST, 0x25, 0x00)));
}

#[test]
fn write_buffer_and_the_other_bridges_vendor_cdbs_are_invalid_opcodes() {
    let download = WriteBuffer::download_microcode_save(0, vec![0; 512]).unwrap();
    for model in Model::ALL {
        let mut b = ready(&format!("sim:{}?size=1M", profile_name(model)));
        assert_eq!(sense(&mut b, &download), Some(INVALID_OPCODE), "{model:?}");
        let foreign: Vec<Vec<u8>> = [
            (Tunnel::AsmediaE6, asmedia(0x06, 1, 0, 0).to_vec()),
            (Tunnel::RealtekE4, realtek(4096, 0x06, 1).to_vec()),
        ]
        .into_iter()
        .filter(|(tunnel, _)| *tunnel != model.tunnel())
        .map(|(_, cdb)| cdb)
        .collect();
        for cdb in foreign {
            let (done, _) = raw(&mut b, &cdb, &[], 4096);
            assert_eq!(
                sense_code(&done),
                Some(INVALID_OPCODE),
                "{model:?} {cdb:02x?}"
            );
        }
    }
}

// ----- the tunnels -----

#[test]
fn asmedia_returns_identify_controller_and_log_pages() {
    let mut b = ready("sim:bridge-asmedia?size=1M&serial=ASM1");
    let identify = AsmediaPassThrough::new(&IdentifyController::controller()).unwrap();
    let data = good(&mut b, &identify);
    assert_eq!(IdentifyControllerData::decode(&data).unwrap().sn, "ASM1");
    // Get Log Page 02h: 512 bytes, as the controller returns them.
    let smart_cmd = LogPage::smart_health(0xffff_ffff);
    let data = good(&mut b, &AsmediaPassThrough::new(&smart_cmd).unwrap());
    let (_, _, smart) = direct(&mut b, &smart_cmd);
    assert_eq!(data, smart);
    // No completion status: a failing command (log page 7Fh) still ends in GOOD, zeros.
    let (done, data) = raw(&mut b, &asmedia(0x02, 0x7f | (127 << 16), 0, 0), &[], 512);
    assert_eq!(sense_code(&done), None);
    assert_eq!(data, vec![0; 512]);
}

#[test]
fn realtek_returns_stale_bytes_past_512_of_a_log_page() {
    let mut b = ready("sim:bridge-realtek?size=1M");
    let identify = RealtekPassThrough::new(&IdentifyController::controller()).unwrap();
    let id = good(&mut b, &identify);
    assert_eq!(id, identify_controller_direct_bytes(&mut b));
    let (done, log) = raw(&mut b, &realtek(1024, 0x02, 0x02), &[], 1024);
    assert_eq!(sense_code(&done), None);
    let (_, _, smart) = direct(&mut b, &LogPage::smart_health(0xffff_ffff));
    assert_eq!(&log[..512], &smart[..]);
    // Past 512: what the Identify left in the chip's buffer, not the log page.
    assert_eq!(&log[512..], &id[512..1024]);
}

fn identify_controller_direct_bytes(b: &mut Sim) -> Vec<u8> {
    direct(b, &IdentifyController::controller()).2
}

#[test]
fn jmicron_tunnels_any_admin_command_with_its_status() {
    let mut b = ready("sim:bridge-jmicron?size=1M&serial=JM7");
    let (data, done) = through_jmicron(&mut b, &IdentifyController::controller());
    assert!(done.status.is_success());
    assert_eq!(IdentifyControllerData::decode(&data).unwrap().sn, "JM7");
    let (_, done) = through_jmicron(&mut b, &GetFeatures::volatile_write_cache(Select::Current));
    assert!(done.status.is_success());
    assert_eq!(done.dw0 & 1, 1, "CQE Dword 0 carries WCE");
    // An unknown admin opcode comes back as the drive's status: Invalid Command Opcode.
    let bad = SubmissionEntry::new(0x7e, 0);
    let block = jmicron_block(&bad);
    assert_eq!(
        sense_code(&raw(&mut b, &jmicron(Protocol::NvmCommand, 512), &block, 0).0),
        None
    );
    assert_eq!(
        sense_code(&raw(&mut b, &jmicron(Protocol::NonData, 0), &[], 0).0),
        None
    );
    let (_, reply) = raw(&mut b, &jmicron(Protocol::Response, 512), &[], 512);
    // The status field is dword 5 bits 31:17.
    let dw5 = u32::from_le_bytes(reply[20..24].try_into().unwrap());
    assert_eq!(NvmeStatus::from_field((dw5 >> 17) as u16).sc, 0x01);
    assert_eq!(&reply[..4], b"NVME", "signature 454D564Eh, little-endian");
}

/// Downloads `image` through JMicron's tunnel in 4 KiB pieces and commits it to slot 2.
fn jmicron_firmware(b: &mut Sim, image: &[u8], ca: CommitAction) -> NvmeStatus {
    for (i, piece) in image.chunks(4096).enumerate() {
        let cmd = FirmwareImageDownload::new((i * 4096) as u64, piece).unwrap();
        assert!(through_jmicron(b, &cmd).1.status.is_success());
    }
    through_jmicron(b, &FirmwareCommit::new(2, ca, false).unwrap())
        .1
        .status
}

fn running(b: &mut Sim) -> String {
    let (data, _) = through_jmicron(b, &IdentifyController::controller());
    IdentifyControllerData::decode(&data).unwrap().fr
}

#[test]
fn jmicron_downloads_firmware_that_activates_after_commit_and_reset() {
    let mut b = ready("sim:bridge-jmicron,fw-needs-reset?size=1M");
    let image = image::NVME.build("3.1", &[0x5a; 3 * 4096]);
    let status = jmicron_firmware(&mut b, &image, CommitAction::ReplaceAndActivate);
    // Firmware Activation Requires Controller Level Reset (Base 2.0 5.13).
    assert_eq!((status.sct, status.sc), (1, 0x11));
    assert_eq!(running(&mut b), "1.0");
    b.reset().unwrap();
    assert_eq!(sense(&mut b, &TestUnitReady), Some(RESET));
    assert_eq!(running(&mut b), "3.1");

    let mut honest = ready("sim:bridge-jmicron?size=1M");
    let image = image::NVME.build("3.2", &[0x5a; 4096]);
    let status = jmicron_firmware(
        &mut honest,
        &image,
        CommitAction::ReplaceAndActivateImmediately,
    );
    assert!(status.is_success());
    assert_eq!(running(&mut honest), "3.2");
}

#[test]
fn a_bricked_drive_reads_as_not_ready_through_the_bridge() {
    let mut b = ready("sim:bridge-jmicron,fw-brick-on-truncated?size=1M");
    let image = image::NVME.build("3.3", &[0x5a; 3 * 4096]);
    // The second piece never arrives.
    for (i, piece) in image.chunks(4096).enumerate().filter(|(i, _)| *i != 1) {
        let cmd = FirmwareImageDownload::new((i * 4096) as u64, piece).unwrap();
        assert!(through_jmicron(&mut b, &cmd).1.status.is_success());
    }
    let commit = FirmwareCommit::new(2, CommitAction::ReplaceAndActivate, false).unwrap();
    assert!(!through_jmicron(&mut b, &commit).1.status.is_success());
    // Namespace Not Ready: NOT READY, LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE.
    let read = Read::<Ten>::new(0, 1, 512, RwOptions::default()).unwrap();
    assert_eq!(sense(&mut b, &read), Some((key::NOT_READY, 0x04, 0x00)));
}

#[test]
fn jmicrons_first_cdb_resets_the_drive_behind_a_sat_bridge() {
    let block = jmicron_block(&IdentifyController::controller().entry());
    for model in [Model::NoWriteBuffer, Model::Asmedia, Model::Realtek] {
        let mut b = ready(&format!("sim:{}?size=1M", profile_name(model)));
        // Turn the write cache off; a Controller Level Reset turns it back on.
        let (current, _) = caching(&mut b, PageControl::Current);
        let (changeable, _) = caching(&mut b, PageControl::Changeable);
        let select = set_wce::<ModeTen>(&current, &changeable, false).unwrap();
        assert_eq!(sense(&mut b, &select), None);
        assert!(!feature_wce(&mut b));
        let (done, _) = raw(&mut b, &jmicron(Protocol::NvmCommand, 512), &block, 0);
        assert_eq!(sense_code(&done), None, "{model:?}: the reset completes");
        assert_eq!(sense(&mut b, &TestUnitReady), Some(RESET), "{model:?}");
        assert!(feature_wce(&mut b), "{model:?}: the controller was reset");
        // Other protocols need an ATA drive: INVALID FIELD IN CDB on PROTOCOL.
        let (done, _) = raw(&mut b, &jmicron(Protocol::Response, 512), &[], 512);
        assert_eq!(sense_code(&done), Some(INVALID_FIELD));
        assert_eq!(field_pointer(&done), Some((true, 1)));
    }
    // JMicron's own chip reads it as its tunnel: no reset.
    let mut b = ready("sim:bridge-jmicron?size=1M");
    assert_eq!(
        sense_code(&raw(&mut b, &jmicron(Protocol::NvmCommand, 512), &block, 0).0),
        None
    );
    assert_eq!(sense(&mut b, &TestUnitReady), None);
}

/// A malformed tunnel case: URI, CDB, data-out, the sense and the FIELD POINTER (C/D, byte).
type Malformed = (&'static str, Vec<u8>, Vec<u8>, Code, (bool, u16));

#[test]
fn malformed_tunnel_cdbs_point_at_the_field() {
    let cases: [Malformed; 7] = [
        // ASMedia: only Identify and Get Log Page.
        (
            "sim:bridge-asmedia",
            asmedia(0x10, 0, 0, 0).to_vec(),
            vec![],
            INVALID_FIELD,
            (true, 1),
        ),
        // Realtek: only Identify and Get Log Page; at most the 4 KiB buffer.
        (
            "sim:bridge-realtek",
            realtek(512, 0x09, 0).to_vec(),
            vec![],
            INVALID_FIELD,
            (true, 3),
        ),
        (
            "sim:bridge-realtek",
            realtek(8192, 0x06, 1).to_vec(),
            vec![],
            INVALID_FIELD,
            (true, 2),
        ),
        // JMicron: the command block is 512 bytes; protocols 0, 1, 2, 3 and Fh only.
        (
            "sim:bridge-jmicron",
            jmicron(Protocol::NvmCommand, 256).to_vec(),
            vec![0; 256],
            INVALID_FIELD,
            (true, 3),
        ),
        (
            "sim:bridge-jmicron",
            [0xa1, 0x85, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0].to_vec(),
            vec![],
            INVALID_FIELD,
            (true, 1),
        ),
        (
            "sim:bridge-jmicron",
            jmicron(Protocol::NonData, 8).to_vec(),
            vec![],
            INVALID_FIELD,
            (true, 3),
        ),
        // A block without the "NVME" signature.
        (
            "sim:bridge-jmicron",
            jmicron(Protocol::NvmCommand, 512),
            vec![0; 512],
            (key::ILLEGAL_REQUEST, 0x26, 0x00),
            (false, 0),
        ),
    ];
    for (uri, cdb, out, code, pointer) in cases {
        let mut b = ready(&format!("{uri}?size=1M"));
        let (done, _) = raw(&mut b, &cdb, &out, 8192);
        assert_eq!(sense_code(&done), Some(code), "{uri} {cdb:02x?}");
        assert_eq!(field_pointer(&done), Some(pointer), "{uri} {cdb:02x?}");
    }
    // Steps out of order: COMMAND SEQUENCE ERROR.
    let mut b = ready("sim:bridge-jmicron?size=1M");
    for cdb in [
        jmicron(Protocol::NonData, 0),
        jmicron(Protocol::Response, 512),
    ] {
        let (done, _) = raw(&mut b, &cdb, &[], 512);
        assert_eq!(sense_code(&done), Some((key::ILLEGAL_REQUEST, 0x2c, 0x00)));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Arbitrary CDBs and data, in sequence, never panic a bridge; every answer is GOOD or
    /// CHECK CONDITION with decodable sense, and data-in stays within the buffer.
    #[test]
    fn arbitrary_commands_never_panic(
        model in 0..4usize,
        commands in proptest::collection::vec(
            (
                prop_oneof![
                    proptest::collection::vec(any::<u8>(), 0..20),
                    (prop_oneof![Just(0xa1u8), Just(0xe4), Just(0xe6), Just(0x85), any::<u8>()],
                        proptest::collection::vec(any::<u8>(), 11..16))
                        .prop_map(|(op, rest)| [vec![op], rest].concat()),
                ],
                proptest::collection::vec(any::<u8>(), 0..600),
                0..5000usize,
                0..2u16,
            ),
            1..6,
        ),
    ) {
        let mut b = bridge(&format!("sim:{}?size=1M", profile_name(Model::ALL[model])));
        for (cdb, out, in_len, lun) in commands {
            let mut data = vec![0; in_len];
            let done = b.execute(lun, &cdb, &out, &mut data);
            prop_assert!(done.data_in_len <= in_len);
            if done.status != Status::Good {
                prop_assert_eq!(done.status, Status::CheckCondition);
                prop_assert!(SenseData::decode(&done.sense).is_ok());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any command block with the signature — any opcode, NSID and command dwords, on
    /// either queue — and any data step reaches the drive without a panic; the reply
    /// block always decodes.
    #[test]
    fn arbitrary_jmicron_commands_never_panic(
        opcode in any::<u8>(),
        nsid in prop_oneof![Just(0u32), Just(1), Just(0xffff_ffff), any::<u32>()],
        cdws in proptest::array::uniform6(any::<u32>()),
        admin in any::<bool>(),
        step in prop_oneof![Just(Protocol::NonData), Just(Protocol::DmaIn), Just(Protocol::DmaOut)],
        len in 0..9000u32,
    ) {
        let mut b = ready("sim:bridge-jmicron?size=1M");
        let mut sqe = SubmissionEntry::new(opcode, nsid);
        let [c10, c11, c12, c13, c14, c15] = cdws;
        sqe.cdw10 = c10.into();
        sqe.cdw11 = c11.into();
        sqe.cdw12 = c12.into();
        sqe.cdw13 = c13.into();
        sqe.cdw14 = c14.into();
        sqe.cdw15 = c15.into();
        let step_len = if step == Protocol::NonData { 0 } else { len };
        let step_cdb = |protocol, len| TunnelCdb::new(admin, protocol, len).unwrap().to_cdb();
        let send = step_cdb(Protocol::NvmCommand, 512);
        let (done, _) = raw(&mut b, send.as_bytes(), &jmicron_block(&sqe), 0);
        prop_assert_eq!(sense_code(&done), None);
        let out = vec![0x5a; len as usize];
        let (done, data) = raw(&mut b, step_cdb(step, step_len).as_bytes(), &out, len as usize);
        prop_assert_eq!(sense_code(&done), None);
        prop_assert!(data.len() <= len as usize);
        let (done, reply) = raw(&mut b, step_cdb(Protocol::Response, 512).as_bytes(), &[], 512);
        prop_assert_eq!(sense_code(&done), None);
        prop_assert!(cdb::tunnel::jmicron::ReplyBlock::parse(&reply).is_ok());
    }
}

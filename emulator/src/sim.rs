//! Builds the device a [`SimSpec`] names: media, write cache, fault profile and the SCSI
//! target or NVMe controller on top — what `sim:` URIs open.

use crate::block::{BlockDevice, BlockError};
use crate::bridge::Bridge;
use crate::fault::FaultyDevice;
use crate::nvme::{Config, Controller, ControllerError};
use crate::sbc::{Disk, Identity, Target};
use crate::store::{CachedDevice, FileMedium, Medium, RamMedium};
use crate::target::ScsiTarget;
use crate::uri::{Kind, MediumSpec, SimSpec};
use crate::usb::device::{DeviceConfig, MassStorageDevice};
use std::fmt;

/// The block device under every emulated logical unit or namespace.
pub type SimBlocks = Box<dyn BlockDevice + Send>;

/// An emulated device, ready for a transport.
pub enum SimDevice {
    /// An SBC disk target with `luns` logical units.
    Scsi(Target),
    /// An NVMe controller with one namespace (boxed: it carries its firmware state).
    Nvme(Box<Controller<SimBlocks>>),
    /// A USB–NVMe bridge with one logical unit in front of an NVMe controller.
    Bridge(Box<Bridge<SimBlocks>>),
    /// A USB mass-storage device (`usb=`) in front of the SCSI target or bridge.
    Usb(Box<SimUsb>),
}

/// The USB device of a `sim:` URI with `usb=`: its interface in front of either target.
pub type SimUsb = MassStorageDevice<Box<dyn ScsiTarget + Send>>;

/// Why a device could not be built.
#[derive(Debug)]
pub enum SimError {
    /// The medium could not be created or opened (a file-backed medium's error).
    Medium(BlockError),
    /// The NVMe controller refused the configuration.
    Controller(ControllerError),
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::Medium(e) => write!(f, "sim: medium: {e}"),
            SimError::Controller(e) => write!(f, "sim: NVMe controller: {e}"),
        }
    }
}

impl std::error::Error for SimError {}

impl SimSpec {
    /// Builds the device: each logical unit (or the namespace) gets its own medium behind
    /// a volatile write cache that cuts power as the profile says, wrapped in the
    /// profile's faults; the disk's microcode download (SPC-5 6.49) or the controller's
    /// firmware update (NVMe Base 2.0 5.13) behaves as the profile says. A bridge
    /// profile puts its bridge in front of the controller, and `usb=` a USB mass-storage
    /// interface in front of the disk or bridge, with the bridge's VID:PID.
    pub fn build(&self) -> Result<SimDevice, SimError> {
        let device = self.build_target()?;
        let Some(usb) = &self.usb else {
            return Ok(device);
        };
        let (target, id): (Box<dyn ScsiTarget + Send>, _) = match device {
            SimDevice::Bridge(bridge) => {
                let id = bridge.model().usb_id();
                (bridge, Some(id))
            }
            SimDevice::Scsi(target) => (Box::new(target), None),
            // Refused by the URI's checks: an NVMe controller has no USB face.
            SimDevice::Nvme(_) | SimDevice::Usb(_) => return Ok(device),
        };
        let mut config = DeviceConfig::new(usb.layout, usb.speed);
        if let Some(id) = id {
            config.vendor_id = id.vendor_id;
            config.product_id = id.product_id;
        }
        config.uas_quirks = usb.quirks.clone();
        Ok(SimDevice::Usb(Box::new(MassStorageDevice::new(
            target, config,
        ))))
    }

    /// The SCSI target, NVMe controller or bridge, before any USB interface.
    fn build_target(&self) -> Result<SimDevice, SimError> {
        match self.kind {
            Kind::Scsi => {
                let disks = (0..self.luns)
                    .map(|lun| {
                        let identity = self.identity(lun);
                        self.blocks(lun).map(|blocks| {
                            Disk::new(identity, blocks).with_microcode(self.profile.microcode())
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(SimDevice::Scsi(Target::new(disks)))
            }
            Kind::Nvme => {
                let mut config = Config {
                    write_cache_default: self.write_cache,
                    firmware: self.profile.firmware(),
                    ..Config::default()
                };
                if let Some(serial) = &self.serial {
                    config.serial = serial.clone();
                }
                if let Some(model) = &self.product {
                    config.model = model.clone();
                }
                let controller =
                    Controller::new(self.blocks(0)?, config).map_err(SimError::Controller)?;
                Ok(match self.bridge {
                    Some(model) => SimDevice::Bridge(Box::new(Bridge::new(model, controller))),
                    None => SimDevice::Nvme(Box::new(controller)),
                })
            }
        }
    }

    /// The medium stack of logical unit `lun`.
    fn blocks(&self, lun: u16) -> Result<SimBlocks, SimError> {
        let medium: Box<dyn Medium> = match &self.medium {
            MediumSpec::Ram => Box::new(RamMedium::new(self.size)),
            MediumSpec::File(path) => {
                Box::new(FileMedium::open(path, self.size).map_err(SimError::Medium)?)
            }
        };
        let seed = self.seed.wrapping_add(u64::from(lun));
        let cached = CachedDevice::new(medium, self.block_size)
            .map_err(SimError::Medium)?
            .with_write_cache(self.write_cache)
            .with_power_cut(self.profile.power_cut(seed));
        Ok(Box::new(FaultyDevice::new(cached, self.profile, seed)))
    }

    /// The identity of logical unit `lun`: the URI's overrides, else the defaults, with
    /// the LUN appended to the serial number so every unit's is unique.
    fn identity(&self, lun: u16) -> Identity {
        let defaults = Identity::default();
        let serial = self.serial.clone().unwrap_or(defaults.serial.clone());
        Identity {
            vendor: self.vendor.clone().unwrap_or(defaults.vendor),
            product: self.product.clone().unwrap_or(defaults.product),
            serial: if self.luns > 1 {
                format!("{serial}-{lun}")
            } else {
                serial
            },
            ..defaults
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::ScsiTarget;
    use crate::testing::{self, Code};
    use cdb::command::ScsiCommand;
    use cdb::scsi::sbc::lba_cdb::Ten;
    use cdb::scsi::sbc::read_write::{Read, RwOptions, Write};
    use cdb::scsi::sbc::synchronize_cache::SynchronizeCache;
    use cdb::scsi::spc::inquiry::{Inquiry, InquiryData};
    use cdb::scsi::status::Status;
    use cdb::sense::SenseData;

    fn scsi(uri: &str) -> Target {
        match SimSpec::parse(uri).unwrap().build().unwrap() {
            SimDevice::Scsi(target) => target,
            _ => panic!("{uri} did not build an SBC target"),
        }
    }

    /// Runs a typed command on LUN `lun`, returning status and data-in.
    fn run<C: ScsiCommand>(target: &mut Target, lun: u16, cmd: &C) -> (Status, Vec<u8>) {
        let (done, data) = testing::send(target, lun, cmd);
        (done.status, data)
    }

    /// Runs `cmd` on LUN 0: GOOD, or the sense key, ASC and ASCQ of its CHECK CONDITION.
    fn sense<C: ScsiCommand>(target: &mut Target, cmd: &C) -> Option<Code> {
        testing::sense_code(&testing::send(target, 0, cmd).0)
    }

    /// Runs `cmd`, clearing the power-on unit attention first.
    fn run_ready<C: ScsiCommand>(target: &mut Target, lun: u16, cmd: &C) -> (Status, Vec<u8>) {
        let (status, data) = run(target, lun, cmd);
        if status == Status::CheckCondition {
            return run(target, lun, cmd);
        }
        (status, data)
    }

    #[test]
    fn options_reach_the_device() {
        let mut target = scsi("sim:?luns=2&vendor=ACME&serial=S9&size=8M&bs=4096");
        assert_eq!(target.luns(), 2);
        for lun in 0..2 {
            let (status, data) = run(&mut target, lun, &Inquiry::vpd(0x80));
            assert_eq!(status, Status::Good);
            let decoded = Inquiry::vpd(0x80).decode(&data).unwrap();
            let InquiryData::Vpd(page) = decoded else {
                panic!("not VPD")
            };
            assert!(
                format!("{page:?}").contains(&format!("S9-{lun}")),
                "{page:?}"
            );
        }
        let (_, data) = run(&mut target, 0, &Inquiry::standard());
        let InquiryData::Standard(inquiry) = Inquiry::standard().decode(&data).unwrap() else {
            panic!("not standard data")
        };
        assert_eq!(inquiry.t10_vendor_identification, "ACME");
    }

    /// Writes block 0 through SCSI, flushes, cuts power and reads it back.
    fn flushed_write_survives(uri: &str) -> bool {
        let mut target = scsi(uri);
        let data = vec![0xA5; 512];
        let write = Write::<Ten>::new(0, &data, 512, RwOptions::default()).unwrap();
        assert_eq!(run_ready(&mut target, 0, &write).0, Status::Good);
        let sync = SynchronizeCache::<Ten>::all();
        assert_eq!(run_ready(&mut target, 0, &sync).0, Status::Good);
        target
            .unit_mut(0)
            .unwrap()
            .device_mut()
            .lose_power()
            .unwrap();
        target.reset().unwrap();
        let read = Read::<Ten>::new(0, 1, 512, RwOptions::default()).unwrap();
        let (status, back) = run_ready(&mut target, 0, &read);
        assert_eq!(status, Status::Good);
        back == data
    }

    #[test]
    fn the_profile_decides_whether_a_flush_is_kept() {
        assert!(flushed_write_survives("sim:?size=1M"));
        assert!(!flushed_write_survives("sim:lying-flush?size=1M"));
    }

    #[test]
    fn a_file_backed_medium_outlives_the_device() {
        let path = std::env::temp_dir().join(format!("scsitool-sim-{}.img", std::process::id()));
        let uri = format!("sim:{}?size=1M", path.display());
        let data = vec![0x3C; 512];
        {
            let mut target = scsi(&uri);
            let fua = RwOptions {
                fua: true,
                ..RwOptions::default()
            };
            let write = Write::<Ten>::new(7, &data, 512, fua).unwrap();
            assert_eq!(run_ready(&mut target, 0, &write).0, Status::Good);
        }
        let mut target = scsi(&uri);
        let read = Read::<Ten>::new(7, 1, 512, RwOptions::default()).unwrap();
        assert_eq!(run_ready(&mut target, 0, &read).1, data);
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn nvme_uris_build_a_controller_with_the_options() {
        let spec = SimSpec::parse("sim:nvme,torn?serial=NV9&size=4M").unwrap();
        let SimDevice::Nvme(controller) = spec.build().unwrap() else {
            panic!("not NVMe")
        };
        assert_eq!(controller.device().block_count(), 4 * 1024 * 1024 / 512);
    }

    #[test]
    fn firmware_profiles_keep_every_block_level_promise() {
        for name in ["fw-reject-image", "fw-needs-reset", "fw-brick-on-truncated"] {
            assert!(
                flushed_write_survives(&format!("sim:{name}?size=1M")),
                "{name}"
            );
        }
    }

    /// SCSI microcode download through the URI's disk (SPC-5 6.49).
    mod microcode {
        use super::*;
        use crate::image;
        use cdb::scsi::spc::buffer::{ReadBuffer, ReadBufferData, WriteBuffer};
        use cdb::scsi::spc::request_sense::RequestSense;
        use cdb::scsi::spc::test_unit_ready::TestUnitReady;
        use cdb::scsi::spc::vpd::{ActivateMicrocode, VpdPage};
        use cdb::sense::key;

        /// ILLEGAL REQUEST, INVALID FIELD IN PARAMETER LIST.
        const REJECTED: Option<(u8, u8, u8)> = Some((key::ILLEGAL_REQUEST, 0x26, 0x00));
        /// NOT READY, LOGICAL UNIT NOT READY, MICROCODE DOWNLOAD REQUIRED.
        const DOWNLOAD_REQUIRED: Option<(u8, u8, u8)> = Some((key::NOT_READY, 0x04, 0x1f));
        /// UNIT ATTENTION, POWER ON, RESET, OR BUS DEVICE RESET OCCURRED.
        const RESET: Option<(u8, u8, u8)> = Some((key::UNIT_ATTENTION, 0x29, 0x00));
        /// UNIT ATTENTION, MICROCODE HAS BEEN CHANGED.
        const CHANGED: Option<(u8, u8, u8)> = Some((key::UNIT_ATTENTION, 0x3f, 0x01));

        /// A disk past its power-on unit attention.
        fn ready(uri: &str) -> Target {
            let mut target = scsi(uri);
            assert_eq!(sense(&mut target, &TestUnitReady), RESET);
            target
        }

        /// A valid image installing `revision`, 1500 bytes of payload.
        fn image_of(revision: &str) -> Vec<u8> {
            image::SCSI.build(revision, &[0x5a; 1500])
        }

        fn revision(target: &mut Target) -> String {
            let (_, data) = run(target, 0, &Inquiry::standard());
            let InquiryData::Standard(s) = Inquiry::standard().decode(&data).unwrap() else {
                panic!("not standard data")
            };
            s.product_revision_level
        }

        fn activate_microcode(target: &mut Target) -> ActivateMicrocode {
            let (_, data) = run(target, 0, &Inquiry::vpd(0x86));
            let InquiryData::Vpd(VpdPage::ExtendedInquiryData(ext)) =
                Inquiry::vpd(0x86).decode(&data).unwrap()
            else {
                panic!("not page 86h")
            };
            ext.activate_microcode
        }

        fn download_status(target: &mut Target) -> u8 {
            let cmd = ReadBuffer::microcode_status();
            let (status, data) = run(target, 0, &cmd);
            assert_eq!(status, Status::Good);
            let ReadBufferData::MicrocodeStatus(s) = cmd.decode(&data).unwrap() else {
                panic!("not microcode status")
            };
            s.download_microcode_status.code
        }

        /// Mode 07h pieces of 512 bytes; the answer to the last one.
        fn download_07h(target: &mut Target, image: &[u8]) -> Option<(u8, u8, u8)> {
            let mut last = None;
            for (i, piece) in image.chunks(512).enumerate() {
                let offset = (i * 512) as u32;
                let cmd = WriteBuffer::download_microcode_offsets_save(0, offset, piece.to_vec())
                    .unwrap();
                last = sense(target, &cmd);
            }
            last
        }

        fn read_block_0() -> Read<Ten> {
            Read::<Ten>::new(0, 1, 512, RwOptions::default()).unwrap()
        }

        #[test]
        fn fw_reject_image_rejects_valid_images_and_keeps_the_revision() {
            let mut target = ready("sim:fw-reject-image?size=1M");
            let whole = WriteBuffer::download_microcode_save(0, image_of("0002")).unwrap();
            assert_eq!(sense(&mut target, &whole), REJECTED);
            assert_eq!(download_07h(&mut target, &image_of("0003")), REJECTED);
            assert_eq!(revision(&mut target), "0001");
            assert_eq!(
                sense(&mut target, &TestUnitReady),
                None,
                "no unit attention"
            );
            // DOWNLOAD MICROCODE STATUS 91h: the image was discarded as invalid (SPC-6).
            assert_eq!(download_status(&mut target), 0x91);

            let mut honest = ready("sim:?size=1M");
            assert_eq!(sense(&mut honest, &whole), None);
            assert_eq!(revision(&mut honest), "0002");
        }

        #[test]
        fn fw_needs_reset_activates_at_the_next_hard_reset() {
            let mut target = ready("sim:fw-needs-reset?size=1M");
            assert_eq!(
                activate_microcode(&mut target),
                ActivateMicrocode::AfterEvent
            );
            assert_eq!(download_07h(&mut target, &image_of("0007")), None);
            assert_eq!(revision(&mut target), "0001", "not active before the reset");
            assert_eq!(sense(&mut target, &TestUnitReady), None, "no 3Fh/01h yet");
            // 31h: saved, awaiting a hard reset or power on (SPC-6).
            assert_eq!(download_status(&mut target), 0x31);
            // Not deferred microcode: WRITE BUFFER mode 0Fh has nothing to activate.
            let activate = WriteBuffer::activate_deferred_microcode();
            assert_eq!(
                sense(&mut target, &activate),
                Some((key::ILLEGAL_REQUEST, 0x2c, 0x00))
            );
            target.reset().unwrap();
            assert_eq!(sense(&mut target, &TestUnitReady), RESET);
            assert_eq!(revision(&mut target), "0007");
            assert_eq!(download_status(&mut target), 0x00);

            // Mode 05h waits for the reset too.
            let whole = WriteBuffer::download_microcode_save(0, image_of("0008")).unwrap();
            assert_eq!(sense(&mut target, &whole), None);
            assert_eq!(revision(&mut target), "0007");
            target.reset().unwrap();
            assert_eq!(revision(&mut target), "0008");

            let mut honest = ready("sim:?size=1M");
            assert_eq!(
                activate_microcode(&mut honest),
                ActivateMicrocode::BeforeCompletion
            );
            assert_eq!(download_07h(&mut honest, &image_of("0007")), None);
            assert_eq!(revision(&mut honest), "0007");
            assert_eq!(sense(&mut honest, &TestUnitReady), CHANGED);
        }

        /// Sends the first 512 bytes of an image with mode 07h, then a piece of PARAMETER
        /// LIST LENGTH 0 where the next one belongs: the answer to that piece.
        fn truncate(target: &mut Target) -> Option<(u8, u8, u8)> {
            let image = image_of("0009");
            let first =
                WriteBuffer::download_microcode_offsets_save(0, 0, image[..512].to_vec()).unwrap();
            assert_eq!(sense(target, &first), None);
            let end = WriteBuffer::download_microcode_offsets_save(0, 512, Vec::new()).unwrap();
            sense(target, &end)
        }

        #[test]
        fn fw_brick_on_truncated_is_not_ready_until_a_valid_image_is_active() {
            let mut target = ready("sim:fw-brick-on-truncated?size=1M");
            assert_eq!(truncate(&mut target), REJECTED);
            assert_eq!(sense(&mut target, &TestUnitReady), DOWNLOAD_REQUIRED);
            assert_eq!(sense(&mut target, &read_block_0()), DOWNLOAD_REQUIRED);
            let data = vec![1; 512];
            let write = Write::<Ten>::new(0, &data, 512, RwOptions::default()).unwrap();
            assert_eq!(sense(&mut target, &write), DOWNLOAD_REQUIRED);
            // REQUEST SENSE reports why the unit is not ready (SPC-5 6.39).
            let request = RequestSense::new(false, 252);
            let (status, data) = run(&mut target, 0, &request);
            assert_eq!(status, Status::Good);
            let reported = SenseData::decode(&data).unwrap();
            assert_eq!(reported.sense_key_code(), Some(key::NOT_READY));
            assert_eq!(reported.asc_ascq(), Some((0x04, 0x1f)));
            // INQUIRY still works, with the old revision.
            assert_eq!(revision(&mut target), "0001");
            // An invalid image does not help; a valid one does, once activated.
            let mut bad = image_of("000A");
            bad[20] ^= 1;
            let whole = WriteBuffer::download_microcode_save(0, bad).unwrap();
            assert_eq!(sense(&mut target, &whole), REJECTED);
            assert_eq!(sense(&mut target, &read_block_0()), DOWNLOAD_REQUIRED);
            assert_eq!(download_07h(&mut target, &image_of("000B")), None);
            assert_eq!(sense(&mut target, &TestUnitReady), CHANGED);
            assert_eq!(sense(&mut target, &read_block_0()), None);
            assert_eq!(revision(&mut target), "000B");

            let mut honest = ready("sim:?size=1M");
            assert_eq!(truncate(&mut honest), REJECTED);
            assert_eq!(sense(&mut honest, &read_block_0()), None);
        }
    }

    /// NVMe firmware update through the URI's controller (Base 2.0 5.13, 5.14).
    mod firmware {
        use super::*;
        use crate::image;
        use cdb::nvme::firmware::{CommitAction, FirmwareCommit, FirmwareImageDownload};
        use cdb::nvme::identify::IdentifyController;
        use cdb::nvme::nvm;
        use cdb::nvme::status::sct;
        use cdb::nvme::{NvmeCommand, ResetKind, Status as NvmeStatus};

        type Nvme = Controller<SimBlocks>;

        fn nvme(uri: &str) -> Box<Nvme> {
            match SimSpec::parse(uri).unwrap().build().unwrap() {
                SimDevice::Nvme(controller) => controller,
                _ => panic!("{uri} did not build an NVMe controller"),
            }
        }

        /// Submits `cmd`: its status and data-in.
        fn submit<C: NvmeCommand>(ctrl: &mut Nvme, cmd: &C) -> (NvmeStatus, Vec<u8>) {
            let (done, data_in) = testing::submit(ctrl, cmd);
            (done.status, data_in)
        }

        /// A Command Specific status of Firmware Commit (Base 2.0 5.13).
        fn specific(sc: u8, dnr: bool) -> NvmeStatus {
            NvmeStatus {
                sct: sct::COMMAND_SPECIFIC,
                sc,
                dnr,
                ..NvmeStatus::SUCCESS
            }
        }

        /// Invalid Firmware Image, DNR set.
        const INVALID_IMAGE: u8 = 0x07;
        /// Firmware Activation Requires Controller Level Reset.
        const NEEDS_CONTROLLER_RESET: u8 = 0x11;

        fn running(ctrl: &mut Nvme) -> String {
            let cmd = IdentifyController::controller();
            let (status, data) = submit(ctrl, &cmd);
            assert_eq!(status, NvmeStatus::SUCCESS);
            cmd.decode(0, &data).unwrap().fr
        }

        /// Downloads `image` in 4 KiB pieces (FWUG 01h), skipping the pieces `skip` names.
        fn download(ctrl: &mut Nvme, image: &[u8], skip: impl Fn(usize) -> bool) {
            for (i, piece) in image.chunks(4096).enumerate().filter(|(i, _)| !skip(*i)) {
                let cmd = FirmwareImageDownload::new((i * 4096) as u64, piece).unwrap();
                assert_eq!(submit(ctrl, &cmd).0, NvmeStatus::SUCCESS);
            }
        }

        fn commit(ctrl: &mut Nvme, ca: CommitAction) -> NvmeStatus {
            submit(ctrl, &FirmwareCommit::new(2, ca, false).unwrap()).0
        }

        fn image_of(fr: &[u8; 8]) -> Vec<u8> {
            image::NVME.build(&String::from_utf8_lossy(fr), &[0x5a; 3 * 4096])
        }

        fn read_lba_0(ctrl: &mut Nvme) -> NvmeStatus {
            submit(ctrl, &nvm::Read::new(1, 0, 1, 512).unwrap()).0
        }

        #[test]
        fn fw_reject_image_answers_invalid_firmware_image() {
            let mut ctrl = nvme("sim:nvme,fw-reject-image?size=1M");
            download(&mut ctrl, &image_of(b"2.0     "), |_| false);
            let status = commit(&mut ctrl, CommitAction::ReplaceAndActivate);
            assert_eq!(status, specific(INVALID_IMAGE, true));
            ctrl.reset(ResetKind::ControllerLevel).unwrap();
            assert_eq!(running(&mut ctrl), "1.0");

            let mut honest = nvme("sim:nvme?size=1M");
            download(&mut honest, &image_of(b"2.0     "), |_| false);
            let status = commit(&mut honest, CommitAction::ReplaceAndActivate);
            assert_eq!(status, NvmeStatus::SUCCESS);
        }

        #[test]
        fn fw_needs_reset_asks_for_a_controller_level_reset() {
            let mut ctrl = nvme("sim:nvme,fw-needs-reset?size=1M");
            for (ca, fr) in [
                (CommitAction::ReplaceAndActivate, b"2.1     "),
                (CommitAction::ReplaceAndActivateImmediately, b"2.3     "),
            ] {
                download(&mut ctrl, &image_of(fr), |_| false);
                let status = commit(&mut ctrl, ca);
                assert_eq!(status, specific(NEEDS_CONTROLLER_RESET, false), "{ca:?}");
                assert_eq!(
                    status.class(),
                    cdb::nvme::StatusClass::NeedsReset {
                        reset: ResetKind::ControllerLevel
                    }
                );
                let before = running(&mut ctrl);
                assert_ne!(before.as_bytes(), fr.trim_ascii_end(), "not active yet");
                ctrl.reset(ResetKind::ControllerLevel).unwrap();
                assert_eq!(running(&mut ctrl).as_bytes(), fr.trim_ascii_end());
            }
            let status = commit(&mut ctrl, CommitAction::Activate);
            assert_eq!(status, specific(NEEDS_CONTROLLER_RESET, false));

            let mut honest = nvme("sim:nvme?size=1M");
            download(&mut honest, &image_of(b"2.3     "), |_| false);
            let status = commit(&mut honest, CommitAction::ReplaceAndActivateImmediately);
            assert_eq!(status, NvmeStatus::SUCCESS);
            assert_eq!(running(&mut honest), "2.3");
        }

        #[test]
        fn fw_brick_on_truncated_is_not_ready_until_a_valid_image_is_committed() {
            let mut ctrl = nvme("sim:nvme,fw-brick-on-truncated?size=1M");
            assert_eq!(read_lba_0(&mut ctrl), NvmeStatus::SUCCESS);
            // The second of four pieces never arrives.
            download(&mut ctrl, &image_of(b"2.4     "), |i| i == 1);
            let status = commit(&mut ctrl, CommitAction::ReplaceAndActivate);
            assert_eq!(status, specific(INVALID_IMAGE, true));
            // Namespace Not Ready (NVM Command Set 1.0), DNR set.
            let not_ready = NvmeStatus {
                sc: 0x82,
                dnr: true,
                ..NvmeStatus::SUCCESS
            };
            assert_eq!(read_lba_0(&mut ctrl), not_ready);
            let data = [7u8; 512];
            let write = nvm::Write::new(1, 0, &data, 512).unwrap();
            assert_eq!(submit(&mut ctrl, &write).0, not_ready);
            assert_eq!(submit(&mut ctrl, &nvm::Flush::new(1).unwrap()).0, not_ready);
            // A reset does not help; admin commands still work.
            ctrl.reset(ResetKind::ControllerLevel).unwrap();
            assert_eq!(read_lba_0(&mut ctrl), not_ready);
            assert_eq!(running(&mut ctrl), "1.0");
            download(&mut ctrl, &image_of(b"2.5     "), |_| false);
            let status = commit(&mut ctrl, CommitAction::ReplaceAndActivate);
            assert_eq!(status, NvmeStatus::SUCCESS);
            assert_eq!(read_lba_0(&mut ctrl), NvmeStatus::SUCCESS);

            let mut honest = nvme("sim:nvme?size=1M");
            download(&mut honest, &image_of(b"2.4     "), |i| i == 1);
            let status = commit(&mut honest, CommitAction::ReplaceAndActivate);
            assert_eq!(status, specific(INVALID_IMAGE, true));
            assert_eq!(read_lba_0(&mut honest), NvmeStatus::SUCCESS);
        }

        #[test]
        fn a_download_that_stops_early_is_truncated_too() {
            // No gap: the last of four pieces is simply never sent, so only the length
            // the image's header declares shows that the image is incomplete.
            let mut ctrl = nvme("sim:nvme,fw-brick-on-truncated?size=1M");
            download(&mut ctrl, &image_of(b"2.6     "), |i| i == 3);
            let status = commit(&mut ctrl, CommitAction::ReplaceAndActivate);
            assert_eq!(status, specific(INVALID_IMAGE, true));
            assert_eq!(read_lba_0(&mut ctrl).sc, 0x82, "Namespace Not Ready");
            assert_eq!(running(&mut ctrl), "1.0");
        }
    }

    #[test]
    fn usb_puts_the_disk_or_bridge_behind_a_mass_storage_interface() {
        use crate::usb::device::UsbDevice;
        use cdb::usb::descriptor::{DeviceDescriptor, DEVICE};
        use cdb::usb::request::SetupPacket;
        let identity = |uri: &str| {
            let Ok(SimDevice::Usb(mut device)) = SimSpec::parse(uri).unwrap().build() else {
                panic!("{uri} is not a USB device");
            };
            let bytes = device
                .control_in(SetupPacket::get_descriptor(DEVICE, 0, 0, 18))
                .unwrap();
            let descriptor = DeviceDescriptor::parse(&bytes).unwrap();
            (descriptor.id_vendor, descriptor.id_product, device.speed())
        };
        assert_eq!(
            identity("sim:?usb=bot&speed=high&size=1M"),
            (0x46f4, 0x0001, crate::usb::device::Speed::High)
        );
        // The bridge keeps its chip's VID:PID (ASMedia ASM236x).
        assert_eq!(
            identity("sim:bridge-asmedia?usb=dual&size=1M"),
            (0x174c, 0x2362, crate::usb::device::Speed::Super)
        );
    }
}

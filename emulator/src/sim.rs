//! Builds the device a [`SimSpec`] names: media, write cache, fault profile and the SCSI
//! target or NVMe controller on top — what `sim:` URIs open.

use crate::block::{BlockDevice, BlockError};
use crate::fault::FaultyDevice;
use crate::nvme::{Config, Controller, ControllerError};
use crate::sbc::{Disk, Identity, Target};
use crate::store::{CachedDevice, FileMedium, Medium, RamMedium};
use crate::uri::{Kind, MediumSpec, SimSpec};
use std::fmt;

/// The block device under every emulated logical unit or namespace.
pub type SimBlocks = Box<dyn BlockDevice + Send>;

/// An emulated device, ready for a transport.
pub enum SimDevice {
    /// An SBC disk target with `luns` logical units.
    Scsi(Target),
    /// An NVMe controller with one namespace (boxed: it carries its firmware state).
    Nvme(Box<Controller<SimBlocks>>),
}

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
    /// firmware update (NVMe Base 2.0 5.13) behaves as the profile says.
    pub fn build(&self) -> Result<SimDevice, SimError> {
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
                Controller::new(self.blocks(0)?, config)
                    .map(|controller| SimDevice::Nvme(Box::new(controller)))
                    .map_err(SimError::Controller)
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
    use cdb::command::{DataPhase, ScsiCommand};
    use cdb::scsi::sbc::lba_cdb::Ten;
    use cdb::scsi::sbc::read_write::{Read, RwOptions, Write};
    use cdb::scsi::sbc::synchronize_cache::SynchronizeCache;
    use cdb::scsi::spc::inquiry::{Inquiry, InquiryData};
    use cdb::scsi::status::Status;

    fn scsi(uri: &str) -> Target {
        match SimSpec::parse(uri).unwrap().build().unwrap() {
            SimDevice::Scsi(target) => target,
            SimDevice::Nvme(_) => panic!("{uri} built an NVMe controller"),
        }
    }

    /// Runs a typed command on LUN `lun`, returning status and data-in.
    fn run<C: ScsiCommand>(target: &mut Target, lun: u16, cmd: &C) -> (Status, Vec<u8>) {
        let (out, in_len) = match cmd.data_phase() {
            DataPhase::Out(data) => (data.to_vec(), 0),
            DataPhase::In(n) => (Vec::new(), n as usize),
            DataPhase::None => (Vec::new(), 0),
        };
        let mut data_in = vec![0; in_len];
        let done = target.execute(lun, cmd.cdb().as_bytes(), &out, &mut data_in);
        data_in.truncate(done.data_in_len);
        (done.status, data_in)
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
}

//! Named fault profiles: devices that break the promises of SBC-4 4.15 and NVMe Base 2.0
//! 5.27.1.4 (write caching, FUA, flush) in the ways field failures do, deterministically
//! for a seed, so scsitool's `verify` and tests can reproduce them on demand; and devices
//! whose firmware update (SPC-5 6.49 WRITE BUFFER, NVMe Base 2.0 5.13 Firmware Commit)
//! fails the way drives in the field do.
//!
//! The bridge profiles put a USB–NVMe bridge chip ([`crate::bridge`]) in front of the
//! NVMe controller; they keep every block-level promise.
//!
//! [`Profile`] names each one and says what it imitates; [`FaultyDevice`] applies a
//! profile's behaviour to any [`BlockDevice`], and [`Profile::power_cut`] gives the
//! [`PowerCut`] policy a power cut follows. The firmware profiles keep every block-level
//! promise: their faults are in [`Profile::microcode`] and [`Profile::firmware`].

use crate::block::{BlockDevice, BlockError};
use crate::image;
use crate::nvme::FirmwareConfig;
use crate::rng::SplitMix64;
use crate::sbc::{Activation, MicrocodeConfig};
use crate::store::PowerCut;
use cdb::nvme::ResetKind;
use std::time::Duration;

/// A named fault profile of the block layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Profile {
    /// Keeps every promise.
    Honest,
    /// Acknowledges SYNCHRONIZE CACHE / Flush without making cached data durable.
    LyingFlush,
    /// Treats FUA writes as ordinary cached writes.
    FuaIgnored,
    /// Lands one write in every [`Profile::MISDIRECT_EVERY`] on another LBA.
    Misdirected,
    /// Tears multi-block writes at a power cut: a prefix persists, the rest is lost.
    Torn,
    /// Flips one stored bit in one write in every [`Profile::BITROT_EVERY`].
    Bitrot,
    /// Keeps its promises, but every flush takes [`Profile::SLOW_FLUSH`].
    SlowFlush,
    /// Persists an arbitrary subset of cached writes at a power cut, in any order.
    Reorder,
    /// Rejects every firmware image: INVALID FIELD IN PARAMETER LIST (26h/00h) at the end
    /// of a WRITE BUFFER download (SPC-5 6.49), Invalid Firmware Image at Firmware Commit
    /// (NVMe Base 2.0 5.13).
    FwRejectImage,
    /// Activates new firmware only at a reset: SCSI ACTIVATE MICROCODE 10b (SPC-5 7.7.7),
    /// NVMe Firmware Activation Requires Controller Level Reset (Base 2.0 5.13).
    FwNeedsReset,
    /// A truncated firmware download leaves the device unusable for media access until a
    /// valid image is installed (SCSI NOT READY 04h/1Fh, NVMe Namespace Not Ready).
    FwBrickOnTruncated,
    /// A plain USB–NVMe bridge in front of the NVMe controller: SCSI translated to NVMe,
    /// no vendor tunnel, WRITE BUFFER rejected with 20h/00h, and a SAT layer that reads
    /// ATA PASS-THROUGH PROTOCOL 0 as a hardware reset ([`crate::bridge::Model::NoWriteBuffer`]).
    BridgeNoWriteBuffer,
    /// An ASMedia ASM2362 bridge: the E6h tunnel ([`crate::bridge::Model::Asmedia`]).
    BridgeAsmedia,
    /// A Realtek RTL9210 bridge: the E4h tunnel with stale log data past 512 bytes
    /// ([`crate::bridge::Model::Realtek`]).
    BridgeRealtek,
    /// A JMicron JMS583 bridge: the three-step A1h tunnel, data-out included
    /// ([`crate::bridge::Model::Jmicron`]).
    BridgeJmicron,
}

impl Profile {
    /// Every profile, in the order `scsitool sim profiles` lists them.
    pub const ALL: [Profile; 15] = [
        Profile::Honest,
        Profile::LyingFlush,
        Profile::FuaIgnored,
        Profile::Misdirected,
        Profile::Torn,
        Profile::Bitrot,
        Profile::SlowFlush,
        Profile::Reorder,
        Profile::FwRejectImage,
        Profile::FwNeedsReset,
        Profile::FwBrickOnTruncated,
        Profile::BridgeNoWriteBuffer,
        Profile::BridgeAsmedia,
        Profile::BridgeRealtek,
        Profile::BridgeJmicron,
    ];

    /// How often `misdirected` misplaces a write: one in this many.
    pub const MISDIRECT_EVERY: u64 = 16;
    /// How often `bitrot` corrupts a write: one in this many.
    pub const BITROT_EVERY: u64 = 16;
    /// How long a `slow-flush` flush takes.
    pub const SLOW_FLUSH: Duration = Duration::from_millis(20);

    /// The profile's name in device URIs (`sim:lying-flush`).
    pub fn name(self) -> &'static str {
        match self {
            Profile::Honest => "honest",
            Profile::LyingFlush => "lying-flush",
            Profile::FuaIgnored => "fua-ignored",
            Profile::Misdirected => "misdirected",
            Profile::Torn => "torn",
            Profile::Bitrot => "bitrot",
            Profile::SlowFlush => "slow-flush",
            Profile::Reorder => "reorder",
            Profile::FwRejectImage => "fw-reject-image",
            Profile::FwNeedsReset => "fw-needs-reset",
            Profile::FwBrickOnTruncated => "fw-brick-on-truncated",
            Profile::BridgeNoWriteBuffer => "bridge-no-write-buffer",
            Profile::BridgeAsmedia => "bridge-asmedia",
            Profile::BridgeRealtek => "bridge-realtek",
            Profile::BridgeJmicron => "bridge-jmicron",
        }
    }

    /// One line saying what the profile does and which field failure it imitates.
    pub fn imitates(self) -> &'static str {
        match self {
            Profile::Honest => "a correct device: flush, FUA and write-cache-off make data durable",
            Profile::LyingFlush => {
                "acknowledges SYNCHRONIZE CACHE/Flush without persisting (the SCSI HBA DEXT bug)"
            }
            Profile::FuaIgnored => {
                "completes FUA writes from volatile cache (firmware ignoring FUA)"
            }
            Profile::Misdirected => {
                "one write in 16 lands on another LBA, the intended one keeps old data"
            }
            Profile::Torn => "a power cut persists only a prefix of multi-block writes in flight",
            Profile::Bitrot => "one write in 16 is stored with a flipped bit (silent corruption)",
            Profile::SlowFlush => "flushes take 20 ms each (a device that really flushes, slowly)",
            Profile::Reorder => {
                "a power cut persists an arbitrary subset of cached writes (unserializable loss)"
            }
            Profile::FwRejectImage => {
                "rejects every firmware image (SCSI 26/00, NVMe Invalid Firmware Image)"
            }
            Profile::FwNeedsReset => {
                "new firmware activates only at the next reset (SCSI hard reset, NVMe controller reset)"
            }
            Profile::FwBrickOnTruncated => {
                "a truncated firmware download bricks media access (SCSI 04/1F, NVMe Namespace Not Ready)"
            }
            Profile::BridgeNoWriteBuffer => {
                "a plain USB-NVMe bridge: no NVMe tunnel, WRITE BUFFER gets 20/00, ATA PASS-THROUGH protocol 0 resets the drive"
            }
            Profile::BridgeAsmedia => {
                "ASMedia ASM2362 USB-NVMe bridge (174c:2362): E6h tunnel, Identify and Get Log Page only, no status"
            }
            Profile::BridgeRealtek => {
                "Realtek RTL9210 USB-NVMe bridge (0bda:9210): E4h tunnel, log bytes past 512 are stale"
            }
            Profile::BridgeJmicron => {
                "JMicron JMS583 USB-NVMe bridge (152d:0583): three-step A1h tunnel with data-out (firmware download)"
            }
        }
    }

    /// The bridge a bridge profile puts in front of the NVMe controller, or `None` for a
    /// device profile. A `sim:` URI takes at most one of each.
    pub fn bridge(self) -> Option<crate::bridge::Model> {
        use crate::bridge::Model;
        match self {
            Profile::BridgeNoWriteBuffer => Some(Model::NoWriteBuffer),
            Profile::BridgeAsmedia => Some(Model::Asmedia),
            Profile::BridgeRealtek => Some(Model::Realtek),
            Profile::BridgeJmicron => Some(Model::Jmicron),
            _ => None,
        }
    }

    /// The profile named `name`, if any.
    pub fn from_name(name: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.name() == name)
    }

    /// How the SCSI disk's microcode download behaves (SPC-5 6.49): `fw-reject-image`
    /// refuses every image, `fw-needs-reset` activates modes 05h and 07h at the next hard
    /// reset, `fw-brick-on-truncated` bricks on a truncated download; others are correct.
    pub fn microcode(self) -> MicrocodeConfig {
        let honest = MicrocodeConfig::default();
        match self {
            Profile::FwRejectImage => MicrocodeConfig {
                validate: image::refuse,
                ..honest
            },
            Profile::FwNeedsReset => MicrocodeConfig {
                activation: Activation::AtHardReset,
                ..honest
            },
            Profile::FwBrickOnTruncated => MicrocodeConfig {
                brick_on_truncated: true,
                ..honest
            },
            _ => honest,
        }
    }

    /// How the NVMe controller's firmware update behaves (Base 2.0 5.13, 5.14):
    /// `fw-reject-image` answers Invalid Firmware Image to every image, `fw-needs-reset`
    /// needs a Controller Level Reset for Commit Actions 001b–011b, `fw-brick-on-truncated`
    /// bricks on a commit of an incomplete image; others are correct.
    pub fn firmware(self) -> FirmwareConfig {
        let honest = FirmwareConfig::default();
        match self {
            Profile::FwRejectImage => FirmwareConfig {
                validate: image::refuse,
                ..honest
            },
            Profile::FwNeedsReset => FirmwareConfig {
                reset_required: Some(ResetKind::ControllerLevel),
                ..honest
            },
            Profile::FwBrickOnTruncated => FirmwareConfig {
                brick_on_incomplete: true,
                ..honest
            },
            _ => honest,
        }
    }

    /// What a power cut keeps on a device with this profile.
    pub fn power_cut(self, seed: u64) -> PowerCut {
        match self {
            Profile::Torn => PowerCut::Tear { seed },
            Profile::Reorder => PowerCut::KeepSome { seed },
            _ => PowerCut::LoseAll,
        }
    }
}

/// A block device that misbehaves as its [`Profile`] says.
#[derive(Debug)]
pub struct FaultyDevice<D> {
    inner: D,
    profile: Profile,
    rng: SplitMix64,
    writes: u64,
}

impl<D: BlockDevice> FaultyDevice<D> {
    /// Wraps `inner`; `seed` decides where misdirected writes land and which bits rot.
    pub fn new(inner: D, profile: Profile, seed: u64) -> Self {
        FaultyDevice {
            inner,
            profile,
            rng: SplitMix64(seed),
            writes: 0,
        }
    }

    /// The profile in effect.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// Another LBA for a write of `blocks` blocks at `lba`, or `None` if the medium has no
    /// other place for it.
    fn misdirect(&mut self, lba: u64, blocks: u64) -> Option<u64> {
        let places = self.inner.block_count().checked_sub(blocks)?;
        if places == 0 {
            return None;
        }
        // Any start in 0..=places other than `lba`.
        let pick = self.rng.next() % places;
        Some(if pick >= lba { pick + 1 } else { pick })
    }
}

impl<D: BlockDevice> BlockDevice for FaultyDevice<D> {
    fn block_size(&self) -> u32 {
        self.inner.block_size()
    }

    fn block_count(&self) -> u64 {
        self.inner.block_count()
    }

    fn read(&mut self, lba: u64, buf: &mut [u8]) -> Result<(), BlockError> {
        self.inner.read(lba, buf)
    }

    fn write(&mut self, lba: u64, data: &[u8], fua: bool) -> Result<(), BlockError> {
        let blocks =
            crate::block::check_range(lba, data.len(), self.block_size(), self.block_count())?;
        self.writes += 1;
        let nth = |every: u64| self.writes % every == 0;
        match self.profile {
            Profile::FuaIgnored => self.inner.write(lba, data, false),
            Profile::Misdirected if nth(Profile::MISDIRECT_EVERY) => {
                let target = self.misdirect(lba, blocks).unwrap_or(lba);
                self.inner.write(target, data, fua)
            }
            Profile::Bitrot if nth(Profile::BITROT_EVERY) && !data.is_empty() => {
                let mut rotten = data.to_vec();
                let bit = self.rng.next() % (rotten.len() as u64 * 8);
                rotten[(bit / 8) as usize] ^= 1 << (bit % 8);
                self.inner.write(lba, &rotten, fua)
            }
            _ => self.inner.write(lba, data, fua),
        }
    }

    fn flush(&mut self) -> Result<(), BlockError> {
        match self.profile {
            Profile::LyingFlush => Ok(()),
            Profile::SlowFlush => {
                std::thread::sleep(Profile::SLOW_FLUSH);
                self.inner.flush()
            }
            _ => self.inner.flush(),
        }
    }

    fn write_cache_enabled(&self) -> bool {
        self.inner.write_cache_enabled()
    }

    fn set_write_cache(&mut self, enabled: bool) -> Result<(), BlockError> {
        self.inner.set_write_cache(enabled)
    }

    fn lose_power(&mut self) -> Result<(), BlockError> {
        self.inner.lose_power()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{CachedDevice, RamMedium};

    const BS: usize = 512;
    const BLOCKS: u64 = 256;

    fn device(profile: Profile) -> FaultyDevice<CachedDevice<RamMedium>> {
        let cached = CachedDevice::new(RamMedium::new(BLOCKS * BS as u64), BS as u32)
            .unwrap()
            .with_power_cut(profile.power_cut(7));
        FaultyDevice::new(cached, profile, 7)
    }

    fn block(byte: u8) -> Vec<u8> {
        vec![byte; BS]
    }

    fn read(dev: &mut FaultyDevice<CachedDevice<RamMedium>>, lba: u64) -> Vec<u8> {
        let mut buf = block(0);
        dev.read(lba, &mut buf).unwrap();
        buf
    }

    fn cut(dev: &mut FaultyDevice<CachedDevice<RamMedium>>) {
        dev.lose_power().unwrap();
    }

    #[test]
    fn names_round_trip_and_are_unique() {
        for profile in Profile::ALL {
            assert_eq!(Profile::from_name(profile.name()), Some(profile));
            assert!(!profile.imitates().is_empty());
        }
        assert_eq!(Profile::from_name("no-such"), None);
    }

    #[test]
    fn honest_flush_survives_a_power_cut_and_lying_flush_does_not() {
        for (profile, survives) in [(Profile::Honest, true), (Profile::LyingFlush, false)] {
            let mut dev = device(profile);
            dev.write(3, &block(0xAB), false).unwrap();
            dev.flush().unwrap();
            cut(&mut dev);
            assert_eq!(read(&mut dev, 3) == block(0xAB), survives, "{profile:?}");
        }
    }

    #[test]
    fn fua_ignored_loses_fua_writes() {
        for (profile, survives) in [(Profile::Honest, true), (Profile::FuaIgnored, false)] {
            let mut dev = device(profile);
            dev.write(5, &block(0xCD), true).unwrap();
            cut(&mut dev);
            assert_eq!(read(&mut dev, 5) == block(0xCD), survives, "{profile:?}");
        }
    }

    #[test]
    fn misdirected_lands_the_nth_write_elsewhere() {
        let mut dev = device(Profile::Misdirected);
        for lba in 0..Profile::MISDIRECT_EVERY {
            dev.write(lba, &block(lba as u8 + 1), false).unwrap();
        }
        let last = Profile::MISDIRECT_EVERY - 1;
        // The intended LBA keeps its old (zero) data; the data is somewhere else.
        assert_eq!(read(&mut dev, last), block(0));
        let landed: Vec<u64> = (0..BLOCKS)
            .filter(|&lba| read(&mut dev, lba) == block(last as u8 + 1))
            .collect();
        assert_eq!(landed.len(), 1);
        assert_ne!(landed[0], last);
        // Every other write is where it was sent, unless the misdirected one overwrote it.
        for lba in (0..last).filter(|lba| !landed.contains(lba)) {
            assert_eq!(read(&mut dev, lba), block(lba as u8 + 1));
        }
    }

    #[test]
    fn bitrot_flips_exactly_one_bit_of_the_nth_write() {
        let mut dev = device(Profile::Bitrot);
        for lba in 0..Profile::BITROT_EVERY {
            dev.write(lba, &block(0x55), false).unwrap();
        }
        let flipped: u32 = (0..Profile::BITROT_EVERY)
            .map(|lba| {
                read(&mut dev, lba)
                    .iter()
                    .map(|b| (b ^ 0x55).count_ones())
                    .sum::<u32>()
            })
            .sum();
        assert_eq!(flipped, 1);
        assert_ne!(read(&mut dev, Profile::BITROT_EVERY - 1), block(0x55));
    }

    #[test]
    fn slow_flush_takes_its_time_and_keeps_its_promise() {
        let mut dev = device(Profile::SlowFlush);
        dev.write(1, &block(0x11), false).unwrap();
        let start = std::time::Instant::now();
        dev.flush().unwrap();
        assert!(start.elapsed() >= Profile::SLOW_FLUSH);
        cut(&mut dev);
        assert_eq!(read(&mut dev, 1), block(0x11));
    }

    #[test]
    fn torn_and_reorder_choose_their_power_cut() {
        assert_eq!(Profile::Torn.power_cut(3), PowerCut::Tear { seed: 3 });
        assert_eq!(
            Profile::Reorder.power_cut(3),
            PowerCut::KeepSome { seed: 3 }
        );
        assert_eq!(Profile::LyingFlush.power_cut(3), PowerCut::LoseAll);
        let mut dev = device(Profile::Torn);
        let data: Vec<u8> = (0..8).flat_map(|i| block(i + 1)).collect();
        dev.write(10, &data, false).unwrap();
        cut(&mut dev);
        let kept = (10..18)
            .filter(|&lba| read(&mut dev, lba) != block(0))
            .count();
        assert!(
            (1..8).contains(&kept),
            "a torn write keeps a proper prefix: {kept}"
        );
    }

    #[test]
    fn bad_ranges_are_refused_before_any_fault() {
        let mut dev = device(Profile::Misdirected);
        assert!(dev.write(BLOCKS, &block(1), false).is_err());
        assert!(dev.write(0, &[1, 2, 3], false).is_err());
    }
}

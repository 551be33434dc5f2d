//! `sim:` device URIs: which emulated device to build, with which fault profile, medium
//! and options.
//!
//! Grammar: `sim:` then comma-separated parts, then optional `?key=value&...` options.
//! - parts: `scsi` (the default) or `nvme`; a device fault profile name
//!   ([`Profile::name`]); a bridge profile (`bridge-...`, [`Profile::bridge`]), which puts
//!   a USB–NVMe bridge in front of an NVMe controller and may come with one device
//!   profile; a path (containing `/`) to a file-backed medium whose durable layer
//!   outlives the process.
//! - options: `size` (bytes, with K/M/G/T binary suffixes; default 1G), `bs` (logical
//!   block size, a power of two from 512 to 65536; default 512), `luns` (SCSI only,
//!   default 1), `seed` (fault and power-cut seed, default 0), `vendor`, `product`,
//!   `serial` (identity), `wce` (`on`/`off`: the write cache at power-on; default on).
//! - USB options: `usb` (`bot`, `uas` or `dual`: put the SCSI disk or the bridge behind a
//!   USB mass-storage interface with those alternate settings, [`Layout`]), `speed`
//!   (`high` or `super`, the default), `uas-quirk` (a UAS field quirk, [`Quirk::name`];
//!   several joined by `+`).
//!
//! Examples: `sim:`, `sim:nvme`, `sim:lying-flush`, `sim:nvme,torn?seed=7`,
//! `sim:/tmp/disk.img?size=64M&bs=4096`, `sim:bridge-jmicron,fw-needs-reset`,
//! `sim:bridge-asmedia,lying-flush?size=64M`, `sim:?usb=bot`,
//! `sim:bridge-asmedia?usb=dual&speed=high&uas-quirk=drop-unknown-data-phase`.

use crate::bridge::Model;
use crate::fault::Profile;
use crate::usb::device::{Layout, Speed};
use crate::usb::Quirk;
use std::fmt;
use std::path::PathBuf;

/// Which device a `sim:` URI names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An SBC direct-access disk behind a SCSI target (SBC-4).
    Scsi,
    /// An NVMe controller with one namespace (NVMe Base 2.0).
    Nvme,
}

/// Where the durable layer lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediumSpec {
    /// Sparse RAM: gone when the process ends.
    Ram,
    /// A host file: what was durable survives the process (and a SIGKILL).
    File(PathBuf),
}

/// A parsed `sim:` URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimSpec {
    /// SCSI disk or NVMe controller.
    pub kind: Kind,
    /// The device fault profile (never a bridge profile).
    pub profile: Profile,
    /// The USB–NVMe bridge in front of the NVMe controller, if a bridge profile was named.
    pub bridge: Option<Model>,
    /// RAM or a file.
    pub medium: MediumSpec,
    /// Capacity in bytes (a whole number of blocks).
    pub size: u64,
    /// Logical block size in bytes.
    pub block_size: u32,
    /// Number of logical units (SCSI).
    pub luns: u16,
    /// Seed of every fault and power-cut choice.
    pub seed: u64,
    /// Identity overrides: vendor (SCSI) .
    pub vendor: Option<String>,
    /// Product (SCSI) or model number (NVMe).
    pub product: Option<String>,
    /// Serial number.
    pub serial: Option<String>,
    /// Whether the volatile write cache is on at power-on.
    pub write_cache: bool,
    /// The USB mass-storage interface in front of the target, if any.
    pub usb: Option<UsbSpec>,
}

/// A USB mass-storage interface in front of a `sim:` target (USB MSC Overview 1.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsbSpec {
    /// The alternate settings: Bulk-Only, UAS or both.
    pub layout: Layout,
    /// The bus speed.
    pub speed: Speed,
    /// The UAS face's field quirks.
    pub quirks: Vec<Quirk>,
}

/// Why a `sim:` URI was refused; names the offending part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UriError(String);

impl fmt::Display for UriError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UriError {}

/// The default capacity: 1 GiB.
pub const DEFAULT_SIZE: u64 = 1 << 30;

impl Default for SimSpec {
    fn default() -> Self {
        SimSpec {
            kind: Kind::Scsi,
            profile: Profile::Honest,
            bridge: None,
            medium: MediumSpec::Ram,
            size: DEFAULT_SIZE,
            block_size: 512,
            luns: 1,
            seed: 0,
            vendor: None,
            product: None,
            serial: None,
            write_cache: true,
            usb: None,
        }
    }
}

impl SimSpec {
    /// Parses a `sim:` URI.
    pub fn parse(uri: &str) -> Result<SimSpec, UriError> {
        let rest = uri
            .strip_prefix("sim:")
            .ok_or_else(|| UriError(format!("'{uri}' is not a sim: URI")))?;
        let (parts, options) = rest.split_once('?').unwrap_or((rest, ""));
        let mut spec = SimSpec::default();
        let mut profile_given = false;
        let mut scsi_given = false;
        for part in parts.split(',').filter(|p| !p.is_empty()) {
            if part.contains('/') {
                if spec.medium != MediumSpec::Ram {
                    return Err(UriError(format!("sim: names two files ('{part}')")));
                }
                spec.medium = MediumSpec::File(PathBuf::from(part));
            } else if part == "scsi" {
                spec.kind = Kind::Scsi;
                scsi_given = true;
            } else if part == "nvme" {
                spec.kind = Kind::Nvme;
            } else if let Some(model) = Profile::from_name(part).and_then(Profile::bridge) {
                if spec.bridge.is_some() {
                    return Err(UriError(format!("sim: names two bridges ('{part}')")));
                }
                spec.bridge = Some(model);
            } else if let Some(profile) = Profile::from_name(part) {
                if profile_given {
                    return Err(UriError(format!(
                        "sim: names two fault profiles ('{part}')"
                    )));
                }
                spec.profile = profile;
                profile_given = true;
            } else {
                let names: Vec<&str> = Profile::ALL.iter().map(|p| p.name()).collect();
                return Err(UriError(format!(
                    "unknown sim: part '{part}': expected scsi, nvme, a path containing '/', \
                     or a fault profile ({})",
                    names.join(", ")
                )));
            }
        }
        if spec.bridge.is_some() {
            if scsi_given {
                return Err(UriError(
                    "a sim: bridge fronts an NVMe controller; drop scsi".into(),
                ));
            }
            spec.kind = Kind::Nvme;
        }
        let mut usb = UsbOptions::default();
        for option in options.split('&').filter(|o| !o.is_empty()) {
            let (key, value) = option
                .split_once('=')
                .ok_or_else(|| UriError(format!("sim: option '{option}' has no '=value'")))?;
            if !usb.set(key, value)? {
                spec.set_option(key, value)?;
            }
        }
        spec.usb = usb.spec()?;
        spec.check()?;
        Ok(spec)
    }

    /// Applies one `key=value` option.
    fn set_option(&mut self, key: &str, value: &str) -> Result<(), UriError> {
        let bad = |what: &str| UriError(format!("sim: option {key}={value}: {what}"));
        match key {
            "size" => {
                self.size = parse_size(value).ok_or_else(|| bad("not a size like 64M or 4G"))?
            }
            "bs" => {
                self.block_size = value
                    .parse()
                    .ok()
                    .filter(|bs: &u32| bs.is_power_of_two() && (512..=65536).contains(bs))
                    .ok_or_else(|| bad("a power of two from 512 to 65536"))?
            }
            "luns" => {
                self.luns = value
                    .parse()
                    .ok()
                    .filter(|&n: &u16| n >= 1 && usize::from(n) <= crate::sbc::MAX_LUNS)
                    .ok_or_else(|| bad("a number of logical units from 1 to 16384"))?
            }
            "seed" => self.seed = value.parse().map_err(|_| bad("not a number"))?,
            "vendor" => self.vendor = Some(value.to_string()),
            "product" => self.product = Some(value.to_string()),
            "serial" => self.serial = Some(value.to_string()),
            "wce" => {
                self.write_cache = match value {
                    "on" => true,
                    "off" => false,
                    _ => return Err(bad("on or off")),
                }
            }
            _ => {
                return Err(UriError(format!(
                    "unknown sim: option '{key}': expected size, bs, luns, seed, vendor, \
                     product, serial, wce, usb, speed or uas-quirk"
                )))
            }
        }
        Ok(())
    }

    /// Checks the combination of options.
    fn check(&self) -> Result<(), UriError> {
        let bs = u64::from(self.block_size);
        if self.size == 0 || self.size % bs != 0 {
            return Err(UriError(format!(
                "sim: size {} is not a positive multiple of the {bs}-byte block size",
                self.size
            )));
        }
        if self.kind == Kind::Nvme && self.luns != 1 {
            return Err(UriError(
                "sim:nvme and bridges have one namespace; luns= is for SCSI".into(),
            ));
        }
        if self.usb.is_some() && self.kind == Kind::Nvme && self.bridge.is_none() {
            return Err(UriError(
                "sim:nvme is not a USB device; put a bridge (bridge-...) in front of it for usb="
                    .into(),
            ));
        }
        if self.luns != 1 && self.medium != MediumSpec::Ram {
            return Err(UriError(
                "a file-backed sim: medium holds one logical unit; drop luns=".into(),
            ));
        }
        Ok(())
    }
}

/// The USB options as given, before they are checked together.
#[derive(Debug, Default)]
struct UsbOptions {
    layout: Option<Layout>,
    speed: Option<Speed>,
    quirks: Vec<Quirk>,
}

impl UsbOptions {
    /// Takes `key=value` if it is a USB option; false when it is not one.
    fn set(&mut self, key: &str, value: &str) -> Result<bool, UriError> {
        let bad = |what: &str| UriError(format!("sim: option {key}={value}: {what}"));
        match key {
            "usb" => {
                self.layout = Some(match value {
                    "bot" => Layout::Bot,
                    "uas" => Layout::Uas,
                    "dual" => Layout::Dual,
                    _ => return Err(bad("bot, uas or dual")),
                })
            }
            "speed" => {
                self.speed = Some(match value {
                    "high" => Speed::High,
                    "super" => Speed::Super,
                    _ => return Err(bad("high or super")),
                })
            }
            "uas-quirk" => {
                for name in value.split('+') {
                    let names: Vec<&str> = Quirk::ALL.iter().map(|q| q.name()).collect();
                    let quirk = Quirk::from_name(name).ok_or_else(|| {
                        bad(&format!(
                            "unknown quirk '{name}': expected {}",
                            names.join(", ")
                        ))
                    })?;
                    self.quirks.push(quirk);
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The interface, if `usb=` was given; `speed` and `uas-quirk` need it, and quirks
    /// need a UAS alternate.
    fn spec(self) -> Result<Option<UsbSpec>, UriError> {
        let Some(layout) = self.layout else {
            if self.speed.is_some() || !self.quirks.is_empty() {
                return Err(UriError(
                    "sim: speed= and uas-quirk= describe a USB interface; add usb=bot|uas|dual"
                        .into(),
                ));
            }
            return Ok(None);
        };
        if layout == Layout::Bot && !self.quirks.is_empty() {
            return Err(UriError(
                "sim: uas-quirk= needs a UAS alternate; use usb=uas or usb=dual".into(),
            ));
        }
        Ok(Some(UsbSpec {
            layout,
            speed: self.speed.unwrap_or(Speed::Super),
            quirks: self.quirks,
        }))
    }
}

/// A size in bytes: digits with an optional binary suffix K, M, G or T (also what the CLI
/// accepts for byte counts).
pub fn parse_size(text: &str) -> Option<u64> {
    let (digits, shift) = match text.char_indices().last()? {
        (i, 'K' | 'k') => (&text[..i], 10),
        (i, 'M' | 'm') => (&text[..i], 20),
        (i, 'G' | 'g') => (&text[..i], 30),
        (i, 'T' | 't') => (&text[..i], 40),
        _ => (text, 0),
    };
    digits.parse::<u64>().ok()?.checked_mul(1 << shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_a_1_gib_honest_scsi_disk_in_ram() {
        let spec = SimSpec::parse("sim:").unwrap();
        assert_eq!(spec, SimSpec::default());
        assert_eq!(
            (spec.kind, spec.size, spec.block_size),
            (Kind::Scsi, 1 << 30, 512)
        );
    }

    #[test]
    fn kinds_profiles_paths_and_options() {
        let spec = SimSpec::parse("sim:nvme,lying-flush?size=4G&bs=4096&seed=7&serial=X1").unwrap();
        assert_eq!(spec.kind, Kind::Nvme);
        assert_eq!(spec.profile, Profile::LyingFlush);
        assert_eq!((spec.size, spec.block_size, spec.seed), (4 << 30, 4096, 7));
        assert_eq!(spec.serial.as_deref(), Some("X1"));

        let spec = SimSpec::parse("sim:/tmp/d.img?size=64M&wce=off&luns=1").unwrap();
        assert_eq!(spec.medium, MediumSpec::File("/tmp/d.img".into()));
        assert!(!spec.write_cache);

        let spec = SimSpec::parse("sim:torn?luns=2&vendor=ACME&product=DISK").unwrap();
        assert_eq!((spec.profile, spec.luns), (Profile::Torn, 2));
        assert_eq!(spec.vendor.as_deref(), Some("ACME"));
        for profile in Profile::ALL {
            let uri = format!("sim:{}", profile.name());
            let spec = SimSpec::parse(&uri).unwrap();
            match profile.bridge() {
                Some(model) => {
                    assert_eq!((spec.bridge, spec.profile), (Some(model), Profile::Honest))
                }
                None => assert_eq!((spec.bridge, spec.profile), (None, profile)),
            }
        }
    }

    #[test]
    fn a_bridge_profile_takes_one_device_profile_and_an_nvme_controller() {
        let spec = SimSpec::parse("sim:bridge-jmicron,fw-needs-reset?size=8M").unwrap();
        assert_eq!(spec.bridge, Some(Model::Jmicron));
        assert_eq!(spec.profile, Profile::FwNeedsReset);
        assert_eq!(spec.kind, Kind::Nvme);
        let spec = SimSpec::parse("sim:lying-flush,bridge-asmedia").unwrap();
        assert_eq!(
            (spec.bridge, spec.profile),
            (Some(Model::Asmedia), Profile::LyingFlush)
        );
        let spec = SimSpec::parse("sim:nvme,bridge-realtek").unwrap();
        assert_eq!(spec.bridge, Some(Model::Realtek));
        assert_eq!(SimSpec::parse("sim:nvme").unwrap().bridge, None);
    }

    #[test]
    fn errors_name_what_is_wrong() {
        let cases = [
            ("disk:", "is not a sim: URI"),
            ("sim:frobnicate", "unknown sim: part 'frobnicate'"),
            ("sim:torn,reorder", "two fault profiles"),
            ("sim:bridge-asmedia,bridge-jmicron", "two bridges"),
            ("sim:bridge-asmedia,torn,reorder", "two fault profiles"),
            ("sim:scsi,bridge-realtek", "drop scsi"),
            ("sim:bridge-realtek?luns=2", "one namespace"),
            ("sim:?size=12Q", "not a size"),
            ("sim:?bs=1000", "power of two"),
            ("sim:?luns=0", "number of logical units"),
            ("sim:?size=1000", "not a positive multiple"),
            ("sim:nvme?luns=2", "one namespace"),
            ("sim:/x/y?luns=2", "one logical unit"),
            ("sim:?colour=red", "unknown sim: option 'colour'"),
            ("sim:?size", "has no '=value'"),
            ("sim:?wce=maybe", "on or off"),
            ("sim:?size=99999999999T", "not a size"),
        ];
        for (uri, message) in cases {
            let error = SimSpec::parse(uri).unwrap_err().to_string();
            assert!(error.contains(message), "{uri}: {error}");
        }
    }

    #[test]
    fn usb_options_describe_the_interface() {
        let spec = SimSpec::parse("sim:?usb=bot").unwrap();
        let usb = spec.usb.unwrap();
        assert_eq!((usb.layout, usb.speed), (Layout::Bot, Speed::Super));
        assert!(usb.quirks.is_empty());
        let spec = SimSpec::parse(
            "sim:bridge-asmedia?usb=dual&speed=high&uas-quirk=drop-unknown-data-phase+reset-on-unknown-cdb",
        )
        .unwrap();
        let usb = spec.usb.unwrap();
        assert_eq!((usb.layout, usb.speed), (Layout::Dual, Speed::High));
        assert_eq!(
            usb.quirks,
            [Quirk::DropUnknownDataPhase, Quirk::ResetOnUnknownCdb]
        );
        assert_eq!(SimSpec::parse("sim:").unwrap().usb, None);
    }

    #[test]
    fn usb_options_are_checked_together() {
        let refused = |uri: &str, says: &str| {
            let error = SimSpec::parse(uri).unwrap_err().to_string();
            assert!(error.contains(says), "{uri}: {error}");
        };
        refused("sim:?usb=sata", "bot, uas or dual");
        refused("sim:?usb=uas&speed=full", "high or super");
        refused("sim:?usb=uas&uas-quirk=slow", "unknown quirk 'slow'");
        refused("sim:?speed=high", "add usb=");
        refused("sim:?uas-quirk=reset-on-unknown-cdb", "add usb=");
        refused(
            "sim:?usb=bot&uas-quirk=reset-on-unknown-cdb",
            "needs a UAS alternate",
        );
        refused("sim:nvme?usb=uas", "not a USB device");
    }

    #[test]
    fn sizes_take_binary_suffixes() {
        assert_eq!(parse_size("512"), Some(512));
        assert_eq!(parse_size("4k"), Some(4096));
        assert_eq!(parse_size("1T"), Some(1 << 40));
        assert_eq!(parse_size("G"), None);
        assert_eq!(parse_size(""), None);
    }
}

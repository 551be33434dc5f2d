//! `scsitool nvme get-feature` and `nvme set-feature`: Get Features (NVMe Base 2.0 5.15)
//! and Set Features (Base 2.0 5.27), like `nvme get-feature` and `nvme set-feature`, with
//! the Volatile Write Cache feature (FID 06h, Base 2.0 5.27.1.4) decoded.

use crate::cli::{FeatureSelect, Switch};
use crate::commands::device::{open_nvme, run_nvme};
use crate::exit::Failure;
use crate::output::{Output, Report};
use anyhow::Result;
use cdb::nvme::features::{
    GetFeatures, Select, SetFeatures, VolatileWriteCache, FID_VOLATILE_WRITE_CACHE,
};
use serde::Serialize;
use transports::open::Access;

/// The `--json` document of `scsitool nvme get-feature`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct GetFeatureReport {
    /// The device as named on the command line.
    pub device: String,
    /// The Feature Identifier (FID).
    pub fid: u8,
    /// The feature's name, for the features this tool decodes.
    pub feature: Option<&'static str>,
    /// Which value was read (SEL).
    pub sel: Select,
    /// Completion Dword 0: the value, or the capabilities for `supported_capabilities`.
    pub dw0: u32,
    /// The Volatile Write Cache value, decoded from Dword 0 (FID 06h, SEL other than
    /// supported capabilities).
    pub volatile_write_cache: Option<VolatileWriteCache>,
}

/// The feature's name as the specification spells it (Base 2.0 5.27.1, Figure "Feature
/// Identifiers"), for the features decoded here.
fn feature_name(fid: u8) -> Option<&'static str> {
    (fid == FID_VOLATILE_WRITE_CACHE).then_some("Volatile Write Cache")
}

/// nvme-cli's `get-feature:0x06 (Volatile Write Cache)` prefix.
fn header(verb: &str, fid: u8) -> String {
    match feature_name(fid) {
        Some(name) => format!("{verb}:{fid:#04x} ({name})"),
        None => format!("{verb}:{fid:#04x}"),
    }
}

/// nvme-cli's line for the Volatile Write Cache value.
fn wce_line(cache: &VolatileWriteCache) -> String {
    format!(
        "\tVolatile Write Cache Enable (WCE): {}\n",
        if cache.wce { "Enabled" } else { "Disabled" }
    )
}

impl Report for GetFeatureReport {
    fn human(&self) -> String {
        let which = match self.sel {
            Select::Current => "Current value",
            Select::Default => "Default value",
            Select::Saved => "Saved value",
            Select::SupportedCapabilities => "Supported capabilities value",
        };
        let mut text = format!(
            "{}, {which}:{:#010x}\n",
            header("get-feature", self.fid),
            self.dw0
        );
        if let Some(cache) = &self.volatile_write_cache {
            text.push_str(&wce_line(cache));
        }
        text
    }
}

/// Reads feature `fid` (value `sel`) from `device`.
pub fn get(out: Output, device: &str, fid: u8, sel: FeatureSelect) -> Result<()> {
    let sel = match sel {
        FeatureSelect::Current => Select::Current,
        FeatureSelect::Default => Select::Default,
        FeatureSelect::Saved => Select::Saved,
        FeatureSelect::Supported => Select::SupportedCapabilities,
    };
    let command = GetFeatures {
        fid,
        sel,
        nsid: 0,
        cdw11: 0,
    };
    let mut transport = open_nvme(device, Access::Read)?;
    let dw0 = run_nvme(out, transport.as_mut(), &command)?.response;
    out.emit(&GetFeatureReport {
        device: device.to_string(),
        fid,
        feature: feature_name(fid),
        sel,
        dw0,
        volatile_write_cache: (fid == FID_VOLATILE_WRITE_CACHE
            && sel != Select::SupportedCapabilities)
            .then(|| VolatileWriteCache::from_dw0(dw0)),
    })
}

/// The `--json` document of `scsitool nvme set-feature`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct SetFeatureReport {
    /// The device as named on the command line.
    pub device: String,
    /// The Feature Identifier (FID).
    pub fid: u8,
    /// The feature's name.
    pub feature: &'static str,
    /// The value sent (Set Features CDW11).
    pub cdw11: u32,
    /// The current value read back with Get Features after the change.
    pub volatile_write_cache: VolatileWriteCache,
}

impl Report for SetFeatureReport {
    fn human(&self) -> String {
        format!(
            "{}, value:{:#010x}, cdw12:0x00000000, save:0\n{}",
            header("set-feature", self.fid),
            self.cdw11,
            wce_line(&self.volatile_write_cache)
        )
    }
}

/// Sets feature `fid` (only Volatile Write Cache) on `device` to `value`, then reads the
/// current value back.
pub fn set(out: Output, device: &str, fid: u8, value: Switch) -> Result<()> {
    if fid != FID_VOLATILE_WRITE_CACHE {
        return Err(Failure::usage(format!(
            "set-feature can set FID {FID_VOLATILE_WRITE_CACHE} (Volatile Write Cache) only, not {fid}"
        ))
        .into());
    }
    let set = SetFeatures::volatile_write_cache(value.is_on(), false);
    let mut transport = open_nvme(device, Access::Write)?;
    run_nvme(out, transport.as_mut(), &set)?;
    let current = GetFeatures::volatile_write_cache(Select::Current);
    let dw0 = run_nvme(out, transport.as_mut(), &current)?.response;
    out.emit(&SetFeatureReport {
        device: device.to_string(),
        fid,
        feature: "Volatile Write Cache",
        cdw11: set.cdw11,
        volatile_write_cache: VolatileWriteCache::from_dw0(dw0),
    })
}

//! `scsitool nvme id-ctrl` and `nvme id-ns`: the Identify Controller (NVMe Base 2.0
//! 5.17.2.1) and Identify Namespace (NVM Command Set 1.0 4.1.5.1) data structures, like
//! `nvme id-ctrl` and `nvme id-ns`.

use crate::commands::device::{open_nvme, run_nvme};
use crate::exit::Failure;
use crate::output::{Output, Report};
use crate::render::columns;
use anyhow::Result;
use cdb::nvme::id_ctrl::IdentifyControllerData;
use cdb::nvme::id_ns::IdentifyNamespaceData;
use cdb::nvme::identify::{IdentifyController, IdentifyNamespace};
use serde::Serialize;
use transports::open::Access;

/// Fields nvme-cli prints in hex (identifiers, bit fields and versions).
const HEX_FIELDS: &[&str] = &[
    "vid", "ssvid", "ieee", "cmic", "cntlid", "ver", "oaes", "ctratt", "rrls", "lpa", "avscc",
    "apsta", "sanicap", "oncs", "fuses", "fna", "vwc", "nwpc", "ocfs", "sgls", "sqes", "cqes",
    "anacap", "hctma", "rpmbs", "dsto", "icsvscc", "fcatt", "ofcs", "nsze", "ncap", "nuse",
    "nsfeat", "flbas", "mc", "dpc", "dps", "nmic", "rescap", "fpi", "dlfeat", "nsattr",
];

/// The `--json` document of `scsitool nvme id-ctrl`: the device, then the Identify
/// Controller fields under nvme-cli's names (the specification's abbreviations).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct IdCtrlReport {
    /// The device as named on the command line.
    pub device: String,
    /// The Identify Controller data structure (Base 2.0 5.17.2.1).
    #[serde(flatten)]
    pub id_ctrl: IdentifyControllerData,
}

impl Report for IdCtrlReport {
    fn human(&self) -> String {
        format!(
            "NVME Identify Controller:\n{}",
            columns(&self.id_ctrl, 10, HEX_FIELDS, &[])
        )
    }
}

/// The `--json` document of `scsitool nvme id-ns`: the device and namespace, the LBA data
/// size of the format in use, then the Identify Namespace fields under nvme-cli's names.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct IdNsReport {
    /// The device as named on the command line.
    pub device: String,
    /// The namespace identified.
    pub nsid: u32,
    /// The LBA data size in bytes of the format in use (FLBAS), when it is supported.
    pub lba_data_size: Option<u64>,
    /// The Identify Namespace data structure (NVM Command Set 1.0 4.1.5.1).
    #[serde(flatten)]
    pub id_ns: IdentifyNamespaceData,
}

impl Report for IdNsReport {
    fn human(&self) -> String {
        // nvme-cli lists the LBA formats apart, one line each.
        let mut text = format!(
            "NVME Identify Namespace {}:\n{}",
            self.nsid,
            columns(&self.id_ns, 8, HEX_FIELDS, &["lbaf"])
        );
        for (index, format) in self.id_ns.lbaf.iter().enumerate() {
            let in_use = if index == usize::from(self.id_ns.format_index) {
                " (in use)"
            } else {
                ""
            };
            text.push_str(&format!(
                "lbaf {index:>2} : ms:{:<3} lbads:{:<2} rp:{:#x}{in_use}\n",
                format.ms, format.lbads, format.rp
            ));
        }
        text
    }
}

/// Sends Identify Controller to `device`.
pub fn id_ctrl(out: Output, device: &str) -> Result<()> {
    let mut transport = open_nvme(device, Access::Read)?;
    let done = run_nvme(out, transport.as_mut(), &IdentifyController::controller())?;
    out.emit(&IdCtrlReport {
        device: device.to_string(),
        id_ctrl: done.response,
    })
}

/// Sends Identify Namespace for `nsid` to `device`.
pub fn id_ns(out: Output, device: &str, nsid: u32) -> Result<()> {
    let identify = IdentifyNamespace::new(nsid).map_err(|e| Failure::usage(e.to_string()))?;
    let mut transport = open_nvme(device, Access::Read)?;
    let id_ns = run_nvme(out, transport.as_mut(), &identify)?.response;
    out.emit(&IdNsReport {
        device: device.to_string(),
        nsid,
        lba_data_size: id_ns.lba_data_size(),
        id_ns,
    })
}

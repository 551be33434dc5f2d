//! `scsitool nvme id-ctrl` and `nvme id-ns`: the Identify Controller (NVMe Base 2.0
//! 5.17.2.1) and Identify Namespace (NVM Command Set 1.0 4.1.5.1) data structures, like
//! `nvme id-ctrl` and `nvme id-ns`; `id-ctrl --count N` repeats Identify Controller and
//! reports the admin command rate, like `tur --count`.

use crate::commands::device::{open_nvme, run_nvme, submit_nvme_into};
use crate::commands::rate::RateReport;
use crate::exit::{ExitStatus, Failure};
use crate::output::{Output, Report};
use crate::render::columns;
use anyhow::{Context, Result};
use cdb::nvme::id_ctrl::IdentifyControllerData;
use cdb::nvme::id_ns::IdentifyNamespaceData;
use cdb::nvme::identify::{IdentifyController, IdentifyNamespace};
use serde::Serialize;
use std::time::Instant;
use transports::open::Access;

/// The memory page size the repeated Identify's buffer is aligned to (NVMe Base 2.0 3.1.3:
/// CC.MPS, 4 KiB on the controllers Linux drives).
const PAGE: usize = 4096;

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

/// Sends Identify Controller to `device` `count` times. Once, it prints the data
/// structure; more often, it checks that every answer decodes and names the controller the
/// first one named (VID, SN, MN), and reports the command rate. The first failure ends
/// the run with its status.
pub fn id_ctrl(out: Output, device: &str, count: u64) -> Result<()> {
    let mut transport = open_nvme(device, Access::Read)?;
    let identify = IdentifyController::controller();
    let start = Instant::now();
    let first = run_nvme(out, transport.as_mut(), &identify)?;
    if count <= 1 {
        return out.emit(&IdCtrlReport {
            device: device.to_string(),
            id_ctrl: first.response,
        });
    }
    // The first answer decoded; the others are compared with it as bytes, into one
    // buffer: the rate is the controller's and the transport's, not the decoder's. The
    // buffer starts on a page, as a driver's would: one page to pin and one PRP entry
    // (Base 2.0 4.1.1) instead of two.
    let len = first.data_in.len();
    let mut backing = vec![0u8; len + PAGE];
    let at = backing.as_ptr().align_offset(PAGE).min(PAGE);
    let answer = backing.get_mut(at..at + len).unwrap_or_default();
    for sent in 2..=count {
        submit_nvme_into(out, transport.as_mut(), &identify, answer)?;
        same_identity(&first.data_in, answer)
            .with_context(|| format!("Identify Controller {sent} of {count}"))?;
    }
    out.emit(&RateReport::new(
        device,
        "Identify Controller",
        count,
        start.elapsed(),
    ))
}

/// The identity fields of the Identify Controller data structure (NVMe Base 2.0 5.17.2.1,
/// Figure 275): PCI Vendor ID (bytes 01:00), Serial Number (23:04), Model Number (63:24).
const IDENTITY: [(&str, std::ops::Range<usize>); 3] =
    [("VID", 0..2), ("SN", 4..24), ("MN", 24..64)];

/// Checks that `answer` identifies the controller `first` did, byte for byte in the
/// identity fields ([`IDENTITY`]); a change is a miscompare naming the fields.
fn same_identity(first: &[u8], answer: &[u8]) -> Result<(), Failure> {
    let changed: Vec<&str> = IDENTITY
        .iter()
        .filter(|(_, bytes)| first.get(bytes.clone()) != answer.get(bytes.clone()))
        .map(|(field, _)| *field)
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    Err(Failure::new(
        ExitStatus::Miscompare,
        format!(
            "the controller's identity changed: {} differ from the first answer",
            changed.join(", ")
        ),
    ))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A 4096-byte Identify Controller data structure (Base 2.0 5.17.2.1) with `vid` in
    /// bytes 1:0, `sn` in bytes 23:4 and `mn` in bytes 63:24 (ASCII, space-padded).
    fn id_ctrl(vid: u16, sn: &str, mn: &str) -> Vec<u8> {
        let mut data = vec![0u8; 4096];
        data[0..2].copy_from_slice(&vid.to_le_bytes());
        for (field, text) in [(4..24, sn), (24..64, mn)] {
            let mut padded = format!("{text:<width$}", width = field.len()).into_bytes();
            padded.truncate(field.len());
            data[field].copy_from_slice(&padded);
        }
        data
    }

    #[test]
    fn the_identity_fields_are_the_ones_the_decoder_reads() {
        let decoded = IdentifyControllerData::decode(&id_ctrl(0x1b36, "NV42", "QEMU")).unwrap();
        assert_eq!(
            (decoded.vid, decoded.sn.as_str(), decoded.mn.as_str()),
            (0x1b36, "NV42", "QEMU")
        );
    }

    #[test]
    fn the_same_identity_passes() {
        let first = id_ctrl(0x1b36, "NVME0001", "QEMU NVMe Ctrl");
        assert!(same_identity(&first, &id_ctrl(0x1b36, "NVME0001", "QEMU NVMe Ctrl")).is_ok());
        // Bytes past the identity fields may differ (e.g. a changing field elsewhere).
        let mut other = first.clone();
        other[4000] = 1;
        assert!(same_identity(&first, &other).is_ok());
    }

    #[test]
    fn a_changed_identity_is_a_miscompare_naming_the_fields() {
        let first = id_ctrl(0x1b36, "NVME0001", "QEMU NVMe Ctrl");
        for (answer, named) in [
            (id_ctrl(0x8086, "NVME0001", "QEMU NVMe Ctrl"), "VID"),
            (id_ctrl(0x1b36, "NVME0002", "QEMU NVMe Ctrl"), "SN"),
            (id_ctrl(0x1b36, "NVME0001", "Other"), "MN"),
        ] {
            let failure = same_identity(&first, &answer).unwrap_err();
            assert_eq!(failure.status, ExitStatus::Miscompare);
            assert!(failure.message.contains(named), "{}", failure.message);
        }
        let all = same_identity(&first, &id_ctrl(1, "X", "Y")).unwrap_err();
        assert!(all.message.contains("VID, SN, MN"), "{}", all.message);
    }
}

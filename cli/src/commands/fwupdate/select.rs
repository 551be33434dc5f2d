//! Choosing the device when none is named: among the discovered devices (Linux sysfs:
//! SCSI logical units and NVMe controllers, as `scsitool list` finds them), the single
//! one whose vendor, model and revision the image's manifest names.

use firmware::identity::NVME_VENDOR;
use firmware::manifest::Manifest;
use transports::inventory::DiscoveredDevice;

/// A discovered device: the node to open and the identity the operating system read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The SCSI generic or block node, or the NVMe controller node.
    pub node: String,
    /// INQUIRY VENDOR IDENTIFICATION (SPC-5 6.7.2), or `NVMe`.
    pub vendor: String,
    /// PRODUCT IDENTIFICATION, or Identify Controller MN (NVMe Base 2.0 5.17.2.1).
    pub model: String,
    /// PRODUCT REVISION LEVEL, or FR.
    pub revision: String,
}

impl Candidate {
    /// The candidate a discovered device is, when it has a node to open.
    pub fn from_discovered(device: &DiscoveredDevice) -> Option<Self> {
        match device {
            DiscoveredDevice::Scsi(d) => Some(Candidate {
                node: d.generic.clone().or_else(|| d.disk.clone())?,
                vendor: d.vendor.clone(),
                model: d.model.clone(),
                revision: d.revision.clone(),
            }),
            DiscoveredDevice::Nvme(c) => Some(Candidate {
                node: c.controller.clone(),
                vendor: NVME_VENDOR.to_string(),
                model: c.model.clone(),
                revision: c.firmware_rev.clone(),
            }),
        }
    }

    /// The candidate in one line.
    fn describe(&self) -> String {
        format!(
            "{} ({} {} revision {})",
            self.node, self.vendor, self.model, self.revision
        )
    }
}

/// The devices discovery finds on this platform.
pub fn candidates() -> Vec<Candidate> {
    #[cfg(target_os = "linux")]
    let found = transports::linux::discover::discover();
    #[cfg(not(target_os = "linux"))]
    let found: Vec<DiscoveredDevice> = Vec::new();
    found
        .iter()
        .filter_map(Candidate::from_discovered)
        .collect()
}

/// The single candidate `manifest` names; `Err` is the refusal, listing the candidates.
pub fn pick(manifest: &Manifest, candidates: &[Candidate]) -> Result<String, String> {
    let matching: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| {
            manifest
                .mismatches(&c.vendor, &c.model, &c.revision)
                .is_empty()
        })
        .collect();
    let list = |cs: &mut dyn Iterator<Item = &Candidate>| {
        cs.map(Candidate::describe).collect::<Vec<_>>().join(", ")
    };
    match matching.as_slice() {
        [one] => Ok(one.node.clone()),
        [] if candidates.is_empty() => Err(
            "no DEVICE named and no device discovered (sim: devices are not discoverable: \
             name one as DEVICE)"
                .into(),
        ),
        [] => Err(format!(
            "no discovered device is one the manifest names; discovered: {}; name one as \
             DEVICE (with --force to override the manifest)",
            list(&mut candidates.iter())
        )),
        several => Err(format!(
            "{} discovered devices match the manifest: {}; name one as DEVICE",
            several.len(),
            list(&mut several.iter().copied())
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn candidate(node: &str, model: &str, revision: &str) -> Candidate {
        Candidate {
            node: node.into(),
            vendor: "SCSITOOL".into(),
            model: model.into(),
            revision: revision.into(),
        }
    }

    #[test]
    fn the_single_matching_device_is_picked_and_others_are_refused() {
        let text = "vendor = \"SCSITOOL\"\nmodels = [\"SIM DISK\"]\nfrom_revisions = [\"0001\"]\n\
                    revision = \"0002\"\ncrc32 = \"00000000\"\n";
        let manifest = Manifest::parse(text, Path::new("x.toml")).unwrap();
        let a = candidate("/dev/sg0", "SIM DISK", "0001");
        let b = candidate("/dev/sg1", "OTHER", "0001");
        let c = candidate("/dev/sg2", "SIM DISK", "0002");
        assert_eq!(
            pick(&manifest, &[a.clone(), b.clone(), c]),
            Ok("/dev/sg0".into())
        );
        let none = pick(&manifest, std::slice::from_ref(&b)).unwrap_err();
        assert!(none.contains("/dev/sg1"), "{none}");
        let two = pick(
            &manifest,
            &[a.clone(), candidate("/dev/sg3", "SIM DISK", "0001")],
        )
        .unwrap_err();
        assert!(
            two.contains("2 discovered") && two.contains("/dev/sg3"),
            "{two}"
        );
        assert!(pick(&manifest, &[]).unwrap_err().contains("sim:"));
    }
}

//! `scsitool list`: every SCSI logical unit and NVMe controller on the system, with nodes,
//! identity, size and transport, and for USB devices the VID:PID, speed, bound driver and
//! the protocols the interface's alternate settings offer. Read from sysfs on Linux;
//! nothing is sent to the devices.

use crate::output::{Output, Report};
use anyhow::Result;
use serde::Serialize;
use transports::inventory::{DiscoveredDevice, Transport, UsbAttachment, UsbProtocol};

/// The `--json` document of `scsitool list`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ListReport {
    /// Every device found: SCSI logical units in H:C:T:L order, then NVMe controllers.
    pub devices: Vec<DiscoveredDevice>,
    /// Why the list is empty or incomplete when that is not about the devices (a
    /// platform without discovery).
    pub note: Option<String>,
}

/// The table's column headings.
const HEADINGS: [&str; 8] = [
    "NODES",
    "TRANSPORT",
    "VENDOR",
    "MODEL",
    "REV",
    "SERIAL",
    "SIZE",
    "USB",
];

impl Report for ListReport {
    fn human(&self) -> String {
        let mut rows = vec![HEADINGS.map(str::to_string)];
        rows.extend(self.devices.iter().map(row));
        let mut text = if self.devices.is_empty() {
            "no SCSI or NVMe devices found\n".to_string()
        } else {
            table(&rows)
        };
        if let Some(note) = &self.note {
            text.push_str(&format!("note: {note}\n"));
        }
        text
    }
}

/// One device as a table row.
fn row(device: &DiscoveredDevice) -> [String; 8] {
    match device {
        DiscoveredDevice::Scsi(d) => {
            let nodes: Vec<String> = [d.disk.clone(), d.generic.clone()]
                .into_iter()
                .flatten()
                .collect();
            [
                nodes.join(","),
                transport_name(d.transport, d.host_driver.as_deref()),
                d.vendor.clone(),
                d.model.clone(),
                d.revision.clone(),
                d.serial.clone().unwrap_or_else(|| "-".into()),
                d.size_bytes.map_or_else(|| "-".into(), size),
                d.usb.as_deref().map_or_else(|| "-".into(), usb),
            ]
        }
        DiscoveredDevice::Nvme(c) => {
            let mut nodes = vec![c.controller.clone()];
            nodes.extend(
                c.namespaces
                    .iter()
                    .flat_map(|n| [n.block.clone(), n.generic.clone()])
                    .flatten(),
            );
            let total = c
                .namespaces
                .iter()
                .filter_map(|n| n.size_bytes)
                .sum::<u64>();
            [
                nodes.join(","),
                match &c.nvme_transport {
                    Some(kind) => format!("nvme/{kind}"),
                    None => "nvme".into(),
                },
                "-".into(),
                c.model.clone(),
                c.firmware_rev.clone(),
                c.serial.clone(),
                if c.namespaces.iter().any(|n| n.size_bytes.is_some()) {
                    size(total)
                } else {
                    "-".into()
                },
                "-".into(),
            ]
        }
    }
}

/// The transport as the JSON names it; an unrecognised driver by its own name.
fn transport_name(transport: Transport, driver: Option<&str>) -> String {
    match (transport, driver) {
        (Transport::Other, Some(driver)) => driver.to_string(),
        _ => json_name(transport),
    }
}

/// The name a unit enum variant serialises as.
fn json_name(value: impl Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A byte count in binary units (`8.0GiB`), like lsblk.
fn size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes}B")
    } else {
        format!("{value:.1}{}", UNITS[unit])
    }
}

/// The USB column: VID:PID, bus-address, speed, bound driver and offered protocols
/// (`46f4:0003 2-3 super uas [bot,uas]`).
fn usb(usb: &UsbAttachment) -> String {
    let speed = usb.speed.map_or_else(|| "?".into(), json_name);
    let protocols = if usb.protocols.is_empty() {
        "?".to_string()
    } else {
        usb.protocols
            .iter()
            .map(|p| match p {
                UsbProtocol::Bot => "bot".to_string(),
                UsbProtocol::Uas => "uas".to_string(),
                UsbProtocol::Other(code) => format!("{code:02x}h"),
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    format!(
        "{} {}-{} {} {} [{}]",
        usb.vid_pid,
        usb.bus,
        usb.address,
        speed,
        usb.driver.as_deref().unwrap_or("unbound"),
        protocols
    )
}

/// Rows aligned in columns two spaces apart; empty cells show as `-`.
fn table(rows: &[[String; 8]]) -> String {
    let mut widths = [0usize; 8];
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count().max(1));
        }
    }
    rows.iter()
        .map(|row| {
            let cells: Vec<String> = row
                .iter()
                .zip(widths)
                .map(|(cell, width)| {
                    let cell = if cell.is_empty() { "-" } else { cell };
                    format!("{cell:<width$}")
                })
                .collect();
            format!("{}\n", cells.join("  ").trim_end())
        })
        .collect()
}

/// Lists the devices.
pub fn command(out: Output) -> Result<()> {
    out.emit(&discover())
}

/// The devices on this system, from sysfs.
#[cfg(target_os = "linux")]
fn discover() -> ListReport {
    ListReport {
        devices: transports::linux::discover::discover(),
        note: None,
    }
}

/// No discovery on this platform yet: an empty list that says so.
#[cfg(not(target_os = "linux"))]
fn discover() -> ListReport {
    ListReport {
        devices: Vec::new(),
        note: Some(format!(
            "device discovery is not implemented on {}; name devices directly",
            std::env::consts::OS
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use transports::inventory::{
        NvmeController, NvmeNamespace, ScsiDevice, UsbAttachment, UsbSpeed,
    };

    /// A report with a UAS disk and an NVMe controller, as QEMU's devices show them.
    fn sample() -> ListReport {
        let scsi = ScsiDevice {
            hctl: "0:0:0:0".into(),
            disk: Some("/dev/sda".into()),
            generic: Some("/dev/sg0".into()),
            peripheral_device_type: None,
            vendor: "QEMU".into(),
            model: "QEMU HARDDISK".into(),
            revision: "2.5+".into(),
            serial: None,
            size_bytes: Some(64 << 20),
            logical_block_size: Some(512),
            transport: Transport::Uas,
            host_driver: Some("uas".into()),
            usb: Some(Box::new(UsbAttachment {
                vid_pid: "46f4:0003".into(),
                id_vendor: 0x46f4,
                id_product: 3,
                serial: Some("27842".into()),
                bus: 2,
                address: 3,
                speed: Some(UsbSpeed::Super),
                interface_number: Some(0),
                driver: Some("uas".into()),
                protocols: vec![UsbProtocol::Uas],
                descriptors_error: None,
            })),
        };
        let nvme = NvmeController {
            controller: "/dev/nvme0".into(),
            namespaces: vec![NvmeNamespace {
                nsid: Some(1),
                block: Some("/dev/nvme0n1".into()),
                generic: Some("/dev/ng0n1".into()),
                size_bytes: Some(1 << 30),
                logical_block_size: Some(512),
            }],
            model: "QEMU NVMe Ctrl".into(),
            serial: "S3".into(),
            firmware_rev: "9.2.0".into(),
            transport: Transport::Nvme,
            nvme_transport: Some("pcie".into()),
        };
        ListReport {
            devices: vec![DiscoveredDevice::Scsi(scsi), DiscoveredDevice::Nvme(nvme)],
            note: None,
        }
    }

    #[test]
    fn the_table_has_one_line_per_device_with_usb_details() {
        let text = sample().human();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].starts_with("NODES"), "{text}");
        assert!(lines[1].starts_with("/dev/sda,/dev/sg0"), "{text}");
        assert!(lines[1].contains("64.0MiB"), "{text}");
        assert!(
            lines[1].ends_with("46f4:0003 2-3 super uas [uas]"),
            "{text}"
        );
        assert!(
            lines[2].starts_with("/dev/nvme0,/dev/nvme0n1,/dev/ng0n1"),
            "{text}"
        );
        assert!(lines[2].contains("nvme/pcie"), "{text}");
        assert!(lines[2].contains("1.0GiB"), "{text}");
    }

    #[test]
    fn the_json_names_match_the_committed_schema() {
        let value = serde_json::to_value(sample()).unwrap_or_default();
        assert_eq!(value["devices"][0]["kind"], "scsi");
        assert_eq!(value["devices"][0]["transport"], "uas");
        assert_eq!(value["devices"][0]["usb"]["speed"], "super");
        assert_eq!(value["devices"][0]["usb"]["protocols"][0], "uas");
        assert_eq!(value["devices"][1]["transport"], "nvme");
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/list.json");
        let schema: serde_json::Value = std::fs::read_to_string(path)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default();
        let valid = jsonschema::validator_for(&schema).map(|v| v.is_valid(&value));
        assert!(matches!(valid, Ok(true)), "{value}");
    }

    #[test]
    fn sizes_use_binary_units() {
        assert_eq!(size(512), "512B");
        assert_eq!(size(8 << 30), "8.0GiB");
        assert_eq!(size(1536), "1.5KiB");
    }

    #[test]
    fn an_empty_list_says_so_and_keeps_the_note() {
        let report = ListReport {
            devices: Vec::new(),
            note: Some("why".into()),
        };
        let text = report.human();
        assert!(text.contains("no SCSI or NVMe devices found"), "{text}");
        assert!(text.contains("note: why"), "{text}");
    }
}

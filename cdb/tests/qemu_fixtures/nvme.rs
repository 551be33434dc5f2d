//! QEMU 7.2's NVMe controller (serial NVME0001, one 64 MiB namespace): Identify and log
//! page binaries decoded here and compared field by field with nvme-cli 2.4's JSON of the
//! same data.

use super::{fixture, fixture_text, CAPACITY};
use cdb::nvme::error_log::ErrorInformationLog;
use cdb::nvme::fw_slot::FirmwareSlotLog;
use cdb::nvme::id_ctrl::IdentifyControllerData;
use cdb::nvme::id_ns::IdentifyNamespaceData;
use cdb::nvme::smart::SmartHealthLog;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

fn json_object(name: &str) -> Map<String, Value> {
    match serde_json::from_str(&fixture_text(name)).unwrap() {
        Value::Object(m) => m,
        other => panic!("{name}: not an object: {other}"),
    }
}

fn ours<T: serde::Serialize>(value: &T) -> Map<String, Value> {
    match serde_json::to_value(value).unwrap() {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

/// Whether nvme-cli's value and ours say the same thing. Both print 128-bit counters as
/// decimal strings and GUIDs, EUI-64 and NGUID as hex strings in structure byte order;
/// nvme-cli prints bit fields as plain numbers where our bit-field structs carry `raw`.
fn agree(cli: &Value, our: &Value) -> bool {
    match (cli, our) {
        (_, Value::Object(o)) => o.get("raw").is_some_and(|raw| agree(cli, raw)),
        (Value::Number(a), Value::Number(b)) => a.as_u64().is_some() && a.as_u64() == b.as_u64(),
        (Value::String(a), Value::String(b)) => a.trim() == b.trim(),
        _ => false,
    }
}

/// How nvme-cli's keys of one structure relate to ours.
struct KeyMap {
    /// nvme-cli key → our key, where the names differ.
    renamed: &'static [(&'static str, &'static str)],
    /// nvme-cli keys not compared as scalars here, with the reason.
    cli_only: &'static [(&'static str, &'static str)],
    /// Our keys with no nvme-cli scalar counterpart, with the reason.
    ours_only: &'static [(&'static str, &'static str)],
}

/// Compares every scalar key of nvme-cli's object with ours; returns how many were
/// compared. Every key on either side must be compared or listed in `map`.
fn compare(cli: &Map<String, Value>, our: &Map<String, Value>, map: &KeyMap) -> usize {
    let cli_only: BTreeSet<&str> = map.cli_only.iter().map(|(k, _)| *k).collect();
    let ours_only: BTreeSet<&str> = map.ours_only.iter().map(|(k, _)| *k).collect();
    let mut matched = BTreeSet::new();
    let mut disagreements = Vec::new();
    let mut unmapped = Vec::new();
    for (key, value) in cli {
        if cli_only.contains(key.as_str()) {
            assert!(!our.contains_key(key.as_str()) || ours_only.contains(key.as_str()));
            continue;
        }
        let our_key = map
            .renamed
            .iter()
            .find(|(c, _)| c == key)
            .map_or(key.as_str(), |(_, o)| *o);
        match our.get(our_key) {
            Some(v) if agree(value, v) => {}
            Some(v) => disagreements.push(format!("{key}: nvme-cli {value} vs ours {v}")),
            None => unmapped.push(key.clone()),
        }
        matched.insert(our_key);
    }
    assert!(unmapped.is_empty(), "nvme-cli keys we lack: {unmapped:?}");
    assert!(disagreements.is_empty(), "{disagreements:#?}");
    let extra: Vec<&String> = our
        .keys()
        .filter(|k| !matched.contains(k.as_str()) && !ours_only.contains(k.as_str()))
        .collect();
    assert!(extra.is_empty(), "our keys nvme-cli lacks: {extra:?}");
    // The exceptions listed must exist, so the lists cannot go stale.
    for k in &cli_only {
        assert!(cli.contains_key(*k), "listed nvme-cli key {k} absent");
    }
    for k in &ours_only {
        assert!(our.contains_key(*k), "listed key {k} absent from ours");
    }
    matched.len()
}

#[test]
fn identify_controller_agrees_with_nvme_cli() {
    let c = IdentifyControllerData::decode(&fixture("nvme.id-ctrl.bin")).unwrap();
    let cli = json_object("nvme.id-ctrl.json");
    let compared = compare(
        &cli,
        &ours(&c),
        &KeyMap {
            renamed: &[("domainid", "domain_identifier")],
            cli_only: &[("psds", "a list: compared descriptor by descriptor below")],
            ours_only: &[(
                "psd",
                "the power state descriptors, compared with psds below",
            )],
        },
    );
    assert!(compared >= 80, "only {compared} fields compared");

    // Power state descriptors: nvme-cli's names for the same fields.
    let psds = cli["psds"].as_array().unwrap();
    assert_eq!(psds.len(), c.psd.len());
    assert_eq!(c.psd.len(), usize::from(c.npss) + 1);
    for (cli, p) in psds.iter().zip(&c.psd) {
        let flags = u64::from(p.mps) | u64::from(p.nops) << 1;
        let pairs: [(&str, u64); 13] = [
            ("max_power", p.mp.into()),
            ("flags", flags),
            ("entry_lat", p.enlat.into()),
            ("exit_lat", p.exlat.into()),
            ("read_tput", p.rrt.into()),
            ("read_lat", p.rrl.into()),
            ("write_tput", p.rwt.into()),
            ("write_lat", p.rwl.into()),
            ("idle_power", p.idlp.into()),
            ("idle_scale", p.ips.into()),
            ("active_power", p.actp.into()),
            ("active_power_work", p.apw.into()),
            ("active_scale", p.aps.into()),
        ];
        assert_eq!(cli.as_object().unwrap().len(), pairs.len());
        for (key, value) in pairs {
            assert_eq!(cli[key].as_u64(), Some(value), "psd {key}");
        }
    }

    // The device configuration, independent of nvme-cli.
    assert_eq!(c.sn, "NVME0001");
    assert_eq!(c.mn, "QEMU NVMe Ctrl");
    assert_eq!(c.subnqn, "nqn.2019-08.org.qemu:NVME0001");
    assert_eq!((c.vid, c.ssvid), (0x1b36, 0x1af4));
    // QEMU 7.2 does not implement Firmware Image Download / Commit (see capture.log).
    assert!(!c.oacs.firmware_download_commit);
    assert_eq!(c.nn, 256);
}

#[test]
fn identify_namespace_agrees_with_nvme_cli() {
    let n = IdentifyNamespaceData::decode(&fixture("nvme.id-ns.bin")).unwrap();
    let cli = json_object("nvme.id-ns.json");
    let compared = compare(
        &cli,
        &ours(&n),
        &KeyMap {
            renamed: &[],
            cli_only: &[("lbafs", "a list: compared format by format below")],
            ours_only: &[
                ("lbaf", "the LBA formats, compared with lbafs below"),
                (
                    "format_index",
                    "FLBAS interpreted; flbas itself is compared",
                ),
                ("metadata_extended", "FLBAS bit 4; flbas itself is compared"),
            ],
        },
    );
    assert!(compared >= 35, "only {compared} fields compared");

    let lbafs = cli["lbafs"].as_array().unwrap();
    assert_eq!(lbafs.len(), n.lbaf.len());
    assert_eq!(n.lbaf.len(), usize::from(n.nlbaf) + 1);
    for (cli, f) in lbafs.iter().zip(&n.lbaf) {
        assert_eq!(cli.as_object().unwrap().len(), 3);
        assert_eq!(cli["ms"].as_u64(), Some(f.ms.into()));
        assert_eq!(cli["ds"].as_u64(), Some(f.lbads.into()));
        assert_eq!(cli["rp"].as_u64(), Some(f.rp.into()));
    }

    // A 64 MiB namespace formatted with LBA format 0 (512-byte data, no metadata).
    assert_eq!(n.format_index, 0);
    assert!(!n.metadata_extended);
    assert_eq!(n.lba_data_size(), Some(512));
    assert_eq!(n.nsze * 512, CAPACITY);
    assert_eq!((n.ncap, n.nuse), (n.nsze, n.nsze));
}

#[test]
fn smart_log_agrees_with_nvme_cli() {
    let s = SmartHealthLog::decode(&fixture("nvme.smart-log.bin")).unwrap();
    let cli = json_object("nvme.smart-log.json");
    let compared = compare(
        &cli,
        &ours(&s),
        &KeyMap {
            renamed: &[
                ("temperature", "composite_temperature"),
                ("avail_spare", "available_spare"),
                ("spare_thresh", "available_spare_threshold"),
                ("percent_used", "percentage_used"),
                (
                    "endurance_grp_critical_warning_summary",
                    "endurance_group_critical_warning_summary",
                ),
                ("media_errors", "media_and_data_integrity_errors"),
                (
                    "num_err_log_entries",
                    "number_of_error_information_log_entries",
                ),
                ("warning_temp_time", "warning_composite_temperature_time"),
                ("critical_comp_time", "critical_composite_temperature_time"),
                (
                    "thm_temp1_trans_count",
                    "thermal_management_temperature_1_transition_count",
                ),
                (
                    "thm_temp2_trans_count",
                    "thermal_management_temperature_2_transition_count",
                ),
                (
                    "thm_temp1_total_time",
                    "total_time_for_thermal_management_temperature_1",
                ),
                (
                    "thm_temp2_total_time",
                    "total_time_for_thermal_management_temperature_2",
                ),
            ],
            cli_only: &[],
            ours_only: &[
                (
                    "temperature_sensors",
                    "nvme-cli prints temperature_sensor_N only for implemented (non-zero) sensors",
                ),
                (
                    "missing_bytes",
                    "short-transfer accounting, not a log field",
                ),
            ],
        },
    );
    assert_eq!(s.missing_bytes, 0);
    assert_eq!(compared, cli.len());
    // nvme-cli printed no temperature_sensor_N: none is implemented.
    assert!(!cli.keys().any(|k| k.starts_with("temperature_sensor")));
    assert_eq!(s.temperature_sensors, vec![None; 8]);
    assert_eq!(s.critical_warning.raw, 0);
}

#[test]
fn firmware_slot_log_agrees_with_nvme_cli() {
    let l = FirmwareSlotLog::decode(&fixture("nvme.fw-log.bin")).unwrap();
    let cli = json_object("nvme.fw-log.json");
    let cli = cli["nvme0"].as_object().unwrap();
    assert_eq!(
        cli["Active Firmware Slot (afi)"].as_u64(),
        Some(l.afi.into())
    );
    assert_eq!(l.active_slot, 1);
    assert_eq!(l.next_reset_slot, None);
    // nvme-cli prints a slot's revision as the little-endian 64-bit number of its bytes,
    // then the text; only slot 1 holds one.
    let slots: Vec<&String> = cli
        .keys()
        .filter(|k| k.starts_with("Firmware Rev"))
        .collect();
    assert_eq!(slots, ["Firmware Rev Slot 1"]);
    let printed = cli["Firmware Rev Slot 1"].as_str().unwrap();
    let number: u64 = printed.split(' ').next().unwrap().parse().unwrap();
    let revision = String::from_utf8(number.to_le_bytes().to_vec()).unwrap();
    assert_eq!(l.frs[0].as_deref(), Some(revision.trim_end()));
    assert_eq!(l.frs[0].as_deref(), Some("1.0"));
    assert!(l.frs[1..].iter().all(Option::is_none));
    assert_eq!(l.missing_bytes, 0);
}

#[test]
fn error_log_holds_no_errors() {
    let bytes = fixture("nvme.error-log.bin");
    let c = IdentifyControllerData::decode(&fixture("nvme.id-ctrl.bin")).unwrap();
    let log = ErrorInformationLog::decode(&bytes);
    // nvme-cli reads ELPE + 1 entries (0's based).
    assert_eq!(log.entries.len(), usize::from(c.elpe) + 1);
    assert_eq!(log.trailing_bytes, 0);
    assert!(log.entries.iter().all(|e| !e.is_valid()));
    let json = serde_json::to_value(&log).unwrap();
    assert_eq!(
        json["entries"][0]["status"]["name"],
        "Successful Completion"
    );
}

#[test]
fn comparison_rules_reject_disagreements() {
    use serde_json::json;
    assert!(agree(&json!(7), &json!(7)));
    assert!(!agree(&json!(7), &json!(6)));
    assert!(agree(&json!("7.2.22  "), &json!("7.2.22")));
    assert!(!agree(&json!("7.2.22"), &json!("7.2.2")));
    assert!(!agree(&json!("12"), &json!(12)));
    assert!(agree(&json!(266), &json!({"raw": 266, "format_nvm": true})));
    assert!(!agree(&json!(266), &json!({"format_nvm": true})));
    assert!(agree(
        &json!("01000000-0000-0000-0000-000000000000"),
        &json!("01000000-0000-0000-0000-000000000000")
    ));
    assert!(!agree(&json!(1), &json!("1")));
}

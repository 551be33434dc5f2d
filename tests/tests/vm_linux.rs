//! scsitool's Linux transports against a real kernel and devices we did not write: boots
//! Debian's kernel under QEMU with the standard device set (tests/vm/run), runs
//! tests/vm/scenarios/linux-transports.sh in the guest — scsitool over SG_IO and NVMe
//! pass-through next to sg3_utils, sdparm and nvme-cli — and checks here, on the host,
//! that both say the same and that bad input is refused.
//!
//! One boot serves every test in this file. Needs qemu-system-x86 and friends;
//! `tests/vm/build` installs them with apt-get when run as root (as CI is). It fails, never
//! skips, when the VM cannot run.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use scsitool_tests::{after, assert_listed, hex_bytes, ScenarioOutput};
use serde_json::Value;
use std::sync::OnceLock;

/// How each SCSI disk of the standard set is attached.
const LABELS: [&str; 4] = ["bot", "uas-ss", "uas-hs", "virtio-4k"];

/// The scenario's outputs, from one VM boot shared by every test.
fn out() -> &'static ScenarioOutput {
    static OUT: OnceLock<ScenarioOutput> = OnceLock::new();
    OUT.get_or_init(|| ScenarioOutput::boot("linux-transports.sh"))
}

#[test]
fn every_disk_of_the_standard_set_was_found() {
    let devices = out().text("devices");
    for label in LABELS {
        assert_listed(&devices, label);
    }
}

#[test]
fn standard_inquiry_agrees_with_sg_inq() {
    for l in LABELS {
        let ours = out().json(&format!("{l}.inquiry.json"), 0);
        let data = &ours["inquiry"]["data"];
        let sg = out().text(&format!("{l}.sg_inq"));
        assert_eq!(
            data["t10_vendor_identification"],
            after(&sg, "Vendor identification:"),
            "{l}"
        );
        assert_eq!(
            data["product_identification"],
            after(&sg, "Product identification:"),
            "{l}"
        );
        assert_eq!(
            data["product_revision_level"],
            after(&sg, "Product revision level:"),
            "{l}"
        );
        let version = after(&sg, "version=").split_whitespace().next().unwrap();
        assert_eq!(
            data["version"]["code"].as_u64().unwrap(),
            u64::from_str_radix(version.trim_start_matches("0x"), 16).unwrap(),
            "{l}"
        );
        let pdt = after(&sg, "PDT=").split_whitespace().next().unwrap();
        assert_eq!(
            data["peripheral_device_type"]["code"],
            pdt.parse::<u64>().unwrap(),
            "{l}"
        );
        let hisup = after(&sg, "HiSUP=").split_whitespace().next().unwrap();
        assert_eq!(data["hisup"], hisup == "1", "{l}");
        let cmdque = after(&sg, "CmdQue=").split_whitespace().next().unwrap();
        assert_eq!(data["cmdque"], cmdque == "1", "{l}");
    }
}

#[test]
fn vpd_pages_agree_with_sg_vpd() {
    for l in LABELS {
        let serial = out().json(&format!("{l}.vpd80.json"), 0);
        let sg = out().text(&format!("{l}.sg_vpd_sn"));
        assert_eq!(
            serial["inquiry"]["data"]["product_serial_number"],
            after(&sg, "Unit serial number:"),
            "{l}"
        );
        let ids = out().json(&format!("{l}.vpd83.json"), 0);
        let ours = ids["inquiry"]["data"]["designators"]
            .as_array()
            .unwrap()
            .len();
        let theirs = out()
            .text(&format!("{l}.sg_vpd_di"))
            .matches("designator type:")
            .count();
        assert!(theirs > 0, "{l}: sg_vpd listed no designators");
        assert_eq!(ours, theirs, "{l}: designator count");
    }
}

#[test]
fn read_capacity_agrees_with_sg_readcap() {
    for l in LABELS {
        let sg = out().text(&format!("{l}.sg_readcap"));
        let last_lba: u64 = after(&sg, "Last LBA=")
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let length: u64 = after(&sg, "Logical block length=")
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        for name in ["readcap.json", "readcap16.json"] {
            let ours = out().json(&format!("{l}.{name}"), 0);
            assert_eq!(ours["last_lba"], last_lba, "{l} {name}");
            assert_eq!(ours["block_length"], length, "{l} {name}");
        }
        let expected = if l == "virtio-4k" { 4096 } else { 512 };
        assert_eq!(length, expected, "{l}: the VM's configured block size");
    }
}

#[test]
fn report_luns_agrees_with_sg_luns() {
    for l in LABELS {
        let ours = out().json(&format!("{l}.luns.json"), 0);
        let sg = out().text(&format!("{l}.sg_luns"));
        let listed: Vec<String> = sg
            .lines()
            .map(str::trim)
            .filter(|line| line.len() == 16 && line.chars().all(|c| c.is_ascii_hexdigit()))
            .map(str::to_string)
            .collect();
        let ours: Vec<String> = ours["luns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|lun| {
                lun["bytes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|b| format!("{:02x}", b.as_u64().unwrap()))
                    .collect()
            })
            .collect();
        assert!(!listed.is_empty(), "{l}: {sg}");
        assert_eq!(ours, listed, "{l}");
    }
}

#[test]
fn the_write_cache_we_set_is_what_sdparm_reads() {
    for l in LABELS {
        assert_eq!(
            out().json(&format!("{l}.wce-off.json"), 0)["wce"],
            false,
            "{l}"
        );
        let off = out().text(&format!("{l}.sdparm-off"));
        assert!(after(&off, "WCE").starts_with("0 "), "{l}: {off}");
        assert_eq!(
            out().json(&format!("{l}.wce-get-off.json"), 0)["wce"],
            false,
            "{l}"
        );
        assert_eq!(
            out().json(&format!("{l}.wce-on.json"), 0)["wce"],
            true,
            "{l}"
        );
        let on = out().text(&format!("{l}.sdparm-on"));
        assert!(after(&on, "WCE").starts_with("1 "), "{l}: {on}");
    }
}

#[test]
fn synchronize_cache_forms_reach_the_device() {
    for l in LABELS {
        out().json(&format!("{l}.sync.json"), 0);
        out().json(&format!("{l}.sync-range.json"), 0);
        // QEMU's scsi-hd has no SYNCHRONIZE CACHE (16): ILLEGAL REQUEST, 20/00, exit 5.
        let name = format!("{l}.sync16.json");
        assert_eq!(out().rc(&name), 5, "{name}");
        assert!(
            out()
                .err(&name)
                .contains("INVALID COMMAND OPERATION CODE (20h/00h)"),
            "{name}"
        );
    }
}

#[test]
fn the_sense_of_write_buffer_agrees_with_sg_raw() {
    for l in LABELS {
        let ours = out().json(&format!("{l}.write-buffer.json"), 5);
        let sense = hex_bytes(ours["sense_bytes"].as_str().unwrap());
        let sg = out().err(&format!("{l}.sg_raw-write-buffer"));
        // sg_raw -vvv prints the raw sense after "Raw sense data (in hex)".
        let raw: Vec<u8> = sg
            .split("Raw sense data (in hex)")
            .nth(1)
            .unwrap_or_else(|| panic!("{l}: {sg}"))
            .lines()
            .skip(1)
            .take_while(|line| line.starts_with("  "))
            .flat_map(hex_bytes)
            .collect();
        assert_eq!(sense, raw, "{l}: the same bytes came back");
        let decoded = &ours["sense"];
        assert_eq!(
            decoded["sense_key"]["name"]
                .as_str()
                .unwrap()
                .to_lowercase(),
            "illegal request"
        );
        let key = after(&sg, "Sense key:").to_lowercase();
        assert_eq!(key, "illegal request", "{l}");
        let asc = after(&sg, "Additional sense:").to_lowercase();
        let ours_asc = decoded["additional_sense"]["description"]
            .as_str()
            .or_else(|| decoded["additional_sense"]["name"].as_str())
            .unwrap_or_else(|| panic!("{l}: {decoded}"))
            .to_lowercase();
        assert_eq!(ours_asc, asc, "{l}");
        // sg_decode_sense, given the sense bytes we printed, decodes them as we did.
        let decoded_by_sg = out().text(&format!("{l}.sg_decode_sense"));
        assert_eq!(
            after(&decoded_by_sg, "Sense key:").to_lowercase(),
            key,
            "{l}"
        );
        assert_eq!(
            after(&decoded_by_sg, "Additional sense:").to_lowercase(),
            ours_asc,
            "{l}"
        );
        assert_eq!(
            out().rc(&format!("{l}.opcodes")),
            5,
            "{l}: scsi-hd has no RSOC"
        );
    }
}

#[test]
fn raw_moves_exactly_the_bytes_sg3_utils_sees() {
    for l in LABELS {
        let ours = out().json(&format!("{l}.raw-inquiry.json"), 0);
        let theirs = out().bytes(&format!("{l}.sg_inq-raw"));
        assert_eq!(hex_bytes(ours["data_in"].as_str().unwrap()), theirs, "{l}");
        // A block written with FUA through the sd node, read back through sg by sg_raw.
        out().json(&format!("{l}.raw-write.json"), 0);
        assert_eq!(out().rc(&format!("{l}.sg_raw-read")), 0, "{l}");
        let pattern = out().bytes(&format!("{l}.pattern"));
        let read = out().bytes(&format!("{l}.readback"));
        assert_eq!(read, pattern, "{l}");
    }
}

#[test]
fn transfers_over_the_queue_limit_are_refused_before_sending() {
    for l in LABELS {
        let name = format!("{l}.too-long");
        assert_eq!(out().rc(&name), 2, "{name}");
        let max = out().text(&format!("{l}.max-transfer")).trim().to_string();
        let message = out().err(&name);
        assert!(
            message.contains(&format!("maximum of {max} bytes")),
            "{name}: {message}"
        );
        let tur = out().json(&format!("{l}.tur.json"), 0);
        assert_eq!(tur["count"], 50, "{l}");
    }
}

#[test]
fn partitions_and_devices_in_use_are_refused() {
    let partitioned = out().text("partitioned");
    let part = partitioned.split_whitespace().next().unwrap();
    assert_eq!(out().rc("part.inquiry"), 2);
    assert!(
        out().err("part.inquiry").contains("is a partition"),
        "{}",
        out().err("part.inquiry")
    );
    let swap = format!("{part} in use as swap");
    for step in ["inuse.write", "inuse.write-sg", "inuse.format"] {
        assert_eq!(out().rc(step), 2, "{step}: {}", out().err(step));
        assert!(
            out().err(step).contains(&swap),
            "{step}: {}",
            out().err(step)
        );
    }
    assert_eq!(out().rc("inuse.read"), 0, "{}", out().err("inuse.read"));
    assert_eq!(out().rc("unused.write"), 0, "{}", out().err("unused.write"));
}

#[test]
fn a_user_who_may_only_read_can_inquire_but_not_change() {
    assert_eq!(out().rc("ro.inquiry"), 0, "{}", out().err("ro.inquiry"));
    assert!(out().text("ro.inquiry").contains("VIRTIO4K"));
    assert_ne!(out().rc("ro.wce-set"), 0);
    let message = out().err("ro.wce-set");
    assert!(message.contains("permission denied"), "{message}");
    assert!(message.contains("read-write access"), "{message}");
}

#[test]
fn nodes_of_the_wrong_kind_are_usage_errors() {
    for (step, message) in [
        ("bad.file", "regular file, not a device node"),
        ("bad.null", "character device of class mem"),
        ("nvme.scsi-on-nvme", "is an NVMe device"),
        ("nvme.nvme-on-scsi", "is a SCSI device"),
    ] {
        assert_eq!(out().rc(step), 2, "{step}");
        assert!(
            out().err(step).contains(message),
            "{step}: {}",
            out().err(step)
        );
    }
}

/// Every scalar field both documents have, compared (strings without padding).
fn assert_same_fields(what: &str, ours: &Value, theirs: &Value) -> usize {
    let mut compared = 0;
    for (key, value) in theirs.as_object().unwrap() {
        let Some(mut mine) = ours.get(key) else {
            continue;
        };
        // Bit fields decode to an object that keeps the field's value as "raw".
        if let Some(raw) = mine.get("raw") {
            mine = raw;
        }
        match (value, mine) {
            (Value::String(a), Value::String(b)) => assert_eq!(a.trim(), b.trim(), "{what} {key}"),
            (Value::Number(_), _) | (Value::Bool(_), _) => assert_eq!(value, mine, "{what} {key}"),
            _ => continue,
        }
        compared += 1;
    }
    compared
}

#[test]
fn nvme_identify_agrees_with_nvme_cli_field_by_field() {
    let theirs = out().json("nvme.id-ctrl.nvme-cli.json", 0);
    let ours = out().json("nvme.id-ctrl.json", 0);
    let compared = assert_same_fields("id-ctrl", &ours, &theirs);
    assert!(
        compared >= 60,
        "only {compared} Identify Controller fields compared"
    );
    assert_eq!(ours["sn"].as_str().unwrap().trim(), "NVME0001");
    let theirs = out().json("nvme.id-ns.nvme-cli.json", 0);
    for node in ["nvme0n1", "ng0n1"] {
        let ours = out().json(&format!("nvme.id-ns.{node}.json"), 0);
        let compared = assert_same_fields(node, &ours, &theirs);
        assert!(compared >= 30, "{node}: only {compared} fields compared");
    }
}

#[test]
fn nvme_logs_and_features_agree_with_nvme_cli() {
    let theirs = out().json("nvme.smart.nvme-cli.json", 0);
    let ours = out().json("nvme.smart.json", 0);
    let log = &ours["log"]["data"];
    for (mine, cli) in [
        ("composite_temperature", "temperature"),
        ("available_spare", "avail_spare"),
        ("available_spare_threshold", "spare_thresh"),
        ("percentage_used", "percent_used"),
        ("power_on_hours", "power_on_hours"),
        ("unsafe_shutdowns", "unsafe_shutdowns"),
        ("media_and_data_integrity_errors", "media_errors"),
    ] {
        let a = log[mine].to_string().trim_matches('"').to_string();
        let b = theirs[cli].to_string().trim_matches('"').to_string();
        assert_eq!(a, b, "{mine} vs {cli}");
    }
    assert_eq!(log["critical_warning"]["raw"], theirs["critical_warning"]);
    assert_eq!(out().json("nvme.fw-log.json", 0)["lid"], 3);
    // Volatile write cache switched by us (controller and namespace nodes), read by
    // nvme-cli and by us through the generic node.
    out().json("nvme.vwc-off.json", 0);
    assert!(out()
        .text("nvme.vwc-off.nvme-cli")
        .trim_end()
        .ends_with("Current value:00000000"));
    assert_eq!(
        out().json("nvme.vwc-get.json", 0)["volatile_write_cache"]["wce"],
        false
    );
    out().json("nvme.vwc-on.json", 0);
    assert!(out()
        .text("nvme.vwc-on.nvme-cli")
        .trim_end()
        .ends_with("Current value:0x00000001"));
}

#[test]
fn inquiry_all_reads_every_page_vpd_00h_lists() {
    for l in LABELS {
        let ours = out().json(&format!("{l}.inquiry-all.json"), 0);
        assert_eq!(ours["standard"]["product_revision_level"], "2.5+", "{l}");
        let raw = out().bytes(&format!("{l}.sg_vpd_pages"));
        let listed: Vec<u64> = raw
            .get(4..)
            .unwrap()
            .iter()
            .map(|&p| u64::from(p))
            .collect();
        let pages: Vec<u64> = ours["vpd"]
            .as_array()
            .unwrap()
            .iter()
            .map(|page| {
                assert!(page.get("error").is_none(), "{l}: {page}");
                page["page_code"].as_u64().unwrap()
            })
            .collect();
        assert_eq!(pages, listed, "{l}: the pages sg_vpd says VPD 00h lists");
    }
}

#[test]
fn list_shows_every_device_with_its_transport_and_usb_attachment() {
    let list = out().json("list.json", 0);
    let devices = list["devices"].as_array().unwrap();
    let scsi = |serial: &str| {
        devices
            .iter()
            .find(|d| {
                d["kind"] == "scsi" && (d["serial"] == serial || d["usb"]["serial"] == serial)
            })
            .unwrap_or_else(|| panic!("{serial} not listed: {list}"))
    };
    for (serial, transport, vid_pid, speed, protocol) in [
        ("BOT0001", "usb-storage", "46f4:0001", "super", "bot"),
        ("UAS0001", "uas", "46f4:0003", "super", "uas"),
        ("UAS0002", "uas", "46f4:0003", "high", "uas"),
    ] {
        let device = scsi(serial);
        assert_eq!(device["transport"], transport, "{serial}");
        assert_eq!(device["usb"]["vid_pid"], vid_pid, "{serial}");
        assert_eq!(device["usb"]["speed"], speed, "{serial}");
        assert_eq!(
            device["usb"]["protocols"],
            serde_json::json!([protocol]),
            "{serial}"
        );
        assert_eq!(device["revision"], "2.5+", "{serial}");
        assert!(
            device["generic"].as_str().unwrap().starts_with("/dev/sg"),
            "{serial}"
        );
    }
    let virtio = scsi("VS0001");
    assert_eq!(virtio["transport"], "virtio-scsi");
    assert_eq!(virtio["usb"], Value::Null);
    assert_eq!(virtio["logical_block_size"], 4096);
    assert_eq!(virtio["size_bytes"], 64u64 << 20);
    let nvme = devices
        .iter()
        .find(|d| d["kind"] == "nvme")
        .unwrap_or_else(|| panic!("no NVMe controller: {list}"));
    assert_eq!(nvme["serial"], "NVME0001");
    assert_eq!(nvme["controller"], "/dev/nvme0");
    assert_eq!(nvme["namespaces"][0]["block"], "/dev/nvme0n1");
    assert_eq!(nvme["namespaces"][0]["generic"], "/dev/ng0n1");
    assert_eq!(devices.len(), 5, "{list}");
}

/// The fault count of a verify report.
fn verify_faults(report: &Value) -> u64 {
    report["outcome"]["verify"]["tally"]["faults"]
        .as_u64()
        .unwrap()
}

#[test]
fn verify_passes_on_every_attachment_and_restores_the_write_cache() {
    for l in LABELS {
        let report = out().json(&format!("{l}.verify.json"), 0);
        assert_eq!(verify_faults(&report), 0, "{l}: {report}");
        let ok = report["outcome"]["verify"]["tally"]["counts"]["ok"]
            .as_u64()
            .unwrap();
        let bs = report["params"]["block_size"].as_u64().unwrap();
        assert_eq!(ok * bs, 8 << 20, "{l}: every block holds its latest write");
        let cache = &report["outcome"]["write_cache"];
        assert_eq!(cache["before"], true, "{l}");
        assert_eq!(cache["after"], true, "{l}: restored");
        if l == "virtio-4k" {
            assert_eq!(cache["during"], false, "{l}: switched off for the run");
        }
        let sdparm = out().text(&format!("{l}.wce-after-verify"));
        assert!(after(&sdparm, "WCE").starts_with("1 "), "{l}: {sdparm}");
    }
    for name in ["nvme.verify-fua.json", "nvme.verify-cache-off.json"] {
        let report = out().json(name, 0);
        assert_eq!(verify_faults(&report), 0, "{name}: {report}");
        assert_eq!(report["outcome"]["write_cache"]["after"], true, "{name}");
    }
    let vwc = out().text("nvme.vwc-after-verify");
    assert!(
        vwc.trim_end().ends_with("Current value:0x00000001"),
        "{vwc}"
    );
}

#[test]
fn fwupdate_finds_while_planning_that_qemus_devices_take_no_firmware() {
    // QEMU's scsi-hd answers READ BUFFER and WRITE BUFFER with 20/00 and reports no
    // download mode; its nvme clears OACS bit 2 and answers Firmware Image Download with
    // Invalid Opcode. Each is refused before a download command (exit 11), saying why.
    for l in LABELS {
        let name = format!("{l}.fwupdate.json");
        let report = out().json(&name, 11);
        assert_eq!(report["outcome"]["outcome"], "refused", "{name}: {report}");
        let why = report["outcome"]["why"].as_str().unwrap_or_default();
        assert!(
            why.contains("20h/00h") && why.contains("WRITE BUFFER"),
            "{name}: {why}"
        );
        assert!(report["update"]["plan"].is_null(), "{name}: {report}");
        assert!(report["update"]["download"].is_null(), "{name}: {report}");
    }
    for name in ["nvme.fwupdate.json", "nvme.fwupdate-ns.json"] {
        let report = out().json(name, 11);
        assert_eq!(report["outcome"]["outcome"], "refused", "{name}: {report}");
        let why = report["outcome"]["why"].as_str().unwrap_or_default();
        assert!(why.contains("OACS bit 2"), "{name}: {why}");
        assert!(report["update"]["download"].is_null(), "{name}: {report}");
    }
}

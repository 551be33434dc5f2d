//! `scsitool list` and `scsitool inquiry --all` end to end: JSON against the committed
//! schemas, every VPD page the emulated disk lists read and decoded (SPC-5 7.7.17), and the
//! usage errors.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{json, scsitool};
use serde_json::Value;

#[test]
fn inquiry_all_reads_every_page_the_device_lists() {
    let value = json(
        "inquiry-all",
        &["inquiry", "--all", "sim:?vendor=ACME&serial=ABC123&size=8M"],
    );
    assert_eq!(value["device"], "sim:?vendor=ACME&serial=ABC123&size=8M");
    assert_eq!(value["standard"]["t10_vendor_identification"], "ACME");
    let vpd = value["vpd"].as_array().unwrap();
    // SPC-5 7.7.17: page 00h comes first and lists the supported pages in ascending order.
    assert_eq!(vpd[0]["page_code"], 0);
    assert_eq!(vpd[0]["data"]["page"], "supported_vpd_pages");
    let listed: Vec<u64> = vpd[0]["data"]["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["page_code"].as_u64().unwrap())
        .filter(|&code| code != 0)
        .collect();
    // The emulated disk is an SBC device: at least 80h, 83h and the SBC-4 B0h page.
    for must in [0x80, 0x83, 0xb0] {
        assert!(listed.contains(&must), "{listed:?}");
    }
    let read: Vec<u64> = vpd[1..]
        .iter()
        .map(|p| p["page_code"].as_u64().unwrap())
        .collect();
    assert_eq!(read, listed);
    for page in &vpd[1..] {
        assert!(page.get("error").is_none(), "{page}");
        assert_eq!(
            page["data"]["header"]["page_code"], page["page_code"],
            "{page}"
        );
        assert_ne!(page["data"]["page"], "other", "not decoded: {page}");
    }
    let serial = vpd.iter().find(|p| p["page_code"] == 0x80).unwrap();
    assert_eq!(serial["data"]["product_serial_number"], "ABC123");
    assert_eq!(serial["name"], "Unit Serial Number");

    let human = scsitool(&["inquiry", "--all", "sim:?size=8M"]);
    assert_eq!(human.status.code(), Some(0));
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(text.contains("Vendor identification: SCSITOOL"), "{text}");
    assert!(
        text.contains("VPD page 83h (Device Identification):"),
        "{text}"
    );
}

#[test]
fn inquiry_all_excludes_single_page_options_and_nvme_devices() {
    for args in [
        &["inquiry", "--all", "--vpd", "80", "sim:"][..],
        &["inquiry", "--all", "--len", "36", "sim:"],
        &["inquiry", "--all", "sim:nvme"],
    ] {
        let out = scsitool(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
    }
}

#[test]
fn list_prints_a_document_of_its_schema() {
    let value = json("list", &["list"]);
    assert!(value["devices"].is_array(), "{value}");
    // Discovery runs on Linux; elsewhere the empty list says why.
    assert_eq!(
        value["note"].is_null(),
        cfg!(target_os = "linux"),
        "{value}"
    );
    for device in value["devices"].as_array().unwrap() {
        let kind = device["kind"].as_str().unwrap();
        assert!(["scsi", "nvme"].contains(&kind), "{device}");
        if kind == "nvme" {
            assert_eq!(device["transport"], Value::from("nvme"));
        }
    }
    let human = scsitool(&["list"]);
    assert_eq!(human.status.code(), Some(0), "{human:?}");
}

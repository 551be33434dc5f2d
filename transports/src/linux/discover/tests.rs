//! Discovery over fake sysfs trees shaped like Linux's (Documentation/ABI), with USB
//! descriptors built by `cdb::usb::descriptor` and VPD pages laid out per SPC-5 7.7.19.

#![allow(clippy::unwrap_used)]

use super::*;
use cdb::usb::descriptor::{
    AlternateSetting, Endpoint, Interface, PipeId, ENDPOINT_IN, PROTOCOL_BOT, PROTOCOL_UAS,
    SUBCLASS_SCSI, TRANSFER_BULK,
};
use proptest::prelude::*;
use std::os::unix::fs::symlink;

use crate::linux::scratch::Scratch;

/// Writes attribute files into `dir` (creating it).
fn attrs(dir: &Path, files: &[(&str, &[u8])]) {
    fs::create_dir_all(dir).unwrap();
    for (name, content) in files {
        let path = dir.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
    }
}

/// Links `root/class/CLASS/NAME` to `dir`, and `dir/subsystem` to the class.
fn class_member(root: &Path, class: &str, dir: &Path) {
    let class_dir = root.join("class").join(class);
    fs::create_dir_all(&class_dir).unwrap();
    symlink(dir, class_dir.join(name_of(dir))).unwrap();
    symlink(&class_dir, dir.join("subsystem")).unwrap();
}

/// A bulk endpoint, optionally tagged with a UAS pipe (UAS-2 5.3.3.2).
fn bulk(address: u8, pipe: Option<PipeId>) -> Endpoint {
    Endpoint {
        endpoint_address: address,
        attributes: TRANSFER_BULK,
        max_packet_size: 512,
        interval: 0,
        companion: None,
        pipe,
    }
}

/// A mass-storage alternate setting (USB MSC Overview 1.4) with `endpoints`.
fn alternate(number: u8, protocol: u8, endpoints: Vec<Endpoint>) -> AlternateSetting {
    AlternateSetting {
        alternate_setting: number,
        interface_class: CLASS_MASS_STORAGE,
        interface_subclass: SUBCLASS_SCSI,
        interface_protocol: protocol,
        i_interface: 0,
        num_endpoints: endpoints.len() as u8,
        endpoints,
    }
}

/// sysfs `descriptors` of a high-speed device whose interface 0 offers Bulk-Only in
/// alternate 0 and UAS in alternate 1, like a UAS bridge (UAS-2 5.3.3.1).
fn dual_descriptors() -> Vec<u8> {
    let device = DeviceDescriptor {
        bcd_usb: 0x0210,
        device_class: 0,
        device_subclass: 0,
        device_protocol: 0,
        max_packet_size0: 64,
        id_vendor: 0x174c,
        id_product: 0x55aa,
        bcd_device: 0x0100,
        i_manufacturer: 1,
        i_product: 2,
        i_serial_number: 3,
        num_configurations: 1,
    };
    let bot = alternate(
        0,
        PROTOCOL_BOT,
        vec![bulk(ENDPOINT_IN | 1, None), bulk(2, None)],
    );
    let uas = alternate(
        1,
        PROTOCOL_UAS,
        vec![
            bulk(1, Some(PipeId::Command)),
            bulk(ENDPOINT_IN | 2, Some(PipeId::Status)),
            bulk(ENDPOINT_IN | 3, Some(PipeId::DataIn)),
            bulk(4, Some(PipeId::DataOut)),
        ],
    );
    let configuration = Configuration {
        configuration_value: 1,
        i_configuration: 0,
        attributes: 0xc0,
        max_power: 0,
        interfaces: vec![Interface {
            interface_number: 0,
            alternates: vec![bot, uas],
        }],
    };
    let mut bytes = device.to_bytes();
    bytes.extend(configuration.to_bytes().unwrap());
    bytes
}

/// A Unit Serial Number page (SPC-5 7.7.19): qualifier/type 00h, page 80h, PAGE LENGTH,
/// right-aligned ASCII.
fn serial_page(serial: &str) -> Vec<u8> {
    let mut page = vec![0x00, 0x80, 0x00, serial.len() as u8];
    page.extend_from_slice(serial.as_bytes());
    page
}

/// A SCSI device `hctl` under `parent` with an `sd` disk and an `sg` node.
fn scsi(root: &Path, parent: &Path, hctl: &str, disk: Option<&str>, sg: &str) -> PathBuf {
    let host = hctl.split(':').next().unwrap();
    let target = parent
        .join(format!("host{host}"))
        .join(format!("target{}", &hctl[..hctl.rfind(':').unwrap()]))
        .join(hctl);
    attrs(
        &target,
        &[
            ("type", b"0\n"),
            ("vendor", b"QEMU    \n"),
            ("model", b"QEMU HARDDISK   \n"),
            ("rev", b"2.5+\n"),
        ],
    );
    fs::create_dir_all(target.join("scsi_disk").join(hctl)).unwrap();
    if let Some(disk) = disk {
        let block = target.join("block").join(disk);
        attrs(
            &block,
            &[("size", b"8192\n"), ("queue/logical_block_size", b"4096\n")],
        );
        symlink(&target, block.join("device")).unwrap();
        class_member(root, "block", &block);
    }
    let generic = target.join("scsi_generic").join(sg);
    fs::create_dir_all(&generic).unwrap();
    symlink(&target, generic.join("device")).unwrap();
    class_member(root, "scsi_generic", &generic);
    target
}

/// A host adapter's `proc_name`.
fn host(root: &Path, number: u32, proc_name: &str) {
    attrs(
        &root.join(format!("class/scsi_host/host{number}")),
        &[("proc_name", format!("{proc_name}\n").as_bytes())],
    );
}

/// A USB device and its interface 0 bound to `driver`; returns the interface directory.
fn usb(root: &Path, descriptors: &[u8], driver: &str) -> PathBuf {
    let device = root.join("devices/pci0000:00/0000:00:04.0/usb2/2-1");
    attrs(
        &device,
        &[
            ("idVendor", b"174c\n"),
            ("idProduct", b"55aa\n"),
            ("busnum", b"2\n"),
            ("devnum", b"3\n"),
            ("speed", b"480\n"),
            ("serial", b"00000000000000000000\n"),
            ("bConfigurationValue", b"1\n"),
            ("descriptors", descriptors),
        ],
    );
    let interface = device.join("2-1:1.0");
    attrs(
        &interface,
        &[
            ("bInterfaceNumber", b"00\n"),
            ("bInterfaceProtocol", b"62\n"),
        ],
    );
    let drivers = root.join("bus/usb/drivers").join(driver);
    fs::create_dir_all(&drivers).unwrap();
    symlink(&drivers, interface.join("driver")).unwrap();
    interface
}

fn scsi_records(devices: &[DiscoveredDevice]) -> Vec<&ScsiDevice> {
    devices
        .iter()
        .filter_map(|d| match d {
            DiscoveredDevice::Scsi(s) => Some(s),
            DiscoveredDevice::Nvme(_) => None,
        })
        .collect()
}

#[test]
fn a_uas_disk_shows_its_nodes_identity_and_both_alternates() {
    let scratch = Scratch::new("discover-uas");
    let root = scratch.path();
    let interface = usb(root, &dual_descriptors(), "uas");
    let dev = scsi(root, &interface, "0:0:0:0", Some("sda"), "sg0");
    fs::write(dev.join("vpd_pg80"), serial_page("   S1")).unwrap();
    // The uas driver leaves proc_name unset: the interface's driver names the host.
    host(root, 0, "(null)");
    let found = discover_in(root);
    let scsi = scsi_records(&found);
    assert_eq!(scsi.len(), 1, "{found:?}");
    let disk = scsi[0];
    assert_eq!(disk.hctl, "0:0:0:0");
    assert_eq!(disk.disk.as_deref(), Some("/dev/sda"));
    assert_eq!(disk.generic.as_deref(), Some("/dev/sg0"));
    assert_eq!(disk.vendor, "QEMU");
    assert_eq!(disk.model, "QEMU HARDDISK");
    assert_eq!(disk.revision, "2.5+");
    // SPC-5 7.7.19: the serial number is right-aligned; leading spaces are padding.
    assert_eq!(disk.serial.as_deref(), Some("S1"));
    assert_eq!(
        disk.peripheral_device_type,
        Some(PeripheralDeviceType::DirectAccess)
    );
    // `size` counts 512-byte sectors whatever the logical block size.
    assert_eq!(disk.size_bytes, Some(8192 * 512));
    assert_eq!(disk.logical_block_size, Some(4096));
    assert_eq!(disk.transport, Transport::Uas);
    assert_eq!(disk.host_driver.as_deref(), Some("uas"));
    let usb = disk.usb.as_ref().unwrap();
    assert_eq!(usb.vid_pid, "174c:55aa");
    assert_eq!((usb.bus, usb.address), (2, 3));
    assert_eq!(usb.serial.as_deref(), Some("00000000000000000000"));
    assert_eq!(usb.speed, Some(UsbSpeed::High));
    assert_eq!(usb.interface_number, Some(0));
    assert_eq!(usb.driver.as_deref(), Some("uas"));
    assert_eq!(usb.protocols, vec![UsbProtocol::Bot, UsbProtocol::Uas]);
    assert_eq!(usb.descriptors_error, None);
}

#[test]
fn devices_off_usb_and_without_disks_are_listed_in_hctl_order() {
    let scratch = Scratch::new("discover-virtio");
    let root = scratch.path();
    let pci = root.join("devices/pci0000:00/0000:00:05.0/virtio1");
    scsi(root, &pci, "10:0:0:0", None, "sg1");
    scsi(root, &pci, "2:0:1:0", Some("sdb"), "sg0");
    host(root, 2, "virtio_scsi");
    host(root, 10, "mpt3sas");
    let found = discover_in(root);
    let scsi = scsi_records(&found);
    let hctls: Vec<&str> = scsi.iter().map(|s| s.hctl.as_str()).collect();
    assert_eq!(hctls, ["2:0:1:0", "10:0:0:0"]);
    assert_eq!(scsi[0].transport, Transport::VirtioScsi);
    assert_eq!(scsi[0].usb, None);
    assert_eq!(scsi[0].serial, None);
    assert_eq!(scsi[1].disk, None);
    assert_eq!(scsi[1].size_bytes, None);
    assert_eq!(scsi[1].generic.as_deref(), Some("/dev/sg1"));
    assert_eq!(scsi[1].transport, Transport::Other);
    assert_eq!(scsi[1].host_driver.as_deref(), Some("mpt3sas"));
}

#[test]
fn garbage_attributes_leave_fields_unknown_instead_of_failing() {
    let scratch = Scratch::new("discover-garbage");
    let root = scratch.path();
    let interface = usb(root, b"\x12\x01garbage", "usb-storage");
    let dev = scsi(root, &interface, "0:0:0:0", Some("sda"), "sg0");
    attrs(
        &dev,
        &[
            ("type", b"zero\n"),
            ("vpd_pg80", b"\x00\x83\x00"),
            ("block/sda/size", b"-1\n"),
        ],
    );
    let found = discover_in(root);
    let disk = scsi_records(&found)[0];
    assert_eq!(disk.peripheral_device_type, None);
    assert_eq!(disk.serial, None);
    assert_eq!(disk.size_bytes, None);
    // No scsi_host entry: the driver bound to the adapter (the interface) names it.
    assert_eq!(disk.transport, Transport::UsbStorage);
    let usb = disk.usb.as_ref().unwrap();
    assert!(usb.protocols.is_empty());
    assert!(usb.descriptors_error.is_some(), "{usb:?}");
    assert_eq!(usb.driver.as_deref(), Some("usb-storage"));
    // A sysfs directory whose name is not H:C:T:L is not a SCSI device.
    let stray = root.join("devices/odd/host9/not-a-device");
    attrs(&stray, &[("vendor", b"X\n")]);
    let generic = stray.join("scsi_generic/sg7");
    fs::create_dir_all(&generic).unwrap();
    symlink(&stray, generic.join("device")).unwrap();
    class_member(root, "scsi_generic", &generic);
    assert_eq!(scsi_records(&discover_in(root)).len(), 1);
}

#[test]
fn nvme_controllers_pair_block_and_generic_namespace_nodes() {
    let scratch = Scratch::new("discover-nvme");
    let root = scratch.path();
    let pci = root.join("devices/pci0000:00/0000:00:06.0/nvme");
    let ctrl = pci.join("nvme0");
    attrs(
        &ctrl,
        &[
            ("model", b"QEMU NVMe Ctrl                          \n"),
            ("serial", b"S3                  \n"),
            ("firmware_rev", b"9.2.0   \n"),
            ("transport", b"pcie\n"),
        ],
    );
    class_member(root, "nvme", &ctrl);
    let ns = ctrl.join("nvme0n1");
    attrs(
        &ns,
        &[
            ("nsid", b"1\n"),
            ("size", b"2048\n"),
            ("queue/logical_block_size", b"512\n"),
        ],
    );
    let ng = ctrl.join("ng0n1");
    fs::create_dir_all(&ng).unwrap();
    class_member(root, "nvme-generic", &ng);
    // A multipath path device is not a namespace node.
    fs::create_dir_all(ctrl.join("nvme0c0n1")).unwrap();
    // A second controller whose namespace hangs off its NVMe subsystem (native multipath).
    let ctrl1 = pci.join("nvme1");
    attrs(&ctrl1, &[("model", b"M\n")]);
    class_member(root, "nvme", &ctrl1);
    let subsys = root.join("devices/virtual/nvme-subsystem/nvme-subsys1");
    attrs(&subsys.join("nvme1n1"), &[("nsid", b"7\n")]);
    symlink(&ctrl1, subsys.join("nvme1")).unwrap();
    let class = root.join("class/nvme-subsystem");
    fs::create_dir_all(&class).unwrap();
    symlink(&subsys, class.join("nvme-subsys1")).unwrap();

    let found = discover_in(root);
    let nvme: Vec<&NvmeController> = found
        .iter()
        .filter_map(|d| match d {
            DiscoveredDevice::Nvme(n) => Some(n),
            DiscoveredDevice::Scsi(_) => None,
        })
        .collect();
    assert_eq!(nvme.len(), 2, "{found:?}");
    let first = nvme[0];
    assert_eq!(first.controller, "/dev/nvme0");
    assert_eq!(first.model, "QEMU NVMe Ctrl");
    assert_eq!(first.serial, "S3");
    assert_eq!(first.firmware_rev, "9.2.0");
    assert_eq!(first.transport, Transport::Nvme);
    assert_eq!(first.nvme_transport.as_deref(), Some("pcie"));
    assert_eq!(
        first.namespaces,
        vec![NvmeNamespace {
            nsid: Some(1),
            block: Some("/dev/nvme0n1".into()),
            generic: Some("/dev/ng0n1".into()),
            size_bytes: Some(2048 * 512),
            logical_block_size: Some(512),
        }]
    );
    assert_eq!(nvme[1].namespaces.len(), 1);
    assert_eq!(nvme[1].namespaces[0].nsid, Some(7));
    assert_eq!(nvme[1].namespaces[0].block.as_deref(), Some("/dev/nvme1n1"));
}

#[test]
fn an_empty_or_missing_sysfs_has_no_devices() {
    let scratch = Scratch::new("discover-empty");
    assert!(discover_in(scratch.path()).is_empty());
    assert!(discover_in(&scratch.path().join("missing")).is_empty());
}

#[test]
fn only_the_active_configuration_and_the_named_interface_count() {
    let bytes = dual_descriptors();
    assert_eq!(
        mass_storage_protocols(&bytes, Some(1), 0).unwrap(),
        [UsbProtocol::Bot, UsbProtocol::Uas]
    );
    assert!(mass_storage_protocols(&bytes, Some(2), 0)
        .unwrap()
        .is_empty());
    assert!(mass_storage_protocols(&bytes, None, 1).unwrap().is_empty());
    // A configuration cut short is an error, not a partial answer.
    assert!(mass_storage_protocols(&bytes[..bytes.len() - 3], None, 0).is_err());
}

proptest! {
    #[test]
    fn arbitrary_descriptor_bytes_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..600),
        active in proptest::option::of(any::<u8>()),
        interface in any::<u8>(),
    ) {
        let _ = mass_storage_protocols(&bytes, active, interface);
    }

    #[test]
    fn arbitrary_text_never_parses_as_a_wrong_hctl(name in "[0-9:a]{0,12}") {
        if parse_hctl(&name).is_some() {
            let parts: Vec<&str> = name.split(':').collect();
            prop_assert_eq!(parts.len(), 4);
            prop_assert!(parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())));
        }
    }
}

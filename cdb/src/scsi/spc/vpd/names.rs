//! Names of VPD pages by PAGE CODE (SPC-5 7.7.1, table "VPD page codes"; SBC-4 6.6.1 for
//! the block device pages B0h–B9h).

use crate::scsi::spc::inquiry::PeripheralDeviceType;

/// Pages every device type shares (SPC-5 7.7.1).
const COMMON: &[(u8, &str)] = &[
    (0x00, "Supported VPD Pages"),
    (0x80, "Unit Serial Number"),
    (0x81, "Implemented Operating Definition (obsolete)"),
    (0x82, "ASCII Implemented Operating Definition (obsolete)"),
    (0x83, "Device Identification"),
    (0x84, "Software Interface Identification"),
    (0x85, "Management Network Addresses"),
    (0x86, "Extended INQUIRY Data"),
    (0x87, "Mode Page Policy"),
    (0x88, "SCSI Ports"),
    (0x89, "ATA Information"),
    (0x8a, "Power Condition"),
    (0x8b, "Device Constituents"),
    (0x8c, "CFA Profile Information"),
    (0x8d, "Power Consumption"),
    (0x8f, "Third-party Copy"),
    (0x90, "Protocol Specific Logical Unit Information"),
    (0x91, "Protocol Specific Port Information"),
    (0x92, "SCSI Feature Sets"),
];

/// Pages B0h–BFh of block devices (SBC-4 6.6.1).
const BLOCK: &[(u8, &str)] = &[
    (0xb0, "Block Limits"),
    (0xb1, "Block Device Characteristics"),
    (0xb2, "Logical Block Provisioning"),
    (0xb3, "Referrals"),
    (0xb4, "Supported Block Lengths and Protection Types"),
    (0xb5, "Block Device Characteristics Extension"),
    (0xb6, "Zoned Block Device Characteristics"),
    (0xb7, "Block Limits Extension"),
    (0xb8, "Format Presets"),
    (0xb9, "Concurrent Positioning Ranges"),
];

/// The name of VPD page `page_code` for a device of type `device_type` (SPC-5 7.7.1).
pub fn vpd_page_name(page_code: u8, device_type: PeripheralDeviceType) -> &'static str {
    let lookup = |table: &[(u8, &'static str)]| {
        table
            .iter()
            .find(|(code, _)| *code == page_code)
            .map(|(_, name)| *name)
    };
    if let Some(name) = lookup(COMMON) {
        return name;
    }
    match page_code {
        0x01..=0x7f => "ASCII Information",
        0xb0..=0xbf if device_type.is_block_device() => lookup(BLOCK).unwrap_or("reserved"),
        0xb0..=0xbf => "device type specific",
        0xc0..=0xff => "vendor specific",
        _ => "reserved",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_depend_on_device_type_only_for_b0_to_bf() {
        let disk = PeripheralDeviceType::DirectAccess;
        let tape = PeripheralDeviceType::SequentialAccess;
        assert_eq!(vpd_page_name(0x83, disk), "Device Identification");
        assert_eq!(vpd_page_name(0xb0, disk), "Block Limits");
        assert_eq!(vpd_page_name(0xb0, tape), "device type specific");
        assert_eq!(vpd_page_name(0xbf, disk), "reserved");
        assert_eq!(vpd_page_name(0x05, disk), "ASCII Information");
        assert_eq!(vpd_page_name(0xc1, tape), "vendor specific");
        assert_eq!(vpd_page_name(0x95, disk), "reserved");
    }
}

//! Coded fields of the standard INQUIRY data and of every VPD page header (SPC-5 6.7.2).

use super::coded::coded_enum;

coded_enum! {
    /// PERIPHERAL QUALIFIER, byte 0 bits 7–5 (SPC-5 6.7.2, table "PERIPHERAL QUALIFIER
    /// field"): whether a logical unit is attached at this LUN.
    pub enum PeripheralQualifier: u8 {
        /// 000b: a device of the indicated type is connected to this logical unit (or the
        /// device server cannot tell).
        Connected = 0 => "connected",
        /// 001b: the device server is capable of supporting the indicated type, but no
        /// device is currently connected.
        NotConnected = 1 => "capable, not connected",
        /// 010b: reserved.
        Reserved = 2 => "reserved",
        /// 011b: the device server is not capable of supporting a device at this LUN
        /// (the device type is then 1Fh).
        NotCapable = 3 => "not capable",
    }
    /// 100b–111b: vendor specific.
    VendorSpecific => "vendor specific";
}

coded_enum! {
    /// PERIPHERAL DEVICE TYPE, byte 0 bits 4–0 (SPC-5 6.7.2, table "PERIPHERAL DEVICE TYPE
    /// field"): the command set the logical unit implements.
    pub enum PeripheralDeviceType: u8 {
        /// 00h: direct access block device (SBC-4).
        DirectAccess = 0x00 => "direct access block device",
        /// 01h: sequential access device (SSC-5).
        SequentialAccess = 0x01 => "sequential access device",
        /// 02h: printer device (obsolete).
        Printer = 0x02 => "printer device (obsolete)",
        /// 03h: processor device (SPC-2).
        Processor = 0x03 => "processor device",
        /// 04h: write-once device (SBC).
        WriteOnce = 0x04 => "write-once device",
        /// 05h: CD/DVD device (MMC-6).
        CdDvd = 0x05 => "CD/DVD device",
        /// 06h: scanner device (obsolete).
        Scanner = 0x06 => "scanner device (obsolete)",
        /// 07h: optical memory device (SBC).
        OpticalMemory = 0x07 => "optical memory device",
        /// 08h: media changer device (SMC-3).
        MediaChanger = 0x08 => "media changer device",
        /// 09h: communications device (obsolete).
        Communications = 0x09 => "communications device (obsolete)",
        /// 0Ch: storage array controller device (SCC-2).
        StorageArrayController = 0x0c => "storage array controller device",
        /// 0Dh: enclosure services device (SES-4).
        EnclosureServices = 0x0d => "enclosure services device",
        /// 0Eh: simplified direct-access device (RBC).
        SimplifiedDirectAccess = 0x0e => "simplified direct-access device",
        /// 0Fh: optical card reader/writer device (OCRW).
        OpticalCard = 0x0f => "optical card reader/writer device",
        /// 10h: bridge controller commands (BCC).
        BridgeController = 0x10 => "bridge controller commands",
        /// 11h: object-based storage device (OSD-2).
        ObjectBasedStorage = 0x11 => "object-based storage device",
        /// 12h: automation/drive interface (ADC-4).
        AutomationDriveInterface = 0x12 => "automation/drive interface",
        /// 14h: host managed zoned block device (ZBC).
        HostManagedZoned = 0x14 => "host managed zoned block device",
        /// 1Eh: well known logical unit (SPC-5 8).
        WellKnownLogicalUnit = 0x1e => "well known logical unit",
        /// 1Fh: unknown or no device type.
        Unknown = 0x1f => "unknown or no device type",
    }
    /// 0Ah–0Bh (obsolete), 13h, 15h–1Dh: reserved or obsolete.
    Reserved => "reserved";
}

impl PeripheralDeviceType {
    /// True for the device types whose B0h–B2h VPD pages SBC-4 6.6 defines (Block Limits,
    /// Block Device Characteristics, Logical Block Provisioning).
    pub fn is_block_device(self) -> bool {
        matches!(
            self,
            Self::DirectAccess
                | Self::WriteOnce
                | Self::OpticalMemory
                | Self::SimplifiedDirectAccess
                | Self::HostManagedZoned
        )
    }
}

coded_enum! {
    /// VERSION, byte 2 (SPC-5 6.7.2, table "VERSION field"): the SPC version the device
    /// claims to conform to.
    pub enum Version: u8 {
        /// 00h: the device does not claim conformance to any standard.
        None = 0x00 => "no standard claimed",
        /// 01h: obsolete (SCSI-1, ANSI INCITS 131-1986).
        Scsi1 = 0x01 => "SCSI-1 (obsolete)",
        /// 02h: obsolete (SCSI-2, ANSI INCITS 131-1994).
        Scsi2 = 0x02 => "SCSI-2 (obsolete)",
        /// 03h: SPC (ANSI INCITS 301-1997).
        Spc = 0x03 => "SPC",
        /// 04h: SPC-2 (ANSI INCITS 351-2001).
        Spc2 = 0x04 => "SPC-2",
        /// 05h: SPC-3 (ANSI INCITS 408-2005).
        Spc3 = 0x05 => "SPC-3",
        /// 06h: SPC-4 (ANSI INCITS 513-2015).
        Spc4 = 0x06 => "SPC-4",
        /// 07h: SPC-5 (ANSI INCITS 502-2019).
        Spc5 = 0x07 => "SPC-5",
    }
    /// Other values: obsolete (ISO/IEC and ECMA versions) or reserved.
    Other => "obsolete or reserved";
}

coded_enum! {
    /// TPGS, byte 5 bits 5–4 (SPC-5 6.7.2, table "TPGS field"): support for asymmetric
    /// logical unit access.
    pub enum Tpgs: u8 {
        /// 00b: asymmetric logical unit access is not supported.
        NotSupported = 0 => "not supported",
        /// 01b: only implicit asymmetric logical unit access.
        Implicit = 1 => "implicit only",
        /// 10b: only explicit asymmetric logical unit access.
        Explicit = 2 => "explicit only",
        /// 11b: both implicit and explicit asymmetric logical unit access.
        Both = 3 => "implicit and explicit",
    }
    /// Unreachable for a two-bit field; kept for completeness of the decoding.
    Other => "reserved";
}

coded_enum! {
    /// CLOCKING, byte 56 bits 3–2 (SPC-5 6.7.2; defined by SPI-5 for parallel SCSI).
    pub enum Clocking: u8 {
        /// 00b: only ST (single transition) is supported.
        St = 0 => "ST only",
        /// 01b: only DT (double transition) is supported.
        Dt = 1 => "DT only",
        /// 10b: reserved.
        Reserved = 2 => "reserved",
        /// 11b: both ST and DT are supported.
        StAndDt = 3 => "ST and DT",
    }
    /// Unreachable for a two-bit field; kept for completeness of the decoding.
    Other => "reserved";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_spc5_tables() {
        assert_eq!(
            PeripheralDeviceType::from_code(0).name(),
            "direct access block device"
        );
        assert_eq!(
            PeripheralDeviceType::from_code(0x14),
            PeripheralDeviceType::HostManagedZoned
        );
        assert_eq!(
            PeripheralDeviceType::from_code(0x15),
            PeripheralDeviceType::Reserved(0x15)
        );
        assert_eq!(PeripheralQualifier::from_code(5).name(), "vendor specific");
        assert_eq!(Version::from_code(5), Version::Spc3);
        assert_eq!(Version::from_code(0x80).name(), "obsolete or reserved");
        assert!(PeripheralDeviceType::DirectAccess.is_block_device());
        assert!(!PeripheralDeviceType::CdDvd.is_block_device());
    }
}

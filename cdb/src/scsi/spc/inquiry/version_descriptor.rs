//! VERSION DESCRIPTOR codes of the standard INQUIRY data (SPC-5 6.7.2, bytes 58–73) and
//! the standards they claim (SPC-5 Annex E, table "Version descriptor values"; the current
//! list is T10's `stds-num.txt`).
//!
//! Codes come in blocks of 32 per standard: the first code of a block claims the standard
//! without naming a version, the others name a draft revision or a published edition. A code
//! inside a known block but absent from the table decodes to the standard alone. The ATA/ACS
//! and USB codes (1720h–17FFh) are assigned one by one rather than in blocks.
//!
//! T10 assigns no version descriptors to NVM Express; the PCI Express transports it defines
//! are SOP and PQI (SCSI over PCIe), listed below.

use serde::Serialize;

/// One VERSION DESCRIPTOR (SPC-5 6.7.2): a standard the device claims conformance to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct VersionDescriptor {
    /// The two-byte code as transmitted.
    pub code: u16,
    /// The standard the code names (e.g. `"SPC-4"`), or `None` for a code this table does
    /// not know.
    pub standard: Option<&'static str>,
    /// The draft revision or edition (e.g. `"INCITS 513-2015"`), or `None` when the code
    /// claims the standard without a version or is unknown.
    pub revision: Option<&'static str>,
}

impl VersionDescriptor {
    /// Decodes a version descriptor code (SPC-5 Annex E).
    pub fn from_code(code: u16) -> Self {
        let exact = TABLE.iter().find(|(c, _, _)| *c == code);
        let (standard, revision) = match exact {
            Some((_, standard, revision)) => (Some(*standard), *revision),
            None => {
                let block = code & !0x1f;
                let family = TABLE.iter().find(|(c, _, r)| *c == block && r.is_none());
                (family.map(|(_, standard, _)| *standard), None)
            }
        };
        VersionDescriptor {
            code,
            standard,
            revision,
        }
    }
}

impl std::fmt::Display for VersionDescriptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.standard, self.revision) {
            (Some(s), Some(r)) => write!(f, "{s} {r}"),
            (Some(s), None) if self.code & 0x1f == 0 => write!(f, "{s} (no version claimed)"),
            (Some(s), None) => write!(f, "{s} (unlisted version {:#06x})", self.code),
            (None, _) => write!(f, "{:#06x}", self.code),
        }
    }
}

/// (code, standard, revision). A `None` revision at a code that is a multiple of 20h marks
/// the first code of a standard's block.
const TABLE: &[(u16, &str, Option<&str>)] = &[
    (0x0000, "Version descriptor not supported", None),
    // SCSI architecture models
    (0x0020, "SAM", None),
    (0x003b, "SAM", Some("T10/0994-D revision 18")),
    (0x003c, "SAM", Some("INCITS 270-1996")),
    (0x0040, "SAM-2", None),
    (0x0054, "SAM-2", Some("T10/1157-D revision 23")),
    (0x0055, "SAM-2", Some("T10/1157-D revision 24")),
    (0x005c, "SAM-2", Some("INCITS 366-2003")),
    (0x005e, "SAM-2", Some("ISO/IEC 14776-412")),
    (0x0060, "SAM-3", None),
    (0x0062, "SAM-3", Some("T10/1561-D revision 7")),
    (0x0075, "SAM-3", Some("T10/1561-D revision 13")),
    (0x0076, "SAM-3", Some("T10/1561-D revision 14")),
    (0x0077, "SAM-3", Some("INCITS 402-2005")),
    (0x0080, "SAM-4", None),
    (0x0087, "SAM-4", Some("T10/1683-D revision 13")),
    (0x008b, "SAM-4", Some("T10/1683-D revision 14")),
    (0x0090, "SAM-4", Some("INCITS 447-2008")),
    (0x0092, "SAM-4", Some("ISO/IEC 14776-414")),
    (0x00a0, "SAM-5", None),
    (0x00a2, "SAM-5", Some("T10/2104-D revision 4")),
    (0x00a4, "SAM-5", Some("T10/2104-D revision 20")),
    (0x00a6, "SAM-5", Some("T10/2104-D revision 21")),
    (0x00a8, "SAM-5", Some("INCITS 515-2016")),
    (0x00c0, "SAM-6", None),
    (0x00c2, "SAM-6", Some("INCITS 546-2021")),
    // Primary commands
    (0x0120, "SPC", None),
    (0x013b, "SPC", Some("T10/0995-D revision 11a")),
    (0x013c, "SPC", Some("INCITS 301-1997")),
    (0x0260, "SPC-2", None),
    (0x0267, "SPC-2", Some("T10/1236-D revision 12")),
    (0x0269, "SPC-2", Some("T10/1236-D revision 18")),
    (0x0275, "SPC-2", Some("T10/1236-D revision 19")),
    (0x0276, "SPC-2", Some("T10/1236-D revision 20")),
    (0x0277, "SPC-2", Some("INCITS 351-2001")),
    (0x0278, "SPC-2", Some("ISO/IEC 14776-452")),
    (0x0300, "SPC-3", None),
    (0x0301, "SPC-3", Some("T10/1416-D revision 7")),
    (0x0307, "SPC-3", Some("T10/1416-D revision 21")),
    (0x030f, "SPC-3", Some("T10/1416-D revision 22")),
    (0x0312, "SPC-3", Some("T10/1416-D revision 23")),
    (0x0314, "SPC-3", Some("INCITS 408-2005")),
    (0x0316, "SPC-3", Some("ISO/IEC 14776-453")),
    (0x0460, "SPC-4", None),
    (0x0461, "SPC-4", Some("T10/BSR INCITS 513 revision 16")),
    (0x0462, "SPC-4", Some("T10/BSR INCITS 513 revision 18")),
    (0x0463, "SPC-4", Some("T10/BSR INCITS 513 revision 23")),
    (0x0466, "SPC-4", Some("T10/BSR INCITS 513 revision 36")),
    (0x0468, "SPC-4", Some("T10/BSR INCITS 513 revision 37")),
    (0x0469, "SPC-4", Some("T10/BSR INCITS 513 revision 37a")),
    (0x046c, "SPC-4", Some("INCITS 513-2015")),
    (0x05c0, "SPC-5", None),
    (0x05c2, "SPC-5", Some("INCITS 502-2019")),
    (0x06e0, "SPC-6", None),
    // Block commands
    (0x0180, "SBC", None),
    (0x019b, "SBC", Some("T10/0996-D revision 08c")),
    (0x019c, "SBC", Some("INCITS 306-1998")),
    (0x0320, "SBC-2", None),
    (0x0322, "SBC-2", Some("T10/1417-D revision 5a")),
    (0x0324, "SBC-2", Some("T10/1417-D revision 15")),
    (0x033b, "SBC-2", Some("T10/1417-D revision 16")),
    (0x033d, "SBC-2", Some("INCITS 405-2005")),
    (0x033e, "SBC-2", Some("ISO/IEC 14776-322")),
    (0x04c0, "SBC-3", None),
    (0x04c3, "SBC-3", Some("T10/BSR INCITS 514 revision 35")),
    (0x04c5, "SBC-3", Some("T10/BSR INCITS 514 revision 36")),
    (0x04c8, "SBC-3", Some("INCITS 514-2014")),
    (0x0600, "SBC-4", None),
    (0x0602, "SBC-4", Some("INCITS 506-2021")),
    (0x060f, "SBC-4", Some("BSR INCITS 506 revision 20a")),
    (0x0610, "SBC-4", Some("BSR INCITS 506 revision 22")),
    (0x06c0, "SBC-5", None),
    (0x0620, "ZBC", None),
    (0x0628, "ZBC", Some("INCITS 536-2016")),
    (0x0660, "ZBC-2", None),
    // Other command sets
    (0x0140, "MMC", None),
    (0x0240, "MMC-2", None),
    (0x02a0, "MMC-3", None),
    (0x03a0, "MMC-4", None),
    (0x0420, "MMC-5", None),
    (0x04e0, "MMC-6", None),
    (0x01a0, "SMC", None),
    (0x02e0, "SMC-2", None),
    (0x0480, "SMC-3", None),
    (0x0160, "SCC", None),
    (0x01e0, "SCC-2", None),
    (0x0220, "RBC", None),
    (0x0340, "OSD", None),
    (0x0440, "OSD-2", None),
    (0x03c0, "ADC", None),
    (0x04a0, "ADC-2", None),
    (0x0500, "ADC-3", None),
    (0x0640, "ADC-4", None),
    // Stream and enclosure commands
    (0x0200, "SSC", None),
    (0x0201, "SSC", Some("T10/0997-D revision 17")),
    (0x0207, "SSC", Some("T10/0997-D revision 22")),
    (0x021c, "SSC", Some("INCITS 335-2000")),
    (0x0360, "SSC-2", None),
    (0x037d, "SSC-2", Some("INCITS 380-2003")),
    (0x0400, "SSC-3", None),
    (0x0409, "SSC-3", Some("INCITS 467-2011")),
    (0x0520, "SSC-4", None),
    (0x0527, "SSC-4", Some("INCITS 516-2013")),
    (0x05a0, "SSC-5", None),
    (0x01c0, "SES", None),
    (0x01dc, "SES", Some("INCITS 305-1998")),
    (0x03e0, "SES-2", None),
    (0x03f0, "SES-2", Some("INCITS 448-2008")),
    (0x0580, "SES-3", None),
    (0x0591, "SES-3", Some("INCITS 518-2017")),
    (0x0680, "SES-4", None),
    (0x0682, "SES-4", Some("INCITS 555-2020")),
    // Fibre Channel
    (0x08c0, "FCP", None),
    (0x08dc, "FCP", Some("INCITS 269-1996")),
    (0x0900, "FCP-2", None),
    (0x0917, "FCP-2", Some("INCITS 350-2003")),
    (0x0a00, "FCP-3", None),
    (0x0a11, "FCP-3", Some("INCITS 416-2006")),
    (0x0a40, "FCP-4", None),
    (0x0a46, "FCP-4", Some("INCITS 481-2011")),
    (0x0a80, "FCP-5", None),
    (0x0d20, "FC-PH", None),
    (0x0d40, "FC-AL", None),
    (0x0d60, "FC-AL-2", None),
    (0x0da0, "FC-FS", None),
    (0x0e00, "FC-FS-2", None),
    (0x0ee0, "FC-FS-3", None),
    (0x0f60, "FC-FS-4", None),
    (0x0e20, "FC-LS", None),
    (0x0f00, "FC-LS-2", None),
    (0x0f80, "FC-LS-3", None),
    (0x0dc0, "FC-PI", None),
    (0x0de0, "FC-PI-2", None),
    (0x0e60, "FC-PI-3", None),
    (0x0e80, "FC-PI-4", None),
    (0x0f20, "FC-PI-5", None),
    (0x0f40, "FC-PI-6", None),
    (0x12e0, "FC-DA", None),
    (0x12c0, "FC-DA-2", None),
    (0x1300, "FC-Tape", None),
    // iSCSI: the 31 codes after the block's first name iSCSIProtocolLevel 1 to 31 (RFC 7144)
    (0x0960, "iSCSI", None),
    (0x0961, "iSCSI", Some("RFC 7143 iSCSIProtocolLevel=1")),
    (0x0962, "iSCSI", Some("RFC 7144 iSCSIProtocolLevel=2")),
    // SCSI RDMA Protocol
    (0x0940, "SRP", None),
    (0x0954, "SRP", Some("T10/1415-D revision 10")),
    (0x0955, "SRP", Some("T10/1415-D revision 16a")),
    (0x095c, "SRP", Some("INCITS 365-2002")),
    (0x09a0, "SRP-2", None),
    (0x09bc, "SRP-2", Some("INCITS 551-2019")),
    // IEEE 1394
    (0x08e0, "SBP-2", None),
    (0x0980, "SBP-3", None),
    // Parallel SCSI
    (0x0aa0, "SPI", None),
    (0x0ae0, "SPI-2", None),
    (0x0b00, "SPI-3", None),
    (0x0b40, "SPI-4", None),
    (0x0b60, "SPI-5", None),
    // Serial Attached SCSI
    (0x0be0, "SAS", None),
    (0x0bfd, "SAS", Some("INCITS 376-2003")),
    (0x0c00, "SAS-1.1", None),
    (0x0c11, "SAS-1.1", Some("INCITS 417-2006")),
    (0x0c20, "SAS-2", None),
    (0x0c2a, "SAS-2", Some("INCITS 457-2010")),
    (0x0c40, "SAS-2.1", None),
    (0x0c4e, "SAS-2.1", Some("INCITS 478-2011")),
    (0x0c60, "SAS-3", None),
    (0x0c68, "SAS-3", Some("INCITS 519-2014")),
    (0x0c80, "SAS-4", None),
    (0x0c92, "SAS-4", Some("INCITS 534-2019")),
    (0x0ca0, "SAS-4.1", None),
    (0x20a0, "SPL", None),
    (0x20a7, "SPL", Some("INCITS 476-2011")),
    (0x20c0, "SPL-2", None),
    (0x20c8, "SPL-2", Some("INCITS 505-2013")),
    (0x20e0, "SPL-3", None),
    (0x20e8, "SPL-3", Some("INCITS 492-2015")),
    (0x2100, "SPL-4", None),
    (0x2110, "SPL-4", Some("INCITS 538-2018")),
    (0x2120, "SPL-5", None),
    (0x2122, "SPL-5", Some("INCITS 554-2023")),
    // ATA and ATA command sets
    (0x15e0, "ATA/ATAPI-6", None),
    (0x15fd, "ATA/ATAPI-6", Some("INCITS 361-2002")),
    (0x1600, "ATA/ATAPI-7", None),
    (0x1602, "ATA/ATAPI-7", Some("T13/1532-D revision 3")),
    (0x161c, "ATA/ATAPI-7", Some("INCITS 397-2005")),
    (0x1620, "ATA8-AAM", None),
    (
        0x1621,
        "ATA8-APT",
        Some("parallel transport (no version claimed)"),
    ),
    (
        0x1622,
        "ATA8-AST",
        Some("serial transport (no version claimed)"),
    ),
    (0x1623, "ATA8-ACS", Some("no version claimed")),
    (0x1628, "ATA8-AAM", Some("INCITS 451-2008")),
    (0x162a, "ATA8-ACS", Some("INCITS 452-2009 with Amendment 1")),
    (0x1761, "ACS-2", Some("no version claimed")),
    (0x1762, "ACS-2", Some("INCITS 482-2013")),
    (0x1765, "ACS-3", Some("no version claimed")),
    (0x1766, "ACS-3", Some("INCITS 522-2014")),
    (0x1767, "ACS-4", Some("INCITS 529-2018")),
    (0x1768, "ACS-4", Some("no version claimed")),
    (0x1769, "ACS-5", Some("no version claimed")),
    (0x176a, "ACS-5", Some("INCITS 558-2021")),
    (0x176e, "ACS-6", Some("no version claimed")),
    (0x17a3, "ZAC", Some("no version claimed")),
    (0x17a4, "ZAC", Some("INCITS 537-2016")),
    (0x17a6, "ZAC-2", Some("no version claimed")),
    (0x1ea0, "SAT", None),
    (0x1ea7, "SAT", Some("T10/1711-D revision 8")),
    (0x1eab, "SAT", Some("T10/1711-D revision 9")),
    (0x1ead, "SAT", Some("INCITS 431-2007")),
    (0x1ec0, "SAT-2", None),
    (0x1ec4, "SAT-2", Some("T10/1826-D revision 06")),
    (0x1ec8, "SAT-2", Some("T10/1826-D revision 09")),
    (0x1eca, "SAT-2", Some("INCITS 465-2010")),
    (0x1ee0, "SAT-3", None),
    (0x1ee2, "SAT-3", Some("T10/BSR INCITS 517 revision 4")),
    (0x1ee4, "SAT-3", Some("T10/BSR INCITS 517 revision 7")),
    (0x1ee8, "SAT-3", Some("INCITS 517-2015")),
    (0x1f00, "SAT-4", None),
    (0x1f02, "SAT-4", Some("T10/BSR INCITS 491 revision 5")),
    (0x1f04, "SAT-4", Some("T10/BSR INCITS 491 revision 6")),
    (0x1f0c, "SAT-4", Some("INCITS 491-2018")),
    (0x1f20, "SAT-5", None),
    (0x1f40, "SAT-6", None),
    // USB
    (
        0x1728,
        "USB",
        Some("Universal Serial Bus Specification, Revision 1.1"),
    ),
    (
        0x1729,
        "USB",
        Some("Universal Serial Bus Specification, Revision 2.0"),
    ),
    (
        0x172a,
        "USB",
        Some("Universal Serial Bus 3.2 Specification, Revision 1.0"),
    ),
    (0x172b, "USB", Some("USB4 Specification, Version 1.0")),
    (0x172c, "USB", Some("USB4 Specification, Version 2.0")),
    (
        0x1730,
        "USB BOT",
        Some("USB Mass Storage Class Bulk-Only Transport, Revision 1.0"),
    ),
    (0x1740, "UAS", None),
    (0x1743, "UAS", Some("T10/2095-D revision 02")),
    (0x1747, "UAS", Some("T10/2095-D revision 04")),
    (0x1748, "UAS", Some("INCITS 471-2010")),
    (0x1749, "UAS", Some("ISO/IEC 14776-251")),
    (0x1780, "UAS-2", None),
    (0x17c0, "UAS-3", None),
    (0x17c2, "UAS-3", Some("INCITS 572-2021")),
    // SCSI over PCI Express
    (0x21e0, "SOP", None),
    (0x21e8, "SOP", Some("INCITS 489-2014")),
    (0x2200, "PQI", None),
    (0x2208, "PQI", Some("INCITS 490-2014")),
    (0x2220, "SOP-2", None),
    (0x2240, "PQI-2", None),
    (0x2244, "PQI-2", Some("INCITS 507-2016")),
    // IEEE 1667
    (0xffc0, "IEEE 1667", None),
    (0xffc1, "IEEE 1667", Some("IEEE 1667-2006")),
    (0xffc2, "IEEE 1667", Some("IEEE 1667-2009")),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn named(code: u16) -> (Option<&'static str>, Option<&'static str>) {
        let d = VersionDescriptor::from_code(code);
        (d.standard, d.revision)
    }

    #[test]
    fn exact_codes_from_spc5_annex_e() {
        assert_eq!(named(0x0460), (Some("SPC-4"), None));
        assert_eq!(named(0x046c), (Some("SPC-4"), Some("INCITS 513-2015")));
        assert_eq!(named(0x0314), (Some("SPC-3"), Some("INCITS 408-2005")));
        assert_eq!(named(0x1748), (Some("UAS"), Some("INCITS 471-2010")));
        assert_eq!(named(0x1ec8).0, Some("SAT-2"));
        assert_eq!(named(0x1761), (Some("ACS-2"), Some("no version claimed")));
        assert_eq!(named(0x0c68).0, Some("SAS-3"));
    }

    #[test]
    fn unlisted_code_in_a_block_names_the_standard() {
        // 0604h lies in SBC-4's block 0600h–061Fh.
        assert_eq!(named(0x0604), (Some("SBC-4"), None));
        assert_eq!(
            VersionDescriptor::from_code(0x0604).to_string(),
            "SBC-4 (unlisted version 0x0604)"
        );
        // iSCSIProtocolLevel 5 lies in the iSCSI block.
        assert_eq!(named(0x0965), (Some("iSCSI"), None));
    }

    #[test]
    fn unknown_codes_show_as_hex() {
        // 1770h lies among the individually assigned ATA codes, none of which it is.
        let d = VersionDescriptor::from_code(0x1770);
        assert_eq!(d.standard, None);
        assert_eq!(d.to_string(), "0x1770");
        assert_eq!(VersionDescriptor::from_code(0x3000).standard, None);
    }

    #[test]
    fn every_table_code_is_unique() {
        for (i, (a, _, _)) in TABLE.iter().enumerate() {
            assert!(
                TABLE[i + 1..].iter().all(|(b, _, _)| a != b),
                "{a:#x} twice"
            );
        }
    }
}

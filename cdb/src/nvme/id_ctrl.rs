//! The Identify Controller data structure (NVMe Base 2.0 5.17.2.1, Figure "Identify –
//! Identify Controller Data Structure, I/O Command Set Independent").

use super::le::Le;
use super::power_state::PowerStateDescriptor;
use crate::error::DecodeError;
use serde::Serialize;

/// Bytes needed: everything through the last power state descriptor (byte 3071); the
/// vendor specific area (3072–4095) is not decoded.
pub const ID_CTRL_DECODED_LEN: usize = 3072;

/// Optional Admin Command Support (OACS), bytes 257:256 (Base 2.0 5.17.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Oacs {
    /// The raw field.
    pub raw: u16,
    /// Bit 0: Security Send and Security Receive supported.
    pub security: bool,
    /// Bit 1: Format NVM supported.
    pub format_nvm: bool,
    /// Bit 2: Firmware Commit and Firmware Image Download supported.
    pub firmware_download_commit: bool,
    /// Bit 3: Namespace Management supported.
    pub namespace_management: bool,
    /// Bit 4: Device Self-test supported.
    pub device_self_test: bool,
    /// Bit 5: Directives supported.
    pub directives: bool,
    /// Bit 6: NVMe-MI Send and Receive supported.
    pub nvme_mi: bool,
    /// Bit 7: Virtualization Management supported.
    pub virtualization_management: bool,
    /// Bit 8: Doorbell Buffer Config supported.
    pub doorbell_buffer_config: bool,
    /// Bit 9: Get LBA Status supported.
    pub get_lba_status: bool,
    /// Bit 10: Command and Feature Lockdown supported.
    pub command_feature_lockdown: bool,
}

impl Oacs {
    fn from_raw(raw: u16) -> Self {
        let bit = |n: u16| raw & (1 << n) != 0;
        Oacs {
            raw,
            security: bit(0),
            format_nvm: bit(1),
            firmware_download_commit: bit(2),
            namespace_management: bit(3),
            device_self_test: bit(4),
            directives: bit(5),
            nvme_mi: bit(6),
            virtualization_management: bit(7),
            doorbell_buffer_config: bit(8),
            get_lba_status: bit(9),
            command_feature_lockdown: bit(10),
        }
    }
}

/// Firmware Updates (FRMW), byte 260 (Base 2.0 5.17.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Frmw {
    /// The raw field.
    pub raw: u8,
    /// Bit 0: the first firmware slot (slot 1) is read only.
    pub first_slot_read_only: bool,
    /// Bits 3:1: number of firmware slots (1 to 7).
    pub slots: u8,
    /// Bit 4: firmware activation without reset supported (Commit Action 011b).
    pub activation_without_reset: bool,
    /// Bit 5: multiple update detection supported (Base 2.0).
    pub multiple_update_detection: bool,
}

/// Firmware Update Granularity (FWUG), byte 319 (Base 2.0 5.17.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FirmwareUpdateGranularity {
    /// 00h: no information provided.
    NotReported,
    /// 01h–FEh: granularity and alignment in bytes (value × 4 KiB).
    Bytes {
        /// The granularity in bytes.
        bytes: u32,
    },
    /// FFh: no restriction (any dword-aligned size and offset).
    Unrestricted,
}

/// The Identify Controller data structure (Base 2.0 5.17.2.1), bytes 0–3071.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct IdentifyControllerData {
    /// PCI Vendor ID (VID), bytes 1:0.
    pub vid: u16,
    /// PCI Subsystem Vendor ID (SSVID), bytes 3:2.
    pub ssvid: u16,
    /// Serial Number (SN), bytes 23:4, ASCII.
    pub sn: String,
    /// Model Number (MN), bytes 63:24, ASCII.
    pub mn: String,
    /// Firmware Revision (FR), bytes 71:64, ASCII.
    pub fr: String,
    /// Recommended Arbitration Burst (RAB), byte 72 (power of two).
    pub rab: u8,
    /// IEEE OUI Identifier (IEEE), bytes 75:73 (little-endian).
    pub ieee: u32,
    /// Controller Multi-Path I/O and Namespace Sharing Capabilities (CMIC), byte 76.
    pub cmic: u8,
    /// Maximum Data Transfer Size (MDTS), byte 77: 2^MDTS × CAP.MPSMIN pages; 0 = none.
    pub mdts: u8,
    /// Controller ID (CNTLID), bytes 79:78.
    pub cntlid: u16,
    /// Version (VER), bytes 83:80: major 31:16, minor 15:8, tertiary 7:0.
    pub ver: u32,
    /// RTD3 Resume Latency (RTD3R), bytes 87:84, microseconds.
    pub rtd3r: u32,
    /// RTD3 Entry Latency (RTD3E), bytes 91:88, microseconds.
    pub rtd3e: u32,
    /// Optional Asynchronous Events Supported (OAES), bytes 95:92.
    pub oaes: u32,
    /// Controller Attributes (CTRATT), bytes 99:96.
    pub ctratt: u32,
    /// Read Recovery Levels Supported (RRLS), bytes 101:100.
    pub rrls: u16,
    /// Controller Type (CNTRLTYPE), byte 111: 1 I/O, 2 discovery, 3 administrative.
    pub cntrltype: u8,
    /// FRU Globally Unique Identifier (FGUID), bytes 127:112.
    #[serde(serialize_with = "crate::json::guid")]
    #[schemars(with = "String")]
    pub fguid: [u8; 16],
    /// Command Retry Delay Time 1 (CRDT1), bytes 129:128, 100 ms units.
    pub crdt1: u16,
    /// Command Retry Delay Time 2 (CRDT2), bytes 131:130.
    pub crdt2: u16,
    /// Command Retry Delay Time 3 (CRDT3), bytes 133:132.
    pub crdt3: u16,
    /// NVM Subsystem Report (NVMSR), byte 253 (NVMe-MI).
    pub nvmsr: u8,
    /// VPD Write Cycle Information (VWCI), byte 254 (NVMe-MI).
    pub vwci: u8,
    /// Management Endpoint Capabilities (MEC), byte 255 (NVMe-MI).
    pub mec: u8,
    /// Optional Admin Command Support (OACS), bytes 257:256.
    pub oacs: Oacs,
    /// Abort Command Limit (ACL), byte 258, 0's based.
    pub acl: u8,
    /// Asynchronous Event Request Limit (AERL), byte 259, 0's based.
    pub aerl: u8,
    /// Firmware Updates (FRMW), byte 260.
    pub frmw: Frmw,
    /// Log Page Attributes (LPA), byte 261.
    pub lpa: u8,
    /// Error Log Page Entries (ELPE), byte 262, 0's based.
    pub elpe: u8,
    /// Number of Power States Support (NPSS), byte 263, 0's based.
    pub npss: u8,
    /// Admin Vendor Specific Command Configuration (AVSCC), byte 264.
    pub avscc: u8,
    /// Autonomous Power State Transition Attributes (APSTA), byte 265.
    pub apsta: u8,
    /// Warning Composite Temperature Threshold (WCTEMP), bytes 267:266, kelvins.
    pub wctemp: u16,
    /// Critical Composite Temperature Threshold (CCTEMP), bytes 269:268, kelvins.
    pub cctemp: u16,
    /// Maximum Time for Firmware Activation (MTFA), bytes 271:270, 100 ms units.
    pub mtfa: u16,
    /// Host Memory Buffer Preferred Size (HMPRE), bytes 275:272, 4 KiB units.
    pub hmpre: u32,
    /// Host Memory Buffer Minimum Size (HMMIN), bytes 279:276, 4 KiB units.
    pub hmmin: u32,
    /// Total NVM Capacity (TNVMCAP), bytes 295:280, bytes.
    #[serde(serialize_with = "crate::json::decimal")]
    #[schemars(with = "String")]
    pub tnvmcap: u128,
    /// Unallocated NVM Capacity (UNVMCAP), bytes 311:296, bytes.
    #[serde(serialize_with = "crate::json::decimal")]
    #[schemars(with = "String")]
    pub unvmcap: u128,
    /// Replay Protected Memory Block Support (RPMBS), bytes 315:312.
    pub rpmbs: u32,
    /// Extended Device Self-test Time (EDSTT), bytes 317:316, minutes.
    pub edstt: u16,
    /// Device Self-test Options (DSTO), byte 318.
    pub dsto: u8,
    /// Firmware Update Granularity (FWUG), byte 319.
    pub fwug: u8,
    /// Keep Alive Support (KAS), bytes 321:320, 100 ms units.
    pub kas: u16,
    /// Host Controlled Thermal Management Attributes (HCTMA), bytes 323:322.
    pub hctma: u16,
    /// Minimum Thermal Management Temperature (MNTMT), bytes 325:324, kelvins.
    pub mntmt: u16,
    /// Maximum Thermal Management Temperature (MXTMT), bytes 327:326, kelvins.
    pub mxtmt: u16,
    /// Sanitize Capabilities (SANICAP), bytes 331:328.
    pub sanicap: u32,
    /// Host Memory Buffer Minimum Descriptor Entry Size (HMMINDS), bytes 335:332.
    pub hmminds: u32,
    /// Host Memory Maximum Descriptors Entries (HMMAXD), bytes 337:336.
    pub hmmaxd: u16,
    /// NVM Set Identifier Maximum (NSETIDMAX), bytes 339:338.
    pub nsetidmax: u16,
    /// Endurance Group Identifier Maximum (ENDGIDMAX), bytes 341:340.
    pub endgidmax: u16,
    /// ANA Transition Time (ANATT), byte 342, seconds.
    pub anatt: u8,
    /// Asymmetric Namespace Access Capabilities (ANACAP), byte 343.
    pub anacap: u8,
    /// ANA Group Identifier Maximum (ANAGRPMAX), bytes 347:344.
    pub anagrpmax: u32,
    /// Number of ANA Group Identifiers (NANAGRPID), bytes 351:348.
    pub nanagrpid: u32,
    /// Persistent Event Log Size (PELS), bytes 355:352, 64 KiB units.
    pub pels: u32,
    /// Domain Identifier, bytes 357:356.
    pub domain_identifier: u16,
    /// Max Endurance Group Capacity (MEGCAP), bytes 383:368.
    #[serde(serialize_with = "crate::json::decimal")]
    #[schemars(with = "String")]
    pub megcap: u128,
    /// Submission Queue Entry Size (SQES), byte 512: required 3:0, maximum 7:4 (2^n).
    pub sqes: u8,
    /// Completion Queue Entry Size (CQES), byte 513: required 3:0, maximum 7:4 (2^n).
    pub cqes: u8,
    /// Maximum Outstanding Commands (MAXCMD), bytes 515:514.
    pub maxcmd: u16,
    /// Number of Namespaces (NN), bytes 519:516.
    pub nn: u32,
    /// Optional NVM Command Support (ONCS), bytes 521:520.
    pub oncs: u16,
    /// Fused Operation Support (FUSES), bytes 523:522.
    pub fuses: u16,
    /// Format NVM Attributes (FNA), byte 524.
    pub fna: u8,
    /// Volatile Write Cache (VWC), byte 525: bit 0 present, bits 2:1 Flush broadcast.
    pub vwc: u8,
    /// Atomic Write Unit Normal (AWUN), bytes 527:526, 0's based blocks.
    pub awun: u16,
    /// Atomic Write Unit Power Fail (AWUPF), bytes 529:528, 0's based blocks.
    pub awupf: u16,
    /// I/O Command Set Vendor Specific Command Configuration (ICSVSCC), byte 530.
    pub icsvscc: u8,
    /// Namespace Write Protection Capabilities (NWPC), byte 531.
    pub nwpc: u8,
    /// Atomic Compare & Write Unit (ACWU), bytes 533:532, 0's based blocks.
    pub acwu: u16,
    /// Optional Copy Formats Supported (OCFS), bytes 535:534.
    pub ocfs: u16,
    /// SGL Support (SGLS), bytes 539:536.
    pub sgls: u32,
    /// Maximum Number of Allowed Namespaces (MNAN), bytes 543:540.
    pub mnan: u32,
    /// Maximum Domain Namespace Attachments (MAXDNA), bytes 559:544.
    #[serde(serialize_with = "crate::json::decimal")]
    #[schemars(with = "String")]
    pub maxdna: u128,
    /// Maximum I/O Controller Namespace Attachments (MAXCNA), bytes 563:560.
    pub maxcna: u32,
    /// NVM Subsystem NVMe Qualified Name (SUBNQN), bytes 1023:768 (UTF-8, shown as ASCII).
    pub subnqn: String,
    /// I/O Queue Command Capsule Supported Size (IOCCSZ), bytes 1795:1792, 16-byte units
    /// (NVMe over Fabrics).
    pub ioccsz: u32,
    /// I/O Queue Response Capsule Supported Size (IORCSZ), bytes 1799:1796, 16-byte units.
    pub iorcsz: u32,
    /// In Capsule Data Offset (ICDOFF), bytes 1801:1800, 16-byte units.
    pub icdoff: u16,
    /// Fabrics Controller Attributes (FCATT), byte 1802.
    pub fcatt: u8,
    /// Maximum SGL Data Block Descriptors (MSDBD), byte 1803.
    pub msdbd: u8,
    /// Optional Fabric Commands Support (OFCS), bytes 1805:1804.
    pub ofcs: u16,
    /// Power State Descriptors PSD0–PSD(NPSS), bytes 2047+32n (at most 32).
    pub psd: Vec<PowerStateDescriptor>,
}

impl IdentifyControllerData {
    /// Decodes bytes 0–3071 of the 4096-byte structure; shorter data is an error.
    pub fn decode(data: &[u8]) -> Result<Self, DecodeError> {
        DecodeError::ensure_len(data, ID_CTRL_DECODED_LEN, "Identify Controller")?;
        let b = Le(data);
        let frmw = b.u8(260);
        let npss = b.u8(263);
        let psd = (0..=usize::from(npss).min(31))
            .map(|i| PowerStateDescriptor::decode(&b.bytes::<32>(2048 + 32 * i)))
            .collect();
        Ok(IdentifyControllerData {
            vid: b.u16(0),
            ssvid: b.u16(2),
            sn: b.ascii(4, 20),
            mn: b.ascii(24, 40),
            fr: b.ascii(64, 8),
            rab: b.u8(72),
            ieee: u32::from_le_bytes([b.u8(73), b.u8(74), b.u8(75), 0]),
            cmic: b.u8(76),
            mdts: b.u8(77),
            cntlid: b.u16(78),
            ver: b.u32(80),
            rtd3r: b.u32(84),
            rtd3e: b.u32(88),
            oaes: b.u32(92),
            ctratt: b.u32(96),
            rrls: b.u16(100),
            cntrltype: b.u8(111),
            fguid: b.bytes(112),
            crdt1: b.u16(128),
            crdt2: b.u16(130),
            crdt3: b.u16(132),
            nvmsr: b.u8(253),
            vwci: b.u8(254),
            mec: b.u8(255),
            oacs: Oacs::from_raw(b.u16(256)),
            acl: b.u8(258),
            aerl: b.u8(259),
            frmw: Frmw {
                raw: frmw,
                first_slot_read_only: frmw & 1 != 0,
                slots: (frmw >> 1) & 0x7,
                activation_without_reset: frmw & 0x10 != 0,
                multiple_update_detection: frmw & 0x20 != 0,
            },
            lpa: b.u8(261),
            elpe: b.u8(262),
            npss,
            avscc: b.u8(264),
            apsta: b.u8(265),
            wctemp: b.u16(266),
            cctemp: b.u16(268),
            mtfa: b.u16(270),
            hmpre: b.u32(272),
            hmmin: b.u32(276),
            tnvmcap: b.u128(280),
            unvmcap: b.u128(296),
            rpmbs: b.u32(312),
            edstt: b.u16(316),
            dsto: b.u8(318),
            fwug: b.u8(319),
            kas: b.u16(320),
            hctma: b.u16(322),
            mntmt: b.u16(324),
            mxtmt: b.u16(326),
            sanicap: b.u32(328),
            hmminds: b.u32(332),
            hmmaxd: b.u16(336),
            nsetidmax: b.u16(338),
            endgidmax: b.u16(340),
            anatt: b.u8(342),
            anacap: b.u8(343),
            anagrpmax: b.u32(344),
            nanagrpid: b.u32(348),
            pels: b.u32(352),
            domain_identifier: b.u16(356),
            megcap: b.u128(368),
            sqes: b.u8(512),
            cqes: b.u8(513),
            maxcmd: b.u16(514),
            nn: b.u32(516),
            oncs: b.u16(520),
            fuses: b.u16(522),
            fna: b.u8(524),
            vwc: b.u8(525),
            awun: b.u16(526),
            awupf: b.u16(528),
            icsvscc: b.u8(530),
            nwpc: b.u8(531),
            acwu: b.u16(532),
            ocfs: b.u16(534),
            sgls: b.u32(536),
            mnan: b.u32(540),
            maxdna: b.u128(544),
            maxcna: b.u32(560),
            subnqn: b.ascii(768, 256),
            ioccsz: b.u32(1792),
            iorcsz: b.u32(1796),
            icdoff: b.u16(1800),
            fcatt: b.u8(1802),
            msdbd: b.u8(1803),
            ofcs: b.u16(1804),
            psd,
        })
    }

    /// FWUG interpreted (Base 2.0 5.17.2.1).
    pub fn firmware_update_granularity(&self) -> FirmwareUpdateGranularity {
        match self.fwug {
            0x00 => FirmwareUpdateGranularity::NotReported,
            0xff => FirmwareUpdateGranularity::Unrestricted,
            n => FirmwareUpdateGranularity::Bytes {
                bytes: u32::from(n) * 4096,
            },
        }
    }

    /// The Firmware Image Download chunk size to use: FWUG × 4 KiB, or 4 KiB when FWUG is
    /// 00h (no information: 4 KiB is the smallest granularity FWUG can express) or FFh (no
    /// restriction: any dword multiple works, 4 KiB among them) (Base 2.0 5.14, 5.17.2.1).
    pub fn firmware_chunk_bytes(&self) -> u32 {
        match self.firmware_update_granularity() {
            FirmwareUpdateGranularity::Bytes { bytes } => bytes,
            _ => 4096,
        }
    }

    /// The Maximum Data Transfer Size in bytes, given the minimum memory page size
    /// (2^(12 + CAP.MPSMIN), Base 2.0 3.1.3.1); `None` when MDTS is 0 (no limit) or the
    /// size does not fit 64 bits (Base 2.0 5.17.2.1).
    pub fn max_data_transfer_bytes(&self, min_page_size: u64) -> Option<u64> {
        if self.mdts == 0 {
            return None;
        }
        1u64.checked_shl(u32::from(self.mdts))
            .and_then(|pages| pages.checked_mul(min_page_size))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// An Identify Controller structure built from QEMU 7.2's values, set in
    /// hw/nvme/ctrl.c (nvme_init_ctrl) and seen in the captured
    /// tests/fixtures/qemu-7.2/nvme.id-ctrl.bin: VID 1B36, SSVID 1AF4, MN "QEMU NVMe
    /// Ctrl", FR = QEMU version, FRMW 03h, OACS without firmware download (7.2 sets Format
    /// NVM, Namespace Management and Doorbell Buffer Config: bits 1, 3, 8 = 010Ah), IEEE
    /// OUI 525400h, MDTS 7 (default `mdts`), VER 1.4, WCTEMP 343 K, CCTEMP 373 K, SQES
    /// 66h, CQES 44h, NN 256, VWC 07h, LPA 07h, PSD0 MP 9C4h / ENLAT 10h / EXLAT 4h,
    /// SUBNQN "nqn.2019-08.org.qemu:<serial>". This one has serial "S3" and FR "7.2.0"
    /// where the capture (serial NVME0001, QEMU 7.2.22) has "NVME0001" and "7.2.22".
    pub(crate) fn qemu_id_ctrl() -> Vec<u8> {
        let mut d = vec![0u8; 4096];
        d[0..2].copy_from_slice(&[0x36, 0x1b]);
        d[2..4].copy_from_slice(&[0xf4, 0x1a]);
        d[4..24].copy_from_slice(b"S3                  ");
        let mut mn = [b' '; 40];
        mn[..14].copy_from_slice(b"QEMU NVMe Ctrl");
        d[24..64].copy_from_slice(&mn);
        d[64..72].copy_from_slice(b"7.2.0   ");
        d[72] = 6;
        d[73..76].copy_from_slice(&[0x00, 0x54, 0x52]);
        d[77] = 7;
        d[80..84].copy_from_slice(&0x0001_0400u32.to_le_bytes());
        d[111] = 1;
        d[256..258].copy_from_slice(&0x010au16.to_le_bytes());
        d[258] = 3;
        d[259] = 3;
        d[260] = 0x03;
        d[261] = 0x07;
        d[266..268].copy_from_slice(&343u16.to_le_bytes());
        d[268..270].copy_from_slice(&373u16.to_le_bytes());
        d[512] = 0x66;
        d[513] = 0x44;
        d[516..520].copy_from_slice(&256u32.to_le_bytes());
        d[525] = 0x07;
        let nqn = b"nqn.2019-08.org.qemu:S3";
        d[768..768 + nqn.len()].copy_from_slice(nqn);
        d[2048..2050].copy_from_slice(&2500u16.to_le_bytes());
        d[2052..2056].copy_from_slice(&16u32.to_le_bytes());
        d[2056..2060].copy_from_slice(&4u32.to_le_bytes());
        d
    }

    #[test]
    fn decodes_qemu_fixture() {
        let c = IdentifyControllerData::decode(&qemu_id_ctrl()).unwrap();
        assert_eq!((c.vid, c.ssvid), (0x1b36, 0x1af4));
        assert_eq!(
            (c.sn.as_str(), c.mn.as_str(), c.fr.as_str()),
            ("S3", "QEMU NVMe Ctrl", "7.2.0")
        );
        assert_eq!(c.ieee, 0x525400);
        assert_eq!(c.ver, 0x0001_0400);
        assert!(!c.oacs.firmware_download_commit);
        assert!(c.oacs.format_nvm && c.oacs.namespace_management && c.oacs.doorbell_buffer_config);
        assert!(!c.oacs.directives && !c.oacs.security);
        assert_eq!(
            c.frmw,
            Frmw {
                raw: 3,
                first_slot_read_only: true,
                slots: 1,
                activation_without_reset: false,
                multiple_update_detection: false
            }
        );
        assert_eq!((c.wctemp, c.cctemp, c.nn, c.vwc), (343, 373, 256, 7));
        assert_eq!(c.subnqn, "nqn.2019-08.org.qemu:S3");
        assert_eq!(c.psd.len(), 1);
        assert_eq!(c.psd[0].mp, 2500);
        assert_eq!(c.psd[0].max_power_microwatts(), 25_000_000);
        assert_eq!((c.psd[0].enlat, c.psd[0].exlat), (16, 4));
        // MDTS 7 with 4 KiB pages: 2^7 × 4096 = 512 KiB.
        assert_eq!(c.max_data_transfer_bytes(4096), Some(512 * 1024));
        assert_eq!(c.firmware_chunk_bytes(), 4096);
        assert!(IdentifyControllerData::decode(&qemu_id_ctrl()[..3071]).is_err());
    }

    #[test]
    fn fwug_and_capacities() {
        let mut d = qemu_id_ctrl();
        d[319] = 2;
        d[280] = 0x01;
        d[295] = 0x80;
        d[263] = 40; // NPSS beyond 31 keeps 32 descriptors
        d[1792] = 4;
        d[1803] = 1;
        let c = IdentifyControllerData::decode(&d).unwrap();
        assert_eq!(c.firmware_chunk_bytes(), 8192);
        assert_eq!(c.tnvmcap, (1u128 << 127) | 1);
        assert_eq!(c.psd.len(), 32);
        assert_eq!((c.ioccsz, c.msdbd), (4, 1));
        d[319] = 0xff;
        let c = IdentifyControllerData::decode(&d).unwrap();
        assert_eq!(
            c.firmware_update_granularity(),
            FirmwareUpdateGranularity::Unrestricted
        );
        assert_eq!(c.firmware_chunk_bytes(), 4096);
    }

    proptest! {
        #[test]
        fn arbitrary_bytes(d in prop_oneof![0usize..600, 3000usize..4200].prop_flat_map(|n| proptest::collection::vec(any::<u8>(), n))) {
            match IdentifyControllerData::decode(&d) {
                Ok(c) => {
                    prop_assert!(d.len() >= ID_CTRL_DECODED_LEN);
                    prop_assert!(c.psd.len() <= 32);
                    let _ = c.max_data_transfer_bytes(1 << 27);
                }
                Err(_) => prop_assert!(d.len() < ID_CTRL_DECODED_LEN),
            }
        }
    }
}

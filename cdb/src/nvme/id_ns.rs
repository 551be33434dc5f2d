//! The Identify Namespace data structure for the NVM Command Set (NVM Command Set 1.0
//! 4.1.5.1, Figure "Identify – Identify Namespace Data Structure, NVM Command Set").

use super::le::Le;
use crate::error::DecodeError;
use serde::Serialize;

/// Bytes needed: through the last LBA Format descriptor (byte 383).
pub const ID_NS_DECODED_LEN: usize = 384;

/// LBA Format Data Structure (NVM Command Set 1.0 4.1.5.1, Figure "LBA Format Data
/// Structure, NVM Command Set Specific").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct LbaFormat {
    /// Metadata Size (MS), bytes 1:0, bytes per LBA.
    pub ms: u16,
    /// LBA Data Size (LBADS), byte 2: 2^LBADS bytes; below 9 means not supported.
    pub lbads: u8,
    /// Relative Performance (RP), byte 3 bits 1:0: 0 best … 3 degraded.
    pub rp: u8,
}

impl LbaFormat {
    /// The LBA data size in bytes, or `None` when LBADS is below 9 (unsupported format) or
    /// too large to represent.
    pub fn data_size(&self) -> Option<u64> {
        if self.lbads < 9 {
            None
        } else {
            1u64.checked_shl(u32::from(self.lbads))
        }
    }
}

/// The Identify Namespace data structure, NVM Command Set (NVM Command Set 1.0 4.1.5.1).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct IdentifyNamespaceData {
    /// Namespace Size (NSZE), bytes 7:0, logical blocks.
    pub nsze: u64,
    /// Namespace Capacity (NCAP), bytes 15:8, logical blocks.
    pub ncap: u64,
    /// Namespace Utilization (NUSE), bytes 23:16, logical blocks.
    pub nuse: u64,
    /// Namespace Features (NSFEAT), byte 24.
    pub nsfeat: u8,
    /// Number of LBA Formats (NLBAF), byte 25, 0's based.
    pub nlbaf: u8,
    /// Formatted LBA Size (FLBAS), byte 26.
    pub flbas: u8,
    /// The LBA format in use: FLBAS bits 6:5 (upper) and 3:0 (lower).
    pub format_index: u8,
    /// FLBAS bit 4: metadata transferred at the end of the data LBA (extended LBA).
    pub metadata_extended: bool,
    /// Metadata Capabilities (MC), byte 27.
    pub mc: u8,
    /// End-to-end Data Protection Capabilities (DPC), byte 28.
    pub dpc: u8,
    /// End-to-end Data Protection Type Settings (DPS), byte 29.
    pub dps: u8,
    /// Namespace Multi-path I/O and Namespace Sharing Capabilities (NMIC), byte 30.
    pub nmic: u8,
    /// Reservation Capabilities (RESCAP), byte 31.
    pub rescap: u8,
    /// Format Progress Indicator (FPI), byte 32.
    pub fpi: u8,
    /// Deallocate Logical Block Features (DLFEAT), byte 33.
    pub dlfeat: u8,
    /// Namespace Atomic Write Unit Normal (NAWUN), bytes 35:34.
    pub nawun: u16,
    /// Namespace Atomic Write Unit Power Fail (NAWUPF), bytes 37:36.
    pub nawupf: u16,
    /// Namespace Atomic Compare & Write Unit (NACWU), bytes 39:38.
    pub nacwu: u16,
    /// Namespace Atomic Boundary Size Normal (NABSN), bytes 41:40.
    pub nabsn: u16,
    /// Namespace Atomic Boundary Offset (NABO), bytes 43:42.
    pub nabo: u16,
    /// Namespace Atomic Boundary Size Power Fail (NABSPF), bytes 45:44.
    pub nabspf: u16,
    /// Namespace Optimal I/O Boundary (NOIOB), bytes 47:46.
    pub noiob: u16,
    /// NVM Capacity (NVMCAP), bytes 63:48, bytes.
    #[serde(serialize_with = "crate::json::decimal")]
    #[schemars(with = "String")]
    pub nvmcap: u128,
    /// Namespace Preferred Write Granularity (NPWG), bytes 65:64, 0's based.
    pub npwg: u16,
    /// Namespace Preferred Write Alignment (NPWA), bytes 67:66, 0's based.
    pub npwa: u16,
    /// Namespace Preferred Deallocate Granularity (NPDG), bytes 69:68, 0's based.
    pub npdg: u16,
    /// Namespace Preferred Deallocate Alignment (NPDA), bytes 71:70, 0's based.
    pub npda: u16,
    /// Namespace Optimal Write Size (NOWS), bytes 73:72, 0's based.
    pub nows: u16,
    /// Maximum Single Source Range Length (MSSRL), bytes 75:74.
    pub mssrl: u16,
    /// Maximum Copy Length (MCL), bytes 79:76.
    pub mcl: u32,
    /// Maximum Source Range Count (MSRC), byte 80, 0's based.
    pub msrc: u8,
    /// Number of Unique Capability LBA Formats (NULBAF), byte 82.
    pub nulbaf: u8,
    /// ANA Group Identifier (ANAGRPID), bytes 95:92.
    pub anagrpid: u32,
    /// Namespace Attributes (NSATTR), byte 99: bit 0 write protected.
    pub nsattr: u8,
    /// NVM Set Identifier (NVMSETID), bytes 101:100.
    pub nvmsetid: u16,
    /// Endurance Group Identifier (ENDGID), bytes 103:102.
    pub endgid: u16,
    /// Namespace Globally Unique Identifier (NGUID), bytes 119:104, big-endian as shown.
    #[serde(serialize_with = "crate::json::hex")]
    #[schemars(with = "String")]
    pub nguid: [u8; 16],
    /// IEEE Extended Unique Identifier (EUI64), bytes 127:120.
    #[serde(serialize_with = "crate::json::hex")]
    #[schemars(with = "String")]
    pub eui64: [u8; 8],
    /// LBA Format 0 Support (LBAF0) … LBAF(NLBAF+NULBAF), bytes 128+4n (at most 64).
    pub lbaf: Vec<LbaFormat>,
}

impl IdentifyNamespaceData {
    /// Decodes bytes 0–383 of the 4096-byte structure; shorter data is an error.
    pub fn decode(data: &[u8]) -> Result<Self, DecodeError> {
        DecodeError::ensure_len(data, ID_NS_DECODED_LEN, "Identify Namespace")?;
        let b = Le(data);
        let nlbaf = b.u8(25);
        let nulbaf = b.u8(82);
        let count = (usize::from(nlbaf) + 1 + usize::from(nulbaf)).min(64);
        let lbaf = (0..count)
            .map(|i| {
                let off = 128 + 4 * i;
                LbaFormat {
                    ms: b.u16(off),
                    lbads: b.u8(off + 2),
                    rp: b.u8(off + 3) & 0x3,
                }
            })
            .collect();
        let flbas = b.u8(26);
        Ok(IdentifyNamespaceData {
            nsze: b.u64(0),
            ncap: b.u64(8),
            nuse: b.u64(16),
            nsfeat: b.u8(24),
            nlbaf,
            flbas,
            format_index: ((flbas >> 1) & 0x30) | (flbas & 0x0f),
            metadata_extended: flbas & 0x10 != 0,
            mc: b.u8(27),
            dpc: b.u8(28),
            dps: b.u8(29),
            nmic: b.u8(30),
            rescap: b.u8(31),
            fpi: b.u8(32),
            dlfeat: b.u8(33),
            nawun: b.u16(34),
            nawupf: b.u16(36),
            nacwu: b.u16(38),
            nabsn: b.u16(40),
            nabo: b.u16(42),
            nabspf: b.u16(44),
            noiob: b.u16(46),
            nvmcap: b.u128(48),
            npwg: b.u16(64),
            npwa: b.u16(66),
            npdg: b.u16(68),
            npda: b.u16(70),
            nows: b.u16(72),
            mssrl: b.u16(74),
            mcl: b.u32(76),
            msrc: b.u8(80),
            nulbaf,
            anagrpid: b.u32(92),
            nsattr: b.u8(99),
            nvmsetid: b.u16(100),
            endgid: b.u16(102),
            nguid: b.bytes(104),
            eui64: b.bytes(120),
            lbaf,
        })
    }

    /// The LBA format in use (FLBAS), if its index is within the listed formats.
    pub fn lba_format_in_use(&self) -> Option<&LbaFormat> {
        self.lbaf.get(usize::from(self.format_index))
    }

    /// The LBA data size in use, in bytes (NVM Command Set 1.0 4.1.5.1, FLBAS and LBADS).
    pub fn lba_data_size(&self) -> Option<u64> {
        self.lba_format_in_use().and_then(LbaFormat::data_size)
    }

    /// Bytes each logical block occupies in a Read or Write data transfer with the format
    /// in use: the LBA data size, plus the Metadata Size (MS) when FLBAS bit 4 says the
    /// metadata is transferred at the end of each block as an extended data LBA (NVM
    /// Command Set 1.0 4.1.5.1, FLBAS and LBA Format). This is the `lba_size` to give
    /// [`super::nvm::Read::new`] and [`super::nvm::Write::new`]. `None` when the format
    /// in use is not reported or supported, or the size does not fit 32 bits.
    pub fn lba_transfer_size(&self) -> Option<u32> {
        let format = self.lba_format_in_use()?;
        let metadata = if self.metadata_extended { format.ms } else { 0 };
        let size = format.data_size()?.checked_add(u64::from(metadata))?;
        u32::try_from(size).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// QEMU 7.2 hw/nvme/ns.c (nvme_ns_init_format / nvme_ns_init): eight LBA formats
    /// (NLBAF 7): 512 and 4096 byte data with 0, 8, 16 and 64 bytes metadata, format 0
    /// (512 + 0) in use by default; NSFEAT 14h, MC 03h, DPC 1Fh, DLFEAT 01h (same file);
    /// a 1 MiB image gives NSZE = NCAP = NUSE = 2048.
    fn qemu_id_ns() -> Vec<u8> {
        let mut d = vec![0u8; 4096];
        for off in [0, 8, 16] {
            d[off..off + 8].copy_from_slice(&2048u64.to_le_bytes());
        }
        d[24] = 0x14;
        d[25] = 7;
        d[27] = 0x03;
        d[28] = 0x1f;
        d[33] = 0x01;
        let formats: [(u16, u8); 8] = [
            (0, 9),
            (8, 9),
            (16, 9),
            (64, 9),
            (0, 12),
            (8, 12),
            (16, 12),
            (64, 12),
        ];
        for (i, (ms, lbads)) in formats.iter().enumerate() {
            d[128 + 4 * i..130 + 4 * i].copy_from_slice(&ms.to_le_bytes());
            d[130 + 4 * i] = *lbads;
        }
        d
    }

    #[test]
    fn decodes_qemu_fixture() {
        let ns = IdentifyNamespaceData::decode(&qemu_id_ns()).unwrap();
        assert_eq!((ns.nsze, ns.ncap, ns.nuse), (2048, 2048, 2048));
        assert_eq!(ns.lbaf.len(), 8);
        assert_eq!((ns.nsfeat, ns.mc, ns.dpc, ns.dlfeat), (0x14, 3, 0x1f, 1));
        assert_eq!(ns.lba_data_size(), Some(512));
        assert_eq!(
            ns.lbaf[7],
            LbaFormat {
                ms: 64,
                lbads: 12,
                rp: 0
            }
        );
        let mut d = qemu_id_ns();
        d[26] = 0x14; // format 4, extended metadata
        let ns = IdentifyNamespaceData::decode(&d).unwrap();
        assert_eq!((ns.format_index, ns.metadata_extended), (4, true));
        assert_eq!(ns.lba_data_size(), Some(4096));
        // Format 4 carries no metadata: 4096 bytes a block either way.
        assert_eq!(ns.lba_transfer_size(), Some(4096));
        d[26] = 0x17; // format 7 (4096 + 64), extended: 4160 bytes a block
        let ns = IdentifyNamespaceData::decode(&d).unwrap();
        assert_eq!(ns.lba_transfer_size(), Some(4160));
        d[26] = 0x07; // format 7, metadata in a separate buffer: data only
        let ns = IdentifyNamespaceData::decode(&d).unwrap();
        assert_eq!(ns.lba_transfer_size(), Some(4096));
        d[26] = 0x61; // FLBAS bits 6:5 = 3 → index 31h, beyond NLBAF
        let ns = IdentifyNamespaceData::decode(&d).unwrap();
        assert_eq!(ns.format_index, 0x31);
        assert_eq!(ns.lba_data_size(), None);
        assert!(IdentifyNamespaceData::decode(&d[..383]).is_err());
    }

    proptest! {
        #[test]
        fn arbitrary_bytes(d in proptest::collection::vec(any::<u8>(), 0..600)) {
            match IdentifyNamespaceData::decode(&d) {
                Ok(ns) => {
                    prop_assert!(ns.lbaf.len() <= 64);
                    if let Some(t) = ns.lba_transfer_size() {
                        prop_assert!(u64::from(t) >= ns.lba_data_size().unwrap_or(u64::MAX));
                    }
                }
                Err(_) => prop_assert!(d.len() < ID_NS_DECODED_LEN),
            }
        }
    }
}

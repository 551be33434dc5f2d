//! IDENTIFY DEVICE (ACS-4 7.13) sent through ATA PASS-THROUGH, and a decoder for the 512
//! bytes of IDENTIFY DEVICE data it returns (ACS-4 7.13.7, table 45).

use super::ata_pass_through::{AtaCdbSize, AtaPassThroughCdb, AtaRegisters, PROTOCOL_PIO_DATA_IN};
use crate::command::{Cdb, CdbLayout, DataPhase, ScsiCommand};
use crate::error::DecodeError;
use crate::text::ascii_field;
use serde::Serialize;

/// The ATA command code of IDENTIFY DEVICE (ACS-4 7.13).
pub const IDENTIFY_DEVICE: u8 = 0xec;
/// Length of IDENTIFY DEVICE data: 256 words (ACS-4 7.13.7).
pub const IDENTIFY_DATA_LEN: usize = 512;

/// IDENTIFY DEVICE through ATA PASS-THROUGH of size `S`: PIO Data-In, one 512-byte block
/// counted in COUNT (SAT-5 12.2, ACS-4 7.13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IdentifyDevice<S: AtaCdbSize> {
    _size: std::marker::PhantomData<S>,
}

impl<S: AtaCdbSize> IdentifyDevice<S> {
    /// The command.
    pub fn new() -> Self {
        IdentifyDevice {
            _size: std::marker::PhantomData,
        }
    }

    /// The registers: PROTOCOL 4h, T_DIR, BYT_BLOK, T_LENGTH 10b, COUNT 1, COMMAND ECh.
    pub fn registers() -> AtaRegisters {
        AtaRegisters {
            protocol: PROTOCOL_PIO_DATA_IN,
            t_dir: true,
            byt_blok: true,
            t_length: 2,
            count: 1,
            command: IDENTIFY_DEVICE,
            ..AtaRegisters::default()
        }
    }
}

impl<S: AtaCdbSize> ScsiCommand for IdentifyDevice<S> {
    type Response = IdentifyDeviceData;

    fn name(&self) -> &'static str {
        "IDENTIFY DEVICE"
    }

    fn cdb(&self) -> Cdb {
        // Constant registers that fit both CDB sizes (checked by `registers_validate`).
        AtaPassThroughCdb::<S> {
            registers: Self::registers(),
            _size: std::marker::PhantomData,
        }
        .to_cdb()
    }

    fn data_phase(&self) -> DataPhase<'_> {
        DataPhase::In(IDENTIFY_DATA_LEN as u32)
    }

    fn decode(&self, data_in: &[u8]) -> Result<IdentifyDeviceData, DecodeError> {
        IdentifyDeviceData::decode(data_in)
    }
}

/// The integrity word, word 255 (ACS-4 7.13.7.101): signature A5h in bits 7:0 and a
/// checksum in bits 15:8 that makes all 512 bytes sum to 0 mod 256.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct IntegrityWord {
    /// Bits 7:0; A5h when the checksum is in use.
    pub signature: u8,
    /// Bits 15:8.
    pub checksum: u8,
    /// `None` without the A5h signature, else whether the 512 bytes sum to 0 mod 256.
    pub checksum_valid: Option<bool>,
}

/// ATA major versions word 80 may claim, by bit (ACS-4 7.13.7.36).
const MAJOR_VERSIONS: &[(u16, &str)] = &[
    (4, "ATA/ATAPI-4"),
    (5, "ATA/ATAPI-5"),
    (6, "ATA/ATAPI-6"),
    (7, "ATA/ATAPI-7"),
    (8, "ATA8-ACS"),
    (9, "ACS-2"),
    (10, "ACS-3"),
    (11, "ACS-4"),
    (12, "ACS-5"),
];

/// Word 80, MAJOR VERSION NUMBER (ACS-4 7.13.7.36).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct MajorVersion {
    /// The raw word (0000h or FFFFh: not reported).
    pub word: u16,
    /// The standards whose bits are set, oldest first.
    pub supported: Vec<&'static str>,
}

/// Decoded IDENTIFY DEVICE data (ACS-4 7.13.7).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct IdentifyDeviceData {
    /// SERIAL NUMBER, words 10–19.
    pub serial_number: String,
    /// FIRMWARE REVISION, words 23–26.
    pub firmware_revision: String,
    /// MODEL NUMBER, words 27–46.
    pub model_number: String,
    /// MAJOR VERSION NUMBER, word 80.
    pub major_version: MajorVersion,
    /// 48-bit Address feature set supported: word 83 bit 10.
    pub lba48_supported: bool,
    /// Total user addressable sectors for 28-bit commands, words 60–61.
    pub user_addressable_sectors_28: u32,
    /// Total user addressable sectors for 48-bit commands, words 100–103 (when 48-bit
    /// addressing is supported).
    pub user_addressable_sectors_48: Option<u64>,
    /// Logical sector size in bytes (word 106 bit 12, words 117–118; else 512).
    pub logical_sector_size: u32,
    /// Logical sectors per physical sector exponent (word 106 bits 3:0 when bit 13 is set).
    pub logical_sectors_per_physical_exponent: u8,
    /// Physical sector size in bytes.
    pub physical_sector_size: u64,
    /// User capacity in bytes: addressable sectors × logical sector size.
    pub capacity_bytes: Option<u64>,
    /// Volatile write cache supported: word 82 bit 5.
    pub write_cache_supported: bool,
    /// Volatile write cache enabled: word 85 bit 5.
    pub write_cache_enabled: bool,
    /// DATA SET MANAGEMENT with the TRIM bit supported: word 169 bit 0.
    pub trim_supported: bool,
    /// Word 255.
    pub integrity: IntegrityWord,
}

/// Word `n` (little-endian) of IDENTIFY data whose length has been checked.
fn word(data: &[u8], n: usize) -> u16 {
    match (data.get(2 * n), data.get(2 * n + 1)) {
        (Some(&lo), Some(&hi)) => u16::from_le_bytes([lo, hi]),
        _ => 0,
    }
}

/// Words `first..first + count` as one little-endian integer (lowest word first).
fn words(data: &[u8], first: usize, count: usize) -> u64 {
    (first..first + count)
        .rev()
        .fold(0, |acc, n| (acc << 16) | u64::from(word(data, n)))
}

/// An ATA string (ACS-4 3.3.10): two characters per word, the first in bits 15:8.
fn ata_string(data: &[u8], first: usize, last: usize) -> String {
    let bytes: Vec<u8> = (first..=last)
        .flat_map(|n| word(data, n).to_be_bytes())
        .collect();
    ascii_field(&bytes).trim_start().to_string()
}

/// Whether a capability word holds valid data: bits 15:14 are 01b (ACS-4 7.13.7).
fn valid(w: u16) -> bool {
    w & 0xc000 == 0x4000
}

/// Whether word 82/85-style support bits are reported: neither 0000h nor FFFFh.
fn reported(w: u16) -> bool {
    w != 0 && w != 0xffff
}

impl IdentifyDeviceData {
    /// Decodes the 512 bytes of IDENTIFY DEVICE data (ACS-4 7.13.7).
    pub fn decode(data: &[u8]) -> Result<Self, DecodeError> {
        DecodeError::ensure_len(data, IDENTIFY_DATA_LEN, "IDENTIFY DEVICE data")?;
        let data = data.get(..IDENTIFY_DATA_LEN).unwrap_or_default();

        let w80 = word(data, 80);
        let major_version = MajorVersion {
            word: w80,
            supported: if reported(w80) {
                MAJOR_VERSIONS
                    .iter()
                    .filter(|(b, _)| w80 & (1 << b) != 0)
                    .map(|&(_, name)| name)
                    .collect()
            } else {
                Vec::new()
            },
        };

        let w83 = word(data, 83);
        let lba48_supported = valid(w83) && w83 & (1 << 10) != 0;
        let user_addressable_sectors_28 = words(data, 60, 2) as u32;
        let user_addressable_sectors_48 = lba48_supported.then(|| words(data, 100, 4));

        let w106 = word(data, 106);
        let (logical_sector_size, exponent) = if valid(w106) {
            let logical = if w106 & (1 << 12) != 0 {
                // Words 117-118 count 16-bit words.
                (words(data, 117, 2) as u32).saturating_mul(2)
            } else {
                512
            };
            let exp = if w106 & (1 << 13) != 0 {
                (w106 & 0x0f) as u8
            } else {
                0
            };
            (logical, exp)
        } else {
            (512, 0)
        };
        let sectors = user_addressable_sectors_48.unwrap_or(u64::from(user_addressable_sectors_28));

        let w82 = word(data, 82);
        let w85 = word(data, 85);
        let w255 = word(data, 255);
        let signature = (w255 & 0xff) as u8;
        let sum = data.iter().fold(0u8, |acc, &b| acc.wrapping_add(b));

        Ok(IdentifyDeviceData {
            serial_number: ata_string(data, 10, 19),
            firmware_revision: ata_string(data, 23, 26),
            model_number: ata_string(data, 27, 46),
            major_version,
            lba48_supported,
            user_addressable_sectors_28,
            user_addressable_sectors_48,
            logical_sector_size,
            logical_sectors_per_physical_exponent: exponent,
            physical_sector_size: u64::from(logical_sector_size) << exponent,
            capacity_bytes: sectors.checked_mul(u64::from(logical_sector_size)),
            write_cache_supported: reported(w82) && w82 & (1 << 5) != 0,
            write_cache_enabled: reported(w85) && w85 & (1 << 5) != 0,
            trim_supported: word(data, 169) & 1 != 0,
            integrity: IntegrityWord {
                signature,
                checksum: (w255 >> 8) as u8,
                checksum_valid: (signature == 0xa5).then_some(sum == 0),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scsi::sat::ata_pass_through::{Ata12, Ata16};
    use proptest::prelude::*;

    /// Hand-built IDENTIFY DEVICE data with QEMU ide-hd's default strings, for a 64 MiB
    /// disk with 512-byte logical and 4096-byte physical sectors, write cache on, TRIM,
    /// and a valid integrity word (checksum byte chosen so that the bytes sum to 0). Strings are stored as ATA strings: the
    /// first character of each pair in the word's high byte, i.e. the second byte.
    fn fixture() -> [u8; 512] {
        let mut d = [0u8; 512];
        let mut set = |w: usize, v: u16| d[2 * w..2 * w + 2].copy_from_slice(&v.to_le_bytes());
        set(60, 0x0000); // 131072 sectors = 0x0002_0000: words 60 (low), 61 (high)
        set(61, 0x0002);
        set(80, 0x00f0); // ATA/ATAPI-4 to -7
        set(82, 0x4021); // write cache (bit 5) supported
        set(83, 0x7400); // valid, 48-bit (bit 10)
        set(85, 0x4021); // write cache enabled
        set(100, 0x0000); // 48-bit sector count 0x2_0000
        set(101, 0x0002);
        set(106, 0x6003); // valid, multiple logical per physical, 2^3
        set(169, 0x0001); // TRIM
                          // "QM00001" serial (words 10-19), "2.5+" firmware (23-26), "QEMU HARDDISK" model.
        d[20..40].copy_from_slice(b"MQ0000 1            ");
        d[46..54].copy_from_slice(b".2+5    ");
        d[54..94].copy_from_slice(b"EQUMH RADDSI K                          ");
        d[510] = 0xa5;
        let sum = d.iter().fold(0u8, |a, &b| a.wrapping_add(b));
        d[511] = 0u8.wrapping_sub(sum);
        d
    }

    #[test]
    fn decodes_fixture() {
        let id = IdentifyDeviceData::decode(&fixture()).unwrap();
        assert_eq!(id.serial_number, "QM00001");
        assert_eq!(id.firmware_revision, "2.5+");
        assert_eq!(id.model_number, "QEMU HARDDISK");
        assert_eq!(
            id.major_version.supported,
            ["ATA/ATAPI-4", "ATA/ATAPI-5", "ATA/ATAPI-6", "ATA/ATAPI-7"]
        );
        assert!(id.lba48_supported);
        assert_eq!(id.user_addressable_sectors_28, 131_072);
        assert_eq!(id.user_addressable_sectors_48, Some(131_072));
        assert_eq!(id.logical_sector_size, 512);
        assert_eq!(id.physical_sector_size, 4096);
        assert_eq!(id.capacity_bytes, Some(64 << 20));
        assert!(id.write_cache_supported && id.write_cache_enabled && id.trim_supported);
        assert_eq!(id.integrity.signature, 0xa5);
        assert_eq!(id.integrity.checksum_valid, Some(true));
    }

    #[test]
    fn checksum_mismatch_and_absence() {
        let mut d = fixture();
        d[100] ^= 1;
        let id = IdentifyDeviceData::decode(&d).unwrap();
        assert_eq!(id.integrity.checksum_valid, Some(false));
        d[510] = 0;
        let id = IdentifyDeviceData::decode(&d).unwrap();
        assert_eq!(id.integrity.checksum_valid, None);
    }

    #[test]
    fn long_logical_sectors_and_invalid_words() {
        let mut d = fixture();
        // 4096-byte logical sectors: word 106 bit 12, words 117-118 = 2048 words.
        d[212..214].copy_from_slice(&0x5000u16.to_le_bytes());
        d[234..236].copy_from_slice(&2048u16.to_le_bytes());
        let id = IdentifyDeviceData::decode(&d).unwrap();
        assert_eq!(id.logical_sector_size, 4096);
        assert_eq!(id.physical_sector_size, 4096);
        // Word 83 without the 01b validity pattern: no 48-bit claim.
        d[166..168].copy_from_slice(&0xffffu16.to_le_bytes());
        let id = IdentifyDeviceData::decode(&d).unwrap();
        assert!(!id.lba48_supported);
        assert_eq!(id.user_addressable_sectors_48, None);
    }

    #[test]
    fn short_data_is_rejected() {
        assert!(IdentifyDeviceData::decode(&fixture()[..511]).is_err());
    }

    #[test]
    fn registers_validate() {
        let r = IdentifyDevice::<Ata16>::registers();
        assert!(AtaPassThroughCdb::<Ata12>::new(r).is_ok());
        assert!(AtaPassThroughCdb::<Ata16>::new(r).is_ok());
    }

    #[test]
    fn command_cdbs() {
        assert_eq!(
            IdentifyDevice::<Ata12>::new().cdb().as_bytes()[..3],
            [0xa1, 0x08, 0x0e]
        );
        let c = IdentifyDevice::<Ata16>::new();
        assert_eq!(c.cdb().as_bytes()[14], IDENTIFY_DEVICE);
        assert_eq!(c.data_phase(), DataPhase::In(512));
        assert!(c.decode(&fixture()).is_ok());
    }

    proptest! {
        #[test]
        fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let r = IdentifyDeviceData::decode(&bytes);
            prop_assert_eq!(r.is_ok(), bytes.len() >= 512);
            if let Ok(id) = r {
                prop_assert!(id.serial_number.len() <= 20 && id.model_number.len() <= 40);
            }
        }
    }
}

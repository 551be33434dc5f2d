//! Mode parameter lists (SPC-5 7.5.4): the 6- or 10-byte header, block descriptors and
//! mode pages, as MODE SENSE returns them and MODE SELECT sends them.

use super::form::ModeForm;
use super::page::ModePage;
use crate::error::{BuildError, DecodeError};
use crate::scsi::cdb_bytes::be_uint;
use serde::Serialize;

/// The mode parameter header (SPC-5 7.5.5), with the device-specific
/// parameter read as SBC-4 6.5.1 defines it for direct-access devices.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct ModeParameterHeader {
    /// MODE DATA LENGTH: bytes after this field (reserved in MODE SELECT).
    pub mode_data_length: u16,
    /// MEDIUM TYPE (00h for SBC devices).
    pub medium_type: u8,
    /// The DEVICE-SPECIFIC PARAMETER byte as sent.
    pub device_specific_parameter: u8,
    /// WP (write protected): bit 7 of the device-specific parameter (SBC-4 6.5.1).
    pub wp: bool,
    /// DPOFUA (DPO and FUA supported): bit 4 of the device-specific parameter (SBC-4 6.5.1).
    pub dpofua: bool,
    /// LONGLBA: block descriptors are in the long LBA format (10-byte header only).
    pub longlba: bool,
    /// BLOCK DESCRIPTOR LENGTH in bytes.
    pub block_descriptor_length: u16,
}

/// A mode parameter block descriptor for a direct-access device (SBC-4 6.5.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "format", rename_all = "snake_case")]
pub enum BlockDescriptor {
    /// Short LBA mode parameter block descriptor, 8 bytes (SBC-4 6.5.2.2).
    Short {
        /// NUMBER OF LOGICAL BLOCKS (bytes 0-3).
        number_of_logical_blocks: u32,
        /// LOGICAL BLOCK LENGTH (bytes 5-7).
        logical_block_length: u32,
    },
    /// Long LBA mode parameter block descriptor, 16 bytes (SBC-4 6.5.2.3).
    Long {
        /// NUMBER OF LOGICAL BLOCKS (bytes 0-7).
        number_of_logical_blocks: u64,
        /// LOGICAL BLOCK LENGTH (bytes 12-15).
        logical_block_length: u32,
    },
}

impl BlockDescriptor {
    fn decode(bytes: &[u8]) -> Option<Self> {
        match bytes.len() {
            8 => Some(BlockDescriptor::Short {
                number_of_logical_blocks: be_uint(&bytes[..4]) as u32,
                logical_block_length: be_uint(&bytes[5..8]) as u32,
            }),
            16 => Some(BlockDescriptor::Long {
                number_of_logical_blocks: be_uint(&bytes[..8]),
                logical_block_length: be_uint(&bytes[12..16]) as u32,
            }),
            _ => None,
        }
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), BuildError> {
        match *self {
            BlockDescriptor::Short {
                number_of_logical_blocks,
                logical_block_length,
            } => {
                BuildError::check_max(
                    "block descriptor",
                    "LOGICAL BLOCK LENGTH",
                    logical_block_length.into(),
                    0xff_ffff,
                )?;
                out.extend_from_slice(&number_of_logical_blocks.to_be_bytes());
                out.extend_from_slice(&logical_block_length.to_be_bytes());
            }
            BlockDescriptor::Long {
                number_of_logical_blocks,
                logical_block_length,
            } => {
                out.extend_from_slice(&number_of_logical_blocks.to_be_bytes());
                out.extend_from_slice(&[0; 4]);
                out.extend_from_slice(&logical_block_length.to_be_bytes());
            }
        }
        Ok(())
    }

    fn is_long(&self) -> bool {
        matches!(self, BlockDescriptor::Long { .. })
    }
}

/// A decoded mode parameter list (SPC-5 7.5.4): header, block descriptors, pages.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct ModeParameters {
    /// The mode parameter header.
    pub header: ModeParameterHeader,
    /// The block descriptors (none when DBD was set or the device has none).
    pub block_descriptors: Vec<BlockDescriptor>,
    /// The mode pages, in the order returned.
    pub pages: Vec<ModePage>,
    /// True when the data ended before MODE DATA LENGTH said (allocation length too
    /// small): the lists hold only what was complete.
    pub truncated: bool,
}

impl ModeParameters {
    /// Decodes MODE SENSE data of form `F`; the MODE DATA LENGTH bounds the list (bytes
    /// beyond it, such as transport padding, are ignored).
    pub fn decode<F: ModeForm>(data: &[u8]) -> Result<Self, DecodeError> {
        DecodeError::ensure_len(data, F::HEADER_LEN, "mode parameter header")?;
        let mdl = be_uint(&data[..F::LENGTH_WIDTH]) as usize;
        Ok(Self::decode_to(data, mdl + F::LENGTH_WIDTH, F::HEADER_LEN))
    }

    /// Decodes a MODE SELECT parameter list of form `F`, whose MODE DATA LENGTH is
    /// reserved: the list is all of `data`.
    pub fn decode_parameter_list<F: ModeForm>(data: &[u8]) -> Result<Self, DecodeError> {
        DecodeError::ensure_len(data, F::HEADER_LEN, "mode parameter header")?;
        Ok(Self::decode_to(data, data.len(), F::HEADER_LEN))
    }

    fn decode_to(data: &[u8], total: usize, header_len: usize) -> Self {
        let truncated_data = data.len() < total;
        let end = total.clamp(header_len, data.len().max(header_len));
        let data = &data[..end.min(data.len())];
        let header = if header_len == 4 {
            ModeParameterHeader {
                mode_data_length: data[0].into(),
                medium_type: data[1],
                device_specific_parameter: data[2],
                wp: data[2] & 0x80 != 0,
                dpofua: data[2] & 0x10 != 0,
                longlba: false,
                block_descriptor_length: data[3].into(),
            }
        } else {
            ModeParameterHeader {
                mode_data_length: u16::from_be_bytes([data[0], data[1]]),
                medium_type: data[2],
                device_specific_parameter: data[3],
                wp: data[3] & 0x80 != 0,
                dpofua: data[3] & 0x10 != 0,
                longlba: data[4] & 0x01 != 0,
                block_descriptor_length: u16::from_be_bytes([data[6], data[7]]),
            }
        };
        let rest = &data[header_len..];
        let bdl = usize::from(header.block_descriptor_length);
        let descriptors = &rest[..bdl.min(rest.len())];
        let size = if header.longlba { 16 } else { 8 };
        let block_descriptors = descriptors
            .chunks_exact(size)
            .filter_map(BlockDescriptor::decode)
            .collect();
        let (pages, pages_truncated) = ModePage::parse_list(rest.get(bdl..).unwrap_or_default());
        ModeParameters {
            header,
            block_descriptors,
            pages,
            truncated: truncated_data || pages_truncated || bdl > rest.len(),
        }
    }

    /// The page with this code and subpage, if present.
    pub fn page(&self, page_code: u8, subpage_code: u8) -> Option<&ModePage> {
        self.pages
            .iter()
            .find(|p| p.page_code == page_code && p.subpage_code == subpage_code)
    }

    /// Encodes the list as a MODE SELECT parameter list of form `F` (SPC-5 7.5.4): MODE
    /// DATA LENGTH zero (reserved in MODE SELECT), MEDIUM TYPE and DEVICE-SPECIFIC
    /// PARAMETER as held, LONGLBA and BLOCK DESCRIPTOR LENGTH from the descriptors, PS
    /// cleared in every page.
    pub fn to_parameter_list<F: ModeForm>(&self) -> Result<Vec<u8>, BuildError> {
        let long = self.block_descriptors.first().is_some_and(|d| d.is_long());
        if self.block_descriptors.iter().any(|d| d.is_long() != long) {
            return Err(BuildError::Invalid {
                command: F::SELECT_NAME,
                reason: "block descriptors mix short and long LBA formats",
            });
        }
        if long && !F::LONG_LBA {
            return Err(BuildError::Invalid {
                command: F::SELECT_NAME,
                reason: "long LBA block descriptors need MODE SELECT (10)",
            });
        }
        let mut body = Vec::new();
        for d in &self.block_descriptors {
            d.encode(&mut body)?;
        }
        let bdl = body.len() as u64;
        BuildError::check_max(
            F::SELECT_NAME,
            "BLOCK DESCRIPTOR LENGTH",
            bdl,
            F::max_length(),
        )?;
        for p in &self.pages {
            p.encode_for_select(&mut body)?;
        }
        let mut out = vec![0u8; F::HEADER_LEN];
        if F::LONG_LBA {
            out[2] = self.header.medium_type;
            out[3] = self.header.device_specific_parameter;
            out[4] = u8::from(long);
            out[6..8].copy_from_slice(&(bdl as u16).to_be_bytes());
        } else {
            out[1] = self.header.medium_type;
            out[2] = self.header.device_specific_parameter;
            out[3] = bdl as u8;
        }
        out.extend_from_slice(&body);
        Ok(out)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::form::{Six, Ten};
    use super::super::page::DecodedModePage;
    use super::*;
    use proptest::prelude::*;

    /// QEMU 7.2 scsi-hd, MODE SENSE (6) DBD=0 PC=0 page 08h, 64 MiB image, 512-byte
    /// blocks, write-cache=on, dpofua=off. From hw/scsi/scsi-disk.c
    /// scsi_disk_emulate_mode_sense / mode_sense_page: header (MODE DATA LENGTH = total-1),
    /// one 8-byte descriptor (density 0, 3-byte block count 020000h, block length 0200h),
    /// caching page 08h length 12h with byte 2 = 04h (WCE).
    pub(crate) const QEMU_CACHING_6: [u8; 32] = [
        0x1f, 0x00, 0x00, 0x08, // header
        0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, // block descriptor
        0x08, 0x12, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    /// The same request with PC=1 (changeable values): QEMU sets only WCE.
    pub(crate) const QEMU_CACHING_6_CHANGEABLE: [u8; 32] = QEMU_CACHING_6;

    /// QEMU 7.2 scsi-hd, MODE SENSE (10) DBD=1 page 08h, write-cache=off, dpofua=on,
    /// read-only drive: device-specific parameter 90h, no descriptors, WCE clear.
    const QEMU_CACHING_10_DBD: [u8; 28] = [
        0x00, 0x1a, 0x00, 0x90, 0x00, 0x00, 0x00, 0x00, // header
        0x08, 0x12, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    /// QEMU 7.2 scsi-hd, MODE SENSE (10) DBD=1 PC=0 page 3Fh (all pages), 64 MiB image
    /// with geometry 130 cylinders / 16 heads / 63 sectors, 512-byte blocks,
    /// write-cache=on. scsi_disk_emulate_mode_sense walks pages 00h..3Eh, so a disk returns
    /// 01h (read-write error recovery, AWRE), 04h (rigid disk geometry), 05h (flexible disk
    /// geometry) and 08h (caching) in that order, each filled in by mode_sense_page.
    const QEMU_ALL_PAGES_10: [u8; 96] = [
        0x00, 0x5e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // header, no descriptors
        0x01, 0x0a, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 01h
        0x04, 0x16, 0x00, 0x00, 0x82, 0x10, 0x00, 0x00, 0x82, 0x00, 0x00, 0x82, 0x00, 0xc8, 0xff,
        0xff, 0xff, 0x00, 0x00, 0x00, 0x15, 0x18, 0x00, 0x00, // 04h
        0x05, 0x1e, 0x13, 0x88, 0x10, 0x3f, 0x02, 0x00, 0x00, 0x82, 0x00, 0x82, 0x00, 0x82, 0x00,
        0x01, 0x01, 0x00, 0x01, 0x01, 0x01, 0, 0, 0, 0, 0, 0, 0, 0x15, 0x18, 0, 0, // 05h
        0x08, 0x12, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 08h
    ];

    #[test]
    fn qemu_all_pages_10() {
        let m = ModeParameters::decode::<Ten>(&QEMU_ALL_PAGES_10).unwrap();
        assert!(!m.truncated);
        let codes: Vec<u8> = m.pages.iter().map(|p| p.page_code).collect();
        assert_eq!(codes, vec![0x01, 0x04, 0x05, 0x08]);
        assert_eq!(m.pages[0].data[0], 0x80);
        assert_eq!(m.pages[1].page_length, 0x16);
        assert!(m.pages[..3].iter().all(|p| p.decoded.is_none()));
        assert!(matches!(
            &m.pages[3].decoded,
            Some(DecodedModePage::Caching(c)) if c.wce
        ));
        // Cut inside the flexible disk geometry page: the first two pages remain.
        let cut = ModeParameters::decode::<Ten>(&QEMU_ALL_PAGES_10[..60]).unwrap();
        assert!(cut.truncated);
        assert_eq!(cut.pages.len(), 2);
    }

    #[test]
    fn qemu_caching_page_6() {
        let m = ModeParameters::decode::<Six>(&QEMU_CACHING_6).unwrap();
        assert!(!m.truncated);
        assert_eq!(m.header.mode_data_length, 31);
        assert!(!m.header.wp && !m.header.dpofua);
        assert_eq!(
            m.block_descriptors,
            vec![BlockDescriptor::Short {
                number_of_logical_blocks: 0x20000,
                logical_block_length: 512
            }]
        );
        assert_eq!(m.pages.len(), 1);
        let Some(DecodedModePage::Caching(c)) = &m.pages[0].decoded else {
            panic!("caching page not decoded: {:?}", m.pages[0]);
        };
        assert!(c.wce && !c.rcd);
    }

    #[test]
    fn json_output_names_fields() {
        let m = ModeParameters::decode::<Six>(&QEMU_CACHING_6).unwrap();
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["pages"][0]["decoded"]["page"], "caching");
        assert_eq!(json["pages"][0]["decoded"]["wce"], true);
        assert_eq!(json["block_descriptors"][0]["format"], "short");
    }

    #[test]
    fn qemu_caching_page_10_dbd() {
        let m = ModeParameters::decode::<Ten>(&QEMU_CACHING_10_DBD).unwrap();
        assert_eq!(m.header.mode_data_length, 26);
        assert!(m.header.wp && m.header.dpofua && !m.header.longlba);
        assert!(m.block_descriptors.is_empty());
        let Some(DecodedModePage::Caching(c)) = &m.page(8, 0).unwrap().decoded else {
            panic!("caching page not decoded");
        };
        assert!(!c.wce);
    }

    #[test]
    fn short_allocation_length_reports_truncation() {
        let m = ModeParameters::decode::<Six>(&QEMU_CACHING_6[..20]).unwrap();
        assert!(m.truncated);
        assert_eq!(m.block_descriptors.len(), 1);
        assert!(m.pages.is_empty());
        assert!(ModeParameters::decode::<Ten>(&QEMU_CACHING_10_DBD[..7]).is_err());
    }

    #[test]
    fn padding_after_mode_data_length_is_ignored() {
        let mut padded = QEMU_CACHING_6.to_vec();
        padded.resize(255, 0);
        let m = ModeParameters::decode::<Six>(&padded).unwrap();
        assert_eq!(m, ModeParameters::decode::<Six>(&QEMU_CACHING_6).unwrap());
    }

    #[test]
    fn long_lba_descriptor() {
        let mut data = vec![0x00, 0x16, 0x00, 0x00, 0x01, 0x00, 0x00, 0x10];
        data.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0]);
        let m = ModeParameters::decode::<Ten>(&data).unwrap();
        assert!(m.header.longlba && !m.truncated);
        assert_eq!(
            m.block_descriptors,
            vec![BlockDescriptor::Long {
                number_of_logical_blocks: 1 << 32,
                logical_block_length: 4096
            }]
        );
        assert!(m.to_parameter_list::<Six>().is_err());
        let list = m.to_parameter_list::<Ten>().unwrap();
        assert_eq!(&list[..8], &[0, 0, 0, 0, 1, 0, 0, 0x10]);
        assert_eq!(&list[8..], &data[8..]);
    }

    fn round_trip<F: ModeForm>(m: &ModeParameters) {
        let list = m.to_parameter_list::<F>().unwrap();
        let back = ModeParameters::decode_parameter_list::<F>(&list).unwrap();
        assert_eq!(back.block_descriptors, m.block_descriptors);
        assert_eq!(back.pages, m.pages);
        assert_eq!(back.header.medium_type, m.header.medium_type);
        assert_eq!(back.header.mode_data_length, 0);
    }

    proptest! {
        #[test]
        fn parameter_list_round_trip(
            long: bool,
            medium: u8,
            descriptors in proptest::collection::vec((any::<u64>(), 0u32..0x100_0000), 0..3),
            pages in proptest::collection::vec((0u8..0x40, any::<u8>(), proptest::collection::vec(any::<u8>(), 0..40)), 0..4),
        ) {
            let block_descriptors = descriptors
                .into_iter()
                .map(|(n, l)| if long {
                    BlockDescriptor::Long { number_of_logical_blocks: n, logical_block_length: l }
                } else {
                    BlockDescriptor::Short { number_of_logical_blocks: n as u32, logical_block_length: l }
                })
                .collect();
            let m = ModeParameters {
                header: ModeParameterHeader {
                    mode_data_length: 0,
                    medium_type: medium,
                    device_specific_parameter: 0,
                    wp: false,
                    dpofua: false,
                    longlba: long,
                    block_descriptor_length: 0,
                },
                block_descriptors,
                pages: pages.into_iter().map(|(p, s, d)| ModePage::new(p, s, d).unwrap()).collect(),
                truncated: false,
            };
            round_trip::<Ten>(&m);
            if !long {
                round_trip::<Six>(&m);
            }
        }

        #[test]
        fn arbitrary_bytes_do_not_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            for m in [ModeParameters::decode::<Six>(&bytes), ModeParameters::decode::<Ten>(&bytes),
                      ModeParameters::decode_parameter_list::<Six>(&bytes)].into_iter().flatten() {
                prop_assert!(m.pages.len() <= bytes.len() / 2);
                prop_assert!(m.block_descriptors.len() <= bytes.len() / 8);
            }
        }
    }
}

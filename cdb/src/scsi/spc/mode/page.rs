//! Mode pages (SPC-5 7.5.7): the page_0 and sub_page formats, and the page list that
//! follows the header and block descriptors.

use super::caching::CachingPage;
use super::control::ControlPage;
use crate::error::{BuildError, DecodeError};
use serde::Serialize;

/// A mode page's fields decoded, for the pages this crate knows.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "page", rename_all = "snake_case")]
pub enum DecodedModePage {
    /// Caching mode page, 08h (SBC-4 6.5.5).
    Caching(CachingPage),
    /// Control mode page, 0Ah (SPC-5 7.5.10).
    Control(ControlPage),
}

/// One mode page (SPC-5 7.5.7).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct ModePage {
    /// PS (parameters saveable); reserved in MODE SELECT.
    pub ps: bool,
    /// SPF: the sub_page format (4-byte page header) is used.
    pub spf: bool,
    /// PAGE CODE (0 to 3Fh).
    pub page_code: u8,
    /// SUBPAGE CODE (0 in the page_0 format).
    pub subpage_code: u8,
    /// PAGE LENGTH: bytes after the PAGE LENGTH field.
    pub page_length: u16,
    /// The mode parameters after the page header.
    pub data: Vec<u8>,
    /// The fields decoded, for caching (08h) and control (0Ah) pages.
    pub decoded: Option<DecodedModePage>,
}

/// What to do with a page whose PAGE LENGTH runs past the buffer.
#[derive(Debug)]
pub(crate) enum PageParse {
    /// A whole page and the bytes it took.
    Page(ModePage, usize),
    /// The page is cut short by the end of the buffer.
    Truncated,
}

impl ModePage {
    /// A page in the page_0 format (subpage 0) or, for a non-zero `subpage_code`, the
    /// sub_page format, with PS clear; decodes the known pages' fields.
    pub fn new(page_code: u8, subpage_code: u8, data: Vec<u8>) -> Result<Self, BuildError> {
        BuildError::check_max("mode page", "PAGE CODE", page_code.into(), 0x3f)?;
        let spf = subpage_code != 0;
        let max = if spf { 0xffff } else { 0xff };
        BuildError::check_max("mode page", "PAGE LENGTH", data.len() as u64, max)?;
        Ok(Self::assemble(false, spf, page_code, subpage_code, data))
    }

    fn assemble(ps: bool, spf: bool, page_code: u8, subpage_code: u8, data: Vec<u8>) -> Self {
        let decoded = match (page_code, subpage_code) {
            (0x08, 0) => CachingPage::decode(&data).map(DecodedModePage::Caching),
            (0x0a, 0) => ControlPage::decode(&data).map(DecodedModePage::Control),
            _ => None,
        };
        ModePage {
            ps,
            spf,
            page_code,
            subpage_code,
            page_length: data.len() as u16,
            data,
            decoded,
        }
    }

    /// Parses the page at the start of `bytes`.
    pub(crate) fn parse(bytes: &[u8]) -> Result<PageParse, DecodeError> {
        DecodeError::ensure_len(bytes, 2, "mode page header")?;
        let spf = bytes[0] & 0x40 != 0;
        let (header_len, subpage, length) = if spf {
            if bytes.len() < 4 {
                return Ok(PageParse::Truncated);
            }
            (
                4,
                bytes[1],
                usize::from(u16::from_be_bytes([bytes[2], bytes[3]])),
            )
        } else {
            (2, 0, usize::from(bytes[1]))
        };
        let Some(data) = bytes.get(header_len..header_len + length) else {
            return Ok(PageParse::Truncated);
        };
        let page = Self::assemble(
            bytes[0] & 0x80 != 0,
            spf,
            bytes[0] & 0x3f,
            subpage,
            data.to_vec(),
        );
        Ok(PageParse::Page(page, header_len + length))
    }

    /// Parses a list of pages; the flag is true when the last page is cut short.
    pub(crate) fn parse_list(mut bytes: &[u8]) -> (Vec<ModePage>, bool) {
        let mut pages = Vec::new();
        while !bytes.is_empty() {
            match Self::parse(bytes) {
                Ok(PageParse::Page(page, used)) => {
                    pages.push(page);
                    bytes = bytes.get(used..).unwrap_or_default();
                }
                Ok(PageParse::Truncated) | Err(_) => return (pages, true),
            }
        }
        (pages, false)
    }

    /// Appends the page as MODE SELECT sends it: PS cleared (reserved in MODE SELECT,
    /// SPC-5 7.5.7), PAGE LENGTH from the data. Rejects a PAGE CODE beyond 6 bits and a
    /// SUBPAGE CODE the page_0 format (SPF clear) cannot carry.
    pub(crate) fn encode_for_select(&self, out: &mut Vec<u8>) -> Result<(), BuildError> {
        BuildError::check_max("mode page", "PAGE CODE", self.page_code.into(), 0x3f)?;
        if !self.spf && self.subpage_code != 0 {
            return Err(BuildError::Invalid {
                command: "mode page",
                reason: "a non-zero SUBPAGE CODE needs the sub_page format (SPF set)",
            });
        }
        let len = self.data.len() as u64;
        if self.spf {
            BuildError::check_max("mode page", "PAGE LENGTH", len, 0xffff)?;
            out.push(0x40 | self.page_code);
            out.push(self.subpage_code);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        } else {
            BuildError::check_max("mode page", "PAGE LENGTH", len, 0xff)?;
            out.push(self.page_code);
            out.push(len as u8);
        }
        out.extend_from_slice(&self.data);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn both_page_formats() {
        // page_0: PS=1, page 01h, length 2; sub_page: SPF=1, 0Ah/01h, length 3.
        let bytes = [0x81, 0x02, 0xaa, 0xbb, 0x4a, 0x01, 0x00, 0x03, 1, 2, 3];
        let (pages, truncated) = ModePage::parse_list(&bytes);
        assert!(!truncated);
        assert_eq!(pages.len(), 2);
        assert!(pages[0].ps && !pages[0].spf);
        assert_eq!(pages[0].data, vec![0xaa, 0xbb]);
        assert_eq!((pages[1].page_code, pages[1].subpage_code), (0x0a, 0x01));
        assert_eq!(pages[1].data, vec![1, 2, 3]);
        assert_eq!(pages[1].decoded, None);
    }

    #[test]
    fn truncated_list_keeps_whole_pages() {
        let bytes = [0x01, 0x02, 0xaa, 0xbb, 0x08, 0x12, 0x04];
        let (pages, truncated) = ModePage::parse_list(&bytes);
        assert!(truncated);
        assert_eq!(pages.len(), 1);
    }

    #[test]
    fn encode_rejects_fields_the_header_cannot_carry() {
        let mut out = Vec::new();
        let wide = ModePage {
            page_code: 0x48,
            ..ModePage::new(0x08, 0, vec![0; 18]).unwrap()
        };
        assert!(wide.encode_for_select(&mut out).is_err());
        let lost_subpage = ModePage {
            subpage_code: 1,
            ..ModePage::new(0x0a, 0, vec![0; 10]).unwrap()
        };
        assert!(lost_subpage.encode_for_select(&mut out).is_err());
        assert!(out.is_empty());
    }

    proptest! {
        #[test]
        fn encode_parse_round_trip(page in 0u8..0x40, sub: u8, data in proptest::collection::vec(any::<u8>(), 0..300)) {
            let max = if sub == 0 { 255 } else { 65535 };
            match ModePage::new(page, sub, data.clone()) {
                Ok(p) => {
                    let mut out = Vec::new();
                    p.encode_for_select(&mut out).unwrap();
                    let (pages, truncated) = ModePage::parse_list(&out);
                    prop_assert!(!truncated);
                    prop_assert_eq!(pages, vec![p]);
                }
                Err(_) => prop_assert!(data.len() > max),
            }
        }

        #[test]
        fn arbitrary_bytes_do_not_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let (pages, _) = ModePage::parse_list(&bytes);
            let total: usize = pages.iter().map(|p| p.data.len()).sum();
            prop_assert!(total <= bytes.len());
        }
    }
}

//! Supported VPD Pages, page 00h (SPC-5 7.7.17).

use super::header::VpdHeader;
use super::names::vpd_page_name;
use super::SUPPORTED_VPD_PAGES;
use crate::error::DecodeError;
use serde::Serialize;

/// One entry of the supported page list.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct SupportedPage {
    /// The page code.
    pub page_code: u8,
    /// The page's name for this device type (SPC-5 7.7.1).
    pub name: &'static str,
}

/// The Supported VPD Pages page (SPC-5 7.7.17): the page codes the device returns.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct SupportedVpdPages {
    /// The page header.
    pub header: VpdHeader,
    /// SUPPORTED VPD PAGE LIST, in the device's (ascending) order.
    pub pages: Vec<SupportedPage>,
}

impl SupportedVpdPages {
    /// Decodes page 00h.
    pub fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        let (header, body) =
            VpdHeader::split_expecting(buf, SUPPORTED_VPD_PAGES, "Supported VPD Pages: PAGE CODE")?;
        let device_type = header.peripheral_device_type;
        let pages = body
            .iter()
            .map(|&page_code| SupportedPage {
                page_code,
                name: vpd_page_name(page_code, device_type),
            })
            .collect();
        Ok(SupportedVpdPages { header, pages })
    }

    /// True if the device lists `page_code`.
    pub fn supports(&self, page_code: u8) -> bool {
        self.pages.iter().any(|p| p.page_code == page_code)
    }
}

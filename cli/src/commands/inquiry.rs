//! `scsitool inquiry DEVICE [--vpd PAGE]`: standard INQUIRY data or a VPD page (SPC-5 6.7,
//! 7.7), decoded.

use crate::commands::device::{open_scsi, run};
use crate::exit::Failure;
use crate::output::{Output, Report};
use crate::render::tree;
use anyhow::Result;
use cdb::scsi::spc::inquiry::{Inquiry, InquiryData};
use serde::Serialize;
use transports::open::Access;

/// The `--json` document of `scsitool inquiry`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct InquiryReport {
    /// The device as named on the command line.
    pub device: String,
    /// The decoded data: `{"kind": "standard" | "vpd", "data": ...}`.
    pub inquiry: InquiryData,
}

impl Report for InquiryReport {
    fn human(&self) -> String {
        let data = serde_json::to_value(&self.inquiry).unwrap_or_default();
        match &self.inquiry {
            InquiryData::Standard(standard) => format!(
                "standard INQUIRY:\n  Vendor identification: {}\n  Product identification: {}\n  Product revision level: {}\n{}",
                standard.t10_vendor_identification,
                standard.product_identification,
                standard.product_revision_level,
                tree(&data["data"], 2)
            ),
            InquiryData::Vpd(page) => format!(
                "VPD page {:02X}h:\n{}",
                page.page_code(),
                tree(&data["data"], 2)
            ),
        }
    }
}

/// Sends INQUIRY (the standard data, or VPD page `vpd`) to `device`.
pub fn command(out: Output, device: &str, vpd: Option<u8>, length: Option<u16>) -> Result<()> {
    let inquiry = match (vpd, length) {
        (None, None) => Ok(Inquiry::standard()),
        (None, Some(length)) => Inquiry::standard_with_length(length),
        (Some(page), None) => Ok(Inquiry::vpd(page)),
        (Some(page), Some(length)) => Inquiry::vpd_with_length(page, length),
    }
    .map_err(|e| Failure::usage(e.to_string()))?;
    let mut transport = open_scsi(device, Access::Read)?;
    let done = run(out, transport.as_mut(), &inquiry)?;
    out.emit(&InquiryReport {
        device: device.to_string(),
        inquiry: done.response,
    })
}

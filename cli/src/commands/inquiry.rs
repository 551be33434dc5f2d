//! `scsitool inquiry DEVICE [--vpd PAGE | --all]`: standard INQUIRY data, a VPD page, or
//! the standard data and every VPD page the device lists (SPC-5 6.7, 7.7), decoded.

use crate::commands::device::{open_scsi, run, traced};
use crate::exit::Failure;
use crate::output::{Output, Report};
use crate::render::tree;
use anyhow::{anyhow, Result};
use cdb::scsi::spc::inquiry::{Inquiry, InquiryData, StandardInquiry};
use cdb::scsi::spc::vpd::{vpd_page_name, VpdPage, SUPPORTED_VPD_PAGES};
use serde::Serialize;
use transports::open::Access;
use transports::scsi::ScsiTransport;

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
        match &self.inquiry {
            InquiryData::Standard(standard) => standard_text(standard),
            InquiryData::Vpd(page) => vpd_text(page.page_code(), None, page),
        }
    }
}

/// The `--json` document of `scsitool inquiry --all`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct InquiryAllReport {
    /// The device as named on the command line.
    pub device: String,
    /// The standard INQUIRY data (SPC-5 6.7.2).
    pub standard: StandardInquiry,
    /// The Supported VPD Pages page (00h, SPC-5 7.7.17) and then every page it lists, in
    /// its order: each decoded, or the reason it could not be read.
    pub vpd: Vec<VpdRead>,
}

/// One VPD page read by `inquiry --all`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct VpdRead {
    /// The PAGE CODE asked for (SPC-5 6.7.1).
    pub page_code: u8,
    /// The page's name for this PERIPHERAL DEVICE TYPE (SPC-5 7.7.1).
    pub name: &'static str,
    /// The decoded page, or why it could not be read.
    #[serde(flatten)]
    pub outcome: VpdOutcome,
}

/// A VPD page, or the device's refusal or the decoder's complaint.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum VpdOutcome {
    /// The decoded page.
    Data(Box<VpdPage>),
    /// Why the page could not be read or decoded.
    Error(String),
}

impl Report for InquiryAllReport {
    fn human(&self) -> String {
        let mut text = standard_text(&self.standard);
        for read in &self.vpd {
            text.push_str(&match &read.outcome {
                VpdOutcome::Data(page) => vpd_text(read.page_code, Some(read.name), page),
                VpdOutcome::Error(error) => format!(
                    "VPD page {:02X}h ({}): not read: {error}\n",
                    read.page_code, read.name
                ),
            });
        }
        text
    }
}

/// Standard INQUIRY data for people: the identity first, then every field.
fn standard_text(standard: &StandardInquiry) -> String {
    format!(
        "standard INQUIRY:\n  Vendor identification: {}\n  Product identification: {}\n  Product revision level: {}\n{}",
        standard.t10_vendor_identification,
        standard.product_identification,
        standard.product_revision_level,
        tree(&serde_json::to_value(standard).unwrap_or_default(), 2)
    )
}

/// A VPD page for people, under its code and (when known) name.
fn vpd_text(page_code: u8, name: Option<&str>, page: &VpdPage) -> String {
    let title = name.map_or_else(String::new, |name| format!(" ({name})"));
    format!(
        "VPD page {page_code:02X}h{title}:\n{}",
        tree(&serde_json::to_value(page).unwrap_or_default(), 2)
    )
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

/// Sends a standard INQUIRY, then VPD page 00h and every page it lists (each once), to
/// `device`; a page that fails is reported in its place.
pub fn all(out: Output, device: &str) -> Result<()> {
    let mut transport = open_scsi(device, Access::Read)?;
    let standard = match run(out, transport.as_mut(), &Inquiry::standard())?.response {
        InquiryData::Standard(standard) => standard,
        InquiryData::Vpd(_) => return Err(anyhow!("standard INQUIRY returned a VPD page")),
    };
    let device_type = standard.peripheral_device_type;
    let read = |transport: &mut dyn ScsiTransport, page_code: u8| VpdRead {
        page_code,
        name: vpd_page_name(page_code, device_type),
        outcome: match read_whole_page(out, transport, page_code) {
            Ok(page) => VpdOutcome::Data(Box::new(page)),
            Err(error) => VpdOutcome::Error(error),
        },
    };
    let supported = read(transport.as_mut(), SUPPORTED_VPD_PAGES);
    let mut listed: Vec<u8> = Vec::new();
    if let VpdOutcome::Data(page) = &supported.outcome {
        let pages = match page.as_ref() {
            VpdPage::SupportedVpdPages(pages) => pages.pages.as_slice(),
            _ => &[],
        };
        for page in pages {
            if page.page_code != SUPPORTED_VPD_PAGES && !listed.contains(&page.page_code) {
                listed.push(page.page_code);
            }
        }
    }
    let mut vpd = vec![supported];
    vpd.extend(
        listed
            .into_iter()
            .map(|page_code| read(transport.as_mut(), page_code)),
    );
    let report = InquiryAllReport {
        device: device.to_string(),
        standard,
        vpd,
    };
    out.emit(&report)
}

/// Reads VPD page `page_code`, asking again with the full length when the page is longer
/// than the default ALLOCATION LENGTH (SPC-5 4.2.5.6: the device returns what fits).
fn read_whole_page(
    out: Output,
    transport: &mut dyn ScsiTransport,
    page_code: u8,
) -> Result<VpdPage, String> {
    let page = read_page(out, transport, &Inquiry::vpd(page_code))?;
    let header = page.header();
    if header.missing_bytes == 0 {
        return Ok(page);
    }
    let full = u16::try_from(usize::from(header.page_length) + 4).unwrap_or(u16::MAX);
    match Inquiry::vpd_with_length(page_code, full) {
        Ok(longer) => read_page(out, transport, &longer),
        Err(_) => Ok(page),
    }
}

/// Sends one VPD request; the device's refusal or the decoder's complaint as text.
fn read_page(
    out: Output,
    transport: &mut dyn ScsiTransport,
    inquiry: &Inquiry,
) -> Result<VpdPage, String> {
    match traced(out, transport, inquiry) {
        Ok(done) => match done.response {
            InquiryData::Vpd(page) => Ok(page),
            InquiryData::Standard(_) => Err("the device returned standard data".into()),
        },
        Err(error) => Err(error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cdb::scsi::status::Status;
    use transports::scsi::{DataBuffer, ScsiReply, ScsiRequest, TransportError};

    /// A device with one vendor specific VPD page (C0h) of `body` bytes, which answers
    /// with as much of it as the ALLOCATION LENGTH allows (SPC-5 4.2.5.6) and records the
    /// ALLOCATION LENGTHs it was sent.
    struct LongPage {
        body: usize,
        asked: Vec<usize>,
    }

    impl ScsiTransport for LongPage {
        fn execute(&mut self, request: ScsiRequest<'_>) -> Result<ScsiReply, TransportError> {
            let cdb = request.cdb;
            assert_eq!(&cdb[..3], &[0x12, 0x01, 0xc0]);
            self.asked
                .push(usize::from(u16::from_be_bytes([cdb[3], cdb[4]])));
            let length = u16::try_from(self.body).unwrap_or(u16::MAX).to_be_bytes();
            let mut page = vec![0x00, 0xc0, length[0], length[1]];
            page.resize(4 + self.body, 0x5a);
            let DataBuffer::In(buffer) = request.data else {
                return Err(TransportError::Refused("not data-in".into()));
            };
            let moved = buffer.len().min(page.len());
            buffer[..moved].copy_from_slice(&page[..moved]);
            Ok(ScsiReply {
                status: Status::Good,
                sense: Vec::new(),
                transferred: moved,
            })
        }

        fn describe(&self) -> String {
            "a device with a long VPD page".into()
        }
    }

    #[test]
    fn a_page_longer_than_the_default_is_asked_for_again_in_full() {
        let mut device = LongPage {
            body: 1500,
            asked: Vec::new(),
        };
        let page = read_whole_page(Output::default(), &mut device, 0xc0);
        assert_eq!(device.asked, [1024, 1504]);
        let Ok(VpdPage::Other(raw)) = page else {
            panic!("{page:?}");
        };
        assert_eq!(raw.header.missing_bytes, 0);
        assert_eq!(raw.data.len(), 1500);
        let mut short = LongPage {
            body: 100,
            asked: Vec::new(),
        };
        assert!(read_whole_page(Output::default(), &mut short, 0xc0).is_ok());
        assert_eq!(short.asked, [1024]);
    }

    /// A page the device refused keeps its place with the reason, in the committed
    /// schema's shape.
    #[test]
    fn a_refused_page_is_reported_in_the_schema_shape() {
        let read = VpdRead {
            page_code: 0x89,
            name: "ATA Information",
            outcome: VpdOutcome::Error("CHECK CONDITION: ILLEGAL REQUEST".into()),
        };
        let value = serde_json::to_value(&read).unwrap_or_default();
        assert_eq!(value["page_code"], 0x89);
        assert_eq!(value["error"], "CHECK CONDITION: ILLEGAL REQUEST");
        assert!(value.get("data").is_none(), "{value}");
        let schema = crate::schema::find("inquiry-all").map(|e| (e.generate)());
        let schema = serde_json::to_value(schema).unwrap_or_default();
        let wrapped = serde_json::json!({ "$defs": schema["$defs"], "$ref": "#/$defs/VpdRead" });
        let validator = jsonschema::validator_for(&wrapped).map_err(|e| e.to_string());
        assert!(
            validator.as_ref().is_ok_and(|v| v.is_valid(&value)),
            "{validator:?}"
        );
    }
}

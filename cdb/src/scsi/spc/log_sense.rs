//! LOG SENSE 4Dh (SPC-5 6.8) and log pages (SPC-5 7.3): the page header, the generic log
//! parameter list, the supported-pages lists and the Temperature page.

use crate::command::{Cdb, CdbField, CdbLayout, DataInCommand};
use crate::error::{BuildError, DecodeError};
use crate::scsi::cdb_bytes::{be_uint, check};
use serde::Serialize;

/// LOG SENSE operation code (SPC-5 6.8).
pub const OPCODE: u8 = 0x4d;

/// The PC (page control) field of LOG SENSE (SPC-5 6.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LogPageControl {
    /// 00b: threshold values.
    Threshold,
    /// 01b: cumulative values.
    Cumulative,
    /// 10b: default threshold values.
    DefaultThreshold,
    /// 11b: default cumulative values.
    DefaultCumulative,
}

impl LogPageControl {
    /// The two-bit PC code.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The PC value for a two-bit code (higher bits are ignored).
    pub fn from_code(code: u8) -> Self {
        match code & 3 {
            0 => LogPageControl::Threshold,
            1 => LogPageControl::Cumulative,
            2 => LogPageControl::DefaultThreshold,
            _ => LogPageControl::DefaultCumulative,
        }
    }
}

/// A LOG SENSE command (SPC-5 6.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogSense {
    /// PPC (parameter pointer control).
    pub ppc: bool,
    /// SP (save parameters).
    pub sp: bool,
    /// PC (page control).
    pub pc: LogPageControl,
    page_code: u8,
    /// SUBPAGE CODE.
    pub subpage_code: u8,
    /// PARAMETER POINTER: the first parameter code to return.
    pub parameter_pointer: u16,
    /// ALLOCATION LENGTH.
    pub allocation_length: u16,
}

impl LogSense {
    /// LOG SENSE of cumulative values of `page_code` (0 to 3Fh) / `subpage_code`, from the
    /// first parameter, PPC=0, SP=0.
    pub fn new(
        page_code: u8,
        subpage_code: u8,
        allocation_length: u16,
    ) -> Result<Self, BuildError> {
        BuildError::check_max(Self::NAME, "PAGE CODE", page_code.into(), 0x3f)?;
        Ok(LogSense {
            ppc: false,
            sp: false,
            pc: LogPageControl::Cumulative,
            page_code,
            subpage_code,
            parameter_pointer: 0,
            allocation_length,
        })
    }

    /// PAGE CODE.
    pub fn page_code(&self) -> u8 {
        self.page_code
    }
}

impl CdbLayout for LogSense {
    const NAME: &'static str = "LOG SENSE";

    fn parse_cdb(cdb: &[u8]) -> Result<Self, DecodeError> {
        check(cdb, 10, OPCODE, Self::NAME)?;
        Ok(LogSense {
            ppc: cdb[1] & 0x02 != 0,
            sp: cdb[1] & 0x01 != 0,
            pc: LogPageControl::from_code(cdb[2] >> 6),
            page_code: cdb[2] & 0x3f,
            subpage_code: cdb[3],
            parameter_pointer: u16::from_be_bytes([cdb[5], cdb[6]]),
            allocation_length: u16::from_be_bytes([cdb[7], cdb[8]]),
        })
    }

    fn to_cdb(&self) -> Cdb {
        let mut cdb = Cdb::zeroed(10);
        let b = cdb.bytes_mut();
        b[0] = OPCODE;
        b[1] = u8::from(self.ppc) << 1 | u8::from(self.sp);
        b[2] = self.pc.code() << 6 | self.page_code;
        b[3] = self.subpage_code;
        b[5..7].copy_from_slice(&self.parameter_pointer.to_be_bytes());
        b[7..9].copy_from_slice(&self.allocation_length.to_be_bytes());
        cdb
    }

    fn fields(&self) -> Vec<CdbField> {
        vec![
            CdbField::flag("PPC", self.ppc),
            CdbField::flag("SP", self.sp),
            CdbField::new("PC", self.pc.code()),
            CdbField::new("PAGE CODE", self.page_code),
            CdbField::new("SUBPAGE CODE", self.subpage_code),
            CdbField::new("PARAMETER POINTER", self.parameter_pointer),
            CdbField::new("ALLOCATION LENGTH", self.allocation_length),
        ]
    }
}

impl DataInCommand for LogSense {
    type Response = LogPage;

    fn allocation_length(&self) -> u32 {
        self.allocation_length.into()
    }

    fn decode_data(&self, data_in: &[u8]) -> Result<LogPage, DecodeError> {
        LogPage::decode(data_in)
    }
}

/// The name of a log page (SPC-5 7.3.1; SBC-4 6.4 for the block-device pages).
pub fn log_page_name(page_code: u8, subpage_code: u8) -> Option<&'static str> {
    Some(match (page_code, subpage_code) {
        (0x00, 0x00) => "Supported Log Pages",
        (0x00, 0xff) => "Supported Log Pages and Subpages",
        (0x01, 0x00) => "Buffer Over-Run/Under-Run",
        (0x02, 0x00) => "Write Error Counter",
        (0x03, 0x00) => "Read Error Counter",
        (0x04, 0x00) => "Read Reverse Error Counter",
        (0x05, 0x00) => "Verify Error Counter",
        (0x06, 0x00) => "Non-Medium Error",
        (0x07, 0x00) => "Last n Error Events",
        (0x08, 0x00) => "Format Status",
        (0x0b, 0x00) => "Last n Deferred Errors or Asynchronous Events",
        (0x0c, 0x00) => "Logical Block Provisioning",
        (0x0d, 0x00) => "Temperature",
        (0x0d, 0x01) => "Environmental Reporting",
        (0x0d, 0x02) => "Environmental Limits",
        (0x0e, 0x00) => "Start-Stop Cycle Counter",
        (0x0e, 0x01) => "Utilization",
        (0x0f, 0x00) => "Application Client",
        (0x10, 0x00) => "Self-Test Results",
        (0x11, 0x00) => "Solid State Media",
        (0x15, 0x00) => "Background Scan Results",
        (0x17, 0x00) => "Non-Volatile Cache",
        (0x18, 0x00) => "Protocol Specific Port",
        (0x19, 0x00) => "General Statistics and Performance",
        (0x19, 0x01..=0x1f) => "Group Statistics and Performance",
        (0x19, 0x20) => "Cache Memory Statistics",
        (0x1a, 0x00) => "Power Condition Transitions",
        (0x2f, 0x00) => "Informational Exceptions",
        (0x30..=0x3e, _) => "Vendor Specific",
        (_, 0xff) => "Supported Subpages",
        _ => return None,
    })
}

/// A log page (SPC-5 7.3.2).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct LogPage {
    /// DS (disable save).
    pub ds: bool,
    /// SPF (subpage format).
    pub spf: bool,
    /// PAGE CODE.
    pub page_code: u8,
    /// SUBPAGE CODE.
    pub subpage_code: u8,
    /// The page's name, when standard.
    pub name: Option<&'static str>,
    /// PAGE LENGTH: bytes after the header.
    pub page_length: u16,
    /// The log parameters (empty for the supported-pages lists, which have none).
    pub parameters: Vec<LogParameter>,
    /// Fields decoded for the pages this crate knows.
    pub decoded: Option<DecodedLogPage>,
    /// True when the data ended before PAGE LENGTH said (allocation length too small):
    /// only whole parameters or entries are listed.
    pub truncated: bool,
}

/// One log parameter (SPC-5 7.3.2.2).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct LogParameter {
    /// PARAMETER CODE.
    pub parameter_code: u16,
    /// DU (disable update).
    pub du: bool,
    /// TSD (target save disable).
    pub tsd: bool,
    /// ETC (enable threshold comparison).
    pub etc: bool,
    /// TMC (threshold met criteria), 2 bits.
    pub tmc: u8,
    /// FORMAT AND LINKING, 2 bits (SPC-5 7.3.2.2).
    pub format_and_linking: u8,
    /// The PARAMETER VALUE bytes.
    pub value: Vec<u8>,
    /// The value as a big-endian integer, when it has at most 8 bytes.
    pub value_int: Option<u64>,
}

/// A page's fields decoded, for the pages this crate knows.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "page", rename_all = "snake_case")]
pub enum DecodedLogPage {
    /// Supported Log Pages (00h), Supported Log Pages and Subpages (00h/FFh) or
    /// Supported Subpages (any other page, subpage FFh) (SPC-5 7.3.18, 7.3.19,
    /// 7.3.20).
    SupportedPages {
        /// The pages listed.
        pages: Vec<SupportedLogPage>,
    },
    /// Temperature log page, 0Dh (SPC-5 7.3.21).
    Temperature(Temperature),
}

/// One entry of a supported-pages list (SPC-5 7.3.18, 7.3.19, 7.3.20).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct SupportedLogPage {
    /// PAGE CODE.
    pub page_code: u8,
    /// SUBPAGE CODE (0 in the Supported Log Pages list).
    pub subpage_code: u8,
    /// The page's name, when standard.
    pub name: Option<&'static str>,
}

/// The Temperature log page's values (SPC-5 7.3.21): degrees Celsius, `None` when the
/// device reports FFh (not available) or omits the parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Temperature {
    /// TEMPERATURE, parameter 0000h.
    pub temperature: Option<u8>,
    /// REFERENCE TEMPERATURE, parameter 0001h.
    pub reference_temperature: Option<u8>,
}

impl LogPage {
    /// Decodes a log page; data beyond PAGE LENGTH is ignored, a short page is decoded as
    /// far as it goes and flagged.
    pub fn decode(data: &[u8]) -> Result<Self, DecodeError> {
        DecodeError::ensure_len(data, 4, "log page header")?;
        let page_code = data[0] & 0x3f;
        let subpage_code = data[1];
        let page_length = u16::from_be_bytes([data[2], data[3]]);
        let body = &data[4..];
        let mut truncated = body.len() < usize::from(page_length);
        let body = &body[..body.len().min(page_length.into())];
        let (parameters, decoded) = match (page_code, subpage_code) {
            // Page 00h lists page codes; subpage FFh of any page lists page and subpage
            // code pairs (Supported Log Pages and Subpages for 00h/FFh, Supported Subpages
            // for the others; SPC-5 7.3.18 to 7.3.20).
            (0, 0) | (_, 0xff) => {
                let width = if subpage_code == 0 { 1 } else { 2 };
                let pages = body
                    .chunks_exact(width)
                    .map(|e| {
                        let (p, s) = (e[0] & 0x3f, e.get(1).copied().unwrap_or(0));
                        SupportedLogPage {
                            page_code: p,
                            subpage_code: s,
                            name: log_page_name(p, s),
                        }
                    })
                    .collect();
                truncated |= body.len() % width != 0;
                (Vec::new(), Some(DecodedLogPage::SupportedPages { pages }))
            }
            _ => {
                let (parameters, cut) = LogParameter::parse_list(body);
                truncated |= cut;
                let decoded = (page_code, subpage_code) == (0x0d, 0);
                let decoded =
                    decoded.then(|| DecodedLogPage::Temperature(Temperature::from(&parameters)));
                (parameters, decoded)
            }
        };
        Ok(LogPage {
            ds: data[0] & 0x80 != 0,
            spf: data[0] & 0x40 != 0,
            page_code,
            subpage_code,
            name: log_page_name(page_code, subpage_code),
            page_length,
            parameters,
            decoded,
            truncated,
        })
    }
}

impl LogParameter {
    /// Parses parameters until `body` ends; the flag is true when the last is cut short.
    fn parse_list(mut body: &[u8]) -> (Vec<LogParameter>, bool) {
        let mut parameters = Vec::new();
        while !body.is_empty() {
            let Some(header) = body.get(..4) else {
                return (parameters, true);
            };
            let len = usize::from(header[3]);
            let Some(value) = body.get(4..4 + len) else {
                return (parameters, true);
            };
            parameters.push(LogParameter {
                parameter_code: u16::from_be_bytes([header[0], header[1]]),
                du: header[2] & 0x80 != 0,
                tsd: header[2] & 0x20 != 0,
                etc: header[2] & 0x10 != 0,
                tmc: (header[2] >> 2) & 3,
                format_and_linking: header[2] & 3,
                value: value.to_vec(),
                value_int: (len <= 8).then(|| be_uint(value)),
            });
            body = body.get(4 + len..).unwrap_or_default();
        }
        (parameters, false)
    }
}

impl From<&Vec<LogParameter>> for Temperature {
    fn from(parameters: &Vec<LogParameter>) -> Self {
        // The TEMPERATURE byte is the second of the 2-byte value (SPC-5 7.3.21).
        let celsius = |code: u16| {
            parameters
                .iter()
                .find(|p| p.parameter_code == code)
                .and_then(|p| p.value.get(1).copied())
                .filter(|&t| t != 0xff)
        };
        Temperature {
            temperature: celsius(0),
            reference_temperature: celsius(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::ScsiCommand;
    use proptest::prelude::*;

    #[test]
    fn cdb_bytes() {
        let mut cmd = LogSense::new(0x0d, 0, 0x200).unwrap();
        cmd.parameter_pointer = 1;
        assert_eq!(
            cmd.cdb().as_bytes(),
            &[0x4d, 0, 0x4d, 0, 0, 0, 1, 0x02, 0x00, 0]
        );
        assert!(LogSense::new(0x40, 0, 4).is_err());
    }

    #[test]
    fn supported_pages() {
        // SPC-5 7.3.18: 00h page listing 00h, 0Dh, 2Fh.
        let data = [0x00, 0x00, 0x00, 0x03, 0x00, 0x0d, 0x2f];
        let page = LogPage::decode(&data).unwrap();
        let Some(DecodedLogPage::SupportedPages { pages }) = page.decoded else {
            panic!("not decoded");
        };
        let names: Vec<_> = pages.iter().map(|p| p.name).collect();
        assert_eq!(
            names,
            vec![
                Some("Supported Log Pages"),
                Some("Temperature"),
                Some("Informational Exceptions")
            ]
        );
        assert!(!page.truncated);
    }

    #[test]
    fn supported_pages_and_subpages() {
        let data = [0x40, 0xff, 0x00, 0x06, 0x00, 0x00, 0x00, 0xff, 0x0d, 0x01];
        let page = LogPage::decode(&data).unwrap();
        assert!(page.spf);
        let Some(DecodedLogPage::SupportedPages { pages }) = page.decoded else {
            panic!("not decoded");
        };
        assert_eq!(pages.len(), 3);
        assert_eq!(pages[2].name, Some("Environmental Reporting"));
    }

    #[test]
    fn supported_subpages_of_any_page() {
        // Temperature page 0Dh, subpage FFh: 0Dh/00h, 0Dh/01h, 0Dh/FFh.
        let data = [0x4d, 0xff, 0x00, 0x06, 0x0d, 0x00, 0x0d, 0x01, 0x0d, 0xff];
        let page = LogPage::decode(&data).unwrap();
        assert!(page.parameters.is_empty());
        let Some(DecodedLogPage::SupportedPages { pages }) = page.decoded else {
            panic!("not decoded: {page:?}");
        };
        let codes: Vec<_> = pages
            .iter()
            .map(|p| (p.page_code, p.subpage_code))
            .collect();
        assert_eq!(codes, [(0x0d, 0), (0x0d, 1), (0x0d, 0xff)]);
        assert_eq!(pages[1].name, Some("Environmental Reporting"));
    }

    #[test]
    fn temperature_page() {
        // SPC-5 7.3.21: parameter 0000h (control byte 03h, length 2) = 35 C, 0001h = 60 C.
        let data = [
            0x0d, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x03, 0x02, 0x00, 35, 0x00, 0x01, 0x03, 0x02, 0x00,
            60,
        ];
        let page = LogPage::decode(&data).unwrap();
        assert_eq!(page.parameters.len(), 2);
        assert_eq!(page.parameters[0].format_and_linking, 3);
        assert_eq!(page.parameters[1].value_int, Some(60));
        assert_eq!(
            page.decoded,
            Some(DecodedLogPage::Temperature(Temperature {
                temperature: Some(35),
                reference_temperature: Some(60)
            }))
        );
        let short = LogPage::decode(&data[..13]).unwrap();
        assert!(short.truncated);
        assert_eq!(short.parameters.len(), 1);
    }

    #[test]
    fn parameter_control_bits() {
        let data = [
            0x02, 0x00, 0x00, 0x0d, 0x00, 0x06, 0xb6, 0x09, 1, 2, 3, 4, 5, 6, 7, 8, 9,
        ];
        let page = LogPage::decode(&data).unwrap();
        let p = &page.parameters[0];
        assert!(p.du && p.tsd && p.etc);
        assert_eq!((p.parameter_code, p.tmc, p.format_and_linking), (6, 1, 2));
        assert_eq!(p.value.len(), 9);
        assert_eq!(p.value_int, None);
    }

    proptest! {
        #[test]
        fn round_trip(ppc: bool, sp: bool, pc in 0u8..4, page in 0u8..0x40, sub: u8, ptr: u16, len: u16) {
            let mut cmd = LogSense::new(page, sub, len).unwrap();
            cmd.ppc = ppc;
            cmd.sp = sp;
            cmd.pc = LogPageControl::from_code(pc);
            cmd.parameter_pointer = ptr;
            prop_assert_eq!(LogSense::parse_cdb(cmd.to_cdb().as_bytes()), Ok(cmd));
        }

        #[test]
        fn arbitrary_bytes_do_not_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            if let Ok(page) = LogPage::decode(&bytes) {
                prop_assert!(page.parameters.len() <= bytes.len() / 4);
            }
        }
    }
}

//! The four-byte header every VPD page starts with (SPC-5 7.7.1).

use crate::error::DecodeError;
use crate::scsi::spc::inquiry::{PeripheralDeviceType, PeripheralQualifier};
use serde::Serialize;

/// Length of the VPD page header.
pub(crate) const HEADER_LEN: usize = 4;

/// The VPD page header (SPC-5 7.7.1, table "VPD page format"), plus how much of the page
/// the device actually returned.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct VpdHeader {
    /// PERIPHERAL QUALIFIER (byte 0 bits 7–5).
    pub peripheral_qualifier: PeripheralQualifier,
    /// PERIPHERAL DEVICE TYPE (byte 0 bits 4–0).
    pub peripheral_device_type: PeripheralDeviceType,
    /// PAGE CODE (byte 1).
    pub page_code: u8,
    /// PAGE LENGTH (bytes 2–3): bytes of page after the header.
    pub page_length: u16,
    /// Bytes PAGE LENGTH announces but the device did not return (the allocation length
    /// was too small).
    pub missing_bytes: usize,
}

impl VpdHeader {
    /// Decodes the header and returns it with the page's bytes after the header, limited
    /// to PAGE LENGTH.
    pub(crate) fn split(buf: &[u8]) -> Result<(VpdHeader, &[u8]), DecodeError> {
        DecodeError::ensure_len(buf, HEADER_LEN, "VPD page header")?;
        let page_length = u16::from_be_bytes([buf[2], buf[3]]);
        let end = HEADER_LEN + usize::from(page_length);
        let body = &buf[HEADER_LEN..buf.len().min(end)];
        let header = VpdHeader {
            peripheral_qualifier: PeripheralQualifier::from_code(buf[0] >> 5),
            peripheral_device_type: PeripheralDeviceType::from_code(buf[0] & 0x1f),
            page_code: buf[1],
            page_length,
            missing_bytes: end.saturating_sub(buf.len()),
        };
        Ok((header, body))
    }

    /// Like [`VpdHeader::split`], but rejects a page whose PAGE CODE is not `page_code`.
    pub(crate) fn split_expecting<'a>(
        buf: &'a [u8],
        page_code: u8,
        what: &'static str,
    ) -> Result<(VpdHeader, &'a [u8]), DecodeError> {
        let (header, body) = Self::split(buf)?;
        if header.page_code != page_code {
            return Err(DecodeError::InvalidValue {
                what,
                value: u64::from(header.page_code),
            });
        }
        Ok((header, body))
    }
}

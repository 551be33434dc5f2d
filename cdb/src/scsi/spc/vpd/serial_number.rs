//! Unit Serial Number, page 80h (SPC-5 7.7.19).

use super::header::VpdHeader;
use super::UNIT_SERIAL_NUMBER;
use crate::error::DecodeError;
use crate::text::ascii_field;
use serde::Serialize;

/// The Unit Serial Number page (SPC-5 7.7.19).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct UnitSerialNumber {
    /// The page header.
    pub header: VpdHeader,
    /// PRODUCT SERIAL NUMBER: ASCII, right-aligned with leading spaces, which are removed
    /// here along with trailing spaces and NULs.
    pub product_serial_number: String,
}

impl UnitSerialNumber {
    /// Decodes page 80h.
    pub fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        let (header, body) =
            VpdHeader::split_expecting(buf, UNIT_SERIAL_NUMBER, "Unit Serial Number: PAGE CODE")?;
        let product_serial_number = ascii_field(body).trim_start().to_owned();
        Ok(UnitSerialNumber {
            header,
            product_serial_number,
        })
    }
}

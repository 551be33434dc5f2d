//! Device Identification, page 83h (SPC-5 7.7.6).

use super::designator::{decode_list, Association, DesignationDescriptor};
use super::header::VpdHeader;
use super::DEVICE_IDENTIFICATION;
use crate::error::DecodeError;
use serde::Serialize;

/// The Device Identification page (SPC-5 7.7.6): a list of designation descriptors.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct DeviceIdentification {
    /// The page header.
    pub header: VpdHeader,
    /// The designation descriptors that were returned whole.
    pub designators: Vec<DesignationDescriptor>,
    /// Set when the last descriptor's DESIGNATOR LENGTH runs past the returned data (a
    /// short allocation length or a malformed page); the descriptors before it are kept.
    pub problem: Option<&'static str>,
}

impl DeviceIdentification {
    /// Decodes page 83h.
    pub fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        let (header, body) = VpdHeader::split_expecting(
            buf,
            DEVICE_IDENTIFICATION,
            "Device Identification: PAGE CODE",
        )?;
        let (designators, problem) = decode_list(body);
        Ok(DeviceIdentification {
            header,
            designators,
            problem,
        })
    }

    /// The designators naming the logical unit itself (ASSOCIATION 00b), which identify it
    /// across all paths.
    pub fn logical_unit_designators(&self) -> impl Iterator<Item = &DesignationDescriptor> {
        self.designators
            .iter()
            .filter(|d| d.association == Association::LogicalUnit)
    }
}

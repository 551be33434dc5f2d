//! The identity a firmware image is matched against: vendor, model, current revision and
//! serial number — SCSI standard INQUIRY data (SPC-5 6.7.2) and the Unit Serial Number VPD
//! page (SPC-5 7.7.19); NVMe Identify Controller MN, FR and SN (NVMe Base 2.0 5.17.2.1).

use crate::error::FirmwareError;
use crate::target::Target;
use cdb::nvme::identify::IdentifyController;
use cdb::scsi::spc::inquiry::{Inquiry, InquiryData};
use cdb::scsi::spc::vpd::{VpdPage, UNIT_SERIAL_NUMBER};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use transports::execute::execute;
use transports::nvme::NvmeTransport;
use transports::scsi::ScsiTransport;

/// The vendor NVMe devices report: Identify Controller has a PCI vendor ID, not a name.
pub const NVME_VENDOR: &str = "NVMe";

/// Who the device is and which firmware it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Identity {
    /// T10 VENDOR IDENTIFICATION (SPC-5 6.7.2), or [`NVME_VENDOR`].
    pub vendor: String,
    /// PRODUCT IDENTIFICATION (SPC-5 6.7.2) or Model Number (MN, NVMe Base 2.0 5.17.2.1).
    pub model: String,
    /// PRODUCT REVISION LEVEL (SPC-5 6.7.2) or Firmware Revision (FR).
    pub revision: String,
    /// PRODUCT SERIAL NUMBER (SPC-5 7.7.19; empty when the page is not supported) or
    /// Serial Number (SN).
    pub serial: String,
}

impl Identity {
    /// Reads the identity of `target`.
    pub fn read(target: &mut Target, timeout: Duration) -> Result<Self, FirmwareError> {
        match target {
            Target::Scsi(t) => Self::read_scsi(t.as_mut(), timeout),
            Target::Nvme { transport, .. } => Self::read_nvme(transport.as_mut(), timeout),
        }
    }

    /// Standard INQUIRY data and, where supported, the Unit Serial Number VPD page.
    pub fn read_scsi(t: &mut dyn ScsiTransport, timeout: Duration) -> Result<Self, FirmwareError> {
        let InquiryData::Standard(data) = execute(t, &Inquiry::standard(), timeout)?.response
        else {
            return Err(FirmwareError::Unexpected("INQUIRY"));
        };
        let serial = match execute(t, &Inquiry::vpd(UNIT_SERIAL_NUMBER), timeout) {
            Ok(done) => match done.response {
                InquiryData::Vpd(VpdPage::UnitSerialNumber(page)) => page.product_serial_number,
                _ => String::new(),
            },
            Err(_) => String::new(),
        };
        Ok(Identity {
            vendor: data.t10_vendor_identification,
            model: data.product_identification,
            revision: data.product_revision_level,
            serial,
        })
    }

    /// Identify Controller: MN, FR, SN.
    pub fn read_nvme(t: &mut dyn NvmeTransport, timeout: Duration) -> Result<Self, FirmwareError> {
        let data =
            transports::nvme::execute(t, &IdentifyController::controller(), timeout)?.response;
        Ok(Identity {
            vendor: NVME_VENDOR.to_string(),
            model: data.mn,
            revision: data.fr,
            serial: data.sn,
        })
    }
}

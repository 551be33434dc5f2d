//! Get Features and Set Features (NVMe Base 2.0 5.15, 5.27) for the one feature the
//! controller has: Volatile Write Cache (FID 06h, Base 2.0 5.27.1.4), changeable, not
//! saveable, not namespace specific.

use super::reply::{generic, specific, Done, Outcome, Reject};
use super::{Controller, NSID};
use crate::block::BlockDevice;
use cdb::nvme::features::{GetFeatures, Select, SetFeatures, FID_VOLATILE_WRITE_CACHE};
use cdb::nvme::nvm::NSID_BROADCAST;
use cdb::nvme::{SqeLayout, SubmissionEntry};

/// Supported capabilities of the feature (SEL 11b, Base 2.0 5.15.1): bit 2 changeable;
/// bit 0 (saveable) and bit 1 (namespace specific) clear.
const CAPABILITIES: u32 = 0b100;

impl<D: BlockDevice> Controller<D> {
    /// Get Features: Dword 0 bit 0 is WCE for SEL current, default and saved (a feature
    /// that is not saveable reports its default as saved), the capabilities for SEL 11b.
    pub(super) fn get_features(&mut self, sqe: &SubmissionEntry) -> Outcome {
        let get = GetFeatures::parse_sqe(sqe).map_err(|_| Reject::invalid_field())?;
        if get.fid != FID_VOLATILE_WRITE_CACHE {
            return Err(Reject::invalid_field());
        }
        let dw0 = match get.sel {
            Select::Current => u32::from(self.device.write_cache_enabled()),
            Select::Default | Select::Saved => u32::from(self.config.write_cache_default),
            Select::SupportedCapabilities => CAPABILITIES,
        };
        Ok(Done::dw0(dw0))
    }

    /// Set Features: CDW11 bit 0 sets WCE, which enables or disables the device's write
    /// cache (disabling makes the cache durable first).
    pub(super) fn set_features(&mut self, sqe: &SubmissionEntry) -> Outcome {
        let set = SetFeatures::parse_sqe(sqe).map_err(|_| Reject::invalid_field())?;
        if set.fid != FID_VOLATILE_WRITE_CACHE {
            return Err(Reject::invalid_field());
        }
        match set.nsid {
            0 | NSID_BROADCAST => {}
            NSID => return Err(Reject::specific(specific::NOT_NAMESPACE_SPECIFIC)),
            _ => return Err(Reject::invalid_namespace()),
        }
        if set.sv {
            return Err(Reject::specific(specific::NOT_SAVEABLE));
        }
        self.device
            .set_write_cache(set.cdw11 & 1 != 0)
            .map_err(|_| Reject::generic(generic::INTERNAL_ERROR))?;
        Ok(Done::ok())
    }
}

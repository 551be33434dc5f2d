//! Get Features (NVMe Base 2.0 5.15) and Set Features (Base 2.0 5.27) for features whose
//! value travels in CDW11 and completion Dword 0, with Volatile Write Cache (FID 06h,
//! Base 2.0 5.27.1) typed.

use super::sqe::{expect_opcode, NvmeCommand, Queue, SqeLayout, SubmissionEntry};
use crate::command::{CdbField, DataPhase};
use crate::error::DecodeError;
use serde::Serialize;
use zerocopy::little_endian::U32;

/// Get Features opcode (Base 2.0 5, Figure "Opcodes for Admin Commands").
pub const OPC_GET_FEATURES: u8 = 0x0a;
/// Set Features opcode (Base 2.0 5, Figure "Opcodes for Admin Commands").
pub const OPC_SET_FEATURES: u8 = 0x09;
/// Volatile Write Cache Feature Identifier (Base 2.0 5.27.1, Figure "Feature Identifiers").
pub const FID_VOLATILE_WRITE_CACHE: u8 = 0x06;

/// Select (SEL), Get Features CDW10 bits 10:8 (Base 2.0 5.15.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Select {
    /// 000b: current value.
    Current = 0,
    /// 001b: default value.
    Default = 1,
    /// 010b: saved value.
    Saved = 2,
    /// 011b: supported capabilities (saveable, namespace specific, changeable).
    SupportedCapabilities = 3,
}

impl Select {
    /// The SEL value for `code`, or `None` for the reserved values 100b–111b.
    pub fn from_code(code: u8) -> Option<Select> {
        [
            Select::Current,
            Select::Default,
            Select::Saved,
            Select::SupportedCapabilities,
        ]
        .into_iter()
        .find(|s| *s as u8 == code)
    }
}

/// Get Features with no data buffer (Base 2.0 5.15): the result is completion Dword 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GetFeatures {
    /// Feature Identifier (FID), CDW10 bits 7:0.
    pub fid: u8,
    /// Select (SEL), CDW10 bits 10:8.
    pub sel: Select,
    /// Namespace Identifier (for namespace-specific features; else 0).
    pub nsid: u32,
    /// Command Dword 11, feature specific.
    pub cdw11: u32,
}

/// Set Features with no data buffer (Base 2.0 5.27): the value is in CDW11.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetFeatures {
    /// Feature Identifier (FID), CDW10 bits 7:0.
    pub fid: u8,
    /// Save (SV), CDW10 bit 31: keep the value across power and resets.
    pub sv: bool,
    /// Namespace Identifier (for namespace-specific features; else 0).
    pub nsid: u32,
    /// Command Dword 11, the feature value.
    pub cdw11: u32,
}

/// The Volatile Write Cache feature value (Base 2.0 5.27.1, Feature Identifier 06h).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct VolatileWriteCache {
    /// Volatile Write Cache Enable (WCE), bit 0.
    pub wce: bool,
}

impl VolatileWriteCache {
    /// Decodes the value from completion Dword 0 (or CDW11).
    pub fn from_dw0(dw0: u32) -> Self {
        VolatileWriteCache { wce: dw0 & 1 != 0 }
    }
}

impl GetFeatures {
    /// Get Features for Volatile Write Cache (FID 06h) with `sel`.
    pub fn volatile_write_cache(sel: Select) -> Self {
        GetFeatures {
            fid: FID_VOLATILE_WRITE_CACHE,
            sel,
            nsid: 0,
            cdw11: 0,
        }
    }
}

impl SetFeatures {
    /// Set Features for Volatile Write Cache (FID 06h): WCE in CDW11 bit 0.
    pub fn volatile_write_cache(wce: bool, sv: bool) -> Self {
        SetFeatures {
            fid: FID_VOLATILE_WRITE_CACHE,
            sv,
            nsid: 0,
            cdw11: u32::from(wce),
        }
    }
}

impl SqeLayout for GetFeatures {
    const NAME: &'static str = "Get Features";

    fn parse_sqe(sqe: &SubmissionEntry) -> Result<Self, DecodeError> {
        expect_opcode(sqe, OPC_GET_FEATURES, "Get Features opcode")?;
        let cdw10 = sqe.cdw10.get();
        let code = ((cdw10 >> 8) & 0x7) as u8;
        let sel = Select::from_code(code).ok_or(DecodeError::InvalidValue {
            what: "Get Features SEL",
            value: u64::from(code),
        })?;
        Ok(GetFeatures {
            fid: cdw10 as u8,
            sel,
            nsid: sqe.nsid.get(),
            cdw11: sqe.cdw11.get(),
        })
    }

    fn fields(&self) -> Vec<CdbField> {
        vec![
            CdbField::new("NSID", self.nsid),
            CdbField::new("FID", self.fid),
            CdbField::new("SEL", self.sel as u8),
            CdbField::new("CDW11", self.cdw11),
        ]
    }

    fn to_sqe(&self) -> SubmissionEntry {
        let mut sqe = SubmissionEntry::new(OPC_GET_FEATURES, self.nsid);
        sqe.cdw10 = U32::new(u32::from(self.fid) | ((self.sel as u32) << 8));
        sqe.cdw11 = U32::new(self.cdw11);
        sqe
    }
}

impl SqeLayout for SetFeatures {
    const NAME: &'static str = "Set Features";

    fn parse_sqe(sqe: &SubmissionEntry) -> Result<Self, DecodeError> {
        expect_opcode(sqe, OPC_SET_FEATURES, "Set Features opcode")?;
        let cdw10 = sqe.cdw10.get();
        Ok(SetFeatures {
            fid: cdw10 as u8,
            sv: cdw10 & (1 << 31) != 0,
            nsid: sqe.nsid.get(),
            cdw11: sqe.cdw11.get(),
        })
    }

    fn fields(&self) -> Vec<CdbField> {
        vec![
            CdbField::new("NSID", self.nsid),
            CdbField::new("FID", self.fid),
            CdbField::flag("SV", self.sv),
            CdbField::new("CDW11", self.cdw11),
        ]
    }

    fn to_sqe(&self) -> SubmissionEntry {
        let mut sqe = SubmissionEntry::new(OPC_SET_FEATURES, self.nsid);
        sqe.cdw10 = U32::new(u32::from(self.fid) | (u32::from(self.sv) << 31));
        sqe.cdw11 = U32::new(self.cdw11);
        sqe
    }
}

/// Implements [`NvmeCommand`] for a features command without data: the response is
/// completion Dword 0.
macro_rules! dw0_command {
    ($ty:ty) => {
        impl NvmeCommand for $ty {
            /// Completion Dword 0 (the feature value or attributes).
            type Response = u32;

            fn name(&self) -> &'static str {
                <Self as SqeLayout>::NAME
            }

            fn queue(&self) -> Queue {
                Queue::Admin
            }

            fn entry(&self) -> SubmissionEntry {
                self.to_sqe()
            }

            fn data_phase(&self) -> DataPhase<'_> {
                DataPhase::None
            }

            fn decode(&self, dw0: u32, _data_in: &[u8]) -> Result<u32, DecodeError> {
                Ok(dw0)
            }
        }
    };
}

dw0_command!(GetFeatures);
dw0_command!(SetFeatures);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn volatile_write_cache_entries() {
        let g = GetFeatures::volatile_write_cache(Select::Saved).entry();
        assert_eq!((g.opc(), g.cdw10.get()), (0x0a, 0x0206));
        let s = SetFeatures::volatile_write_cache(true, true).entry();
        assert_eq!(
            (s.opc(), s.cdw10.get(), s.cdw11.get()),
            (0x09, 0x8000_0006, 1)
        );
        // QEMU (hw/nvme/ctrl.c nvme_get_feature, NVME_VOLATILE_WRITE_CACHE): Get Features
        // 06h returns the cache state in Dword 0.
        let cmd = GetFeatures::volatile_write_cache(Select::Current);
        assert_eq!(cmd.decode(1, &[]).unwrap(), 1);
        assert!(VolatileWriteCache::from_dw0(1).wce);
        assert!(!VolatileWriteCache::from_dw0(0xfffe).wce);
        let mut bad = g;
        bad.cdw10 = U32::new(0x0406);
        assert!(GetFeatures::parse_sqe(&bad).is_err());
    }

    proptest! {
        #[test]
        fn round_trip(fid: u8, sel in 0u8..4, sv: bool, nsid: u32, cdw11: u32) {
            let g = GetFeatures { fid, sel: Select::from_code(sel).unwrap(), nsid, cdw11 };
            prop_assert_eq!(GetFeatures::parse_sqe(&g.to_sqe()).unwrap(), g);
            let s = SetFeatures { fid, sv, nsid, cdw11 };
            prop_assert_eq!(SetFeatures::parse_sqe(&s.to_sqe()).unwrap(), s);
        }
    }
}

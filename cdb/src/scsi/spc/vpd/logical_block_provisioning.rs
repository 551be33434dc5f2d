//! Logical Block Provisioning, page B2h (SBC-4 6.6.6).

use super::designator::{decode_list, DesignationDescriptor};
use super::header::VpdHeader;
use super::LOGICAL_BLOCK_PROVISIONING;
use crate::error::DecodeError;
use crate::scsi::spc::inquiry::coded::{byte_or_zero, clamped, coded_enum};
use serde::Serialize;

/// Offset of the provisioning group descriptor in the page body (page byte 8).
const DESCRIPTOR_OFFSET: usize = 4;

coded_enum! {
    /// LBPRZ, byte 5 bits 4–2 (SBC-4 6.6.6): what a read of an unmapped LBA returns.
    pub enum LbprzMode: u8 {
        /// 000b: vendor specific data.
        VendorSpecific = 0 => "vendor specific",
        /// xx1b: zeros (any odd value; decoded as 001b).
        Zeros = 1 => "zeros",
        /// 010b: the provisioning initialization pattern.
        InitializationPattern = 2 => "provisioning initialization pattern",
    }
    /// 100b, 110b: reserved.
    Reserved => "reserved";
}

coded_enum! {
    /// PROVISIONING TYPE, byte 6 bits 2–0 (SBC-4 6.6.6).
    pub enum ProvisioningType: u8 {
        /// 000b: not reported (the logical unit may be fully provisioned).
        NotReported = 0 => "not reported",
        /// 001b: resource provisioned.
        ResourceProvisioned = 1 => "resource provisioned",
        /// 010b: thin provisioned.
        ThinProvisioned = 2 => "thin provisioned",
    }
    /// 011b–111b: reserved.
    Reserved => "reserved";
}

/// The Logical Block Provisioning page (SBC-4 6.6.6). Fields past the returned data read
/// as zero (not supported).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct LogicalBlockProvisioning {
    /// The page header.
    pub header: VpdHeader,
    /// THRESHOLD EXPONENT: a threshold set is 2^exponent logical blocks (0: thresholds not
    /// supported).
    pub threshold_exponent: u8,
    /// LBPU: UNMAP is supported.
    pub lbpu: bool,
    /// LBPWS: WRITE SAME (16) with UNMAP is supported.
    pub lbpws: bool,
    /// LBPWS10: WRITE SAME (10) with UNMAP is supported.
    pub lbpws10: bool,
    /// LBPRZ: what unmapped LBAs read as.
    pub lbprz: LbprzMode,
    /// ANC_SUP: ANCHOR in UNMAP is supported.
    pub anc_sup: bool,
    /// DP: a provisioning group descriptor follows.
    pub dp: bool,
    /// MINIMUM PERCENTAGE (byte 6 bits 7–3): 1 to 30 percent of the allocation resources
    /// (0: not reported).
    pub minimum_percentage: u8,
    /// PROVISIONING TYPE.
    pub provisioning_type: ProvisioningType,
    /// THRESHOLD PERCENTAGE (byte 7), in tenths of a percent (0: percentages not
    /// supported).
    pub threshold_percentage: u8,
    /// The provisioning group descriptor (a designation descriptor, SPC-5 7.7.6.1), when
    /// DP is set and the device returned it whole.
    pub provisioning_group_descriptor: Option<DesignationDescriptor>,
    /// Set when DP is set but the descriptor is missing or overruns the returned data.
    pub problem: Option<&'static str>,
}

impl LogicalBlockProvisioning {
    /// Decodes page B2h.
    pub fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        let (header, body) = VpdHeader::split_expecting(
            buf,
            LOGICAL_BLOCK_PROVISIONING,
            "Logical Block Provisioning: PAGE CODE",
        )?;
        let flags = byte_or_zero(body, 1);
        let types = byte_or_zero(body, 2);
        let dp = flags & 0x01 != 0;
        let (descriptor, problem) = if dp {
            let (list, problem) = decode_list(clamped(body, DESCRIPTOR_OFFSET, body.len()));
            let problem = problem.or(list
                .is_empty()
                .then_some("DP is set but no provisioning group descriptor was returned"));
            (list.into_iter().next(), problem)
        } else {
            (None, None)
        };
        Ok(LogicalBlockProvisioning {
            header,
            threshold_exponent: byte_or_zero(body, 0),
            lbpu: flags & 0x80 != 0,
            lbpws: flags & 0x40 != 0,
            lbpws10: flags & 0x20 != 0,
            // SBC-4 table "LBPRZ field": every value with the low bit set means zeros (the
            // low bit is SBC-3's one-bit LBPRZ).
            lbprz: match (flags >> 2) & 0x7 {
                odd if odd & 1 != 0 => LbprzMode::Zeros,
                even => LbprzMode::from_code(even),
            },
            anc_sup: flags & 0x02 != 0,
            dp,
            minimum_percentage: types >> 3,
            provisioning_type: ProvisioningType::from_code(types & 0x7),
            threshold_percentage: byte_or_zero(body, 3),
            provisioning_group_descriptor: descriptor,
            problem,
        })
    }
}

//! Extended INQUIRY Data, page 86h (SPC-5 7.7.7).

use super::header::VpdHeader;
use super::EXTENDED_INQUIRY_DATA;
use crate::error::DecodeError;
use crate::scsi::spc::inquiry::coded::{coded_enum, read_padded};
use serde::Serialize;
use zerocopy::byteorder::big_endian::U16;
use zerocopy::{FromBytes, IntoBytes};

coded_enum! {
    /// ACTIVATE MICROCODE, byte 4 bits 7–6 (SPC-5 7.7.7): when microcode downloaded with
    /// WRITE BUFFER (SPC-5 6.49) takes effect.
    pub enum ActivateMicrocode: u8 {
        /// 00b: the device does not say when.
        NotIndicated = 0 => "not indicated",
        /// 01b: activated before the final WRITE BUFFER of the download completes; a unit
        /// attention (MICROCODE HAS BEEN CHANGED) is set for the other I_T nexuses.
        BeforeCompletion = 1 => "before completion of the final WRITE BUFFER command",
        /// 10b: activated after a vendor specific event, a power on or a hard reset; a unit
        /// attention is set for every I_T nexus then.
        AfterEvent = 2 => "after a vendor specific event, power on or hard reset",
    }
    /// 11b: reserved.
    Reserved => "reserved";
}

coded_enum! {
    /// SPT, byte 4 bits 5–3 (SPC-5 7.7.7, table "SPT field for peripheral device type
    /// 00h"): the protection types a direct access block device supports. Reserved when
    /// PROTECT is zero in the standard INQUIRY data; for a sequential-access device only
    /// 001b (logical block protection) is defined.
    pub enum SupportedProtectionTypes: u8 {
        /// 000b: type 1.
        Type1 = 0 => "type 1",
        /// 001b: types 1 and 2.
        Type1And2 = 1 => "types 1 and 2",
        /// 010b: type 2.
        Type2 = 2 => "type 2",
        /// 011b: types 1 and 3.
        Type1And3 = 3 => "types 1 and 3",
        /// 100b: type 3.
        Type3 = 4 => "type 3",
        /// 101b: types 2 and 3.
        Type2And3 = 5 => "types 2 and 3",
        /// 110b: reserved in SPC-5; later revisions point to the Supported Block Lengths and
        /// Protection Types VPD page (SBC-4 6.6.7).
        SeeSupportedBlockLengthsPage = 6 =>
            "reserved (later: see Supported Block Lengths and Protection Types VPD page)",
        /// 111b: types 1, 2 and 3.
        Type1And2And3 = 7 => "types 1, 2 and 3",
    }
    /// Unreachable for a three-bit field; kept for completeness of the decoding.
    Other => "reserved";
}

coded_enum! {
    /// LU_COLL_TYPE, byte 8 bits 7–5 (SPC-5 7.7.7): the logical unit collection type.
    pub enum LuCollectionType: u8 {
        /// 000b: not reported.
        NotReported = 0 => "not reported",
        /// 001b: logical unit conglomerate.
        Conglomerate = 1 => "conglomerate",
        /// 010b: logical unit group.
        LogicalUnitGroup = 2 => "logical unit group",
    }
    /// 011b–111b: reserved.
    Reserved => "reserved";
}

coded_enum! {
    /// MULTI I_T NEXUS MICROCODE DOWNLOAD, byte 9 bits 3–0 (SPC-5 7.7.7; values in SPC-5
    /// 5.4, table "MULTI I_T NEXUS MICROCODE DOWNLOAD field"): how the device handles
    /// WRITE BUFFER download microcode sequences arriving on more than one I_T nexus.
    pub enum MultiItNexusMicrocodeDownload: u8 {
        /// 0h: vendor specific.
        VendorSpecific = 0x0 => "vendor specific",
        /// 1h: one sequence at a time. A WRITE BUFFER with BUFFER OFFSET zero on any
        /// I_T nexus starts the sequence there and discards microcode downloaded on other
        /// nexuses; a nonzero offset from another nexus, and mode 0Fh (activate deferred
        /// microcode) from another nexus, fail with ILLEGAL REQUEST, COMMAND SEQUENCE
        /// ERROR.
        OneSequenceActivateFromSameNexus = 0x1 =>
            "one sequence at a time; activate only from the downloading I_T nexus",
        /// 2h: concurrent sequences on several I_T nexuses are processed; mode 0Fh is
        /// accepted from any nexus.
        Concurrent = 0x2 => "concurrent sequences on several I_T nexuses",
        /// 3h: one sequence at a time as for 1h, but mode 0Fh (activate deferred microcode)
        /// is accepted from any I_T nexus.
        OneSequenceActivateFromAnyNexus = 0x3 =>
            "one sequence at a time; activate from any I_T nexus",
    }
    /// 4h–Fh: reserved.
    Reserved => "reserved";
}

/// Bytes 4–63 of the page (SPC-5 7.7.7, table "Extended INQUIRY Data VPD page").
#[derive(FromBytes, IntoBytes)]
#[repr(C)]
struct RawExtendedInquiry {
    b4: u8,
    b5: u8,
    b6: u8,
    b7: u8,
    b8: u8,
    b9: u8,
    extended_self_test_completion_minutes: U16,
    b12: u8,
    maximum_supported_sense_data_length: u8,
    b14: u8,
    maximum_inquiry_change_logs: U16,
    maximum_mode_page_change_logs: U16,
    b19: u8,
    _reserved: [u8; 44],
}

/// The Extended INQUIRY Data page (SPC-5 7.7.7).
///
/// Fields past the returned data read as zero (not supported / not reported);
/// `header.missing_bytes` says how many bytes were cut off.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct ExtendedInquiryData {
    /// The page header.
    pub header: VpdHeader,
    /// ACTIVATE MICROCODE.
    pub activate_microcode: ActivateMicrocode,
    /// SPT: supported protection types.
    pub spt: SupportedProtectionTypes,
    /// GRD_CHK: the logical block guard is checked.
    pub grd_chk: bool,
    /// APP_CHK: the logical block application tag is checked.
    pub app_chk: bool,
    /// REF_CHK: the logical block reference tag is checked.
    pub ref_chk: bool,
    /// UASK_SUP: sense-key specific data for unit attentions is supported.
    pub uask_sup: bool,
    /// GROUP_SUP: the grouping function is supported.
    pub group_sup: bool,
    /// PRIOR_SUP: command priority is supported.
    pub prior_sup: bool,
    /// HEADSUP: the HEAD OF QUEUE task attribute is supported.
    pub headsup: bool,
    /// ORDSUP: the ORDERED task attribute is supported.
    pub ordsup: bool,
    /// SIMPSUP: the SIMPLE task attribute is supported.
    pub simpsup: bool,
    /// WU_SUP: WRITE UNCORRECTABLE / WR_UNCOR is supported.
    pub wu_sup: bool,
    /// CRD_SUP: correction disable (obsolete in SPC-5).
    pub crd_sup: bool,
    /// NV_SUP: a non-volatile cache is present.
    pub nv_sup: bool,
    /// V_SUP: a volatile cache is present.
    pub v_sup: bool,
    /// NO_PI_CHK: protection information is not checked when transferred.
    pub no_pi_chk: bool,
    /// P_I_I_SUP: protection information intervals are supported.
    pub p_i_i_sup: bool,
    /// LUICLR: an I_T nexus loss clears unit attentions for this logical unit.
    pub luiclr: bool,
    /// LU_COLL_TYPE: the logical unit collection type.
    pub lu_coll_type: LuCollectionType,
    /// R_SUP: referrals are supported.
    pub r_sup: bool,
    /// RTD_SUP: the revert to defaults function is supported.
    pub rtd_sup: bool,
    /// HSSRELEF: history snapshots release effects.
    pub hssrelef: bool,
    /// CBCS: capability-based command security (obsolete in SPC-5).
    pub cbcs: bool,
    /// MULTI I_T NEXUS MICROCODE DOWNLOAD.
    pub multi_it_nexus_microcode_download: MultiItNexusMicrocodeDownload,
    /// EXTENDED SELF-TEST COMPLETION MINUTES: how long an extended self-test takes.
    pub extended_self_test_completion_minutes: u16,
    /// POA_SUP: microcode activation at power on is supported.
    pub poa_sup: bool,
    /// HRA_SUP: microcode activation at hard reset is supported.
    pub hra_sup: bool,
    /// VSA_SUP: microcode activation at a vendor specific event is supported.
    pub vsa_sup: bool,
    /// DMS_VALID: the DM_MD_* bits (byte 19) are valid.
    pub dms_valid: bool,
    /// MAXIMUM SUPPORTED SENSE DATA LENGTH in bytes (0: not reported).
    pub maximum_supported_sense_data_length: u8,
    /// IBS: implicit bind is supported.
    pub ibs: bool,
    /// IAS: implicit affiliation is supported.
    pub ias: bool,
    /// SAC: the SET AFFILIATION command is supported.
    pub sac: bool,
    /// NRD1: BIND with NO REDIRECT set to one is supported.
    pub nrd1: bool,
    /// NRD0: BIND with NO REDIRECT set to zero is supported.
    pub nrd0: bool,
    /// MAXIMUM INQUIRY CHANGE LOGS.
    pub maximum_inquiry_change_logs: u16,
    /// MAXIMUM MODE PAGE CHANGE LOGS.
    pub maximum_mode_page_change_logs: u16,
    /// DM_MD_4: WRITE BUFFER mode 04h (download microcode and activate) is supported.
    pub dm_md_4: bool,
    /// DM_MD_5: mode 05h (download microcode, save and activate) is supported.
    pub dm_md_5: bool,
    /// DM_MD_6: mode 06h (download microcode with offsets and activate) is supported.
    pub dm_md_6: bool,
    /// DM_MD_7: mode 07h (download microcode with offsets, save and activate) is supported.
    pub dm_md_7: bool,
    /// DM_MD_D: mode 0Dh (download microcode with offsets, select activation events,
    /// save and defer activate) is supported.
    pub dm_md_d: bool,
    /// DM_MD_E: mode 0Eh (download microcode with offsets, save and defer activate) is
    /// supported.
    pub dm_md_e: bool,
    /// DM_MD_F: mode 0Fh (activate deferred microcode) is supported.
    pub dm_md_f: bool,
}

impl ExtendedInquiryData {
    /// Decodes page 86h.
    pub fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        let (header, body) = VpdHeader::split_expecting(
            buf,
            EXTENDED_INQUIRY_DATA,
            "Extended INQUIRY Data: PAGE CODE",
        )?;
        let r: RawExtendedInquiry = read_padded(body);
        let bit = |byte: u8, n: u8| byte & (1 << n) != 0;
        Ok(ExtendedInquiryData {
            header,
            activate_microcode: ActivateMicrocode::from_code(r.b4 >> 6),
            spt: SupportedProtectionTypes::from_code((r.b4 >> 3) & 0x7),
            grd_chk: bit(r.b4, 2),
            app_chk: bit(r.b4, 1),
            ref_chk: bit(r.b4, 0),
            uask_sup: bit(r.b5, 5),
            group_sup: bit(r.b5, 4),
            prior_sup: bit(r.b5, 3),
            headsup: bit(r.b5, 2),
            ordsup: bit(r.b5, 1),
            simpsup: bit(r.b5, 0),
            wu_sup: bit(r.b6, 3),
            crd_sup: bit(r.b6, 2),
            nv_sup: bit(r.b6, 1),
            v_sup: bit(r.b6, 0),
            no_pi_chk: bit(r.b7, 5),
            p_i_i_sup: bit(r.b7, 4),
            luiclr: bit(r.b7, 0),
            lu_coll_type: LuCollectionType::from_code(r.b8 >> 5),
            r_sup: bit(r.b8, 4),
            rtd_sup: bit(r.b8, 3),
            hssrelef: bit(r.b8, 1),
            cbcs: bit(r.b8, 0),
            multi_it_nexus_microcode_download: MultiItNexusMicrocodeDownload::from_code(
                r.b9 & 0x0f,
            ),
            extended_self_test_completion_minutes: r.extended_self_test_completion_minutes.get(),
            poa_sup: bit(r.b12, 7),
            hra_sup: bit(r.b12, 6),
            vsa_sup: bit(r.b12, 5),
            dms_valid: bit(r.b12, 4),
            maximum_supported_sense_data_length: r.maximum_supported_sense_data_length,
            ibs: bit(r.b14, 7),
            ias: bit(r.b14, 6),
            sac: bit(r.b14, 2),
            nrd1: bit(r.b14, 1),
            nrd0: bit(r.b14, 0),
            maximum_inquiry_change_logs: r.maximum_inquiry_change_logs.get(),
            maximum_mode_page_change_logs: r.maximum_mode_page_change_logs.get(),
            dm_md_4: bit(r.b19, 7),
            dm_md_5: bit(r.b19, 6),
            dm_md_6: bit(r.b19, 5),
            dm_md_7: bit(r.b19, 4),
            dm_md_d: bit(r.b19, 3),
            dm_md_e: bit(r.b19, 2),
            dm_md_f: bit(r.b19, 1),
        })
    }
}

//! What a device can take: its firmware download capabilities, read before anything is
//! sent.
//!
//! SCSI: the Extended INQUIRY Data VPD page (SPC-5 7.7.7: ACTIVATE MICROCODE, POA_SUP /
//! HRA_SUP / VSA_SUP, DM_MD_x), REPORT SUPPORTED OPERATION CODES for WRITE BUFFER
//! (SPC-5 6.36.3: SUPPORT, CDB USAGE DATA), READ BUFFER mode 03h (SPC-5 6.16: OFFSET
//! BOUNDARY, BUFFER CAPACITY), the Block Limits VPD page (SBC-4 6.6.4: MAXIMUM TRANSFER
//! LENGTH) and the transport's limit. A device that lacks any of these is not a failure:
//! the probe falls back and says so. NVMe: Identify Controller OACS, FRMW, FWUG, MDTS
//! (NVMe Base 2.0 5.17.2.1) and the Firmware Slot Information log (5.16.1.4).

use crate::error::FirmwareError;
use crate::target::Target;
use cdb::nvme::fw_slot::FirmwareSlotLog;
use cdb::nvme::id_ctrl::Frmw;
use cdb::nvme::identify::IdentifyController;
use cdb::nvme::log_page::LogPage;
use cdb::scsi::sbc::read_capacity::ReadCapacity16;
use cdb::scsi::spc::buffer::{
    write, BufferDescriptor, ReadBuffer, ReadBufferData, WriteBufferMode,
};
use cdb::scsi::spc::inquiry::{Inquiry, InquiryData};
use cdb::scsi::spc::report_opcodes::{
    ReportSupportedOperationCodes, ReportingOptions, SupportedOperationCodes,
};
use cdb::scsi::spc::vpd::{
    ActivateMicrocode, ExtendedInquiryData, VpdPage, BLOCK_LIMITS, EXTENDED_INQUIRY_DATA,
};
use cdb::sense::key::ILLEGAL_REQUEST;
use serde::Serialize;
use std::time::Duration;
use transports::execute::{execute, ExecuteError};
use transports::nvme::{NvmeError, NvmeTransport};
use transports::scsi::ScsiTransport;
use transports::tunnel::Bridge;

/// What the device says about one feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Support {
    /// Reported supported.
    Yes,
    /// Reported not supported.
    No,
    /// Not reported.
    Unknown,
}

impl Support {
    fn from_bit(valid: bool, bit: bool) -> Self {
        match (valid, bit) {
            (false, _) => Support::Unknown,
            (true, true) => Support::Yes,
            (true, false) => Support::No,
        }
    }
}

/// The WRITE BUFFER download microcode modes (SPC-5 6.49) and what the device reports
/// about each (DM_MD_x of the Extended INQUIRY Data VPD page, SPC-5 7.7.7; the MODE bits of
/// the CDB USAGE DATA, SPC-5 6.36.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct DownloadModes {
    /// 05h: download microcode, save and activate (the whole image in one command).
    pub mode_05h: Support,
    /// 07h: download microcode with offsets, save and activate.
    pub mode_07h: Support,
    /// 0Dh: with offsets, select activation events, save and defer activate.
    pub mode_0dh: Support,
    /// 0Eh: with offsets, save and defer activate.
    pub mode_0eh: Support,
    /// 0Fh: activate deferred microcode.
    pub mode_0fh: Support,
}

impl DownloadModes {
    /// Nothing reported.
    pub const UNKNOWN: DownloadModes = DownloadModes {
        mode_05h: Support::Unknown,
        mode_07h: Support::Unknown,
        mode_0dh: Support::Unknown,
        mode_0eh: Support::Unknown,
        mode_0fh: Support::Unknown,
    };

    /// What the device reports about `mode`.
    pub fn get(&self, mode: WriteBufferMode) -> Support {
        match mode {
            WriteBufferMode::DownloadMicrocodeSave => self.mode_05h,
            WriteBufferMode::DownloadMicrocodeOffsetsSave => self.mode_07h,
            WriteBufferMode::DownloadMicrocodeOffsetsSelectEventsSaveDefer => self.mode_0dh,
            WriteBufferMode::DownloadMicrocodeOffsetsSaveDefer => self.mode_0eh,
            WriteBufferMode::ActivateDeferredMicrocode => self.mode_0fh,
            _ => Support::Unknown,
        }
    }

    fn set(&mut self, mode: WriteBufferMode, support: Support) {
        let slot = match mode {
            WriteBufferMode::DownloadMicrocodeSave => &mut self.mode_05h,
            WriteBufferMode::DownloadMicrocodeOffsetsSave => &mut self.mode_07h,
            WriteBufferMode::DownloadMicrocodeOffsetsSelectEventsSaveDefer => &mut self.mode_0dh,
            WriteBufferMode::DownloadMicrocodeOffsetsSaveDefer => &mut self.mode_0eh,
            WriteBufferMode::ActivateDeferredMicrocode => &mut self.mode_0fh,
            _ => return,
        };
        *slot = support;
    }

    /// The modes a download uses, in the order of preference.
    pub const MODES: [WriteBufferMode; 5] = [
        WriteBufferMode::DownloadMicrocodeOffsetsSaveDefer,
        WriteBufferMode::DownloadMicrocodeOffsetsSelectEventsSaveDefer,
        WriteBufferMode::DownloadMicrocodeOffsetsSave,
        WriteBufferMode::DownloadMicrocodeSave,
        WriteBufferMode::ActivateDeferredMicrocode,
    ];
}

/// When microcode downloaded with modes 05h and 07h takes effect: ACTIVATE MICROCODE of
/// the Extended INQUIRY Data VPD page (SPC-5 7.7.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActivationTiming {
    /// 01b: before the final WRITE BUFFER completes.
    BeforeCompletion,
    /// 10b: after a vendor specific event, a power on or a hard reset.
    AfterEvent,
    /// 00b, reserved, or no page.
    NotIndicated,
}

/// A SCSI device's microcode download capabilities (SPC-5 6.16, 6.36, 6.49, 7.7.7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct ScsiCapabilities {
    /// The download microcode modes.
    pub modes: DownloadModes,
    /// ACTIVATE MICROCODE.
    pub activation: ActivationTiming,
    /// POA_SUP, HRA_SUP, VSA_SUP: the activation events mode 0Dh may select.
    pub activation_events: (bool, bool, bool),
    /// READ BUFFER mode 03h for buffer 00h, when the device answered it.
    pub buffer: Option<BufferDescriptor>,
    /// The longest transfer one command may carry: the transport's limit and the Block
    /// Limits MAXIMUM TRANSFER LENGTH, when known (WRITE BUFFER's own limit is 24 bits).
    pub max_transfer: Option<u64>,
    /// Evidence that WRITE BUFFER cannot reach the device's microcode, in words.
    pub refusal: Option<String>,
    /// What the probe could not read and fell back from.
    pub notes: Vec<String>,
}

impl ScsiCapabilities {
    /// What is known before the device has said anything: no mode reported, no
    /// activation timing, no buffer descriptor, at most `max_transfer` bytes a command.
    pub fn unknown(max_transfer: Option<u64>) -> Self {
        ScsiCapabilities {
            modes: DownloadModes::UNKNOWN,
            activation: ActivationTiming::NotIndicated,
            activation_events: (false, false, false),
            buffer: None,
            max_transfer,
            refusal: None,
            notes: Vec::new(),
        }
    }
}

/// An NVMe controller's firmware update capabilities (NVMe Base 2.0 5.17.2.1, 5.16.1.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct NvmeCapabilities {
    /// OACS bit 2: Firmware Commit and Firmware Image Download are supported.
    pub firmware_commands: bool,
    /// FRMW: slots, slot 1 read only, activation without reset.
    pub frmw: Frmw,
    /// FWUG: 00h not reported, 01h–FEh units of 4 KiB, FFh no restriction.
    pub fwug: u8,
    /// The Maximum Data Transfer Size in bytes (MDTS in units of the 4 KiB minimum page
    /// size, CAP.MPSMIN being unknown through pass-through), `None` for no limit.
    pub mdts_bytes: Option<u64>,
    /// The transport's transfer limit, where it knows one.
    pub transport_max_transfer: Option<u64>,
    /// The running firmware's slot (AFI bits 2:0), when log 03h was read.
    pub active_slot: Option<u8>,
    /// FRS1–FRS7 of log 03h (empty when it was not read).
    pub slot_revisions: Vec<Option<String>>,
    /// The USB–NVMe bridge tunnel the commands go through, if any.
    pub tunnel: Option<&'static str>,
    /// Whether that tunnel carries data-out (JMicron does; ASMedia and Realtek do not).
    pub tunnel_carries_data_out: bool,
    /// What the probe could not read and fell back from.
    pub notes: Vec<String>,
}

/// A device's capabilities, by protocol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "protocol", rename_all = "snake_case")]
pub enum Capabilities {
    /// A SCSI logical unit.
    Scsi(ScsiCapabilities),
    /// An NVMe controller.
    Nvme(NvmeCapabilities),
}

impl Capabilities {
    /// Caps the transfer of one download command at `max` bytes (a user's limit, e.g.
    /// for a bridge that mishandles long transfers), noting it; planning then keeps every
    /// chunk within it and the device's own rules.
    pub fn limit_transfer(&mut self, max: u64) {
        let note = format!("transfers capped at {max} bytes by the caller");
        let (limit, notes) = match self {
            Capabilities::Scsi(scsi) => (&mut scsi.max_transfer, &mut scsi.notes),
            Capabilities::Nvme(nvme) => (&mut nvme.transport_max_transfer, &mut nvme.notes),
        };
        *limit = Some(limit.map_or(max, |l| l.min(max)));
        notes.push(note);
    }
}

/// Reads the capabilities of `target`; only reading commands are sent.
pub fn probe(target: &mut Target, timeout: Duration) -> Result<Capabilities, FirmwareError> {
    match target {
        Target::Scsi(t) => probe_scsi(t.as_mut(), timeout).map(Capabilities::Scsi),
        Target::Nvme { transport, bridge } => {
            probe_nvme(transport.as_mut(), *bridge, timeout).map(Capabilities::Nvme)
        }
    }
}

/// A device's refusal: the sense key, ASC and ASCQ, or `None` without sense.
type Refused = Option<(u8, u8, u8)>;

/// Splits a probe command's result: the device's refusals are answers; only a transport
/// failure (no status) is an error.
fn answer<R>(result: Result<R, ExecuteError>) -> Result<Result<R, Refused>, FirmwareError> {
    match result {
        Ok(r) => Ok(Ok(r)),
        Err(ExecuteError::Transport(e)) => Err(ExecuteError::Transport(e).into()),
        Err(e) => Ok(Err(FirmwareError::from(e).sense())),
    }
}

/// INVALID COMMAND OPERATION CODE (SPC-5 table 59, 20h/00h).
fn invalid_opcode(refused: Refused) -> bool {
    refused == Some((ILLEGAL_REQUEST, 0x20, 0x00))
}

/// Describes a refusal for the probe's notes.
fn refusal_text(refused: Refused) -> String {
    match refused {
        Some((key, asc, ascq)) => format!("sense key {key:X}h, {asc:02X}h/{ascq:02X}h"),
        None => "an error status without sense data".into(),
    }
}

/// The SCSI probe (SPC-5 7.7.7, 6.36, 6.16; SBC-4 6.6.4).
pub fn probe_scsi(
    t: &mut dyn ScsiTransport,
    timeout: Duration,
) -> Result<ScsiCapabilities, FirmwareError> {
    let mut caps = ScsiCapabilities::unknown(t.max_transfer());
    let ext = answer(execute(t, &Inquiry::vpd(EXTENDED_INQUIRY_DATA), timeout))?;
    match ext.map(|d| d.response) {
        Ok(InquiryData::Vpd(VpdPage::ExtendedInquiryData(page))) => {
            apply_extended(&mut caps, &page)
        }
        Ok(_) => caps
            .notes
            .push("Extended INQUIRY Data VPD page: unexpected data".into()),
        Err(r) => caps.notes.push(format!(
            "no Extended INQUIRY Data VPD page ({}): modes and activation not reported",
            refusal_text(r)
        )),
    }
    let rsoc = ReportSupportedOperationCodes {
        rctd: false,
        reporting_options: ReportingOptions::OperationCode {
            operation_code: write::OPCODE,
        },
        allocation_length: 64,
    };
    let rsoc_answered = match answer(execute(t, &rsoc, timeout))?.map(|d| d.response) {
        Ok(SupportedOperationCodes::OneCommand(one)) => {
            apply_rsoc(&mut caps, one.support.code, &one.cdb_usage_data);
            true
        }
        Ok(_) => false,
        Err(r) => {
            caps.notes.push(format!(
                "REPORT SUPPORTED OPERATION CODES not available ({}): falling back",
                refusal_text(r)
            ));
            false
        }
    };
    let buffer = answer(execute(t, &ReadBuffer::descriptor(0), timeout))?;
    match buffer.map(|d| d.response) {
        Ok(ReadBufferData::Descriptor(d)) => caps.buffer = Some(d),
        Ok(_) => caps
            .notes
            .push("READ BUFFER descriptor: unexpected data".into()),
        Err(r) => {
            caps.notes.push(format!(
                "READ BUFFER descriptor not available ({}): offset boundary and capacity unknown",
                refusal_text(r)
            ));
            let nothing_known = !rsoc_answered && caps.modes == DownloadModes::UNKNOWN;
            if invalid_opcode(r) && nothing_known && caps.refusal.is_none() {
                caps.refusal = Some(
                    "the device answers INVALID COMMAND OPERATION CODE (20h/00h) to READ BUFFER, \
                     reports no download microcode mode and no supported commands: it (or a \
                     bridge in front of it) does not implement the buffer commands, so WRITE \
                     BUFFER cannot download microcode"
                        .into(),
                );
            }
        }
    }
    caps.max_transfer = min_known(caps.max_transfer, block_limit(t, timeout)?);
    if caps.refusal.is_none()
        && DownloadModes::MODES[..4]
            .iter()
            .all(|&m| caps.modes.get(m) == Support::No)
    {
        caps.refusal = Some("the device reports no WRITE BUFFER download microcode mode".into());
    }
    Ok(caps)
}

/// Reads ACTIVATE MICROCODE, the activation events and DM_MD_x (SPC-5 7.7.7).
fn apply_extended(caps: &mut ScsiCapabilities, page: &ExtendedInquiryData) {
    caps.activation = match page.activate_microcode {
        ActivateMicrocode::BeforeCompletion => ActivationTiming::BeforeCompletion,
        ActivateMicrocode::AfterEvent => ActivationTiming::AfterEvent,
        _ => ActivationTiming::NotIndicated,
    };
    caps.activation_events = (page.poa_sup, page.hra_sup, page.vsa_sup);
    let valid = page.dms_valid;
    caps.modes = DownloadModes {
        mode_05h: Support::from_bit(valid, page.dm_md_5),
        mode_07h: Support::from_bit(valid, page.dm_md_7),
        mode_0dh: Support::from_bit(valid, page.dm_md_d),
        mode_0eh: Support::from_bit(valid, page.dm_md_e),
        mode_0fh: Support::from_bit(valid, page.dm_md_f),
    };
    if !valid {
        caps.notes
            .push("DMS_VALID is zero: the download microcode modes are not reported".into());
    }
}

/// Applies REPORT SUPPORTED OPERATION CODES for WRITE BUFFER (SPC-5 6.36.3): SUPPORT
/// 001b refuses WRITE BUFFER; a MODE code using bits the CDB USAGE DATA's byte 1 does not
/// mark is not supported.
fn apply_rsoc(caps: &mut ScsiCapabilities, support: u8, usage: &[u8]) {
    match support {
        0b001 => {
            caps.refusal = Some(
                "REPORT SUPPORTED OPERATION CODES says WRITE BUFFER (3Bh) is not supported".into(),
            );
        }
        0b011 | 0b101 => {
            if let Some(&mask) = usage.get(1) {
                for mode in DownloadModes::MODES {
                    if mode.code() & !mask & 0x1f != 0 {
                        caps.modes.set(mode, Support::No);
                    }
                }
            }
        }
        _ => caps
            .notes
            .push("REPORT SUPPORTED OPERATION CODES has no data about WRITE BUFFER".into()),
    }
}

/// The smaller of two optional limits.
fn min_known(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// MAXIMUM TRANSFER LENGTH of the Block Limits VPD page (SBC-4 6.6.4) in bytes, with the
/// logical block length READ CAPACITY (16) reports (SBC-4 5.21.2).
fn block_limit(t: &mut dyn ScsiTransport, timeout: Duration) -> Result<Option<u64>, FirmwareError> {
    let blocks = match answer(execute(t, &Inquiry::vpd(BLOCK_LIMITS), timeout))? {
        Ok(done) => match done.response {
            InquiryData::Vpd(VpdPage::BlockLimits(b)) => b.maximum_transfer_length,
            _ => None,
        },
        Err(_) => None,
    };
    let Some(blocks) = blocks else {
        return Ok(None);
    };
    let block_len = match answer(execute(t, &ReadCapacity16::default(), timeout))? {
        Ok(done) => done.response.logical_block_length,
        Err(_) => return Ok(None),
    };
    Ok(u64::from(blocks).checked_mul(u64::from(block_len)))
}

/// The NVMe probe (NVMe Base 2.0 5.17.2.1, 5.16.1.4).
pub fn probe_nvme(
    t: &mut dyn NvmeTransport,
    bridge: Option<Bridge>,
    timeout: Duration,
) -> Result<NvmeCapabilities, FirmwareError> {
    let ctrl = transports::nvme::execute(t, &IdentifyController::controller(), timeout)?.response;
    let mut caps = NvmeCapabilities {
        firmware_commands: ctrl.oacs.firmware_download_commit,
        frmw: ctrl.frmw,
        fwug: ctrl.fwug,
        mdts_bytes: ctrl.max_data_transfer_bytes(4096),
        transport_max_transfer: t.max_transfer(),
        active_slot: None,
        slot_revisions: Vec::new(),
        tunnel: bridge.map(Bridge::name),
        tunnel_carries_data_out: bridge.is_none_or(|b| b == Bridge::Jmicron),
        notes: Vec::new(),
    };
    match transports::nvme::execute(t, &LogPage::firmware_slot(), timeout) {
        Ok(done) => {
            let log: FirmwareSlotLog = done.response;
            caps.active_slot = Some(log.active_slot);
            caps.slot_revisions = log.frs;
        }
        Err(NvmeError::Transport(e)) => return Err(NvmeError::Transport(e).into()),
        Err(e) => caps
            .notes
            .push(format!("Firmware Slot Information log not available: {e}")),
    }
    Ok(caps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsoc_support_and_mode_bits_limit_the_modes() {
        // SUPPORT 001b: not supported (SPC-5 6.36.3).
        let mut caps = ScsiCapabilities::unknown(None);
        apply_rsoc(&mut caps, 0b001, &[]);
        assert!(caps.refusal.is_some());
        // CDB USAGE DATA byte 1 = 07h: MODE values using bit 3 (0Dh, 0Eh, 0Fh) are
        // unusable; 05h and 07h remain unknown.
        let mut caps = ScsiCapabilities::unknown(None);
        apply_rsoc(&mut caps, 0b011, &[0x3b, 0x07]);
        assert_eq!(caps.modes.mode_0eh, Support::No);
        assert_eq!(caps.modes.mode_0dh, Support::No);
        assert_eq!(caps.modes.mode_0fh, Support::No);
        assert_eq!(caps.modes.mode_07h, Support::Unknown);
        assert_eq!(caps.modes.mode_05h, Support::Unknown);
        assert!(caps.refusal.is_none());
        // SUPPORT 000b: no data; nothing learnt.
        let mut caps = ScsiCapabilities::unknown(None);
        apply_rsoc(&mut caps, 0b000, &[0x3b, 0x00]);
        assert_eq!(caps.modes, DownloadModes::UNKNOWN);
    }

    #[test]
    fn limits_combine_to_the_smaller() {
        assert_eq!(min_known(Some(4), Some(8)), Some(4));
        assert_eq!(min_known(None, Some(8)), Some(8));
        assert_eq!(min_known(None, None), None);
    }
}

//! `scsitool nvme log DEVICE --lid LID [--len N]`: Get Log Page (NVMe Base 2.0 5.16), like
//! `nvme get-log` and its `error-log`, `smart-log` and `fw-log` forms: Error Information
//! (01h), SMART / Health Information (02h) and Firmware Slot Information (03h) decoded,
//! any other log shown in hex.

use crate::commands::device::{open_nvme, run_nvme};
use crate::exit::Failure;
use crate::hexdump::hexdump;
use crate::output::{Output, Report};
use crate::render::columns;
use anyhow::Result;
use cdb::nvme::error_log::ErrorInformationLog;
use cdb::nvme::fw_slot::FirmwareSlotLog;
use cdb::nvme::log_page::{
    ErrorInformation, FirmwareSlot, GetLogPage, LogPage, LogPageKind, SmartHealth,
};
use cdb::nvme::nvm::NSID_BROADCAST;
use cdb::nvme::smart::SmartHealthLog;
use serde::Serialize;
use transports::nvme::NvmeTransport;
use transports::open::Access;

/// Bytes read when `--len` is not given: the whole SMART / Health and Firmware Slot logs,
/// eight Error Information entries (Base 2.0 5.16.1.2–5.16.1.4).
const DEFAULT_LENGTH: u32 = 512;

/// A log page as read: decoded when this tool knows its layout, else its bytes.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum LogData {
    /// Error Information, LID 01h (Base 2.0 5.16.1.2).
    ErrorInformation(ErrorInformationLog),
    /// SMART / Health Information, LID 02h (Base 2.0 5.16.1.3).
    SmartHealth(SmartHealthLog),
    /// Firmware Slot Information, LID 03h (Base 2.0 5.16.1.4).
    FirmwareSlot(FirmwareSlotLog),
    /// Any other log, as the controller returned it, in lower-case hex.
    Raw(#[serde(serialize_with = "hex_string")] Vec<u8>),
}

/// Bytes as one lower-case hex string.
fn hex_string<S: serde::Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// The `--json` document of `scsitool nvme log`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct LogReport {
    /// The device as named on the command line.
    pub device: String,
    /// The Log Page Identifier (LID).
    pub lid: u8,
    /// The namespace the log was read for (FFFFFFFFh: the controller as a whole).
    pub nsid: u32,
    /// The number of bytes requested.
    pub length: u32,
    /// The log.
    pub log: LogData,
}

impl Report for LogReport {
    fn human(&self) -> String {
        let device = &self.device;
        match &self.log {
            LogData::ErrorInformation(log) => {
                let mut text = format!(
                    "Error Log Entries for device:{device} entries:{}\n.................\n",
                    log.entries.len()
                );
                for (index, entry) in log.entries.iter().enumerate() {
                    text.push_str(&format!(
                        " Entry[{index:2}]\n.................\n{}.................\n",
                        columns(entry, 36, &["lba", "nsid", "opcode", "command_specific_information"], &[])
                    ));
                }
                text
            }
            LogData::SmartHealth(log) => format!(
                "Smart Log for NVME device:{device} namespace-id:{:x}\ntemperature{:29}: {} °C ({} K)\n{}",
                self.nsid,
                "",
                log.composite_temperature_celsius(),
                log.composite_temperature,
                columns(log, 40, &[], &[])
            ),
            LogData::FirmwareSlot(log) => {
                let mut text = format!("Firmware Log for device:{device}\nafi  : {:#x}\n", log.afi);
                for (slot, revision) in log.frs.iter().enumerate() {
                    if let Some(revision) = revision {
                        text.push_str(&format!("frs{} : {revision}\n", slot + 1));
                    }
                }
                text
            }
            LogData::Raw(bytes) => format!(
                "Device:{device} log_id:{:#04x} namespace-id:{:#x}\n{}",
                self.lid,
                self.nsid,
                hexdump(bytes, 0)
            ),
        }
    }
}

/// Reads log `lid` (`length` bytes, default [`DEFAULT_LENGTH`]) from `device`.
pub fn command(out: Output, device: &str, lid: u8, length: Option<u32>) -> Result<()> {
    let length = length.unwrap_or(DEFAULT_LENGTH);
    // Checked before the device is opened: a bad length is the user's, not the device's.
    let raw = GetLogPage::new(lid, NSID_BROADCAST, length, 0)
        .map_err(|e| Failure::usage(e.to_string()))?;
    let mut transport = open_nvme(device, Access::Read)?;
    let t = transport.as_mut();
    let log = match lid {
        ErrorInformation::LID => {
            LogData::ErrorInformation(typed::<ErrorInformation>(out, t, length)?)
        }
        SmartHealth::LID => LogData::SmartHealth(typed::<SmartHealth>(out, t, length)?),
        FirmwareSlot::LID => LogData::FirmwareSlot(typed::<FirmwareSlot>(out, t, length)?),
        _ => LogData::Raw(run_nvme(out, t, &raw)?.response),
    };
    out.emit(&LogReport {
        device: device.to_string(),
        lid,
        nsid: NSID_BROADCAST,
        length,
        log,
    })
}

/// Reads and decodes the log `K`, `length` bytes.
fn typed<K: LogPageKind>(
    out: Output,
    transport: &mut dyn NvmeTransport,
    length: u32,
) -> Result<K::Data> {
    let command =
        LogPage::<K>::new(NSID_BROADCAST, length).map_err(|e| Failure::usage(e.to_string()))?;
    Ok(run_nvme(out, transport, &command)?.response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_without_a_decoder_is_shown_in_hex() {
        let report = LogReport {
            device: "sim:nvme".to_string(),
            lid: 0xc0,
            nsid: NSID_BROADCAST,
            length: 4,
            log: LogData::Raw(vec![0xde, 0xad, 0x00, 0x01]),
        };
        let json = serde_json::to_value(&report).unwrap_or_default();
        assert_eq!(json["log"]["kind"], "raw");
        assert_eq!(json["log"]["data"], "dead0001");
        let text = report.human();
        assert!(text.starts_with("Device:sim:nvme log_id:0xc0 namespace-id:0xffffffff\n"));
        assert!(text.contains("0000  de ad 00 01"), "{text}");
    }
}

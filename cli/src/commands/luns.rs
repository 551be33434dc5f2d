//! `scsitool luns DEVICE [--select N]`: REPORT LUNS (SPC-5 6.33), every LUN decoded by
//! address method (SAM-5 4.7), like `sg_luns --decode`.

use crate::commands::device::{open_scsi, run};
use crate::exit::{ExitStatus, Failure};
use crate::output::{Output, Report};
use anyhow::Result;
use cdb::scsi::spc::report_luns::{select_report_name, Lun, LunAddress, LunList, ReportLuns};
use serde::Serialize;
use std::fmt::Write;
use transports::open::Access;

/// The first ALLOCATION LENGTH: room for 1023 LUNs; a longer list is asked for again at
/// its full size.
const FIRST_ALLOCATION_LENGTH: u32 = 8192;

/// The `--json` document of `scsitool luns`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct LunsReport {
    /// The device as named on the command line.
    pub device: String,
    /// SELECT REPORT sent (SPC-5 6.33).
    pub select_report: u8,
    /// What that SELECT REPORT asks for, when the standard names it.
    pub select_report_name: Option<&'static str>,
    /// The decoded LUN list.
    #[serde(flatten)]
    pub list: LunList,
}

impl Report for LunsReport {
    fn human(&self) -> String {
        let mut text = format!(
            "Lun list length = {} which implies {} lun entr{}\nReport luns [select_report=0x{:x}]:\n",
            self.list.lun_list_length,
            self.list.lun_list_length / 8,
            if self.list.lun_list_length / 8 == 1 { "y" } else { "ies" },
            self.select_report
        );
        for lun in &self.list.luns {
            describe(&mut text, lun);
        }
        if self.list.truncated {
            text.push_str("  (list truncated: the device returned fewer entries than it has)\n");
        }
        text
    }
}

/// One LUN on one line, as sg_luns --decode names it: the bytes in hex, then the first
/// addressing level decoded; further levels (SAM-5 4.7.2) follow on their own lines.
fn describe(text: &mut String, lun: &Lun) {
    let hex: String = lun.bytes.iter().map(|b| format!("{b:02x}")).collect();
    let _ = write!(text, "    {hex}");
    for (level, address) in lun.levels.iter().enumerate() {
        let prefix = match level {
            0 => "  ",
            1 => "\n      >>Second level addressing: ",
            2 => "\n      >>>Third level addressing: ",
            _ => "\n      >>>>Fourth level addressing: ",
        };
        let _ = write!(text, "{prefix}{}", address_text(address));
    }
    if lun.data_after_last_level {
        text.push_str("\n      (non-zero bytes after the last level)");
    }
    text.push('\n');
}

/// An addressing field in sg_luns's words (SAM-5 4.7.5 to 4.7.8).
fn address_text(address: &LunAddress) -> String {
    match address {
        LunAddress::PeripheralDevice {
            bus_identifier: 0,
            target_or_lun,
        } => format!("Peripheral device addressing: lun={target_or_lun}"),
        LunAddress::PeripheralDevice {
            bus_identifier,
            target_or_lun,
        } => format!("Peripheral device addressing: bus_id={bus_identifier}, target={target_or_lun}"),
        LunAddress::FlatSpace { flat_space_lun } => {
            format!("Flat space addressing: lun=0x{flat_space_lun:04x}")
        }
        LunAddress::LogicalUnit {
            target,
            bus_number,
            lun,
        } => format!("Logical unit addressing: target={target}, bus={bus_number}, lun={lun}"),
        LunAddress::WellKnown { w_lun, name } => format!(
            "Well known logical unit: W-LUN 0x{w_lun:02x} ({})",
            name.unwrap_or("reserved")
        ),
        LunAddress::ExtendedFlatSpace {
            extended_flat_space_lun,
        } => format!("Extended flat space addressing: value=0x{extended_flat_space_lun:06x}"),
        LunAddress::LongExtendedFlatSpace {
            long_extended_flat_space_lun,
        } => format!(
            "Long extended flat space addressing: value=0x{long_extended_flat_space_lun:010x}"
        ),
        LunAddress::NotSpecified => "Logical unit _not_ specified addressing".to_string(),
        LunAddress::ReservedExtended {
            length,
            extended_address_method,
            ..
        } => format!(
            "Extended logical unit addressing: reserved (length={length}, method=0x{extended_address_method:x})"
        ),
    }
}

/// Sends REPORT LUNS with SELECT REPORT `select`; a list longer than the first allocation
/// is asked for again at its full length.
pub fn command(out: Output, device: &str, select: u8) -> Result<()> {
    let build = |length: u32| {
        ReportLuns::new(select, length)
            .map_err(|error| Failure::new(ExitStatus::Other, error.to_string()))
    };
    let mut transport = open_scsi(device, Access::Read)?;
    let mut list = run(out, transport.as_mut(), &build(FIRST_ALLOCATION_LENGTH)?)?.response;
    let needed = list.lun_list_length.saturating_add(8);
    if list.truncated && needed > FIRST_ALLOCATION_LENGTH {
        list = run(out, transport.as_mut(), &build(needed)?)?.response;
    }
    out.emit(&LunsReport {
        device: device.to_string(),
        select_report: select,
        select_report_name: select_report_name(select),
        list,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_address_method_reads_like_sg_luns() {
        // SAM-5 4.7: one LUN per address method, as sg_luns --decode names them.
        let cases: [([u8; 8], &str); 7] = [
            (
                [0, 5, 0, 0, 0, 0, 0, 0],
                "Peripheral device addressing: lun=5",
            ),
            (
                [0x40, 0x12, 0, 0, 0, 0, 0, 0],
                "Flat space addressing: lun=0x0012",
            ),
            (
                [0x80 | 3, 0x20 | 4, 0, 0, 0, 0, 0, 0],
                "Logical unit addressing: target=3, bus=1, lun=4",
            ),
            ([0xc1, 0x01, 0, 0, 0, 0, 0, 0], "W-LUN 0x01 (REPORT LUNS)"),
            (
                [0xd2, 1, 2, 3, 0, 0, 0, 0],
                "Extended flat space addressing: value=0x010203",
            ),
            (
                [0xe2, 0, 1, 2, 3, 4, 0, 0],
                "Long extended flat space addressing: value=0x0001020304",
            ),
            ([0xff; 8], "_not_ specified"),
        ];
        for (bytes, expected) in cases {
            let mut text = String::new();
            describe(&mut text, &Lun::decode(bytes));
            assert!(text.contains(expected), "{bytes:02x?}: {text}");
        }
        let mut two_level = String::new();
        describe(
            &mut two_level,
            &Lun::decode([0x01, 0x02, 0x00, 0x07, 0, 0, 0, 0]),
        );
        assert!(
            two_level.contains("bus_id=1, target=2")
                && two_level
                    .contains(">>Second level addressing: Peripheral device addressing: lun=7"),
            "{two_level}"
        );
    }
}

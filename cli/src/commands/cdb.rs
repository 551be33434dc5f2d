//! `scsitool cdb decode`: names any CDB and lists its fields (SPC-5 4.2), like
//! `sg_decode_sense --cdb` but field by field.

use crate::hexin::{for_each_input, to_hex};
use crate::output::{Output, Report};
use anyhow::Result;
use cdb::command::Direction;
use cdb::scsi::cdb_decode::{decode, DecodedCdb};

impl Report for DecodedCdb {
    fn human(&self) -> String {
        let mut text = format!("{}  [{}]\n", self.name, to_hex(&self.bytes));
        let opcode_name = self.opcode_name.unwrap_or("no standard name");
        text.push_str(&format!(
            "  operation code {:02X}h ({opcode_name}), {}-byte CDB",
            self.opcode, self.length
        ));
        if let Some(sa) = self.service_action {
            text.push_str(&format!(", service action {sa:02X}h"));
        }
        text.push('\n');
        for field in &self.fields {
            if field.value > 9 {
                text.push_str(&format!(
                    "  {}: {} ({:#x})\n",
                    field.name, field.value, field.value
                ));
            } else {
                text.push_str(&format!("  {}: {}\n", field.name, field.value));
            }
        }
        if let Some(data) = &self.data {
            let direction = match data.direction {
                Direction::None => "no data",
                Direction::FromDevice => "data-in",
                Direction::ToDevice => "data-out",
            };
            let amount = match (data.bytes, data.blocks) {
                (Some(bytes), _) => format!(" {bytes} bytes"),
                (None, Some(blocks)) => format!(" {blocks} logical blocks"),
                (None, None) => String::new(),
            };
            text.push_str(&format!("  data phase: {direction}{amount}\n"));
        }
        for problem in &self.problems {
            text.push_str(&format!("  problem: {problem}\n"));
        }
        text
    }
}

/// Decodes each CDB given and prints it.
pub fn decode_command(out: Output, hex: &[String]) -> Result<()> {
    for_each_input(hex, |bytes, stream| {
        out.trace(1, "CDB", &bytes);
        let decoded = decode(&bytes).map_err(|e| crate::exit::Failure::usage(e.to_string()))?;
        if stream {
            out.emit_line(&decoded)
        } else {
            out.emit(&decoded)
        }
    })
}

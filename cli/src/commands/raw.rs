//! `scsitool raw DEVICE HEX... [--in N | --out FILE] [--outfile FILE]`: any CDB (SPC-5
//! 4.2: 6 to 16 bytes, or a 32-byte variable-length CDB) with an explicit data phase, like
//! sg_raw. The device's answer is printed whatever it is — status, decoded sense, data-in
//! — and the exit status follows it.
//!
//! The CDB is sent as given: with `--out`, a WRITE or MODE SELECT changes the device. That
//! is what the command is for, so it asks for no confirmation; `--help` says so.

use crate::commands::device::{ensure_unused, failure, open_scsi, traced};
use crate::exit::Failure;
use crate::hexdump::hexdump;
use crate::hexin::{parse_hex, to_hex};
use crate::output::{Output, Report};
use anyhow::{Context, Result};
use cdb::command::{DataPhase, ScsiCommand};
use cdb::scsi::status::Status;
use cdb::scsi::vendor::RawCommand;
use cdb::sense::SenseData;
use serde::Serialize;
use serde::Serializer;
use std::path::Path;
use transports::execute::ExecuteError;
use transports::open::Access;
use transports::scsi::ScsiReply;

/// The `--json` document of `scsitool raw`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct RawReport {
    /// The device as named on the command line.
    pub device: String,
    /// The command's name from its operation code (and service action), or "unknown" /
    /// "vendor specific".
    pub command: &'static str,
    /// The CDB sent, in hex.
    pub cdb: String,
    /// The SCSI status (SAM-5 5.3.1).
    pub status: Status,
    /// The sense data, decoded (SPC-5 4.4), when the device returned sense that decodes.
    pub sense: Option<SenseData>,
    /// The sense bytes as returned, in hex (empty when none).
    #[serde(serialize_with = "hex_bytes")]
    #[schemars(with = "String")]
    pub sense_bytes: Vec<u8>,
    /// The data-in bytes, in hex (empty when none came back, or the command failed).
    #[serde(serialize_with = "hex_bytes")]
    #[schemars(with = "String")]
    pub data_in: Vec<u8>,
    /// The data phase's length in bytes (`--in` or the size of `--out`'s file).
    pub data_length: u32,
    /// Bytes of the data phase not transferred: its length less what moved (SAM-5 5.1).
    pub residual: u32,
    /// Where the data-in was written (`--outfile`), if anywhere.
    pub outfile: Option<String>,
}

impl Report for RawReport {
    fn human(&self) -> String {
        let mut text = format!("SCSI Status: {}\n", self.status);
        if let Some(sense) = &self.sense {
            text.push_str(&format!("\nSense Information:\n{sense}"));
            if !text.ends_with('\n') {
                text.push('\n');
            }
        } else if !self.sense_bytes.is_empty() {
            let bytes = to_hex(&self.sense_bytes);
            text.push_str(&format!("\nSense bytes (undecodable): {bytes}\n"));
        }
        let data = &self.data_in;
        match &self.outfile {
            Some(path) => text.push_str(&format!(
                "\nReceived {} bytes of data, written to {path}\n",
                data.len()
            )),
            None if !data.is_empty() => text.push_str(&format!(
                "\nReceived {} bytes of data:\n{}",
                data.len(),
                hexdump(data, 1)
            )),
            None => {}
        }
        if self.residual > 0 {
            text.push_str(&format!("Residual: {} bytes\n", self.residual));
        }
        if self.status == Status::Good && self.residual > 0 && self.residual == self.data_length {
            text.push_str(
                "Note: GOOD status, but none of the data phase moved. Some USB bridges run a \
                 vendor CDB without its data over UAS (the Command IU states no transfer \
                 length); compare with --usb-proto bot.\n",
            );
        }
        text
    }
}

/// Bytes as space-separated hex pairs, the form `scsitool` reads back (`raw`, `sense
/// decode`).
fn hex_bytes<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&to_hex(bytes))
}

/// What the device answered: its reply, decoded sense and data-in.
struct Answer<'a> {
    reply: &'a ScsiReply,
    sense: Option<SenseData>,
    data_in: &'a [u8],
}

impl RawReport {
    /// The report of `raw` sent to `device` and answered with `answer`.
    fn new(device: &str, raw: &RawCommand<'_>, answer: Answer<'_>, outfile: Option<&Path>) -> Self {
        let moved = u32::try_from(answer.reply.transferred).unwrap_or(u32::MAX);
        RawReport {
            device: device.to_string(),
            command: raw.name(),
            cdb: to_hex(raw.cdb().as_bytes()),
            status: answer.reply.status,
            sense: answer.sense,
            sense_bytes: answer.reply.sense.clone(),
            data_in: answer.data_in.to_vec(),
            data_length: raw.data_phase().len(),
            residual: raw.data_phase().len().saturating_sub(moved),
            outfile: outfile.map(|p| p.display().to_string()),
        }
    }
}

/// Sends the CDB in `hex` with a data-in phase of `data_in` bytes, or the contents of
/// `data_out`, or none; prints the answer and writes the data-in to `outfile` if given.
pub fn command(
    out: Output,
    device: &str,
    hex: &[String],
    data_in: Option<u32>,
    data_out: Option<&Path>,
    outfile: Option<&Path>,
    any_phase: bool,
) -> Result<()> {
    let cdb = parse_hex(&hex.join(" ")).map_err(|e| Failure::usage(format!("CDB: {e}")))?;
    let out_bytes = match data_out {
        Some(path) => std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
        None => Vec::new(),
    };
    let phase = match data_in {
        Some(length) => DataPhase::input(length),
        None => DataPhase::output(&out_bytes),
    };
    let raw = if any_phase {
        RawCommand::with_any_phase(&cdb, phase)
    } else {
        RawCommand::new(&cdb, phase)
    }
    .map_err(|e| Failure::usage(format!("{e} (--any-phase sends it anyway)")))?;
    let access = if destructive(&cdb, data_out.is_some()) {
        ensure_unused(device)?;
        Access::Write
    } else {
        Access::Read
    };
    let mut transport = open_scsi(device, access)?;
    match traced(out, transport.as_mut(), &raw) {
        Ok(done) => {
            if let Some(path) = outfile {
                std::fs::write(path, &done.response)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            // Sense with a completed command: RECOVERED ERROR or NO SENSE, informational.
            let sense = (!done.reply.sense.is_empty())
                .then(|| cdb::sense::decode(&done.reply.sense).ok())
                .flatten();
            let answer = Answer {
                reply: &done.reply,
                sense,
                data_in: &done.response,
            };
            out.emit(&RawReport::new(device, &raw, answer, outfile))
        }
        Err(error) => {
            if let ExecuteError::Device { sense, reply, .. } = &error {
                let answer = Answer {
                    reply,
                    sense: sense.as_deref().cloned(),
                    data_in: &[],
                };
                out.emit(&RawReport::new(device, &raw, answer, None))?;
            }
            Err(failure(error))
        }
    }
}

/// FORMAT UNIT (SBC-4 5.4) and SANITIZE (SBC-4 5.30): they destroy data without a
/// data-out phase.
const DESTROYS_WITHOUT_DATA: [u8; 2] = [0x04, 0x48];

/// Whether a raw command may change the medium: any data-out phase (WRITE, WRITE SAME,
/// UNMAP, MODE SELECT, WRITE BUFFER...), FORMAT UNIT or SANITIZE.
fn destructive(cdb: &[u8], data_out: bool) -> bool {
    data_out
        || cdb
            .first()
            .is_some_and(|op| DESTROYS_WITHOUT_DATA.contains(op))
}

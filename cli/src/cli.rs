//! The command line, declared with clap: global flags, commands and their arguments.
//! Completions and man pages are generated from this same declaration.

use crate::exit::ExitStatus;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Talk SCSI and NVMe to storage devices: typed commands, decoders for everything a device
/// returns, and (as they land) transports, firmware update and cache-integrity checks.
#[derive(Debug, Parser)]
#[command(name = "scsitool", version, propagate_version = true)]
#[command(after_long_help = ExitStatus::table())]
pub struct Cli {
    /// Print results as JSON (one document; JSON Lines when reading several inputs).
    /// Each command's schema: `scsitool schema COMMAND`.
    #[arg(long, global = true)]
    pub json: bool,

    /// Show what goes over the wire in hex on standard error: -v CDBs and sense,
    /// -vv data too.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Work with sense data.
    #[command(subcommand)]
    Sense(SenseCommand),
    /// Work with command descriptor blocks.
    #[command(subcommand)]
    Cdb(CdbCommand),
    /// Send INQUIRY: standard data, or a VPD page with --vpd (SPC-5 6.7).
    Inquiry {
        /// The device: a sim: URI (e.g. `sim:`, `sim:lying-flush?size=4G`).
        device: String,
        /// The VPD page to read, in hex (`83`, `0x83`, `83h`) or decimal with `d` (`131d`).
        #[arg(long, value_name = "PAGE", value_parser = parse_page)]
        vpd: Option<u8>,
        /// ALLOCATION LENGTH (default: 96 for standard data, 1024 for VPD pages).
        #[arg(long = "len", value_name = "BYTES")]
        length: Option<u16>,
    },
    /// Read the capacity and block size: READ CAPACITY (10), or (16) when needed or with
    /// --16 (SBC-4 5.20, 5.21).
    Readcap {
        /// The device.
        device: String,
        /// Use READ CAPACITY (16).
        #[arg(long = "16")]
        sixteen: bool,
    },
    /// Send TEST UNIT READY, once or --count times, and report the command rate
    /// (SPC-5 6.47).
    Tur {
        /// The device.
        device: String,
        /// How many commands to send.
        #[arg(long, short = 'n', default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
        count: u64,
    },
    /// The built-in emulated devices behind `sim:` URIs.
    #[command(subcommand)]
    Sim(SimCommand),
    /// Print a shell completion script.
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print the man page, or write one page per command into a directory.
    Man {
        /// Write `scsitool.1` and `scsitool-COMMAND.1` pages into this directory.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
    /// Print the JSON Schema of a command's --json output.
    Schema {
        /// The command, words joined by dashes (e.g. sense-decode); omit to list them.
        command: Option<String>,
        /// Write every schema as DIR/COMMAND.json instead of printing.
        #[arg(long, value_name = "DIR", conflicts_with = "command")]
        write: Option<PathBuf>,
    },
    /// Talk NVMe to a controller: Identify, log pages and features (NVMe Base 2.0 5), like
    /// nvme-cli.
    #[command(subcommand)]
    Nvme(NvmeCommand),
}

/// `scsitool cdb ...`
#[derive(Debug, Subcommand)]
pub enum CdbCommand {
    /// Name any CDB and list its fields (SPC-5 4.2).
    ///
    /// The bytes may be separated by spaces, commas or colons, or run together
    /// (`12 00 00 00 24 00`, `120000002400`). A single `-` reads one CDB per line of
    /// standard input and prints one result each (JSON Lines with --json).
    Decode {
        /// The CDB bytes in hex, or `-` for standard input.
        #[arg(required = true, value_name = "HEX")]
        hex: Vec<String>,
    },
}

/// `scsitool sense ...`
#[derive(Debug, Subcommand)]
pub enum SenseCommand {
    /// Decode sense data: fixed or descriptor format, every descriptor type, the T10
    /// ASC/ASCQ list (SPC-5 4.4).
    ///
    /// The bytes may be separated by spaces, commas or colons, or run together. A single
    /// `-` reads one buffer per line of standard input and prints one result each (JSON
    /// Lines with --json). Malformed buffers are decoded as far as they go, with the
    /// problems listed.
    Decode {
        /// The sense bytes in hex, or `-` for standard input.
        #[arg(required = true, value_name = "HEX")]
        hex: Vec<String>,
        /// The SCSI status the sense came with, in hex (as sg_decode_sense --status),
        /// for the retry classification.
        #[arg(long, short, value_name = "SS", default_value = "02", value_parser = parse_status)]
        status: u8,
        /// Exit with the status a command that got this answer would exit with (see Exit
        /// status), instead of 0: for scripts that hold sense data from elsewhere. With
        /// several buffers, the first one that is not a success decides.
        #[arg(long)]
        exit_status: bool,
    },
}

/// Parses a status byte given in hex: one or two hex digits, with or without `0x`.
fn parse_status(text: &str) -> Result<u8, String> {
    let digits = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .unwrap_or(text);
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("'{text}' is not a hex status byte (00 to ff)"));
    }
    u8::from_str_radix(digits, 16).map_err(|_| format!("'{text}' is not a hex status byte"))
}

/// `scsitool sim ...`
#[derive(Debug, Subcommand)]
pub enum SimCommand {
    /// List the fault profiles a sim: device can take (`sim:PROFILE`).
    Profiles,
}

/// Parses a VPD page code: hex by default (`83`, `0x83`, `83h`), decimal with a `d`
/// suffix (`131d`).
fn parse_page(text: &str) -> Result<u8, String> {
    let parsed = if let Some(decimal) = text.strip_suffix('d') {
        decimal.parse::<u8>().ok()
    } else {
        let digits = text
            .strip_prefix("0x")
            .or_else(|| text.strip_prefix("0X"))
            .or_else(|| text.strip_suffix('h'))
            .unwrap_or(text);
        (!digits.is_empty() && digits.len() <= 2 && digits.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| u8::from_str_radix(digits, 16).ok())
            .flatten()
    };
    parsed.ok_or_else(|| format!("'{text}' is not a page code (00 to ff hex, or 0d to 255d)"))
}

/// `scsitool nvme ...`
#[derive(Debug, Subcommand)]
pub enum NvmeCommand {
    /// Identify Controller (CNS 01h, NVMe Base 2.0 5.17.2.1), like `nvme id-ctrl`.
    IdCtrl {
        /// The device: an NVMe sim: URI (e.g. `sim:nvme`, `sim:nvme?serial=X&size=4G`).
        device: String,
    },
    /// Identify Namespace (CNS 00h, NVM Command Set 1.0 4.1.5.1), like `nvme id-ns`.
    IdNs {
        /// The device.
        device: String,
        /// The namespace (decimal, or hex with 0x).
        #[arg(long, short = 'n', default_value = "1", value_parser = parse_number::<u32>)]
        nsid: u32,
    },
    /// Get Log Page (Base 2.0 5.16), like `nvme get-log`: Error Information (01h), SMART /
    /// Health Information (02h) and Firmware Slot Information (03h) decoded, other logs in
    /// hex.
    Log {
        /// The device.
        device: String,
        /// The Log Page Identifier (decimal, or hex with 0x).
        #[arg(long, short = 'i', value_parser = parse_number::<u8>)]
        lid: u8,
        /// How many bytes to read, a multiple of 4 (default 512).
        #[arg(long = "len", short = 'l', value_name = "BYTES", value_parser = parse_number::<u32>)]
        length: Option<u32>,
    },
    /// Get Features (Base 2.0 5.15), like `nvme get-feature`: Volatile Write Cache (06h)
    /// decoded, other features as completion Dword 0.
    GetFeature {
        /// The device.
        device: String,
        /// The Feature Identifier (decimal, or hex with 0x).
        #[arg(long, short = 'f', value_parser = parse_number::<u8>)]
        fid: u8,
        /// Which value to read (SEL).
        #[arg(long, short = 's', value_enum, default_value_t = FeatureSelect::Current)]
        sel: FeatureSelect,
    },
    /// Set Features (Base 2.0 5.27), like `nvme set-feature`: turns the Volatile Write
    /// Cache (FID 6) on or off, then reads the current value back. Both --fid and --value
    /// are required: this changes the device's settings.
    SetFeature {
        /// The device.
        device: String,
        /// The Feature Identifier: 6 (Volatile Write Cache) is the one that can be set.
        #[arg(long, short = 'f', value_parser = parse_number::<u8>)]
        fid: u8,
        /// The new value.
        #[arg(long, value_enum)]
        value: OnOff,
    },
}

/// Get Features Select (SEL, Base 2.0 5.15.1), as nvme-cli names its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FeatureSelect {
    /// The current value.
    Current,
    /// The default value.
    Default,
    /// The saved value.
    Saved,
    /// The supported capabilities (saveable, namespace specific, changeable).
    Supported,
}

/// A feature switched on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnOff {
    /// Enable.
    On,
    /// Disable.
    Off,
}

/// Parses a number as nvme-cli does: decimal, or hex with a `0x` prefix; it must fit `T`.
fn parse_number<T: TryFrom<u64>>(text: &str) -> Result<T, String> {
    let parsed = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse::<u64>(),
    };
    parsed
        .ok()
        .and_then(|value| T::try_from(value).ok())
        .ok_or_else(|| {
            format!(
                "'{text}' is not a {}-bit number (decimal, or hex with 0x)",
                std::mem::size_of::<T>() * 8
            )
        })
}

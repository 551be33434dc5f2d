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

    /// Show what goes over the wire in hex on standard error: -v CDBs and sense (NVMe:
    /// submission and completion queue entries; `usb:` and USB `sim:` devices: control
    /// requests, CBWs, CSWs and UAS IUs), -vv data too.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// For `usb:` devices, the transport protocol, by the alternate setting's
    /// bInterfaceProtocol: `auto` (UAS when the interface offers it, else Bulk-Only), `bot`
    /// (50h) or `uas` (62h).
    #[arg(long, global = true, value_enum, default_value_t = UsbProto::Auto)]
    pub usb_proto: UsbProto,

    /// For NVMe commands on a USB–NVMe bridge: the bridge's tunnel (`asmedia`, `realtek`,
    /// `jmicron`), for a bridge missing from the VID:PID table, or `none` to use no tunnel.
    /// Without it the table decides; nothing is probed, since JMicron's tunnel CDB is an
    /// ATA hardware reset on other bridges.
    #[arg(long, global = true, value_name = "BRIDGE", value_parser = parse_bridge)]
    pub bridge: Option<BridgeChoice>,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// `--usb-proto`: the USB mass-storage transport protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum UsbProto {
    /// UAS when offered, else Bulk-Only.
    Auto,
    /// Bulk-Only Transport (50h).
    Bot,
    /// USB Attached SCSI (62h).
    Uas,
}

impl UsbProto {
    /// The transports crate's protocol choice.
    pub fn protocol(self) -> transports::usb::UsbProtocol {
        match self {
            UsbProto::Auto => transports::usb::UsbProtocol::Auto,
            UsbProto::Bot => transports::usb::UsbProtocol::Bot,
            UsbProto::Uas => transports::usb::UsbProtocol::Uas,
        }
    }
}

/// `--bridge`: a named tunnel, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BridgeChoice {
    /// Use this bridge's tunnel whatever the VID:PID.
    Tunnel(transports::tunnel::Bridge),
    /// Never tunnel.
    None,
}

/// Parses `--bridge`.
fn parse_bridge(text: &str) -> Result<BridgeChoice, String> {
    if text == "none" {
        return Ok(BridgeChoice::None);
    }
    transports::tunnel::Bridge::from_name(text)
        .map(BridgeChoice::Tunnel)
        .ok_or_else(|| {
            format!("unknown bridge '{text}': expected asmedia, realtek, jmicron or none")
        })
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Work with sense data.
    #[command(subcommand)]
    #[command(display_order = 10)]
    Sense(SenseCommand),
    /// Work with command descriptor blocks.
    #[command(subcommand)]
    #[command(display_order = 11)]
    Cdb(CdbCommand),
    /// List the SCSI and NVMe devices: nodes, vendor, model, revision, serial, size and
    /// transport, and for USB devices VID:PID, speed, the bound driver and the protocols
    /// (BOT, UAS) the interface's alternate settings offer.
    ///
    /// Read from sysfs (Linux); nothing is sent to the devices. Other platforms list
    /// nothing yet, with a note saying so.
    #[command(display_order = 0)]
    List,
    /// Send INQUIRY: standard data, a VPD page with --vpd, or everything with --all
    /// (SPC-5 6.7).
    #[command(display_order = 1)]
    Inquiry {
        /// The device: a SCSI device node (`/dev/sdX`, `/dev/sgN`) or a sim: URI (e.g.
        /// `sim:`, `sim:lying-flush?size=4G`).
        device: String,
        /// The VPD page to read, in hex (`83`, `0x83`, `83h`) or decimal with `d` (`131d`).
        #[arg(long, value_name = "PAGE", value_parser = parse_page, conflicts_with = "all")]
        vpd: Option<u8>,
        /// ALLOCATION LENGTH (default: 96 for standard data, 1024 for VPD pages).
        #[arg(long = "len", value_name = "BYTES", conflicts_with = "all")]
        length: Option<u16>,
        /// The standard data, then the Supported VPD Pages page (00h) and every page it
        /// lists, each decoded; a page the device refuses is reported and the others are
        /// still read. JSON schema: `scsitool schema inquiry-all`.
        #[arg(long)]
        all: bool,
    },
    /// Read the capacity and block size: READ CAPACITY (10), or (16) when needed or with
    /// --16 (SBC-4 5.20, 5.21).
    #[command(display_order = 2)]
    Readcap {
        /// The device.
        device: String,
        /// Use READ CAPACITY (16).
        #[arg(long = "16")]
        sixteen: bool,
    },
    /// Send TEST UNIT READY, once or --count times, and report the command rate
    /// (SPC-5 6.47).
    #[command(display_order = 3)]
    Tur {
        /// The device.
        device: String,
        /// How many commands to send.
        #[arg(long, short = 'n', default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
        count: u64,
    },
    /// The built-in emulated devices behind `sim:` URIs.
    #[command(subcommand)]
    #[command(display_order = 12)]
    Sim(SimCommand),
    /// Print a shell completion script.
    #[command(display_order = 14)]
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print the man page, or write one page per command into a directory.
    #[command(display_order = 15)]
    Man {
        /// Write `scsitool.1` and `scsitool-COMMAND.1` pages into this directory.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
    /// Print the JSON Schema of a command's --json output.
    #[command(display_order = 13)]
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
    #[command(display_order = 9)]
    Nvme(NvmeCommand),
    /// Write cached data to the medium: SYNCHRONIZE CACHE (10), or (16) with --16
    /// (SBC-4 5.28, 5.29), like sg_sync.
    ///
    /// Without --lba and --blocks the whole medium is synchronized. The 10-byte form holds
    /// a 32-bit LBA and a 16-bit block count; larger values need --16.
    #[command(display_order = 4)]
    Sync {
        /// The device.
        device: String,
        /// Use SYNCHRONIZE CACHE (16).
        #[arg(long = "16")]
        sixteen: bool,
        /// IMMED: the device returns status before the cache is written.
        #[arg(long)]
        immed: bool,
        /// The first logical block to synchronize.
        #[arg(long, value_name = "N", default_value_t = 0)]
        lba: u64,
        /// How many logical blocks (0: through the last one).
        #[arg(long, value_name = "N", default_value_t = 0)]
        blocks: u32,
    },
    /// Verify that the device keeps its write-cache promises: write self-describing blocks
    /// with flushes, FUA or the cache off, optionally cut the power, read every block
    /// back and say which promise was broken, and where.
    ///
    /// Every block carries the run's nonce, its LBA, generation, write sequence number and
    /// a CRC-32, per-sector stamps and a pseudo-random payload; the expected state is
    /// computed from the plan and a small host-side journal of acknowledged flushes, so
    /// memory does not grow with the device. Classes: ok, ok-older-allowed,
    /// lost-after-flush, lost-fua-write, never-written, misdirected, torn, corrupt,
    /// foreign, unserializable. Exit status 9 when a promise was broken.
    ///
    /// This WRITES the whole range. A device with a mounted filesystem or swap is refused;
    /// one with a partition table only with `--destructive DEVICE`. `--preserve` saves
    /// every overwritten block in a crash-safe host journal first and restores it at the
    /// end (or with `--restore JOURNAL` after a crash).
    #[command(display_order = 16)]
    Verify(Box<VerifyArgs>),
    /// Update a drive's firmware: SCSI WRITE BUFFER download microcode modes (SPC-5 6.49)
    /// or NVMe Firmware Image Download and Commit (NVMe Base 2.0 5.13, 5.14), also through
    /// the JMicron USB–NVMe tunnel.
    ///
    /// Plans first (probing reads only): the mode, the largest legal chunk, the activation
    /// and the reset it will need, printed; `--dry-run` also lists every command it would
    /// send. The image's manifest (IMAGE.toml or IMAGE.json beside it) names the devices
    /// it is for, the revision it installs and its checksums; a checksum failure is always
    /// refused, a device the manifest does not name only without `--force`. Without a
    /// manifest, DEVICE is required and the update must be confirmed (or `--yes`). An
    /// interrupted download resumes from IMAGE.fwstate where the mode allows.
    ///
    /// Exit status: 0 updated and active, 10 downloaded and waiting for a reset, 11
    /// refused before anything was sent, 12 failed with the device unchanged, 13 failed
    /// with the device's state unknown. JSON schema: `scsitool schema fwupdate`.
    #[command(display_order = 18)]
    Fwupdate(Box<FwupdateArgs>),
    /// Read logical blocks in large transfers and report the throughput, optionally
    /// saving the data: READ (10)/(16) on SCSI devices (SBC-4 5.15, 5.16), Read on NVMe
    /// namespaces (NVMe NVM Command Set 3.2.6), like sg_dd or dd with direct I/O.
    ///
    /// Transfers are the device's and transport's largest, at most --transfer.
    #[command(display_order = 17)]
    Read {
        /// The device.
        device: String,
        /// The first logical block.
        #[arg(long, value_name = "N", default_value_t = 0)]
        lba: u64,
        /// How many bytes to read, a whole number of blocks (K, M, G, T suffixes; default:
        /// to the last block).
        #[arg(long, value_name = "BYTES", value_parser = parse_size)]
        size: Option<u64>,
        /// The largest transfer per command (default 1M).
        #[arg(long, value_name = "BYTES", value_parser = parse_size, default_value = "1M")]
        transfer: u64,
        /// Write the data to this file (created or truncated); `-` for standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Commands in flight at once (SAM-5 4.16), where the transport queues them (UAS;
        /// others send them one after another).
        #[arg(long, value_name = "N", default_value_t = 1,
              value_parser = clap::value_parser!(u32).range(1..=64))]
        queue_depth: u32,
    },
    /// Read or change the write cache: the WCE bit of the Caching mode page (SBC-4 6.5.5).
    #[command(subcommand)]
    #[command(display_order = 5)]
    Wce(WceCommand),
    /// List the logical units: REPORT LUNS (SPC-5 6.33), every LUN decoded by address
    /// method (SAM-5 4.7), like sg_luns --decode.
    #[command(display_order = 6)]
    Luns {
        /// The device.
        device: String,
        /// SELECT REPORT: 0 logical units, 1 well known logical units, 2 all, 10h-12h
        /// administrative and subsidiary (decimal, or hex with 0x).
        #[arg(long, value_name = "N", default_value = "0", value_parser = parse_select_report)]
        select: u8,
    },
    /// List the commands the device supports, or ask about one: REPORT SUPPORTED
    /// OPERATION CODES (SPC-5 6.36), like sg_opcodes.
    #[command(display_order = 7)]
    Opcodes {
        /// The device.
        device: String,
        /// Ask about this operation code only (hex: `28`, `0x28`, `28h`): whether it is
        /// supported and which CDB bits the device evaluates.
        #[arg(long, value_name = "OP", value_parser = parse_opcode)]
        op: Option<u8>,
        /// With --op, the service action (hex), for operation codes that have one
        /// (e.g. `--op 9e --sa 10` for READ CAPACITY (16)).
        #[arg(long, value_name = "SA", requires = "op", value_parser = parse_service_action)]
        sa: Option<u16>,
    },
    /// Send any CDB (6 to 16 bytes, or 32) with an explicit data phase and print the
    /// status, the decoded sense and the data, like sg_raw.
    ///
    /// The CDB goes to the device as given: a WRITE or MODE SELECT CDB with --out changes
    /// the device's data or settings, and nothing asks for confirmation — but a command
    /// that can change the medium (any --out, FORMAT UNIT, SANITIZE) is refused on a
    /// device with a mounted filesystem or active swap. Without --in or --out the command
    /// has no data phase. A data phase that disagrees with what the CDB's standard layout
    /// implies (a WRITE without --out, a data-out that is not whole blocks, a MODE SELECT
    /// whose parameter list length differs from the file) is refused before anything is
    /// sent, unless --any-phase. The exit status follows the device's answer
    /// (see Exit status); a CHECK CONDITION's sense is still printed on standard output.
    #[command(display_order = 8)]
    Raw {
        /// The device.
        device: String,
        /// The CDB bytes in hex (`12 00 00 00 24 00`, `120000002400`).
        #[arg(required = true, value_name = "HEX")]
        hex: Vec<String>,
        /// Data-in: accept up to this many bytes from the device.
        #[arg(long = "in", value_name = "N", conflicts_with = "out")]
        data_in: Option<u32>,
        /// Data-out: send the contents of this file to the device.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Write the data-in to this file instead of dumping it in hex.
        #[arg(long, value_name = "FILE", requires = "data_in")]
        outfile: Option<PathBuf>,
        /// Send the data phase even where it disagrees with what the CDB's standard layout
        /// implies (direction or data-out length): for devices that reinterpret an
        /// operation code, such as a USB bridge's vendor tunnel in ATA PASS-THROUGH (12).
        #[arg(long)]
        any_phase: bool,
    },
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
        /// The device: an NVMe device node (`/dev/nvmeN`, `/dev/nvmeNnM`, `/dev/ngNnM`) or
        /// an NVMe sim: URI (e.g. `sim:nvme`, `sim:nvme?serial=X&size=4G`).
        device: String,
        /// How many commands to send: above 1, every answer must decode with the first
        /// one's VID, SN and MN, and the command rate is reported instead of the data.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
        count: u64,
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
        value: Switch,
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

/// `scsitool wce ...`
#[derive(Debug, Subcommand)]
pub enum WceCommand {
    /// Show whether the write cache is enabled, and whether that can be changed
    /// (MODE SENSE (10), current and changeable values, SPC-5 6.14).
    Get {
        /// The device.
        device: String,
    },
    /// Enable or disable the write cache (MODE SELECT (10) with PF=1, SP=0, SPC-5 6.12:
    /// the change lasts until the device is reset or powered off), then read it back.
    ///
    /// Changes a device setting. Fails with exit status 5 when the device does not allow
    /// WCE to be changed (nothing is sent), and 9 when the value read back is not the one
    /// set.
    Set {
        /// The new state.
        state: Switch,
        /// The device.
        device: String,
    },
}

/// On or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Switch {
    /// Enabled.
    On,
    /// Disabled.
    Off,
}

impl Switch {
    /// True for [`Switch::On`].
    pub fn is_on(self) -> bool {
        self == Switch::On
    }
}

/// Parses a hex number of at most `max`: hex digits with or without `0x` or an `h`
/// suffix.
fn parse_hex_at_most(text: &str, max: u16, what: &str) -> Result<u16, String> {
    let digits = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .or_else(|| text.strip_suffix('h'))
        .unwrap_or(text);
    u16::from_str_radix(digits, 16)
        .ok()
        .filter(|value| !digits.starts_with('+') && *value <= max)
        .ok_or_else(|| format!("'{text}' is not {what} (hex, 0 to {max:x})"))
}

/// Parses an OPERATION CODE in hex (SPC-5 4.2.5.1).
fn parse_opcode(text: &str) -> Result<u8, String> {
    parse_hex_at_most(text, 0xff, "an operation code").map(|value| value as u8)
}

/// Parses a SERVICE ACTION in hex (SPC-5 4.2.5.2: up to 16 bits in REPORT SUPPORTED
/// OPERATION CODES).
fn parse_service_action(text: &str) -> Result<u16, String> {
    parse_hex_at_most(text, 0xffff, "a service action")
}

/// Parses a SELECT REPORT code (SPC-5 6.33): decimal, or hex with `0x`.
fn parse_select_report(text: &str) -> Result<u8, String> {
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => parse_hex_at_most(hex, 0xff, "a SELECT REPORT code").map(|v| v as u8),
        None => text.parse::<u8>().map_err(|_| {
            format!("'{text}' is not a SELECT REPORT code (0 to 255, or 0x0 to 0xff)")
        }),
    }
}

/// How written data is made durable in a verify run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DurabilityArg {
    /// SYNCHRONIZE CACHE / Flush every `--flush-every` writes.
    Flush,
    /// FUA on every write.
    Fua,
    /// The volatile write cache switched off for the run (and restored).
    CacheOff,
}

/// `scsitool verify`'s arguments.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The device: a SCSI or NVMe node, a sim: URI, or a plain file or block device to use
    /// with pread/pwrite (`--file`). Not needed with --restore or --resume.
    #[arg(required_unless_present_any = ["restore", "resume"])]
    pub device: Option<String>,
    /// Bytes to verify from --start (K/M/G/T suffixes); default: to the end of the device.
    #[arg(long, value_parser = parse_size)]
    pub size: Option<u64>,
    /// First LBA of the range.
    #[arg(long, default_value = "0")]
    pub start: u64,
    /// Bytes per write (a whole number of blocks; K/M suffixes).
    #[arg(long, default_value = "64K", value_parser = parse_size)]
    pub write_size: u64,
    /// Passes over the range; each rewrites every block with a new generation.
    #[arg(long, default_value = "2")]
    pub epochs: u32,
    /// How written data is made durable.
    #[arg(long, value_enum, default_value = "flush")]
    pub durability: DurabilityArg,
    /// Verify the range three times — with flushes, with FUA, with the write cache off —
    /// and compare what each promise cost and whether it was kept.
    #[arg(long, conflicts_with_all = ["durability", "power_cut_cmd", "stop_after", "resume", "restore", "preserve"])]
    pub compare: bool,
    /// Writes between flushes with --durability flush.
    #[arg(long, default_value = "64")]
    pub flush_every: u64,
    /// Writes in flight together between flushes. File and block device targets queue
    /// them (a thread each: worth it where a write takes far longer than starting a
    /// thread, i.e. real media); over UAS they are queued commands (SAM-5 4.16); other
    /// pass-through targets send them one after the other.
    #[arg(long, default_value = "1", value_parser = clap::value_parser!(u32).range(1..=64))]
    pub queue_depth: u32,
    /// Seed of the write order and the power-cut point (default: from the clock).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Cut the power at a random point of the write phase, then verify (sim: only).
    #[arg(long, conflicts_with_all = ["power_cut_cmd", "stop_after"])]
    pub power_cut: bool,
    /// Cut the power at a random point by running this shell command (a relay, PDU or
    /// hub port); it must return once the device is back. The device is then reopened.
    #[arg(long, value_name = "CMD", conflicts_with = "stop_after")]
    pub power_cut_cmd: Option<String>,
    /// Stop after this many writes, so the power can be cut by hand; finish later with
    /// `--resume JOURNAL`.
    #[arg(long, value_name = "N")]
    pub stop_after: Option<u64>,
    /// Where the run journal goes (default: scsitool-verify-NONCE.journal here).
    #[arg(long, value_name = "PATH")]
    pub journal: Option<PathBuf>,
    /// Verify a run whose writes were cut short, with what its journal recorded.
    #[arg(long, value_name = "JOURNAL", conflicts_with_all = ["restore", "preserve"])]
    pub resume: Option<PathBuf>,
    /// Save every block of the range in JOURNAL.preserve before overwriting it, and
    /// restore them all when the run ends.
    #[arg(long)]
    pub preserve: bool,
    /// Restore the blocks a --preserve run saved (after a crash or kill).
    #[arg(long, value_name = "JOURNAL", conflicts_with = "preserve")]
    pub restore: Option<PathBuf>,
    /// Allow writing a device that holds a partition table: name the device again.
    #[arg(long, value_name = "DEVICE")]
    pub destructive: Option<String>,
    /// Use DEVICE as a plain file or block device (pread/pwrite, fdatasync) instead of
    /// pass-through; regular files always are.
    #[arg(long)]
    pub file: bool,
    /// With a file target: bypass the page cache (O_DIRECT).
    #[arg(long, requires = "file")]
    pub direct: bool,
    /// With a file target: the block size (default 4096).
    #[arg(long, default_value = "4096")]
    pub bs: u32,
}

/// `scsitool fwupdate`'s arguments.
#[derive(Debug, clap::Args)]
pub struct FwupdateArgs {
    /// The firmware image.
    pub image: PathBuf,
    /// The device: a SCSI or NVMe node or a sim: URI. Without it, the single discovered
    /// device the image's manifest names.
    pub device: Option<String>,
    /// Update a device the manifest does not name (vendor, model or current revision);
    /// never overrides a checksum failure.
    #[arg(long)]
    pub force: bool,
    /// Do not ask for confirmation when the image has no manifest.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Print the plan and every command it would send; send nothing but the probing
    /// reads.
    #[arg(long)]
    pub dry_run: bool,
    /// When the new firmware waits for a reset, perform it where scsitool can (sim:
    /// devices: a power cycle; Linux NVMe controllers: a Controller Level Reset), then
    /// read the revision again.
    #[arg(long)]
    pub reset: bool,
    /// The resume state file (default: IMAGE.fwstate beside the image).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Send at most this many bytes per download command (K, M suffixes), within the
    /// device's own limits and alignment (default: the largest the device allows).
    #[arg(long, value_name = "BYTES", value_parser = parse_size)]
    pub max_chunk: Option<u64>,
}

/// Parses a byte count with an optional binary suffix: `4096`, `64K`, `1G`.
fn parse_size(text: &str) -> Result<u64, String> {
    emulator::uri::parse_size(text.trim())
        .ok_or_else(|| format!("'{text}' is not a byte count (digits with K, M, G or T)"))
}

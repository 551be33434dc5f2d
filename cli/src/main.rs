//! `scsitool`: talk SCSI and NVMe to storage devices.

mod cli;
mod commands;
mod exit;
mod hexdump;
mod hexin;
mod output;
mod render;
mod schema;

use clap::Parser;
use cli::{CdbCommand, Cli, Command, SenseCommand, SimCommand, WceCommand};
use exit::{status_of, ExitStatus};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() {
                ExitStatus::Usage.code()
            } else {
                ExitStatus::Success.code()
            });
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("scsitool: {error:#}");
            ExitCode::from(status_of(&error).code())
        }
    }
}

/// Runs one parsed command line.
fn run(cli: Cli) -> anyhow::Result<()> {
    let out = output::Output {
        json: cli.json,
        verbose: cli.verbose,
    };
    commands::device::configure(commands::device::DeviceFlags {
        usb_protocol: cli.usb_proto.protocol(),
        bridge: cli.bridge,
        wire_trace: cli.verbose,
    });
    match cli.command {
        Command::Sense(SenseCommand::Decode {
            hex,
            status,
            exit_status,
        }) => commands::sense::decode_command(out, &hex, status, exit_status),
        Command::List => commands::list::command(out),
        Command::Verify(args) => commands::verify::command(out, &args),
        Command::Fwupdate(args) => commands::fwupdate::command(out, &args),
        Command::Read {
            device,
            lba,
            size,
            transfer,
            out: path,
            queue_depth,
        } => commands::read::command(
            out,
            &commands::read::ReadArgs {
                device: &device,
                lba,
                size,
                transfer,
                out: path.as_deref(),
                queue_depth,
            },
        ),
        Command::Inquiry {
            device, all: true, ..
        } => commands::inquiry::all(out, &device),
        Command::Inquiry {
            device,
            vpd,
            length,
            all: false,
        } => commands::inquiry::command(out, &device, vpd, length),
        Command::Readcap { device, sixteen } => commands::readcap::command(out, &device, sixteen),
        Command::Tur { device, count } => commands::tur::command(out, &device, count),
        Command::Sim(SimCommand::Profiles) => commands::sim::profiles(out),
        Command::Cdb(CdbCommand::Decode { hex }) => commands::cdb::decode_command(out, &hex),
        Command::Completions { shell } => commands::generate::completions(shell),
        Command::Man { out_dir } => commands::generate::man(out_dir.as_deref()),
        Command::Schema { command, write } => {
            commands::schema::run(command.as_deref(), write.as_deref())
        }
        Command::Nvme(nvme) => commands::nvme::command(out, nvme),
        Command::Sync {
            device,
            sixteen,
            immed,
            lba,
            blocks,
        } => commands::sync::command(out, &device, sixteen, immed, lba, blocks),
        Command::Wce(WceCommand::Get { device }) => commands::wce::get(out, &device),
        Command::Wce(WceCommand::Set { state, device }) => {
            commands::wce::set(out, &device, state.is_on())
        }
        Command::Luns { device, select } => commands::luns::command(out, &device, select),
        Command::Opcodes { device, op, sa } => commands::opcodes::command(out, &device, op, sa),
        Command::Raw {
            device,
            hex,
            data_in,
            out: data_out,
            outfile,
            any_phase,
        } => commands::raw::command(
            out,
            &device,
            &hex,
            data_in,
            data_out.as_deref(),
            outfile.as_deref(),
            any_phase,
        ),
    }
}

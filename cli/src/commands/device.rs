//! What every device command shares: opening the device, running a typed command (SCSI
//! or NVMe) with `-v`/`-vv` tracing, and turning the device's refusals into exit statuses.

use crate::cli::BridgeChoice;
use crate::exit::{ExitStatus, Failure};
use crate::output::Output;
use anyhow::Result;
use cdb::command::{DataPhase, ScsiCommand};
use cdb::nvme::NvmeCommand;
use integrity::nvme_target::NvmeBlockTarget;
use integrity::scsi_target::ScsiBlockTarget;
use integrity::target::BlockTarget;
use std::sync::OnceLock;
use std::time::Duration;
use transports::execute::{execute, ExecuteError, Executed};
use transports::nvme::{NvmeError, NvmeExecuted, NvmeTransport};
use transports::open::{open_with, Access, Device, OpenError, OpenOptions};
use transports::scsi::{ScsiTransport, TransportError};
use transports::tunnel::{Bridge, TunnelledNvme};
use transports::usb::UsbProtocol;

/// The global flags that choose how devices are opened and reached.
#[derive(Debug, Clone, Copy)]
pub struct DeviceFlags {
    /// `--usb-proto`.
    pub usb_protocol: UsbProtocol,
    /// `--bridge`.
    pub bridge: Option<BridgeChoice>,
    /// `-v` count: the USB wire trace's level.
    pub wire_trace: u8,
}

/// The flags of this run, set once by [`configure`].
static FLAGS: OnceLock<DeviceFlags> = OnceLock::new();

/// Records the global device flags for every later open.
pub fn configure(flags: DeviceFlags) {
    let _ = FLAGS.set(flags);
}

/// The global `--bridge` flag of this run.
pub fn bridge_flag() -> Option<BridgeChoice> {
    FLAGS.get().and_then(|flags| flags.bridge)
}

/// How long one command may take.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// Opens `name` for `access`: a name scsitool cannot open, or a node of the wrong kind, is
/// a usage error; a device that cannot be built or opened (permissions, a medium's I/O
/// error) is not.
pub fn open_device(name: &str, access: Access) -> Result<Device> {
    let mut options = OpenOptions::new(access);
    if let Some(flags) = FLAGS.get() {
        options.usb_protocol = flags.usb_protocol;
        options.wire_trace = flags.wire_trace;
    }
    open_with(name, &options).map_err(|error| {
        let status = match error {
            OpenError::Unsupported(_)
            | OpenError::NotYet { .. }
            | OpenError::Uri(_)
            | OpenError::WrongKind { .. }
            | OpenError::UsbName(_) => ExitStatus::Usage,
            #[cfg(target_os = "linux")]
            OpenError::Node(_) => ExitStatus::Usage,
            OpenError::Usb(TransportError::Refused(_)) => ExitStatus::Usage,
            OpenError::Usb(_) => ExitStatus::Transport,
            OpenError::Sim(_) | OpenError::Os(_) => ExitStatus::Other,
        };
        Failure::new(status, error.to_string()).into()
    })
}

/// Refuses a destructive command on a device that holds mounted filesystems or active
/// swap (on itself, a partition, or a device stacked on it), naming what is in use.
pub fn ensure_unused(name: &str) -> Result<()> {
    let uses = transports::open::in_use(name);
    if uses.is_empty() {
        return Ok(());
    }
    Err(Failure::usage(format!(
        "refusing to change {name}: it is in use ({}); unmount it first",
        uses.join(", ")
    ))
    .into())
}

/// Opens `name` as a block device for reading and writing logical blocks: a SCSI logical
/// unit or NVMe namespace 1, its geometry read.
pub fn open_block(name: &str, access: Access) -> Result<Box<dyn BlockTarget>> {
    let geometry = |e: &dyn std::fmt::Display| Failure::usage(format!("{name}: {e}"));
    Ok(match open_device(name, access)? {
        Device::Scsi(t) => Box::new(ScsiBlockTarget::new(t).map_err(|e| geometry(&e))?),
        Device::Nvme(t) => Box::new(NvmeBlockTarget::new(t, 1).map_err(|e| geometry(&e))?),
    })
}

/// Opens `name` as a SCSI logical unit.
pub fn open_scsi(name: &str, access: Access) -> Result<Box<dyn ScsiTransport>> {
    match open_device(name, access)? {
        Device::Scsi(transport) => Ok(transport),
        Device::Nvme(_) => Err(Failure::usage(format!(
            "{name} is an NVMe device; this command needs a SCSI device"
        ))
        .into()),
    }
}

/// Opens `name` as an NVMe controller: an NVMe device, or a SCSI device that is a
/// USB–NVMe bridge reached through its tunnel — the one `--bridge` names, else the one
/// the VID:PID table gives.
pub fn open_nvme(name: &str, access: Access) -> Result<Box<dyn NvmeTransport>> {
    let named = bridge_flag();
    match open_device(name, access)? {
        Device::Nvme(transport) => Ok(transport),
        Device::Scsi(transport) => {
            let bridge = match named {
                Some(BridgeChoice::Tunnel(bridge)) => Some(bridge),
                Some(BridgeChoice::None) => None,
                None => transport.usb_id().and_then(Bridge::for_usb_id),
            };
            match bridge {
                Some(bridge) => Ok(Box::new(TunnelledNvme::new(transport, bridge))),
                None if named == Some(BridgeChoice::None) => Err(Failure::usage(format!(
                    "{name} is a SCSI device and --bridge none forbids an NVMe tunnel"
                ))
                .into()),
                None => Err(Failure::usage(format!(
                    "{name} is a SCSI device and not a known USB–NVMe bridge; nvme commands \
                     need an NVMe device (e.g. sim:nvme) or a bridge with an NVMe tunnel \
                     (name it with --bridge asmedia|realtek|jmicron)"
                ))
                .into()),
            }
        }
    }
}

/// Runs `command`, tracing the wire at `-v` (CDB, sense) and `-vv` (data), and maps a
/// failure to its exit status.
pub fn run<C: ScsiCommand>(
    out: Output,
    transport: &mut dyn ScsiTransport,
    command: &C,
) -> Result<Executed<C::Response>> {
    traced(out, transport, command).map_err(failure)
}

/// Runs `command` with the `-v`/`-vv` tracing of [`run`], but hands back the device's
/// refusal as it came ([`ExecuteError::Device`] carries the reply and decoded sense), for
/// commands such as `raw` that report the answer whatever it is.
pub fn traced<C: ScsiCommand>(
    out: Output,
    transport: &mut dyn ScsiTransport,
    command: &C,
) -> Result<Executed<C::Response>, ExecuteError> {
    if out.verbose >= 1 {
        out.trace(
            1,
            &format!("{} CDB", command.name()),
            command.cdb().as_bytes(),
        );
    }
    if let DataPhase::Out(data) = command.data_phase() {
        out.trace(2, "data-out", data);
    }
    match execute(transport, command, TIMEOUT) {
        Ok(done) => {
            for ua in &done.unit_attentions {
                if out.verbose >= 1 {
                    eprintln!(
                        "unit attention, command reissued: {}",
                        ua.to_string().trim_end()
                    );
                }
            }
            if !done.reply.sense.is_empty() {
                out.trace(1, "sense", &done.reply.sense);
            }
            out.trace(2, "data-in", &done.data_in);
            Ok(done)
        }
        Err(error) => {
            match &error {
                ExecuteError::Transport(_) => {}
                ExecuteError::Device { reply, .. } => out.trace(1, "sense", &reply.sense),
                ExecuteError::Decode { data_in, .. } => out.trace(1, "data-in", data_in),
            }
            Err(error)
        }
    }
}

/// Submits an NVMe `command`, tracing the wire at `-v` (submission and completion queue
/// entries) and `-vv` (data), and maps an error status to its exit status
/// ([`ExitStatus::for_nvme`]).
pub fn run_nvme<C: NvmeCommand>(
    out: Output,
    transport: &mut dyn NvmeTransport,
    command: &C,
) -> Result<NvmeExecuted<C::Response>> {
    out.trace(
        1,
        &format!("{} submission queue entry", command.name()),
        &command.entry().to_bytes(),
    );
    if let DataPhase::Out(data) = command.data_phase() {
        out.trace(2, "data-out", data);
    }
    match transports::nvme::execute(transport, command, TIMEOUT) {
        Ok(done) => {
            out.trace(1, "completion queue entry", &done.completion.to_bytes());
            out.trace(2, "data-in", &done.data_in);
            Ok(done)
        }
        Err(error) => Err(nvme_failure(out, error)),
    }
}

/// Sends `command` as [`run_nvme`] does, with its data-in landing in `buf` (of the
/// command's data-in length), and does not decode it: for a command repeated for its
/// rate, whose answers are compared as bytes.
pub fn submit_nvme_into<C: NvmeCommand>(
    out: Output,
    transport: &mut dyn NvmeTransport,
    command: &C,
    buf: &mut [u8],
) -> Result<()> {
    if !matches!(command.data_phase(), DataPhase::In(len) if len as usize == buf.len()) {
        let message = format!(
            "{}: a data-in buffer of {} bytes",
            command.name(),
            buf.len()
        );
        return Err(Failure::new(ExitStatus::Other, message).into());
    }
    let entry = command.entry();
    out.trace(
        1,
        &format!("{} submission queue entry", command.name()),
        &entry.to_bytes(),
    );
    let data = transports::scsi::DataBuffer::In(&mut *buf);
    let completion = transport
        .submit(command.queue(), &entry, data, TIMEOUT)
        .map_err(|e| nvme_failure(out, NvmeError::Transport(e)))?;
    if !completion.status.is_success() {
        let error = NvmeError::Device {
            command: command.name(),
            status: completion.status,
            completion,
        };
        return Err(nvme_failure(out, error));
    }
    out.trace(1, "completion queue entry", &completion.to_bytes());
    out.trace(2, "data-in", buf);
    Ok(())
}

/// The failure an NVMe execution error ends the process with, its completion queue entry
/// or data traced at `-v`.
fn nvme_failure(out: Output, error: NvmeError) -> anyhow::Error {
    let status = match &error {
        NvmeError::Transport(e) => transport_status(e),
        NvmeError::Device {
            status, completion, ..
        } => {
            out.trace(1, "completion queue entry", &completion.to_bytes());
            ExitStatus::for_nvme(*status)
        }
        NvmeError::Decode { data_in, .. } => {
            out.trace(1, "data-in", data_in);
            ExitStatus::Other
        }
    };
    Failure::new(status, error.to_string()).into()
}

/// The exit status an execution error ends the process with: transport failures 8, device
/// refusals by [`ExitStatus::for_device`], undecodable data 1.
fn exit_status(error: &ExecuteError) -> ExitStatus {
    match error {
        ExecuteError::Transport(e) => transport_status(e),
        ExecuteError::Device { status, sense, .. } => {
            ExitStatus::for_device(*status, sense.as_deref())
        }
        ExecuteError::Decode { .. } => ExitStatus::Other,
    }
}

/// A transport error's exit status: a request the transport refused before sending it
/// (too long for the device, a CDB it cannot carry) is a usage error; anything else is a
/// transport failure.
fn transport_status(error: &TransportError) -> ExitStatus {
    match error {
        TransportError::Refused(_) => ExitStatus::Usage,
        _ => ExitStatus::Transport,
    }
}

/// An execution error as the [`Failure`] that ends the process with its exit status.
pub fn failure(error: ExecuteError) -> anyhow::Error {
    Failure::new(exit_status(&error), error.to_string()).into()
}

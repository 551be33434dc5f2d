//! The USB wire, shown: [`Traced`] wraps any [`UsbDevice`] and writes each transfer as the
//! host sees it — control requests, CBWs and CSWs (BOT 5.1, 5.2), UAS IUs (UAS-2 6.2) with
//! their fields decoded and their bytes in hex, data phases by length (and in hex at level
//! 2), STALLs, timeouts, port resets.
//!
//! What a bulk transfer carries is learnt from the wire itself: the configuration
//! descriptor read during enumeration (USB 2.0 9.6.3) and SET_INTERFACE (9.4.10) say
//! which alternate setting, and so which protocol and UAS pipe (UAS-2 5.3.3.2), each
//! endpoint belongs to. On a Bulk-Only endpoint a 31-byte OUT transfer that parses as a
//! CBW is one, and a 13-byte IN transfer that parses as a CSW answering the last CBW's tag
//! is one; everything else is data.

use cdb::usb::bot::{Cbw, Csw, CBW_LEN, CSW_LEN};
use cdb::usb::descriptor::{Configuration, PipeId, CONFIGURATION, PROTOCOL_UAS};
use cdb::usb::request::{SetupPacket, GET_DESCRIPTOR, RECIPIENT_INTERFACE, SET_INTERFACE};
use cdb::usb::uas::Iu;
use emulator::usb::device::{
    Completion, Speed, Transfer, TransferData, TransferId, Transferred, UsbDevice,
};
use emulator::usb::{UsbError, UsbResult};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::time::Duration;

/// Bytes per line of a hex dump.
const HEX_LINE: usize = 16;

/// A USB device whose transfers are written to `sink` as they happen. It does not offer
/// [`UsbDevice::submit_into`]: every data-in transfer comes through a buffer of its own,
/// so that the trace shows its bytes.
pub struct Traced<D> {
    device: D,
    sink: Box<dyn Write + Send>,
    /// 1: control requests and protocol blocks (CBW, CSW, IUs); 2: data in hex too.
    level: u8,
    /// The configuration descriptor, once read in full.
    configuration: Option<Configuration>,
    /// The alternate setting in effect, by interface number.
    alternates: BTreeMap<u8, u8>,
    /// The last CBW's tag, to recognise its CSW.
    cbw_tag: Option<u32>,
    /// Submitted transfers not yet reaped.
    pending: BTreeMap<TransferId, Transfer>,
}

impl<D> std::fmt::Debug for Traced<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Traced")
            .field("level", &self.level)
            .finish()
    }
}

/// What one endpoint carries, by its alternate setting's protocol and UAS pipe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A Bulk-Only bulk endpoint: CBW, data, CSW.
    BulkOnly,
    /// A UAS command or status pipe: IUs.
    Iu,
    /// A UAS data pipe, or an endpoint not described.
    Data,
}

impl<D: UsbDevice> Traced<D> {
    /// Wraps `device`, writing at `level` (1 or more) to `sink`.
    pub fn new(device: D, level: u8, sink: Box<dyn Write + Send>) -> Self {
        Traced {
            device,
            sink,
            level,
            configuration: None,
            alternates: BTreeMap::new(),
            cbw_tag: None,
            pending: BTreeMap::new(),
        }
    }

    /// The wrapped device.
    pub fn device_mut(&mut self) -> &mut D {
        &mut self.device
    }

    /// Writes one line; a sink that fails loses the trace, never the command.
    fn line(&mut self, text: &str) {
        let _ = writeln!(self.sink, "usb: {text}");
    }

    /// What `endpoint` carries in the alternate settings in effect.
    fn role(&self, endpoint: u8) -> Role {
        let Some(configuration) = &self.configuration else {
            return Role::BulkOnly;
        };
        configuration
            .interfaces
            .iter()
            .filter_map(|interface| {
                let alternate = self
                    .alternates
                    .get(&interface.interface_number)
                    .copied()
                    .unwrap_or(0);
                configuration.alternate(interface.interface_number, alternate)
            })
            .find_map(|alternate| {
                let found = alternate
                    .endpoints
                    .iter()
                    .find(|e| e.endpoint_address == endpoint)?;
                Some(match (alternate.interface_protocol, found.pipe) {
                    (PROTOCOL_UAS, Some(PipeId::Command | PipeId::Status)) => Role::Iu,
                    (PROTOCOL_UAS, _) => Role::Data,
                    _ => Role::BulkOnly,
                })
            })
            .unwrap_or(Role::Data)
    }

    /// Writes one bulk transfer: what it was and what it moved, or how it failed.
    fn bulk(&mut self, endpoint: u8, stream: u16, outcome: Result<&[u8], UsbError>, out: bool) {
        let arrow = if out { "OUT" } else { "IN " };
        let place = if stream == 0 {
            format!("{arrow} ep {endpoint:02x}")
        } else {
            format!("{arrow} ep {endpoint:02x} stream {stream}")
        };
        let bytes = match outcome {
            Ok(bytes) => bytes,
            Err(error) => return self.line(&format!("{place}: {}", usb_failure(error))),
        };
        let (what, hex) = match self.role(endpoint) {
            Role::BulkOnly => self.bulk_only(bytes, out),
            Role::Iu => match Iu::parse(bytes) {
                Ok(iu) => (describe_iu(&iu), true),
                Err(e) => (format!("not an IU ({e})"), true),
            },
            Role::Data => (data(bytes, out), false),
        };
        self.line(&format!("{place}: {what}"));
        if hex || self.level >= 2 {
            let dump = hexdump(bytes);
            let _ = self.sink.write_all(dump.as_bytes());
        }
    }

    /// A Bulk-Only transfer: a CBW, the CSW answering it, or data.
    fn bulk_only(&mut self, bytes: &[u8], out: bool) -> (String, bool) {
        if out && bytes.len() == CBW_LEN {
            if let Ok(cbw) = Cbw::parse(bytes) {
                self.cbw_tag = Some(cbw.tag.get());
                return (describe_cbw(&cbw), true);
            }
        }
        if !out && bytes.len() == CSW_LEN {
            if let Ok(csw) = Csw::parse(bytes) {
                if Some(csw.tag.get()) == self.cbw_tag {
                    return (describe_csw(&csw), true);
                }
            }
        }
        (data(bytes, out), false)
    }

    /// Notes what enumeration tells about the endpoints.
    fn learn(&mut self, setup: &SetupPacket, answer: &[u8]) {
        let descriptor_type = (setup.value.get() >> 8) as u8;
        if setup.request == GET_DESCRIPTOR && descriptor_type == CONFIGURATION {
            if let Ok(configuration) = Configuration::parse(answer) {
                self.configuration = Some(configuration);
            }
        }
    }
}

impl<D: UsbDevice> UsbDevice for Traced<D> {
    fn speed(&self) -> Speed {
        self.device.speed()
    }

    fn control_in(&mut self, setup: SetupPacket) -> UsbResult {
        let result = self.device.control_in(setup);
        if let Ok(answer) = &result {
            self.learn(&setup, answer);
        }
        let outcome = result.as_ref().map(Vec::as_slice).map_err(|e| *e);
        self.control(&setup, outcome);
        result
    }

    fn control_out(&mut self, setup: SetupPacket, data: &[u8]) -> Result<(), UsbError> {
        let result = self.device.control_out(setup, data);
        // SET_INTERFACE (USB 2.0 9.4.10): wIndex holds the interface, wValue the alternate.
        let set_interface =
            setup.request == SET_INTERFACE && setup.request_type == RECIPIENT_INTERFACE;
        if result.is_ok() && set_interface {
            let [interface, _] = setup.index.get().to_le_bytes();
            let [alternate, _] = setup.value.get().to_le_bytes();
            self.alternates.insert(interface, alternate);
        }
        self.control(&setup, result.map(|()| data));
        result
    }

    fn bulk_out(&mut self, endpoint: u8, stream: u16, data: &[u8]) -> Result<usize, UsbError> {
        let result = self.device.bulk_out(endpoint, stream, data);
        self.bulk(
            endpoint,
            stream,
            result.map(|n| &data[..n.min(data.len())]),
            true,
        );
        result
    }

    fn bulk_in(&mut self, endpoint: u8, stream: u16, max: usize) -> UsbResult {
        let result = self.device.bulk_in(endpoint, stream, max);
        let outcome = result.as_ref().map(Vec::as_slice).map_err(|e| *e);
        self.bulk(endpoint, stream, outcome, false);
        result
    }

    fn port_reset(&mut self) -> Result<(), UsbError> {
        let result = self.device.port_reset();
        match result {
            Ok(()) => self.line("port reset"),
            Err(e) => self.line(&format!("port reset: {}", usb_failure(e))),
        }
        result
    }

    fn submit(&mut self, transfer: Transfer) -> Result<TransferId, UsbError> {
        let result = self.device.submit(transfer.clone());
        match result {
            Ok(id) => {
                self.pending.insert(id, transfer);
            }
            Err(e) => {
                let place = format!("submit ep {:02x}", transfer.endpoint);
                self.line(&format!("{place}: {}", usb_failure(e)));
            }
        }
        result
    }

    fn reap(&mut self, timeout: Duration) -> Result<Completion, UsbError> {
        let result = self.device.reap(timeout);
        if let Ok(completion) = &result {
            if let Some(transfer) = self.pending.remove(&completion.id) {
                let (stream, endpoint) = (transfer.stream, transfer.endpoint);
                match (&completion.result, &transfer.data) {
                    (Ok(Transferred::In(bytes)), _) => {
                        self.bulk(endpoint, stream, Ok(bytes), false)
                    }
                    (Ok(Transferred::Out(n)), TransferData::Out(bytes)) => {
                        let sent = &bytes[..(*n).min(bytes.len())];
                        self.bulk(endpoint, stream, Ok(sent), true)
                    }
                    // A transfer traced here was submitted with its own buffer.
                    (Ok(Transferred::Out(_)), TransferData::In(_))
                    | (Ok(Transferred::Received(_)), _) => {}
                    (Err(e), data) => {
                        let out = matches!(data, TransferData::Out(_));
                        self.bulk(endpoint, stream, Err(*e), out)
                    }
                }
            }
        }
        result
    }

    fn discard(&mut self, id: TransferId) -> Result<(), UsbError> {
        if let Some(transfer) = self.pending.remove(&id) {
            let stream = transfer.stream;
            self.line(&format!(
                "discarded the pending transfer on ep {:02x} stream {stream}",
                transfer.endpoint
            ));
        }
        self.device.discard(id)
    }

    fn alloc_streams(&mut self, endpoints: &[u8], streams: u16) -> Result<u16, UsbError> {
        let result = self.device.alloc_streams(endpoints, streams);
        let list: Vec<String> = endpoints.iter().map(|e| format!("{e:02x}")).collect();
        match result {
            Ok(n) => self.line(&format!("{n} streams on ep {}", list.join(", "))),
            Err(e) => self.line(&format!(
                "streams on ep {}: {}",
                list.join(", "),
                usb_failure(e)
            )),
        }
        result
    }

    fn set_timeout(&mut self, timeout: Duration) {
        self.device.set_timeout(timeout);
    }
}

impl<D: UsbDevice> Traced<D> {
    /// Writes one control transfer: the setup packet and the data stage's length.
    fn control(&mut self, setup: &SetupPacket, outcome: Result<&[u8], UsbError>) {
        let head = format!(
            "control {:02x} {:02x} wValue {:04x} wIndex {:04x} wLength {}",
            setup.request_type,
            setup.request,
            setup.value.get(),
            setup.index.get(),
            setup.length.get()
        );
        match outcome {
            Ok(bytes) if self.level >= 2 && !bytes.is_empty() => {
                self.line(&format!("{head}: {} bytes", bytes.len()));
                let dump = hexdump(bytes);
                let _ = self.sink.write_all(dump.as_bytes());
            }
            Ok(bytes) => self.line(&format!("{head}: {} bytes", bytes.len())),
            Err(e) => self.line(&format!("{head}: {}", usb_failure(e))),
        }
    }
}

/// A CBW's fields (BOT 5.1).
fn describe_cbw(cbw: &Cbw) -> String {
    let direction = if cbw.is_data_in() { "in" } else { "out" };
    let cdb = cbw.command_block().map(hex_inline).unwrap_or_default();
    format!(
        "CBW tag {:08x} LUN {} length {} {direction} CDB {cdb}",
        cbw.tag.get(),
        cbw.lun,
        cbw.data_transfer_length.get()
    )
}

/// A CSW's fields (BOT 5.2).
fn describe_csw(csw: &Csw) -> String {
    let status = match csw.status() {
        Ok(status) => format!("{status:?}"),
        Err(_) => format!("{:02x}h (not defined)", csw.status),
    };
    format!(
        "CSW tag {:08x} status {status} residue {}",
        csw.tag.get(),
        csw.data_residue.get()
    )
}

/// An IU's fields (UAS-2 6.2).
fn describe_iu(iu: &Iu) -> String {
    match iu {
        Iu::Command(c) => {
            let length = cdb::scsi::opcode::expected_len(&c.cdb).unwrap_or(c.cdb.len());
            let cdb = hex_inline(c.cdb.get(..length).unwrap_or(&c.cdb));
            format!(
                "Command IU tag {} LUN {} CDB {cdb}",
                c.tag,
                hex_inline(&c.lun)
            )
        }
        Iu::Sense(s) => format!(
            "Sense IU tag {} status {} ({:02x}h), {} bytes of sense",
            s.tag,
            s.status.name(),
            u8::from(s.status),
            s.sense_data.len()
        ),
        Iu::Response(r) => format!("Response IU tag {} {:?}", r.tag, r.response_code),
        Iu::TaskManagement(t) => format!(
            "Task Management IU tag {} {:?} of task {}",
            t.tag, t.function, t.task_tag
        ),
        Iu::ReadReady { tag } => format!("Read Ready IU tag {tag}"),
        Iu::WriteReady { tag } => format!("Write Ready IU tag {tag}"),
    }
}

/// A data transfer by length.
fn data(bytes: &[u8], out: bool) -> String {
    let what = if out { "data-out" } else { "data-in" };
    format!("{what} {} bytes", bytes.len())
}

/// How a transfer failed, as the host controller reports it.
fn usb_failure(error: UsbError) -> &'static str {
    match error {
        UsbError::Stall => "STALL",
        UsbError::Disconnected => "the device left the bus",
        UsbError::Timeout => "no answer (NAK until the timeout)",
        UsbError::NotFound => "no such endpoint in the alternate setting in effect",
        UsbError::InvalidParam => "refused by the host stack",
    }
}

/// Bytes as space-separated hex on one line.
fn hex_inline(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        let _ = write!(text, "{}{b:02x}", if i == 0 { "" } else { " " });
    }
    text
}

/// Bytes as indented lines of 16, each with its offset.
fn hexdump(bytes: &[u8]) -> String {
    let mut text = String::new();
    for (i, chunk) in bytes.chunks(HEX_LINE).enumerate() {
        let _ = writeln!(text, "     {:04x}  {}", i * HEX_LINE, hex_inline(chunk));
    }
    text
}

#[cfg(test)]
mod tests;

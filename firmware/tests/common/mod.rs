//! Shared by the firmware tests: wrapper transports that record every command sent (to
//! prove "nothing sent") and imitate devices the emulator does not configure through its
//! URI (a smaller transfer limit, fewer download modes, a BUSY answer, no firmware
//! commands), and images in the emulator's format.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use cdb::nvme::{Completion, Queue, SubmissionEntry};
use cdb::scsi::status::Status;
use firmware::Target;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use transports::nvme::NvmeTransport;
use transports::open::{open, Access, Device};
use transports::scsi::{DataBuffer, ScsiReply, ScsiRequest, ScsiTransport, TransportError, UsbId};

/// The commands a wrapper passed on: SCSI CDBs, or NVMe submission queue entries.
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<Vec<Vec<u8>>>>);

impl Log {
    fn push(&self, bytes: &[u8]) {
        self.0.lock().unwrap().push(bytes.to_vec());
    }

    /// Every command's bytes, in order.
    pub fn all(&self) -> Vec<Vec<u8>> {
        self.0.lock().unwrap().clone()
    }

    /// How many commands had `opcode` (CDB byte 0, or the SQE's OPC).
    pub fn count(&self, opcode: u8) -> usize {
        self.all()
            .iter()
            .filter(|c| c.first() == Some(&opcode))
            .count()
    }

    /// The commands with `opcode`.
    pub fn with_opcode(&self, opcode: u8) -> Vec<Vec<u8>> {
        self.all()
            .into_iter()
            .filter(|c| c.first() == Some(&opcode))
            .collect()
    }
}

/// WRITE BUFFER's operation code (SPC-5 6.49).
pub const WRITE_BUFFER: u8 = 0x3b;
/// Firmware Image Download's opcode (NVMe Base 2.0 5.14).
pub const FW_DOWNLOAD: u8 = 0x11;
/// Firmware Commit's opcode (NVMe Base 2.0 5.13).
pub const FW_COMMIT: u8 = 0x10;

/// A SCSI transport that records commands and can change what the device looks like.
pub struct Scsi {
    inner: Box<dyn ScsiTransport>,
    log: Log,
    /// Reported as the transport's transfer limit.
    pub max_transfer: Option<u64>,
    /// Replaces byte 19 (DM_MD_x) of the Extended INQUIRY Data VPD page (SPC-5 7.7.7).
    pub download_modes: Option<u8>,
    /// Answers this many WRITE BUFFER commands with BUSY (SAM-5 5.3) before passing them.
    pub busy: usize,
}

impl Scsi {
    pub fn new(inner: Box<dyn ScsiTransport>) -> (Self, Log) {
        let log = Log::default();
        let wrapper = Scsi {
            inner,
            log: log.clone(),
            max_transfer: None,
            download_modes: None,
            busy: 0,
        };
        (wrapper, log)
    }
}

impl ScsiTransport for Scsi {
    fn execute(&mut self, request: ScsiRequest<'_>) -> Result<ScsiReply, TransportError> {
        self.log.push(request.cdb);
        let cdb = request.cdb.to_vec();
        if cdb.first() == Some(&WRITE_BUFFER) && self.busy > 0 {
            self.busy -= 1;
            return Ok(ScsiReply {
                status: Status::Busy,
                sense: Vec::new(),
                transferred: 0,
            });
        }
        let is_vpd86 = cdb.len() >= 3 && cdb[0] == 0x12 && cdb[1] & 1 == 1 && cdb[2] == 0x86;
        match request.data {
            DataBuffer::In(buf) => {
                let reply = self.inner.execute(ScsiRequest {
                    cdb: &cdb,
                    data: DataBuffer::In(&mut *buf),
                    timeout: request.timeout,
                })?;
                if let (true, Some(modes)) = (is_vpd86, self.download_modes) {
                    if let Some(b) = buf.get_mut(19) {
                        *b = modes;
                    }
                }
                Ok(reply)
            }
            data => self.inner.execute(ScsiRequest {
                cdb: &cdb,
                data,
                timeout: request.timeout,
            }),
        }
    }

    fn describe(&self) -> String {
        format!("recording: {}", self.inner.describe())
    }

    fn usb_id(&self) -> Option<UsbId> {
        self.inner.usb_id()
    }

    fn max_transfer(&self) -> Option<u64> {
        self.max_transfer.or(self.inner.max_transfer())
    }

    fn power_cycle(&mut self) -> Result<(), TransportError> {
        self.inner.power_cycle()
    }
}

/// An NVMe transport that records commands and can change what the controller reports.
pub struct Nvme {
    inner: Box<dyn NvmeTransport>,
    log: Log,
    /// Reported as the transport's transfer limit.
    pub max_transfer: Option<u64>,
    /// Clears OACS bit 2 (firmware download and commit) in Identify Controller, as QEMU's
    /// controller reports it.
    pub no_firmware_commands: bool,
}

impl Nvme {
    pub fn new(inner: Box<dyn NvmeTransport>) -> (Self, Log) {
        let log = Log::default();
        let wrapper = Nvme {
            inner,
            log: log.clone(),
            max_transfer: None,
            no_firmware_commands: false,
        };
        (wrapper, log)
    }
}

impl NvmeTransport for Nvme {
    fn submit(
        &mut self,
        queue: Queue,
        entry: &SubmissionEntry,
        data: DataBuffer<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        self.log.push(&entry.to_bytes());
        let identify_controller = entry.opc() == 0x06 && entry.cdw10.get() & 0xff == 1;
        match data {
            DataBuffer::In(buf) => {
                let done = self
                    .inner
                    .submit(queue, entry, DataBuffer::In(&mut *buf), timeout)?;
                if identify_controller && self.no_firmware_commands {
                    // OACS, bytes 256-257, bit 2 (NVMe Base 2.0 5.17.2.1).
                    if let Some(b) = buf.get_mut(256) {
                        *b &= !0x04;
                    }
                }
                Ok(done)
            }
            data => self.inner.submit(queue, entry, data, timeout),
        }
    }

    fn describe(&self) -> String {
        format!("recording: {}", self.inner.describe())
    }

    fn max_transfer(&self) -> Option<u64> {
        self.max_transfer.or(self.inner.max_transfer())
    }

    fn power_cycle(&mut self) -> Result<(), TransportError> {
        self.inner.power_cycle()
    }
}

/// Opens a `sim:` URI.
/// Why `outcome` failed with the device unchanged; any other outcome fails the test.
pub fn failed_unchanged(outcome: &firmware::Outcome) -> &str {
    match outcome {
        firmware::Outcome::FailedUnchanged { why } => why,
        other => panic!("failed unchanged expected: {other:?}"),
    }
}

pub fn device(uri: &str) -> Device {
    open(uri, Access::Write).unwrap_or_else(|e| panic!("{uri}: {e}"))
}

/// The SCSI transport of a `sim:` URI, recorded.
pub fn scsi(uri: &str) -> (Scsi, Log) {
    match device(uri) {
        Device::Scsi(t) => Scsi::new(t),
        Device::Nvme(_) => panic!("{uri} is an NVMe device"),
    }
}

/// The NVMe transport of a `sim:` URI, recorded.
pub fn nvme(uri: &str) -> (Nvme, Log) {
    match device(uri) {
        Device::Nvme(t) => Nvme::new(t),
        Device::Scsi(_) => panic!("{uri} is a SCSI device"),
    }
}

/// A SCSI target from a recorded transport.
pub fn scsi_target(t: Scsi) -> Target {
    Target::Scsi(Box::new(t))
}

/// An NVMe target from a recorded transport.
pub fn nvme_target(t: Nvme) -> Target {
    Target::Nvme {
        transport: Box::new(t),
        bridge: None,
    }
}

/// A SCSI microcode image installing `revision` (4 characters), `len` bytes in all.
pub fn scsi_image(revision: &str, len: usize) -> Vec<u8> {
    let overhead = emulator::image::SCSI.header_len() + emulator::image::TRAILER_LEN;
    emulator::image::SCSI.build(revision, &vec![0x5a; len - overhead])
}

/// An NVMe firmware image installing `revision` (8 characters), `len` bytes in all.
pub fn nvme_image(revision: &str, len: usize) -> Vec<u8> {
    let overhead = emulator::image::NVME.header_len() + emulator::image::TRAILER_LEN;
    emulator::image::NVME.build(revision, &vec![0xa5; len - overhead])
}

/// A state file path unique to one test.
pub fn state_path(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("fwtest-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("image.fwstate");
    let _ = std::fs::remove_file(&path);
    path
}

/// Update options for tests: short timeouts, no pause between retries.
pub fn options<'a>() -> firmware::update::UpdateOptions<'a> {
    let mut o = firmware::update::UpdateOptions::new();
    o.timeout = Duration::from_secs(5);
    o.download.chunk_timeout = Duration::from_secs(5);
    o.download.retry_delay = Duration::ZERO;
    o
}

/// BUFFER OFFSET (bytes 3–5) and PARAMETER LIST LENGTH (bytes 6–8) of a WRITE BUFFER CDB
/// (SPC-5 6.49).
pub fn offset_and_length(cdb: &[u8]) -> (u64, u64) {
    let be24 = |b: &[u8]| u64::from(b[0]) << 16 | u64::from(b[1]) << 8 | u64::from(b[2]);
    (be24(&cdb[3..6]), be24(&cdb[6..9]))
}

/// OFST × 4 and (NUMD + 1) × 4 of a Firmware Image Download entry (NVMe Base 2.0 5.14):
/// CDW11 at bytes 44–47 and CDW10 at bytes 40–43, little-endian.
pub fn nvme_offset_and_length(sqe: &[u8]) -> (u64, u64) {
    let le32 = |at: usize| {
        u64::from(u32::from_le_bytes([
            sqe[at],
            sqe[at + 1],
            sqe[at + 2],
            sqe[at + 3],
        ]))
    };
    (le32(44) * 4, (le32(40) + 1) * 4)
}

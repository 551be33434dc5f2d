//! An emulated NVMe controller with one namespace (NSID 1) over any
//! [`BlockDevice`] (NVMe Base 2.0, NVM Command Set 1.0).
//!
//! A transport hands each submission queue entry to [`Controller::submit`] with the
//! host's data buffers and gets the completion queue entry back (Base 2.0 4.6). Admin:
//! Identify CNS 00h/01h/02h, Get Log Page 01h/02h/03h, Get/Set Features 06h (Volatile
//! Write Cache), Firmware Image Download and Firmware Commit. I/O: Flush, Read, Write.
//! Every other opcode gets Invalid Command Opcode with DNR (status field 4001h), as QEMU's
//! controller answers. Queue management (create/delete queues, Abort, Asynchronous Event
//! Request) belongs to the transport and is not modelled here.
//!
//! Firmware that a committed incomplete image broke (see
//! [`FirmwareConfig::brick_on_incomplete`]) answers every I/O command with Namespace Not
//! Ready (82h, NVM Command Set 1.0) and DNR: the namespace exists but cannot be accessed,
//! and retrying will not help until a valid image is committed.
//!
//! Statuses: every rejection sets DNR and adds an Error Information log entry; the More
//! bit is never set. SQHD and the Phase Tag are the transport's to fill.

mod config;
mod features;
mod firmware;
mod health;
mod identify;
mod io;
mod log;
mod reply;

#[cfg(test)]
mod tests;

pub use config::{Config, FirmwareConfig};

use crate::block::{BlockDevice, BlockError};
use cdb::nvme::features::{OPC_GET_FEATURES, OPC_SET_FEATURES};
use cdb::nvme::firmware::{OPC_FIRMWARE_COMMIT, OPC_FIRMWARE_IMAGE_DOWNLOAD};
use cdb::nvme::identify::OPC_IDENTIFY;
use cdb::nvme::log_page::OPC_GET_LOG_PAGE;
use cdb::nvme::nvm::{OPC_FLUSH, OPC_READ, OPC_WRITE};
use cdb::nvme::{Completion, Queue, ResetKind, SubmissionEntry};
use firmware::Firmware;
use health::{ErrorRecord, Health};
use reply::{generic, Outcome, Reject};
use std::fmt;

/// The namespace identifier of the controller's only namespace.
const NSID: u32 = 1;

/// Why a controller could not be built over a block device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControllerError {
    /// NVMe LBA data sizes are powers of two of at least 512 bytes (NVM Command Set 1.0
    /// 4.1.5.1, LBADS ≥ 9); the device's block size is not.
    BlockSize(u32),
    /// Setting the device's write cache to the configured default failed.
    Device(BlockError),
}

impl fmt::Display for ControllerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ControllerError::BlockSize(size) => write!(
                f,
                "an NVMe namespace cannot have {size}-byte blocks (a power of two of at least 512)"
            ),
            ControllerError::Device(err) => write!(f, "setting the write cache: {err}"),
        }
    }
}

impl std::error::Error for ControllerError {}

/// An NVMe I/O controller with one namespace over a block device (Base 2.0 3.1).
pub struct Controller<D> {
    device: D,
    config: Config,
    firmware: Firmware,
    health: Health,
}

/// Copies as much of `data` as fits into `out` (data-in is bounded by the host's buffer).
fn copy_in(data: &[u8], out: &mut [u8]) {
    let n = data.len().min(out.len());
    out[..n].copy_from_slice(&data[..n]);
}

impl<D: BlockDevice> Controller<D> {
    /// A powered-on controller over `device`, running the firmware in slot 1, with the
    /// write cache set to the configured default.
    pub fn new(mut device: D, config: Config) -> Result<Self, ControllerError> {
        let size = device.block_size();
        if !size.is_power_of_two() || size < 512 {
            return Err(ControllerError::BlockSize(size));
        }
        device
            .set_write_cache(config.write_cache_default)
            .map_err(ControllerError::Device)?;
        Ok(Controller {
            firmware: Firmware::new(&config.firmware, config.firmware_revision),
            health: Health::new(),
            device,
            config,
        })
    }

    /// Executes one command submitted to `queue` (Base 2.0 4.2) and returns its
    /// completion queue entry (Base 2.0 4.6): Dword 0, the status field, the CID echoed and
    /// SQID 0 for the admin queue, 1 for the I/O queue. `data_out` holds what the host
    /// sends; data-in is written to `data_in`, at most its length.
    pub fn submit(
        &mut self,
        queue: Queue,
        sqe: &SubmissionEntry,
        data_out: &[u8],
        data_in: &mut [u8],
    ) -> Completion {
        let sqid = match queue {
            Queue::Admin => 0,
            Queue::Io => 1,
        };
        let outcome = self.execute(queue, sqe, data_out, data_in);
        let (dw0, status) = match outcome {
            Ok(done) => (done.dw0, done.status),
            Err(reject) => {
                self.health.error(ErrorRecord {
                    sqid,
                    cid: sqe.cid(),
                    status: reject.status,
                    lba: reject.lba,
                    nsid: sqe.nsid.get(),
                });
                (0, reject.status)
            }
        };
        Completion {
            dw0,
            dw1: 0,
            sqhd: 0,
            sqid,
            cid: sqe.cid(),
            phase: false,
            status,
        }
    }

    /// Dispatches on queue and opcode; fused operations and SGLs are not supported
    /// (Identify Controller FUSES and SGLS are zero), so FUSE and PSDT must be 0.
    fn execute(
        &mut self,
        queue: Queue,
        sqe: &SubmissionEntry,
        data_out: &[u8],
        data_in: &mut [u8],
    ) -> Outcome {
        let known = match queue {
            Queue::Admin => [
                OPC_GET_LOG_PAGE,
                OPC_IDENTIFY,
                OPC_SET_FEATURES,
                OPC_GET_FEATURES,
                OPC_FIRMWARE_COMMIT,
                OPC_FIRMWARE_IMAGE_DOWNLOAD,
            ]
            .contains(&sqe.opc()),
            Queue::Io => [OPC_FLUSH, OPC_WRITE, OPC_READ].contains(&sqe.opc()),
        };
        if !known {
            return Err(Reject::generic(generic::INVALID_OPCODE));
        }
        if sqe.fuse() != 0 || sqe.psdt() != 0 {
            return Err(Reject::invalid_field());
        }
        if queue == Queue::Io && self.firmware.bricked() {
            return Err(Reject::generic(generic::NAMESPACE_NOT_READY));
        }
        let fw = &self.config.firmware;
        match (queue, sqe.opc()) {
            (Queue::Admin, OPC_GET_LOG_PAGE) => self.get_log_page(sqe, data_in),
            (Queue::Admin, OPC_IDENTIFY) => self.identify(sqe, data_in),
            (Queue::Admin, OPC_SET_FEATURES) => self.set_features(sqe),
            (Queue::Admin, OPC_GET_FEATURES) => self.get_features(sqe),
            (Queue::Admin, OPC_FIRMWARE_COMMIT) => self.firmware.commit(fw, sqe),
            (Queue::Admin, _) => self.firmware.download(fw, sqe, data_out),
            (Queue::Io, OPC_FLUSH) => self.flush(sqe),
            (Queue::Io, _) => self.read_write(sqe, data_out, data_in),
        }
    }

    /// A reset of `kind` (Base 2.0 3.7): activates a committed image waiting for a reset
    /// at least this strong (an NVM Subsystem Reset includes a Conventional Reset, which
    /// includes a Controller Level Reset), discards a partial firmware download, and
    /// returns the Volatile Write Cache feature to its default.
    pub fn reset(&mut self, kind: ResetKind) -> Result<(), BlockError> {
        self.firmware.reset(kind);
        self.device.set_write_cache(self.config.write_cache_default)
    }

    /// The controller's side of a power cycle: counted in the SMART / Health log's Power
    /// Cycles, and a reset as strong as any. Cutting the medium's power (losing what was
    /// not durable) is the block device's to do, before this.
    pub fn power_cycle(&mut self) -> Result<(), BlockError> {
        self.health.power_cycle();
        self.reset(ResetKind::NvmSubsystem)
    }

    /// The block device behind namespace 1 (its logical blocks are the namespace's, NVM
    /// Command Set 1.0 2.1).
    pub fn device(&self) -> &D {
        &self.device
    }

    /// The block device behind namespace 1, for fault injection and power cuts (whose
    /// effect on the volatile write cache Base 2.0 5.27.1.4 describes).
    pub fn device_mut(&mut self) -> &mut D {
        &mut self.device
    }

    /// The namespace's logical block size in bytes.
    fn block_size(&self) -> u32 {
        self.device.block_size()
    }
}

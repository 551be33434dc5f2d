//! An NVMe namespace as a [`BlockTarget`], over any NVMe transport: Read and Write with FUA
//! (NVM Command Set 1.0 3.2.4, 3.2.6), Flush (3.2.3), Identify Namespace for the geometry
//! and Identify Controller for MDTS (NVMe Base 2.0 5.17.2), and the Volatile Write Cache
//! feature 06h (Base 2.0 5.27.1.4).

use crate::scsi_target::DEFAULT_MAX_TRANSFER;
use crate::target::{BlockTarget, Geometry, TargetError, TIMEOUT};
use cdb::nvme::features::{GetFeatures, Select, SetFeatures, VolatileWriteCache};
use cdb::nvme::identify::{IdentifyController, IdentifyNamespace};
use cdb::nvme::nvm::{Flush, Read, Write};
use cdb::nvme::NvmeCommand;
use transports::nvme::{execute, NvmeError, NvmeExecuted, NvmeTransport};

/// The smallest memory page a controller supports (CAP.MPSMIN = 0): MDTS counts these.
const MIN_PAGE: u64 = 4096;

/// An NVMe namespace under verification.
pub struct NvmeBlockTarget {
    transport: Box<dyn NvmeTransport>,
    nsid: u32,
    geometry: Geometry,
}

/// Runs `command`, turning the transport's and the controller's failures into target
/// errors.
fn exec<C: NvmeCommand>(
    transport: &mut dyn NvmeTransport,
    command: &C,
) -> Result<NvmeExecuted<C::Response>, TargetError> {
    execute(transport, command, TIMEOUT).map_err(|error| match error {
        NvmeError::Transport(e) => TargetError::Transport(e.to_string()),
        other => TargetError::Device(other.to_string()),
    })
}

/// A builder's refusal as a target error.
fn unsupported(error: cdb::error::BuildError) -> TargetError {
    TargetError::Unsupported(error.to_string())
}

impl NvmeBlockTarget {
    /// Namespace `nsid`: its size and LBA format (Identify Namespace) and the transfer
    /// limit (MDTS, the transport's, at most [`DEFAULT_MAX_TRANSFER`]).
    pub fn new(mut transport: Box<dyn NvmeTransport>, nsid: u32) -> Result<Self, TargetError> {
        let id_ns = exec(
            transport.as_mut(),
            &IdentifyNamespace::new(nsid).map_err(unsupported)?,
        )?
        .response;
        let block_size = id_ns
            .lba_data_size()
            .and_then(|size| u32::try_from(size).ok())
            .filter(|size| *size >= 512 && size % 512 == 0)
            .ok_or_else(|| {
                TargetError::Unsupported(format!(
                    "namespace {nsid}: the LBA format in use is not a multiple of 512 bytes"
                ))
            })?;
        let mdts = exec(transport.as_mut(), &IdentifyController::controller())
            .ok()
            .and_then(|done| done.response.max_data_transfer_bytes(MIN_PAGE));
        let max = [transport.max_transfer(), mdts]
            .into_iter()
            .flatten()
            .fold(DEFAULT_MAX_TRANSFER, u64::min);
        let max_transfer = (max / u64::from(block_size)).max(1) * u64::from(block_size);
        Ok(NvmeBlockTarget {
            transport,
            nsid,
            geometry: Geometry {
                block_size,
                blocks: id_ns.nsze,
                // At most 1 MiB.
                max_transfer: max_transfer as u32,
            },
        })
    }
}

impl BlockTarget for NvmeBlockTarget {
    fn geometry(&self) -> Geometry {
        self.geometry
    }

    fn read(&mut self, lba: u64, buf: &mut [u8]) -> Result<(), TargetError> {
        let bs = self.geometry.block_size;
        let blocks = u32::try_from(buf.len() / bs as usize)
            .map_err(|_| TargetError::Unsupported("read too long".to_string()))?;
        let read = Read::new(self.nsid, lba, blocks, bs).map_err(unsupported)?;
        let data = exec(self.transport.as_mut(), &read)?.data_in;
        let n = data.len().min(buf.len());
        buf[..n].copy_from_slice(&data[..n]);
        if n < buf.len() {
            return Err(TargetError::Device(format!(
                "Read at LBA {lba} returned {n} of {} bytes",
                buf.len()
            )));
        }
        Ok(())
    }

    fn write(&mut self, lba: u64, data: &[u8], fua: bool) -> Result<(), TargetError> {
        let bs = self.geometry.block_size;
        let write = Write::new(self.nsid, lba, data, bs)
            .map_err(unsupported)?
            .with_flags(fua, false);
        exec(self.transport.as_mut(), &write).map(drop)
    }

    fn flush(&mut self) -> Result<(), TargetError> {
        let flush = Flush::new(self.nsid).map_err(unsupported)?;
        exec(self.transport.as_mut(), &flush).map(drop)
    }

    fn write_cache(&mut self) -> Result<Option<bool>, TargetError> {
        let get = GetFeatures::volatile_write_cache(Select::Current);
        let done = exec(self.transport.as_mut(), &get)?;
        Ok(Some(VolatileWriteCache::from_dw0(done.completion.dw0).wce))
    }

    fn set_write_cache(&mut self, enabled: bool) -> Result<(), TargetError> {
        let set = SetFeatures::volatile_write_cache(enabled, false);
        exec(self.transport.as_mut(), &set).map(drop)
    }

    fn power_cycle(&mut self) -> Result<(), TargetError> {
        self.transport
            .power_cycle()
            .map_err(|e| TargetError::Unsupported(e.to_string()))
    }

    fn describe(&self) -> String {
        format!("{}, namespace {}", self.transport.describe(), self.nsid)
    }
}

//! A SCSI direct-access logical unit as a [`BlockTarget`], over any SCSI transport: READ
//! and WRITE (10) or (16) with FUA (SBC-4 5.15, 5.40), SYNCHRONIZE CACHE (10) (SBC-4 5.24),
//! READ CAPACITY (SBC-4 5.20, 5.21), the Block Limits VPD page (SBC-4 6.6.4) and the
//! Caching mode page's WCE (SBC-4 7.5.7) through MODE SENSE/SELECT (10) (SPC-5 6.14, 6.12).

use crate::target::{BlockTarget, Geometry, TargetError, TIMEOUT};
use cdb::command::ScsiCommand;
use cdb::scsi::sbc::lba_cdb::{Sixteen, Ten};
use cdb::scsi::sbc::read_capacity::{ReadCapacity10, ReadCapacity16};
use cdb::scsi::sbc::read_write::{Read, RwOptions, Write};
use cdb::scsi::sbc::synchronize_cache::SynchronizeCache10;
use cdb::scsi::spc::inquiry::{Inquiry, InquiryData};
use cdb::scsi::spc::mode::wce::CACHING_PAGE;
use cdb::scsi::spc::mode::{
    set_wce, DecodedModePage, ModeParameters, ModeSelect10, ModeSense10, PageControl,
};
use cdb::scsi::spc::vpd::VpdPage;
use cdb::scsi::status::Status;
use transports::execute::{execute, execute_into, ExecuteError, Executed};
use transports::scsi::{DataBuffer, ScsiRequest, ScsiTransport};

/// The largest transfer verification uses when nothing smaller is known: 1 MiB.
pub const DEFAULT_MAX_TRANSFER: u64 = 1 << 20;
/// MODE SENSE (10) ALLOCATION LENGTH for the Caching page with block descriptors.
const MODE_SENSE_LENGTH: u16 = 512;
/// The Block Limits VPD page (SBC-4 6.6.4).
const BLOCK_LIMITS: u8 = 0xb0;

/// A SCSI logical unit under verification.
pub struct ScsiBlockTarget {
    transport: Box<dyn ScsiTransport>,
    geometry: Geometry,
}

impl ScsiBlockTarget {
    /// Reads the unit's capacity (READ CAPACITY (16), or (10) where (16) is refused) and
    /// transfer limits (the transport's, MAXIMUM TRANSFER LENGTH of the Block Limits page,
    /// at most [`DEFAULT_MAX_TRANSFER`]).
    pub fn new(mut transport: Box<dyn ScsiTransport>) -> Result<Self, TargetError> {
        let (last_lba, block_size) = match run(transport.as_mut(), &ReadCapacity16::default()) {
            Ok(data) => (
                data.returned_logical_block_address,
                data.logical_block_length,
            ),
            Err(_) => {
                let data = run(transport.as_mut(), &ReadCapacity10)?;
                (
                    u64::from(data.returned_logical_block_address),
                    data.logical_block_length,
                )
            }
        };
        if block_size == 0 || block_size % 512 != 0 {
            return Err(TargetError::Unsupported(format!(
                "logical block length {block_size} is not a multiple of 512 bytes"
            )));
        }
        let device_limit = match run(transport.as_mut(), &Inquiry::vpd(BLOCK_LIMITS)) {
            Ok(InquiryData::Vpd(VpdPage::BlockLimits(limits))) => limits
                .maximum_transfer_length
                .map(|blocks| u64::from(blocks) * u64::from(block_size)),
            _ => None,
        };
        let max = [transport.max_transfer(), device_limit]
            .into_iter()
            .flatten()
            .fold(DEFAULT_MAX_TRANSFER, u64::min);
        let max_transfer = (max / u64::from(block_size)).max(1) * u64::from(block_size);
        Ok(ScsiBlockTarget {
            transport,
            geometry: Geometry {
                block_size,
                blocks: last_lba.saturating_add(1),
                // At most 1 MiB.
                max_transfer: max_transfer as u32,
            },
        })
    }

    /// The Caching mode page's current and changeable values (MODE SENSE (10)).
    fn caching(&mut self) -> Result<(ModeParameters, ModeParameters), TargetError> {
        let mut sense = |pc| {
            let command =
                ModeSense10::new(pc, CACHING_PAGE, 0, MODE_SENSE_LENGTH).map_err(unsupported)?;
            run(self.transport.as_mut(), &command)
        };
        Ok((
            sense(PageControl::Current)?,
            sense(PageControl::Changeable)?,
        ))
    }
}

/// WCE of the Caching page in `parameters`, if it has one.
fn wce(parameters: &ModeParameters) -> Option<bool> {
    match &parameters.page(CACHING_PAGE, 0)?.decoded {
        Some(DecodedModePage::Caching(page)) => Some(page.wce),
        _ => None,
    }
}

/// Runs `command`, turning the transport's and the device's failures into target errors.
fn exec<C: ScsiCommand>(
    transport: &mut dyn ScsiTransport,
    command: &C,
) -> Result<Executed<C::Response>, TargetError> {
    execute(transport, command, TIMEOUT).map_err(target_error)
}

/// An execution error as a target error: no status is a transport failure, anything else
/// the device's.
fn target_error(error: ExecuteError) -> TargetError {
    match error {
        ExecuteError::Transport(e) => TargetError::Transport(e.to_string()),
        other => TargetError::Device(other.to_string()),
    }
}

/// Runs `command` as [`exec`] does, keeping only its decoded response.
fn run<C: ScsiCommand>(
    transport: &mut dyn ScsiTransport,
    command: &C,
) -> Result<C::Response, TargetError> {
    exec(transport, command).map(|done| done.response)
}

/// A builder's refusal as a target error.
fn unsupported(error: cdb::error::BuildError) -> TargetError {
    TargetError::Unsupported(error.to_string())
}

/// Sends `requests`, which may be in flight together (SAM-5 4.16), and returns the
/// positions of those that did not end GOOD with every byte moved: the caller sends each
/// of them again on its own, where unit attentions are retried and a failure is named.
fn queued(transport: &mut dyn ScsiTransport, requests: Vec<ScsiRequest<'_>>) -> Vec<usize> {
    let lengths: Vec<usize> = requests
        .iter()
        .map(|r| match &r.data {
            DataBuffer::In(buf) => buf.len(),
            DataBuffer::Out(bytes) => bytes.len(),
            DataBuffer::None => 0,
        })
        .collect();
    transport
        .execute_many(requests)
        .into_iter()
        .zip(lengths)
        .enumerate()
        .filter(|(_, (result, length))| {
            !matches!(result, Ok(reply) if reply.status == Status::Good && reply.transferred == *length)
        })
        .map(|(at, _)| at)
        .collect()
}

/// Whether an LBA range is addressable by a 10-byte CDB (32-bit LBA, 16-bit length).
fn fits_ten(lba: u64, blocks: u64) -> bool {
    lba.checked_add(blocks).is_some_and(|end| end <= 1 << 32) && blocks <= 0xffff
}

impl ScsiBlockTarget {
    /// The CDB of a READ of `len` bytes at `lba`, or (`write`: its data and FUA) of a
    /// WRITE: (10) where the range fits, else (16) (SBC-4 5.15, 5.16, 5.40, 5.41). Built by
    /// the typed commands, so the CDB's TRANSFER LENGTH and the buffer the request carries
    /// cannot disagree.
    fn rw_cdb(
        &self,
        lba: u64,
        len: usize,
        write: Option<(&[u8], bool)>,
    ) -> Result<Vec<u8>, TargetError> {
        let bs = self.geometry.block_size;
        let blocks = (len / bs as usize) as u64;
        let count = u32::try_from(blocks).map_err(|_| {
            TargetError::Unsupported(format!("a transfer of {blocks} blocks is too long"))
        })?;
        let options = |fua| RwOptions {
            fua,
            ..RwOptions::default()
        };
        let bytes = |cdb: cdb::command::Cdb| cdb.as_bytes().to_vec();
        let ten = fits_ten(lba, blocks);
        let cdb = match write {
            None if ten => Read::<Ten>::new(lba, count, bs, options(false)).map(|c| bytes(c.cdb())),
            None => Read::<Sixteen>::new(lba, count, bs, options(false)).map(|c| bytes(c.cdb())),
            Some((data, fua)) if ten => {
                Write::<Ten>::new(lba, data, bs, options(fua)).map(|c| bytes(c.cdb()))
            }
            Some((data, fua)) => {
                Write::<Sixteen>::new(lba, data, bs, options(fua)).map(|c| bytes(c.cdb()))
            }
        };
        cdb.map_err(unsupported)
    }
}

impl BlockTarget for ScsiBlockTarget {
    fn geometry(&self) -> Geometry {
        self.geometry
    }

    fn read(&mut self, lba: u64, buf: &mut [u8]) -> Result<(), TargetError> {
        let bs = self.geometry.block_size;
        let blocks = (buf.len() / bs as usize) as u64;
        let options = RwOptions::default();
        let count = u32::try_from(blocks).map_err(|_| {
            TargetError::Unsupported(format!("a read of {blocks} blocks is too long"))
        })?;
        let transport = self.transport.as_mut();
        // The data lands in `buf` itself (no copy: verification and `read` move the
        // whole device through here).
        let (reply, _) = if fits_ten(lba, blocks) {
            let read = Read::<Ten>::new(lba, count, bs, options).map_err(unsupported)?;
            execute_into(transport, &read, buf, TIMEOUT)
        } else {
            let read = Read::<Sixteen>::new(lba, count, bs, options).map_err(unsupported)?;
            execute_into(transport, &read, buf, TIMEOUT)
        }
        .map_err(target_error)?;
        // READ transfers every block it completes (SBC-4 5.15): short is a failure.
        if reply.transferred < buf.len() {
            return Err(TargetError::Device(format!(
                "READ at LBA {lba} returned {} of {} bytes",
                reply.transferred,
                buf.len()
            )));
        }
        Ok(())
    }

    fn read_many(&mut self, reads: &mut [(u64, &mut [u8])]) -> Result<(), TargetError> {
        let cdbs = reads
            .iter()
            .map(|(lba, buf)| self.rw_cdb(*lba, buf.len(), None))
            .collect::<Result<Vec<_>, _>>()?;
        let requests = cdbs
            .iter()
            .zip(reads.iter_mut())
            .map(|(cdb, (_, buf))| ScsiRequest {
                cdb,
                data: DataBuffer::In(buf),
                timeout: TIMEOUT,
            })
            .collect();
        for at in queued(self.transport.as_mut(), requests) {
            if let Some((lba, buf)) = reads.get_mut(at) {
                self.read(*lba, buf)?;
            }
        }
        Ok(())
    }

    fn write_many(&mut self, writes: &[(u64, &[u8])], fua: bool) -> Result<(), TargetError> {
        let cdbs = writes
            .iter()
            .map(|&(lba, data)| self.rw_cdb(lba, data.len(), Some((data, fua))))
            .collect::<Result<Vec<_>, _>>()?;
        let requests = cdbs
            .iter()
            .zip(writes)
            .map(|(cdb, &(_, data))| ScsiRequest {
                cdb,
                data: DataBuffer::Out(data),
                timeout: TIMEOUT,
            })
            .collect();
        for at in queued(self.transport.as_mut(), requests) {
            if let Some(&(lba, data)) = writes.get(at) {
                self.write(lba, data, fua)?;
            }
        }
        Ok(())
    }

    fn write(&mut self, lba: u64, data: &[u8], fua: bool) -> Result<(), TargetError> {
        let bs = self.geometry.block_size;
        let blocks = (data.len() / bs as usize) as u64;
        let options = RwOptions {
            fua,
            ..RwOptions::default()
        };
        if fits_ten(lba, blocks) {
            run(
                self.transport.as_mut(),
                &Write::<Ten>::new(lba, data, bs, options).map_err(unsupported)?,
            )
        } else {
            run(
                self.transport.as_mut(),
                &Write::<Sixteen>::new(lba, data, bs, options).map_err(unsupported)?,
            )
        }
    }

    fn flush(&mut self) -> Result<(), TargetError> {
        // LBA 0 and 0 blocks: the whole medium (SBC-4 5.24). The 10-byte form, because
        // some devices (QEMU's scsi-hd among them) have no SYNCHRONIZE CACHE (16).
        let command = SynchronizeCache10::new(false, 0, 0, 0).map_err(unsupported)?;
        run(self.transport.as_mut(), &command)
    }

    fn write_cache(&mut self) -> Result<Option<bool>, TargetError> {
        let (current, _) = self.caching()?;
        Ok(wce(&current))
    }

    fn set_write_cache(&mut self, enabled: bool) -> Result<(), TargetError> {
        let (current, changeable) = self.caching()?;
        if wce(&current) == Some(enabled) {
            return Ok(());
        }
        if wce(&changeable) != Some(true) {
            return Err(TargetError::Unsupported(
                "WCE is not changeable on this device (Caching mode page)".to_string(),
            ));
        }
        let select: ModeSelect10 = set_wce(&current, &changeable, enabled).map_err(unsupported)?;
        run(self.transport.as_mut(), &select)
    }

    fn power_cycle(&mut self) -> Result<(), TargetError> {
        self.transport
            .power_cycle()
            .map_err(|e| TargetError::Unsupported(e.to_string()))
    }

    fn describe(&self) -> String {
        self.transport.describe()
    }
}

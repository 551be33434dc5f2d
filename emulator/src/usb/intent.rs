//! What the device intends to transfer for a command (BOT 6.7: Dn, Di, Do): as its
//! target's firmware reinterprets the CDB, else as the CDB states it through the `cdb`
//! crate's decoder.

use crate::target::ScsiTarget;
use cdb::command::Direction;
use cdb::scsi::cdb_decode;

/// The device's intended data transfer (BOT 6.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Intent {
    /// Dn: no data.
    None,
    /// Di: up to this many bytes to the host.
    In(u64),
    /// Do: this many bytes from the host.
    Out(u64),
    /// The CDB does not tell (no typed layout): the device follows the host's CBW.
    Unknown,
}

/// The intent of `cdb` for logical unit `lun` of `target`: its vendor data phase if it
/// has one ([`ScsiTarget::vendor_data_phase`]), else the standard layout's, block counts
/// multiplied by the unit's block size (0 when the LUN has no logical unit, which moves
/// no data).
pub(super) fn of<T: ScsiTarget>(target: &T, lun: u16, cdb: &[u8]) -> Intent {
    if let Some(phase) = target.vendor_data_phase(lun, cdb) {
        return by_direction(phase);
    }
    let block_size = target.block_size(lun);
    let Some(data) = cdb_decode::decode(cdb).ok().and_then(|d| d.data) else {
        return Intent::Unknown;
    };
    if data.direction == Direction::None {
        return Intent::None;
    }
    let bytes = match (data.bytes, data.blocks) {
        (Some(bytes), _) => u64::from(bytes),
        (None, Some(blocks)) => u64::from(blocks) * u64::from(block_size),
        (None, None) => return Intent::Unknown,
    };
    by_direction((data.direction, bytes))
}

/// The intent of a transfer of `bytes` in `direction`.
fn by_direction((direction, bytes): (Direction, u64)) -> Intent {
    match (direction, bytes) {
        (Direction::None, _) | (_, 0) => Intent::None,
        (Direction::FromDevice, n) => Intent::In(n),
        (Direction::ToDevice, n) => Intent::Out(n),
    }
}

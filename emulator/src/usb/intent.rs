//! What the device intends to transfer for a command (BOT 6.7: Dn, Di, Do), as the CDB
//! states it through the `cdb` crate's decoder.

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

/// The intent `cdb` implies; block counts are multiplied by `block_size` (0 when the LUN
/// has no logical unit, which moves no data).
pub(super) fn of(cdb: &[u8], block_size: u32) -> Intent {
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
    match (data.direction, bytes) {
        (Direction::None, _) | (_, 0) => Intent::None,
        (Direction::FromDevice, n) => Intent::In(n),
        (Direction::ToDevice, n) => Intent::Out(n),
    }
}

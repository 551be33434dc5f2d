//! The sense data the Bulk-Only interface keeps for REQUEST SENSE (BOT has no autosense),
//! returned in the format the REQUEST SENSE asks for (SPC-5 6.39: DESC).

use crate::sbc::sense::{Condition, FieldPointer, SenseCode};
use cdb::sense::SenseKeySpecific;

/// `sense` (as the logical unit returned it with CHECK CONDITION) in fixed (SPC-5 4.4.3)
/// or, with `descriptor`, descriptor format (SPC-5 4.4.2); unchanged if it does not decode.
pub(super) fn in_format(sense: &[u8], descriptor: bool) -> Vec<u8> {
    let Ok(decoded) = cdb::sense::decode(sense) else {
        return sense.to_vec();
    };
    let (Some(key), Some((asc, ascq))) = (decoded.sense_key_code(), decoded.asc_ascq()) else {
        return sense.to_vec();
    };
    let field = match decoded.sense_key_specific() {
        Some(&SenseKeySpecific::FieldPointer {
            command,
            bit_pointer,
            field_pointer,
        }) => Some(FieldPointer {
            in_cdb: command,
            byte: field_pointer,
            bit: bit_pointer,
        }),
        _ => None,
    };
    Condition {
        code: SenseCode { key, asc, ascq },
        field,
    }
    .encode(descriptor)
}

//! ASC/ASCQ assignments (placeholder: the table arrives on branch h-asc).

/// The T10 description of an ADDITIONAL SENSE CODE / QUALIFIER pair, with ranged entries
/// filled in; `None` for a reserved pair.
pub fn describe(asc: u8, ascq: u8) -> Option<String> {
    let _ = (asc, ascq);
    None
}

//! ADDITIONAL SENSE CODE / ADDITIONAL SENSE CODE QUALIFIER descriptions (SPC-5 4.4, table
//! "ASC and ASCQ assignments"; T10's numeric listing asc-num.txt).
//!
//! A pair is one of four kinds ([`Assignment`]):
//! - assigned: a single pair the table lists, e.g. 24h/00h "INVALID FIELD IN CDB";
//! - ranged: one table row covering many ASCQ values, whose text names the value `NN`
//!   (40h/80h–FFh, 4Dh/00h–FFh, 70h/00h–FFh); the description substitutes it as two
//!   upper-case hex digits and `h`, e.g. 40h/85h "DIAGNOSTIC FAILURE ON COMPONENT 85h";
//! - vendor specific: ASC 80h–FFh with any ASCQ, and ASCQ 80h–FFh with an ASC of 00h–7Fh
//!   where the table assigns neither that pair nor a range holding it. The description is
//!   `VENDOR SPECIFIC ASC xxh ASCQ yyh`, e.g. "VENDOR SPECIFIC ASC 85h ASCQ 01h";
//! - reserved: everything else, for which [`describe`] returns `None`.

mod table;

use table::ASSIGNED;

/// The placeholder for the ASCQ in a ranged entry's text, as T10 writes it.
const PLACEHOLDER: &str = "NN";

/// The ranged entries of the table (SPC-5 4.4): (ASC, first ASCQ, last ASCQ, T10 text
/// naming the ASCQ as [`PLACEHOLDER`]).
static RANGED: [(u8, u8, u8, &str); 3] = [
    (0x40, 0x80, 0xFF, "DIAGNOSTIC FAILURE ON COMPONENT NN"),
    (
        0x4D,
        0x00,
        0xFF,
        "TAGGED OVERLAPPED COMMANDS (NN = TASK TAG)",
    ),
    (
        0x70,
        0x00,
        0xFF,
        "DECOMPRESSION EXCEPTION SHORT ALGORITHM ID OF NN",
    ),
];

/// First ASC and first ASCQ value of the vendor-specific ranges (SPC-5 4.4).
const VENDOR_SPECIFIC_FROM: u8 = 0x80;

/// What the ASC/ASCQ table of SPC-5 4.4 says about one pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignment {
    /// A pair the table assigns individually, with T10's description (SPC-5 4.4).
    Assigned(&'static str),
    /// A pair within a ranged entry (SPC-5 4.4): T10's text, in which `NN` stands for the
    /// ASCQ, and the ASCQ itself.
    Ranged {
        /// T10's text for the range, containing `NN` once.
        template: &'static str,
        /// The ASCQ that `NN` stands for.
        nn: u8,
    },
    /// A vendor-specific pair: ASC 80h–FFh, or ASCQ 80h–FFh of an ASC whose table rows do
    /// not cover it (SPC-5 4.4).
    VendorSpecific {
        /// The ADDITIONAL SENSE CODE.
        asc: u8,
        /// The ADDITIONAL SENSE CODE QUALIFIER.
        ascq: u8,
    },
    /// A reserved (unassigned) pair (SPC-5 4.4).
    Reserved,
}

impl Assignment {
    /// The description in T10's upper case; `None` for a reserved pair (SPC-5 4.4).
    ///
    /// Ranged entries get the ASCQ substituted for `NN` (e.g. "DIAGNOSTIC FAILURE ON
    /// COMPONENT 85h"); vendor-specific pairs read "VENDOR SPECIFIC ASC xxh ASCQ yyh".
    pub fn description(&self) -> Option<String> {
        match *self {
            Assignment::Assigned(text) => Some(text.to_owned()),
            Assignment::Ranged { template, nn } => {
                Some(template.replacen(PLACEHOLDER, &format!("{nn:02X}h"), 1))
            }
            Assignment::VendorSpecific { asc, ascq } => {
                Some(format!("VENDOR SPECIFIC ASC {asc:02X}h ASCQ {ascq:02X}h"))
            }
            Assignment::Reserved => None,
        }
    }
}

/// Classifies an ADDITIONAL SENSE CODE / QUALIFIER pair against the table of SPC-5 4.4.
///
/// Individually assigned pairs win over ranged entries, and both over the vendor-specific
/// ranges (so 5Dh/FFh and 40h/80h–FFh are not vendor specific).
pub fn lookup(asc: u8, ascq: u8) -> Assignment {
    if let Ok(i) = ASSIGNED.binary_search_by_key(&(asc, ascq), |&(a, q, _)| (a, q)) {
        if let Some(&(_, _, text)) = ASSIGNED.get(i) {
            return Assignment::Assigned(text);
        }
    }
    let ranged = RANGED
        .iter()
        .find(|&&(a, first, last, _)| a == asc && (first..=last).contains(&ascq));
    if let Some(&(_, _, _, template)) = ranged {
        return Assignment::Ranged { template, nn: ascq };
    }
    if asc >= VENDOR_SPECIFIC_FROM || ascq >= VENDOR_SPECIFIC_FROM {
        return Assignment::VendorSpecific { asc, ascq };
    }
    Assignment::Reserved
}

/// The T10 description of an ADDITIONAL SENSE CODE / QUALIFIER pair (SPC-5 4.4), with
/// ranged entries filled in and vendor-specific pairs named as such; `None` for a
/// reserved pair. See [`lookup`] for the classification.
pub fn describe(asc: u8, ascq: u8) -> Option<String> {
    lookup(asc, ascq).description()
}

#[cfg(test)]
mod tests;

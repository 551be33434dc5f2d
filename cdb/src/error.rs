//! Typed errors shared by every builder and decoder in this crate.

use serde::Serialize;

/// Why bytes received from a device (or given by a user) could not be decoded.
///
/// Decoders never panic on device data: they return one of these, naming the structure
/// and field that was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DecodeError {
    /// The buffer ends before a structure or field does.
    #[error("{what}: truncated, need {need} bytes but have {have}")]
    Truncated {
        /// The structure or field being decoded.
        what: &'static str,
        /// Bytes required.
        need: usize,
        /// Bytes available.
        have: usize,
    },
    /// A field holds a value the standard does not allow here.
    #[error("{what}: invalid value {value:#x}")]
    InvalidValue {
        /// The field being decoded.
        what: &'static str,
        /// The offending value.
        value: u64,
    },
    /// The bytes are structurally wrong in a way a single value does not describe.
    #[error("{what}: {reason}")]
    Malformed {
        /// The structure being decoded.
        what: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl DecodeError {
    /// Checks that `buf` holds at least `need` bytes of `what`.
    pub fn ensure_len(buf: &[u8], need: usize, what: &'static str) -> Result<(), DecodeError> {
        if buf.len() < need {
            Err(DecodeError::Truncated {
                what,
                need,
                have: buf.len(),
            })
        } else {
            Ok(())
        }
    }
}

/// Why a command could not be built from the values given.
///
/// Builders reject values that cannot be represented in the CDB or submission entry
/// (an LBA beyond 32 bits in READ (10), an offset that does not fit 24 bits, ...)
/// rather than silently truncating them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// A value does not fit the field it must be encoded in.
    #[error("{command}: {field} = {value} does not fit (maximum {max})")]
    OutOfRange {
        /// The command being built.
        command: &'static str,
        /// The field that overflowed.
        field: &'static str,
        /// The value given.
        value: u64,
        /// The largest value the field can hold.
        max: u64,
    },
    /// The combination of values is not a valid command.
    #[error("{command}: {reason}")]
    Invalid {
        /// The command being built.
        command: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
}

impl BuildError {
    /// Checks that `value` is at most `max`, naming `command` and `field` otherwise.
    pub fn check_max(
        command: &'static str,
        field: &'static str,
        value: u64,
        max: u64,
    ) -> Result<(), BuildError> {
        if value > max {
            Err(BuildError::OutOfRange {
                command,
                field,
                value,
                max,
            })
        } else {
            Ok(())
        }
    }
}

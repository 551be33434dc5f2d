//! The Linux SCSI midlayer's host and driver status of an SG_IO request (sg v3 interface,
//! `include/scsi/scsi_status.h`, `sg_io_hdr.host_status` and `driver_status`): what failed
//! below the device when no SCSI status came back, or why the status is incomplete.

/// A host (adapter) status, `DID_*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostStatus(pub u16);

/// `DID_*` codes with their kernel names and what they mean.
const HOST_CODES: [(u16, &str, &str); 21] = [
    (0x00, "DID_OK", "no error"),
    (0x01, "DID_NO_CONNECT", "could not connect to the device"),
    (
        0x02,
        "DID_BUS_BUSY",
        "the bus stayed busy through the timeout",
    ),
    (0x03, "DID_TIME_OUT", "the command timed out"),
    (0x04, "DID_BAD_TARGET", "no such target"),
    (0x05, "DID_ABORT", "the command was aborted"),
    (0x06, "DID_PARITY", "parity error"),
    (0x07, "DID_ERROR", "internal error in the host adapter"),
    (0x08, "DID_RESET", "the command was reset"),
    (0x09, "DID_BAD_INTR", "unexpected interrupt"),
    (
        0x0a,
        "DID_PASSTHROUGH",
        "forced pass-through past the midlayer",
    ),
    (
        0x0b,
        "DID_SOFT_ERROR",
        "the low-level driver asks for a retry",
    ),
    (
        0x0c,
        "DID_IMM_RETRY",
        "retry without decrementing the retry count",
    ),
    (0x0d, "DID_REQUEUE", "requeue the command"),
    (
        0x0e,
        "DID_TRANSPORT_DISRUPTED",
        "the transport was disrupted; retry after recovery",
    ),
    (
        0x0f,
        "DID_TRANSPORT_FAILFAST",
        "the transport failed for the command's class",
    ),
    (
        0x10,
        "DID_TARGET_FAILURE",
        "permanent target failure; do not retry",
    ),
    (
        0x11,
        "DID_NEXUS_FAILURE",
        "permanent nexus failure; do not retry on this path",
    ),
    (
        0x12,
        "DID_ALLOC_FAILURE",
        "space allocation failed on the device",
    ),
    (0x13, "DID_MEDIUM_ERROR", "medium error"),
    (
        0x14,
        "DID_TRANSPORT_MARGINAL",
        "the transport is marginal; retry elsewhere",
    ),
];

impl HostStatus {
    /// `DID_OK`: the host delivered the command and its status.
    pub fn is_ok(self) -> bool {
        self.0 == 0
    }

    /// `DID_TIME_OUT`.
    pub fn is_timeout(self) -> bool {
        self.0 == 0x03
    }

    /// `DID_NO_CONNECT` or `DID_BAD_TARGET`: nothing answers at that address any more.
    pub fn is_gone(self) -> bool {
        matches!(self.0, 0x01 | 0x04)
    }

    /// The kernel's name and meaning, e.g. `DID_NO_CONNECT (could not connect to the
    /// device)`; unknown codes in hex.
    pub fn describe(self) -> String {
        match HOST_CODES.iter().find(|(code, _, _)| *code == self.0) {
            Some((_, name, meaning)) => format!("{name} ({meaning})"),
            None => format!("host status 0x{:02x}", self.0),
        }
    }
}

/// A driver status, `DRIVER_*` in the low nibble (the suggestion bits above it are no
/// longer set by current kernels).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DriverStatus(pub u16);

/// `DRIVER_*` codes with their kernel names.
const DRIVER_CODES: [(u16, &str); 9] = [
    (0x0, "DRIVER_OK"),
    (0x1, "DRIVER_BUSY"),
    (0x2, "DRIVER_SOFT"),
    (0x3, "DRIVER_MEDIA"),
    (0x4, "DRIVER_ERROR"),
    (0x5, "DRIVER_INVALID"),
    (0x6, "DRIVER_TIMEOUT"),
    (0x7, "DRIVER_HARD"),
    (0x8, "DRIVER_SENSE"),
];

impl DriverStatus {
    /// The low nibble: the `DRIVER_*` code.
    pub fn code(self) -> u16 {
        self.0 & 0x0f
    }

    /// `DRIVER_SENSE`: sense data came back with the status (not a failure by itself).
    pub fn has_sense(self) -> bool {
        self.code() == 0x8
    }

    /// `DRIVER_TIMEOUT`.
    pub fn is_timeout(self) -> bool {
        self.code() == 0x6
    }

    /// A driver failure: any code but `DRIVER_OK` and `DRIVER_SENSE`.
    pub fn is_failure(self) -> bool {
        !matches!(self.code(), 0x0 | 0x8)
    }

    /// The kernel's name, e.g. `DRIVER_TIMEOUT`; unknown codes in hex.
    pub fn describe(self) -> String {
        match DRIVER_CODES.iter().find(|(code, _)| *code == self.code()) {
            Some((_, name)) => (*name).to_string(),
            None => format!("driver status 0x{:02x}", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_their_kernel_names() {
        assert_eq!(
            HostStatus(0x01).describe(),
            "DID_NO_CONNECT (could not connect to the device)"
        );
        assert!(HostStatus(0x03).is_timeout());
        assert!(HostStatus(0x04).is_gone());
        assert_eq!(HostStatus(0x7f).describe(), "host status 0x7f");
        assert!(DriverStatus(0x08).has_sense());
        assert!(!DriverStatus(0x08).is_failure());
        assert!(DriverStatus(0x06).is_timeout());
        assert_eq!(DriverStatus(0x28).describe(), "DRIVER_SENSE");
        for (i, (code, _, _)) in HOST_CODES.iter().enumerate() {
            assert_eq!(usize::from(*code), i, "the table is indexed by code");
        }
    }
}

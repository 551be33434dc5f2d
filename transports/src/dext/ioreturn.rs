//! `IOReturn` decoding: the Mach error layout (`mach/error.h`: `err_system` in bits
//! 31..26, `err_sub` in bits 25..14, `err_code` in bits 13..0) and every `kIOReturn*` code
//! of IOKit's `IOReturn.h` (system `sys_iokit` 0x38, sub-system `sub_iokit_common` 0), with
//! a hint for the failures a DEXT user client meets: what is wrong and how to fix it.

use std::fmt;

/// The Mach system number of IOKit (`sys_iokit`, `err_system(0x38)`).
pub const SYS_IOKIT: u8 = 0x38;

/// An `IOReturn` (a `kern_return_t`) as IOKit returned it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IoReturn(pub u32);

/// A named code: its low 14 bits (`err_code`), `IOReturn.h`'s name and comment.
struct Named {
    code: u16,
    name: &'static str,
    meaning: &'static str,
}

/// Every code of the common IOKit sub-system in `IOReturn.h`.
const NAMED: [Named; 52] = [
    named(0x001, "kIOReturnInvalid", "should never be seen"),
    named(0x2bc, "kIOReturnError", "general error"),
    named(0x2bd, "kIOReturnNoMemory", "cannot allocate memory"),
    named(0x2be, "kIOReturnNoResources", "resource shortage"),
    named(0x2bf, "kIOReturnIPCError", "error during IPC"),
    named(0x2c0, "kIOReturnNoDevice", "no such device"),
    named(0x2c1, "kIOReturnNotPrivileged", "privilege violation"),
    named(0x2c2, "kIOReturnBadArgument", "invalid argument"),
    named(0x2c3, "kIOReturnLockedRead", "device read locked"),
    named(0x2c4, "kIOReturnLockedWrite", "device write locked"),
    named(
        0x2c5,
        "kIOReturnExclusiveAccess",
        "exclusive access and device already open",
    ),
    named(
        0x2c6,
        "kIOReturnBadMessageID",
        "sent and received messages had different msg_id",
    ),
    named(0x2c7, "kIOReturnUnsupported", "unsupported function"),
    named(0x2c8, "kIOReturnVMError", "miscellaneous VM failure"),
    named(0x2c9, "kIOReturnInternalError", "internal error"),
    named(0x2ca, "kIOReturnIOError", "general I/O error"),
    named(0x2cc, "kIOReturnCannotLock", "cannot acquire lock"),
    named(0x2cd, "kIOReturnNotOpen", "device not open"),
    named(0x2ce, "kIOReturnNotReadable", "read not supported"),
    named(0x2cf, "kIOReturnNotWritable", "write not supported"),
    named(0x2d0, "kIOReturnNotAligned", "alignment error"),
    named(0x2d1, "kIOReturnBadMedia", "media error"),
    named(0x2d2, "kIOReturnStillOpen", "device(s) still open"),
    named(0x2d3, "kIOReturnRLDError", "rld failure"),
    named(0x2d4, "kIOReturnDMAError", "DMA failure"),
    named(0x2d5, "kIOReturnBusy", "device busy"),
    named(0x2d6, "kIOReturnTimeout", "I/O timeout"),
    named(0x2d7, "kIOReturnOffline", "device offline"),
    named(0x2d8, "kIOReturnNotReady", "not ready"),
    named(0x2d9, "kIOReturnNotAttached", "device not attached"),
    named(0x2da, "kIOReturnNoChannels", "no DMA channels left"),
    named(0x2db, "kIOReturnNoSpace", "no space for data"),
    named(0x2dd, "kIOReturnPortExists", "port already exists"),
    named(
        0x2de,
        "kIOReturnCannotWire",
        "cannot wire down physical memory",
    ),
    named(0x2df, "kIOReturnNoInterrupt", "no interrupt attached"),
    named(0x2e0, "kIOReturnNoFrames", "no DMA frames enqueued"),
    named(
        0x2e1,
        "kIOReturnMessageTooLarge",
        "oversized message received on interrupt port",
    ),
    named(0x2e2, "kIOReturnNotPermitted", "not permitted"),
    named(0x2e3, "kIOReturnNoPower", "no power to device"),
    named(0x2e4, "kIOReturnNoMedia", "media not present"),
    named(0x2e5, "kIOReturnUnformattedMedia", "media not formatted"),
    named(0x2e6, "kIOReturnUnsupportedMode", "no such mode"),
    named(0x2e7, "kIOReturnUnderrun", "data underrun"),
    named(0x2e8, "kIOReturnOverrun", "data overrun"),
    named(
        0x2e9,
        "kIOReturnDeviceError",
        "the device is not working properly",
    ),
    named(
        0x2ea,
        "kIOReturnNoCompletion",
        "a completion routine is required",
    ),
    named(0x2eb, "kIOReturnAborted", "operation aborted"),
    named(
        0x2ec,
        "kIOReturnNoBandwidth",
        "bus bandwidth would be exceeded",
    ),
    named(0x2ed, "kIOReturnNotResponding", "device not responding"),
    named(
        0x2ee,
        "kIOReturnIsoTooOld",
        "isochronous I/O request for distant past",
    ),
    named(
        0x2ef,
        "kIOReturnIsoTooNew",
        "isochronous I/O request for distant future",
    ),
    named(0x2f0, "kIOReturnNotFound", "data was not found"),
];

const fn named(code: u16, name: &'static str, meaning: &'static str) -> Named {
    Named {
        code,
        name,
        meaning,
    }
}

/// What to do about the failures a user client meets, by code.
const HINTS: [(u16, &str); 16] = [
    (0x2e2, "the user-client entitlement check failed (the kernel log says 'failed userclient-access check'): sign the app running scsitool with com.apple.developer.driverkit.userclient-access listing the DEXT's bundle identifier, or sign the DEXT with com.apple.developer.driverkit.allow-any-userclient-access (see docs/dext.md)"),
    (0x2c7, "the DEXT's personality keeps the generic IOClass: IOClass must be the family's kernel class IOSCSIPeripheralDeviceType00 (not IOUserService), IOUserClass the DEXT's class ScsitoolDriver, IOProviderClass IOSCSIPeripheralDeviceNub, CFBundleIdentifierKernel com.apple.iokit.IOSCSIArchitectureModelFamily"),
    (0x2bc, "a general failure inside the DEXT or SCSIPeripheralsDriverKit: read the DEXT's log (log stream --predicate 'sender CONTAINS \"Scsitool\"') for the step that failed"),
    (0x2c0, "no such device: the disk was unplugged or the DEXT's service went away; plug the disk in again and retry"),
    (0x2d9, "the DEXT is not attached to this disk (it stopped or was replaced): check ioreg -r -c IOSCSIPeripheralDeviceType00 -l for IOUserClass ScsitoolDriver"),
    (0x2c5, "another client holds the device exclusively: quit the other program using the disk (or unmount it) and retry"),
    (0x2d6, "the command did not complete in time: give it a longer timeout; a device that keeps timing out may need a reset or a power cycle"),
    (0x2d8, "not ready: the DEXT is still starting or waits for approval; approve the system extension in System Settings > General > Login Items & Extensions, wait, and retry"),
    (0x2bd, "the DEXT could not allocate its buffers: shorten the transfer"),
    (0x2c2, "the DEXT refused the request's layout or values: scsitool and the DEXT disagree on the ABI; rebuild both from the same source"),
    (0x2c1, "SCSIPeripheralsDriverKit refused the command (UserSendCDB refuses some operation codes, e.g. vendor-specific ones): the command cannot be sent through this path"),
    (0x2d5, "the device or the DEXT is busy: retry"),
    (0x2db, "the answer did not fit the output buffer: scsitool and the DEXT disagree on the ABI; rebuild both from the same source"),
    (0x2cd, "the user client is not open: open the device again"),
    (0x2ed, "the device does not respond: check its cable and power"),
    (0x2e4, "no medium: insert one"),
];

impl IoReturn {
    /// `kIOReturnSuccess`.
    pub const SUCCESS: IoReturn = IoReturn(0);

    /// The code `code` of the common IOKit sub-system (`iokit_common_err`).
    pub const fn common(code: u16) -> IoReturn {
        IoReturn(((SYS_IOKIT as u32) << 26) | (code as u32 & 0x3fff))
    }

    /// `err_get_system`: bits 31..26.
    pub fn system(self) -> u8 {
        ((self.0 >> 26) & 0x3f) as u8
    }

    /// `err_get_sub`: bits 25..14.
    pub fn sub(self) -> u16 {
        ((self.0 >> 14) & 0xfff) as u16
    }

    /// `err_get_code`: bits 13..0.
    pub fn code(self) -> u16 {
        (self.0 & 0x3fff) as u16
    }

    fn named(self) -> Option<&'static Named> {
        if self.system() != SYS_IOKIT || self.sub() != 0 {
            return None;
        }
        NAMED.iter().find(|n| n.code == self.code())
    }

    /// `IOReturn.h`'s name, e.g. `kIOReturnNotPermitted`; `None` for codes outside the
    /// common IOKit sub-system or unassigned.
    pub fn name(self) -> Option<&'static str> {
        if self == Self::SUCCESS {
            return Some("kIOReturnSuccess");
        }
        self.named().map(|n| n.name)
    }

    /// `IOReturn.h`'s comment on the code, e.g. `not permitted`.
    pub fn meaning(self) -> Option<&'static str> {
        if self == Self::SUCCESS {
            return Some("success");
        }
        self.named().map(|n| n.meaning)
    }

    /// What the failure means for a DEXT user client and how to fix it, for the common
    /// ones.
    pub fn hint(self) -> Option<&'static str> {
        self.named()?;
        HINTS
            .iter()
            .find(|(code, _)| *code == self.code())
            .map(|(_, hint)| *hint)
    }
}

impl fmt::Display for IoReturn {
    /// The name, the value in hex and the meaning, e.g.
    /// `kIOReturnNotPermitted (0xE00002E2): not permitted`; an unnamed value shows its
    /// system, sub-system and code.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.name(), self.meaning()) {
            (Some(name), Some(meaning)) => write!(f, "{name} ({:#010X}): {meaning}", self.0),
            _ => write!(
                f,
                "IOReturn {:#010X} (system {:#x}, sub-system {:#x}, code {:#x})",
                self.0,
                self.system(),
                self.sub(),
                self.code()
            ),
        }
    }
}

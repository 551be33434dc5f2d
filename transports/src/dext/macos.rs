//! macOS glue for the DEXT transport: `/dev/diskN` (or `/dev/rdiskN`, or a partition
//! `diskNsM`) to its IOMedia, up the IOService plane to the `IOSCSIPeripheralDeviceType00`
//! object whose `IOUserClass` is scsitool's DEXT class, `IOServiceOpen` on it, and
//! [`UserClient`] as `IOConnectCallStructMethod`; `IOServiceClose` on drop.
//!
//! NOT EXERCISED IN CI: no Apple target is built or run by the project's CI, so this
//! module has been neither compiled nor run by it. It is kept to the calls above; all the
//! logic (marshalling, checks, error mapping) lives in the portable modules, tested on
//! Linux.
//!
//! Bindings: `io-kit-sys` (the maintained raw IOKit bindings the serial-port and HID
//! crates build on; every function used here is a direct IOKitLib call), with
//! `core-foundation` for the one `CFString` property read and `mach2` for
//! `mach_task_self`. `objc2-io-kit` would also do, at the price of the objc2 stack for a
//! C API.
//!
//! Registry facts relied on: a DEXT matched with `IOClass` `IOSCSIPeripheralDeviceType00`
//! and `IOProviderClass` `IOSCSIPeripheralDeviceNub` is, in the kernel, an
//! `IOSCSIPeripheralDeviceType00` carrying the `IOUserClass` property; the disk's block
//! storage and IOMedia objects are its descendants in the IOService plane.

use super::abi::Selector;
use super::disk::bsd_name;
use super::ioreturn::IoReturn;
use super::transport::{transport_error, DextTransport, UserClient};
use crate::scsi::TransportError;
use core_foundation::base::{CFType, TCFType};
use core_foundation::string::CFString;
use io_kit_sys::keys::kIOServicePlane;
use io_kit_sys::types::{io_connect_t, io_object_t};
use io_kit_sys::{
    kIOMasterPortDefault, IOBSDNameMatching, IOConnectCallStructMethod, IOObjectConformsTo,
    IOObjectRelease, IORegistryEntryCreateCFProperty, IORegistryEntryGetParentEntry,
    IOServiceClose, IOServiceGetMatchingService, IOServiceOpen,
};
use std::ffi::{CStr, CString};

/// The DEXT's class (`IOUserClass` in its personality, `ScsitoolDriver.iig`).
pub const DRIVER_CLASS: &str = "ScsitoolDriver";
/// The user-client type `IOServiceOpen` asks for (the DEXT's `NewUserClient` accepts 0).
pub const USER_CLIENT_TYPE: u32 = 0;
/// The kernel class the DEXT's personality instantiates (its `IOClass`).
const KERNEL_CLASS: &CStr = c"IOSCSIPeripheralDeviceType00";
/// The SCSI peripheral nub the kernel class attaches to (its `IOProviderClass`).
const NUB_CLASS: &CStr = c"IOSCSIPeripheralDeviceNub";

/// Opens the DEXT's user client for the disk at `path` (logical unit 0).
pub fn open_disk(path: &str) -> Result<DextTransport<Connection>, TransportError> {
    let name = bsd_name(path).ok_or_else(|| {
        TransportError::Refused(format!("{path}: expected /dev/diskN or /dev/rdiskN"))
    })?;
    let c_name = CString::new(name).map_err(|e| TransportError::Refused(e.to_string()))?;
    // SAFETY: a NUL-terminated name; IOServiceGetMatchingService consumes the dictionary
    // (a null one returns no service).
    let media = unsafe {
        let matching = IOBSDNameMatching(kIOMasterPortDefault, 0, c_name.as_ptr());
        IOServiceGetMatchingService(kIOMasterPortDefault, matching.cast_const())
    };
    if media == 0 {
        return Err(TransportError::Gone(format!(
            "{path}: no IOMedia named {name}"
        )));
    }
    let driver = find_driver(Object(media), path)?;
    let mut connect: io_connect_t = 0;
    // SAFETY: a live service object and an out-pointer to a local.
    let kr = unsafe {
        IOServiceOpen(
            driver.0,
            mach2::traps::mach_task_self(),
            USER_CLIENT_TYPE,
            &mut connect,
        )
    };
    if kr != 0 {
        return Err(transport_error(IoReturn(kr as u32), None, path));
    }
    DextTransport::open(
        Connection {
            connect,
            name: name.to_string(),
        },
        0,
    )
}

/// An IOKit object reference, released on drop.
struct Object(io_object_t);

impl Drop for Object {
    fn drop(&mut self) {
        // SAFETY: the reference this value owns.
        unsafe { IOObjectRelease(self.0) };
    }
}

impl Object {
    fn conforms_to(&self, class: &CStr) -> bool {
        // SAFETY: a live object and a NUL-terminated class name.
        unsafe { IOObjectConformsTo(self.0, class.as_ptr()) != 0 }
    }

    /// The `IOUserClass` property: the DEXT class behind a kernel object, if any.
    fn user_class(&self) -> Option<String> {
        let key = CFString::from_static_string("IOUserClass");
        // SAFETY: a live object and key; the result is owned (create rule) or null.
        let value = unsafe {
            IORegistryEntryCreateCFProperty(self.0, key.as_concrete_TypeRef(), std::ptr::null(), 0)
        };
        if value.is_null() {
            return None;
        }
        // SAFETY: a non-null CFTypeRef returned under the create rule.
        let value = unsafe { CFType::wrap_under_create_rule(value) };
        value.downcast::<CFString>().map(|s| s.to_string())
    }

    fn parent(&self) -> Option<Object> {
        let mut parent: io_object_t = 0;
        // SAFETY: a live object, a static plane name and an out-pointer to a local.
        let kr = unsafe { IORegistryEntryGetParentEntry(self.0, kIOServicePlane, &mut parent) };
        (kr == 0 && parent != 0).then_some(Object(parent))
    }
}

/// Walks up from the IOMedia to scsitool's DEXT, or says what drives the disk instead.
fn find_driver(media: Object, path: &str) -> Result<Object, TransportError> {
    let mut entry = media;
    loop {
        if entry.conforms_to(KERNEL_CLASS) {
            match entry.user_class() {
                Some(class) if class == DRIVER_CLASS => return Ok(entry),
                found => {
                    return Err(TransportError::Refused(format!(
                        "{path}: its SCSI peripheral driver is {}, not scsitool's DEXT ({DRIVER_CLASS}); install and approve the DEXT (docs/dext.md)",
                        found.unwrap_or_else(|| "Apple's in-kernel driver".to_string())
                    )))
                }
            }
        }
        if entry.conforms_to(NUB_CLASS) {
            return Err(TransportError::Refused(format!(
                "{path}: no {} above the SCSI peripheral nub; is the DEXT installed and approved (docs/dext.md)?",
                KERNEL_CLASS.to_string_lossy()
            )));
        }
        entry = entry.parent().ok_or_else(|| {
            TransportError::Refused(format!(
                "{path} is not a SCSI peripheral (no IOSCSIPeripheralDeviceNub above it)"
            ))
        })?;
    }
}

/// An open connection to the DEXT's user client, closed on drop.
#[derive(Debug)]
pub struct Connection {
    connect: io_connect_t,
    name: String,
}

impl UserClient for Connection {
    fn call_struct_method(
        &mut self,
        selector: Selector,
        input: &[u8],
        output: &mut [u8],
    ) -> Result<usize, IoReturn> {
        let mut len = output.len();
        let input_ptr = if input.is_empty() {
            std::ptr::null()
        } else {
            input.as_ptr().cast()
        };
        // SAFETY: an open connection; the input and output buffers are valid for the
        // lengths given, and IOKit writes at most `len` bytes and stores the count.
        let kr = unsafe {
            IOConnectCallStructMethod(
                self.connect,
                selector as u32,
                input_ptr,
                input.len(),
                output.as_mut_ptr().cast(),
                &mut len,
            )
        };
        if kr == 0 {
            Ok(len)
        } else {
            Err(IoReturn(kr as u32))
        }
    }

    fn describe(&self) -> String {
        format!("{} ({DRIVER_CLASS})", self.name)
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        // SAFETY: the connection this value opened.
        unsafe { IOServiceClose(self.connect) };
    }
}

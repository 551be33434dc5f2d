//! The control requests the device answers on endpoint 0: the standard requests a host
//! needs to enumerate and select the interface (USB 2.0 9.4) and the Bulk-Only class
//! requests (BOT 3.1, 3.2). Anything else answers STALL (USB 2.0 9.2.7).

use super::face::Face;
use super::{descriptors, MassStorageDevice};
use crate::target::ScsiTarget;
use crate::usb::pipe::{UsbError, UsbPipe, UsbResult};
use cdb::usb::descriptor::{CONFIGURATION, DEVICE, STRING};
use cdb::usb::request::{
    SetupPacket, BULK_ONLY_MASS_STORAGE_RESET, CLEAR_FEATURE, DIR_IN, ENDPOINT_HALT,
    GET_CONFIGURATION, GET_DESCRIPTOR, GET_INTERFACE, GET_MAX_LUN, RECIPIENT_ENDPOINT,
    RECIPIENT_INTERFACE, SET_CONFIGURATION, SET_INTERFACE, TYPE_CLASS,
};

/// bmRequestType of a standard device-to-host request to an interface (81h).
const INTERFACE_IN: u8 = DIR_IN | RECIPIENT_INTERFACE;
/// bmRequestType of a class host-to-device request to an interface (21h, BOT 3.1).
const CLASS_INTERFACE: u8 = TYPE_CLASS | RECIPIENT_INTERFACE;
/// bmRequestType of a class device-to-host request to an interface (A1h, BOT 3.2).
const CLASS_INTERFACE_IN: u8 = DIR_IN | CLASS_INTERFACE;

impl<T: ScsiTarget> MassStorageDevice<T> {
    /// A device-to-host request.
    pub(super) fn request_in(&mut self, setup: &SetupPacket) -> UsbResult {
        self.alive()?;
        let value = setup.value.get();
        let index = setup.index.get();
        let configured = self.configuration != 0;
        match (setup.request_type, setup.request) {
            (DIR_IN, GET_DESCRIPTOR) => {
                let [kind, number] = value.to_be_bytes();
                self.descriptor(kind, number).ok_or(UsbError::Stall)
            }
            (DIR_IN, GET_CONFIGURATION) => Ok(vec![self.configuration]),
            (INTERFACE_IN, GET_INTERFACE) if configured && index == 0 => Ok(vec![self.alternate]),
            (CLASS_INTERFACE_IN, GET_MAX_LUN) if configured && index == 0 => match self.face()? {
                Face::Bot(bot) => bot.get_max_lun(),
                Face::Uas(_) => Err(UsbError::Stall),
            },
            _ => Err(UsbError::Stall),
        }
    }

    /// A host-to-device request.
    pub(super) fn request_out(&mut self, setup: &SetupPacket) -> Result<(), UsbError> {
        self.alive()?;
        let value = setup.value.get();
        let index = setup.index.get();
        let configured = self.configuration != 0;
        match (setup.request_type, setup.request) {
            (0, SET_CONFIGURATION) if value <= 1 => {
                // Selecting a configuration puts every interface in alt 0 (USB 2.0 9.4.7).
                self.configuration = value as u8;
                self.select(0);
                Ok(())
            }
            (RECIPIENT_INTERFACE, SET_INTERFACE) if configured && index == 0 => {
                let alternate = u8::try_from(value)
                    .ok()
                    .filter(|&a| usize::from(a) < self.config.layout.alternates().len())
                    .ok_or(UsbError::Stall)?;
                self.select(alternate);
                Ok(())
            }
            (RECIPIENT_ENDPOINT, CLEAR_FEATURE) if value == ENDPOINT_HALT => {
                let address = u8::try_from(index).map_err(|_| UsbError::Stall)?;
                let endpoint = self.endpoint(address).cloned().ok_or(UsbError::Stall)?;
                self.face()?.clear_halt(&endpoint)
            }
            (CLASS_INTERFACE, BULK_ONLY_MASS_STORAGE_RESET) if configured && index == 0 => {
                match self.face()? {
                    Face::Bot(bot) => bot.mass_storage_reset().map(drop),
                    Face::Uas(_) => Err(UsbError::Stall),
                }
            }
            _ => Err(UsbError::Stall),
        }
    }

    /// GET_DESCRIPTOR's answer for descriptor type `kind`, number `number` (USB 2.0 9.4.3).
    fn descriptor(&self, kind: u8, number: u8) -> Option<Vec<u8>> {
        match (kind, number) {
            (DEVICE, 0) => Some(descriptors::device(&self.config).to_bytes()),
            (CONFIGURATION, 0) => self.descriptors.to_bytes().ok(),
            (STRING, number) => descriptors::string(&self.config, number),
            _ => None,
        }
    }

    /// Fails every request once the device has left the bus.
    fn alive(&mut self) -> Result<(), UsbError> {
        if self.face()?.is_disconnected() {
            Err(UsbError::Disconnected)
        } else {
            Ok(())
        }
    }
}

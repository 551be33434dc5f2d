//! The standard USB descriptors a host reads to find a mass-storage interface and its
//! alternate settings (USB 2.0 9.6; USB 3.2 9.6.7), with the UAS Pipe Usage descriptor
//! (UAS-2 5.3.3.2; UASP 1.0 5.3.3.2): zerocopy views of the fixed layouts and parsed
//! representations: the device descriptor ([`DeviceDescriptor`]), a configuration walked
//! into interfaces, alternate settings and endpoints ([`Configuration`]), and string
//! descriptors ([`string_descriptor`], [`parse_string`]).

mod configuration;
mod string;

pub use configuration::{
    AlternateSetting, Configuration, Endpoint, Interface, PipeId, SsEndpointCompanion,
};
pub use string::{language_ids, parse_string, string_descriptor, LANGID_EN_US};

use crate::error::DecodeError;
use serde::Serialize;
use zerocopy::little_endian::U16;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// bDescriptorType DEVICE (USB 2.0 Table 9-5).
pub const DEVICE: u8 = 0x01;
/// bDescriptorType CONFIGURATION (USB 2.0 Table 9-5).
pub const CONFIGURATION: u8 = 0x02;
/// bDescriptorType STRING (USB 2.0 Table 9-5).
pub const STRING: u8 = 0x03;
/// bDescriptorType INTERFACE (USB 2.0 Table 9-5).
pub const INTERFACE: u8 = 0x04;
/// bDescriptorType ENDPOINT (USB 2.0 Table 9-5).
pub const ENDPOINT: u8 = 0x05;
/// bDescriptorType SUPERSPEED_USB_ENDPOINT_COMPANION (USB 3.2 Table 9-6).
pub const SS_ENDPOINT_COMPANION: u8 = 0x30;
/// bDescriptorType of the UAS Pipe Usage descriptor (UAS-2 5.3.3.2).
pub const PIPE_USAGE: u8 = 0x24;

/// bInterfaceClass Mass Storage (USB MSC Overview 1.4 2).
pub const CLASS_MASS_STORAGE: u8 = 0x08;
/// bInterfaceSubClass SCSI transparent command set (USB MSC Overview 1.4 Table 1).
pub const SUBCLASS_SCSI: u8 = 0x06;
/// bInterfaceProtocol Bulk-Only Transport (USB MSC Overview 1.4 Table 2).
pub const PROTOCOL_BOT: u8 = 0x50;
/// bInterfaceProtocol USB Attached SCSI (USB MSC Overview 1.4 Table 2; UAS-2 5.3.3.1).
pub const PROTOCOL_UAS: u8 = 0x62;

/// bmAttributes transfer type bulk (USB 2.0 Table 9-13).
pub const TRANSFER_BULK: u8 = 0x02;
/// bEndpointAddress bit 7: IN endpoint (USB 2.0 9.6.6).
pub const ENDPOINT_IN: u8 = 0x80;
/// The largest MaxStreams exponent of a bulk endpoint (USB 3.2 9.6.7: 2^16 streams).
pub const MAX_STREAMS_EXPONENT: u8 = 16;

const DEVICE_LEN: usize = 18;
pub(crate) const CONFIGURATION_LEN: usize = 9;
pub(crate) const INTERFACE_LEN: usize = 9;
pub(crate) const ENDPOINT_LEN: usize = 7;
pub(crate) const COMPANION_LEN: usize = 6;
pub(crate) const PIPE_USAGE_LEN: usize = 4;

/// The standard device descriptor (USB 2.0 9.6.1, Table 9-8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DeviceDescriptor {
    /// bcdUSB: the USB release in BCD (0200h, 0320h).
    pub bcd_usb: u16,
    /// bDeviceClass (00h: per interface).
    pub device_class: u8,
    /// bDeviceSubClass.
    pub device_subclass: u8,
    /// bDeviceProtocol.
    pub device_protocol: u8,
    /// bMaxPacketSize0 (64 at high speed; 09h, meaning 2^9, at SuperSpeed).
    pub max_packet_size0: u8,
    /// idVendor.
    pub id_vendor: u16,
    /// idProduct.
    pub id_product: u16,
    /// bcdDevice: the device release in BCD.
    pub bcd_device: u16,
    /// iManufacturer: string index (0: none).
    pub i_manufacturer: u8,
    /// iProduct: string index (0: none).
    pub i_product: u8,
    /// iSerialNumber: string index (0: none).
    pub i_serial_number: u8,
    /// bNumConfigurations.
    pub num_configurations: u8,
}

#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
struct DeviceView {
    length: u8,
    descriptor_type: u8,
    bcd_usb: U16,
    device_class: u8,
    device_subclass: u8,
    device_protocol: u8,
    max_packet_size0: u8,
    id_vendor: U16,
    id_product: U16,
    bcd_device: U16,
    i_manufacturer: u8,
    i_product: u8,
    i_serial_number: u8,
    num_configurations: u8,
}

impl DeviceDescriptor {
    /// Parses a device descriptor (USB 2.0 9.6.1); a host may read fewer than 18 bytes
    /// first, which is reported as truncated.
    pub fn parse(bytes: &[u8]) -> Result<Self, DecodeError> {
        let (v, _) = DeviceView::read_from_prefix(bytes).map_err(|_| DecodeError::Truncated {
            what: "device descriptor",
            need: DEVICE_LEN,
            have: bytes.len(),
        })?;
        check_header(
            "device descriptor",
            v.length,
            v.descriptor_type,
            DEVICE,
            DEVICE_LEN,
        )?;
        Ok(DeviceDescriptor {
            bcd_usb: v.bcd_usb.get(),
            device_class: v.device_class,
            device_subclass: v.device_subclass,
            device_protocol: v.device_protocol,
            max_packet_size0: v.max_packet_size0,
            id_vendor: v.id_vendor.get(),
            id_product: v.id_product.get(),
            bcd_device: v.bcd_device.get(),
            i_manufacturer: v.i_manufacturer,
            i_product: v.i_product,
            i_serial_number: v.i_serial_number,
            num_configurations: v.num_configurations,
        })
    }

    /// The 18 wire bytes (USB 2.0 9.6.1).
    pub fn to_bytes(&self) -> Vec<u8> {
        DeviceView {
            length: DEVICE_LEN as u8,
            descriptor_type: DEVICE,
            bcd_usb: self.bcd_usb.into(),
            device_class: self.device_class,
            device_subclass: self.device_subclass,
            device_protocol: self.device_protocol,
            max_packet_size0: self.max_packet_size0,
            id_vendor: self.id_vendor.into(),
            id_product: self.id_product.into(),
            bcd_device: self.bcd_device.into(),
            i_manufacturer: self.i_manufacturer,
            i_product: self.i_product,
            i_serial_number: self.i_serial_number,
            num_configurations: self.num_configurations,
        }
        .as_bytes()
        .to_vec()
    }
}

/// Checks a descriptor's bLength and bDescriptorType.
pub(crate) fn check_header(
    what: &'static str,
    length: u8,
    descriptor_type: u8,
    want_type: u8,
    need: usize,
) -> Result<(), DecodeError> {
    if descriptor_type != want_type {
        return Err(DecodeError::InvalidValue {
            what,
            value: descriptor_type.into(),
        });
    }
    if usize::from(length) < need {
        return Err(DecodeError::Truncated {
            what,
            need,
            have: length.into(),
        });
    }
    Ok(())
}

/// Reads a fixed layout from the front of one descriptor's bytes.
pub(crate) fn view<T: FromBytes + KnownLayout + Immutable>(
    body: &[u8],
    what: &'static str,
) -> Result<T, DecodeError> {
    T::read_from_prefix(body)
        .map(|(v, _)| v)
        .map_err(|_| DecodeError::Truncated {
            what,
            need: std::mem::size_of::<T>(),
            have: body.len(),
        })
}

/// Splits one descriptor (bLength bytes) from the front of `bytes`.
pub(crate) fn split_descriptor(bytes: &[u8]) -> Result<(&[u8], &[u8]), DecodeError> {
    let length = usize::from(*bytes.first().unwrap_or(&0));
    if length < 2 {
        return Err(DecodeError::Malformed {
            what: "descriptor",
            reason: "bLength below 2 cannot advance the walk",
        });
    }
    if length > bytes.len() {
        return Err(DecodeError::Truncated {
            what: "descriptor",
            need: length,
            have: bytes.len(),
        });
    }
    Ok(bytes.split_at(length))
}

#[cfg(test)]
mod tests;

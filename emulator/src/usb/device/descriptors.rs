//! The descriptors of the emulated mass-storage device (USB 2.0 9.6; USB 3.2 9.6.7;
//! UAS-2 5.3.3): one configuration, one interface, its alternates per [`Layout`].
//!
//! Endpoint addresses are the same in every layout: Bulk-Only uses 81h (bulk-in) and 02h
//! (bulk-out) like QEMU's usb-storage; UAS uses 01h (command), 82h (status), 83h (data-in)
//! and 04h (data-out) like QEMU's usb-uas, whose endpoint numbers are the pipe IDs.

use super::{DeviceConfig, Layout, Protocol, Speed};
use cdb::usb::descriptor::{
    language_ids, string_descriptor, AlternateSetting, Configuration, DeviceDescriptor, Endpoint,
    Interface, PipeId, SsEndpointCompanion, CLASS_MASS_STORAGE, ENDPOINT_IN, LANGID_EN_US,
    PROTOCOL_BOT, PROTOCOL_UAS, SUBCLASS_SCSI, TRANSFER_BULK,
};

/// Bulk-Only bulk-in endpoint address.
pub const BOT_IN: u8 = ENDPOINT_IN | 1;
/// Bulk-Only bulk-out endpoint address.
pub const BOT_OUT: u8 = 0x02;
/// UAS command pipe (bulk-out).
pub const UAS_COMMAND: u8 = 0x01;
/// UAS status pipe (bulk-in).
pub const UAS_STATUS: u8 = ENDPOINT_IN | 2;
/// UAS data-in pipe (bulk-in).
pub const UAS_DATA_IN: u8 = ENDPOINT_IN | 3;
/// UAS data-out pipe (bulk-out).
pub const UAS_DATA_OUT: u8 = 0x04;
/// MaxStreams of the UAS status and data pipes at SuperSpeed: 2^4 = 16 streams (QEMU).
const UAS_MAX_STREAMS: u8 = 4;

/// String descriptor indexes (USB 2.0 9.6.7).
const MANUFACTURER: u8 = 1;
const PRODUCT: u8 = 2;
const SERIAL_NUMBER: u8 = 3;

/// The device descriptor (USB 2.0 9.6.1): class per interface, USB 2.1 or 3.2.
pub fn device(config: &DeviceConfig) -> DeviceDescriptor {
    let (bcd_usb, max_packet_size0) = match config.speed {
        Speed::High => (0x0210, 64),
        // bMaxPacketSize0 is an exponent at SuperSpeed: 2^9 = 512 (USB 3.2 9.6.1).
        Speed::Super => (0x0320, 9),
    };
    DeviceDescriptor {
        bcd_usb,
        device_class: 0,
        device_subclass: 0,
        device_protocol: 0,
        max_packet_size0,
        id_vendor: config.vendor_id,
        id_product: config.product_id,
        bcd_device: 0x0100,
        i_manufacturer: MANUFACTURER,
        i_product: PRODUCT,
        i_serial_number: SERIAL_NUMBER,
        num_configurations: 1,
    }
}

/// String descriptor `index` (USB 2.0 9.6.7): 0 is the LANGID list; `None` for an index
/// the device does not have or a string too long for a descriptor.
pub fn string(config: &DeviceConfig, index: u8) -> Option<Vec<u8>> {
    let text = match index {
        0 => return language_ids(&[LANGID_EN_US]).ok(),
        MANUFACTURER => &config.manufacturer,
        PRODUCT => &config.product,
        SERIAL_NUMBER => &config.serial_number,
        _ => return None,
    };
    string_descriptor(text).ok()
}

/// Configuration 1 (USB 2.0 9.6.3): bus powered, 100 mA (high speed) or 96 mA
/// (SuperSpeed, 8 mA units), one mass-storage interface with `layout`'s alternates.
pub fn configuration(layout: Layout, speed: Speed) -> Configuration {
    let alternates = layout
        .alternates()
        .iter()
        .zip(0u8..)
        .map(|(&protocol, setting)| alternate(protocol, setting, speed))
        .collect();
    Configuration {
        configuration_value: 1,
        i_configuration: 0,
        attributes: 0x80,
        max_power: match speed {
            Speed::High => 50,
            Speed::Super => 12,
        },
        interfaces: vec![Interface {
            interface_number: 0,
            alternates,
        }],
    }
}

/// One alternate setting of the mass-storage interface (USB MSC Overview 1.4 2).
fn alternate(protocol: Protocol, setting: u8, speed: Speed) -> AlternateSetting {
    let (interface_protocol, endpoints) = match protocol {
        Protocol::Bot => (
            PROTOCOL_BOT,
            vec![bulk(BOT_IN, speed, None, 0), bulk(BOT_OUT, speed, None, 0)],
        ),
        Protocol::Uas => {
            let streams = match speed {
                Speed::High => 0,
                Speed::Super => UAS_MAX_STREAMS,
            };
            (
                PROTOCOL_UAS,
                vec![
                    bulk(UAS_COMMAND, speed, Some(PipeId::Command), 0),
                    bulk(UAS_STATUS, speed, Some(PipeId::Status), streams),
                    bulk(UAS_DATA_IN, speed, Some(PipeId::DataIn), streams),
                    bulk(UAS_DATA_OUT, speed, Some(PipeId::DataOut), streams),
                ],
            )
        }
    };
    AlternateSetting {
        alternate_setting: setting,
        interface_class: CLASS_MASS_STORAGE,
        interface_subclass: SUBCLASS_SCSI,
        interface_protocol,
        i_interface: 0,
        // At most four endpoints.
        num_endpoints: endpoints.len() as u8,
        endpoints,
    }
}

/// A bulk endpoint (USB 2.0 9.6.6): 512-byte packets at high speed; 1024 at SuperSpeed
/// with a companion giving 2^`max_streams` streams (USB 3.2 9.6.7).
fn bulk(address: u8, speed: Speed, pipe: Option<PipeId>, max_streams: u8) -> Endpoint {
    let (max_packet_size, companion) = match speed {
        Speed::High => (512, None),
        Speed::Super => (
            1024,
            Some(SsEndpointCompanion {
                max_burst: 0,
                attributes: max_streams,
                bytes_per_interval: 0,
            }),
        ),
    };
    Endpoint {
        endpoint_address: address,
        attributes: TRANSFER_BULK,
        max_packet_size,
        interval: 0,
        companion,
        pipe,
    }
}

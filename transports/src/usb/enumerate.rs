//! Finding and selecting a device's Bulk-Only interface, as a host does before the first
//! command (USB 2.0 9.1.2, 9.4; BOT 3.2, 4): the device and configuration descriptors,
//! the mass-storage alternate setting with protocol 50h (USB MSC Overview 1.4 Table 2),
//! its bulk endpoints, SET_CONFIGURATION, SET_INTERFACE and Get Max LUN.

use super::bot::{usb_error, Outcome};
use crate::scsi::{TransportError, UsbId};
use cdb::usb::descriptor::{
    AlternateSetting, Configuration, DeviceDescriptor, Endpoint, Interface, CLASS_MASS_STORAGE,
    CONFIGURATION, DEVICE, PROTOCOL_BOT, TRANSFER_BULK,
};
use cdb::usb::request::SetupPacket;
use emulator::usb::device::UsbDevice;
use emulator::usb::UsbError;
use std::time::Duration;

/// The configuration descriptor's header: wTotalLength is in bytes 2 and 3 (USB 2.0
/// 9.6.3).
const CONFIGURATION_HEADER: u16 = 9;
/// The device descriptor's length (USB 2.0 9.6.1).
const DEVICE_DESCRIPTOR_LEN: u16 = 18;
/// The time a control request with a data stage may take (USB 2.0 9.2.6.4): what a
/// timeout during enumeration reports.
const CONTROL_TIMEOUT: Duration = Duration::from_secs(5);

/// A selected Bulk-Only interface (BOT 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkOnly {
    /// idVendor and idProduct (USB 2.0 9.6.1).
    pub id: UsbId,
    /// bInterfaceNumber.
    pub interface: u8,
    /// The bulk-in endpoint's address (BOT 4.2).
    pub bulk_in: u8,
    /// The bulk-out endpoint's address (BOT 4.2).
    pub bulk_out: u8,
    /// wMaxPacketSize of the bulk-in endpoint, at least 1 (USB 2.0 9.6.6).
    pub packet: usize,
    /// Get Max LUN's answer (BOT 3.2).
    pub max_lun: u8,
}

/// Reads the descriptors, selects the first Bulk-Only alternate setting (USB 2.0 9.4.7,
/// 9.4.10) and asks Get Max LUN (BOT 3.2; a STALL means one LUN).
pub fn bulk_only<D: UsbDevice>(device: &mut D) -> Outcome<BulkOnly> {
    let id = read_id(device)?;
    let configuration = read_configuration(device)?;
    let (interface, alternate) = find_bot(&configuration).ok_or_else(|| {
        TransportError::Refused("the device has no Bulk-Only (50h) interface".into())
    })?;
    let (bulk_in, bulk_out) = bulk_endpoints(alternate).ok_or_else(|| {
        TransportError::Failed("the Bulk-Only interface lacks a bulk endpoint pair".into())
    })?;
    let setup = |e| usb_error("enumeration", e, CONTROL_TIMEOUT);
    let number = interface.interface_number;
    device
        .control_out(
            SetupPacket::set_configuration(configuration.configuration_value),
            &[],
        )
        .map_err(setup)?;
    if interface.alternates.len() > 1 {
        device
            .control_out(
                SetupPacket::set_interface(number, alternate.alternate_setting),
                &[],
            )
            .map_err(setup)?;
    }
    let max_lun = match device.control_in(SetupPacket::get_max_lun(number)) {
        Ok(answer) => answer.first().copied().unwrap_or(0) & 0x0f,
        Err(UsbError::Stall) => 0,
        Err(e) => return Err(setup(e)),
    };
    Ok(BulkOnly {
        id,
        interface: number,
        bulk_in: bulk_in.endpoint_address,
        bulk_out: bulk_out.endpoint_address,
        packet: usize::from(bulk_in.max_packet_size).max(1),
        max_lun,
    })
}

/// idVendor and idProduct from the device descriptor (USB 2.0 9.4.3, 9.6.1).
fn read_id<D: UsbDevice>(device: &mut D) -> Outcome<UsbId> {
    let bytes = device
        .control_in(SetupPacket::get_descriptor(
            DEVICE,
            0,
            0,
            DEVICE_DESCRIPTOR_LEN,
        ))
        .map_err(|e| usb_error("GET_DESCRIPTOR(DEVICE)", e, CONTROL_TIMEOUT))?;
    let descriptor = DeviceDescriptor::parse(&bytes)
        .map_err(|e| TransportError::Failed(format!("device descriptor: {e}")))?;
    Ok(UsbId {
        vendor_id: descriptor.id_vendor,
        product_id: descriptor.id_product,
    })
}

/// Reads the whole configuration descriptor: its header for wTotalLength, then all of it
/// (USB 2.0 9.4.3, 9.6.3).
fn read_configuration<D: UsbDevice>(device: &mut D) -> Outcome<Configuration> {
    let get = |length| SetupPacket::get_descriptor(CONFIGURATION, 0, 0, length);
    let failed = |e| usb_error("GET_DESCRIPTOR(CONFIGURATION)", e, CONTROL_TIMEOUT);
    let head = device
        .control_in(get(CONFIGURATION_HEADER))
        .map_err(failed)?;
    let total = match head.get(2..4) {
        Some(&[lo, hi]) => u16::from_le_bytes([lo, hi]),
        _ => {
            return Err(TransportError::Failed(
                "configuration descriptor too short".into(),
            ))
        }
    };
    let bytes = device.control_in(get(total)).map_err(failed)?;
    Configuration::parse(&bytes)
        .map_err(|e| TransportError::Failed(format!("configuration descriptor: {e}")))
}

/// The first mass-storage alternate setting with the Bulk-Only protocol (50h).
fn find_bot(configuration: &Configuration) -> Option<(&Interface, &AlternateSetting)> {
    configuration.interfaces.iter().find_map(|interface| {
        interface
            .alternates
            .iter()
            .find(|a| {
                a.interface_class == CLASS_MASS_STORAGE && a.interface_protocol == PROTOCOL_BOT
            })
            .map(|a| (interface, a))
    })
}

/// The alternate's bulk-in and bulk-out endpoints (BOT 4.2; USB 2.0 9.6.6 bmAttributes).
fn bulk_endpoints(alternate: &AlternateSetting) -> Option<(&Endpoint, &Endpoint)> {
    let bulk = |is_in: bool| {
        alternate
            .endpoints
            .iter()
            .find(|e| e.attributes & 0x03 == TRANSFER_BULK && e.is_in() == is_in)
    };
    Some((bulk(true)?, bulk(false)?))
}

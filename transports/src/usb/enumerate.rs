//! Finding and selecting a device's mass-storage interface, as a host does before the
//! first command (USB 2.0 9.1.2, 9.4): the device and configuration descriptors read once
//! ([`Found`]), the alternate setting of the transport protocol wanted (USB MSC Overview
//! 1.4 Table 2: Bulk-Only 50h, UAS 62h), SET_CONFIGURATION and SET_INTERFACE, then what
//! each protocol needs: the bulk endpoint pair and Get Max LUN for Bulk-Only
//! ([`BulkOnly`], BOT 3.2, 4), the four pipes of the Pipe Usage descriptors and, at
//! SuperSpeed, bulk streams for UAS ([`UasLink`], UAS-2 4.3, 5.3.3).

use super::bot::{usb_error, Outcome};
use crate::scsi::{TransportError, UsbId};
use cdb::usb::descriptor::{
    AlternateSetting, Configuration, DeviceDescriptor, Endpoint, Interface, PipeId,
    CLASS_MASS_STORAGE, CONFIGURATION, DEVICE, PROTOCOL_BOT, PROTOCOL_UAS, TRANSFER_BULK,
};
use cdb::usb::request::SetupPacket;
use emulator::usb::device::{Speed, UsbDevice};
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
/// The streams asked for on each UAS status and data pipe at SuperSpeed: one per tag, 16
/// like QEMU's usb-uas (UAS-2 4.4.3; stream ID = tag). Without streams the same number of
/// tags is used.
const UAS_STREAMS: u16 = 16;

/// The device as enumeration read it: its identity and its configuration (USB 2.0 9.6.1,
/// 9.6.3), read once and searched for the alternate setting of each protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// idVendor and idProduct (USB 2.0 9.6.1).
    pub id: UsbId,
    /// The configuration descriptor with its interfaces, alternates and endpoints.
    pub configuration: Configuration,
}

impl Found {
    /// Reads the device descriptor and the whole configuration descriptor (USB 2.0 9.4.3).
    pub fn read<D: UsbDevice>(device: &mut D) -> Outcome<Self> {
        Ok(Found {
            id: read_id(device)?,
            configuration: read_configuration(device)?,
        })
    }

    /// The first mass-storage alternate setting whose bInterfaceProtocol is `protocol`
    /// (USB MSC Overview 1.4 Table 2), with its interface.
    pub fn alternate(&self, protocol: u8) -> Option<(&Interface, &AlternateSetting)> {
        self.configuration.interfaces.iter().find_map(|interface| {
            interface
                .alternates
                .iter()
                .find(|a| {
                    a.interface_class == CLASS_MASS_STORAGE && a.interface_protocol == protocol
                })
                .map(|a| (interface, a))
        })
    }

    /// What the device offers, for refusals: its mass-storage alternates by protocol,
    /// e.g. "alt 0 Bulk-Only (50h), alt 1 UAS (62h)".
    pub fn offers(&self) -> String {
        let offered: Vec<String> = self
            .configuration
            .interfaces
            .iter()
            .flat_map(|i| i.alternates.iter().map(move |a| (i.interface_number, a)))
            .filter(|(_, a)| a.interface_class == CLASS_MASS_STORAGE)
            .map(|(number, a)| {
                let name = match a.interface_protocol {
                    PROTOCOL_BOT => "Bulk-Only",
                    PROTOCOL_UAS => "UAS",
                    _ => "mass storage",
                };
                format!(
                    "interface {number} alt {} {name} ({:02X}h)",
                    a.alternate_setting, a.interface_protocol
                )
            })
            .collect();
        if offered.is_empty() {
            "no mass-storage interface".into()
        } else {
            offered.join(", ")
        }
    }

    /// The alternate of `protocol`, or a refusal naming what the device offers.
    fn require(&self, protocol: u8, name: &str) -> Outcome<(&Interface, &AlternateSetting)> {
        self.alternate(protocol).ok_or_else(|| {
            TransportError::Refused(format!(
                "the device has no {name} ({protocol:02X}h) interface; it offers {}",
                self.offers()
            ))
        })
    }
}

/// A selected Bulk-Only interface (BOT 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkOnly {
    /// idVendor and idProduct (USB 2.0 9.6.1).
    pub id: UsbId,
    /// bInterfaceNumber.
    pub interface: u8,
    /// bAlternateSetting of the Bulk-Only alternate.
    pub alternate: u8,
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
    let found = Found::read(device)?;
    bulk_only_of(device, &found)
}

/// [`bulk_only`] on descriptors already read.
pub fn bulk_only_of<D: UsbDevice>(device: &mut D, found: &Found) -> Outcome<BulkOnly> {
    let (interface, alternate) = found.require(PROTOCOL_BOT, "Bulk-Only")?;
    let (bulk_in, bulk_out) = bulk_endpoints(alternate).ok_or_else(|| {
        TransportError::Failed("the Bulk-Only interface lacks a bulk endpoint pair".into())
    })?;
    select(device, found, interface, alternate)?;
    let number = interface.interface_number;
    let max_lun = match device.control_in(SetupPacket::get_max_lun(number)) {
        Ok(answer) => answer.first().copied().unwrap_or(0) & 0x0f,
        Err(UsbError::Stall) => 0,
        Err(e) => return Err(setup_error(e)),
    };
    Ok(BulkOnly {
        id: found.id,
        interface: number,
        alternate: alternate.alternate_setting,
        bulk_in: bulk_in.endpoint_address,
        bulk_out: bulk_out.endpoint_address,
        packet: packet_size(bulk_in),
        max_lun,
    })
}

/// One UAS pipe (UAS-2 4.3): its endpoint address and wMaxPacketSize (at least 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UasPipe {
    /// bEndpointAddress.
    pub address: u8,
    /// wMaxPacketSize (USB 2.0 9.6.6).
    pub packet: usize,
}

/// A selected UAS interface (UAS-2 4.3, 5.3.3): its four pipes and whether commands are
/// told apart by streams (SuperSpeed) or by Read/Write Ready IUs (high speed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UasLink {
    /// idVendor and idProduct (USB 2.0 9.6.1).
    pub id: UsbId,
    /// The bus speed.
    pub speed: Speed,
    /// bInterfaceNumber.
    pub interface: u8,
    /// bAlternateSetting of the UAS alternate.
    pub alternate: u8,
    /// The command pipe (bulk-out, UAS-2 4.3.1).
    pub command: UasPipe,
    /// The status pipe (bulk-in, UAS-2 4.3.2).
    pub status: UasPipe,
    /// The data-in pipe (bulk-in, UAS-2 4.3.3).
    pub data_in: UasPipe,
    /// The data-out pipe (bulk-out, UAS-2 4.3.4).
    pub data_out: UasPipe,
    /// True when the status and data pipes have streams, stream ID = tag (UAS-2 4.4.3).
    pub streams: bool,
    /// The tags in use, 1 to `tags`: with streams, the streams granted (USB 3.2
    /// 8.12.1.4).
    pub tags: u16,
}

/// Reads the descriptors and selects the first UAS alternate setting ([`uas_of`]).
pub fn uas<D: UsbDevice>(device: &mut D) -> Outcome<UasLink> {
    let found = Found::read(device)?;
    uas_of(device, &found)
}

/// Selects the first UAS alternate setting of `found` (USB 2.0 9.4.7, 9.4.10), finds its
/// pipes by their Pipe Usage descriptors (UAS-2 5.3.3.2) and, at SuperSpeed, allocates
/// streams on the status, data-in and data-out pipes (UAS-2 4.4.3; USB 3.2 8.12.1.4). A
/// SuperSpeed host that grants fewer than two streams is refused: UAS needs them there
/// (QEMU's usb-uas STALLs stream 0), and one tag is kept for task management.
pub fn uas_of<D: UsbDevice>(device: &mut D, found: &Found) -> Outcome<UasLink> {
    let (interface, alternate) = found.require(PROTOCOL_UAS, "UAS")?;
    // The status and data-in pipes are bulk-in, the command and data-out pipes bulk-out
    // (UAS-2 4.3): a Pipe Usage descriptor on an endpoint of the other direction names no
    // pipe of that ID.
    let pipe = |id: PipeId| {
        let is_in = matches!(id, PipeId::Status | PipeId::DataIn);
        alternate
            .endpoints
            .iter()
            .find(|e| {
                e.pipe == Some(id) && e.attributes & 0x03 == TRANSFER_BULK && e.is_in() == is_in
            })
            .map(|e| UasPipe {
                address: e.endpoint_address,
                packet: packet_size(e),
            })
            .ok_or_else(|| {
                let direction = if is_in { "bulk-in" } else { "bulk-out" };
                TransportError::Failed(format!(
                    "the UAS interface has no {id:?} pipe on a {direction} endpoint (Pipe \
                     Usage descriptor, UAS-2 4.3, 5.3.3.2)"
                ))
            })
    };
    let (command, status) = (pipe(PipeId::Command)?, pipe(PipeId::Status)?);
    let (data_in, data_out) = (pipe(PipeId::DataIn)?, pipe(PipeId::DataOut)?);
    select(device, found, interface, alternate)?;
    let speed = device.speed();
    let tags = match speed {
        Speed::High => UAS_STREAMS,
        Speed::Super => {
            let endpoints = [status.address, data_in.address, data_out.address];
            match device.alloc_streams(&endpoints, UAS_STREAMS) {
                Ok(granted) if granted >= 2 => granted.min(UAS_STREAMS),
                Ok(granted) => {
                    return Err(TransportError::Refused(format!(
                        "UAS at SuperSpeed needs bulk streams: the host granted {granted}"
                    )))
                }
                Err(UsbError::InvalidParam | UsbError::NotFound) => {
                    return Err(TransportError::Refused(
                        "UAS at SuperSpeed needs bulk streams: the host or device has none".into(),
                    ))
                }
                Err(e) => return Err(usb_error("stream allocation", e, CONTROL_TIMEOUT)),
            }
        }
    };
    Ok(UasLink {
        id: found.id,
        speed,
        interface: interface.interface_number,
        alternate: alternate.alternate_setting,
        command,
        status,
        data_in,
        data_out,
        streams: speed == Speed::Super,
        tags,
    })
}

/// SET_CONFIGURATION, then SET_INTERFACE when the interface has several alternates (USB
/// 2.0 9.4.7, 9.4.10).
fn select<D: UsbDevice>(
    device: &mut D,
    found: &Found,
    interface: &Interface,
    alternate: &AlternateSetting,
) -> Outcome<()> {
    let value = found.configuration.configuration_value;
    device
        .control_out(SetupPacket::set_configuration(value), &[])
        .map_err(setup_error)?;
    if interface.alternates.len() > 1 {
        let setup =
            SetupPacket::set_interface(interface.interface_number, alternate.alternate_setting);
        device.control_out(setup, &[]).map_err(setup_error)?;
    }
    Ok(())
}

/// The transport error of a failed enumeration request.
fn setup_error(error: UsbError) -> TransportError {
    usb_error("enumeration", error, CONTROL_TIMEOUT)
}

/// wMaxPacketSize, at least 1 (USB 2.0 9.6.6).
fn packet_size(endpoint: &Endpoint) -> usize {
    usize::from(endpoint.max_packet_size).max(1)
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

//! The standard USB descriptors a host reads to find a mass-storage interface and its
//! alternate settings (USB 2.0 9.6; USB 3.2 9.6.7), with the UAS Pipe Usage descriptor
//! (UAS-2 5.3.3.2; UASP 1.0 5.3.3.2): zerocopy views of the fixed layouts, and a parsed
//! configuration ([`Configuration`]) walked into interfaces, alternate settings and
//! endpoints, emitted back by [`Configuration::to_bytes`].

use crate::error::{BuildError, DecodeError};
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
const CONFIGURATION_LEN: usize = 9;
const INTERFACE_LEN: usize = 9;
const ENDPOINT_LEN: usize = 7;
const COMPANION_LEN: usize = 6;
const PIPE_USAGE_LEN: usize = 4;

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

#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
struct ConfigurationView {
    length: u8,
    descriptor_type: u8,
    total_length: U16,
    num_interfaces: u8,
    configuration_value: u8,
    i_configuration: u8,
    attributes: u8,
    max_power: u8,
}

#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
struct InterfaceView {
    length: u8,
    descriptor_type: u8,
    interface_number: u8,
    alternate_setting: u8,
    num_endpoints: u8,
    interface_class: u8,
    interface_subclass: u8,
    interface_protocol: u8,
    i_interface: u8,
}

#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
struct EndpointView {
    length: u8,
    descriptor_type: u8,
    endpoint_address: u8,
    attributes: u8,
    max_packet_size: U16,
    interval: u8,
}

#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
struct CompanionView {
    length: u8,
    descriptor_type: u8,
    max_burst: u8,
    attributes: u8,
    bytes_per_interval: U16,
}

#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
struct PipeUsageView {
    length: u8,
    descriptor_type: u8,
    pipe_id: u8,
    reserved: u8,
}

/// A configuration (USB 2.0 9.6.3) with its interfaces, as GET_DESCRIPTOR(CONFIGURATION)
/// returns it: wTotalLength bytes of descriptors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Configuration {
    /// bConfigurationValue: the SET_CONFIGURATION argument selecting it.
    pub configuration_value: u8,
    /// iConfiguration: string index (0: none).
    pub i_configuration: u8,
    /// bmAttributes (bit 7 reserved one, bit 6 self-powered, bit 5 remote wakeup).
    pub attributes: u8,
    /// bMaxPower, in 2 mA units (high speed) or 8 mA units (SuperSpeed).
    pub max_power: u8,
    /// The interfaces, in the order their first alternate setting appears.
    pub interfaces: Vec<Interface>,
}

/// One interface (USB 2.0 9.6.5): its alternate settings, of which SET_INTERFACE selects
/// one (USB 2.0 9.4.10).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Interface {
    /// bInterfaceNumber.
    pub interface_number: u8,
    /// The alternate settings in descriptor order.
    pub alternates: Vec<AlternateSetting>,
}

/// One alternate setting of an interface (USB 2.0 9.6.5, Table 9-12) with its endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AlternateSetting {
    /// bAlternateSetting.
    pub alternate_setting: u8,
    /// bInterfaceClass.
    pub interface_class: u8,
    /// bInterfaceSubClass.
    pub interface_subclass: u8,
    /// bInterfaceProtocol ([`PROTOCOL_BOT`], [`PROTOCOL_UAS`]).
    pub interface_protocol: u8,
    /// iInterface: string index (0: none).
    pub i_interface: u8,
    /// bNumEndpoints as the descriptor states it; `endpoints` holds those found.
    pub num_endpoints: u8,
    /// The endpoint descriptors that follow the interface descriptor.
    pub endpoints: Vec<Endpoint>,
}

/// One endpoint (USB 2.0 9.6.6, Table 9-13) with the descriptors that qualify it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Endpoint {
    /// bEndpointAddress: number in bits 3:0, [`ENDPOINT_IN`] for IN.
    pub endpoint_address: u8,
    /// bmAttributes: transfer type in bits 1:0 ([`TRANSFER_BULK`]).
    pub attributes: u8,
    /// wMaxPacketSize.
    pub max_packet_size: u16,
    /// bInterval.
    pub interval: u8,
    /// The SuperSpeed Endpoint Companion descriptor (USB 3.2 9.6.7), at SuperSpeed.
    pub companion: Option<SsEndpointCompanion>,
    /// The UAS Pipe Usage descriptor's pipe (UAS-2 5.3.3.2), on a UAS interface.
    pub pipe: Option<PipeId>,
}

impl Endpoint {
    /// True for an IN (device to host) endpoint (USB 2.0 9.6.6).
    pub fn is_in(&self) -> bool {
        self.endpoint_address & ENDPOINT_IN != 0
    }

    /// The number of bulk streams the endpoint supports: 0 without streams (USB 3.2
    /// 9.6.7, MaxStreams).
    pub fn streams(&self) -> u32 {
        match self.companion.map(|c| c.max_streams()) {
            None | Some(0) => 0,
            Some(n) => 1 << n.min(MAX_STREAMS_EXPONENT),
        }
    }
}

/// The SuperSpeed Endpoint Companion descriptor (USB 3.2 9.6.7, Table 9-27).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct SsEndpointCompanion {
    /// bMaxBurst: packets per burst less one, 0 to 15.
    pub max_burst: u8,
    /// bmAttributes: for bulk, MaxStreams in bits 4:0.
    pub attributes: u8,
    /// wBytesPerInterval (periodic endpoints only).
    pub bytes_per_interval: u16,
}

impl SsEndpointCompanion {
    /// A bulk endpoint's companion with `2^max_streams` streams (0: none) and bursts of
    /// `max_burst + 1` packets (USB 3.2 9.6.7).
    pub fn bulk(max_burst: u8, max_streams: u8) -> Result<Self, BuildError> {
        BuildError::check_max("SS endpoint companion", "bMaxBurst", max_burst.into(), 15)?;
        BuildError::check_max(
            "SS endpoint companion",
            "MaxStreams",
            max_streams.into(),
            MAX_STREAMS_EXPONENT.into(),
        )?;
        Ok(SsEndpointCompanion {
            max_burst,
            attributes: max_streams,
            bytes_per_interval: 0,
        })
    }

    /// MaxStreams, bits 4:0 of bmAttributes, for a bulk endpoint (USB 3.2 9.6.7).
    pub fn max_streams(&self) -> u8 {
        self.attributes & 0x1f
    }
}

/// The bPipeID of a UAS Pipe Usage descriptor (UAS-2 5.3.3.2, table "Pipe ID").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PipeId {
    /// 01h Command pipe (bulk-out).
    Command,
    /// 02h Status pipe (bulk-in).
    Status,
    /// 03h Data-in pipe (bulk-in).
    DataIn,
    /// 04h Data-out pipe (bulk-out).
    DataOut,
}

impl PipeId {
    /// The bPipeID byte.
    pub fn code(self) -> u8 {
        match self {
            PipeId::Command => 1,
            PipeId::Status => 2,
            PipeId::DataIn => 3,
            PipeId::DataOut => 4,
        }
    }

    /// The pipe a bPipeID names; other values are reserved or vendor specific.
    pub fn from_code(code: u8) -> Result<Self, DecodeError> {
        [
            PipeId::Command,
            PipeId::Status,
            PipeId::DataIn,
            PipeId::DataOut,
        ]
        .into_iter()
        .find(|p| p.code() == code)
        .ok_or(DecodeError::InvalidValue {
            what: "Pipe Usage bPipeID",
            value: code.into(),
        })
    }
}

/// Checks a descriptor's bLength and bDescriptorType.
fn check_header(
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
fn view<T: FromBytes + KnownLayout + Immutable>(
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

impl Configuration {
    /// Walks a configuration descriptor and the descriptors wTotalLength covers (USB 2.0
    /// 9.4.3, 9.6.3): interface descriptors open alternate settings, endpoint descriptors
    /// join the last one, companion and Pipe Usage descriptors qualify the last endpoint;
    /// other descriptors (class or vendor specific) are skipped.
    pub fn parse(bytes: &[u8]) -> Result<Self, DecodeError> {
        let head: ConfigurationView = view(bytes, "configuration descriptor")?;
        check_header(
            "configuration descriptor",
            head.length,
            head.descriptor_type,
            CONFIGURATION,
            CONFIGURATION_LEN,
        )?;
        let total = usize::from(head.total_length.get());
        let all = bytes.get(..total).ok_or(DecodeError::Truncated {
            what: "configuration wTotalLength",
            need: total,
            have: bytes.len(),
        })?;
        let mut config = Configuration {
            configuration_value: head.configuration_value,
            i_configuration: head.i_configuration,
            attributes: head.attributes,
            max_power: head.max_power,
            interfaces: Vec::new(),
        };
        let mut rest = all
            .get(usize::from(head.length)..)
            .ok_or(DecodeError::Malformed {
                what: "configuration descriptor",
                reason: "bLength exceeds wTotalLength",
            })?;
        while !rest.is_empty() {
            let (body, tail) = split_descriptor(rest)?;
            config.add(body)?;
            rest = tail;
        }
        Ok(config)
    }

    /// Adds one descriptor to the tree.
    fn add(&mut self, body: &[u8]) -> Result<(), DecodeError> {
        match body.get(1).copied() {
            Some(INTERFACE) => {
                let v: InterfaceView = view(body, "interface descriptor")?;
                let alternate = AlternateSetting {
                    alternate_setting: v.alternate_setting,
                    interface_class: v.interface_class,
                    interface_subclass: v.interface_subclass,
                    interface_protocol: v.interface_protocol,
                    i_interface: v.i_interface,
                    num_endpoints: v.num_endpoints,
                    endpoints: Vec::new(),
                };
                self.open_interface(v.interface_number, alternate);
            }
            Some(ENDPOINT) => {
                let v: EndpointView = view(body, "endpoint descriptor")?;
                self.current_alternate()?.endpoints.push(Endpoint {
                    endpoint_address: v.endpoint_address,
                    attributes: v.attributes,
                    max_packet_size: v.max_packet_size.get(),
                    interval: v.interval,
                    companion: None,
                    pipe: None,
                });
            }
            Some(SS_ENDPOINT_COMPANION) => {
                let v: CompanionView = view(body, "SS endpoint companion descriptor")?;
                self.current_endpoint()?.companion = Some(SsEndpointCompanion {
                    max_burst: v.max_burst,
                    attributes: v.attributes,
                    bytes_per_interval: v.bytes_per_interval.get(),
                });
            }
            Some(PIPE_USAGE) => {
                let v: PipeUsageView = view(body, "Pipe Usage descriptor")?;
                let pipe = PipeId::from_code(v.pipe_id)?;
                self.current_endpoint()?.pipe = Some(pipe);
            }
            _ => {}
        }
        Ok(())
    }

    /// Starts `alternate` of interface `number`, the interface being new or known.
    fn open_interface(&mut self, number: u8, alternate: AlternateSetting) {
        // The walk keeps the interface just opened last, so later endpoints join it.
        let at = self
            .interfaces
            .iter()
            .position(|i| i.interface_number == number);
        let mut interface = match at {
            Some(at) => self.interfaces.remove(at),
            None => Interface {
                interface_number: number,
                alternates: Vec::new(),
            },
        };
        interface.alternates.push(alternate);
        self.interfaces.push(interface);
    }

    fn current_alternate(&mut self) -> Result<&mut AlternateSetting, DecodeError> {
        self.interfaces
            .last_mut()
            .and_then(|i| i.alternates.last_mut())
            .ok_or(DecodeError::Malformed {
                what: "configuration",
                reason: "an endpoint descriptor precedes every interface descriptor",
            })
    }

    fn current_endpoint(&mut self) -> Result<&mut Endpoint, DecodeError> {
        self.current_alternate()?
            .endpoints
            .last_mut()
            .ok_or(DecodeError::Malformed {
                what: "configuration",
                reason: "an endpoint qualifier precedes every endpoint descriptor",
            })
    }

    /// The alternate setting `alternate` of interface `interface`, if described.
    pub fn alternate(&self, interface: u8, alternate: u8) -> Option<&AlternateSetting> {
        self.interfaces
            .iter()
            .find(|i| i.interface_number == interface)?
            .alternates
            .iter()
            .find(|a| a.alternate_setting == alternate)
    }

    /// The descriptors GET_DESCRIPTOR(CONFIGURATION) returns (USB 2.0 9.4.3): the
    /// configuration descriptor, then each interface's alternate settings with their
    /// endpoints, companions and Pipe Usage descriptors. bNumInterfaces and wTotalLength
    /// are computed; a configuration they cannot count is refused.
    pub fn to_bytes(&self) -> Result<Vec<u8>, BuildError> {
        const WHAT: &str = "configuration descriptor";
        let mut out = vec![0u8; CONFIGURATION_LEN];
        for alternate in self
            .interfaces
            .iter()
            .flat_map(|i| i.alternates.iter().map(move |a| (i.interface_number, a)))
        {
            emit_alternate(alternate.0, alternate.1, &mut out)?;
        }
        let num_interfaces =
            u8::try_from(self.interfaces.len()).map_err(|_| BuildError::OutOfRange {
                command: WHAT,
                field: "bNumInterfaces",
                value: self.interfaces.len() as u64,
                max: u8::MAX.into(),
            })?;
        let total_length = u16::try_from(out.len()).map_err(|_| BuildError::OutOfRange {
            command: WHAT,
            field: "wTotalLength",
            value: out.len() as u64,
            max: u16::MAX.into(),
        })?;
        let head = ConfigurationView {
            length: CONFIGURATION_LEN as u8,
            descriptor_type: CONFIGURATION,
            total_length: total_length.into(),
            num_interfaces,
            configuration_value: self.configuration_value,
            i_configuration: self.i_configuration,
            attributes: self.attributes,
            max_power: self.max_power,
        };
        out[..CONFIGURATION_LEN].copy_from_slice(head.as_bytes());
        Ok(out)
    }
}

/// Splits one descriptor (bLength bytes) from the front of `bytes`.
fn split_descriptor(bytes: &[u8]) -> Result<(&[u8], &[u8]), DecodeError> {
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

/// Emits one alternate setting with its endpoints.
fn emit_alternate(
    number: u8,
    alternate: &AlternateSetting,
    out: &mut Vec<u8>,
) -> Result<(), BuildError> {
    let num_endpoints =
        u8::try_from(alternate.endpoints.len()).map_err(|_| BuildError::OutOfRange {
            command: "interface descriptor",
            field: "bNumEndpoints",
            value: alternate.endpoints.len() as u64,
            max: u8::MAX.into(),
        })?;
    let head = InterfaceView {
        length: INTERFACE_LEN as u8,
        descriptor_type: INTERFACE,
        interface_number: number,
        alternate_setting: alternate.alternate_setting,
        num_endpoints,
        interface_class: alternate.interface_class,
        interface_subclass: alternate.interface_subclass,
        interface_protocol: alternate.interface_protocol,
        i_interface: alternate.i_interface,
    };
    out.extend_from_slice(head.as_bytes());
    for endpoint in &alternate.endpoints {
        emit_endpoint(endpoint, out);
    }
    Ok(())
}

/// Emits an endpoint descriptor, its companion (USB 3.2 9.6.7 puts it right after) and its
/// Pipe Usage descriptor (UAS-2 5.3.3.2).
fn emit_endpoint(endpoint: &Endpoint, out: &mut Vec<u8>) {
    let head = EndpointView {
        length: ENDPOINT_LEN as u8,
        descriptor_type: ENDPOINT,
        endpoint_address: endpoint.endpoint_address,
        attributes: endpoint.attributes,
        max_packet_size: endpoint.max_packet_size.into(),
        interval: endpoint.interval,
    };
    out.extend_from_slice(head.as_bytes());
    if let Some(c) = endpoint.companion {
        let companion = CompanionView {
            length: COMPANION_LEN as u8,
            descriptor_type: SS_ENDPOINT_COMPANION,
            max_burst: c.max_burst,
            attributes: c.attributes,
            bytes_per_interval: c.bytes_per_interval.into(),
        };
        out.extend_from_slice(companion.as_bytes());
    }
    if let Some(pipe) = endpoint.pipe {
        let usage = PipeUsageView {
            length: PIPE_USAGE_LEN as u8,
            descriptor_type: PIPE_USAGE,
            pipe_id: pipe.code(),
            reserved: 0,
        };
        out.extend_from_slice(usage.as_bytes());
    }
}

/// LANGID US English (USB LANGIDs 1.0), the language of the emulated strings.
pub const LANGID_EN_US: u16 = 0x0409;

/// A string descriptor for `text` (USB 2.0 9.6.7): UTF-16LE, at most 126 code units so
/// bLength fits a byte.
pub fn string_descriptor(text: &str) -> Result<Vec<u8>, BuildError> {
    let units: Vec<u16> = text.encode_utf16().collect();
    BuildError::check_max("string descriptor", "bString", units.len() as u64, 126)?;
    Ok(descriptor_of_units(&units))
}

/// String descriptor zero: the supported LANGIDs (USB 2.0 9.6.7, Table 9-15).
pub fn language_ids(languages: &[u16]) -> Result<Vec<u8>, BuildError> {
    BuildError::check_max("string descriptor", "wLANGID", languages.len() as u64, 126)?;
    Ok(descriptor_of_units(languages))
}

fn descriptor_of_units(units: &[u16]) -> Vec<u8> {
    // Callers bound `units` to 126 entries: bLength is at most 254.
    let mut out = vec![(2 + 2 * units.len()) as u8, STRING];
    out.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    out
}

/// The text of a string descriptor (USB 2.0 9.6.7): bLength bytes of UTF-16LE after the
/// header; an odd trailing byte is ignored.
pub fn parse_string(bytes: &[u8]) -> Result<String, DecodeError> {
    let (body, _) = split_descriptor(bytes)?;
    if body.get(1) != Some(&STRING) {
        return Err(DecodeError::InvalidValue {
            what: "string descriptor bDescriptorType",
            value: body.get(1).copied().unwrap_or(0).into(),
        });
    }
    let units: Vec<u16> = body
        .get(2..)
        .unwrap_or_default()
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .collect();
    String::from_utf16(&units).map_err(|_| DecodeError::Malformed {
        what: "string descriptor",
        reason: "bString is not valid UTF-16",
    })
}

#[cfg(test)]
mod tests;

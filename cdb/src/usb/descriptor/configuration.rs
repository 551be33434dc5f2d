//! A configuration as GET_DESCRIPTOR(CONFIGURATION) returns it (USB 2.0 9.4.3, 9.6.3):
//! walked into interfaces, alternate settings and endpoints with their SuperSpeed
//! companions (USB 3.2 9.6.7) and UAS Pipe Usage descriptors (UAS-2 5.3.3.2), and emitted
//! back.

use super::{
    check_header, split_descriptor, view, COMPANION_LEN, CONFIGURATION, CONFIGURATION_LEN,
    ENDPOINT, ENDPOINT_IN, ENDPOINT_LEN, INTERFACE, INTERFACE_LEN, MAX_STREAMS_EXPONENT,
    PIPE_USAGE, PIPE_USAGE_LEN, SS_ENDPOINT_COMPANION,
};
use crate::error::{BuildError, DecodeError};
use serde::Serialize;
use zerocopy::little_endian::U16;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

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
    /// bInterfaceProtocol ([`super::PROTOCOL_BOT`], [`super::PROTOCOL_UAS`]).
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
    /// bmAttributes: transfer type in bits 1:0 ([`super::TRANSFER_BULK`]).
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

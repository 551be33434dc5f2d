//! Control requests (USB 2.0 9.3 the setup packet, 9.4 the standard requests) and the
//! Bulk-Only class requests (USB MSC BOT 1.0 3.1, 3.2), as a host sends them on endpoint 0.

use crate::error::DecodeError;
use serde::Serialize;
use zerocopy::little_endian::U16;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// bmRequestType bit 7: data stage device to host (USB 2.0 9.3.1).
pub const DIR_IN: u8 = 0x80;
/// bmRequestType bits 6:5 = 01b: class request (USB 2.0 9.3.1).
pub const TYPE_CLASS: u8 = 0x20;
/// bmRequestType bits 4:0 = 00001b: recipient interface (USB 2.0 9.3.1).
pub const RECIPIENT_INTERFACE: u8 = 0x01;
/// bmRequestType bits 4:0 = 00010b: recipient endpoint (USB 2.0 9.3.1).
pub const RECIPIENT_ENDPOINT: u8 = 0x02;

/// CLEAR_FEATURE (USB 2.0 9.4.1, Table 9-4).
pub const CLEAR_FEATURE: u8 = 0x01;
/// GET_DESCRIPTOR (USB 2.0 9.4.3).
pub const GET_DESCRIPTOR: u8 = 0x06;
/// GET_CONFIGURATION (USB 2.0 9.4.2).
pub const GET_CONFIGURATION: u8 = 0x08;
/// SET_CONFIGURATION (USB 2.0 9.4.7).
pub const SET_CONFIGURATION: u8 = 0x09;
/// GET_INTERFACE (USB 2.0 9.4.4).
pub const GET_INTERFACE: u8 = 0x0a;
/// SET_INTERFACE (USB 2.0 9.4.10).
pub const SET_INTERFACE: u8 = 0x0b;
/// ENDPOINT_HALT feature selector (USB 2.0 9.4, Table 9-6).
pub const ENDPOINT_HALT: u16 = 0;
/// Get Max LUN class request (BOT 3.2).
pub const GET_MAX_LUN: u8 = 0xfe;
/// Bulk-Only Mass Storage Reset class request (BOT 3.1).
pub const BULK_ONLY_MASS_STORAGE_RESET: u8 = 0xff;

/// The eight-byte setup packet of a control transfer (USB 2.0 9.3, Table 9-2).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    FromBytes,
    IntoBytes,
    KnownLayout,
    Immutable,
    Unaligned,
    Serialize,
    schemars::JsonSchema,
)]
#[repr(C)]
pub struct SetupPacket {
    /// bmRequestType: direction, type and recipient.
    pub request_type: u8,
    /// bRequest.
    pub request: u8,
    /// wValue.
    #[serde(serialize_with = "serialize_u16")]
    #[schemars(with = "u16")]
    pub value: U16,
    /// wIndex.
    #[serde(serialize_with = "serialize_u16")]
    #[schemars(with = "u16")]
    pub index: U16,
    /// wLength: the data stage's length.
    #[serde(serialize_with = "serialize_u16")]
    #[schemars(with = "u16")]
    pub length: U16,
}

fn serialize_u16<S: serde::Serializer>(value: &U16, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u16(value.get())
}

impl SetupPacket {
    /// A setup packet from its fields (USB 2.0 9.3).
    pub fn new(request_type: u8, request: u8, value: u16, index: u16, length: u16) -> Self {
        SetupPacket {
            request_type,
            request,
            value: value.into(),
            index: index.into(),
            length: length.into(),
        }
    }

    /// Parses the eight setup bytes (USB 2.0 9.3).
    pub fn parse(bytes: &[u8]) -> Result<Self, DecodeError> {
        SetupPacket::read_from_bytes(bytes).map_err(|_| DecodeError::Malformed {
            what: "setup packet",
            reason: "a setup packet is exactly 8 bytes (USB 2.0 9.3)",
        })
    }

    /// The eight wire bytes.
    pub fn to_bytes(&self) -> [u8; 8] {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(self.as_bytes());
        bytes
    }

    /// True when the data stage goes device to host (bmRequestType bit 7).
    pub fn is_in(&self) -> bool {
        self.request_type & DIR_IN != 0
    }

    /// GET_DESCRIPTOR of `descriptor_type` number `index` (language `language` for
    /// strings), reading up to `length` bytes (USB 2.0 9.4.3).
    pub fn get_descriptor(descriptor_type: u8, index: u8, language: u16, length: u16) -> Self {
        let value = u16::from_be_bytes([descriptor_type, index]);
        SetupPacket::new(DIR_IN, GET_DESCRIPTOR, value, language, length)
    }

    /// SET_CONFIGURATION to `configuration` (0 returns to the Address state, USB 2.0
    /// 9.4.7).
    pub fn set_configuration(configuration: u8) -> Self {
        SetupPacket::new(0, SET_CONFIGURATION, configuration.into(), 0, 0)
    }

    /// GET_CONFIGURATION: one byte (USB 2.0 9.4.2).
    pub fn get_configuration() -> Self {
        SetupPacket::new(DIR_IN, GET_CONFIGURATION, 0, 0, 1)
    }

    /// SET_INTERFACE: alternate `alternate` of `interface` (USB 2.0 9.4.10).
    pub fn set_interface(interface: u8, alternate: u8) -> Self {
        SetupPacket::new(
            RECIPIENT_INTERFACE,
            SET_INTERFACE,
            alternate.into(),
            interface.into(),
            0,
        )
    }

    /// GET_INTERFACE of `interface`: one byte, the alternate setting (USB 2.0 9.4.4).
    pub fn get_interface(interface: u8) -> Self {
        SetupPacket::new(
            DIR_IN | RECIPIENT_INTERFACE,
            GET_INTERFACE,
            0,
            interface.into(),
            1,
        )
    }

    /// CLEAR_FEATURE(ENDPOINT_HALT) on the endpoint with address `endpoint` (USB 2.0
    /// 9.4.1).
    pub fn clear_halt(endpoint: u8) -> Self {
        SetupPacket::new(
            RECIPIENT_ENDPOINT,
            CLEAR_FEATURE,
            ENDPOINT_HALT,
            endpoint.into(),
            0,
        )
    }

    /// Bulk-Only Mass Storage Reset of `interface` (BOT 3.1: 21h, FFh).
    pub fn bulk_only_reset(interface: u8) -> Self {
        SetupPacket::new(
            TYPE_CLASS | RECIPIENT_INTERFACE,
            BULK_ONLY_MASS_STORAGE_RESET,
            0,
            interface.into(),
            0,
        )
    }

    /// Get Max LUN of `interface` (BOT 3.2: A1h, FEh, one byte).
    pub fn get_max_lun(interface: u8) -> Self {
        SetupPacket::new(
            DIR_IN | TYPE_CLASS | RECIPIENT_INTERFACE,
            GET_MAX_LUN,
            0,
            interface.into(),
            1,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn requests_follow_usb2_and_bot_tables() {
        assert_eq!(
            SetupPacket::get_descriptor(2, 0, 0, 9).to_bytes(),
            [0x80, 0x06, 0x00, 0x02, 0, 0, 9, 0]
        );
        assert_eq!(
            SetupPacket::set_interface(0, 1).to_bytes(),
            [0x01, 0x0b, 1, 0, 0, 0, 0, 0]
        );
        assert_eq!(
            SetupPacket::clear_halt(0x81).to_bytes(),
            [0x02, 0x01, 0, 0, 0x81, 0, 0, 0]
        );
        assert_eq!(
            SetupPacket::get_max_lun(0).to_bytes(),
            [0xa1, 0xfe, 0, 0, 0, 0, 1, 0]
        );
        assert_eq!(
            SetupPacket::bulk_only_reset(0).to_bytes(),
            [0x21, 0xff, 0, 0, 0, 0, 0, 0]
        );
    }

    proptest! {
        #[test]
        fn setup_packets_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..12)) {
            match SetupPacket::parse(&bytes) {
                Ok(setup) => prop_assert_eq!(&setup.to_bytes()[..], &bytes[..]),
                Err(_) => prop_assert_ne!(bytes.len(), 8),
            }
        }
    }
}

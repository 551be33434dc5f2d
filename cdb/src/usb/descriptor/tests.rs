//! Descriptors laid out by hand from USB 2.0 9.6, USB 3.2 9.6.7 and UAS-2 5.3.3, parsed,
//! emitted back, and arbitrary bytes.

use super::*;
use proptest::prelude::*;

/// A configuration with one interface: alt 0 Bulk-Only (81h in, 02h out) and alt 1 UAS
/// with four pipes, at SuperSpeed with 2^5 streams on the UAS status and data pipes.
fn dual_fixture() -> Vec<u8> {
    let mut b = vec![9, 2, 0, 0, 1, 1, 0, 0x80, 50];
    b.extend_from_slice(&[9, 4, 0, 0, 2, 0x08, 0x06, 0x50, 0]);
    b.extend_from_slice(&[7, 5, 0x81, 2, 0x00, 0x04, 0, 6, 0x30, 15, 0, 0, 0]);
    b.extend_from_slice(&[7, 5, 0x02, 2, 0x00, 0x04, 0, 6, 0x30, 15, 0, 0, 0]);
    b.extend_from_slice(&[9, 4, 0, 1, 4, 0x08, 0x06, 0x62, 0]);
    // A class-specific descriptor the walk skips.
    b.extend_from_slice(&[3, 0x41, 0xee]);
    for (address, streams, pipe) in [(0x01, 0, 1), (0x82, 5, 2), (0x83, 5, 3), (0x04, 5, 4)] {
        b.extend_from_slice(&[7, 5, address, 2, 0x00, 0x04, 0]);
        b.extend_from_slice(&[6, 0x30, 0, streams, 0, 0]);
        b.extend_from_slice(&[4, 0x24, pipe, 0]);
    }
    let total = b.len() as u16;
    b[2..4].copy_from_slice(&total.to_le_bytes());
    b
}

#[test]
fn the_walk_finds_both_alternates_with_their_pipes() {
    let config = Configuration::parse(&dual_fixture()).expect("configuration");
    assert_eq!(config.configuration_value, 1);
    assert_eq!(config.interfaces.len(), 1);
    let bot = config.alternate(0, 0).expect("alt 0");
    assert_eq!(bot.interface_protocol, PROTOCOL_BOT);
    let addresses: Vec<u8> = bot.endpoints.iter().map(|e| e.endpoint_address).collect();
    assert_eq!(addresses, [0x81, 0x02]);
    assert_eq!(bot.endpoints[0].max_packet_size, 1024);
    assert_eq!(bot.endpoints[0].streams(), 0);
    let uas = config.alternate(0, 1).expect("alt 1");
    assert_eq!(uas.interface_protocol, PROTOCOL_UAS);
    let pipes: Vec<_> = uas
        .endpoints
        .iter()
        .map(|e| (e.endpoint_address, e.pipe))
        .collect();
    assert_eq!(
        pipes,
        [
            (0x01, Some(PipeId::Command)),
            (0x82, Some(PipeId::Status)),
            (0x83, Some(PipeId::DataIn)),
            (0x04, Some(PipeId::DataOut)),
        ]
    );
    assert_eq!(uas.endpoints[1].streams(), 32);
}

#[test]
fn emitting_drops_only_the_skipped_descriptor() {
    let fixture = dual_fixture();
    let config = Configuration::parse(&fixture).expect("configuration");
    let bytes = config.to_bytes().expect("emit");
    assert_eq!(bytes.len(), fixture.len() - 3);
    assert_eq!(Configuration::parse(&bytes), Ok(config));
}

#[test]
fn malformed_walks_are_errors() {
    let mut fixture = dual_fixture();
    assert!(
        Configuration::parse(&fixture[..20]).is_err(),
        "wTotalLength past the end"
    );
    fixture[9] = 0;
    assert!(Configuration::parse(&fixture).is_err(), "bLength 0");
    let lone_endpoint = [9, 2, 16, 0, 0, 1, 0, 0x80, 50, 7, 5, 0x81, 2, 0, 2, 0];
    assert!(Configuration::parse(&lone_endpoint).is_err());
}

#[test]
fn device_descriptor_follows_usb2_table_9_8() {
    let device = DeviceDescriptor {
        bcd_usb: 0x0320,
        device_class: 0,
        device_subclass: 0,
        device_protocol: 0,
        max_packet_size0: 9,
        id_vendor: 0x174c,
        id_product: 0x2362,
        bcd_device: 0x0100,
        i_manufacturer: 1,
        i_product: 2,
        i_serial_number: 3,
        num_configurations: 1,
    };
    let bytes = device.to_bytes();
    assert_eq!(
        bytes,
        [18, 1, 0x20, 0x03, 0, 0, 0, 9, 0x4c, 0x17, 0x62, 0x23, 0, 1, 1, 2, 3, 1]
    );
    assert_eq!(DeviceDescriptor::parse(&bytes), Ok(device));
    assert!(DeviceDescriptor::parse(&bytes[..8]).is_err());
}

#[test]
fn strings_are_utf16le() {
    let bytes = string_descriptor("QEMU").expect("string");
    assert_eq!(bytes, [10, 3, b'Q', 0, b'E', 0, b'M', 0, b'U', 0]);
    assert_eq!(parse_string(&bytes).as_deref(), Ok("QEMU"));
    assert_eq!(language_ids(&[LANGID_EN_US]), Ok(vec![4, 3, 0x09, 0x04]));
    assert!(string_descriptor(&"x".repeat(127)).is_err());
}

#[test]
fn companion_builder_refuses_unrepresentable_values() {
    assert!(SsEndpointCompanion::bulk(16, 0).is_err());
    assert!(SsEndpointCompanion::bulk(0, 17).is_err());
    assert_eq!(
        SsEndpointCompanion::bulk(15, 16).map(|c| c.max_streams()),
        Ok(16)
    );
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic_and_parsed_configurations_round_trip(
        bytes in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let _ = DeviceDescriptor::parse(&bytes);
        let _ = parse_string(&bytes);
        if let Ok(config) = Configuration::parse(&bytes) {
            if let Ok(emitted) = config.to_bytes() {
                prop_assert_eq!(Configuration::parse(&emitted), Ok(config));
            }
        }
    }

    #[test]
    fn mutated_fixtures_never_panic(at in 0usize..120, value in any::<u8>()) {
        let mut fixture = dual_fixture();
        if let Some(byte) = fixture.get_mut(at) {
            *byte = value;
        }
        let _ = Configuration::parse(&fixture);
    }
}

//! `usb:` device names: `usb:VID:PID[,BUS.ADDR][,lun=N]` — idVendor and idProduct in hex
//! (USB 2.0 9.6.1), the bus number and device address in decimal as `lsusb` prints them
//! (`Bus 002 Device 003` is `2.3`), and the logical unit (SAM-5 4.7; BOT 3.2 bCBWLUN).

use std::fmt;

/// The prefix of every `usb:` name.
pub const PREFIX: &str = "usb:";

/// A parsed `usb:` name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsbName {
    /// idVendor (USB 2.0 9.6.1).
    pub vendor_id: u16,
    /// idProduct (USB 2.0 9.6.1).
    pub product_id: u16,
    /// Where the device sits, when several share the ID.
    pub location: Option<BusAddress>,
    /// The logical unit commands go to; 0 unless `lun=N` is given.
    pub lun: u8,
}

/// A device's bus number and its address on that bus (USB 2.0 9.1.1.4, 9.4.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusAddress {
    /// The bus (host controller root hub) number, from 1.
    pub bus: u16,
    /// The device address the host assigned, 1 to 127 (USB 2.0 9.4.6).
    pub address: u8,
}

/// Why a `usb:` name could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{name}': {reason}; expected usb:VID:PID[,BUS.ADDR][,lun=N], e.g. usb:46f4:0001,2.3")]
pub struct NameError {
    /// The name given.
    pub name: String,
    /// What is wrong with it.
    pub reason: String,
}

impl UsbName {
    /// Parses `usb:VID:PID[,BUS.ADDR][,lun=N]` (the optional parts in either order).
    pub fn parse(name: &str) -> Result<UsbName, NameError> {
        let fail = |reason: String| NameError {
            name: name.to_string(),
            reason,
        };
        let rest = name
            .strip_prefix(PREFIX)
            .ok_or_else(|| fail(format!("does not start with {PREFIX}")))?;
        let mut parts = rest.split(',');
        let id = parts.next().unwrap_or_default();
        let (vendor, product) = id
            .split_once(':')
            .ok_or_else(|| fail(format!("'{id}' is not VID:PID")))?;
        let mut parsed = UsbName {
            vendor_id: hex16(vendor).ok_or_else(|| fail(format!("bad idVendor '{vendor}'")))?,
            product_id: hex16(product).ok_or_else(|| fail(format!("bad idProduct '{product}'")))?,
            location: None,
            lun: 0,
        };
        let mut lun_given = false;
        for part in parts {
            if let Some(lun) = part.strip_prefix("lun=") {
                if lun_given {
                    return Err(fail("lun= given twice".into()));
                }
                lun_given = true;
                parsed.lun = decimal(lun, 255)
                    .and_then(|n| u8::try_from(n).ok())
                    .ok_or_else(|| fail(format!("bad LUN '{lun}' (0 to 255)")))?;
            } else if let Some((bus, address)) = part.split_once('.') {
                if parsed.location.is_some() {
                    return Err(fail("BUS.ADDR given twice".into()));
                }
                let bus = decimal(bus, u32::from(u16::MAX))
                    .and_then(|n| u16::try_from(n).ok())
                    .filter(|&n| n > 0)
                    .ok_or_else(|| fail(format!("bad bus number '{bus}'")))?;
                let address = decimal(address, 127)
                    .and_then(|n| u8::try_from(n).ok())
                    .filter(|&n| n > 0)
                    .ok_or_else(|| fail(format!("bad device address '{address}' (1 to 127)")))?;
                parsed.location = Some(BusAddress { bus, address });
            } else {
                return Err(fail(format!("unknown part '{part}'")));
            }
        }
        Ok(parsed)
    }
}

impl fmt::Display for UsbName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PREFIX}{:04x}:{:04x}", self.vendor_id, self.product_id)?;
        if let Some(at) = self.location {
            write!(f, ",{at}")?;
        }
        if self.lun != 0 {
            write!(f, ",lun={}", self.lun)?;
        }
        Ok(())
    }
}

impl fmt::Display for BusAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.bus, self.address)
    }
}

/// One to four hex digits.
fn hex16(text: &str) -> Option<u16> {
    let digits = (1..=4).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit());
    digits.then(|| u16::from_str_radix(text, 16).ok()).flatten()
}

/// Decimal digits (leading zeros allowed, as lsusb prints `002`) for a value up to `max`.
fn decimal(text: &str, max: u32) -> Option<u32> {
    let digits = !text.is_empty() && text.len() <= 10 && text.bytes().all(|b| b.is_ascii_digit());
    digits
        .then(|| text.parse::<u32>().ok())
        .flatten()
        .filter(|&n| n <= max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_forms_lsusb_users_type_parse() {
        let plain = UsbName::parse("usb:46f4:0001").unwrap();
        assert_eq!((plain.vendor_id, plain.product_id), (0x46f4, 0x0001));
        assert_eq!((plain.location, plain.lun), (None, 0));
        let full = UsbName::parse("usb:46F4:1,002.003,lun=2").unwrap();
        assert_eq!(full.product_id, 1);
        assert_eq!(full.location, Some(BusAddress { bus: 2, address: 3 }));
        assert_eq!(full.lun, 2);
        let swapped = UsbName::parse("usb:46f4:0001,lun=1,3.9").unwrap();
        assert_eq!(swapped.location, Some(BusAddress { bus: 3, address: 9 }));
        assert_eq!(full.to_string(), "usb:46f4:0001,2.3,lun=2");
    }

    #[test]
    fn malformed_names_say_what_is_wrong() {
        for (name, says) in [
            ("usb:", "is not VID:PID"),
            ("usb:46f4", "is not VID:PID"),
            ("usb:46f4g:1", "bad idVendor"),
            ("usb:46f4:10000", "bad idProduct"),
            ("usb:46f4:1,2.128", "bad device address"),
            ("usb:46f4:1,2.0", "bad device address"),
            ("usb:46f4:1,0.1", "bad bus number"),
            ("usb:46f4:1,lun=256", "bad LUN"),
            ("usb:46f4:1,lun=1,lun=2", "given twice"),
            ("usb:46f4:1,1.2,1.3", "given twice"),
            ("usb:46f4:1,speed=5", "unknown part"),
            ("sim:disk", "does not start with usb:"),
        ] {
            let error = UsbName::parse(name).unwrap_err();
            assert!(error.to_string().contains(says), "{name}: {error}");
        }
    }

    proptest! {
        #[test]
        fn arbitrary_names_never_panic(tail in ".{0,40}") {
            let _ = UsbName::parse(&format!("usb:{tail}"));
            let _ = UsbName::parse(&tail);
        }

        #[test]
        fn printed_names_parse_back(vendor: u16, product: u16, bus in 1u16.., address in 1u8..=127,
                                    located: bool, lun: u8) {
            let name = UsbName {
                vendor_id: vendor,
                product_id: product,
                location: located.then_some(BusAddress { bus, address }),
                lun,
            };
            prop_assert_eq!(UsbName::parse(&name.to_string()), Ok(name));
        }
    }
}

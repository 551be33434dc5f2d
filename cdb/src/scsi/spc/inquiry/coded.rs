//! Coded fields: a numeric value the standard assigns a meaning to (PERIPHERAL DEVICE TYPE,
//! ACTIVATE MICROCODE, ASSOCIATION, ...). In JSON each serialises as its code and its name.

use serde::Serialize;
use zerocopy::{FromBytes, IntoBytes};

/// The JSON form of every coded field in INQUIRY and VPD data (SPC-5 6.7, SPC-5 7.7): the
/// value as transmitted and its meaning as the standard names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CodeName {
    /// The field's value.
    pub code: u16,
    /// What the value means.
    pub name: &'static str,
}

/// Defines an enum for a coded field: one variant per value the standard names, and one
/// catch-all variant keeping any other value. Generates `from_code`, `code`, `name`, and
/// `Serialize`/`JsonSchema` impls emitting a [`CodeName`].
macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident: $repr:ty {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal => $text:literal, )+
        }
        $(#[$ometa:meta])* $other:ident => $other_text:literal;
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            $(#[$ometa])* $other($repr),
        }

        impl $name {
            /// Decodes the field's value; values the standard does not name are kept.
            pub fn from_code(code: $repr) -> Self {
                match code {
                    $( $code => Self::$variant, )+
                    other => Self::$other(other),
                }
            }

            /// The field's value as transmitted.
            pub fn code(self) -> $repr {
                match self {
                    $( Self::$variant => $code, )+
                    Self::$other(code) => code,
                }
            }

            /// The value's meaning, as the standard names it.
            pub fn name(self) -> &'static str {
                match self {
                    $( Self::$variant => $text, )+
                    Self::$other(_) => $other_text,
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                $crate::scsi::spc::inquiry::coded::CodeName {
                    code: u16::from(self.code()),
                    name: self.name(),
                }
                .serialize(serializer)
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                <$crate::scsi::spc::inquiry::coded::CodeName as schemars::JsonSchema>::schema_name()
            }

            fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                <$crate::scsi::spc::inquiry::coded::CodeName as schemars::JsonSchema>::json_schema(
                    generator,
                )
            }
        }
    };
}

pub(crate) use coded_enum;

/// Reads byte `index` of `buf`, or zero when the device did not return it.
///
/// Fields of a short response read as zero, which SPC-5 and SBC-4 define as "not reported"
/// or "not supported" for the fields decoded with it; decoders also report how many bytes
/// were missing.
pub(crate) fn byte_or_zero(buf: &[u8], index: usize) -> u8 {
    buf.get(index).copied().unwrap_or(0)
}

/// The part of `start..end` that `buf` holds (possibly empty).
pub(crate) fn clamped(buf: &[u8], start: usize, end: usize) -> &[u8] {
    let end = end.min(buf.len());
    buf.get(start..end).unwrap_or(&[])
}

/// Reads a fixed layout from `buf`, zero-filling whatever the device did not return (a
/// short allocation length or an older, shorter version of the page).
pub(crate) fn read_padded<T: FromBytes + IntoBytes>(buf: &[u8]) -> T {
    let mut value = T::new_zeroed();
    let dst = value.as_mut_bytes();
    let n = dst.len().min(buf.len());
    dst[..n].copy_from_slice(&buf[..n]);
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    coded_enum! {
        /// Test enum.
        pub enum Sample: u8 {
            /// One.
            One = 1 => "one",
        }
        /// Other.
        Other => "other";
    }

    #[test]
    fn coded_enum_keeps_unknown_codes_and_serialises_code_and_name() {
        assert_eq!(Sample::from_code(1), Sample::One);
        assert_eq!(Sample::from_code(9), Sample::Other(9));
        assert_eq!(Sample::from_code(9).code(), 9);
        let json = serde_json::to_value(Sample::One).unwrap();
        assert_eq!(json, serde_json::json!({"code": 1, "name": "one"}));
    }

    #[test]
    fn padding_helpers_never_read_past_the_buffer() {
        assert_eq!(byte_or_zero(&[7], 0), 7);
        assert_eq!(byte_or_zero(&[7], 1), 0);
        assert_eq!(clamped(&[1, 2, 3], 1, 10), &[2, 3]);
        assert_eq!(clamped(&[1, 2, 3], 5, 10), &[] as &[u8]);
        assert_eq!(read_padded::<[u8; 4]>(&[1, 2]), [1, 2, 0, 0]);
        assert_eq!(read_padded::<[u8; 2]>(&[1, 2, 3]), [1, 2]);
    }
}

//! A readable rendering of any command result, from its JSON form: one `name: value` line
//! per field, nested structures indented, so every decoded structure has a human form that
//! says exactly what `--json` says.

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::Serialize;
use serde_json::Value;
use std::fmt::Write;

/// Renders `value` as indented `name: value` lines; absent (null) fields are left out.
pub fn tree(value: &Value, indent: usize) -> String {
    let mut out = String::new();
    write_value(&mut out, value, indent);
    out
}

/// Renders the fields of `value` (a struct) as nvme-cli prints its structures, in the
/// struct's field order: one `name : value` line each, names padded to `width`, the
/// numbers named in `hex` as `0x…`; nested structures follow their name, indented as
/// [`tree`] does. Null fields and those named in `skip` are left out.
pub fn columns(value: &impl Serialize, width: usize, hex: &[&str], skip: &[&str]) -> String {
    let mut out = String::new();
    let fields = serde_json::to_string(value)
        .and_then(|text| serde_json::from_str::<OrderedFields>(&text))
        .map(|ordered| ordered.0)
        .unwrap_or_default();
    for (name, field) in fields
        .iter()
        .filter(|(name, _)| !skip.contains(&name.as_str()))
    {
        match field {
            Value::Null => {}
            Value::Object(_) | Value::Array(_) => {
                let _ = writeln!(out, "{name:<width$}:");
                write_value(&mut out, field, 2);
            }
            Value::Number(number) if hex.contains(&name.as_str()) => {
                let text = number
                    .as_u64()
                    .map_or_else(|| number.to_string(), |n| format!("{n:#x}"));
                let _ = writeln!(out, "{name:<width$}: {text}");
            }
            scalar => {
                let _ = writeln!(out, "{name:<width$}: {}", scalar_text(scalar));
            }
        }
    }
    out
}

/// A JSON object's fields in document order (a `serde_json::Map` sorts them by name).
struct OrderedFields(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for OrderedFields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Fields;
        impl<'de> Visitor<'de> for Fields {
            type Value = OrderedFields;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedFields, A::Error> {
                let mut fields = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    fields.push(entry);
                }
                Ok(OrderedFields(fields))
            }
        }
        deserializer.deserialize_map(Fields)
    }
}

fn write_value(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Object(fields) => {
            for (name, field) in fields {
                write_field(out, &name.replace('_', " "), field, indent);
            }
        }
        Value::Array(items) => {
            for item in items {
                write_field(out, "-", item, indent);
            }
        }
        scalar => {
            let _ = writeln!(
                out,
                "{:indent$}{}",
                "",
                scalar_text(scalar),
                indent = indent
            );
        }
    }
}

fn write_field(out: &mut String, name: &str, value: &Value, indent: usize) {
    match value {
        Value::Null => {}
        Value::Object(map) if is_code_name(map) => {
            let _ = writeln!(
                out,
                "{:indent$}{name}: {} ({})",
                "",
                map["name"].as_str().unwrap_or(""),
                map["code"],
                indent = indent
            );
        }
        Value::Object(map) if map.is_empty() => {}
        Value::Array(items) if items.iter().all(is_scalar) => {
            let joined: Vec<String> = items.iter().map(scalar_text).collect();
            let _ = writeln!(
                out,
                "{:indent$}{name}: [{}]",
                "",
                joined.join(", "),
                indent = indent
            );
        }
        Value::Object(_) | Value::Array(_) => {
            let _ = writeln!(out, "{:indent$}{name}:", "", indent = indent);
            write_value(out, value, indent + 2);
        }
        scalar => {
            let _ = writeln!(
                out,
                "{:indent$}{name}: {}",
                "",
                scalar_text(scalar),
                indent = indent
            );
        }
    }
}

/// A `{code, name}` pair, shown as `name (code)`.
fn is_code_name(map: &serde_json::Map<String, Value>) -> bool {
    map.len() == 2 && map.get("name").is_some_and(Value::is_string) && map.contains_key("code")
}

fn is_scalar(value: &Value) -> bool {
    !matches!(value, Value::Object(_) | Value::Array(_))
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{columns, tree};
    use serde_json::json;

    #[test]
    fn fields_nest_and_code_name_pairs_read_naturally() {
        let value = json!({
            "peripheral_device_type": {"code": 0, "name": "direct access block device"},
            "t10_vendor_identification": "QEMU",
            "absent": null,
            "flags": {"wce": true},
            "list": [1, 2],
            "pages": [{"page": 8}]
        });
        let text = tree(&value, 0);
        assert!(
            text.contains("peripheral device type: direct access block device (0)\n"),
            "{text}"
        );
        assert!(text.contains("t10 vendor identification: QEMU\n"));
        assert!(!text.contains("absent"));
        assert!(text.contains("flags:\n  wce: true\n"));
        assert!(text.contains("list: [1, 2]\n"));
        assert!(text.contains("pages:\n  -:\n    page: 8\n"), "{text}");
    }

    #[test]
    fn columns_pad_names_and_show_listed_numbers_in_hex() {
        #[derive(serde::Serialize)]
        struct Oacs {
            raw: u16,
        }
        #[derive(serde::Serialize)]
        struct Data {
            vid: u16,
            sn: &'static str,
            mdts: u8,
            gone: Option<u8>,
            oacs: Oacs,
        }
        let value = Data {
            vid: 0x1b36,
            sn: "NV42",
            mdts: 7,
            gone: None,
            oacs: Oacs { raw: 4 },
        };
        let text = columns(&value, 10, &["vid"], &["mdts"]);
        // In field order, not sorted by name.
        assert!(text.starts_with("vid       : 0x1b36\nsn "), "{text}");
        assert!(text.contains("vid       : 0x1b36\n"), "{text}");
        assert!(text.contains("sn        : NV42\n"), "{text}");
        assert!(!text.contains("mdts"), "{text}");
        assert!(text.contains("oacs      :\n  raw: 4\n"), "{text}");
        assert!(!text.contains("gone"), "{text}");
    }
}

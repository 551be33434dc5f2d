//! A readable rendering of any command result, from its JSON form: one `name: value` line
//! per field, nested structures indented, so every decoded structure has a human form that
//! says exactly what `--json` says.

use serde_json::Value;
use std::fmt::Write;

/// Renders `value` as indented `name: value` lines; absent (null) fields are left out.
pub fn tree(value: &Value, indent: usize) -> String {
    let mut out = String::new();
    write_value(&mut out, value, indent);
    out
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
    use super::tree;
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
}

//! Hex dumps for `-v`/`-vv`: offset, sixteen bytes and their printable ASCII, the layout
//! sg3_utils users read every day.

use std::fmt::Write;

/// Renders `bytes` as hex-dump lines, each indented by `indent` spaces.
pub fn hexdump(bytes: &[u8], indent: usize) -> String {
    let mut out = String::new();
    for (line, chunk) in bytes.chunks(16).enumerate() {
        let _ = write!(out, "{:indent$}{:04x}  ", "", line * 16, indent = indent);
        for i in 0..16 {
            match chunk.get(i) {
                Some(b) => {
                    let _ = write!(out, "{b:02x} ");
                }
                None => out.push_str("   "),
            }
            if i == 7 {
                out.push(' ');
            }
        }
        out.push(' ');
        out.extend(chunk.iter().map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            }
        }));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::hexdump;

    #[test]
    fn lays_out_offsets_hex_and_ascii() {
        let data: Vec<u8> = (0x41..0x41 + 18).collect();
        let dump = hexdump(&data, 2);
        let lines: Vec<&str> = dump.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[0],
            "  0000  41 42 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50  ABCDEFGHIJKLMNOP"
        );
        assert!(lines[1].starts_with("  0010  51 52 "));
        assert!(lines[1].ends_with(" QR"));
        assert_eq!(
            hexdump(&[0x00, 0x7f], 0).trim_end().rsplit(' ').next(),
            Some("..")
        );
        assert_eq!(hexdump(&[], 0), "");
    }
}

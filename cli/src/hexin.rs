//! Reading bytes the user types: hex on the command line, on standard input or in a file.
//!
//! Accepted forms, mixable: bytes separated by spaces, commas or colons (`70 00 05`,
//! `70,0,5`), a `0x` prefix or `h` suffix on a byte (`0x70`, `70h`), and runs of hex digits
//! split into pairs (`700005`). A `#` starts a comment to the end of the line.

use std::fmt;

/// Why a hex string could not be read; names the offending token and its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HexError {
    /// The token that is not hex.
    pub token: String,
    /// Its position among the tokens, counting from 1.
    pub position: usize,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl fmt::Display for HexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "hex token {} '{}': {}",
            self.position, self.token, self.reason
        )
    }
}

impl std::error::Error for HexError {}

/// Parses hex bytes in any of the accepted forms.
pub fn parse_hex(text: &str) -> Result<Vec<u8>, HexError> {
    let mut bytes = Vec::new();
    let tokens = text
        .lines()
        .map(|line| line.split('#').next().unwrap_or(""))
        .flat_map(|line| line.split(|c: char| c.is_whitespace() || c == ',' || c == ':'))
        .filter(|token| !token.is_empty());
    for (index, token) in tokens.enumerate() {
        let error = |reason| HexError {
            token: token.to_string(),
            position: index + 1,
            reason,
        };
        let digits = token
            .strip_prefix("0x")
            .or_else(|| token.strip_prefix("0X"))
            .or_else(|| token.strip_suffix('h'))
            .or_else(|| token.strip_suffix('H'))
            .unwrap_or(token);
        if digits.is_empty() {
            return Err(error("no hex digits"));
        }
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(error("not a hex number"));
        }
        match digits.len() {
            1 | 2 => bytes.push(hex_pair(digits)),
            n if n % 2 == 0 && digits.len() == token.len() => {
                bytes.extend(digits.as_bytes().chunks(2).map(|pair| {
                    // Each chunk is two ASCII hex digits, checked above.
                    hex_pair(std::str::from_utf8(pair).unwrap_or("0"))
                }));
            }
            _ if digits.len() != token.len() => {
                return Err(error("a prefixed or suffixed value must be one byte"))
            }
            _ => return Err(error("odd number of hex digits")),
        }
    }
    Ok(bytes)
}

/// The longest line accepted on standard input: far more than any sense buffer or CDB in
/// hex, small enough that a runaway input (`< /dev/zero`) is refused, not buffered.
pub const MAX_LINE: usize = 64 * 1024;

/// Feeds each byte string a command was given to `each`, in order, as soon as it is read:
/// the `HEX...` arguments form one buffer; a single `-` reads standard input, one buffer
/// per non-blank line. `each` learns whether the input is a stream (so output is JSON
/// Lines). A malformed line stops the run with a usage error naming the line, after the
/// lines before it were handled.
pub fn for_each_input(
    args: &[String],
    mut each: impl FnMut(Vec<u8>, bool) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    use crate::exit::Failure;
    use std::io::{BufRead, Read};
    match args {
        [only] if only == "-" => {
            let mut stdin = std::io::stdin().lock();
            let mut line = Vec::new();
            for number in 1.. {
                line.clear();
                let read = Read::by_ref(&mut stdin)
                    .take(MAX_LINE as u64 + 1)
                    .read_until(b'\n', &mut line)
                    .map_err(|e| {
                        Failure::new(
                            crate::exit::ExitStatus::Other,
                            format!("reading standard input: {e}"),
                        )
                    })?;
                if read == 0 {
                    return Ok(());
                }
                if line.len() > MAX_LINE {
                    return Err(Failure::usage(format!(
                        "standard input line {number}: longer than {MAX_LINE} bytes"
                    ))
                    .into());
                }
                let text = std::str::from_utf8(&line).map_err(|_| {
                    Failure::usage(format!("standard input line {number}: not UTF-8 text"))
                })?;
                let bytes = parse_hex(text)
                    .map_err(|e| Failure::usage(format!("standard input line {number}: {e}")))?;
                if !bytes.is_empty() {
                    each(bytes, true)?;
                }
            }
            Ok(())
        }
        _ if args.iter().any(|a| a == "-") => {
            Err(Failure::usage("`-` (read standard input) must be the only HEX argument").into())
        }
        _ => {
            let bytes = parse_hex(&args.join(" ")).map_err(|e| Failure::usage(e.to_string()))?;
            each(bytes, false)
        }
    }
}

/// One or two hex digits, already validated, as a byte.
fn hex_pair(digits: &str) -> u8 {
    u8::from_str_radix(digits, 16).unwrap_or(0)
}

/// Formats bytes as space-separated lower-case hex pairs.
pub fn to_hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            text.push(' ');
        }
        text.push_str(&format!("{b:02x}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_every_documented_form() {
        assert_eq!(parse_hex("70 00 05").unwrap(), [0x70, 0, 5]);
        assert_eq!(parse_hex("70,0,5").unwrap(), [0x70, 0, 5]);
        assert_eq!(parse_hex("0x70 5h 0X0a 0BH").unwrap(), [0x70, 5, 10, 11]);
        assert_eq!(parse_hex("700005 24:00").unwrap(), [0x70, 0, 5, 0x24, 0]);
        assert_eq!(parse_hex("70 # comment 99\n 0a").unwrap(), [0x70, 0x0a]);
        assert_eq!(parse_hex("").unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn names_the_bad_token() {
        let err = parse_hex("70 00 zz 00").unwrap_err();
        assert_eq!((err.token.as_str(), err.position), ("zz", 3));
        assert_eq!(
            parse_hex("700").unwrap_err().reason,
            "odd number of hex digits"
        );
        assert_eq!(
            parse_hex("0x7000").unwrap_err().reason,
            "a prefixed or suffixed value must be one byte"
        );
        assert_eq!(parse_hex("0x").unwrap_err().reason, "no hex digits");
    }

    proptest! {
        #[test]
        fn to_hex_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(parse_hex(&to_hex(&bytes)).unwrap(), bytes);
        }

        #[test]
        fn never_panics(text in "\\PC{0,40}") {
            let _ = parse_hex(&text);
        }
    }
}

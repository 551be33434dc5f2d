//! The image's manifest: an optional sidecar (`IMAGE.toml` or `IMAGE.json`) saying which
//! devices the image is for — vendor, models, the revisions it may update from — the
//! revision it installs, and checksums (CRC-32 and/or SHA-256) of the image.
//!
//! ```toml
//! vendor = "SCSITOOL"           # INQUIRY T10 VENDOR IDENTIFICATION, or "NVMe"
//! models = ["SIM DISK"]         # PRODUCT IDENTIFICATION / Identify Controller MN
//! from_revisions = ["0001"]     # empty or absent: any revision
//! revision = "0002"             # what the image installs
//! crc32 = "8a9136aa"            # CRC-32 (IEEE 802.3) of the whole image, hex
//! sha256 = "…64 hex digits…"    # SHA-256 of the whole image, hex
//! ```
//!
//! Identity fields are compared as the device reports them with trailing spaces removed
//! (SPC-5 6.7.2 pads them with spaces; NVMe Base 2.0 5.17.2.1 too), letter case included.

use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// What an image is for and what it installs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The vendor the device must report, if named.
    pub vendor: Option<String>,
    /// The models the image is for; empty: any.
    pub models: Vec<String>,
    /// The revisions the image may update from; empty: any.
    pub from_revisions: Vec<String>,
    /// The revision the image installs.
    pub revision: String,
    /// CRC-32 of the image, if given.
    pub crc32: Option<u32>,
    /// SHA-256 of the image, if given.
    pub sha256: Option<[u8; 32]>,
}

/// The manifest as written, before its fields are checked.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Written {
    vendor: Option<String>,
    #[serde(default)]
    models: Vec<String>,
    #[serde(default)]
    from_revisions: Vec<String>,
    revision: String,
    crc32: Option<String>,
    sha256: Option<String>,
}

/// Why a manifest was not accepted, or an image or device does not match it.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The sidecar could not be read.
    #[error("reading the manifest {path}: {source}")]
    Read {
        /// The sidecar.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The sidecar is not valid TOML or JSON of the manifest's shape.
    #[error("the manifest {path} is malformed: {why}")]
    Malformed {
        /// The sidecar.
        path: PathBuf,
        /// The parser's message.
        why: String,
    },
    /// A field's value is not acceptable (e.g. a checksum that is not hex of its length).
    #[error("the manifest {path}: {why}")]
    Invalid {
        /// The sidecar.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// Both `IMAGE.toml` and `IMAGE.json` exist: which one counts is not guessed.
    #[error("both {0} and {1} exist; keep one manifest")]
    Ambiguous(PathBuf, PathBuf),
    /// The image is not the one the manifest describes.
    #[error("the image's {which} is {actual}, the manifest says {expected}: the image is corrupt or not this manifest's")]
    Checksum {
        /// `CRC-32` or `SHA-256`.
        which: &'static str,
        /// The manifest's value, hex.
        expected: String,
        /// The image's value, hex.
        actual: String,
    },
}

/// One way a device differs from what the manifest names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// `vendor`, `model` or `revision`.
    pub field: &'static str,
    /// What the device reports.
    pub device: String,
    /// What the manifest accepts.
    pub accepted: Vec<String>,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} '{}' is not {}",
            self.field,
            self.device,
            self.accepted
                .iter()
                .map(|a| format!("'{a}'"))
                .collect::<Vec<_>>()
                .join(" or ")
        )
    }
}

impl Manifest {
    /// The sidecar of `image` (`IMAGE.toml` or `IMAGE.json`, the image's full name with
    /// the extension appended), parsed; `None` when there is none.
    pub fn sidecar(image: &Path) -> Result<Option<(PathBuf, Manifest)>, ManifestError> {
        let with = |ext: &str| {
            let mut name = image.as_os_str().to_owned();
            name.push(ext);
            PathBuf::from(name)
        };
        let (toml, json) = (with(".toml"), with(".json"));
        let path = match (toml.exists(), json.exists()) {
            (true, true) => return Err(ManifestError::Ambiguous(toml, json)),
            (true, false) => toml,
            (false, true) => json,
            (false, false) => return Ok(None),
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ManifestError::Read {
            path: path.clone(),
            source,
        })?;
        let manifest = Manifest::parse(&text, &path)?;
        Ok(Some((path, manifest)))
    }

    /// Parses manifest `text`, TOML or JSON by `path`'s extension.
    pub fn parse(text: &str, path: &Path) -> Result<Manifest, ManifestError> {
        let malformed = |why: String| ManifestError::Malformed {
            path: path.to_path_buf(),
            why,
        };
        let written: Written = if path.extension().is_some_and(|e| e == "json") {
            serde_json::from_str(text).map_err(|e| malformed(e.to_string()))?
        } else {
            toml::from_str(text).map_err(|e| malformed(e.to_string()))?
        };
        let invalid = |why: String| ManifestError::Invalid {
            path: path.to_path_buf(),
            why,
        };
        if written.revision.trim().is_empty() {
            return Err(invalid("revision is empty".into()));
        }
        if written.crc32.is_none() && written.sha256.is_none() {
            return Err(invalid(
                "it names no checksum: give crc32 or sha256 (or both)".into(),
            ));
        }
        let crc32 = match &written.crc32 {
            Some(hex) => Some(u32::from_be_bytes(
                parse_hex::<4>(hex).map_err(|why| invalid(format!("crc32: {why}")))?,
            )),
            None => None,
        };
        let sha256 = match &written.sha256 {
            Some(hex) => {
                Some(parse_hex::<32>(hex).map_err(|why| invalid(format!("sha256: {why}")))?)
            }
            None => None,
        };
        Ok(Manifest {
            vendor: written.vendor.map(|v| v.trim_end().to_string()),
            models: trimmed(written.models),
            from_revisions: trimmed(written.from_revisions),
            revision: written.revision.trim_end().to_string(),
            crc32,
            sha256,
        })
    }

    /// Checks `image` against every checksum the manifest gives.
    pub fn check_image(&self, image: &[u8]) -> Result<(), ManifestError> {
        if let Some(expected) = self.crc32 {
            let actual = crc32fast::hash(image);
            if actual != expected {
                return Err(ManifestError::Checksum {
                    which: "CRC-32",
                    expected: format!("{expected:08x}"),
                    actual: format!("{actual:08x}"),
                });
            }
        }
        if let Some(expected) = self.sha256 {
            let actual: [u8; 32] = Sha256::digest(image).into();
            if actual != expected {
                return Err(ManifestError::Checksum {
                    which: "SHA-256",
                    expected: hex(&expected),
                    actual: hex(&actual),
                });
            }
        }
        Ok(())
    }

    /// How a device reporting `vendor`, `model` and `revision` differs from what the
    /// manifest accepts; empty when it matches.
    pub fn mismatches(&self, vendor: &str, model: &str, revision: &str) -> Vec<Mismatch> {
        let mut found = Vec::new();
        let mut check = |field, device: &str, accepted: &[String]| {
            let device = device.trim_end();
            if !accepted.is_empty() && !accepted.iter().any(|a| a == device) {
                found.push(Mismatch {
                    field,
                    device: device.to_string(),
                    accepted: accepted.to_vec(),
                });
            }
        };
        check("vendor", vendor, self.vendor.as_slice());
        check("model", model, &self.models);
        check("revision", revision, &self.from_revisions);
        found
    }
}

/// Each string without its trailing spaces.
fn trimmed(values: Vec<String>) -> Vec<String> {
    values
        .into_iter()
        .map(|v| v.trim_end().to_string())
        .collect()
}

/// `N` bytes from exactly `2 * N` hex digits.
fn parse_hex<const N: usize>(text: &str) -> Result<[u8; N], String> {
    let text = text.trim();
    let digits = text.strip_prefix("0x").unwrap_or(text);
    if digits.len() != 2 * N || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("'{text}' is not {} hex digits", 2 * N));
    }
    let mut bytes = [0u8; N];
    for (i, byte) in bytes.iter_mut().enumerate() {
        let pair = digits.get(2 * i..2 * i + 2).unwrap_or("00");
        *byte = u8::from_str_radix(pair, 16).map_err(|e| e.to_string())?;
    }
    Ok(bytes)
}

/// Bytes as lowercase hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests;

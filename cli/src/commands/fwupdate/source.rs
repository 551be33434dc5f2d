//! The image and its manifest: reading the image, finding and checking the sidecar
//! (`firmware::manifest`), and matching the device against it.

use super::report::{ImageFacts, ManifestFacts};
use crate::exit::Failure;
use anyhow::Result;
use firmware::manifest::Manifest;
use firmware::Identity;
use std::path::{Path, PathBuf};

/// The image file, read whole.
pub struct Image {
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// What the report says of it.
    pub facts: ImageFacts,
}

/// Reads the image; an unreadable one is a usage error naming the file.
pub fn read_image(path: &Path) -> Result<Image> {
    let bytes = std::fs::read(path).map_err(|e| {
        Failure::usage(format!(
            "cannot read the firmware image {}: {e}",
            path.display()
        ))
    })?;
    let facts = ImageFacts {
        path: path.display().to_string(),
        length: bytes.len() as u64,
        crc32: format!("{:08x}", firmware::state::crc32(&bytes)),
    };
    Ok(Image { bytes, facts })
}

/// The image's manifest, checked against the image. `Err` is the refusal: a sidecar that
/// cannot be read or parsed, or a checksum that does not match (never overridden).
pub fn manifest(image: &Path, bytes: &[u8]) -> Result<Option<(PathBuf, Manifest)>, String> {
    let found = Manifest::sidecar(image).map_err(|e| e.to_string())?;
    if let Some((path, manifest)) = &found {
        manifest
            .check_image(bytes)
            .map_err(|e| format!("{}: {e} (--force never overrides this)", path.display()))?;
    }
    Ok(found)
}

/// The report's facts of a manifest, before the device is matched.
pub fn facts(path: &Path, manifest: &Manifest) -> ManifestFacts {
    ManifestFacts {
        path: path.display().to_string(),
        vendor: manifest.vendor.clone(),
        models: manifest.models.clone(),
        from_revisions: manifest.from_revisions.clone(),
        revision: manifest.revision.clone(),
        mismatches: Vec::new(),
        forced: false,
    }
}

/// Matches `identity` against the manifest: records the mismatches, and refuses them
/// unless `force`.
pub fn check_identity(
    manifest: &Manifest,
    facts: &mut ManifestFacts,
    identity: &Identity,
    force: bool,
) -> Result<(), String> {
    facts.mismatches = manifest
        .mismatches(&identity.vendor, &identity.model, &identity.revision)
        .iter()
        .map(ToString::to_string)
        .collect();
    if facts.mismatches.is_empty() {
        return Ok(());
    }
    if force {
        facts.forced = true;
        return Ok(());
    }
    Err(format!(
        "the device is not one the manifest {} names: {} (--force overrides)",
        facts.path,
        facts.mismatches.join("; ")
    ))
}

/// The default resume state file: `IMAGE.fwstate` beside the image.
pub fn default_state_file(image: &Path) -> PathBuf {
    let mut name = image.as_os_str().to_owned();
    name.push(".fwstate");
    PathBuf::from(name)
}

//! Manifests in both syntaxes, checked against the published check values of CRC-32
//! ("123456789" → CBF43926h) and SHA-256 (FIPS 180-2 example "abc").

use super::*;
use proptest::prelude::*;

const ABC_SHA256: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

fn toml(text: &str) -> Result<Manifest, ManifestError> {
    Manifest::parse(text, Path::new("fw.bin.toml"))
}

#[test]
fn toml_and_json_say_the_same() {
    let from_toml = toml(
        "vendor = \"SCSITOOL\"\nmodels = [\"SIM DISK  \"]\nfrom_revisions = [\"0001\"]\n\
         revision = \"0002\"\ncrc32 = \"cbf43926\"\n",
    )
    .unwrap();
    let from_json = Manifest::parse(
        r#"{"vendor": "SCSITOOL", "models": ["SIM DISK"], "from_revisions": ["0001"],
            "revision": "0002", "crc32": "0xCBF43926"}"#,
        Path::new("fw.bin.json"),
    )
    .unwrap();
    assert_eq!(from_toml, from_json);
    assert_eq!(from_toml.crc32, Some(0xcbf4_3926));
    assert_eq!(from_toml.models, ["SIM DISK"]);
    assert!(from_toml.check_image(b"123456789").is_ok());
}

#[test]
fn a_checksum_that_differs_is_named_with_both_values() {
    let m = toml(&format!("revision = \"2.0\"\nsha256 = \"{ABC_SHA256}\"\n")).unwrap();
    assert!(m.check_image(b"abc").is_ok());
    let error = m.check_image(b"abd").unwrap_err().to_string();
    assert!(
        error.contains("SHA-256") && error.contains(ABC_SHA256),
        "{error}"
    );
    let m = toml("revision = \"2.0\"\ncrc32 = \"cbf43926\"\n").unwrap();
    let error = m.check_image(b"12345678").unwrap_err().to_string();
    assert!(
        error.contains("CRC-32") && error.contains("cbf43926"),
        "{error}"
    );
}

#[test]
fn refusals_name_the_field() {
    for (text, says) in [
        ("revision = \"2\"\n", "no checksum"),
        (
            "revision = \"  \"\ncrc32 = \"cbf43926\"\n",
            "revision is empty",
        ),
        (
            "revision = \"2\"\ncrc32 = \"cbf4392\"\n",
            "crc32: 'cbf4392' is not 8 hex digits",
        ),
        ("revision = \"2\"\nsha256 = \"zz\"\n", "sha256"),
        (
            "revision = \"2\"\ncrc32 = \"cbf43926\"\nmodel = \"X\"\n",
            "unknown field",
        ),
        ("crc32 = \"cbf43926\"\n", "missing field `revision`"),
        ("revision = 2\n", "malformed"),
    ] {
        let error = toml(text).unwrap_err().to_string();
        assert!(error.contains(says), "{text:?}: {error}");
    }
}

#[test]
fn mismatches_list_every_field_that_differs() {
    let m = toml(
        "vendor = \"ACME\"\nmodels = [\"A1\", \"A2\"]\nfrom_revisions = [\"1.0\"]\n\
         revision = \"2.0\"\ncrc32 = \"cbf43926\"\n",
    )
    .unwrap();
    // As a device pads them (SPC-5 6.7.2).
    assert!(m
        .mismatches("ACME    ", "A2              ", "1.0 ")
        .is_empty());
    let found = m.mismatches("OTHER", "A3", "1.0");
    let fields: Vec<&str> = found.iter().map(|f| f.field).collect();
    assert_eq!(fields, ["vendor", "model"]);
    assert_eq!(found[1].to_string(), "model 'A3' is not 'A1' or 'A2'");
    // Absent lists accept anything.
    let any = toml("revision = \"2.0\"\ncrc32 = \"cbf43926\"\n").unwrap();
    assert!(any.mismatches("X", "Y", "Z").is_empty());
}

#[test]
fn the_sidecar_is_found_next_to_the_image() {
    let dir = std::env::temp_dir().join(format!("scsitool-manifest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let image = dir.join("fw.bin");
    assert!(Manifest::sidecar(&image).unwrap().is_none());
    std::fs::write(
        dir.join("fw.bin.toml"),
        "revision = \"2\"\ncrc32 = \"cbf43926\"\n",
    )
    .unwrap();
    let (path, m) = Manifest::sidecar(&image).unwrap().unwrap();
    assert_eq!(path, dir.join("fw.bin.toml"));
    assert_eq!(m.revision, "2");
    std::fs::write(dir.join("fw.bin.json"), "{}").unwrap();
    assert!(matches!(
        Manifest::sidecar(&image),
        Err(ManifestError::Ambiguous(_, _))
    ));
    std::fs::remove_dir_all(dir).unwrap();
}

proptest! {
    /// Arbitrary text in either syntax is a manifest or a clear error, never a panic.
    #[test]
    fn arbitrary_text_never_panics(text in ".{0,200}", json in any::<bool>()) {
        let path = if json { "x.json" } else { "x.toml" };
        let _ = Manifest::parse(&text, Path::new(path));
    }
}

//! The JSON Schema of every command's `--json` output, generated from the Rust types that
//! are serialised, and kept in the repository under `cli/schemas/` so consumers can pin
//! them. A test fails when a type changes without its committed schema being regenerated
//! (`scsitool schema --write cli/schemas`).

use schemars::{JsonSchema, Schema};

/// One command's output schema.
pub struct SchemaEntry {
    /// The command, with spaces replaced by dashes (`sense-decode`); also the file stem.
    pub command: &'static str,
    /// Generates the schema.
    pub generate: fn() -> Schema,
}

/// The schema of `T`, as a function pointer for the table.
fn of<T: JsonSchema>() -> Schema {
    schemars::schema_for!(T)
}

/// Every command that prints JSON, and the type it prints.
pub const SCHEMAS: &[SchemaEntry] = &[
    SchemaEntry {
        command: "cdb-decode",
        generate: of::<cdb::scsi::cdb_decode::DecodedCdb>,
    },
    SchemaEntry {
        command: "fwupdate",
        generate: of::<crate::commands::fwupdate::report::FwupdateReport>,
    },
    SchemaEntry {
        command: "inquiry",
        generate: of::<crate::commands::inquiry::InquiryReport>,
    },
    SchemaEntry {
        command: "inquiry-all",
        generate: of::<crate::commands::inquiry::InquiryAllReport>,
    },
    SchemaEntry {
        command: "list",
        generate: of::<crate::commands::list::ListReport>,
    },
    SchemaEntry {
        command: "readcap",
        generate: of::<crate::commands::readcap::CapacityReport>,
    },
    SchemaEntry {
        command: "sense-decode",
        generate: of::<crate::commands::sense::SenseReport>,
    },
    SchemaEntry {
        command: "sim-profiles",
        generate: of::<crate::commands::sim::ProfileList>,
    },
    SchemaEntry {
        command: "tur",
        generate: of::<crate::commands::rate::RateReport>,
    },
    SchemaEntry {
        command: "nvme-id-ctrl",
        generate: of::<crate::commands::nvme::identify::IdCtrlReport>,
    },
    SchemaEntry {
        command: "nvme-id-ctrl-count",
        generate: of::<crate::commands::rate::RateReport>,
    },
    SchemaEntry {
        command: "nvme-id-ns",
        generate: of::<crate::commands::nvme::identify::IdNsReport>,
    },
    SchemaEntry {
        command: "nvme-log",
        generate: of::<crate::commands::nvme::log::LogReport>,
    },
    SchemaEntry {
        command: "nvme-get-feature",
        generate: of::<crate::commands::nvme::features::GetFeatureReport>,
    },
    SchemaEntry {
        command: "nvme-set-feature",
        generate: of::<crate::commands::nvme::features::SetFeatureReport>,
    },
    SchemaEntry {
        command: "read",
        generate: of::<crate::commands::read::ReadReport>,
    },
    SchemaEntry {
        command: "sync",
        generate: of::<crate::commands::sync::SyncReport>,
    },
    SchemaEntry {
        command: "wce-get",
        generate: of::<crate::commands::wce::WceState>,
    },
    SchemaEntry {
        command: "wce-set",
        generate: of::<crate::commands::wce::WceChange>,
    },
    SchemaEntry {
        command: "luns",
        generate: of::<crate::commands::luns::LunsReport>,
    },
    SchemaEntry {
        command: "opcodes",
        generate: of::<crate::commands::opcodes::OpcodesReport>,
    },
    SchemaEntry {
        command: "raw",
        generate: of::<crate::commands::raw::RawReport>,
    },
    SchemaEntry {
        command: "verify",
        generate: of::<crate::commands::verify::VerifyReport>,
    },
    SchemaEntry {
        command: "verify-compare",
        generate: of::<crate::commands::verify::CompareReport>,
    },
    SchemaEntry {
        command: "verify-restore",
        generate: of::<crate::commands::verify::RestoreOnly>,
    },
];

/// Looks up a command's schema entry.
pub fn find(command: &str) -> Option<&'static SchemaEntry> {
    SCHEMAS.iter().find(|entry| entry.command == command)
}

/// A schema as the pretty JSON text stored in `cli/schemas/`.
pub fn to_text(schema: &Schema) -> String {
    let mut text = serde_json::to_string_pretty(schema).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::PathBuf;

    fn schema_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas")
    }

    /// The committed schemas are exactly the generated ones: a type change without
    /// `scsitool schema --write cli/schemas` fails here.
    #[test]
    fn committed_schemas_match_the_types() {
        for entry in SCHEMAS {
            let path = schema_dir().join(format!("{}.json", entry.command));
            let committed = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(
                committed,
                to_text(&(entry.generate)()),
                "{} is stale: run `cargo run -p scsitool -- schema --write cli/schemas`",
                path.display()
            );
        }
    }

    #[test]
    fn no_orphan_schema_files() {
        let on_disk: BTreeSet<String> = std::fs::read_dir(schema_dir())
            .map(|dir| {
                dir.filter_map(|e| e.ok())
                    .filter_map(|e| e.file_name().into_string().ok())
                    .collect()
            })
            .unwrap_or_default();
        let expected: BTreeSet<String> = SCHEMAS
            .iter()
            .map(|e| format!("{}.json", e.command))
            .collect();
        assert_eq!(on_disk, expected);
    }
}

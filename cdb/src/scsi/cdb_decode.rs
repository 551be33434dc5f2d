//! Names and decodes any CDB field by field (placeholder).

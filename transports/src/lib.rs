//! Transports that carry `cdb` commands to devices: Linux SG_IO and NVMe pass-through,
//! userspace USB Bulk-Only and UAS, the macOS DriverKit user client, NVMe tunnels through
//! USB bridges, and `sim:`.
//!
//! This crate is a placeholder in the workspace layout; its trait and backends arrive with
//! the Linux transports issue. It exports nothing yet.

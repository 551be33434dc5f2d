//! SCSI status codes (placeholder).

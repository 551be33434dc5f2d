//! T10 SAT-5 SCSI / ATA Translation: the ATA PASS-THROUGH commands (SAT-5 12.2) and the
//! ATA data they carry (ACS-4).

pub mod ata_pass_through;
pub mod identify;

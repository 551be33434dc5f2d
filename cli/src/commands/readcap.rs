//! `scsitool readcap DEVICE [--16]`: the capacity and block size (SBC-4 5.20, 5.21), like
//! sg_readcap: READ CAPACITY (10), or (16) when asked or when the capacity needs it.

use crate::commands::device::{open_scsi, run};
use crate::output::{Output, Report};
use anyhow::Result;
use cdb::scsi::sbc::read_capacity::{CapacityDetails, ReadCapacity10, ReadCapacity16};
use serde::Serialize;
use transports::open::Access;

/// The `--json` document of `scsitool readcap`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct CapacityReport {
    /// The device as named on the command line.
    pub device: String,
    /// The command whose answer this is: READ CAPACITY (10) or (16).
    pub command: &'static str,
    /// The last logical block address.
    pub last_lba: u64,
    /// The number of logical blocks (last LBA + 1).
    pub blocks: u64,
    /// The logical block length in bytes.
    pub block_length: u32,
    /// The capacity in bytes (blocks × block length), when it fits 64 bits.
    pub capacity_bytes: Option<u64>,
    /// READ CAPACITY (16)'s protection, provisioning and physical-block fields.
    pub details: Option<CapacityDetails>,
}

impl Report for CapacityReport {
    fn human(&self) -> String {
        let mut text = format!(
            "{} results:\n   Last LBA={} ({:#x}), Number of logical blocks={}\n   Logical block length={} bytes\n",
            self.command, self.last_lba, self.last_lba, self.blocks, self.block_length
        );
        if let Some(details) = &self.details {
            text.push_str(&format!(
                "   Logical blocks per physical block exponent={}\n   Lowest aligned LBA={}\n   Provisioning: LBPME={}, LBPRZ={}\n   Protection: PROT_EN={}, P_TYPE={}\n",
                details.logical_blocks_per_physical_block_exponent,
                details.lowest_aligned_logical_block_address,
                u8::from(details.lbpme),
                u8::from(details.lbprz),
                u8::from(details.prot_en),
                details.p_type
            ));
        }
        if let Some(bytes) = self.capacity_bytes {
            text.push_str(&format!(
                "Hence:\n   Device size: {bytes} bytes, {:.1} MiB, {:.2} GB\n",
                bytes as f64 / (1u64 << 20) as f64,
                bytes as f64 / 1e9
            ));
        }
        text
    }
}

/// Reads the capacity of `device`.
pub fn command(out: Output, device: &str, sixteen: bool) -> Result<()> {
    let mut transport = open_scsi(device, Access::Read)?;
    if !sixteen {
        let ten = run(out, transport.as_mut(), &ReadCapacity10)?.response;
        if !ten.use_read_capacity_16 {
            let last_lba = u64::from(ten.returned_logical_block_address);
            return out.emit(&CapacityReport {
                device: device.to_string(),
                command: "READ CAPACITY (10)",
                last_lba,
                blocks: last_lba + 1,
                block_length: ten.logical_block_length,
                capacity_bytes: ten.capacity_bytes,
                details: None,
            });
        }
    }
    let sixteen = run(out, transport.as_mut(), &ReadCapacity16::default())?.response;
    out.emit(&CapacityReport {
        device: device.to_string(),
        command: "READ CAPACITY (16)",
        last_lba: sixteen.returned_logical_block_address,
        blocks: sixteen.returned_logical_block_address.saturating_add(1),
        block_length: sixteen.logical_block_length,
        capacity_bytes: sixteen.capacity_bytes,
        details: sixteen.details,
    })
}

//! Power State Descriptor Data Structure (NVMe Base 2.0 5.17.2.1, Figure "Identify – Power
//! State Descriptor Data Structure"), 32 bytes each in Identify Controller.

use super::le::Le;
use serde::Serialize;

/// One power state descriptor (Base 2.0 5.17.2.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct PowerStateDescriptor {
    /// Maximum Power (MP), bytes 1:0, in units set by MPS.
    pub mp: u16,
    /// Max Power Scale (MPS), byte 3 bit 0: 0 = 0.01 W units, 1 = 0.0001 W units.
    pub mps: bool,
    /// Non-Operational State (NOPS), byte 3 bit 1.
    pub nops: bool,
    /// Entry Latency (ENLAT), bytes 7:4, microseconds.
    pub enlat: u32,
    /// Exit Latency (EXLAT), bytes 11:8, microseconds.
    pub exlat: u32,
    /// Relative Read Throughput (RRT), byte 12 bits 4:0.
    pub rrt: u8,
    /// Relative Read Latency (RRL), byte 13 bits 4:0.
    pub rrl: u8,
    /// Relative Write Throughput (RWT), byte 14 bits 4:0.
    pub rwt: u8,
    /// Relative Write Latency (RWL), byte 15 bits 4:0.
    pub rwl: u8,
    /// Idle Power (IDLP), bytes 17:16, in units set by IPS.
    pub idlp: u16,
    /// Idle Power Scale (IPS), byte 18 bits 7:6: 0 not reported, 1 = 0.0001 W, 2 = 0.01 W.
    pub ips: u8,
    /// Active Power (ACTP), bytes 21:20, in units set by APS.
    pub actp: u16,
    /// Active Power Workload (APW), byte 22 bits 2:0.
    pub apw: u8,
    /// Active Power Scale (APS), byte 22 bits 7:6: 0 not reported, 1 = 0.0001 W, 2 = 0.01 W.
    pub aps: u8,
}

impl PowerStateDescriptor {
    /// Decodes one 32-byte descriptor.
    pub fn decode(bytes: &[u8; 32]) -> Self {
        let b = Le(bytes);
        PowerStateDescriptor {
            mp: b.u16(0),
            mps: b.u8(3) & 1 != 0,
            nops: b.u8(3) & 2 != 0,
            enlat: b.u32(4),
            exlat: b.u32(8),
            rrt: b.u8(12) & 0x1f,
            rrl: b.u8(13) & 0x1f,
            rwt: b.u8(14) & 0x1f,
            rwl: b.u8(15) & 0x1f,
            idlp: b.u16(16),
            ips: b.u8(18) >> 6,
            actp: b.u16(20),
            apw: b.u8(22) & 0x7,
            aps: b.u8(22) >> 6,
        }
    }

    /// MP in microwatts, applying MPS.
    pub fn max_power_microwatts(&self) -> u64 {
        u64::from(self.mp) * if self.mps { 100 } else { 10_000 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_and_bits() {
        let mut d = [0u8; 32];
        d[0] = 0x10;
        d[3] = 0x03;
        d[12] = 0xff;
        d[18] = 0x80;
        d[22] = 0x42;
        let p = PowerStateDescriptor::decode(&d);
        assert!(p.mps && p.nops);
        assert_eq!(p.max_power_microwatts(), 16 * 100);
        assert_eq!((p.rrt, p.ips, p.apw, p.aps), (0x1f, 2, 2, 1));
    }
}

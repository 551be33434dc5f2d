//! The Firmware Slot Information log page (NVMe Base 2.0 5.16.1.4, LID 03h).

use super::le::Le;
use crate::error::DecodeError;
use serde::Serialize;

/// Bytes needed: AFI through FRS7 (byte 63).
pub const FW_SLOT_DECODED_LEN: usize = 64;

/// The Firmware Slot Information log (Base 2.0 5.16.1.4, Figure "Firmware Slot
/// Information Log Page").
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct FirmwareSlotLog {
    /// Active Firmware Info (AFI), byte 0.
    pub afi: u8,
    /// AFI bits 2:0: the slot the running firmware was activated from.
    pub active_slot: u8,
    /// AFI bits 6:4: the slot activated at the next Controller Level Reset; `None` when 0.
    pub next_reset_slot: Option<u8>,
    /// Firmware Revision for Slots 1–7 (FRS1–FRS7), bytes 8+8(n−1), ASCII; `None` for an
    /// empty slot (all zero).
    pub frs: Vec<Option<String>>,
}

impl FirmwareSlotLog {
    /// Decodes the log; needs bytes 0–63.
    pub fn decode(data: &[u8]) -> Result<Self, DecodeError> {
        DecodeError::ensure_len(data, FW_SLOT_DECODED_LEN, "Firmware Slot Information log")?;
        let b = Le(data);
        let afi = b.u8(0);
        let frs = (0..7)
            .map(|i| {
                let raw: [u8; 8] = b.bytes(8 + 8 * i);
                (raw != [0; 8]).then(|| b.ascii(8 + 8 * i, 8))
            })
            .collect();
        Ok(FirmwareSlotLog {
            afi,
            active_slot: afi & 0x7,
            next_reset_slot: Some((afi >> 4) & 0x7).filter(|&s| s != 0),
            frs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn qemu_like_log() {
        // QEMU 7.2 nvme_fw_log_info: AFI = 1, FRS1 = the Identify Controller FR value.
        let mut d = vec![0u8; 512];
        d[0] = 0x01;
        d[8..16].copy_from_slice(b"7.2.0   ");
        let l = FirmwareSlotLog::decode(&d).unwrap();
        assert_eq!((l.active_slot, l.next_reset_slot), (1, None));
        assert_eq!(l.frs[0].as_deref(), Some("7.2.0"));
        assert_eq!(l.frs.iter().filter(|f| f.is_none()).count(), 6);
        d[0] = 0x21;
        assert_eq!(
            FirmwareSlotLog::decode(&d).unwrap().next_reset_slot,
            Some(2)
        );
        assert!(FirmwareSlotLog::decode(&d[..63]).is_err());
    }

    proptest! {
        #[test]
        fn arbitrary_bytes(d in proptest::collection::vec(any::<u8>(), 0..600)) {
            match FirmwareSlotLog::decode(&d) {
                Ok(l) => {
                    prop_assert_eq!(l.frs.len(), 7);
                    prop_assert!(l.active_slot <= 7);
                }
                Err(_) => prop_assert!(d.len() < FW_SLOT_DECODED_LEN),
            }
        }
    }
}

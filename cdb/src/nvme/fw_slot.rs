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
    /// Bytes of AFI through FRS7 (0–63) the transfer did not return (a Get Log Page with
    /// NUMD smaller than the page, Base 2.0 5.16); a slot not returned reads as empty
    /// (`None`). 0 when every field is present.
    pub missing_bytes: usize,
}

impl FirmwareSlotLog {
    /// Decodes AFI and FRS1–FRS7 (bytes 0–63) from what was returned: a short transfer
    /// decodes the fields present and counts the rest in [`Self::missing_bytes`]. Never
    /// fails; the `Result` is the decoder contract.
    pub fn decode(data: &[u8]) -> Result<Self, DecodeError> {
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
            missing_bytes: FW_SLOT_DECODED_LEN.saturating_sub(data.len()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn qemu_log() {
        // QEMU 7.2 (hw/nvme/ctrl.c nvme_fw_log_info) sets AFI 1 and FRS1 to "1.0"
        // blank-padded, not the Identify Controller FR (QEMU_VERSION); captured in
        // tests/fixtures/qemu-7.2/nvme.fw-log.bin.
        let mut d = include_bytes!("../../tests/fixtures/qemu-7.2/nvme.fw-log.bin").to_vec();
        assert_eq!(&d[8..16], b"1.0     ");
        let l = FirmwareSlotLog::decode(&d).unwrap();
        assert_eq!((l.active_slot, l.next_reset_slot), (1, None));
        assert_eq!(l.frs[0].as_deref(), Some("1.0"));
        assert_eq!(l.frs.iter().filter(|f| f.is_none()).count(), 6);
        assert_eq!(l.missing_bytes, 0);
        d[0] = 0x21;
        assert_eq!(
            FirmwareSlotLog::decode(&d).unwrap().next_reset_slot,
            Some(2)
        );
    }

    #[test]
    fn short_transfer_decodes_what_is_present() {
        let mut d = vec![0u8; 20];
        d[0] = 0x01;
        d[8..16].copy_from_slice(b"1.0     ");
        d[16..20].copy_from_slice(b"2.1 ");
        let l = FirmwareSlotLog::decode(&d).unwrap();
        assert_eq!(l.frs[0].as_deref(), Some("1.0"));
        // FRS2 (bytes 23:16) is cut after 4 bytes: the part present is decoded.
        assert_eq!(l.frs[1].as_deref(), Some("2.1"));
        assert!(l.frs[2..].iter().all(Option::is_none));
        assert_eq!(l.missing_bytes, FW_SLOT_DECODED_LEN - 20);
        assert_eq!(FirmwareSlotLog::decode(&[]).unwrap().missing_bytes, 64);
    }

    proptest! {
        #[test]
        fn arbitrary_bytes(d in proptest::collection::vec(any::<u8>(), 0..600)) {
            let l = FirmwareSlotLog::decode(&d).unwrap();
            prop_assert_eq!(l.frs.len(), 7);
            prop_assert!(l.active_slot <= 7);
            prop_assert_eq!(l.afi, d.first().copied().unwrap_or(0));
            prop_assert_eq!(l.missing_bytes + d.len().min(FW_SLOT_DECODED_LEN), FW_SLOT_DECODED_LEN);
        }
    }
}

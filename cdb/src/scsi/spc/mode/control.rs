//! The Control mode page, 0Ah (SPC-5 7.5.10).

use serde::Serialize;

/// Control mode page fields (SPC-5 7.5.10); offsets are page bytes, counting
/// the 2-byte page header.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct ControlPage {
    /// TST (task set type), byte 2 bits 7:5.
    pub tst: u8,
    /// TMF_ONLY, byte 2 bit 4.
    pub tmf_only: bool,
    /// DPICZ (disable protection information check if protect field is zero), byte 2 bit 3.
    pub dpicz: bool,
    /// D_SENSE (descriptor format sense data), byte 2 bit 2.
    pub d_sense: bool,
    /// GLTSD (global logging target save disable), byte 2 bit 1.
    pub gltsd: bool,
    /// RLEC (report log exception condition), byte 2 bit 0.
    pub rlec: bool,
    /// QUEUE ALGORITHM MODIFIER, byte 3 bits 7:4.
    pub queue_algorithm_modifier: u8,
    /// NUAR (no unit attention on release), byte 3 bit 3.
    pub nuar: bool,
    /// QERR (queue error management), byte 3 bits 2:1.
    pub qerr: u8,
    /// VS (vendor specific), byte 4 bit 7.
    pub vs: bool,
    /// RAC (report a check), byte 4 bit 6.
    pub rac: bool,
    /// UA_INTLCK_CTRL (unit attention interlocks control), byte 4 bits 5:4.
    pub ua_intlck_ctrl: u8,
    /// SWP (software write protect), byte 4 bit 3.
    pub swp: bool,
    /// ATO (application tag owner), byte 5 bit 7.
    pub ato: bool,
    /// TAS (task aborted status), byte 5 bit 6.
    pub tas: bool,
    /// ATMPE (application tag mode page enabled), byte 5 bit 5.
    pub atmpe: bool,
    /// RWWP (reject write without protection), byte 5 bit 4.
    pub rwwp: bool,
    /// SBLP (supported block lengths and protection information), byte 5 bit 3.
    pub sblp: bool,
    /// AUTOLOAD MODE, byte 5 bits 2:0.
    pub autoload_mode: u8,
    /// BUSY TIMEOUT PERIOD in 100 ms units (FFFFh: unlimited), bytes 8-9.
    pub busy_timeout_period: u16,
    /// EXTENDED SELF-TEST COMPLETION TIME in seconds, bytes 10-11.
    pub extended_self_test_completion_time: u16,
}

/// The control page's PAGE LENGTH (0Ah, SPC-5 7.5.10).
pub const CONTROL_PAGE_LENGTH: usize = 0x0a;

impl ControlPage {
    /// Decodes the page data after the 2-byte header; `None` if shorter than 0Ah bytes.
    pub fn decode(data: &[u8]) -> Option<Self> {
        let d = data.get(..CONTROL_PAGE_LENGTH)?;
        let bit = |byte: usize, bit: u8| d[byte] & (1 << bit) != 0;
        Some(ControlPage {
            tst: d[0] >> 5,
            tmf_only: bit(0, 4),
            dpicz: bit(0, 3),
            d_sense: bit(0, 2),
            gltsd: bit(0, 1),
            rlec: bit(0, 0),
            queue_algorithm_modifier: d[1] >> 4,
            nuar: bit(1, 3),
            qerr: (d[1] >> 1) & 3,
            vs: bit(2, 7),
            rac: bit(2, 6),
            ua_intlck_ctrl: (d[2] >> 4) & 3,
            swp: bit(2, 3),
            ato: bit(3, 7),
            tas: bit(3, 6),
            atmpe: bit(3, 5),
            rwwp: bit(3, 4),
            sblp: bit(3, 3),
            autoload_mode: d[3] & 7,
            busy_timeout_period: u16::from_be_bytes([d[6], d[7]]),
            extended_self_test_completion_time: u16::from_be_bytes([d[8], d[9]]),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn arbitrary_bytes_do_not_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let decoded = ControlPage::decode(&bytes);
            prop_assert_eq!(decoded.is_some(), bytes.len() >= CONTROL_PAGE_LENGTH);
            if let Some(p) = decoded {
                prop_assert_eq!(p.d_sense, bytes[0] & 0x04 != 0);
            }
        }
    }

    #[test]
    fn typical_disk_control_page() {
        // A hand-assembled page per SPC-5: TST=001b, D_SENSE; QAM=1, QERR=01b;
        // UA_INTLCK_CTRL=10b, SWP; TAS, AUTOLOAD MODE=2; busy FFFFh; self-test 0258h (600 s).
        let page = [
            0x0a, 0x0a, 0x24, 0x12, 0x28, 0x42, 0x00, 0x00, 0xff, 0xff, 0x02, 0x58,
        ];
        let p = ControlPage::decode(&page[2..]).unwrap();
        assert_eq!(p.tst, 1);
        assert!(p.d_sense && !p.gltsd && !p.rlec && !p.tmf_only && !p.dpicz);
        assert_eq!((p.queue_algorithm_modifier, p.qerr), (1, 1));
        assert!(!p.nuar);
        assert_eq!(p.ua_intlck_ctrl, 2);
        assert!(p.swp && !p.rac && !p.vs);
        assert!(p.tas && !p.ato && !p.atmpe && !p.rwwp && !p.sblp);
        assert_eq!(p.autoload_mode, 2);
        assert_eq!(p.busy_timeout_period, 0xffff);
        assert_eq!(p.extended_self_test_completion_time, 600);
        assert_eq!(ControlPage::decode(&page[2..11]), None);
    }
}

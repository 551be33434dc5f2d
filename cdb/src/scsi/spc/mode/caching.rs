//! The Caching mode page, 08h (SBC-4 6.5.5).

use serde::Serialize;

/// Caching mode page fields (SBC-4 6.5.5, table "Caching mode page"); offsets below are
/// page bytes, counting the 2-byte page header.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct CachingPage {
    /// IC (initiator control), byte 2 bit 7.
    pub ic: bool,
    /// ABPF (abort pre-fetch), byte 2 bit 6.
    pub abpf: bool,
    /// CAP (caching analysis permitted), byte 2 bit 5.
    pub cap: bool,
    /// DISC (discontinuity), byte 2 bit 4.
    pub disc: bool,
    /// SIZE (size enable), byte 2 bit 3.
    pub size: bool,
    /// WCE (write cache enable), byte 2 bit 2.
    pub wce: bool,
    /// MF (multiplication factor), byte 2 bit 1.
    pub mf: bool,
    /// RCD (read cache disable), byte 2 bit 0.
    pub rcd: bool,
    /// DEMAND READ RETENTION PRIORITY, byte 3 bits 7:4.
    pub demand_read_retention_priority: u8,
    /// WRITE RETENTION PRIORITY, byte 3 bits 3:0.
    pub write_retention_priority: u8,
    /// DISABLE PRE-FETCH TRANSFER LENGTH, bytes 4-5.
    pub disable_pre_fetch_transfer_length: u16,
    /// MINIMUM PRE-FETCH, bytes 6-7.
    pub minimum_pre_fetch: u16,
    /// MAXIMUM PRE-FETCH, bytes 8-9.
    pub maximum_pre_fetch: u16,
    /// MAXIMUM PRE-FETCH CEILING, bytes 10-11.
    pub maximum_pre_fetch_ceiling: u16,
    /// FSW (force sequential write), byte 12 bit 7.
    pub fsw: bool,
    /// LBCSS (logical block cache segment size), byte 12 bit 6.
    pub lbcss: bool,
    /// DRA (disable read-ahead), byte 12 bit 5.
    pub dra: bool,
    /// NV_DIS (non-volatile cache disabled), byte 12 bit 0.
    pub nv_dis: bool,
    /// NUMBER OF CACHE SEGMENTS, byte 13.
    pub number_of_cache_segments: u8,
    /// CACHE SEGMENT SIZE, bytes 14-15.
    pub cache_segment_size: u16,
}

/// The caching page's PAGE LENGTH (12h, SBC-4 6.5.5).
pub const CACHING_PAGE_LENGTH: usize = 0x12;

/// Offset of the byte holding WCE in the page data (page byte 2, after the header).
pub(crate) const WCE_BYTE: usize = 0;
/// The WCE bit in that byte.
pub(crate) const WCE_BIT: u8 = 0x04;

impl CachingPage {
    /// Decodes the page data after the 2-byte header; `None` if it is shorter than the
    /// standard's 12h bytes (an older, shorter page is shown raw).
    pub fn decode(data: &[u8]) -> Option<Self> {
        let d = data.get(..CACHING_PAGE_LENGTH)?;
        let bit = |byte: usize, bit: u8| d[byte] & (1 << bit) != 0;
        let be16 = |at: usize| u16::from_be_bytes([d[at], d[at + 1]]);
        Some(CachingPage {
            ic: bit(0, 7),
            abpf: bit(0, 6),
            cap: bit(0, 5),
            disc: bit(0, 4),
            size: bit(0, 3),
            wce: bit(0, 2),
            mf: bit(0, 1),
            rcd: bit(0, 0),
            demand_read_retention_priority: d[1] >> 4,
            write_retention_priority: d[1] & 0x0f,
            disable_pre_fetch_transfer_length: be16(2),
            minimum_pre_fetch: be16(4),
            maximum_pre_fetch: be16(6),
            maximum_pre_fetch_ceiling: be16(8),
            fsw: bit(10, 7),
            lbcss: bit(10, 6),
            dra: bit(10, 5),
            nv_dis: bit(10, 0),
            number_of_cache_segments: d[11],
            cache_segment_size: be16(12),
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
            let decoded = CachingPage::decode(&bytes);
            prop_assert_eq!(decoded.is_some(), bytes.len() >= CACHING_PAGE_LENGTH);
            if let Some(p) = decoded {
                prop_assert_eq!(p.wce, bytes[WCE_BYTE] & WCE_BIT != 0);
            }
        }
    }

    #[test]
    fn field_positions() {
        // Page data (after 08h 12h): IC|WCE|RCD, priorities 3/5, lengths 1..4, FSW|DRA|NV_DIS,
        // 7 segments of 0x0100.
        let data = [
            0x85, 0x35, 0, 1, 0, 2, 0, 3, 0, 4, 0xa1, 7, 1, 0, 0, 0, 0, 0,
        ];
        let p = CachingPage::decode(&data).unwrap();
        assert!(p.ic && p.wce && p.rcd && !p.abpf && !p.mf);
        assert_eq!(
            (p.demand_read_retention_priority, p.write_retention_priority),
            (3, 5)
        );
        assert_eq!(
            (
                p.disable_pre_fetch_transfer_length,
                p.minimum_pre_fetch,
                p.maximum_pre_fetch,
                p.maximum_pre_fetch_ceiling
            ),
            (1, 2, 3, 4)
        );
        assert!(p.fsw && p.dra && p.nv_dis && !p.lbcss);
        assert_eq!(
            (p.number_of_cache_segments, p.cache_segment_size),
            (7, 0x100)
        );
        assert_eq!(CachingPage::decode(&data[..10]), None);
    }
}

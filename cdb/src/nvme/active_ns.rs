//! The Active Namespace ID list (NVMe Base 2.0 5.17.1, CNS 02h): up to 1024 NSIDs in
//! increasing order, ended by the first zero entry.

use super::le::Le;
use crate::error::DecodeError;
use serde::Serialize;

/// Active Namespace ID list (Base 2.0 5.17.1 CNS 02h, Figure "Namespace List").
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct ActiveNamespaceList {
    /// The active NSIDs, up to the first zero entry (at most 1024).
    pub nsids: Vec<u32>,
}

impl ActiveNamespaceList {
    /// Decodes the list from whole dwords present (a short transfer yields fewer IDs).
    pub fn decode(data: &[u8]) -> Result<Self, DecodeError> {
        let le = Le(data);
        let nsids = (0..(data.len() / 4).min(1024))
            .map(|i| le.u32(i * 4))
            .take_while(|&id| id != 0)
            .collect();
        Ok(ActiveNamespaceList { nsids })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn stops_at_zero() {
        let mut d = vec![0u8; 4096];
        d[0] = 1;
        d[4] = 2;
        d[12] = 9;
        assert_eq!(ActiveNamespaceList::decode(&d).unwrap().nsids, vec![1, 2]);
    }

    proptest! {
        #[test]
        fn arbitrary_bytes(d in proptest::collection::vec(any::<u8>(), 0..600)) {
            let l = ActiveNamespaceList::decode(&d).unwrap();
            prop_assert!(l.nsids.len() <= d.len() / 4);
        }
    }
}

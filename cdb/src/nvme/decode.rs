//! Names and fields of any submission queue entry this crate has a layout for, for
//! display (`scsitool` decoding a raw 64-byte NVMe command; NVMe Base 2.0 4.2, 5, 7).

use super::features::{GetFeatures, SetFeatures};
use super::firmware::{FirmwareCommit, FirmwareImageDownloadFields};
use super::identify::{IdentifyActiveNamespaces, IdentifyController, IdentifyNamespace};
use super::log_page::GetLogPage;
use super::nvm::{Flush, ReadWriteFields};
use super::sqe::{Queue, SqeLayout, SubmissionEntry};
use crate::command::CdbField;
use serde::Serialize;

/// A submission entry's command name and fields (Base 2.0 4.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct DecodedEntry {
    /// The command's name, e.g. `"Get Log Page"`.
    pub name: &'static str,
    /// Opcode (OPC).
    pub opc: u8,
    /// Command Identifier (CID).
    pub cid: u16,
    /// The command-specific fields.
    pub fields: Vec<CdbField>,
}

type Decoder = fn(&SubmissionEntry) -> Option<(&'static str, Vec<CdbField>)>;

fn layout<L: SqeLayout>(sqe: &SubmissionEntry) -> Option<(&'static str, Vec<CdbField>)> {
    L::parse_sqe(sqe).ok().map(|l| (L::NAME, l.fields()))
}

const ADMIN: &[Decoder] = &[
    layout::<IdentifyNamespace>,
    layout::<IdentifyController>,
    layout::<IdentifyActiveNamespaces>,
    layout::<GetLogPage>,
    layout::<GetFeatures>,
    layout::<SetFeatures>,
    layout::<FirmwareCommit>,
    layout::<FirmwareImageDownloadFields>,
];

const IO: &[Decoder] = &[layout::<Flush>, layout::<ReadWriteFields>];

/// Names and decodes `sqe` as submitted to `queue`, or `None` when no layout here accepts
/// it (an opcode or selector this crate does not model).
pub fn decode_entry(sqe: &SubmissionEntry, queue: Queue) -> Option<DecodedEntry> {
    let table = match queue {
        Queue::Admin => ADMIN,
        Queue::Io => IO,
    };
    table
        .iter()
        .find_map(|decode| decode(sqe))
        .map(|(name, fields)| DecodedEntry {
            name,
            opc: sqe.opc(),
            cid: sqe.cid(),
            fields,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nvme::log_page::LogPage;
    use crate::nvme::NvmeCommand;
    use proptest::prelude::*;

    #[test]
    fn names_entries() {
        let e = decode_entry(&LogPage::smart_health(0xffff_ffff).entry(), Queue::Admin).unwrap();
        assert_eq!(e.name, "Get Log Page");
        assert!(e.fields.contains(&CdbField::new("NUMDL", 127u32)));
        assert!(e.fields.contains(&CdbField::new("LID", 2u8)));
        let ns = decode_entry(&IdentifyNamespace::new(1).unwrap().entry(), Queue::Admin).unwrap();
        assert_eq!(
            ns.fields,
            vec![CdbField::new("NSID", 1u32), CdbField::new("CNS", 0u8)]
        );
        let flush = Flush::new(1).unwrap().entry();
        assert_eq!(decode_entry(&flush, Queue::Io).unwrap().name, "Flush");
        // Opcode 00h on the admin queue is Delete I/O Submission Queue: not modelled.
        assert_eq!(decode_entry(&flush, Queue::Admin), None);
    }

    proptest! {
        #[test]
        fn arbitrary_entries(bytes in proptest::collection::vec(any::<u8>(), 64)) {
            let sqe = SubmissionEntry::parse(&bytes).unwrap();
            for queue in [Queue::Admin, Queue::Io] {
                if let Some(d) = decode_entry(&sqe, queue) {
                    prop_assert_eq!(d.opc, bytes[0]);
                }
            }
        }
    }
}

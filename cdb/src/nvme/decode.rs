//! Names and fields of any submission queue entry this crate has a layout for, for
//! display (`scsitool` decoding a raw 64-byte NVMe command; NVMe Base 2.0 4.2, 5, 7).

use super::features::{GetFeatures, SetFeatures, OPC_GET_FEATURES, OPC_SET_FEATURES};
use super::firmware::{
    FirmwareCommit, FirmwareImageDownloadFields, OPC_FIRMWARE_COMMIT, OPC_FIRMWARE_IMAGE_DOWNLOAD,
};
use super::identify::{
    ActiveNamespacesCns, ControllerCns, IdentifyActiveNamespaces, IdentifyCns, IdentifyController,
    IdentifyNamespace, NamespaceCns, OPC_IDENTIFY,
};
use super::log_page::{GetLogPage, OPC_GET_LOG_PAGE};
use super::nvm::{Flush, ReadWriteFields, OPC_FLUSH, OPC_READ, OPC_WRITE};
use super::sqe::{Queue, SqeLayout, SubmissionEntry};
use crate::command::CdbField;
use crate::error::DecodeError;
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
    /// The command-specific fields; empty when [`Self::error`] is set.
    pub fields: Vec<CdbField>,
    /// Why the entry is not a valid command of this kind: its opcode (and selector, such
    /// as the Identify CNS) name a modelled command, but a field holds a value that
    /// command does not allow (e.g. Identify CNS 00h with NSID 0, Base 2.0 5.17.1).
    pub error: Option<DecodeError>,
    /// Non-zero bits of NSID, CDW2, CDW3 and CDW10–CDW15 that no decoded field accounts
    /// for (reserved bits, or fields this crate does not model), one entry per dword
    /// named as in Base 2.0 4.2, value = those bits. Empty when every set bit is decoded.
    pub unmodelled: Vec<CdbField>,
}

/// A decoded entry's fields and the entry they emit back.
type Decoded = Result<(Vec<CdbField>, SubmissionEntry), DecodeError>;

/// A command this crate models: its opcode, name, the selector beyond the opcode that
/// picks it, and its decoder (fields plus the entry they re-emit).
struct Modelled {
    opc: u8,
    name: &'static str,
    selects: fn(&SubmissionEntry) -> bool,
    decode: fn(&SubmissionEntry) -> Decoded,
}

fn layout<L: SqeLayout>(sqe: &SubmissionEntry) -> Decoded {
    L::parse_sqe(sqe).map(|l| (l.fields(), l.to_sqe()))
}

fn always(_: &SubmissionEntry) -> bool {
    true
}

/// Identify selects its data structure by CNS, CDW10 bits 7:0 (Base 2.0 5.17.1).
fn cns<C: IdentifyCns>(sqe: &SubmissionEntry) -> bool {
    sqe.cdw10.get() as u8 == C::CNS
}

const fn modelled<L: SqeLayout>(opc: u8, selects: fn(&SubmissionEntry) -> bool) -> Modelled {
    Modelled {
        opc,
        name: L::NAME,
        selects,
        decode: layout::<L>,
    }
}

const ADMIN: &[Modelled] = &[
    modelled::<IdentifyNamespace>(OPC_IDENTIFY, cns::<NamespaceCns>),
    modelled::<IdentifyController>(OPC_IDENTIFY, cns::<ControllerCns>),
    modelled::<IdentifyActiveNamespaces>(OPC_IDENTIFY, cns::<ActiveNamespacesCns>),
    modelled::<GetLogPage>(OPC_GET_LOG_PAGE, always),
    modelled::<GetFeatures>(OPC_GET_FEATURES, always),
    modelled::<SetFeatures>(OPC_SET_FEATURES, always),
    modelled::<FirmwareCommit>(OPC_FIRMWARE_COMMIT, always),
    modelled::<FirmwareImageDownloadFields>(OPC_FIRMWARE_IMAGE_DOWNLOAD, always),
];

/// Read and Write share one layout but are named by opcode (NVM Command Set 1.0 3).
const IO: &[Modelled] = &[
    modelled::<Flush>(OPC_FLUSH, always),
    Modelled {
        name: "Read",
        ..modelled::<ReadWriteFields>(OPC_READ, always)
    },
    Modelled {
        name: "Write",
        ..modelled::<ReadWriteFields>(OPC_WRITE, always)
    },
];

/// The bits of `sqe`'s NSID and command dwords that `emitted` (the decoded fields written
/// back) does not carry, per dword.
fn unmodelled(sqe: &SubmissionEntry, emitted: &SubmissionEntry) -> Vec<CdbField> {
    let dwords = |e: &SubmissionEntry| {
        [
            e.nsid, e.cdw2, e.cdw3, e.cdw10, e.cdw11, e.cdw12, e.cdw13, e.cdw14, e.cdw15,
        ]
    };
    const NAMES: [&str; 9] = [
        "NSID", "CDW2", "CDW3", "CDW10", "CDW11", "CDW12", "CDW13", "CDW14", "CDW15",
    ];
    NAMES
        .iter()
        .zip(dwords(sqe).iter().zip(dwords(emitted)))
        .filter_map(|(&name, (a, b))| {
            let bits = a.get() ^ b.get();
            (bits != 0).then(|| CdbField::new(name, bits))
        })
        .collect()
}

/// Names and decodes `sqe` as submitted to `queue`, or `None` when no layout here models
/// its opcode and selector (an opcode or CNS this crate does not model).
///
/// An entry whose opcode and selector are modelled but whose fields are not valid for
/// that command is returned with [`DecodedEntry::error`] set; bits no decoded field
/// accounts for are listed in [`DecodedEntry::unmodelled`].
pub fn decode_entry(sqe: &SubmissionEntry, queue: Queue) -> Option<DecodedEntry> {
    let table = match queue {
        Queue::Admin => ADMIN,
        Queue::Io => IO,
    };
    let command = table
        .iter()
        .find(|m| m.opc == sqe.opc() && (m.selects)(sqe))?;
    let (fields, error, unmodelled) = match (command.decode)(sqe) {
        Ok((fields, emitted)) => (fields, None, unmodelled(sqe, &emitted)),
        Err(e) => (Vec::new(), Some(e), Vec::new()),
    };
    Some(DecodedEntry {
        name: command.name,
        opc: sqe.opc(),
        cid: sqe.cid(),
        fields,
        error,
        unmodelled,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nvme::log_page::LogPage;
    use crate::nvme::nvm::{Read, Write};
    use crate::nvme::NvmeCommand;
    use proptest::prelude::*;
    use zerocopy::little_endian::U32;

    #[test]
    fn names_entries() {
        let e = decode_entry(&LogPage::smart_health(0xffff_ffff).entry(), Queue::Admin).unwrap();
        assert_eq!(e.name, "Get Log Page");
        assert!(e.fields.contains(&CdbField::new("NUMDL", 127u32)));
        assert!(e.fields.contains(&CdbField::new("LID", 2u8)));
        assert_eq!((e.error, e.unmodelled), (None, vec![]));
        let ns = decode_entry(&IdentifyNamespace::new(1).unwrap().entry(), Queue::Admin).unwrap();
        assert_eq!(
            ns.fields,
            vec![CdbField::new("NSID", 1u32), CdbField::new("CNS", 0u8)]
        );
        let flush = Flush::new(1).unwrap().entry();
        assert_eq!(decode_entry(&flush, Queue::Io).unwrap().name, "Flush");
        // Opcode 00h on the admin queue is Delete I/O Submission Queue: not modelled.
        assert_eq!(decode_entry(&flush, Queue::Admin), None);
        // Identify CNS 03h (Namespace Identification Descriptor list): not modelled.
        let mut desc = IdentifyNamespace::new(1).unwrap().entry();
        desc.cdw10 = U32::new(0x03);
        assert_eq!(decode_entry(&desc, Queue::Admin), None);
    }

    #[test]
    fn modelled_commands_with_invalid_fields_are_reported_invalid() {
        // Identify CNS 00h needs a namespace (Base 2.0 5.17.1): NSID 0 is invalid.
        let mut ns0 = IdentifyNamespace::new(1).unwrap().entry();
        ns0.nsid = U32::new(0);
        let d = decode_entry(&ns0, Queue::Admin).unwrap();
        assert_eq!(d.name, "Identify");
        assert!(matches!(
            d.error,
            Some(DecodeError::InvalidValue {
                what: "Identify NSID",
                value: 0
            })
        ));
        assert!(d.fields.is_empty());
        // Get Log Page LPO must be dword aligned (Base 2.0 5.16).
        let mut glp = LogPage::smart_health(0xffff_ffff).entry();
        glp.cdw12 = U32::new(2);
        let d = decode_entry(&glp, Queue::Admin).unwrap();
        assert_eq!(d.name, "Get Log Page");
        assert!(d.error.is_some());
    }

    #[test]
    fn read_and_write_are_named_by_opcode() {
        let read = Read::new(1, 0, 1, 512).unwrap().entry();
        assert_eq!(decode_entry(&read, Queue::Io).unwrap().name, "Read");
        let data = [0u8; 512];
        let write = Write::new(1, 0, &data, 512).unwrap().entry();
        assert_eq!(decode_entry(&write, Queue::Io).unwrap().name, "Write");
    }

    #[test]
    fn reports_bits_no_field_decodes() {
        // Read with PRINFO PRACT (CDW12 bit 29) and an expected initial logical block
        // reference tag in CDW14 (NVM Command Set 1.0 3.2.4): neither is modelled.
        let mut read = Read::new(1, 0, 8, 512).unwrap().entry();
        read.cdw12 = U32::new(read.cdw12.get() | 1 << 29);
        read.cdw14 = U32::new(0x1234);
        let d = decode_entry(&read, Queue::Io).unwrap();
        assert!(d.fields.contains(&CdbField::new("NLB", 7u16)));
        assert_eq!(
            d.unmodelled,
            vec![
                CdbField::new("CDW12", 1u32 << 29),
                CdbField::new("CDW14", 0x1234u32)
            ]
        );
        // Identify CNTID (CDW10 bits 31:16) is not used by CNS 01h (Base 2.0 5.17.1).
        let mut ctrl = IdentifyController::controller().entry();
        ctrl.cdw10 = U32::new(0x0005_0001);
        let d = decode_entry(&ctrl, Queue::Admin).unwrap();
        assert_eq!(d.unmodelled, vec![CdbField::new("CDW10", 0x0005_0000u32)]);
    }

    proptest! {
        #[test]
        fn arbitrary_entries(opc in 0u8..0x14, bytes in proptest::collection::vec(any::<u8>(), 64)) {
            let mut sqe = SubmissionEntry::parse(&bytes).unwrap();
            sqe.cdw0 = U32::new((sqe.cdw0.get() & !0xff) | u32::from(opc));
            let raw = sqe.to_bytes();
            for queue in [Queue::Admin, Queue::Io] {
                let cns = sqe.cdw10.get() as u8;
                let modelled = match queue {
                    Queue::Admin => matches!(opc, 0x02 | 0x09 | 0x0a | 0x10 | 0x11)
                        || (opc == 0x06 && cns <= 2),
                    Queue::Io => opc <= 0x02,
                };
                let d = decode_entry(&sqe, queue);
                prop_assert_eq!(d.is_some(), modelled);
                let Some(d) = d else { continue };
                prop_assert_eq!(d.fields.is_empty(), d.error.is_some());
                // Every unmodelled bit is a bit the entry really carries.
                for f in &d.unmodelled {
                    let off = match f.name {
                        "NSID" => 4,
                        "CDW2" => 8,
                        "CDW3" => 12,
                        other => 40 + 4 * (other[3..].parse::<usize>().unwrap() - 10),
                    };
                    let dword = u32::from_le_bytes(raw[off..off + 4].try_into().unwrap());
                    prop_assert!(f.value != 0 && u64::from(dword) & f.value == f.value);
                }
            }
        }
    }
}

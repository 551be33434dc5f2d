//! The Identify command (NVMe Base 2.0 5.17) for CNS 00h (Identify Namespace), 01h
//! (Identify Controller) and 02h (Active Namespace ID list); 4096 bytes in.

use super::active_ns::ActiveNamespaceList;
use super::id_ctrl::IdentifyControllerData;
use super::id_ns::IdentifyNamespaceData;
use super::sqe::{expect_opcode, NvmeCommand, Queue, SqeLayout, SubmissionEntry};
use crate::command::{CdbField, DataPhase};
use crate::error::{BuildError, DecodeError};
use std::marker::PhantomData;
use zerocopy::little_endian::U32;

/// Identify opcode (Base 2.0 5, Figure "Opcodes for Admin Commands").
pub const OPC_IDENTIFY: u8 = 0x06;
/// Every Identify data structure is 4096 bytes (Base 2.0 5.17).
pub const IDENTIFY_LEN: u32 = 4096;

/// One Controller or Namespace Structure (CNS) value and what its data decodes to
/// (Base 2.0 5.17.1, Figure "CNS Values").
pub trait IdentifyCns {
    /// The CNS value, CDW10 bits 7:0.
    const CNS: u8;
    /// The decoded data structure.
    type Data;
    /// Checks the NSID this CNS is sent with.
    fn check_nsid(nsid: u32) -> Result<(), &'static str>;
    /// Decodes the returned data structure.
    fn decode(data: &[u8]) -> Result<Self::Data, DecodeError>;
}

/// CNS 00h: Identify Namespace data structure for the NSID (Base 2.0 5.17.1; NVM
/// Command Set 1.0 4.1.5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NamespaceCns;
/// CNS 01h: Identify Controller data structure (Base 2.0 5.17.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ControllerCns;
/// CNS 02h: Active Namespace ID list, IDs greater than the NSID (Base 2.0 5.17.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActiveNamespacesCns;

impl IdentifyCns for NamespaceCns {
    const CNS: u8 = 0x00;
    type Data = IdentifyNamespaceData;
    fn check_nsid(nsid: u32) -> Result<(), &'static str> {
        if nsid == 0 {
            Err("CNS 00h needs a namespace ID (1 to FFFFFFFFh)")
        } else {
            Ok(())
        }
    }
    fn decode(data: &[u8]) -> Result<Self::Data, DecodeError> {
        IdentifyNamespaceData::decode(data)
    }
}

impl IdentifyCns for ControllerCns {
    const CNS: u8 = 0x01;
    type Data = IdentifyControllerData;
    fn check_nsid(nsid: u32) -> Result<(), &'static str> {
        if nsid == 0 {
            Ok(())
        } else {
            Err("CNS 01h takes no namespace ID")
        }
    }
    fn decode(data: &[u8]) -> Result<Self::Data, DecodeError> {
        IdentifyControllerData::decode(data)
    }
}

impl IdentifyCns for ActiveNamespacesCns {
    const CNS: u8 = 0x02;
    type Data = ActiveNamespaceList;
    fn check_nsid(nsid: u32) -> Result<(), &'static str> {
        if nsid >= 0xffff_fffe {
            Err("CNS 02h start NSID must be below FFFFFFFEh")
        } else {
            Ok(())
        }
    }
    fn decode(data: &[u8]) -> Result<Self::Data, DecodeError> {
        ActiveNamespaceList::decode(data)
    }
}

/// The Identify command (Base 2.0 5.17) for the CNS `C`.
///
/// CNS 00h–02h use none of CNTID (CDW10 31:16), the CNS Specific Identifier and CSI
/// (CDW11) or the UUID Index (CDW14), which the host clears (Base 2.0 5.17.1, Figure "CNS
/// Values"); [`super::decode::decode_entry`] lists any set bits there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identify<C> {
    nsid: u32,
    cns: PhantomData<C>,
}

/// Identify Controller (CNS 01h, Base 2.0 5.17.2.1).
pub type IdentifyController = Identify<ControllerCns>;
/// Identify Namespace (CNS 00h, NVM Command Set 1.0 4.1.5.1).
pub type IdentifyNamespace = Identify<NamespaceCns>;
/// Active Namespace ID list (CNS 02h, Base 2.0 5.17.1).
pub type IdentifyActiveNamespaces = Identify<ActiveNamespacesCns>;

impl<C: IdentifyCns> Identify<C> {
    /// An Identify for CNS `C` with `nsid` (the namespace for CNS 00h, 0 for CNS 01h, the
    /// start for CNS 02h).
    pub fn new(nsid: u32) -> Result<Self, BuildError> {
        C::check_nsid(nsid).map_err(|reason| BuildError::Invalid {
            command: "Identify",
            reason,
        })?;
        Ok(Identify {
            nsid,
            cns: PhantomData,
        })
    }

    /// The NSID the command is sent with.
    pub fn nsid(&self) -> u32 {
        self.nsid
    }
}

impl IdentifyController {
    /// Identify Controller (CNS 01h).
    pub fn controller() -> Self {
        Identify {
            nsid: 0,
            cns: PhantomData,
        }
    }
}

impl<C: IdentifyCns> SqeLayout for Identify<C> {
    const NAME: &'static str = "Identify";

    fn parse_sqe(sqe: &SubmissionEntry) -> Result<Self, DecodeError> {
        expect_opcode(sqe, OPC_IDENTIFY, "Identify opcode")?;
        let cns = sqe.cdw10.get() as u8;
        if cns != C::CNS {
            return Err(DecodeError::InvalidValue {
                what: "Identify CNS",
                value: u64::from(cns),
            });
        }
        Identify::new(sqe.nsid.get()).map_err(|_| DecodeError::InvalidValue {
            what: "Identify NSID",
            value: u64::from(sqe.nsid.get()),
        })
    }

    fn fields(&self) -> Vec<CdbField> {
        vec![
            CdbField::new("NSID", self.nsid),
            CdbField::new("CNS", C::CNS),
        ]
    }

    fn to_sqe(&self) -> SubmissionEntry {
        let mut sqe = SubmissionEntry::new(OPC_IDENTIFY, self.nsid);
        sqe.cdw10 = U32::new(u32::from(C::CNS));
        sqe
    }
}

impl<C: IdentifyCns> NvmeCommand for Identify<C> {
    type Response = C::Data;

    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn queue(&self) -> Queue {
        Queue::Admin
    }

    fn entry(&self) -> SubmissionEntry {
        self.to_sqe()
    }

    fn data_phase(&self) -> DataPhase<'_> {
        DataPhase::In(IDENTIFY_LEN)
    }

    fn decode(&self, _dw0: u32, data_in: &[u8]) -> Result<C::Data, DecodeError> {
        C::decode(data_in)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn entries() {
        let c = IdentifyController::controller().entry().to_bytes();
        assert_eq!((c[0], c[4], c[40]), (0x06, 0, 0x01));
        let ns = IdentifyNamespace::new(1).unwrap().entry().to_bytes();
        assert_eq!((ns[0], ns[4], ns[40]), (0x06, 1, 0x00));
        assert!(IdentifyNamespace::new(0).is_err());
        assert!(IdentifyController::new(1).is_err());
        assert!(IdentifyActiveNamespaces::new(0xffff_fffe).is_err());
        let list = IdentifyActiveNamespaces::new(0).unwrap();
        assert_eq!(list.entry().cdw10.get(), 2);
        assert_eq!(list.data_phase(), DataPhase::In(4096));
        assert_eq!(list.queue(), Queue::Admin);
        // Another CNS does not parse as this one.
        assert!(IdentifyController::parse_sqe(&list.entry()).is_err());
    }

    #[test]
    fn decodes_through_the_command() {
        let fixture = crate::nvme::id_ctrl::tests::qemu_id_ctrl();
        let c = IdentifyController::controller()
            .decode(0, &fixture)
            .unwrap();
        assert_eq!(c.mn, "QEMU NVMe Ctrl");
        let mut list = vec![0u8; 4096];
        list[0] = 1;
        let ids = IdentifyActiveNamespaces::new(0)
            .unwrap()
            .decode(0, &list)
            .unwrap();
        assert_eq!(ids.nsids, vec![1]);
        assert!(IdentifyNamespace::new(1)
            .unwrap()
            .decode(0, &list[..100])
            .is_err());
    }

    proptest! {
        #[test]
        fn round_trip(nsid in 1u32..) {
            let ns = IdentifyNamespace::new(nsid).unwrap();
            prop_assert_eq!(IdentifyNamespace::parse_sqe(&ns.to_sqe()).unwrap(), ns);
            if let Ok(list) = IdentifyActiveNamespaces::new(nsid) {
                prop_assert_eq!(IdentifyActiveNamespaces::parse_sqe(&list.to_sqe()).unwrap(), list);
            }
            let c = IdentifyController::controller();
            prop_assert_eq!(IdentifyController::parse_sqe(&c.to_sqe()).unwrap(), c);
        }
    }
}

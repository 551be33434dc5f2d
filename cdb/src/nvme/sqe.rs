//! The 64-byte submission queue entry (NVMe Base 2.0 4.2) and the contract every typed
//! NVMe command follows ([`NvmeCommand`], [`SqeLayout`]).

use crate::command::{CdbField, DataPhase};
use crate::error::{BuildError, DecodeError};
use zerocopy::little_endian::{U32, U64};
use zerocopy::{FromBytes, FromZeros, Immutable, IntoBytes, KnownLayout, Unaligned};

/// Size of a submission queue entry in bytes (NVMe Base 2.0 4.2, SQES = 6).
pub const SQE_LEN: usize = 64;

/// A submission queue entry (NVMe Base 2.0 4.2, Figure "Common Command Format"), stored
/// little-endian exactly as the controller reads it.
///
/// Commands fill the opcode, NSID and command dwords; transports fill the command
/// identifier (CID) and the data pointer (PRP1/PRP2), which commands never touch.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned,
)]
#[repr(C)]
pub struct SubmissionEntry {
    /// Command Dword 0: OPC (bits 7:0), FUSE (9:8), PSDT (15:14), CID (31:16) (Base 2.0 4.2).
    pub cdw0: U32,
    /// Namespace Identifier (NSID) (Base 2.0 4.2).
    pub nsid: U32,
    /// Command Dword 2, command specific (Base 2.0 4.2).
    pub cdw2: U32,
    /// Command Dword 3, command specific (Base 2.0 4.2).
    pub cdw3: U32,
    /// Metadata Pointer (MPTR) (Base 2.0 4.2).
    pub mptr: U64,
    /// Data Pointer, first PRP entry (PRP1) (Base 2.0 4.2, 4.3.1).
    pub prp1: U64,
    /// Data Pointer, second PRP entry or PRP list pointer (PRP2) (Base 2.0 4.2, 4.3.1).
    pub prp2: U64,
    /// Command Dword 10, command specific (Base 2.0 4.2).
    pub cdw10: U32,
    /// Command Dword 11, command specific (Base 2.0 4.2).
    pub cdw11: U32,
    /// Command Dword 12, command specific (Base 2.0 4.2).
    pub cdw12: U32,
    /// Command Dword 13, command specific (Base 2.0 4.2).
    pub cdw13: U32,
    /// Command Dword 14, command specific (Base 2.0 4.2).
    pub cdw14: U32,
    /// Command Dword 15, command specific (Base 2.0 4.2).
    pub cdw15: U32,
}

const _: () = assert!(core::mem::size_of::<SubmissionEntry>() == SQE_LEN);

impl SubmissionEntry {
    /// An all-zero entry carrying opcode `opc` and namespace `nsid` (Base 2.0 4.2).
    pub fn new(opc: u8, nsid: u32) -> Self {
        let mut sqe = Self::new_zeroed();
        sqe.cdw0 = U32::new(u32::from(opc));
        sqe.nsid = U32::new(nsid);
        sqe
    }

    /// Parses exactly [`SQE_LEN`] bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self, DecodeError> {
        Self::read_from_bytes(bytes).map_err(|_| DecodeError::Malformed {
            what: "submission queue entry",
            reason: "must be exactly 64 bytes",
        })
    }

    /// The entry's 64 bytes.
    pub fn to_bytes(&self) -> [u8; SQE_LEN] {
        let mut out = [0; SQE_LEN];
        out.copy_from_slice(self.as_bytes());
        out
    }

    /// Opcode (OPC), CDW0 bits 7:0 (Base 2.0 4.2).
    pub fn opc(&self) -> u8 {
        self.cdw0.get() as u8
    }

    /// Fused Operation (FUSE), CDW0 bits 9:8 (Base 2.0 4.2).
    pub fn fuse(&self) -> u8 {
        ((self.cdw0.get() >> 8) & 0x3) as u8
    }

    /// PRP or SGL for Data Transfer (PSDT), CDW0 bits 15:14 (Base 2.0 4.2).
    pub fn psdt(&self) -> u8 {
        ((self.cdw0.get() >> 14) & 0x3) as u8
    }

    /// Command Identifier (CID), CDW0 bits 31:16 (Base 2.0 4.2).
    pub fn cid(&self) -> u16 {
        (self.cdw0.get() >> 16) as u16
    }

    /// Sets the Command Identifier; for transports (Base 2.0 4.2).
    pub fn set_cid(&mut self, cid: u16) {
        self.cdw0 = U32::new((self.cdw0.get() & 0xffff) | (u32::from(cid) << 16));
    }

    /// Sets FUSE and PSDT (each 0 to 3); for transports (Base 2.0 4.2).
    pub fn set_fuse_psdt(&mut self, fuse: u8, psdt: u8) -> Result<(), BuildError> {
        BuildError::check_max("submission queue entry", "FUSE", u64::from(fuse), 3)?;
        BuildError::check_max("submission queue entry", "PSDT", u64::from(psdt), 3)?;
        let keep = self.cdw0.get() & !0xc300;
        let bits = (u32::from(fuse) << 8) | (u32::from(psdt) << 14);
        self.cdw0 = U32::new(keep | bits);
        Ok(())
    }

    /// Sets the data pointer PRP entries; for transports (Base 2.0 4.3.1).
    pub fn set_prps(&mut self, prp1: u64, prp2: u64) {
        self.prp1 = U64::new(prp1);
        self.prp2 = U64::new(prp2);
    }
}

/// The queue a command is submitted to (Base 2.0 3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Queue {
    /// The Admin Submission Queue (Base 2.0 5).
    Admin,
    /// An I/O Submission Queue (Base 2.0 7, NVM Command Set 1.0 3).
    Io,
}

/// An NVMe command ready to submit: its submission entry, queue, data phase and decoder
/// all come from one value (the NVMe counterpart of [`crate::command::ScsiCommand`]).
pub trait NvmeCommand {
    /// What the command's result decodes to.
    type Response;

    /// The command's name as the specification spells it, e.g. `"Identify"`.
    fn name(&self) -> &'static str;

    /// The queue the command goes to.
    fn queue(&self) -> Queue;

    /// The submission entry, with CID and data pointers left zero for the transport.
    fn entry(&self) -> SubmissionEntry;

    /// The data phase, whose direction and length the entry's own fields imply.
    fn data_phase(&self) -> DataPhase<'_>;

    /// Decodes the result: completion queue entry Dword 0 (`dw0`, command specific,
    /// Base 2.0 4.6) and the data-in bytes actually transferred.
    fn decode(&self, dw0: u32, data_in: &[u8]) -> Result<Self::Response, DecodeError>;
}

/// The parsed form of one command's submission entry fields, parsed from and emitted to a
/// [`SubmissionEntry`] so that `parse_sqe(to_sqe(x)) == x` holds for every builder.
pub trait SqeLayout: Sized {
    /// The command's name as the specification spells it.
    const NAME: &'static str;

    /// Parses an entry of this command, rejecting wrong opcodes or selectors.
    fn parse_sqe(sqe: &SubmissionEntry) -> Result<Self, DecodeError>;

    /// The entry's command-specific fields, in entry order, for display (names as the
    /// specification spells them; flags are 0 or 1).
    fn fields(&self) -> Vec<CdbField>;

    /// Emits the entry (CID and data pointers zero).
    fn to_sqe(&self) -> SubmissionEntry;
}

/// Checks that `sqe` carries opcode `opc`, naming the command otherwise.
pub(crate) fn expect_opcode(
    sqe: &SubmissionEntry,
    opc: u8,
    what: &'static str,
) -> Result<(), DecodeError> {
    if sqe.opc() == opc {
        Ok(())
    } else {
        Err(DecodeError::InvalidValue {
            what,
            value: u64::from(sqe.opc()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn field_offsets_follow_base_4_2() {
        let mut sqe = SubmissionEntry::new(0x06, 0x0102_0304);
        sqe.set_cid(0xabcd);
        sqe.set_prps(0x1111_2222_3333_4444, 0x5555_6666_7777_8888);
        sqe.cdw10 = U32::new(0x0a0b_0c0d);
        sqe.cdw15 = U32::new(0xf0f1_f2f3);
        let b = sqe.to_bytes();
        assert_eq!(&b[0..4], &[0x06, 0x00, 0xcd, 0xab]);
        assert_eq!(&b[4..8], &[0x04, 0x03, 0x02, 0x01]);
        assert_eq!(
            &b[24..32],
            &[0x44, 0x44, 0x33, 0x33, 0x22, 0x22, 0x11, 0x11]
        );
        assert_eq!(b[32], 0x88);
        assert_eq!(&b[40..44], &[0x0d, 0x0c, 0x0b, 0x0a]);
        assert_eq!(&b[60..64], &[0xf3, 0xf2, 0xf1, 0xf0]);
        assert!(SubmissionEntry::parse(&b[..63]).is_err());
    }

    proptest! {
        #[test]
        fn parse_emit_round_trip(bytes in proptest::collection::vec(any::<u8>(), SQE_LEN)) {
            let sqe = SubmissionEntry::parse(&bytes).unwrap();
            prop_assert_eq!(&sqe.to_bytes()[..], &bytes[..]);
            prop_assert_eq!(SubmissionEntry::parse(&sqe.to_bytes()).unwrap(), sqe);
        }

        #[test]
        fn cdw0_fields(opc: u8, cid: u16, fuse in 0u8..4, psdt in 0u8..4) {
            let mut sqe = SubmissionEntry::new(opc, 0);
            sqe.set_cid(cid);
            sqe.set_fuse_psdt(fuse, psdt).unwrap();
            prop_assert!(sqe.clone().set_fuse_psdt(4, 0).is_err());
            prop_assert_eq!((sqe.opc(), sqe.cid(), sqe.fuse(), sqe.psdt()), (opc, cid, fuse, psdt));
        }
    }
}

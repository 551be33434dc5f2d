//! I/O commands: Flush (NVMe Base 2.0 7.1), Read (NVM Command Set 1.0 3.2.4) and Write
//! (NVM Command Set 1.0 3.2.6).

use super::sqe::{NvmeCommand, Queue, SqeLayout, SubmissionEntry};
use crate::command::{CdbField, DataPhase};
use crate::error::{BuildError, DecodeError};
use zerocopy::little_endian::U32;

/// Flush opcode (Base 2.0 7, Figure "Opcodes for I/O Commands").
pub const OPC_FLUSH: u8 = 0x00;
/// Write opcode (NVM Command Set 1.0 3, Figure "Opcodes for NVM Command Set Commands").
pub const OPC_WRITE: u8 = 0x01;
/// Read opcode (NVM Command Set 1.0 3, Figure "Opcodes for NVM Command Set Commands").
pub const OPC_READ: u8 = 0x02;
/// The broadcast NSID: every attached namespace (Base 2.0 3.2.1).
pub const NSID_BROADCAST: u32 = 0xffff_ffff;
/// Most logical blocks one Read or Write moves: NLB is a 0's based 16-bit field.
pub const MAX_BLOCKS: u32 = 65536;

/// Flush (Base 2.0 7.1): commit volatile write cache contents to non-volatile media for
/// `nsid`, or for every namespace with [`NSID_BROADCAST`] when VWC bits 2:1 allow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flush {
    nsid: u32,
}

impl Flush {
    /// A Flush of `nsid` (1 to FFFFFFFFh; 0 is not a namespace).
    pub fn new(nsid: u32) -> Result<Self, BuildError> {
        if nsid == 0 {
            return Err(BuildError::Invalid {
                command: "Flush",
                reason: "NSID 0 is not a namespace",
            });
        }
        Ok(Flush { nsid })
    }

    /// The namespace flushed.
    pub fn nsid(&self) -> u32 {
        self.nsid
    }
}

impl SqeLayout for Flush {
    const NAME: &'static str = "Flush";

    fn parse_sqe(sqe: &SubmissionEntry) -> Result<Self, DecodeError> {
        super::sqe::expect_opcode(sqe, OPC_FLUSH, "Flush opcode")?;
        Flush::new(sqe.nsid.get()).map_err(|_| DecodeError::InvalidValue {
            what: "Flush NSID",
            value: 0,
        })
    }

    fn fields(&self) -> Vec<CdbField> {
        vec![CdbField::new("NSID", self.nsid)]
    }

    fn to_sqe(&self) -> SubmissionEntry {
        SubmissionEntry::new(OPC_FLUSH, self.nsid)
    }
}

impl NvmeCommand for Flush {
    type Response = ();

    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn queue(&self) -> Queue {
        Queue::Io
    }

    fn entry(&self) -> SubmissionEntry {
        self.to_sqe()
    }

    fn data_phase(&self) -> DataPhase<'_> {
        DataPhase::None
    }

    fn decode(&self, _dw0: u32, _data_in: &[u8]) -> Result<(), DecodeError> {
        Ok(())
    }
}

/// The entry fields Read and Write share (NVM Command Set 1.0 3.2.4, 3.2.6): SLBA in
/// CDW11:10; NLB (15:0), FUA (30) and LR (31) in CDW12.
///
/// Not modelled: PRINFO (CDW12 29:26), STC and DTYPE (Write CDW12 24, 23:20), CDW13
/// (DSM, DSPEC) and the protection information fields of CDW2, CDW3, CDW14 and CDW15;
/// builders leave them zero, and [`super::decode::decode_entry`] lists any set bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadWriteFields {
    /// True for Write (01h), false for Read (02h).
    pub write: bool,
    /// Namespace Identifier.
    pub nsid: u32,
    /// Starting LBA (SLBA).
    pub slba: u64,
    /// Number of Logical Blocks (NLB), 0's based.
    pub nlb: u16,
    /// Force Unit Access (FUA).
    pub fua: bool,
    /// Limited Retry (LR).
    pub lr: bool,
}

impl SqeLayout for ReadWriteFields {
    const NAME: &'static str = "Read/Write";

    fn parse_sqe(sqe: &SubmissionEntry) -> Result<Self, DecodeError> {
        let write = match sqe.opc() {
            OPC_WRITE => true,
            OPC_READ => false,
            other => {
                return Err(DecodeError::InvalidValue {
                    what: "Read/Write opcode",
                    value: u64::from(other),
                })
            }
        };
        let cdw12 = sqe.cdw12.get();
        Ok(ReadWriteFields {
            write,
            nsid: sqe.nsid.get(),
            slba: u64::from(sqe.cdw10.get()) | (u64::from(sqe.cdw11.get()) << 32),
            nlb: cdw12 as u16,
            fua: cdw12 & (1 << 30) != 0,
            lr: cdw12 & (1 << 31) != 0,
        })
    }

    fn fields(&self) -> Vec<CdbField> {
        vec![
            CdbField::new("NSID", self.nsid),
            CdbField::new("SLBA", self.slba),
            CdbField::new("NLB", self.nlb),
            CdbField::flag("FUA", self.fua),
            CdbField::flag("LR", self.lr),
        ]
    }

    fn to_sqe(&self) -> SubmissionEntry {
        let opc = if self.write { OPC_WRITE } else { OPC_READ };
        let mut sqe = SubmissionEntry::new(opc, self.nsid);
        sqe.cdw10 = U32::new(self.slba as u32);
        sqe.cdw11 = U32::new((self.slba >> 32) as u32);
        sqe.cdw12 = U32::new(
            u32::from(self.nlb) | (u32::from(self.fua) << 30) | (u32::from(self.lr) << 31),
        );
        sqe
    }
}

/// Checks a Read/Write request and returns its fields (FUA and LR clear).
fn rw_fields(
    command: &'static str,
    write: bool,
    nsid: u32,
    slba: u64,
    blocks: u64,
    lba_size: u32,
) -> Result<ReadWriteFields, BuildError> {
    if nsid == 0 || nsid == NSID_BROADCAST {
        return Err(BuildError::Invalid {
            command,
            reason: "NSID must name one namespace",
        });
    }
    if lba_size == 0 {
        return Err(BuildError::Invalid {
            command,
            reason: "LBA data size must not be zero",
        });
    }
    if blocks == 0 {
        return Err(BuildError::Invalid {
            command,
            reason: "at least one logical block",
        });
    }
    BuildError::check_max(command, "blocks", blocks, u64::from(MAX_BLOCKS))?;
    BuildError::check_max(
        command,
        "data length",
        blocks * u64::from(lba_size),
        u64::from(u32::MAX),
    )?;
    Ok(ReadWriteFields {
        write,
        nsid,
        slba,
        nlb: (blocks - 1) as u16,
        fua: false,
        lr: false,
    })
}

/// Read (NVM Command Set 1.0 3.2.4): (NLB + 1) × per-block transfer size bytes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Read {
    fields: ReadWriteFields,
    lba_size: u32,
}

impl Read {
    /// Reads `blocks` (1 to 65536) logical blocks of `lba_size` bytes each from `slba`.
    ///
    /// `lba_size` is the bytes one block occupies in the data transfer: the LBA data size
    /// of the namespace's format in use, plus its Metadata Size (MS) when the namespace
    /// transfers metadata as extended data LBAs (FLBAS bit 4, NVM Command Set 1.0
    /// 4.1.5.1); [`super::id_ns::IdentifyNamespaceData::lba_transfer_size`] gives it.
    pub fn new(nsid: u32, slba: u64, blocks: u32, lba_size: u32) -> Result<Self, BuildError> {
        Ok(Read {
            fields: rw_fields("Read", false, nsid, slba, u64::from(blocks), lba_size)?,
            lba_size,
        })
    }

    /// Sets Force Unit Access and Limited Retry.
    pub fn with_flags(mut self, fua: bool, lr: bool) -> Self {
        self.fields.fua = fua;
        self.fields.lr = lr;
        self
    }

    /// The entry fields.
    pub fn fields(&self) -> ReadWriteFields {
        self.fields
    }

    fn len(&self) -> u32 {
        // rw_fields checked that this product fits u32.
        (u32::from(self.fields.nlb) + 1).saturating_mul(self.lba_size)
    }
}

impl NvmeCommand for Read {
    /// The read data stays in the caller's buffer; decoding checks it is complete.
    type Response = ();

    fn name(&self) -> &'static str {
        "Read"
    }

    fn queue(&self) -> Queue {
        Queue::Io
    }

    fn entry(&self) -> SubmissionEntry {
        self.fields.to_sqe()
    }

    fn data_phase(&self) -> DataPhase<'_> {
        DataPhase::In(self.len())
    }

    fn decode(&self, _dw0: u32, data_in: &[u8]) -> Result<(), DecodeError> {
        DecodeError::ensure_len(data_in, self.len() as usize, "Read data")
    }
}

/// Write (NVM Command Set 1.0 3.2.6): holds the data; NLB is derived from its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Write<'a> {
    fields: ReadWriteFields,
    data: &'a [u8],
}

impl<'a> Write<'a> {
    /// Writes `data` (a non-empty multiple of `lba_size`, at most 65536 blocks) at `slba`.
    ///
    /// `lba_size` is the bytes one block occupies in the data transfer: the LBA data size
    /// plus the Metadata Size (MS) when the namespace uses extended data LBAs (FLBAS bit
    /// 4, NVM Command Set 1.0 4.1.5.1), so `data` interleaves each block's metadata after
    /// its data; [`super::id_ns::IdentifyNamespaceData::lba_transfer_size`] gives it.
    pub fn new(nsid: u32, slba: u64, data: &'a [u8], lba_size: u32) -> Result<Self, BuildError> {
        if lba_size != 0 && data.len() % lba_size as usize != 0 {
            return Err(BuildError::Invalid {
                command: "Write",
                reason: "data length must be a multiple of the LBA data size",
            });
        }
        let blocks = (data.len() as u64)
            .checked_div(u64::from(lba_size))
            .unwrap_or(0);
        Ok(Write {
            fields: rw_fields("Write", true, nsid, slba, blocks, lba_size)?,
            data,
        })
    }

    /// Sets Force Unit Access and Limited Retry.
    pub fn with_flags(mut self, fua: bool, lr: bool) -> Self {
        self.fields.fua = fua;
        self.fields.lr = lr;
        self
    }

    /// The entry fields.
    pub fn fields(&self) -> ReadWriteFields {
        self.fields
    }
}

impl NvmeCommand for Write<'_> {
    type Response = ();

    fn name(&self) -> &'static str {
        "Write"
    }

    fn queue(&self) -> Queue {
        Queue::Io
    }

    fn entry(&self) -> SubmissionEntry {
        self.fields.to_sqe()
    }

    fn data_phase(&self) -> DataPhase<'_> {
        DataPhase::Out(self.data)
    }

    fn decode(&self, _dw0: u32, _data_in: &[u8]) -> Result<(), DecodeError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn flush() {
        let f = Flush::new(NSID_BROADCAST).unwrap();
        let b = f.entry().to_bytes();
        assert_eq!(&b[..8], &[0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
        assert_eq!(f.queue(), Queue::Io);
        assert!(Flush::new(0).is_err());
        assert_eq!(Flush::parse_sqe(&f.to_sqe()).unwrap(), f);
    }

    #[test]
    fn read_write_entries() {
        let r = Read::new(1, 0x1_0000_0002, 8, 512)
            .unwrap()
            .with_flags(true, false);
        let e = r.entry();
        assert_eq!((e.opc(), e.cdw10.get(), e.cdw11.get()), (0x02, 2, 1));
        assert_eq!(e.cdw12.get(), 0x4000_0007);
        assert_eq!(r.data_phase(), DataPhase::In(4096));
        assert!(r.decode(0, &[0; 4095]).is_err());
        assert!(Read::new(1, 0, 0, 512).is_err());
        assert!(Read::new(1, 0, 65537, 512).is_err());
        assert!(Read::new(1, 0, 65536, 65536).is_err());
        assert_eq!(
            Read::new(1, 0, 65536, 512).unwrap().entry().cdw12.get(),
            0xffff
        );
        let data = [0u8; 8192];
        let w = Write::new(1, 5, &data, 4096)
            .unwrap()
            .with_flags(false, true);
        let e = w.entry();
        assert_eq!(
            (e.opc(), e.cdw10.get(), e.cdw12.get()),
            (0x01, 5, 0x8000_0001)
        );
        assert_eq!(w.data_phase(), DataPhase::Out(&data[..]));
        assert!(Write::new(1, 0, &data[..1000], 512).is_err());
        assert!(Write::new(1, 0, &[], 512).is_err());
        assert!(Write::new(1, 0, &data, 0).is_err());
        assert!(Write::new(0, 0, &data, 512).is_err());
        let big = vec![0u8; 65537 * 8];
        assert!(Write::new(1, 0, &big, 8).is_err());
    }

    proptest! {
        #[test]
        fn round_trip(nsid in 1u32..0xffff_ffff, slba: u64, blocks in 1u32..=65536, fua: bool, lr: bool, write: bool) {
            let fields = if write {
                let data = vec![0u8; blocks as usize * 8];
                Write::new(nsid, slba, &data, 8).unwrap().with_flags(fua, lr).fields()
            } else {
                Read::new(nsid, slba, blocks, 512).unwrap().with_flags(fua, lr).fields()
            };
            prop_assert_eq!(fields, ReadWriteFields { write, nsid, slba, nlb: (blocks - 1) as u16, fua, lr });
            prop_assert_eq!(ReadWriteFields::parse_sqe(&fields.to_sqe()).unwrap(), fields);
            let f = Flush::new(nsid).unwrap();
            prop_assert_eq!(Flush::parse_sqe(&f.to_sqe()).unwrap(), f);
        }
    }
}

//! JMicron's NVMe tunnel: three ATA PASS-THROUGH (12) CDBs (operation code A1h) that a
//! JMS583 bridge reinterprets (facts from smartmontools' bridge support; no standard covers
//! it). Unlike the ASMedia and Realtek tunnels it carries data-out, so Firmware Image
//! Download and Firmware Commit can reach the drive.
//!
//! Every step's CDB: byte 0 A1h; byte 1 bit 7 set for an admin command, bits 3:0 the
//! [`Protocol`]; bytes 3–5 the parameter length (big-endian). The steps:
//! 1. [`Protocol::NvmCommand`], data-out 512 bytes: the [`CommandBlock`].
//! 2. [`Protocol::NonData`], [`Protocol::DmaIn`] or [`Protocol::DmaOut`] with the
//!    command's data.
//! 3. [`Protocol::Response`], data-in 512 bytes: the [`ReplyBlock`] holding the completion.
//!
//! On a SAT bridge the same CDB is ATA PASS-THROUGH (12) (SAT-5 12.2.2), where protocol 0
//! means ATA hardware reset: only ever send it to a bridge known to be a JMicron.

use crate::command::{Cdb, CdbField, CdbLayout, DataPhase, ScsiCommand};
use crate::error::{BuildError, DecodeError};
use crate::nvme::{Completion, NvmeCommand, Queue, SubmissionEntry};
use crate::scsi::cdb_bytes::{check, get_be, put_be};
use zerocopy::little_endian::U32;
use zerocopy::{FromBytes, FromZeros, Immutable, IntoBytes, KnownLayout, Unaligned};

/// The operation code: ATA PASS-THROUGH (12) (SAT-5 12.2.2).
pub const OPCODE: u8 = 0xa1;
/// The CDB's length in bytes.
pub const CDB_LEN: usize = 12;
/// The length of the command block and of the reply block.
pub const BLOCK_LEN: usize = 512;
/// The signature opening both blocks: "NVME" read as a little-endian 454D564Eh.
pub const SIGNATURE: u32 = 0x454d_564e;
/// The largest parameter length the CDB's three bytes hold.
pub const MAX_LENGTH: u32 = 0xff_ffff;
const NAME: &str = "JMicron NVMe tunnel";
/// CDB byte 1 bit 7: the tunnelled command is an admin command.
const ADMIN: u8 = 0x80;

/// The step a tunnel CDB performs (CDB byte 1, bits 3:0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// 0h: the 512-byte command block follows as data-out.
    NvmCommand,
    /// 1h: the command runs without data.
    NonData,
    /// 2h: the command runs and its data comes in.
    DmaIn,
    /// 3h: the command's data goes out and the command runs.
    DmaOut,
    /// Fh: the 512-byte reply block comes in.
    Response,
}

impl Protocol {
    /// The protocol's code in CDB byte 1.
    pub fn code(self) -> u8 {
        match self {
            Protocol::NvmCommand => 0x0,
            Protocol::NonData => 0x1,
            Protocol::DmaIn => 0x2,
            Protocol::DmaOut => 0x3,
            Protocol::Response => 0xf,
        }
    }

    /// The protocol with `code`, if the tunnel defines one.
    pub fn from_code(code: u8) -> Option<Self> {
        [
            Protocol::NvmCommand,
            Protocol::NonData,
            Protocol::DmaIn,
            Protocol::DmaOut,
            Protocol::Response,
        ]
        .into_iter()
        .find(|p| p.code() == code)
    }
}

/// One tunnel CDB: the step, whether the command is an admin command, and the parameter
/// length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TunnelCdb {
    admin: bool,
    protocol: Protocol,
    length: u32,
}

impl TunnelCdb {
    /// A step's CDB; `length` must fit the three bytes of the parameter length.
    pub fn new(admin: bool, protocol: Protocol, length: u32) -> Result<Self, BuildError> {
        BuildError::check_max(
            NAME,
            "parameter list length",
            u64::from(length),
            u64::from(MAX_LENGTH),
        )?;
        Ok(TunnelCdb {
            admin,
            protocol,
            length,
        })
    }

    /// Byte 1 bit 7: the tunnelled command is an admin command.
    pub fn admin(&self) -> bool {
        self.admin
    }

    /// Byte 1 bits 3:0: the step.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// Bytes 3–5: the data length of this step.
    pub fn length(&self) -> u32 {
        self.length
    }
}

impl CdbLayout for TunnelCdb {
    const NAME: &'static str = NAME;

    fn parse_cdb(cdb: &[u8]) -> Result<Self, DecodeError> {
        check(cdb, CDB_LEN, OPCODE, NAME)?;
        let code = cdb[1] & 0x0f;
        let protocol = Protocol::from_code(code).ok_or(DecodeError::InvalidValue {
            what: "JMicron tunnel protocol",
            value: u64::from(code),
        })?;
        Ok(TunnelCdb {
            admin: cdb[1] & ADMIN != 0,
            protocol,
            length: get_be(cdb, 3, 3) as u32,
        })
    }

    fn to_cdb(&self) -> Cdb {
        let mut cdb = Cdb::zeroed(CDB_LEN);
        let b = cdb.bytes_mut();
        b[0] = OPCODE;
        b[1] = if self.admin { ADMIN } else { 0 } | self.protocol.code();
        put_be(b, 3, 3, u64::from(self.length));
        cdb
    }

    fn fields(&self) -> Vec<CdbField> {
        vec![
            CdbField::flag("ADMIN", self.admin),
            CdbField::new("PROTOCOL", self.protocol.code()),
            CdbField::new("PARAMETER LIST LENGTH", self.length),
        ]
    }
}

/// The 512-byte command block of step 1, little-endian dwords: 0 the [`SIGNATURE`], 2 the
/// opcode, 3 the NSID, 12–17 Command Dwords 10–15.
#[derive(Clone, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct CommandBlock {
    signature: U32,
    reserved1: U32,
    opcode: U32,
    nsid: U32,
    reserved2: [U32; 8],
    cdw10_15: [U32; 6],
    reserved3: [U32; 110],
}

const _: () = assert!(core::mem::size_of::<CommandBlock>() == BLOCK_LEN);

impl CommandBlock {
    /// The block carrying `entry`'s opcode, NSID and Command Dwords 10–15.
    pub fn new(entry: &SubmissionEntry) -> Self {
        let mut block = CommandBlock::new_zeroed();
        block.signature = SIGNATURE.into();
        block.opcode = u32::from(entry.opc()).into();
        block.nsid = entry.nsid;
        block.cdw10_15 = [
            entry.cdw10,
            entry.cdw11,
            entry.cdw12,
            entry.cdw13,
            entry.cdw14,
            entry.cdw15,
        ];
        block
    }

    /// Parses a block as a bridge receives it: exactly [`BLOCK_LEN`] bytes opening with the
    /// [`SIGNATURE`], with an opcode that fits a byte.
    pub fn parse(bytes: &[u8]) -> Result<Self, DecodeError> {
        let block = CommandBlock::read_from_bytes(bytes).map_err(|_| DecodeError::Malformed {
            what: "JMicron command block",
            reason: "must be exactly 512 bytes",
        })?;
        if block.signature.get() != SIGNATURE {
            return Err(DecodeError::InvalidValue {
                what: "JMicron command block signature",
                value: u64::from(block.signature.get()),
            });
        }
        if block.opcode.get() > 0xff {
            return Err(DecodeError::InvalidValue {
                what: "JMicron command block opcode",
                value: u64::from(block.opcode.get()),
            });
        }
        Ok(block)
    }

    /// The submission entry the block describes (CID and data pointers zero).
    pub fn entry(&self) -> SubmissionEntry {
        // parse() and new() keep the opcode within a byte.
        let mut entry = SubmissionEntry::new(self.opcode.get() as u8, self.nsid.get());
        let [cdw10, cdw11, cdw12, cdw13, cdw14, cdw15] = self.cdw10_15;
        entry.cdw10 = cdw10;
        entry.cdw11 = cdw11;
        entry.cdw12 = cdw12;
        entry.cdw13 = cdw13;
        entry.cdw14 = cdw14;
        entry.cdw15 = cdw15;
        entry
    }
}

/// The 512-byte reply block of step 3: dword 0 the [`SIGNATURE`], dwords 2–5 the
/// completion queue entry (NVMe Base 2.0 4.6), so the status is dword 5 bits 31:17.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyBlock {
    /// The completion the drive posted.
    pub completion: Completion,
}

/// Where the completion queue entry sits in the reply block.
const REPLY_CQE_AT: usize = 8;

impl ReplyBlock {
    /// Decodes a reply block; a wrong signature means the bridge did not run the tunnel.
    pub fn parse(bytes: &[u8]) -> Result<Self, DecodeError> {
        let signature = bytes.get(..4).ok_or(DecodeError::Truncated {
            what: "JMicron reply block",
            need: BLOCK_LEN,
            have: bytes.len(),
        })?;
        let signature =
            u32::from_le_bytes([signature[0], signature[1], signature[2], signature[3]]);
        if signature != SIGNATURE {
            return Err(DecodeError::InvalidValue {
                what: "JMicron reply block signature",
                value: u64::from(signature),
            });
        }
        let completion = Completion::parse(bytes.get(REPLY_CQE_AT..).unwrap_or_default())?;
        Ok(ReplyBlock { completion })
    }

    /// The 512 bytes a bridge returns for `completion`.
    pub fn to_bytes(&self) -> [u8; BLOCK_LEN] {
        let mut block = [0u8; BLOCK_LEN];
        block[..4].copy_from_slice(&SIGNATURE.to_le_bytes());
        let cqe = self.completion.to_bytes();
        block[REPLY_CQE_AT..REPLY_CQE_AT + cqe.len()].copy_from_slice(&cqe);
        block
    }
}

/// An admin command ready to tunnel: its command block and its data phase, from which the
/// three steps are built.
#[derive(Clone)]
pub struct JmicronTunnel<'a> {
    block: CommandBlock,
    phase: DataPhase<'a>,
}

impl<'a> JmicronTunnel<'a> {
    /// Tunnels `command` (an admin command; any data phase up to [`MAX_LENGTH`] bytes).
    pub fn new(command: &'a impl NvmeCommand) -> Result<Self, BuildError> {
        Self::from_entry(command.queue(), &command.entry(), command.data_phase())
    }

    /// Tunnels a raw admin submission entry with its data phase. The block carries the
    /// opcode, NSID and Command Dwords 10–15: anything in FUSE, CDW2, CDW3 or the
    /// metadata pointer is refused rather than dropped.
    pub fn from_entry(
        queue: Queue,
        entry: &SubmissionEntry,
        phase: DataPhase<'a>,
    ) -> Result<Self, BuildError> {
        let refuse = |reason| {
            Err(BuildError::Invalid {
                command: NAME,
                reason,
            })
        };
        if queue != Queue::Admin {
            return refuse("the tunnel carries admin commands only");
        }
        if entry.fuse() != 0
            || entry.cdw2.get() != 0
            || entry.cdw3.get() != 0
            || entry.mptr.get() != 0
        {
            return refuse("FUSE, CDW2, CDW3 and the metadata pointer cannot be carried");
        }
        let length = match phase {
            DataPhase::None => 0,
            DataPhase::In(n) => n,
            DataPhase::Out(data) => u32::try_from(data.len()).unwrap_or(u32::MAX),
        };
        BuildError::check_max(
            NAME,
            "data length",
            u64::from(length),
            u64::from(MAX_LENGTH),
        )?;
        Ok(JmicronTunnel {
            block: CommandBlock::new(entry),
            phase,
        })
    }

    /// Step 1: sends the command block.
    pub fn send_command(&self) -> SendCommand {
        SendCommand {
            block: self.block.clone(),
        }
    }

    /// Step 2: runs the command with its data phase.
    pub fn transfer(&self) -> Transfer<'a> {
        Transfer { phase: self.phase }
    }

    /// Step 3: reads the reply block.
    pub fn read_response(&self) -> ReadResponse {
        ReadResponse
    }
}

/// Step 1: [`Protocol::NvmCommand`] with the [`CommandBlock`] as data-out.
#[derive(Clone)]
pub struct SendCommand {
    block: CommandBlock,
}

/// Step 2: the command's data phase ([`Protocol::NonData`], [`Protocol::DmaIn`] or
/// [`Protocol::DmaOut`]).
#[derive(Debug, Clone, Copy)]
pub struct Transfer<'a> {
    phase: DataPhase<'a>,
}

/// Step 3: [`Protocol::Response`], the [`ReplyBlock`] as data-in.
#[derive(Debug, Clone, Copy)]
pub struct ReadResponse;

/// The CDB of a step with `protocol` moving `length` bytes of an admin command; the
/// tunnel's builder bounds every length by [`MAX_LENGTH`].
fn step_cdb(protocol: Protocol, length: u32) -> Cdb {
    TunnelCdb {
        admin: true,
        protocol,
        length: length.min(MAX_LENGTH),
    }
    .to_cdb()
}

impl ScsiCommand for SendCommand {
    type Response = ();

    fn name(&self) -> &'static str {
        "JMicron NVMe tunnel: command block"
    }

    fn cdb(&self) -> Cdb {
        step_cdb(Protocol::NvmCommand, BLOCK_LEN as u32)
    }

    fn data_phase(&self) -> DataPhase<'_> {
        DataPhase::output(self.block.as_bytes())
    }

    fn decode(&self, _data_in: &[u8]) -> Result<(), DecodeError> {
        Ok(())
    }
}

impl ScsiCommand for Transfer<'_> {
    /// The data-in bytes (empty for data-out and non-data commands).
    type Response = Vec<u8>;

    fn name(&self) -> &'static str {
        "JMicron NVMe tunnel: data"
    }

    fn cdb(&self) -> Cdb {
        match self.phase {
            DataPhase::None => step_cdb(Protocol::NonData, 0),
            DataPhase::In(n) => step_cdb(Protocol::DmaIn, n),
            // The builder bounds the length by MAX_LENGTH.
            DataPhase::Out(data) => step_cdb(Protocol::DmaOut, data.len() as u32),
        }
    }

    fn data_phase(&self) -> DataPhase<'_> {
        self.phase
    }

    fn decode(&self, data_in: &[u8]) -> Result<Vec<u8>, DecodeError> {
        Ok(self.phase.within(data_in).to_vec())
    }
}

impl ScsiCommand for ReadResponse {
    type Response = ReplyBlock;

    fn name(&self) -> &'static str {
        "JMicron NVMe tunnel: response"
    }

    fn cdb(&self) -> Cdb {
        step_cdb(Protocol::Response, BLOCK_LEN as u32)
    }

    fn data_phase(&self) -> DataPhase<'_> {
        DataPhase::In(BLOCK_LEN as u32)
    }

    fn decode(&self, data_in: &[u8]) -> Result<ReplyBlock, DecodeError> {
        ReplyBlock::parse(data_in)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nvme::firmware::FirmwareImageDownload;
    use crate::nvme::identify::IdentifyController;
    use crate::nvme::log_page::GetLogPage;
    use crate::nvme::status::Status;
    use proptest::prelude::*;

    /// The bytes of a data-out phase.
    trait OutBytes<'a> {
        fn out_bytes(self) -> &'a [u8];
    }

    impl<'a> OutBytes<'a> for DataPhase<'a> {
        fn out_bytes(self) -> &'a [u8] {
            match self {
                DataPhase::Out(bytes) => bytes,
                _ => &[],
            }
        }
    }

    #[test]
    fn the_three_steps_of_a_smart_log_read() {
        let glp = GetLogPage::new(0x02, 0xffff_ffff, 512, 0).unwrap();
        let tunnel = JmicronTunnel::new(&glp).unwrap();
        let send = tunnel.send_command();
        // A1 80 00 00 02 00: admin, protocol 0, 512 bytes.
        assert_eq!(
            send.cdb().as_bytes(),
            &[0xa1, 0x80, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]
        );
        let block = send.data_phase().out_bytes();
        assert_eq!(block.len(), BLOCK_LEN);
        assert_eq!(&block[..4], b"NVME");
        assert_eq!(&block[8..12], &[0x02, 0, 0, 0]);
        assert_eq!(&block[12..16], &[0xff; 4]);
        // CDW10 = LID 02h | NUMDL 127 << 16, in dword 12.
        assert_eq!(&block[48..52], &[0x02, 0, 0x7f, 0]);
        assert_eq!(
            tunnel.transfer().cdb().as_bytes()[..6],
            [0xa1, 0x82, 0, 0, 2, 0]
        );
        assert_eq!(
            tunnel.read_response().cdb().as_bytes()[..6],
            [0xa1, 0x8f, 0, 0, 2, 0]
        );
    }

    #[test]
    fn firmware_download_goes_out_with_protocol_3() {
        let image = [0x5au8; 8192];
        let download = FirmwareImageDownload::new(4096, &image).unwrap();
        let tunnel = JmicronTunnel::new(&download).unwrap();
        let transfer = tunnel.transfer();
        assert_eq!(transfer.cdb().as_bytes()[..6], [0xa1, 0x83, 0, 0, 0x20, 0]);
        assert_eq!(transfer.data_phase(), DataPhase::Out(&image[..]));
        let entry = CommandBlock::parse(tunnel.send_command().data_phase().out_bytes())
            .unwrap()
            .entry();
        assert_eq!(entry, download.entry());
    }

    #[test]
    fn reply_block_carries_the_status_in_dword_5() {
        let mut bytes = [0u8; BLOCK_LEN];
        bytes[..4].copy_from_slice(b"NVME");
        bytes[8..12].copy_from_slice(&0x1234u32.to_le_bytes());
        // Status 0107h (SCT 1, SC 07h: Invalid Firmware Image) in dword 5 bits 31:17.
        bytes[20..24].copy_from_slice(&(0x0107u32 << 17).to_le_bytes());
        let reply = ReplyBlock::parse(&bytes).unwrap();
        assert_eq!(reply.completion.dw0, 0x1234);
        assert_eq!(reply.completion.status, Status::from_field(0x0107));
        assert_eq!(ReplyBlock::parse(&reply.to_bytes()).unwrap(), reply);
        bytes[0] = 0;
        assert!(ReplyBlock::parse(&bytes).is_err());
    }

    #[test]
    fn io_commands_and_unrepresentable_fields_are_refused() {
        let mut entry = IdentifyController::controller().entry();
        assert!(JmicronTunnel::from_entry(Queue::Io, &entry, DataPhase::In(4096)).is_err());
        entry.cdw2 = 1.into();
        assert!(JmicronTunnel::from_entry(Queue::Admin, &entry, DataPhase::In(4096)).is_err());
    }

    proptest! {
        #[test]
        fn command_blocks_round_trip(bytes in proptest::collection::vec(any::<u8>(), 64)) {
            let mut entry = SubmissionEntry::parse(&bytes).unwrap();
            entry.cdw0 = u32::from(entry.opc()).into();
            entry.cdw2 = 0.into();
            entry.cdw3 = 0.into();
            entry.mptr = 0.into();
            entry.prp1 = 0.into();
            entry.prp2 = 0.into();
            let tunnel = JmicronTunnel::from_entry(Queue::Admin, &entry, DataPhase::None).unwrap();
            let send = tunnel.send_command();
            let block = CommandBlock::parse(send.data_phase().out_bytes()).unwrap();
            prop_assert_eq!(block.entry(), entry);
        }

        #[test]
        fn any_bytes_decode_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = CommandBlock::parse(&bytes);
            let _ = ReplyBlock::parse(&bytes);
            if let Ok(cdb) = TunnelCdb::parse_cdb(bytes.get(..12).unwrap_or_default()) {
                prop_assert_eq!(TunnelCdb::parse_cdb(cdb.to_cdb().as_bytes()).unwrap(), cdb);
            }
        }
    }
}

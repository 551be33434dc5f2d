//! The DEXT transport against a fake DEXT: the reference DEXT's `ExternalMethod` played in
//! Rust over an emulated SBC disk (`sim:`), with hostile answers forged on demand. Answers
//! are checked against SPC-5/SBC-4 with the `cdb` crate's builders and decoders; the
//! answer checks against the ABI's rules, each with its typed error.

use super::abi::{
    AbiVersionReply, DataDirection, DeliveryFailure, DextRequest, DextResponse, Selector,
    ServiceResponse, ABI_VERSION, MAX_SENSE_LEN, MAX_TRANSFER, REQUEST_LEN, REQUEST_MAGIC,
    RESPONSE_LEN, RESPONSE_MAGIC, VERSION_MAGIC,
};
use super::error::DextError;
use super::ioreturn::IoReturn;
use super::marshal::{decode_response, decode_version, Command, Completion};
use super::transport::{transport_error, DextTransport, UserClient};
use crate::execute::{execute, ExecuteError};
use crate::scsi::{DataBuffer, ScsiRequest, ScsiTransport, TransportError};
use cdb::command::ScsiCommand;
use cdb::scsi::sbc::read_capacity::ReadCapacity10;
use cdb::scsi::sbc::read_write::{Read10, RwOptions, Write10};
use cdb::scsi::spc::inquiry::{Inquiry, InquiryData};
use cdb::scsi::spc::test_unit_ready::TestUnitReady;
use cdb::scsi::status::Status;
use cdb::sense::key::ILLEGAL_REQUEST;
use emulator::sim::SimDevice;
use emulator::target::ScsiTarget;
use emulator::uri::SimSpec;
use proptest::prelude::*;
use std::time::Duration;
use zerocopy::{FromBytes, FromZeros, IntoBytes};

const TIMEOUT: Duration = Duration::from_secs(5);
const BLOCK: u32 = 512;

/// What the fake DEXT does to its answer before returning it: the output bytes and the
/// byte count it reports.
type Tamper = Box<dyn FnMut(&mut [u8], &mut usize)>;

/// A check of a transport error's kind.
type Check = dyn Fn(&TransportError) -> bool;

/// A fake DEXT: checks the request as the reference DEXT does, executes it on an emulated
/// SBC disk and answers in the ABI's layout.
struct FakeDext {
    target: Box<dyn ScsiTarget>,
    version: u16,
    /// The IOReturn every call fails with, when set.
    fail: Option<IoReturn>,
    /// A SERVICE DELIVERY OR TARGET FAILURE to answer instead of executing.
    failure: Option<DeliveryFailure>,
    tamper: Option<Tamper>,
    /// Every call: its selector and structure input.
    calls: Vec<(Selector, Vec<u8>)>,
}

fn disk() -> Box<dyn ScsiTarget> {
    let Ok(SimDevice::Scsi(target)) = SimSpec::parse("sim:?size=1M&vendor=ACME")
        .expect("sim: URI")
        .build()
    else {
        panic!("an SBC disk");
    };
    Box::new(target)
}

impl FakeDext {
    fn new() -> Self {
        FakeDext {
            target: disk(),
            version: ABI_VERSION,
            fail: None,
            failure: None,
            tamper: None,
            calls: Vec::new(),
        }
    }

    fn version_reply(&self, output: &mut [u8]) -> Result<usize, IoReturn> {
        let reply = AbiVersionReply {
            magic: VERSION_MAGIC.into(),
            abi_version: self.version.into(),
            _reserved: [0; 2],
            max_transfer: MAX_TRANSFER.into(),
            _reserved2: [0; 4],
        };
        reply
            .write_to_prefix(output)
            .map_err(|_| IoReturn::common(0x2db))?;
        Ok(reply.as_bytes().len())
    }

    /// The reference DEXT's execute-CDB method: every field of the request checked.
    fn execute_cdb(&mut self, input: &[u8], output: &mut [u8]) -> Result<usize, IoReturn> {
        let bad = IoReturn::common(0x2c2);
        let (req, data_out) = DextRequest::ref_from_prefix(input).map_err(|_| bad)?;
        let len = req.transfer_length.get() as usize;
        let direction = DataDirection::from_byte(req.direction).ok_or(bad)?;
        let cdb = req.cdb.get(..usize::from(req.cdb_len)).ok_or(bad)?;
        let out_len = if direction == DataDirection::Out {
            len
        } else {
            0
        };
        if req.magic.get() != REQUEST_MAGIC
            || req.abi_version.get() != self.version
            || cdb.is_empty()
            || data_out.len() != out_len
            || len > MAX_TRANSFER as usize
            || (direction == DataDirection::None && len != 0)
        {
            return Err(bad);
        }
        let mut header = DextResponse::new_zeroed();
        header.magic = RESPONSE_MAGIC.into();
        header.abi_version = self.version.into();
        let mut data_in = vec![
            0u8;
            if direction == DataDirection::In {
                len
            } else {
                0
            }
        ];
        if let Some(failure) = self.failure {
            header.service_response = ServiceResponse::DeliveryOrTargetFailure as u8;
            header.delivery_failure = failure as u8;
            header.residual = (len as u32).into();
            data_in.clear();
        } else {
            let done = self
                .target
                .execute(u16::from(req.lun), cdb, data_out, &mut data_in);
            let moved = if direction == DataDirection::Out {
                len
            } else {
                done.data_in_len
            };
            data_in.truncate(done.data_in_len);
            let sense = &done.sense[..done.sense.len().min(MAX_SENSE_LEN)];
            header.status = done.status.code();
            header.residual = ((len - moved) as u32).into();
            header.data_length = (data_in.len() as u32).into();
            header.sense_length = (sense.len() as u16).into();
            header.sense[..sense.len()].copy_from_slice(sense);
        }
        let total = RESPONSE_LEN + data_in.len();
        let answer = output.get_mut(..total).ok_or(IoReturn::common(0x2db))?;
        answer[..RESPONSE_LEN].copy_from_slice(header.as_bytes());
        answer[RESPONSE_LEN..].copy_from_slice(&data_in);
        Ok(total)
    }
}

impl UserClient for FakeDext {
    fn call_struct_method(
        &mut self,
        selector: Selector,
        input: &[u8],
        output: &mut [u8],
    ) -> Result<usize, IoReturn> {
        self.calls.push((selector, input.to_vec()));
        if let Some(code) = self.fail {
            return Err(code);
        }
        let mut len = match selector {
            Selector::GetAbiVersion => self.version_reply(output)?,
            Selector::ExecuteCdb => self.execute_cdb(input, output)?,
        };
        if let Some(tamper) = self.tamper.as_mut() {
            tamper(output, &mut len);
        }
        Ok(len)
    }

    fn describe(&self) -> String {
        "fake DEXT".to_string()
    }
}

/// A transport on a fresh fake DEXT, past the power-on UNIT ATTENTION, its calls cleared.
fn ready() -> DextTransport<FakeDext> {
    let mut t = DextTransport::open(FakeDext::new(), 0).expect("the DEXT opens");
    execute(&mut t, &TestUnitReady, TIMEOUT).expect("TEST UNIT READY");
    t.client_mut().calls.clear();
    t
}

fn raw(
    t: &mut DextTransport<FakeDext>,
    cdb: &[u8],
    data: DataBuffer<'_>,
) -> Result<crate::scsi::ScsiReply, TransportError> {
    t.execute(ScsiRequest {
        cdb,
        data,
        timeout: TIMEOUT,
    })
}

/// The one execute-CDB request the fake DEXT received.
fn sent(t: &mut DextTransport<FakeDext>) -> (DextRequest, Vec<u8>) {
    let calls = &t.client_mut().calls;
    assert_eq!(calls.len(), 1, "{calls:?}");
    let (selector, input) = &calls[0];
    assert_eq!(*selector, Selector::ExecuteCdb);
    let (req, rest) = DextRequest::read_from_prefix(input).expect("a request header");
    (req, rest.to_vec())
}

#[test]
fn opening_asks_the_abi_version_and_takes_the_dext_limit() {
    let t = DextTransport::open(FakeDext::new(), 0).expect("opens");
    assert_eq!(t.max_transfer(), Some(u64::from(MAX_TRANSFER)));
    let mut t = t;
    assert_eq!(
        t.client_mut().calls,
        [(Selector::GetAbiVersion, Vec::new())]
    );
    assert!(t.describe().contains("fake DEXT"));
}

#[test]
fn another_abi_version_is_refused_naming_both() {
    let mut dext = FakeDext::new();
    dext.version = ABI_VERSION + 1;
    let Err(TransportError::Refused(message)) = DextTransport::open(dext, 0) else {
        panic!("a version mismatch is a refusal");
    };
    assert!(
        message.contains(&format!("version {}", ABI_VERSION + 1)),
        "{message}"
    );
    assert!(
        message.contains(&format!("version {ABI_VERSION}")),
        "{message}"
    );
}

#[test]
fn inquiry_round_trips_as_data_in() {
    let mut t = ready();
    let done = execute(&mut t, &Inquiry::standard(), TIMEOUT).expect("INQUIRY");
    let InquiryData::Standard(data) = done.response else {
        panic!("standard INQUIRY data expected");
    };
    // SPC-5 6.7.2: the T10 vendor identification the sim: URI set.
    assert_eq!(data.t10_vendor_identification.trim_end(), "ACME");
    let (req, data_out) = sent(&mut t);
    let cdb = Inquiry::standard().cdb();
    let cdb = cdb.as_bytes();
    assert_eq!(req.magic.get(), REQUEST_MAGIC);
    assert_eq!(req.abi_version.get(), ABI_VERSION);
    assert_eq!(&req.cdb[..cdb.len()], cdb);
    assert_eq!(usize::from(req.cdb_len), cdb.len());
    assert_eq!(req.direction, DataDirection::In as u8);
    let allocation = u16::from_be_bytes([cdb[3], cdb[4]]);
    assert_eq!(req.transfer_length.get(), u32::from(allocation));
    assert_eq!(req.timeout_ms.get(), 5000);
    assert!(data_out.is_empty());
    assert_eq!(done.reply.transferred, done.data_in.len());
}

#[test]
fn write_then_read_round_trips_data_out_and_data_in() {
    let mut t = ready();
    let data: Vec<u8> = (0..2 * BLOCK as usize).map(|i| (i % 251) as u8).collect();
    let write = Write10::new(7, &data, BLOCK, RwOptions::default()).expect("WRITE (10)");
    let written = execute(&mut t, &write, TIMEOUT).expect("written");
    assert_eq!(written.reply.transferred, data.len());
    let (req, data_out) = sent(&mut t);
    assert_eq!(req.direction, DataDirection::Out as u8);
    assert_eq!(req.transfer_length.get() as usize, data.len());
    assert_eq!(data_out, data);
    t.client_mut().calls.clear();
    let read = Read10::new(7, 2, BLOCK, RwOptions::default()).expect("READ (10)");
    let back = execute(&mut t, &read, TIMEOUT).expect("read");
    assert_eq!(back.data_in, data);
}

#[test]
fn a_no_data_command_sends_no_data_and_a_zero_length() {
    let mut t = ready();
    let reply = raw(&mut t, TestUnitReady.cdb().as_bytes(), DataBuffer::None).expect("a status");
    assert_eq!((reply.status, reply.transferred), (Status::Good, 0));
    let (req, data_out) = sent(&mut t);
    assert_eq!(
        (req.direction, req.transfer_length.get(), data_out.len()),
        (DataDirection::None as u8, 0, 0)
    );
}

#[test]
fn check_condition_brings_its_sense() {
    let mut t = ready();
    let capacity = execute(&mut t, &ReadCapacity10, TIMEOUT).expect("READ CAPACITY (10)");
    let past_end = u64::from(capacity.response.returned_logical_block_address) + 1;
    let read = Read10::new(past_end, 1, BLOCK, RwOptions::default()).expect("READ (10)");
    let mut buf = vec![0u8; BLOCK as usize];
    let reply = raw(&mut t, read.cdb().as_bytes(), DataBuffer::In(&mut buf)).expect("a status");
    assert_eq!(
        (reply.status, reply.transferred),
        (Status::CheckCondition, 0)
    );
    // SBC-4 5.15: LOGICAL BLOCK ADDRESS OUT OF RANGE, ILLEGAL REQUEST.
    let sense = cdb::sense::decode(&reply.sense).expect("sense data");
    assert_eq!(sense.sense_key_code(), Some(ILLEGAL_REQUEST));
    assert_eq!(sense.asc_ascq(), Some((0x21, 0x00)));
    let Err(ExecuteError::Device { status, .. }) = execute(&mut t, &read, TIMEOUT) else {
        panic!("a device error");
    };
    assert_eq!(status, Status::CheckCondition);
}

#[test]
fn delivery_failures_map_to_transport_errors() {
    for (failure, check) in [
        (
            DeliveryFailure::Timeout,
            (|e: &TransportError| matches!(e, TransportError::Timeout(t) if *t == TIMEOUT))
                as fn(&TransportError) -> bool,
        ),
        (DeliveryFailure::DeviceGone, |e| {
            matches!(e, TransportError::Gone(_))
        }),
        (
            DeliveryFailure::Delivery,
            |e| matches!(e, TransportError::Failed(m) if m.contains("SERVICE DELIVERY")),
        ),
    ] {
        let mut t = ready();
        t.client_mut().failure = Some(failure);
        let error =
            raw(&mut t, TestUnitReady.cdb().as_bytes(), DataBuffer::None).expect_err("no status");
        assert!(check(&error), "{failure:?}: {error:?}");
    }
}

#[test]
fn requests_the_abi_cannot_carry_are_refused_before_sending() {
    let mut t = ready();
    let mut buf = vec![0u8; MAX_TRANSFER as usize + 1];
    for (cdb, data) in [
        (&[0u8; 17][..], DataBuffer::None),
        (&[][..], DataBuffer::None),
        (&[0x28u8; 10][..], DataBuffer::In(&mut buf)),
    ] {
        let error = raw(&mut t, cdb, data).expect_err("refused");
        assert!(matches!(error, TransportError::Refused(_)), "{error:?}");
    }
    assert!(t.client_mut().calls.is_empty(), "nothing was sent");
}

#[test]
fn the_timeout_is_rounded_up_to_whole_milliseconds() {
    for (timeout, ms) in [
        (Duration::ZERO, 1),
        (Duration::from_micros(1500), 2),
        (Duration::from_secs(30), 30_000),
        (Duration::from_secs(u64::MAX / 4), u32::MAX),
    ] {
        let command = Command::new(&[0], &[], 0, timeout, 0, MAX_TRANSFER).expect("a command");
        assert_eq!(command.timeout_ms(), ms, "{timeout:?}");
    }
}

/// The answer of the fake DEXT to a standard INQUIRY, with `tamper` applied, checked.
fn inquiry_answer(tamper: impl FnMut(&mut [u8], &mut usize) + 'static) -> Result<(), DextError> {
    let cdb = Inquiry::standard().cdb();
    let command = Command::new(cdb.as_bytes(), &[], 96, TIMEOUT, 0, MAX_TRANSFER)?;
    let mut dext = FakeDext::new();
    dext.tamper = Some(Box::new(tamper));
    let mut output = vec![0u8; command.output_len()];
    let len = dext
        .call_struct_method(Selector::ExecuteCdb, &command.encode(), &mut output)
        .expect("the fake DEXT answers");
    decode_response(&output[..len], &command).map(|_| ())
}

/// Sets the response header field at `offset` to the little-endian `bytes`.
fn set(offset: usize, bytes: &'static [u8]) -> impl FnMut(&mut [u8], &mut usize) {
    move |out, _| out[offset..offset + bytes.len()].copy_from_slice(bytes)
}

#[test]
fn hostile_answers_are_typed_errors() {
    // The untampered answer is accepted, so each case below fails for its own reason.
    inquiry_answer(|_, _| {}).expect("the fake DEXT's own answer is valid");
    let cases: Vec<(Tamper, DextError)> = vec![
        (
            Box::new(set(0, b"XXXX")),
            DextError::BadMagic {
                found: u32::from_le_bytes(*b"XXXX"),
                expected: RESPONSE_MAGIC,
            },
        ),
        (
            Box::new(set(4, &[9, 0])),
            DextError::VersionMismatch { dext: 9, host: 1 },
        ),
        (
            Box::new(|_, len: &mut usize| *len = 100),
            DextError::Truncated {
                len: 100,
                need: RESPONSE_LEN,
            },
        ),
        (Box::new(set(6, &[7])), DextError::ServiceResponse(7)),
        (
            Box::new(set(18, &[9])),
            DextError::DeliveryFailure {
                service_response: 0,
                failure: 9,
            },
        ),
        (
            Box::new(set(18, &[1])),
            DextError::DeliveryFailure {
                service_response: 0,
                failure: 1,
            },
        ),
        (
            Box::new(set(6, &[1])),
            DextError::DeliveryFailure {
                service_response: 1,
                failure: 0,
            },
        ),
        (Box::new(set(7, &[0x01])), DextError::Status(0x01)),
        (
            Box::new(set(8, &[97, 0, 0, 0])),
            DextError::Residual {
                residual: 97,
                requested: 96,
            },
        ),
        (Box::new(set(16, &[253, 0])), DextError::SenseLength(253)),
        (Box::new(set(16, &[0x2c, 1])), DextError::SenseLength(300)),
        (
            Box::new(set(12, &[0xff, 0xff, 0xff, 0x7f])),
            DextError::DataLength {
                data_length: 0x7fff_ffff,
                expected: 96 - residual_of_inquiry(),
            },
        ),
        (
            Box::new(|_, len: &mut usize| *len = RESPONSE_LEN + 10),
            DextError::Truncated {
                len: RESPONSE_LEN + 10,
                need: RESPONSE_LEN + (96 - residual_of_inquiry()) as usize,
            },
        ),
    ];
    for (tamper, expected) in cases {
        assert_eq!(inquiry_answer(tamper), Err(expected.clone()), "{expected}");
    }
}

/// The residual of the emulated disk's standard INQUIRY into 96 bytes.
fn residual_of_inquiry() -> u32 {
    let mut dext = FakeDext::new();
    let cdb = Inquiry::standard().cdb();
    let command = Command::new(cdb.as_bytes(), &[], 96, TIMEOUT, 0, MAX_TRANSFER).expect("cmd");
    let mut output = vec![0u8; command.output_len()];
    let len = dext
        .call_struct_method(Selector::ExecuteCdb, &command.encode(), &mut output)
        .expect("answers");
    let Ok(Completion::Complete { transferred, .. }) = decode_response(&output[..len], &command)
    else {
        panic!("a complete answer");
    };
    96 - transferred as u32
}

#[test]
fn a_count_beyond_the_buffer_is_a_failure_not_a_read_past_it() {
    let mut t = ready();
    t.client_mut().tamper = Some(Box::new(|out, len| *len = out.len() + 1));
    let error =
        raw(&mut t, TestUnitReady.cdb().as_bytes(), DataBuffer::None).expect_err("refused answer");
    assert!(
        matches!(&error, TransportError::Failed(m) if m.contains("reported")),
        "{error:?}"
    );
}

#[test]
fn version_replies_are_checked() {
    let mut reply = AbiVersionReply::new_zeroed();
    reply.magic = VERSION_MAGIC.into();
    reply.abi_version = ABI_VERSION.into();
    reply.max_transfer = (MAX_TRANSFER * 4).into();
    assert_eq!(decode_version(reply.as_bytes()), Ok(MAX_TRANSFER));
    reply.max_transfer = 4096.into();
    assert_eq!(decode_version(reply.as_bytes()), Ok(4096));
    assert_eq!(
        decode_version(&reply.as_bytes()[..15]),
        Err(DextError::Truncated { len: 15, need: 16 })
    );
    reply.magic = REQUEST_MAGIC.into();
    assert!(matches!(
        decode_version(reply.as_bytes()),
        Err(DextError::BadMagic { .. })
    ));
}

/// Every code of `IOReturn.h`'s common IOKit sub-system, as the header names it.
const IORETURN_H: [(u32, &str); 52] = [
    (0xE0000001, "kIOReturnInvalid"),
    (0xE00002BC, "kIOReturnError"),
    (0xE00002BD, "kIOReturnNoMemory"),
    (0xE00002BE, "kIOReturnNoResources"),
    (0xE00002BF, "kIOReturnIPCError"),
    (0xE00002C0, "kIOReturnNoDevice"),
    (0xE00002C1, "kIOReturnNotPrivileged"),
    (0xE00002C2, "kIOReturnBadArgument"),
    (0xE00002C3, "kIOReturnLockedRead"),
    (0xE00002C4, "kIOReturnLockedWrite"),
    (0xE00002C5, "kIOReturnExclusiveAccess"),
    (0xE00002C6, "kIOReturnBadMessageID"),
    (0xE00002C7, "kIOReturnUnsupported"),
    (0xE00002C8, "kIOReturnVMError"),
    (0xE00002C9, "kIOReturnInternalError"),
    (0xE00002CA, "kIOReturnIOError"),
    (0xE00002CC, "kIOReturnCannotLock"),
    (0xE00002CD, "kIOReturnNotOpen"),
    (0xE00002CE, "kIOReturnNotReadable"),
    (0xE00002CF, "kIOReturnNotWritable"),
    (0xE00002D0, "kIOReturnNotAligned"),
    (0xE00002D1, "kIOReturnBadMedia"),
    (0xE00002D2, "kIOReturnStillOpen"),
    (0xE00002D3, "kIOReturnRLDError"),
    (0xE00002D4, "kIOReturnDMAError"),
    (0xE00002D5, "kIOReturnBusy"),
    (0xE00002D6, "kIOReturnTimeout"),
    (0xE00002D7, "kIOReturnOffline"),
    (0xE00002D8, "kIOReturnNotReady"),
    (0xE00002D9, "kIOReturnNotAttached"),
    (0xE00002DA, "kIOReturnNoChannels"),
    (0xE00002DB, "kIOReturnNoSpace"),
    (0xE00002DD, "kIOReturnPortExists"),
    (0xE00002DE, "kIOReturnCannotWire"),
    (0xE00002DF, "kIOReturnNoInterrupt"),
    (0xE00002E0, "kIOReturnNoFrames"),
    (0xE00002E1, "kIOReturnMessageTooLarge"),
    (0xE00002E2, "kIOReturnNotPermitted"),
    (0xE00002E3, "kIOReturnNoPower"),
    (0xE00002E4, "kIOReturnNoMedia"),
    (0xE00002E5, "kIOReturnUnformattedMedia"),
    (0xE00002E6, "kIOReturnUnsupportedMode"),
    (0xE00002E7, "kIOReturnUnderrun"),
    (0xE00002E8, "kIOReturnOverrun"),
    (0xE00002E9, "kIOReturnDeviceError"),
    (0xE00002EA, "kIOReturnNoCompletion"),
    (0xE00002EB, "kIOReturnAborted"),
    (0xE00002EC, "kIOReturnNoBandwidth"),
    (0xE00002ED, "kIOReturnNotResponding"),
    (0xE00002EE, "kIOReturnIsoTooOld"),
    (0xE00002EF, "kIOReturnIsoTooNew"),
    (0xE00002F0, "kIOReturnNotFound"),
];

#[test]
fn every_ioreturn_h_code_is_named_and_shown() {
    for (value, name) in IORETURN_H {
        let code = IoReturn(value);
        assert_eq!(code.name(), Some(name), "{value:#x}");
        assert_eq!((code.system(), code.sub()), (0x38, 0), "{name}");
        assert_eq!(IoReturn::common(code.code()), code, "{name}");
        let shown = code.to_string();
        assert!(
            shown.starts_with(&format!("{name} ({value:#010X})")),
            "{shown}"
        );
    }
    assert_eq!(IoReturn(0).name(), Some("kIOReturnSuccess"));
    // The two gaps of IOReturn.h, another sub-system and another system are unnamed.
    for value in [0xE00002CB, 0xE00002DC, 0xE00042E2, 0x100002E2] {
        let code = IoReturn(value);
        assert_eq!((code.name(), code.hint()), (None, None), "{value:#x}");
        assert!(code.to_string().contains("system"), "{code}");
    }
    // mach/error.h's split: err_system 6 bits, err_sub 12 bits, err_code 14 bits.
    let split = IoReturn(0xE00C_72E2);
    assert_eq!(
        (split.system(), split.sub(), split.code()),
        (0x38, 0x31, 0x32E2)
    );
}

#[test]
fn the_common_failures_have_actionable_hints() {
    let hint = |v: u32| IoReturn(v).hint().unwrap_or_default();
    assert!(hint(0xE00002E2).contains("com.apple.developer.driverkit.userclient-access"));
    assert!(hint(0xE00002E2).contains("com.apple.developer.driverkit.allow-any-userclient-access"));
    assert!(hint(0xE00002C7).contains("IOSCSIPeripheralDeviceType00"));
    assert!(hint(0xE00002C7).contains("IOUserService"));
    for value in [
        0xE00002BC, 0xE00002C0, 0xE00002C5, 0xE00002D6, 0xE00002D8, 0xE00002BD, 0xE00002C2,
        0xE00002D9,
    ] {
        assert!(!hint(value).is_empty(), "{value:#x}");
    }
}

#[test]
fn ioreturn_failures_map_to_transport_errors() {
    let refused = |e: &TransportError| matches!(e, TransportError::Refused(_));
    let gone = |e: &TransportError| matches!(e, TransportError::Gone(_));
    let failed = |e: &TransportError| matches!(e, TransportError::Failed(_));
    let timeout = |e: &TransportError| matches!(e, TransportError::Timeout(t) if *t == TIMEOUT);
    let cases: [(u32, &Check); 10] = [
        (0xE00002E2, &refused),
        (0xE00002C7, &refused),
        (0xE00002C5, &refused),
        (0xE00002C1, &refused),
        (0xE00002C0, &gone),
        (0xE00002D9, &gone),
        (0xE00002D6, &timeout),
        (0xE00002BC, &failed),
        (0xE00002BD, &failed),
        (0x12345678, &failed),
    ];
    for (value, check) in cases {
        let mut t = ready();
        t.client_mut().fail = Some(IoReturn(value));
        let error = raw(&mut t, TestUnitReady.cdb().as_bytes(), DataBuffer::None)
            .expect_err("the call fails");
        assert!(check(&error), "{value:#x}: {error:?}");
        // A timeout carries its duration; every other error names the code and its fix.
        if let (false, Some(hint)) = (timeout(&error), IoReturn(value).hint()) {
            assert!(error.to_string().contains(hint), "{error}");
        }
    }
    // Opening: a refusal from IOKit before any command has no timeout to report.
    let error = transport_error(IoReturn(0xE00002D6), None, "disk5");
    assert!(matches!(error, TransportError::Failed(_)), "{error:?}");
}

#[test]
fn the_request_layout_is_the_documented_one() {
    let command =
        Command::new(&[0x12, 0, 0, 0, 96, 0], &[], 96, TIMEOUT, 3, MAX_TRANSFER).expect("INQUIRY");
    let bytes = command.encode();
    assert_eq!(bytes.len(), REQUEST_LEN);
    assert_eq!(&bytes[0..4], b"SCTQ");
    assert_eq!(&bytes[4..6], &ABI_VERSION.to_le_bytes());
    assert_eq!((bytes[6], bytes[7]), (6, DataDirection::In as u8));
    assert_eq!(
        &bytes[8..24],
        &[0x12, 0, 0, 0, 96, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    );
    assert_eq!(&bytes[24..28], &96u32.to_le_bytes());
    assert_eq!(&bytes[28..32], &5000u32.to_le_bytes());
    assert_eq!(bytes[32], 3);
    assert!(bytes[33..40].iter().all(|&b| b == 0));
    assert_eq!(command.output_len(), RESPONSE_LEN + 96);
}

proptest! {
    /// Arbitrary structure output never panics the checks, and an accepted answer never
    /// reports more than was requested.
    #[test]
    fn arbitrary_answers_never_panic(
        mut bytes in proptest::collection::vec(any::<u8>(), 0..RESPONSE_LEN + 200),
        valid_prefix in any::<bool>(),
        data_in_len in 0usize..128,
    ) {
        if valid_prefix && bytes.len() >= 6 {
            bytes[..4].copy_from_slice(&RESPONSE_MAGIC.to_le_bytes());
            bytes[4..6].copy_from_slice(&ABI_VERSION.to_le_bytes());
        }
        let command = Command::new(&[0x12, 0, 0, 0, 0, 0], &[], data_in_len, TIMEOUT, 0, MAX_TRANSFER)
            .expect("a command");
        if let Ok(Completion::Complete { transferred, data_in, sense, .. }) = decode_response(&bytes, &command) {
            prop_assert!(transferred <= data_in_len);
            prop_assert!(data_in.len() <= data_in_len);
            prop_assert!(sense.len() <= MAX_SENSE_LEN);
        }
    }

    /// A fake DEXT answering arbitrary bytes of arbitrary length never panics the
    /// transport, and a reply never claims more than the buffer.
    #[test]
    fn arbitrary_dext_answers_never_panic_the_transport(
        answer in proptest::collection::vec(any::<u8>(), 0..RESPONSE_LEN + 128),
        count in 0usize..RESPONSE_LEN + 256,
        valid_prefix in any::<bool>(),
    ) {
        let mut t = ready();
        t.client_mut().tamper = Some(Box::new(move |out, len| {
            let n = answer.len().min(out.len());
            out[..n].copy_from_slice(&answer[..n]);
            if valid_prefix && n >= 6 {
                out[..4].copy_from_slice(&RESPONSE_MAGIC.to_le_bytes());
                out[4..6].copy_from_slice(&ABI_VERSION.to_le_bytes());
            }
            *len = count;
        }));
        let mut buf = [0u8; 96];
        if let Ok(reply) = raw(&mut t, Inquiry::standard().cdb().as_bytes(), DataBuffer::In(&mut buf)) {
            prop_assert!(reply.transferred <= 96);
            prop_assert!(reply.sense.len() <= MAX_SENSE_LEN);
        }
    }
}

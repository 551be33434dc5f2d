//! Names any CDB and lists its fields (`scsitool cdb decode`): the operation code and
//! service action names of [`super::opcode`], the length the group code implies
//! (SPC-5 4.2.5.1), and for every typed command its [`CdbLayout`] fields and the data
//! phase the CDB implies.
//!
//! Typed layouts are found through [`LAYOUTS`], one line per command built with
//! [`layout`] (fields only) or [`command`] (fields and data phase, for layouts that are
//! themselves a [`ScsiCommand`]).

use super::opcode::{self, CdbLength};
use super::sat::ata_pass_through::{
    Ata12, Ata16, AtaCdbSize, AtaPassThroughCdb, AtaTransferLength,
};
use super::sbc::lba_cdb::{CdbSize, Sixteen, Ten};
use super::sbc::read_capacity::{ReadCapacity10, ReadCapacity16};
use super::sbc::read_write::{ReadOp, RwCdb, RwKind, WriteOp};
use super::sbc::start_stop_unit::StartStopUnit;
use super::sbc::synchronize_cache::SynchronizeCache;
use super::spc::buffer::{ReadBuffer, WriteBufferCdb};
use super::spc::inquiry::Inquiry;
use super::spc::log_sense::LogSense;
use super::spc::mode::{ModeForm, ModeSelectCdb, ModeSense, Six as Mode6, Ten as Mode10};
use super::spc::report_luns::ReportLuns;
use super::spc::report_opcodes::ReportSupportedOperationCodes;
use super::spc::request_sense::RequestSense;
use super::spc::test_unit_ready::TestUnitReady;
use crate::command::{CdbField, CdbLayout, Direction, ScsiCommand};
use crate::error::DecodeError;
use serde::Serialize;

/// The longest CDB decoded: a variable-length CDB of 8 + 252 bytes (SPC-5 4.2.4).
pub const MAX_DECODE_LEN: usize = 260;

/// The data phase a CDB implies, as far as the CDB alone tells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct ImpliedData {
    /// Direction of the transfer.
    pub direction: Direction,
    /// Length in bytes, when the CDB states it in bytes.
    pub bytes: Option<u32>,
    /// Length in logical blocks, when the CDB counts blocks whose size it does not state.
    pub blocks: Option<u32>,
}

/// A decoded CDB: its name, its fields where a typed layout exists, and what is wrong
/// with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct DecodedCdb {
    /// The command's name (the service action's where it has one), or "vendor specific"
    /// (groups 6 and 7) or "unknown".
    pub name: &'static str,
    /// OPERATION CODE.
    pub opcode: u8,
    /// The operation code's own name, e.g. "SERVICE ACTION IN (16)".
    pub opcode_name: Option<&'static str>,
    /// SERVICE ACTION, for operation codes that have one.
    pub service_action: Option<u16>,
    /// CDB length in bytes.
    pub length: usize,
    /// The length the operation code implies, where it fixes one.
    pub expected_length: Option<usize>,
    /// Fields from the command's typed layout (empty when none exists or it failed).
    pub fields: Vec<CdbField>,
    /// The CDB bytes.
    pub bytes: Vec<u8>,
    /// The data phase the CDB implies, where a typed layout tells.
    pub data: Option<ImpliedData>,
    /// What is wrong with the CDB: wrong length, unknown service action, invalid fields.
    pub problems: Vec<String>,
}

/// Decodes a CDB's fields through a typed layout.
pub type FieldsFn = fn(&[u8]) -> Result<Vec<CdbField>, DecodeError>;
/// Derives the data phase from a CDB through a typed layout.
pub type DataFn = fn(&[u8]) -> Option<ImpliedData>;

/// One line of [`LAYOUTS`]: the operation code (and service action) a typed layout
/// decodes.
#[derive(Debug, Clone, Copy)]
pub struct LayoutEntry {
    /// OPERATION CODE.
    pub opcode: u8,
    /// SERVICE ACTION, or `None` for any.
    pub service_action: Option<u16>,
    /// Field decoder.
    pub fields: FieldsFn,
    /// Data phase, where the layout knows it.
    pub data: Option<DataFn>,
}

impl LayoutEntry {
    /// Replaces the data-phase function.
    pub const fn with_data(self, data: DataFn) -> Self {
        LayoutEntry {
            data: Some(data),
            ..self
        }
    }
}

impl ImpliedData {
    /// The phase a CDB's length fields describe; a length of 0 (bytes or blocks) means no
    /// data phase, as [`crate::command::DataPhase::input`] and
    /// [`crate::command::DataPhase::output`] build it.
    fn new(direction: Direction, bytes: Option<u32>, blocks: Option<u32>) -> Self {
        let empty = bytes == Some(0) || blocks == Some(0);
        ImpliedData {
            direction: if empty { Direction::None } else { direction },
            bytes,
            blocks,
        }
    }
}

fn fields_of<T: CdbLayout>(cdb: &[u8]) -> Result<Vec<CdbField>, DecodeError> {
    T::parse_cdb(cdb).map(|x| x.fields())
}

fn data_of<T: CdbLayout + ScsiCommand>(cdb: &[u8]) -> Option<ImpliedData> {
    let x = T::parse_cdb(cdb).ok()?;
    let phase = x.data_phase();
    Some(ImpliedData::new(phase.direction(), Some(phase.len()), None))
}

/// A table line for a typed layout `T`: fields only.
pub const fn layout<T: CdbLayout>(opcode: u8, service_action: Option<u16>) -> LayoutEntry {
    LayoutEntry {
        opcode,
        service_action,
        fields: fields_of::<T>,
        data: None,
    }
}

/// A table line for a layout that is itself a command: fields and the data phase from
/// [`ScsiCommand::data_phase`].
pub const fn command<T: CdbLayout + ScsiCommand>(
    opcode: u8,
    service_action: Option<u16>,
) -> LayoutEntry {
    LayoutEntry {
        opcode,
        service_action,
        fields: fields_of::<T>,
        data: Some(data_of::<T>),
    }
}

/// READ/WRITE: TRANSFER LENGTH counts blocks whose size the CDB does not state.
fn rw_data<S: CdbSize, D: RwKind>(cdb: &[u8]) -> Option<ImpliedData> {
    let x = RwCdb::<S, D>::parse_cdb(cdb).ok()?;
    let direction = if D::WRITE {
        Direction::ToDevice
    } else {
        Direction::FromDevice
    };
    Some(ImpliedData::new(direction, None, Some(x.transfer_length())))
}

/// ATA PASS-THROUGH: bytes, or 512-byte blocks, or logical-sector blocks (T_TYPE=1),
/// or neither (T_LENGTH 11b: the transport decides).
fn ata_data<S: AtaCdbSize>(cdb: &[u8]) -> Option<ImpliedData> {
    let r = *AtaPassThroughCdb::<S>::parse_cdb(cdb).ok()?.registers();
    let t = r.transfer(512).ok()?;
    let (bytes, blocks) = match t.length {
        AtaTransferLength::Bytes(n) if r.byt_blok && r.t_type => (None, Some(n / 512)),
        AtaTransferLength::Bytes(n) => (Some(n), None),
        AtaTransferLength::Tpsiu => (None, None),
    };
    Some(ImpliedData::new(t.direction, bytes, blocks))
}

/// A data-out phase of `bytes` bytes (a PARAMETER LIST LENGTH).
fn data_out(bytes: u32) -> ImpliedData {
    ImpliedData::new(Direction::ToDevice, Some(bytes), None)
}

/// MODE SELECT sends its PARAMETER LIST LENGTH bytes.
fn mode_select_data<F: ModeForm>(cdb: &[u8]) -> Option<ImpliedData> {
    let parsed = ModeSelectCdb::<F>::parse_cdb(cdb).ok()?;
    Some(data_out(parsed.parameter_list_length().into()))
}

/// WRITE BUFFER sends its PARAMETER LIST LENGTH bytes.
fn write_buffer_data(cdb: &[u8]) -> Option<ImpliedData> {
    let parsed = WriteBufferCdb::parse_cdb(cdb).ok()?;
    Some(data_out(parsed.parameter_list_length()))
}

/// Every typed CDB layout, by operation code and service action.
pub static LAYOUTS: &[LayoutEntry] = &[
    command::<TestUnitReady>(0x00, None),
    command::<RequestSense>(0x03, None),
    command::<Inquiry>(0x12, None),
    layout::<ModeSelectCdb<Mode6>>(0x15, None).with_data(mode_select_data::<Mode6>),
    command::<ModeSense<Mode6>>(0x1a, None),
    command::<StartStopUnit>(0x1b, None),
    command::<ReadCapacity10>(0x25, None),
    layout::<RwCdb<Ten, ReadOp>>(0x28, None).with_data(rw_data::<Ten, ReadOp>),
    layout::<RwCdb<Ten, WriteOp>>(0x2a, None).with_data(rw_data::<Ten, WriteOp>),
    command::<SynchronizeCache<Ten>>(0x35, None),
    layout::<WriteBufferCdb>(0x3b, None).with_data(write_buffer_data),
    command::<ReadBuffer>(0x3c, None),
    command::<LogSense>(0x4d, None),
    layout::<ModeSelectCdb<Mode10>>(0x55, None).with_data(mode_select_data::<Mode10>),
    command::<ModeSense<Mode10>>(0x5a, None),
    layout::<AtaPassThroughCdb<Ata16>>(0x85, None).with_data(ata_data::<Ata16>),
    layout::<RwCdb<Sixteen, ReadOp>>(0x88, None).with_data(rw_data::<Sixteen, ReadOp>),
    layout::<RwCdb<Sixteen, WriteOp>>(0x8a, None).with_data(rw_data::<Sixteen, WriteOp>),
    command::<SynchronizeCache<Sixteen>>(0x91, None),
    command::<ReadCapacity16>(0x9e, Some(0x10)),
    command::<ReportLuns>(0xa0, None),
    layout::<AtaPassThroughCdb<Ata12>>(0xa1, None).with_data(ata_data::<Ata12>),
    command::<ReportSupportedOperationCodes>(0xa3, Some(0x0c)),
];

/// The typed layout for `opcode` and `service_action`, if any.
fn find_layout(opcode: u8, service_action: Option<u16>) -> Option<&'static LayoutEntry> {
    LAYOUTS.iter().find(|e| {
        e.opcode == opcode && (e.service_action.is_none() || e.service_action == service_action)
    })
}

/// Names and decodes `cdb`. Fails only for an empty CDB or one longer than
/// [`MAX_DECODE_LEN`]; everything else wrong with it is listed in `problems`.
pub fn decode(cdb: &[u8]) -> Result<DecodedCdb, DecodeError> {
    let &op = cdb.first().ok_or(DecodeError::Truncated {
        what: "CDB",
        need: 1,
        have: 0,
    })?;
    if cdb.len() > MAX_DECODE_LEN {
        return Err(DecodeError::Malformed {
            what: "CDB",
            reason: "longer than the 260 bytes of the longest variable-length CDB",
        });
    }
    let len = cdb.len();
    let mut problems = Vec::new();
    let service_action = opcode::service_action(cdb);
    let expected_length = opcode::expected_len(cdb);

    if len < 6 {
        problems.push(format!("{len}-byte CDB: no CDB is shorter than 6 bytes"));
    }
    match (expected_length, opcode::cdb_length(op)) {
        (Some(n), _) if n != len => problems.push(format!(
            "{len}-byte CDB: operation code {op:02X}h implies {n} bytes"
        )),
        (None, CdbLength::Variable) => problems.push(format!(
            "{len}-byte CDB: too short for a variable-length CDB's ADDITIONAL CDB LENGTH"
        )),
        (None, CdbLength::Reserved) => {
            problems.push(format!("operation code {op:02X}h is in reserved group 3"))
        }
        _ => {}
    }
    if opcode::has_service_action(op) {
        match service_action {
            None => problems.push("CDB too short to hold its SERVICE ACTION".to_string()),
            Some(sa) if opcode::lookup(op, Some(sa)).is_none() => {
                problems.push(format!("service action {sa:02X}h is not known"))
            }
            Some(_) => {}
        }
    }

    let entry = find_layout(op, service_action);
    let fields = match entry.map(|e| (e.fields)(cdb)) {
        Some(Ok(fields)) => fields,
        Some(Err(e)) => {
            problems.push(e.to_string());
            Vec::new()
        }
        None => Vec::new(),
    };
    let data = entry.and_then(|e| e.data).and_then(|f| f(cdb));

    let opcode_name = opcode::opcode_name(op);
    let name = opcode::cdb_name(cdb).unwrap_or(match opcode::cdb_length(op) {
        CdbLength::VendorSpecific => "vendor specific",
        _ => "unknown",
    });
    Ok(DecodedCdb {
        name,
        opcode: op,
        opcode_name,
        service_action,
        length: len,
        expected_length,
        fields,
        bytes: cdb.to_vec(),
        data,
        problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scsi::sat::identify::IdentifyDevice;
    use crate::scsi::sbc::read_write::{Read10Cdb, RwOptions, Write16Cdb};

    fn field(d: &DecodedCdb, name: &str) -> Option<u64> {
        d.fields.iter().find(|f| f.name == name).map(|f| f.value)
    }

    /// Each SPC command built by its typed builder is named, and its data phase derived
    /// from the CDB matches the builder's own.
    #[test]
    fn spc_commands_decode_with_their_data_phase() {
        use crate::scsi::spc::mode::{ModeSelect10, ModeSense10, PageControl};
        let page = [0u8; 28];
        let cases: Vec<(crate::command::Cdb, Direction, u32, &str)> = vec![
            {
                let c = Inquiry::standard();
                (
                    c.cdb(),
                    c.data_phase().direction(),
                    c.data_phase().len(),
                    "INQUIRY",
                )
            },
            {
                let c = RequestSense::default();
                (
                    c.cdb(),
                    c.data_phase().direction(),
                    c.data_phase().len(),
                    "REQUEST SENSE",
                )
            },
            {
                let c = ReportLuns::new(0, 4096).unwrap();
                (
                    c.cdb(),
                    c.data_phase().direction(),
                    c.data_phase().len(),
                    "REPORT LUNS",
                )
            },
            {
                let c = ModeSense10::new(PageControl::Current, 0x08, 0, 512).unwrap();
                (
                    c.cdb(),
                    c.data_phase().direction(),
                    c.data_phase().len(),
                    "MODE SENSE (10)",
                )
            },
            {
                let c = ModeSelect10::new(true, false, page.to_vec()).unwrap();
                (
                    c.cdb(),
                    c.data_phase().direction(),
                    c.data_phase().len(),
                    "MODE SELECT (10)",
                )
            },
        ];
        for (cdb, direction, len, name) in cases {
            let d = decode(cdb.as_bytes()).unwrap();
            assert_eq!(d.name, name);
            assert!(d.problems.is_empty(), "{name}: {:?}", d.problems);
            let data = d.data.unwrap_or_else(|| panic!("{name}: no data phase"));
            assert_eq!(data.direction, direction, "{name}");
            assert_eq!(data.bytes, Some(len), "{name}");
        }
    }

    #[test]
    fn typed_commands() {
        let d = decode(&[0; 6]).unwrap();
        assert_eq!(d.name, "TEST UNIT READY");
        assert!(d.problems.is_empty());
        assert_eq!(d.data.unwrap().direction, Direction::None);

        let rc16 = ReadCapacity16::default().to_cdb();
        let d = decode(rc16.as_bytes()).unwrap();
        assert_eq!(d.name, "READ CAPACITY (16)");
        assert_eq!(d.opcode_name, Some("SERVICE ACTION IN (16)"));
        assert_eq!(d.service_action, Some(0x10));
        assert_eq!(field(&d, "ALLOCATION LENGTH"), Some(32));
        assert_eq!(d.data.unwrap().bytes, Some(32));

        let d = decode(ReadCapacity10.to_cdb().as_bytes()).unwrap();
        assert_eq!(d.data.unwrap().bytes, Some(8));

        let r = Read10Cdb::new(0x1000, 8, RwOptions::default()).unwrap();
        let d = decode(r.to_cdb().as_bytes()).unwrap();
        assert_eq!(d.name, "READ (10)");
        assert_eq!(field(&d, "LOGICAL BLOCK ADDRESS"), Some(0x1000));
        assert_eq!(field(&d, "TRANSFER LENGTH"), Some(8));
        let data = d.data.unwrap();
        assert_eq!(
            (data.direction, data.blocks),
            (Direction::FromDevice, Some(8))
        );

        let w = Write16Cdb::new(7, 1, RwOptions::default()).unwrap();
        let d = decode(w.to_cdb().as_bytes()).unwrap();
        assert_eq!(d.data.unwrap().direction, Direction::ToDevice);

        let d = decode(SynchronizeCache::<Sixteen>::all().to_cdb().as_bytes()).unwrap();
        assert_eq!(d.name, "SYNCHRONIZE CACHE (16)");
        assert_eq!(field(&d, "NUMBER OF LOGICAL BLOCKS"), Some(0));
        let d = decode(SynchronizeCache::<Ten>::all().to_cdb().as_bytes()).unwrap();
        assert_eq!(d.name, "SYNCHRONIZE CACHE (10)");

        let d = decode(StartStopUnit::start().to_cdb().as_bytes()).unwrap();
        assert_eq!(field(&d, "START"), Some(1));

        for cdb in [
            IdentifyDevice::<Ata12>::new().cdb(),
            IdentifyDevice::<Ata16>::new().cdb(),
        ] {
            let d = decode(cdb.as_bytes()).unwrap();
            assert_eq!(field(&d, "COMMAND"), Some(0xec));
            let data = d.data.unwrap();
            assert_eq!(
                (data.direction, data.bytes),
                (Direction::FromDevice, Some(512))
            );
            assert!(d.problems.is_empty(), "{:?}", d.problems);
        }
    }

    #[test]
    fn ata_high_bytes_without_extend_imply_no_data_phase() {
        // IDENTIFY DEVICE with COUNT's high byte set and EXTEND clear: not COUNT 0101h
        // (131584 bytes) but an invalid CDB.
        let cdb = [0x85, 0x08, 0x0e, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0xec, 0];
        let d = decode(&cdb).unwrap();
        assert_eq!(d.data, None);
        assert!(d.fields.is_empty());
        assert!(d.problems[0].contains("COUNT"), "{:?}", d.problems);
    }

    #[test]
    fn zero_length_data_out_is_no_data_phase() {
        // MODE SELECT (6) and WRITE BUFFER with PARAMETER LIST LENGTH 0.
        for cdb in [
            &[0x15, 0x10, 0, 0, 0, 0][..],
            &[0x3b, 0x02, 0, 0, 0, 0, 0, 0, 0, 0][..],
        ] {
            let d = decode(cdb).unwrap();
            assert!(d.problems.is_empty(), "{:?}", d.problems);
            let data = d.data.unwrap();
            assert_eq!((data.direction, data.bytes), (Direction::None, Some(0)));
        }
    }

    #[test]
    fn known_untyped_vendor_and_unknown() {
        let d = decode(&[0xa3, 0x0c, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0]).unwrap();
        assert_eq!(d.name, "REPORT SUPPORTED OPERATION CODES");
        assert_eq!(d.bytes.len(), 12);
        assert!(d.problems.is_empty());

        let d = decode(&[0xc1, 0, 0, 0, 0, 0, 0, 0]).unwrap();
        assert_eq!(d.name, "vendor specific");
        assert_eq!(d.expected_length, None);
        assert!(d.problems.is_empty());

        let d = decode(&[0x60, 0, 0, 0, 0, 0]).unwrap();
        assert_eq!(d.name, "unknown");
        assert_eq!(d.problems.len(), 1);

        let d = decode(&[0x9e, 0x1f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).unwrap();
        assert_eq!(d.name, "SERVICE ACTION IN (16)");
        assert!(d.problems[0].contains("service action"));
    }

    #[test]
    fn wrong_and_short_lengths() {
        // READ (10) sent as 6 bytes.
        let d = decode(&[0x28, 0, 0, 0, 0, 0]).unwrap();
        assert_eq!(d.expected_length, Some(10));
        assert!(d.fields.is_empty());
        assert_eq!(d.problems.len(), 2, "{:?}", d.problems);
        // One byte of SERVICE ACTION IN (16).
        let d = decode(&[0x9e]).unwrap();
        assert_eq!(d.service_action, None);
        assert!(d.problems.len() >= 3);
        // Variable-length CDB without byte 7.
        let d = decode(&[0x7f, 0, 0]).unwrap();
        assert!(!d.problems.is_empty());
        assert!(decode(&[]).is_err());
        assert!(decode(&[0xc0; 261]).is_err());
        // Invalid field in a typed layout: a reserved ATA PASS-THROUGH PROTOCOL.
        let d = decode(&[0xa1, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).unwrap();
        assert!(d.fields.is_empty());
        assert!(d.problems[0].contains("PROTOCOL"), "{:?}", d.problems);
        // RDPROTECT is a field like any other.
        let d = decode(&[0x28, 0x20, 0, 0, 0, 0, 0, 0, 1, 0]).unwrap();
        assert_eq!(field(&d, "RDPROTECT"), Some(1));
    }

    #[test]
    fn table_lines_are_unique_and_named() {
        for (i, e) in LAYOUTS.iter().enumerate() {
            let named = match e.service_action {
                Some(sa) => opcode::lookup(e.opcode, Some(sa)),
                None => opcode::lookup(e.opcode, None),
            };
            assert!(named.is_some(), "{:02x}", e.opcode);
            assert!(
                LAYOUTS[..i]
                    .iter()
                    .all(|p| (p.opcode, p.service_action) != (e.opcode, e.service_action)),
                "duplicate {:02x}",
                e.opcode
            );
        }
    }

    #[test]
    fn serialises_to_json() {
        let d = decode(&[0x12, 1, 0x80, 0, 0xff, 0]).unwrap();
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["name"], "INQUIRY");
        assert_eq!(json["opcode"], 0x12);
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            match decode(&bytes) {
                Ok(d) => {
                    proptest::prop_assert_eq!(d.length, bytes.len());
                    proptest::prop_assert!(d.fields.len() <= 16);
                }
                Err(_) => proptest::prop_assert!(bytes.is_empty() || bytes.len() > MAX_DECODE_LEN),
            }
        }
    }
}

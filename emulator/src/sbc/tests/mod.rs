//! Conformance tests: the target is driven only with CDBs from the `cdb` crate's typed
//! builders, and its answers are decoded with the `cdb` crate's decoders and checked
//! against what SPC-5, SBC-4 and SAM-5 require.

mod double;
mod errors;
mod fuzz;
mod identity;
mod media;
mod microcode;
mod microcode_fuzz;
mod mode;
mod unit;

use super::{Completion, Disk, Identity, Target};
use cdb::command::ScsiCommand;
use cdb::scsi::status::Status;
use cdb::sense::{SenseData, SenseKeySpecific};
use double::Media;

/// A target with `luns` RAM disks (`store::CachedDevice` over `store::RamMedium`), write
/// cache on, and a handle on LUN 0's medium.
pub(super) struct Harness {
    pub target: Target,
    pub media: Media,
}

impl Harness {
    /// A one-LUN target in its power-on state: 2048 blocks of 512 bytes.
    pub fn powered_on() -> Self {
        Self::with(1, 2048, 512)
    }

    /// A target of `luns` disks, in its power-on state.
    pub fn with(luns: u16, blocks: u64, block_size: u32) -> Self {
        let mut media = None;
        let units = (0..luns)
            .map(|lun| {
                let (device, handle) = Media::new(blocks, block_size);
                media.get_or_insert(handle);
                let identity = Identity {
                    serial: format!("SIM{lun:08}"),
                    ..Identity::default()
                };
                Disk::new(identity, device)
            })
            .collect();
        Harness {
            target: Target::new(units),
            media: media.unwrap_or_else(|| Media::new(blocks, block_size).1),
        }
    }

    /// A one-LUN target whose power-on unit attention has been reported and cleared.
    pub fn ready() -> Self {
        let mut h = Self::powered_on();
        let sense = h.check(&cdb::scsi::spc::test_unit_ready::TestUnitReady);
        assert_eq!(sense.asc_ascq(), Some((0x29, 0x00)));
        h
    }

    /// Sends `cmd` to `lun`: the completion and the data-in bytes transferred.
    pub fn send_to<C: ScsiCommand>(&mut self, lun: u16, cmd: &C) -> (Completion, Vec<u8>) {
        crate::testing::send(&mut self.target, lun, cmd)
    }

    /// Sends `cmd` to LUN 0.
    pub fn send<C: ScsiCommand>(&mut self, cmd: &C) -> (Completion, Vec<u8>) {
        self.send_to(0, cmd)
    }

    /// Sends `cmd` to `lun`, expects GOOD and decodes the data-in.
    pub fn good_at<C: ScsiCommand>(&mut self, lun: u16, cmd: &C) -> C::Response {
        let (completion, data) = self.send_to(lun, cmd);
        assert_eq!(
            completion.status,
            Status::Good,
            "{} failed: {:?}",
            cmd.name(),
            cdb::sense::decode(&completion.sense)
        );
        assert!(completion.sense.is_empty());
        match cmd.decode(&data) {
            Ok(response) => response,
            Err(e) => panic!("{} answer does not decode: {e}", cmd.name()),
        }
    }

    /// Sends `cmd` to LUN 0, expects GOOD and decodes the data-in.
    pub fn good<C: ScsiCommand>(&mut self, cmd: &C) -> C::Response {
        self.good_at(0, cmd)
    }

    /// Sends `cmd` to `lun`, expects CHECK CONDITION with well-formed current sense data
    /// and no data-in.
    pub fn check_at<C: ScsiCommand>(&mut self, lun: u16, cmd: &C) -> SenseData {
        let (completion, data) = self.send_to(lun, cmd);
        assert_eq!(completion.status, Status::CheckCondition, "{}", cmd.name());
        assert!(data.is_empty());
        let sense = cdb::sense::decode(&completion.sense).expect("sense data");
        assert!(sense.problems.is_empty(), "{:?}", sense.problems);
        assert!(sense.is_current());
        sense
    }

    /// Sends `cmd` to LUN 0 and expects CHECK CONDITION.
    pub fn check<C: ScsiCommand>(&mut self, cmd: &C) -> SenseData {
        self.check_at(0, cmd)
    }
}

/// Asserts the sense key, ASC and ASCQ.
pub(super) fn assert_sense(sense: &SenseData, key: u8, asc: u8, ascq: u8) {
    assert_eq!(
        (sense.sense_key_code(), sense.asc_ascq()),
        (Some(key), Some((asc, ascq))),
        "{sense:?}"
    );
}

/// Asserts ILLEGAL REQUEST with `asc`/00h and a FIELD POINTER at `byte`, bit `bit`, of
/// the CDB (`in_cdb`) or the parameter list (SPC-5 4.4.2.4.2).
pub(super) fn assert_field(sense: &SenseData, asc: u8, in_cdb: bool, byte: u16, bit: u8) {
    assert_sense(sense, 0x05, asc, 0x00);
    assert_eq!(
        sense.sense_key_specific(),
        Some(&SenseKeySpecific::FieldPointer {
            command: in_cdb,
            bit_pointer: Some(bit),
            field_pointer: byte,
        }),
        "{sense:?}"
    );
}

/// Transports may run the target on another thread.
#[test]
fn target_is_send() {
    fn send<T: Send>() {}
    send::<Target>();
}

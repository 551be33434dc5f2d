//! Test helpers shared by the emulator's device tests: driving any [`ScsiTarget`] with
//! raw or typed CDBs or an NVMe controller with typed commands, and reading the sense key, ASC and ASCQ of a CHECK CONDITION
//! (SPC-5 4.4) with the `cdb` crate's decoder.

use crate::block::BlockDevice;
use crate::nvme::Controller;
use crate::sbc::Completion;
use crate::target::ScsiTarget;
use cdb::command::{DataPhase, ScsiCommand};
use cdb::nvme::{Completion as NvmeCompletion, NvmeCommand};
use cdb::scsi::status::Status;
use cdb::sense::SenseData;

/// Sense key, ASC, ASCQ.
pub(crate) type Code = (u8, u8, u8);

/// Sends a raw CDB to `lun` with data-out `out` and room for `in_len` data-in bytes: the
/// completion and the data-in bytes transferred.
pub(crate) fn send_raw<T: ScsiTarget + ?Sized>(
    target: &mut T,
    lun: u16,
    cdb: &[u8],
    out: &[u8],
    in_len: usize,
) -> (Completion, Vec<u8>) {
    let mut data = vec![0; in_len];
    let done = target.execute(lun, cdb, out, &mut data);
    assert!(done.data_in_len <= data.len(), "more data-in than room");
    data.truncate(done.data_in_len);
    (done, data)
}

/// Sends a typed command to `lun`, its data phase as the command describes it.
pub(crate) fn send<T: ScsiTarget + ?Sized, C: ScsiCommand>(
    target: &mut T,
    lun: u16,
    cmd: &C,
) -> (Completion, Vec<u8>) {
    let cdb = cmd.cdb();
    match cmd.data_phase() {
        DataPhase::Out(data) => send_raw(target, lun, cdb.as_bytes(), data, 0),
        DataPhase::In(n) => send_raw(target, lun, cdb.as_bytes(), &[], n as usize),
        DataPhase::None => send_raw(target, lun, cdb.as_bytes(), &[], 0),
    }
}

/// GOOD (`None`), or the sense key, ASC and ASCQ of a CHECK CONDITION; any other status
/// or undecodable sense data fails the test.
pub(crate) fn sense_code(done: &Completion) -> Option<Code> {
    if done.status == Status::Good {
        return None;
    }
    assert_eq!(done.status, Status::CheckCondition);
    let sense = SenseData::decode(&done.sense).expect("sense data");
    let (asc, ascq) = sense.asc_ascq().expect("ASC and ASCQ");
    Some((sense.sense_key_code().expect("sense key"), asc, ascq))
}

/// Submits a typed NVMe command to `ctrl` as its entry says (NVMe Base 2.0 4.2): the
/// completion and the data-in bytes.
pub(crate) fn submit<D: BlockDevice, C: NvmeCommand>(
    ctrl: &mut Controller<D>,
    cmd: &C,
) -> (NvmeCompletion, Vec<u8>) {
    let (out, mut data_in): (&[u8], Vec<u8>) = match cmd.data_phase() {
        DataPhase::None => (&[], Vec::new()),
        DataPhase::In(n) => (&[], vec![0; n as usize]),
        DataPhase::Out(data) => (data, Vec::new()),
    };
    let done = ctrl.submit(cmd.queue(), &cmd.entry(), out, &mut data_in);
    (done, data_in)
}

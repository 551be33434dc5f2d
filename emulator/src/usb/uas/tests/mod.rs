//! The UAS interface driven as a host would: Command IUs around CDBs of the `cdb` crate's
//! typed builders, IUs decoded with `cdb::usb::uas`, data decoded with the `cdb` crate's
//! decoders, sense with `cdb::sense`.

mod conformance;
mod faults;
mod fuzz;
mod tasks;

use super::UasDevice;
use crate::sbc::lun_bytes;
use cdb::command::{DataPhase, ScsiCommand};
use cdb::scsi::spc::test_unit_ready::TestUnitReady;
use cdb::scsi::status::Status;
use cdb::usb::uas::{CommandIu, Iu, SenseIu};

pub(super) use crate::usb::test_target::{target, VendorTarget};

/// A host on a UAS interface.
pub(super) struct Host {
    pub dev: UasDevice<VendorTarget>,
}

impl Host {
    /// A host on a two-LUN interface (with or without streams) whose power-on unit
    /// attentions are cleared.
    pub fn new(streams: bool) -> Self {
        Host::over(UasDevice::new(target(2), streams))
    }

    /// A host on `dev`, power-on unit attentions cleared.
    pub fn over(dev: UasDevice<VendorTarget>) -> Self {
        let mut host = Host { dev };
        for lun in 0..2 {
            let sense = host.run(1, lun, &TestUnitReady, &[]);
            assert_eq!(
                sense.status,
                Status::CheckCondition,
                "power-on unit attention"
            );
        }
        host
    }

    /// The stream a status or data transfer for `tag` uses.
    pub fn stream(&self, tag: u16) -> u16 {
        if self.dev.uses_streams() {
            tag
        } else {
            0
        }
    }

    /// Sends the Command IU for `cdb` with `tag` to `lun`.
    pub fn command(&mut self, tag: u16, lun: u16, cdb: &[u8]) {
        let iu = CommandIu::new(tag, lun_bytes(lun), cdb).expect("Command IU");
        self.dev
            .command_out(&Iu::Command(iu).to_bytes())
            .expect("command pipe");
    }

    /// The next IU on the status pipe for `tag`'s stream.
    pub fn status(&mut self, tag: u16) -> Iu {
        let stream = self.stream(tag);
        let bytes = self.dev.status_in(stream, 1024).expect("status pipe");
        Iu::parse(&bytes).expect("an IU")
    }

    /// The next IU for `tag`, expected to be its Sense IU.
    pub fn sense(&mut self, tag: u16) -> SenseIu {
        match self.status(tag) {
            Iu::Sense(sense) => {
                assert_eq!(sense.tag, tag);
                sense
            }
            other => panic!("not a Sense IU: {other:?}"),
        }
    }

    /// Runs `cmd` on `lun` under `tag` to completion as UAS-2 4.4 orders it (Ready IU
    /// first without streams), returning its Sense IU; data-in lands in `data_in`.
    pub fn run_collect<C: ScsiCommand>(
        &mut self,
        tag: u16,
        lun: u16,
        cmd: &C,
        data_in: &mut Vec<u8>,
    ) -> SenseIu {
        self.command(tag, lun, cmd.cdb().as_bytes());
        let stream = self.stream(tag);
        match cmd.data_phase() {
            DataPhase::In(n) => {
                if !self.dev.uses_streams() {
                    match self.status(tag) {
                        Iu::ReadReady { tag: t } if t == tag => {}
                        Iu::Sense(sense) => return sense,
                        other => panic!("expected Read Ready, got {other:?}"),
                    }
                }
                *data_in = self.dev.data_in(stream, n as usize).expect("data-in");
            }
            DataPhase::Out(bytes) => {
                if !self.dev.uses_streams() {
                    assert_eq!(self.status(tag), Iu::WriteReady { tag });
                }
                self.dev.data_out(stream, bytes).expect("data-out");
            }
            DataPhase::None => {}
        }
        self.sense(tag)
    }

    /// [`Host::run_collect`], with the data-in expected to be `want` bytes.
    pub fn run<C: ScsiCommand>(&mut self, tag: u16, lun: u16, cmd: &C, want: &[u8]) -> SenseIu {
        let mut data = Vec::new();
        let sense = self.run_collect(tag, lun, cmd, &mut data);
        if !want.is_empty() {
            assert_eq!(data, want);
        }
        sense
    }

    /// Asserts the interface serves TEST UNIT READY with GOOD.
    pub fn assert_serves(&mut self) {
        let sense = self.run(7, 0, &TestUnitReady, &[]);
        assert_eq!(sense.status, Status::Good);
    }
}

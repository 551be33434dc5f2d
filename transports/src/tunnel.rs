//! NVMe admin commands through a USB–NVMe bridge's vendor tunnel: an [`NvmeTransport`]
//! over any [`ScsiTransport`], for a bridge the caller names (ASMedia E6h, Realtek E4h,
//! JMicron's three A1h steps; the CDBs are `cdb::tunnel`'s). Nothing is probed: JMicron's
//! CDB is an ATA hardware reset on a SAT bridge, so choosing the tunnel is the caller's
//! decision (a VID:PID table, or the user naming the bridge).

use crate::execute::{execute, ExecuteError};
use crate::nvme::NvmeTransport;
use crate::scsi::{DataBuffer, ScsiTransport, TransportError, UsbId};
use cdb::command::{DataPhase, ScsiCommand};
use cdb::nvme::{Completion, Queue, Status, SubmissionEntry};
use cdb::tunnel::asmedia::AsmediaPassThrough;
use cdb::tunnel::jmicron::JmicronTunnel;
use cdb::tunnel::realtek::RealtekPassThrough;
use std::time::Duration;

/// A USB–NVMe bridge's tunnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bridge {
    /// ASMedia ASM236x: E6h, Identify and Get Log Page only, no completion status.
    Asmedia,
    /// Realtek RTL9210/9220: E4h, Identify and Get Log Page only, no completion status.
    Realtek,
    /// JMicron JMS583: three A1h steps, any admin command, completion status returned.
    Jmicron,
}

impl Bridge {
    /// The bridge's name as the user gives it (`asmedia`, `realtek`, `jmicron`).
    pub fn name(self) -> &'static str {
        match self {
            Bridge::Asmedia => "asmedia",
            Bridge::Realtek => "realtek",
            Bridge::Jmicron => "jmicron",
        }
    }

    /// The bridge a USB device is, from a table of known USB–NVMe bridges (VID:PID as
    /// smartmontools' drive database lists them); `None` for anything else — never probed.
    pub fn for_usb_id(id: UsbId) -> Option<Bridge> {
        KNOWN_BRIDGES
            .iter()
            .find(|(vendor, product, _)| (*vendor, *product) == (id.vendor_id, id.product_id))
            .map(|&(_, _, bridge)| bridge)
    }

    /// The bridge named `name`, if any.
    pub fn from_name(name: &str) -> Option<Bridge> {
        [Bridge::Asmedia, Bridge::Realtek, Bridge::Jmicron]
            .into_iter()
            .find(|b| b.name() == name)
    }
}

/// Known USB–NVMe bridges: idVendor, idProduct, tunnel.
const KNOWN_BRIDGES: [(u16, u16, Bridge); 3] = [
    (0x174c, 0x2362, Bridge::Asmedia),
    (0x0bda, 0x9210, Bridge::Realtek),
    (0x152d, 0x0583, Bridge::Jmicron),
];

/// An NVMe controller reached through a bridge's tunnel.
pub struct TunnelledNvme {
    scsi: Box<dyn ScsiTransport>,
    bridge: Bridge,
}

impl TunnelledNvme {
    /// Tunnels NVMe admin commands through `bridge`'s vendor CDBs on `scsi`.
    pub fn new(scsi: Box<dyn ScsiTransport>, bridge: Bridge) -> Self {
        TunnelledNvme { scsi, bridge }
    }

    /// Runs one tunnel CDB, mapping the bridge's refusal to a transport error: the NVMe
    /// command never completed as far as the host can tell.
    fn run<C: ScsiCommand>(
        &mut self,
        command: &C,
        timeout: Duration,
    ) -> Result<C::Response, TransportError> {
        execute(self.scsi.as_mut(), command, timeout)
            .map(|done| done.response)
            .map_err(|error| match error {
                ExecuteError::Transport(e) => e,
                other => TransportError::Failed(format!("{} bridge: {other}", self.bridge.name())),
            })
    }

    /// Runs a data-in tunnel CDB (ASMedia, Realtek): its bytes go to the data-in buffer,
    /// and the command is taken as successful, since these bridges return no status.
    fn data_in<C: ScsiCommand<Response = Vec<u8>>>(
        &mut self,
        cdb: &C,
        data: DataBuffer<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        let bytes = self.run(cdb, timeout)?;
        fill(data, &bytes);
        Ok(assumed_success(0))
    }
}

/// The data phase a buffer carries.
fn phase<'a>(data: &'a DataBuffer<'_>) -> DataPhase<'a> {
    match data {
        DataBuffer::None => DataPhase::None,
        DataBuffer::In(buf) => DataPhase::input(u32::try_from(buf.len()).unwrap_or(u32::MAX)),
        DataBuffer::Out(bytes) => DataPhase::output(bytes),
    }
}

/// A successful completion carrying `dw0`, for bridges that return no status (the host
/// only knows that the bridge did not refuse).
fn assumed_success(dw0: u32) -> Completion {
    Completion {
        dw0,
        dw1: 0,
        sqhd: 0,
        sqid: 0,
        cid: 0,
        phase: false,
        status: Status::SUCCESS,
    }
}

/// Copies `from` into the data-in buffer of `data`, if it has one.
fn fill(data: DataBuffer<'_>, from: &[u8]) {
    if let DataBuffer::In(buf) = data {
        let n = buf.len().min(from.len());
        buf[..n].copy_from_slice(&from[..n]);
    }
}

impl NvmeTransport for TunnelledNvme {
    fn submit(
        &mut self,
        queue: Queue,
        entry: &SubmissionEntry,
        data: DataBuffer<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        let refused = |e: cdb::error::BuildError| TransportError::Refused(e.to_string());
        match self.bridge {
            Bridge::Asmedia => {
                let cdb =
                    AsmediaPassThrough::from_entry(queue, entry, phase(&data)).map_err(refused)?;
                self.data_in(&cdb, data, timeout)
            }
            Bridge::Realtek => {
                let cdb =
                    RealtekPassThrough::from_entry(queue, entry, phase(&data)).map_err(refused)?;
                self.data_in(&cdb, data, timeout)
            }
            Bridge::Jmicron => {
                let tunnel =
                    JmicronTunnel::from_entry(queue, entry, phase(&data)).map_err(refused)?;
                self.run(&tunnel.send_command(), timeout)?;
                let bytes = self.run(&tunnel.transfer(), timeout)?;
                let reply = self.run(&tunnel.read_response(), timeout)?;
                fill(data, &bytes);
                Ok(reply.completion)
            }
        }
    }

    fn describe(&self) -> String {
        format!(
            "NVMe through the {} bridge tunnel, {}",
            self.bridge.name(),
            self.scsi.describe()
        )
    }

    /// Power cycles the bridge's device, and with it the drive behind it, where the SCSI
    /// transport controls the power (the emulated bridges).
    fn power_cycle(&mut self) -> Result<(), TransportError> {
        self.scsi.power_cycle()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::open::{open, Access, Device};
    use cdb::nvme::firmware::FirmwareImageDownload;
    use cdb::nvme::identify::IdentifyController;
    use cdb::nvme::log_page::GetLogPage;
    use cdb::nvme::NvmeCommand;

    fn tunnel(uri: &str, bridge: Bridge) -> TunnelledNvme {
        match open(uri, Access::Read).unwrap() {
            Device::Scsi(scsi) => TunnelledNvme::new(scsi, bridge),
            Device::Nvme(_) => panic!("{uri} is not behind a bridge"),
        }
    }

    fn serial(t: &mut dyn NvmeTransport) -> String {
        let done =
            crate::nvme::execute(t, &IdentifyController::controller(), Duration::from_secs(1))
                .unwrap();
        done.response.sn
    }

    #[test]
    fn identify_through_each_bridge_reaches_the_drive_behind_it() {
        for (uri, bridge) in [
            ("sim:bridge-asmedia?size=1M&serial=TUNNEL1", Bridge::Asmedia),
            ("sim:bridge-realtek?size=1M&serial=TUNNEL1", Bridge::Realtek),
            ("sim:bridge-jmicron?size=1M&serial=TUNNEL1", Bridge::Jmicron),
        ] {
            let mut t = tunnel(uri, bridge);
            assert_eq!(serial(&mut t), "TUNNEL1", "{uri}");
            let smart = GetLogPage::new(0x02, 0xffff_ffff, 512, 0).unwrap();
            let done = crate::nvme::execute(&mut t, &smart, Duration::from_secs(1));
            assert!(done.is_ok(), "{uri}: {done:?}");
        }
    }

    #[test]
    fn what_a_data_in_tunnel_cannot_carry_is_refused_before_sending() {
        let image = [0u8; 4096];
        let download = FirmwareImageDownload::new(0, &image).unwrap();
        for bridge in [Bridge::Asmedia, Bridge::Realtek] {
            let mut t = tunnel("sim:bridge-asmedia?size=1M", bridge);
            let mut none = Vec::new();
            let data = DataBuffer::for_phase(download.data_phase(), &mut none);
            let err = t
                .submit(
                    Queue::Admin,
                    &download.entry(),
                    data,
                    Duration::from_secs(1),
                )
                .unwrap_err();
            assert!(matches!(err, TransportError::Refused(_)), "{err}");
        }
    }

    #[test]
    fn jmicron_carries_data_out_and_returns_the_completion_status() {
        let mut t = tunnel("sim:bridge-jmicron?size=1M", Bridge::Jmicron);
        let image = [0u8; 4096];
        let download = FirmwareImageDownload::new(0, &image).unwrap();
        let done = crate::nvme::execute(&mut t, &download, Duration::from_secs(1));
        assert!(done.is_ok(), "{done:?}");
        // A commit of a garbage image: the drive's Invalid Firmware Image comes back.
        let commit = cdb::nvme::firmware::FirmwareCommit::new(
            2,
            cdb::nvme::firmware::CommitAction::ReplaceAndActivate,
            false,
        )
        .unwrap();
        match crate::nvme::execute(&mut t, &commit, Duration::from_secs(1)) {
            Err(crate::nvme::NvmeError::Device { status, .. }) => assert_eq!(status.sc, 0x07),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_wrong_tunnel_is_refused_by_the_bridge() {
        let mut t = tunnel("sim:bridge-realtek?size=1M", Bridge::Asmedia);
        let err = crate::nvme::execute(
            &mut t,
            &IdentifyController::controller(),
            Duration::from_secs(1),
        )
        .unwrap_err();
        assert!(err.to_string().contains("asmedia bridge"), "{err}");
        assert_eq!(Bridge::from_name("jmicron"), Some(Bridge::Jmicron));
        // The emulated bridges carry their chips' USB IDs; the plain one is no known bridge.
        for (uri, bridge) in [
            ("sim:bridge-asmedia?size=1M", Some(Bridge::Asmedia)),
            ("sim:bridge-realtek?size=1M", Some(Bridge::Realtek)),
            ("sim:bridge-jmicron?size=1M", Some(Bridge::Jmicron)),
            ("sim:bridge-no-write-buffer?size=1M", None),
            ("sim:?size=1M", None),
        ] {
            let Device::Scsi(scsi) = open(uri, Access::Read).unwrap() else {
                panic!("{uri}")
            };
            assert_eq!(scsi.usb_id().and_then(Bridge::for_usb_id), bridge, "{uri}");
        }
        assert_eq!(Bridge::from_name("sat"), None);
    }

    /// The USB faces a bridge can be reached through: none (the sim: transport), and the
    /// emulated USB device through the host's USB transports.
    const USB_FACES: [&str; 5] = [
        "",
        "&usb=bot",
        "&usb=uas",
        "&usb=uas&speed=high",
        "&usb=dual&speed=high",
    ];

    #[test]
    fn tunnels_work_through_the_usb_transports() {
        for face in USB_FACES {
            for (bridge, model) in [
                ("asmedia", Bridge::Asmedia),
                ("realtek", Bridge::Realtek),
                ("jmicron", Bridge::Jmicron),
            ] {
                let uri = format!("sim:bridge-{bridge}?size=1M&serial=USB1{face}");
                let Device::Scsi(scsi) = open(&uri, Access::Read).unwrap() else {
                    panic!("{uri}")
                };
                assert_eq!(scsi.usb_id().and_then(Bridge::for_usb_id), Some(model));
                let mut t = TunnelledNvme::new(scsi, model);
                assert_eq!(serial(&mut t), "USB1", "{uri}");
                let smart = GetLogPage::new(0x02, 0xffff_ffff, 512, 0).unwrap();
                let done = crate::nvme::execute(&mut t, &smart, Duration::from_secs(1));
                assert!(done.is_ok(), "{uri}: {done:?}");
            }
        }
    }

    #[test]
    fn jmicron_firmware_download_and_commit_round_trip_through_the_usb_transports() {
        use cdb::nvme::firmware::{CommitAction, FirmwareCommit};
        use cdb::nvme::fw_slot::FirmwareSlotLog;
        use cdb::nvme::log_page::LogPage;
        let header_and_trailer = emulator::image::NVME.header_len() + emulator::image::TRAILER_LEN;
        let image =
            emulator::image::NVME.build("USB-2.0", &vec![0xa5; 3 * 4096 - header_and_trailer]);
        for face in USB_FACES {
            let uri = format!("sim:bridge-jmicron?size=1M{face}");
            let mut t = tunnel(&uri, Bridge::Jmicron);
            for (i, piece) in image.chunks(4096).enumerate() {
                let download = FirmwareImageDownload::new((i * 4096) as u64, piece).unwrap();
                let done = crate::nvme::execute(&mut t, &download, Duration::from_secs(1));
                assert!(done.is_ok(), "{uri}: chunk {i}: {done:?}");
            }
            let commit = FirmwareCommit::new(2, CommitAction::ReplaceAndActivate, false).unwrap();
            let done = crate::nvme::execute(&mut t, &commit, Duration::from_secs(1));
            assert!(done.is_ok(), "{uri}: commit: {done:?}");
            let log: FirmwareSlotLog =
                crate::nvme::execute(&mut t, &LogPage::firmware_slot(), Duration::from_secs(1))
                    .unwrap()
                    .response;
            assert_eq!(log.frs[1].as_deref(), Some("USB-2.0"), "{uri}");
            assert_eq!(log.next_reset_slot, Some(2), "{uri}");
        }
    }
}

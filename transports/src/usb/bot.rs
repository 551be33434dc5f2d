//! The host side of USB Mass Storage Bulk-Only Transport (USB MSC BOT 1.0) as a
//! [`ScsiTransport`]: each command is a CBW, a data phase and a CSW (BOT 5.3); a CSW
//! that is not valid or meaningful (BOT 6.3) or reports Phase Error, a timeout, or a
//! STALL that clearing the halt does not cure leads to Reset Recovery (BOT 5.3.4), and a
//! device still wedged after it to a port reset (USB 2.0 7.1.7.5). BOT has no autosense:
//! a failed command is followed by REQUEST SENSE (SPC-5 6.39) and its sense returned.

use super::enumerate::{self, BulkOnly};
use crate::scsi::{ScsiReply, ScsiRequest, ScsiTransport, TransportError, UsbId};
use cdb::command::ScsiCommand;
use cdb::scsi::spc::request_sense::RequestSense;
use cdb::scsi::status::Status;
use cdb::usb::bot::{Cbw, Csw, CswStatus, CSW_LEN};
use cdb::usb::request::SetupPacket;
use emulator::usb::device::{copy_received, UsbDevice};
use emulator::usb::UsbError;
use std::time::Duration;

/// The longest CDB a CBW carries (BOT 5.1: bCBWCBLength 1 to 16).
const MAX_CDB_LEN: usize = 16;
/// The allocation length of the autosense REQUEST SENSE (SPC-5 6.39: up to 252 bytes).
const SENSE_ALLOCATION: u8 = 252;

/// A SCSI transport over the Bulk-Only interface of a USB mass-storage device.
#[derive(Debug)]
pub struct BotTransport<D> {
    device: D,
    /// The interface, its endpoints and LUNs, as enumeration found them.
    link: BulkOnly,
    /// The logical unit commands go to (bCBWLUN).
    lun: u8,
    /// The last dCBWTag sent.
    tag: u32,
}

/// A result whose error is the transport error to report.
pub(super) type Outcome<T> = Result<T, TransportError>;

impl<D: UsbDevice> BotTransport<D> {
    /// Opens the Bulk-Only interface of `device` for logical unit `lun`
    /// ([`enumerate::bulk_only`]); a LUN past Get Max LUN's answer is refused (BOT 3.2).
    pub fn open(mut device: D, lun: u8) -> Outcome<Self> {
        let link = enumerate::bulk_only(&mut device)?;
        Self::with_link(device, link, lun)
    }

    /// The transport over a Bulk-Only interface `device` already has selected
    /// ([`enumerate::bulk_only_of`]), for logical unit `lun` (at most Get Max LUN's answer,
    /// BOT 3.2).
    pub fn with_link(device: D, link: BulkOnly, lun: u8) -> Outcome<Self> {
        if lun > link.max_lun {
            return Err(TransportError::Refused(format!(
                "LUN {lun}: the device's highest LUN is {}",
                link.max_lun
            )));
        }
        Ok(BotTransport {
            device,
            link,
            lun,
            tag: 0,
        })
    }

    /// The highest LUN the device reported (BOT 3.2).
    pub fn max_lun(&self) -> u8 {
        self.link.max_lun
    }

    /// The USB device, e.g. to inject faults into an emulated one.
    pub fn device_mut(&mut self) -> &mut D {
        &mut self.device
    }

    /// One command without autosense: the CSW's status and the bytes moved. Errors after
    /// the CBW went out have already been recovered from; a refusal sent nothing.
    fn command(
        &mut self,
        cdb: &[u8],
        out: &[u8],
        into: &mut [u8],
        timeout: Duration,
    ) -> Outcome<(CswStatus, usize)> {
        let result = self.transact(cdb, out, into, timeout);
        match result {
            Err(TransportError::Gone(_) | TransportError::Refused(_)) | Ok(_) => result,
            Err(error) => {
                self.recover(timeout)?;
                Err(error)
            }
        }
    }

    /// CBW, data phase, CSW (BOT 5.3).
    fn transact(
        &mut self,
        cdb: &[u8],
        out: &[u8],
        into: &mut [u8],
        timeout: Duration,
    ) -> Outcome<(CswStatus, usize)> {
        let data_in = !into.is_empty();
        let expected = u32::try_from(out.len().max(into.len())).map_err(|_| {
            TransportError::Refused("a Bulk-Only transfer is at most 4 GiB - 1".into())
        })?;
        self.tag = self.tag.wrapping_add(1);
        let cbw = Cbw::new(self.tag, self.lun, cdb, expected, data_in)
            .map_err(|e| TransportError::Refused(e.to_string()))?;
        self.send_cbw(&cbw.to_bytes(), timeout)?;
        let moved = if data_in {
            self.data_in(into, timeout)?
        } else if !out.is_empty() {
            self.data_out(out, timeout)?
        } else {
            0
        };
        let csw = self.receive_csw(timeout)?;
        let status = self.check_csw(&csw, expected)?;
        let done = expected.saturating_sub(csw.data_residue.get()) as usize;
        Ok((status, done.min(moved)))
    }

    /// Sends the CBW. A STALL means it was not received: Reset Recovery and one more try,
    /// then a port reset and a last try, for a device that stays wedged (as QEMU's does
    /// after a direction mismatch).
    fn send_cbw(&mut self, cbw: &[u8], timeout: Duration) -> Outcome<()> {
        for attempt in 0..3 {
            match self.device.bulk_out(self.link.bulk_out, 0, cbw) {
                Ok(_) => return Ok(()),
                Err(UsbError::Stall) if attempt == 0 => self.reset_recovery(timeout)?,
                Err(UsbError::Stall) if attempt == 1 => self.port_reset(timeout)?,
                Err(e) => return Err(usb_error("CBW", e, timeout)),
            }
        }
        Err(TransportError::Failed("CBW: the device STALLs it".into()))
    }

    /// The data-in phase in one transfer rounded up to wMaxPacketSize (USB 2.0 5.8.3),
    /// straight into the caller's buffer when that is whole packets; bytes past the
    /// buffer are discarded. A STALL ends the phase: the halt is cleared
    /// and the CSW follows (BOT 6.7.2).
    fn data_in(&mut self, into: &mut [u8], timeout: Duration) -> Outcome<usize> {
        let packet = self.link.packet;
        let received = if into.len() % packet == 0 {
            // Whole packets: the transfer lands in the caller's buffer.
            self.device.bulk_in_into(self.link.bulk_in, 0, into)
        } else {
            let rounded = into.len().div_ceil(packet) * packet;
            self.device
                .bulk_in(self.link.bulk_in, 0, rounded)
                .map(|bytes| copy_received(&bytes, into))
        };
        match received {
            Ok(n) => Ok(n.min(into.len())),
            Err(UsbError::Stall) => self.clear_halt(self.link.bulk_in, timeout).map(|()| 0),
            Err(e) => Err(usb_error("data-in", e, timeout)),
        }
    }

    /// The data-out phase; a STALL ends it: the halt is cleared and the CSW follows (BOT
    /// 6.7.3).
    fn data_out(&mut self, out: &[u8], timeout: Duration) -> Outcome<usize> {
        match self.device.bulk_out(self.link.bulk_out, 0, out) {
            Ok(n) => Ok(n.min(out.len())),
            Err(UsbError::Stall) => self.clear_halt(self.link.bulk_out, timeout).map(|()| 0),
            Err(e) => Err(usb_error("data-out", e, timeout)),
        }
    }

    /// Reads the CSW; on a STALL clears the halt and tries once more (BOT 5.3.3, Figure 2).
    fn receive_csw(&mut self, timeout: Duration) -> Outcome<Csw> {
        let bytes = match self.device.bulk_in(self.link.bulk_in, 0, CSW_LEN) {
            Err(UsbError::Stall) => {
                self.clear_halt(self.link.bulk_in, timeout)?;
                self.device.bulk_in(self.link.bulk_in, 0, CSW_LEN)
            }
            other => other,
        }
        .map_err(|e| usb_error("CSW", e, timeout))?;
        Csw::parse(&bytes).map_err(|e| TransportError::Failed(format!("CSW not valid: {e}")))
    }

    /// The CSW's checks (BOT 6.3): valid with the CBW's tag, meaningful with a defined
    /// status and a residue within the transfer; Phase Error is a transport failure (BOT
    /// 5.3.3.1).
    fn check_csw(&self, csw: &Csw, expected: u32) -> Outcome<CswStatus> {
        if csw.tag.get() != self.tag {
            return Err(TransportError::Failed(format!(
                "CSW not valid: dCSWTag {:08X}h answers no CBW (sent {:08X}h)",
                csw.tag.get(),
                self.tag
            )));
        }
        let status = csw
            .status()
            .map_err(|e| TransportError::Failed(format!("CSW not meaningful: {e}")))?;
        match status {
            CswStatus::PhaseError => Err(TransportError::Failed("CSW: phase error".into())),
            _ if csw.data_residue.get() > expected => Err(TransportError::Failed(format!(
                "CSW not meaningful: dCSWDataResidue {} exceeds the transfer of {expected}",
                csw.data_residue.get()
            ))),
            status => Ok(status),
        }
    }

    /// Reset Recovery, then a port reset if the device refuses it.
    fn recover(&mut self, timeout: Duration) -> Outcome<()> {
        match self.reset_recovery(timeout) {
            Err(TransportError::Gone(why)) => Err(TransportError::Gone(why)),
            Err(_) => self.port_reset(timeout),
            Ok(()) => Ok(()),
        }
    }

    /// Reset Recovery (BOT 5.3.4): Bulk-Only Mass Storage Reset, then CLEAR_FEATURE
    /// (ENDPOINT_HALT) on bulk-in and bulk-out.
    fn reset_recovery(&mut self, timeout: Duration) -> Outcome<()> {
        self.device
            .control_out(SetupPacket::bulk_only_reset(self.link.interface), &[])
            .map_err(|e| usb_error("Bulk-Only Mass Storage Reset", e, timeout))?;
        self.clear_halt(self.link.bulk_in, timeout)?;
        self.clear_halt(self.link.bulk_out, timeout)
    }

    /// CLEAR_FEATURE(ENDPOINT_HALT) (USB 2.0 9.4.1).
    fn clear_halt(&mut self, endpoint: u8, timeout: Duration) -> Outcome<()> {
        self.device
            .control_out(SetupPacket::clear_halt(endpoint), &[])
            .map_err(|e| usb_error("CLEAR_FEATURE(ENDPOINT_HALT)", e, timeout))
    }

    /// A port reset (USB 2.0 7.1.7.5); the host stack restores the configuration.
    fn port_reset(&mut self, timeout: Duration) -> Outcome<()> {
        self.device
            .port_reset()
            .map_err(|e| usb_error("port reset", e, timeout))
    }

    /// Autosense (SAM-5 5.13): REQUEST SENSE in fixed format after a failed command.
    /// Sense that reports nothing (NO SENSE, 00h/00h — a device that failed the command
    /// without recording why, e.g. a data-out it stalled, BOT 6.7.3) is dropped, so the
    /// failure is not mistaken for a command that completed with NO SENSE.
    fn request_sense(&mut self, timeout: Duration) -> Outcome<Vec<u8>> {
        let cdb = RequestSense::new(false, SENSE_ALLOCATION).cdb();
        let mut sense = vec![0u8; usize::from(SENSE_ALLOCATION)];
        let (status, n) = self.command(cdb.as_bytes(), &[], &mut sense, timeout)?;
        sense.truncate(if status == CswStatus::Passed { n } else { 0 });
        let says_nothing = cdb::sense::decode(&sense).is_ok_and(|s| {
            s.sense_key_code() == Some(cdb::sense::key::NO_SENSE)
                && s.asc_ascq().unwrap_or((0, 0)) == (0, 0)
        });
        if says_nothing {
            sense.clear();
        }
        Ok(sense)
    }
}

impl<D: UsbDevice> ScsiTransport for BotTransport<D> {
    fn execute(&mut self, request: ScsiRequest<'_>) -> Result<ScsiReply, TransportError> {
        if request.cdb.len() > MAX_CDB_LEN {
            return Err(TransportError::Refused(
                "Bulk-Only carries CDBs of at most 16 bytes".into(),
            ));
        }
        let timeout = request.timeout;
        self.device.set_timeout(timeout);
        let (out, into) = request.data.split();
        let (status, transferred) = self.command(request.cdb, out, into, timeout)?;
        Ok(match status {
            CswStatus::Passed => ScsiReply {
                status: Status::Good,
                sense: Vec::new(),
                transferred,
            },
            _ => ScsiReply {
                status: Status::CheckCondition,
                sense: self.request_sense(timeout)?,
                transferred,
            },
        })
    }

    fn usb_id(&self) -> Option<UsbId> {
        Some(self.link.id)
    }

    fn describe(&self) -> String {
        format!(
            "USB Bulk-Only, interface {} alt {}, LUN {}",
            self.link.interface, self.link.alternate, self.lun
        )
    }
}

/// The transport error for a USB failure during `what`.
pub(super) fn usb_error(what: &str, error: UsbError, timeout: Duration) -> TransportError {
    match error {
        UsbError::Timeout => TransportError::Timeout(timeout),
        UsbError::Disconnected => TransportError::Gone(format!("{what}: the device left the bus")),
        other => TransportError::Failed(format!("{what}: {other:?}")),
    }
}

#[cfg(test)]
mod tests;

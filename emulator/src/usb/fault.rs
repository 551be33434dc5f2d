//! Faults a test or a fault profile injects into the Bulk-Only pipes before a command
//! ([`Fault`]) or into the UAS pipes ([`UasFault`]), each imitating a misbehaving bridge or
//! cable that QEMU cannot produce (BOT 6.7, 6.3; UAS-2 4, USB 2.0 8.4.5).

use super::pipe::UsbError;
use cdb::usb::descriptor::PipeId;

/// The phase of a BOT command a fault strikes (BOT 5.3): command, data or status transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The CBW's bulk-out transfer.
    Command,
    /// The data transfer, either direction.
    Data,
    /// The CSW's bulk-in transfer.
    Status,
}

/// One injected fault. Each fires once, at the first point of the command sequence where
/// it applies; faults still armed when a CSW is delivered are dropped with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The endpoint of `Phase` answers STALL and is halted until CLEAR_FEATURE(HALT). A
    /// stalled CBW is not received; a stalled data-out phase fails the command unexecuted
    /// (CSW 01h, the whole length as residue); a stalled CSW is sent after the halt is
    /// cleared (BOT 6.7.2, 6.7.3).
    Stall(Phase),
    /// The CSW carries a wrong dCSWSignature (BOT 6.3.1: not valid).
    BadCswSignature,
    /// The CSW's dCSWTag does not match the dCBWTag (BOT 6.3.1: not meaningful).
    WrongCswTag,
    /// The CSW reports Phase Error (02h) whatever happened (BOT 5.3.3.1).
    PhaseError,
    /// Only the first `keep` bytes of the data-in stream are sent, then a short packet; the
    /// CSW still reports the residue of the full transfer, like a bridge that drops data.
    ShortPacket {
        /// Data-in bytes sent before the short packet ends the data phase.
        keep: u32,
    },
    /// The device leaves the bus at `Phase`: from then on every operation fails with
    /// [`super::UsbError::Disconnected`].
    Disconnect(Phase),
    /// The device stops answering at `Phase`: that bulk transfer and every later one time
    /// out until a Bulk-Only Mass Storage Reset or a port reset.
    NoResponse(Phase),
}

/// One fault injected into a UAS interface's pipes (UAS-2 4.3: command, status, data-in
/// and data-out pipes). Each fires once, at the next transfer where it applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UasFault {
    /// The pipe answers STALL and is halted until CLEAR_FEATURE(ENDPOINT_HALT) (USB 2.0
    /// 9.4.5); the transfer moves nothing and the command it belonged to waits.
    Stall(PipeId),
    /// The device leaves the bus at the next transfer on the pipe: from then on every
    /// operation fails with [`super::UsbError::Disconnected`], port reset included.
    Disconnect(PipeId),
    /// The device stops answering at the next transfer on the pipe: every bulk transfer
    /// times out until a port reset.
    NoResponse(PipeId),
    /// The next data-in phase sends only its first `keep` bytes; the Sense IU still
    /// reports the command's status, like a bridge that drops data (UAS has no residue).
    ShortDataIn {
        /// Data-in bytes sent before the phase ends.
        keep: u32,
    },
}

/// The faults both faces inject at a place — a BOT phase or a UAS pipe — that break the
/// link rather than the protocol: STALL, leaving the bus, no response (USB 2.0 8.4.5).
pub(super) trait LinkFault {
    /// Where the fault strikes.
    type Place: Copy + PartialEq;

    /// The error the transfer at `place` meets, if this is a link fault armed there.
    fn link_error(&self, place: Self::Place) -> Option<UsbError>;
}

impl LinkFault for Fault {
    type Place = Phase;

    fn link_error(&self, place: Phase) -> Option<UsbError> {
        match *self {
            Fault::Stall(p) if p == place => Some(UsbError::Stall),
            Fault::Disconnect(p) if p == place => Some(UsbError::Disconnected),
            Fault::NoResponse(p) if p == place => Some(UsbError::Timeout),
            _ => None,
        }
    }
}

impl LinkFault for UasFault {
    type Place = PipeId;

    fn link_error(&self, place: PipeId) -> Option<UsbError> {
        match *self {
            UasFault::Stall(p) if p == place => Some(UsbError::Stall),
            UasFault::Disconnect(p) if p == place => Some(UsbError::Disconnected),
            UasFault::NoResponse(p) if p == place => Some(UsbError::Timeout),
            _ => None,
        }
    }
}

/// The faults armed for the coming transfers.
#[derive(Debug, Clone)]
pub(super) struct Armed<F = Fault>(Vec<F>);

impl<F> Default for Armed<F> {
    fn default() -> Self {
        Armed(Vec::new())
    }
}

impl<F: PartialEq> Armed<F> {
    /// Arms `fault`.
    pub fn push(&mut self, fault: F) {
        self.0.push(fault);
    }

    /// Fires (removes and reports) the first armed fault `pick` accepts.
    pub fn fire<T>(&mut self, pick: impl Fn(&F) -> Option<T>) -> Option<T> {
        let (at, value) = self
            .0
            .iter()
            .enumerate()
            .find_map(|(i, f)| pick(f).map(|v| (i, v)))?;
        self.0.remove(at);
        Some(value)
    }

    /// Fires a fault equal to `fault`, if armed.
    pub fn take(&mut self, fault: F) -> bool {
        self.fire(|f| (*f == fault).then_some(())).is_some()
    }

    /// Drops every armed fault.
    pub fn clear(&mut self) {
        self.0.clear();
    }
}

impl<F: LinkFault + PartialEq> Armed<F> {
    /// Fires the first link fault armed at `place` and records what it does to the device:
    /// a disconnect sets `disconnected`, no response sets `hung`. The error is returned; on
    /// a STALL the caller halts its endpoint (USB 2.0 9.4.5).
    pub fn fire_link(
        &mut self,
        place: F::Place,
        disconnected: &mut bool,
        hung: &mut bool,
    ) -> Result<(), UsbError> {
        match self.fire(|f| f.link_error(place)) {
            None => Ok(()),
            Some(error) => {
                match error {
                    UsbError::Disconnected => *disconnected = true,
                    UsbError::Timeout => *hung = true,
                    _ => {}
                }
                Err(error)
            }
        }
    }
}

//! Faults a test or a fault profile injects into the Bulk-Only pipes before a command,
//! each imitating a misbehaving bridge or cable that QEMU cannot produce (BOT 6.7, 6.3).

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

/// The faults armed for the coming command.
#[derive(Debug, Default, Clone)]
pub(super) struct Armed(Vec<Fault>);

impl Armed {
    /// Arms `fault`.
    pub fn push(&mut self, fault: Fault) {
        self.0.push(fault);
    }

    /// Fires (removes and reports) the first armed fault `pick` accepts.
    pub fn fire<T>(&mut self, pick: impl Fn(&Fault) -> Option<T>) -> Option<T> {
        let (at, value) = self
            .0
            .iter()
            .enumerate()
            .find_map(|(i, f)| pick(f).map(|v| (i, v)))?;
        self.0.remove(at);
        Some(value)
    }

    /// Fires a fault equal to `fault`, if armed.
    pub fn take(&mut self, fault: Fault) -> bool {
        self.fire(|f| (*f == fault).then_some(())).is_some()
    }

    /// Drops every armed fault.
    pub fn clear(&mut self) {
        self.0.clear();
    }
}

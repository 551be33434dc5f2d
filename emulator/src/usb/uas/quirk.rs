//! Behaviours of USB–NVMe and USB–SATA bridges in the field that a UAS interface can be
//! given, each reproducing a reported failure. A CDB is "unknown" when the `cdb` crate's
//! decoder has no typed layout that tells its data phase (e.g. vendor operation codes C0h
//! to FFh, SPC-5 4.2.5.1): a bridge's firmware has no such table entry either.

/// A field quirk of a UAS bridge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quirk {
    /// `drop-unknown-data-phase`: the bridge executes an unknown CDB WITHOUT its data
    /// phase — no Read or Write Ready IU, no data — and reports GOOD in the Sense IU, so
    /// the host sees success and no data. Vendor CDBs that work over Bulk-Only (where the
    /// CBW states the transfer, BOT 5.1) lose their data over UAS (whose Command IU does
    /// not, UAS-2 6.2.2).
    DropUnknownDataPhase,
    /// `reset-on-unknown-cdb`: the bridge aborts on an unknown CDB and drops off the bus:
    /// every transfer fails with [`crate::usb::UsbError::Disconnected`] until a port reset,
    /// and the commands in flight are lost.
    ResetOnUnknownCdb,
}

impl Quirk {
    /// Every quirk, for name lookups.
    pub const ALL: [Quirk; 2] = [Quirk::DropUnknownDataPhase, Quirk::ResetOnUnknownCdb];

    /// The quirk's option name.
    pub fn name(self) -> &'static str {
        match self {
            Quirk::DropUnknownDataPhase => "drop-unknown-data-phase",
            Quirk::ResetOnUnknownCdb => "reset-on-unknown-cdb",
        }
    }

    /// The quirk named `name`, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Quirk::ALL.into_iter().find(|q| q.name() == name)
    }
}

//! The device side of USB Attached SCSI (T10 UAS-2; USB-IF UASP 1.0) in front of a SCSI
//! target device ([`ScsiTarget`]): the command, status, data-in and data-out pipes
//! (UAS-2 4.3), several commands in flight queued by tag, task management, injected
//! [`UasFault`]s and the [`Quirk`]s of bridges in the field.
//!
//! Two pipe models (UAS-2 4.3, 4.4):
//! - high speed, no streams: every IU the device sends travels the status pipe in order;
//!   a command's data phase waits for its Read Ready or Write Ready IU, one data phase at a
//!   time, in the order the commands arrived;
//! - SuperSpeed, streams: the stream ID of a command's status and data transfers is its
//!   tag; no Ready IUs; data phases of different commands proceed in any order.
//!
//! Where UAS lets the device choose it behaves like QEMU's usb-uas: a Sense IU ends every
//! command, GOOD included; with streams, tags are 1 to 16 ([`STREAMS`]); a tag already in
//! flight gets ABORTED COMMAND, OVERLAPPED COMMANDS ATTEMPTED and the first command goes
//! on; additional CDB bytes are refused; ABORT TASK and LOGICAL UNIT RESET complete, every
//! other task management function is not supported, and an aborted command gets no status.
//!
//! The data phase comes from the CDB through the `cdb` crate's decoder, as the Command IU
//! does not state one (UAS-2 6.2.2). A CDB the decoder cannot size (no typed layout, e.g.
//! vendor operation codes) runs as a possible data-in command with up to 64 KiB: the
//! target's data, if any, is sent; such a command never receives data-out.
//!
//! A transfer the device has nothing for yet (a NAK) fails with
//! [`UsbError::Timeout`] and changes nothing.

mod command;
mod pipes;
mod quirk;

use super::fault::{Armed, UasFault};
use super::pipe::UsbError;
use crate::target::ScsiTarget;
use cdb::usb::descriptor::PipeId;
use std::collections::{BTreeMap, VecDeque};

pub use quirk::Quirk;

/// The number of streams on the status and data pipes at SuperSpeed, and so the highest
/// tag (QEMU usb-uas: MaxStreams 4; USB 3.2 9.6.7).
pub const STREAMS: u16 = 16;

/// Where a command is (UAS-2 4.4): waiting for or in its data phase, or done with its
/// Sense IU queued.
#[derive(Debug)]
enum Stage {
    /// Data-in already produced by the target, `sent` bytes of it delivered; the Sense IU
    /// follows the last byte.
    DataIn {
        data: Vec<u8>,
        sent: usize,
        sense_iu: Vec<u8>,
    },
    /// Data-out the command wants, `received` so far; the target executes the CDB when
    /// all `wanted` bytes are in.
    DataOut {
        cdb: Vec<u8>,
        wanted: u64,
        received: Vec<u8>,
    },
    /// The Sense IU is queued on the status pipe; the tag is in flight until it is read.
    Done,
}

/// One command in flight (SAM-5 4.5: a task), by tag.
#[derive(Debug)]
struct Task {
    lun: u16,
    stage: Stage,
}

/// One IU waiting on the status pipe; delivering a Sense IU retires its command's tag.
#[derive(Debug)]
struct Outgoing {
    bytes: Vec<u8>,
    retires: Option<u16>,
}

/// A UAS interface (UAS-2 4) over a SCSI target device ([`ScsiTarget`]).
#[derive(Debug)]
pub struct UasDevice<T> {
    target: T,
    streams: bool,
    quirks: Vec<Quirk>,
    tasks: BTreeMap<u16, Task>,
    /// Without streams: tags waiting for a data phase; the front one has it.
    data_queue: VecDeque<u16>,
    /// IUs for the status pipe by stream (the tag with streams, 0 without).
    status: BTreeMap<u16, VecDeque<Outgoing>>,
    halted: Vec<PipeId>,
    hung: bool,
    disconnected: bool,
    /// A [`Quirk::ResetOnUnknownCdb`] bridge dropped off the bus; a port reset revives it.
    off_bus: bool,
    faults: Armed<UasFault>,
}

impl<T: ScsiTarget> UasDevice<T> {
    /// A UAS interface in front of `target`: with `streams` (SuperSpeed, UAS-2 4.4.3) or
    /// without (high speed, Read/Write Ready IUs, UAS-2 4.4.2).
    pub fn new(target: T, streams: bool) -> Self {
        UasDevice {
            target,
            streams,
            quirks: Vec::new(),
            tasks: BTreeMap::new(),
            data_queue: VecDeque::new(),
            status: BTreeMap::new(),
            halted: Vec::new(),
            hung: false,
            disconnected: false,
            off_bus: false,
            faults: Armed::default(),
        }
    }

    /// The same interface with the bridge behaviour `quirk` (see [`Quirk`]).
    pub fn with_quirk(mut self, quirk: Quirk) -> Self {
        self.quirks.push(quirk);
        self
    }

    /// True when the interface uses bulk streams (UAS-2 4.4.3).
    pub fn uses_streams(&self) -> bool {
        self.streams
    }

    /// Arms `fault` (see [`UasFault`]).
    pub fn inject(&mut self, fault: UasFault) {
        self.faults.push(fault);
    }

    /// The SCSI target behind the interface (SAM-5 4.6).
    pub fn target(&self) -> &T {
        &self.target
    }

    /// The SCSI target behind the interface, mutably (SAM-5 4.6).
    pub fn target_mut(&mut self) -> &mut T {
        &mut self.target
    }

    /// The SCSI target, the interface's own state discarded.
    pub fn into_target(self) -> T {
        self.target
    }

    /// True while the device is off the bus: disconnected, or dropped off by
    /// [`Quirk::ResetOnUnknownCdb`] until a port reset.
    pub fn is_disconnected(&self) -> bool {
        self.disconnected || self.off_bus
    }

    /// The failure every transfer on `pipe` meets before its content is looked at.
    fn gate(&self, pipe: PipeId) -> Result<(), UsbError> {
        if self.is_disconnected() {
            Err(UsbError::Disconnected)
        } else if self.hung {
            Err(UsbError::Timeout)
        } else if self.halted.contains(&pipe) {
            Err(UsbError::Stall)
        } else {
            Ok(())
        }
    }

    /// Fires an injected STALL, disconnect or no-response on `pipe`.
    fn pipe_fault(&mut self, pipe: PipeId) -> Result<(), UsbError> {
        let fired = self
            .faults
            .fire_link(pipe, &mut self.disconnected, &mut self.hung);
        if fired == Err(UsbError::Stall) {
            self.halt(pipe);
        }
        fired
    }

    /// Halts `pipe` until CLEAR_FEATURE(ENDPOINT_HALT) (USB 2.0 9.4.5).
    fn halt(&mut self, pipe: PipeId) {
        if !self.halted.contains(&pipe) {
            self.halted.push(pipe);
        }
    }

    /// The status-pipe queue key of `tag`: its stream with streams, else the one queue.
    fn stream_of(&self, tag: u16) -> u16 {
        if self.streams {
            tag
        } else {
            0
        }
    }

    /// Queues `bytes` on the status pipe for `tag`; delivering it retires `retires`.
    fn send(&mut self, tag: u16, bytes: Vec<u8>, retires: Option<u16>) {
        let stream = self.stream_of(tag);
        self.status
            .entry(stream)
            .or_default()
            .push_back(Outgoing { bytes, retires });
    }

    /// Drops every command and queued IU (a port reset, a bridge leaving the bus).
    fn drop_all(&mut self) {
        self.tasks.clear();
        self.data_queue.clear();
        self.status.clear();
    }
}

#[cfg(test)]
mod tests;

//! The face of the alternate setting in effect — Bulk-Only or UAS — over the device's one
//! SCSI target, with bulk transfers routed to it by endpoint (BOT 4; UAS-2 4.3).

use super::{DeviceConfig, Layout, Protocol, Speed};
use crate::target::ScsiTarget;
use crate::usb::pipe::{UsbError, UsbPipe, UsbResult};
use crate::usb::{BotDevice, UasDevice};
use cdb::usb::descriptor::{Endpoint, PipeId};

/// The interface's face in its alternate setting.
#[derive(Debug)]
pub(super) enum Face<T> {
    /// Bulk-Only Transport.
    Bot(BotDevice<T>),
    /// USB Attached SCSI.
    Uas(UasDevice<T>),
}

impl<T: ScsiTarget> Face<T> {
    /// A fresh face for alternate `alternate` of `layout` in front of `target`.
    pub fn new(target: T, layout: Layout, alternate: u8, config: &DeviceConfig) -> Self {
        match layout.alternates().get(usize::from(alternate)) {
            Some(Protocol::Uas) => {
                let uas = UasDevice::new(target, config.speed == Speed::Super);
                Face::Uas(config.uas_quirks.iter().fold(uas, |u, &q| u.with_quirk(q)))
            }
            _ => Face::Bot(BotDevice::new(target)),
        }
    }

    /// The target, the face's state discarded.
    pub fn into_target(self) -> T {
        match self {
            Face::Bot(bot) => bot.into_target(),
            Face::Uas(uas) => uas.into_target(),
        }
    }

    /// True once the device has left the bus.
    pub fn is_disconnected(&self) -> bool {
        match self {
            Face::Bot(bot) => bot.is_disconnected(),
            Face::Uas(uas) => uas.is_disconnected(),
        }
    }

    /// A bulk-out transfer on `endpoint` (an OUT endpoint of this face's alternate).
    pub fn bulk_out(
        &mut self,
        endpoint: &Endpoint,
        stream: u16,
        data: &[u8],
    ) -> Result<(), UsbError> {
        match (self, endpoint.pipe) {
            (Face::Bot(bot), _) => bot.bulk_out(data).map(drop),
            (Face::Uas(uas), Some(PipeId::Command)) => uas.command_out(data),
            (Face::Uas(uas), _) => uas.data_out(stream, data),
        }
    }

    /// A bulk-in transfer on `endpoint` (an IN endpoint of this face's alternate).
    pub fn bulk_in(&mut self, endpoint: &Endpoint, stream: u16, max: usize) -> UsbResult {
        match (self, endpoint.pipe) {
            (Face::Bot(bot), _) => bot.bulk_in(max),
            (Face::Uas(uas), Some(PipeId::Status)) => uas.status_in(stream, max),
            (Face::Uas(uas), _) => uas.data_in(stream, max),
        }
    }

    /// CLEAR_FEATURE(ENDPOINT_HALT) on `endpoint` (USB 2.0 9.4.1).
    pub fn clear_halt(&mut self, endpoint: &Endpoint) -> Result<(), UsbError> {
        match self {
            Face::Bot(bot) => {
                let which = if endpoint.is_in() {
                    crate::usb::Endpoint::BulkIn
                } else {
                    crate::usb::Endpoint::BulkOut
                };
                bot.clear_halt(which).map(drop)
            }
            // Every endpoint of a UAS alternate names its pipe (UAS-2 5.3.3.2).
            Face::Uas(uas) => endpoint.pipe.map_or(Ok(()), |pipe| uas.clear_halt(pipe)),
        }
    }

    /// A port reset of the face (USB 2.0 7.1.7.5).
    pub fn port_reset(&mut self) -> Result<(), UsbError> {
        match self {
            Face::Bot(bot) => bot.port_reset().map(drop),
            Face::Uas(uas) => uas.port_reset(),
        }
    }
}

//! The plan: how an image goes to a device, decided before anything is sent — the
//! method (WRITE BUFFER mode, SPC-5 6.49; or Firmware Image Download and Commit with a
//! slot and Commit Action, NVMe Base 2.0 5.14, 5.13), the largest legal chunk, every
//! command it will send, and the activation and reset it expects. A device that cannot
//! take firmware gets a refusal that says why.
//!
//! SCSI mode preference: 0Eh (download with offsets, save, defer) then 0Fh (activate
//! deferred microcode); 0Dh with no activation event selected where 0Eh is not supported
//! and 0Dh is (SPC-5 7.7.7 DM_MD_D); 07h (with offsets, save, activate); 05h (whole
//! image) only when the image fits one command. A mode the device reports supported
//! beats one it does not report; a mode reported unsupported is never chosen.
//!
//! Chunks: for SCSI the largest multiple of the OFFSET BOUNDARY (SPC-5 6.16; 4 KiB when
//! the device does not report one) within the transfer limit and the 24-bit PARAMETER
//! LIST LENGTH; for NVMe the largest multiple of the Firmware Update Granularity (FWUG,
//! Base 2.0 5.17.2.1; 4 KiB when not reported, a dword when unrestricted) within MDTS and
//! the transport's limit (1 MiB when neither is known). Only the last chunk is shorter.

use crate::outcome::RequiredReset;
use crate::probe::{ActivationTiming, Capabilities, NvmeCapabilities, ScsiCapabilities, Support};
use crate::validate::{self, scsi_max_command};
use cdb::command::{CdbLayout, ScsiCommand};
use cdb::error::BuildError;
use cdb::nvme::firmware::{
    CommitAction, FirmwareCommit, FirmwareImageDownload, FirmwareImageDownloadFields,
};
use cdb::nvme::{NvmeCommand, SqeLayout};
use cdb::scsi::spc::buffer::{OffsetBoundary, WriteBuffer, WriteBufferCdb, WriteBufferMode};
use serde::Serialize;

/// The chunk size used when the device reports no OFFSET BOUNDARY (SCSI) or FWUG (NVMe):
/// 4 KiB, a multiple of every boundary a real device reports up to it.
pub const DEFAULT_GRANULARITY: u64 = 4096;

/// The NVMe chunk limit when neither MDTS nor the transport gives one.
pub const DEFAULT_NVME_MAX_TRANSFER: u64 = 1 << 20;

/// A WRITE BUFFER download microcode mode (SPC-5 6.49).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScsiMode {
    /// 05h: download microcode, save and activate; the whole image in one command.
    Mode05h,
    /// 07h: download microcode with offsets, save and activate.
    Mode07h,
    /// 0Dh: with offsets, select activation events (none selected), save and defer.
    Mode0Dh,
    /// 0Eh: with offsets, save and defer activate.
    Mode0Eh,
}

impl ScsiMode {
    /// The WRITE BUFFER MODE.
    pub fn mode(self) -> WriteBufferMode {
        match self {
            ScsiMode::Mode05h => WriteBufferMode::DownloadMicrocodeSave,
            ScsiMode::Mode07h => WriteBufferMode::DownloadMicrocodeOffsetsSave,
            ScsiMode::Mode0Dh => WriteBufferMode::DownloadMicrocodeOffsetsSelectEventsSaveDefer,
            ScsiMode::Mode0Eh => WriteBufferMode::DownloadMicrocodeOffsetsSaveDefer,
        }
    }

    /// Deferred modes need WRITE BUFFER mode 0Fh to activate.
    pub fn deferred(self) -> bool {
        matches!(self, ScsiMode::Mode0Dh | ScsiMode::Mode0Eh)
    }
}

/// How the image goes to the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "protocol", rename_all = "snake_case")]
pub enum Method {
    /// WRITE BUFFER (SPC-5 6.49) in `mode`, buffer ID 00h; then mode 0Fh for the deferred
    /// modes.
    Scsi {
        /// The download mode.
        mode: ScsiMode,
    },
    /// Firmware Image Download (NVMe Base 2.0 5.14), then Firmware Commit (5.13).
    Nvme {
        /// Firmware Slot (FS) the commit replaces.
        slot: u8,
        /// Commit Action (CA): 001b (activate at the next reset) or 011b (immediately).
        commit_action: CommitAction,
    },
}

impl Method {
    /// A short name for the state file and messages, e.g. `write-buffer-0eh`.
    pub fn tag(&self) -> String {
        match self {
            Method::Scsi { mode } => format!("write-buffer-{:02x}h", mode.mode().code()),
            Method::Nvme {
                slot,
                commit_action,
            } => format!("nvme-slot{slot}-ca{}", *commit_action as u8),
        }
    }

    /// Whether every chunk names its own offset, so an interrupted download can go on
    /// where it stopped (WRITE BUFFER modes 07h, 0Dh, 0Eh; Firmware Image Download OFST).
    pub fn offset_addressed(&self) -> bool {
        !matches!(
            self,
            Method::Scsi {
                mode: ScsiMode::Mode05h
            }
        )
    }
}

/// When the new firmware is expected to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "when", rename_all = "snake_case")]
pub enum Activation {
    /// Activated before the final WRITE BUFFER completes (ACTIVATE MICROCODE 01b).
    WithFinalChunk,
    /// Activated by WRITE BUFFER mode 0Fh (SPC-5 6.49).
    ByActivateCommand,
    /// Activated by the Firmware Commit (Commit Action 011b), unless its status asks for a
    /// reset (NVMe Base 2.0 5.13).
    ByCommit,
    /// Activated by a reset.
    AtReset {
        /// The reset.
        reset: RequiredReset,
    },
    /// The device does not say (ACTIVATE MICROCODE 00b): the revision read back decides.
    NotIndicated,
}

/// One piece of the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Chunk {
    /// Byte offset in the image (BUFFER OFFSET, or OFST × 4).
    pub offset: u64,
    /// Length in bytes.
    pub len: u64,
}

/// A command the plan sends, for `--dry-run`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PlannedCommand {
    /// The command's name.
    pub name: &'static str,
    /// The CDB (SCSI) or the 64-byte submission queue entry (NVMe; CID and data pointers
    /// are the transport's).
    pub bytes: Vec<u8>,
    /// Bytes of the image it carries.
    pub data_out: u64,
}

/// How an update will proceed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Plan {
    /// The method.
    pub method: Method,
    /// The image length in bytes.
    pub image_len: u64,
    /// Every chunk's length but the last one's.
    pub chunk_size: u64,
    /// When the new firmware is expected to run.
    pub activation: Activation,
    /// Why these choices, in words.
    pub reasons: Vec<String>,
}

/// A refusal to plan: nothing is sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);

impl From<validate::Invalid> for Refusal {
    fn from(e: validate::Invalid) -> Self {
        Refusal(e.0)
    }
}

/// Plans the update of an image of `image_len` bytes on a device with `caps`.
pub fn plan(caps: &Capabilities, image_len: u64) -> Result<Plan, Refusal> {
    match caps {
        Capabilities::Scsi(scsi) => plan_scsi(scsi, caps, image_len),
        Capabilities::Nvme(nvme) => plan_nvme(nvme, caps, image_len),
    }
}

fn plan_scsi(scsi: &ScsiCapabilities, caps: &Capabilities, len: u64) -> Result<Plan, Refusal> {
    if let Some(why) = &scsi.refusal {
        return Err(Refusal(why.clone()));
    }
    validate::check(len, caps)?;
    let max = scsi_max_command(scsi);
    let boundary = scsi.buffer.map(|b| b.offset_boundary);
    let mut reasons = Vec::new();
    let chunk_size = if len <= max {
        reasons.push(format!("the image ({len} bytes) fits one command"));
        len
    } else {
        let align = match boundary {
            Some(OffsetBoundary::Aligned { .. }) => boundary.and_then(|b| b.alignment()),
            Some(OffsetBoundary::ZeroOnly) => None,
            None => Some(DEFAULT_GRANULARITY),
        }
        .unwrap_or(u64::MAX);
        let chunk = max / align * align;
        if chunk == 0 {
            return Err(Refusal(format!(
                "the device's OFFSET BOUNDARY ({align} bytes) exceeds the largest transfer \
                 ({max} bytes), and the image ({len} bytes) does not fit one command"
            )));
        }
        reasons.push(format!(
            "chunks of {chunk} bytes: the largest multiple of the {align}-byte offset \
             boundary within the {max}-byte transfer limit"
        ));
        chunk
    };
    let modes = &scsi.modes;
    let fits = len <= max;
    let activate_ok = modes.mode_0fh != Support::No;
    let candidates = [
        (ScsiMode::Mode0Eh, modes.mode_0eh, activate_ok),
        (
            ScsiMode::Mode0Dh,
            modes.mode_0dh,
            activate_ok && modes.mode_0dh == Support::Yes,
        ),
        (ScsiMode::Mode07h, modes.mode_07h, true),
        (ScsiMode::Mode05h, modes.mode_05h, fits),
    ];
    let pick = |wanted: Support| {
        candidates
            .iter()
            .find(|(_, support, ok)| *ok && *support == wanted)
            .map(|(mode, _, _)| *mode)
    };
    let Some(mode) = pick(Support::Yes).or_else(|| pick(Support::Unknown)) else {
        return Err(Refusal(
            "no usable download microcode mode: the modes the device supports need an image \
             that fits one command, or activation with mode 0Fh, which it does not support"
                .into(),
        ));
    };
    let reported = if modes.get(mode.mode()) == Support::Yes {
        "reported supported"
    } else {
        "not reported either way; the preferred mode tried"
    };
    reasons.push(format!(
        "WRITE BUFFER mode {:02X}h: {reported}",
        mode.mode().code()
    ));
    let activation = if mode.deferred() {
        Activation::ByActivateCommand
    } else {
        match scsi.activation {
            ActivationTiming::BeforeCompletion => Activation::WithFinalChunk,
            ActivationTiming::AfterEvent => Activation::AtReset {
                reset: RequiredReset::HardReset,
            },
            ActivationTiming::NotIndicated => Activation::NotIndicated,
        }
    };
    Ok(Plan {
        method: Method::Scsi { mode },
        image_len: len,
        chunk_size,
        activation,
        reasons,
    })
}

fn plan_nvme(nvme: &NvmeCapabilities, caps: &Capabilities, len: u64) -> Result<Plan, Refusal> {
    if !nvme.tunnel_carries_data_out {
        return Err(Refusal(format!(
            "the {} bridge's NVMe tunnel carries data-in commands only (Identify, Get Log \
             Page): Firmware Image Download cannot go through it",
            nvme.tunnel.unwrap_or("USB")
        )));
    }
    if !nvme.firmware_commands {
        return Err(Refusal(
            "the controller does not support Firmware Image Download and Firmware Commit \
             (Identify Controller OACS bit 2 is clear; such controllers answer Invalid \
             Command Opcode)"
                .into(),
        ));
    }
    validate::check(len, caps)?;
    let slots = nvme.frmw.slots.clamp(1, 7);
    let writable = |n: u8| !(n == 1 && nvme.frmw.first_slot_read_only);
    let slot_empty = |n: u8| {
        nvme.slot_revisions
            .get(usize::from(n) - 1)
            .is_none_or(Option::is_none)
    };
    let active = nvme.active_slot;
    let Some(slot) = (1..=slots)
        .filter(|&n| writable(n))
        .min_by_key(|&n| (Some(n) == active, !slot_empty(n), n))
    else {
        return Err(Refusal(
            "the controller has one firmware slot and it is read only (FRMW): no image can \
             be committed"
                .into(),
        ));
    };
    let commit_action = if nvme.frmw.activation_without_reset {
        CommitAction::ReplaceAndActivateImmediately
    } else {
        CommitAction::ReplaceAndActivate
    };
    let limit = [nvme.mdts_bytes, nvme.transport_max_transfer]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(DEFAULT_NVME_MAX_TRANSFER)
        .min(0xffff_fffc);
    let granularity = match nvme.fwug {
        0x00 if limit >= DEFAULT_GRANULARITY => DEFAULT_GRANULARITY,
        0x00 | 0xff => 4,
        n => u64::from(n) * 4096,
    };
    let chunk = limit / granularity * granularity;
    if chunk == 0 {
        return Err(Refusal(format!(
            "the Firmware Update Granularity ({granularity} bytes) exceeds the largest \
             transfer ({limit} bytes, MDTS and the transport)"
        )));
    }
    let chunk_size = chunk.min(len);
    let reasons = vec![
        format!(
            "chunks of {chunk_size} bytes: multiples of the {granularity}-byte update \
             granularity (FWUG) within the {limit}-byte transfer limit"
        ),
        format!(
            "slot {slot} ({}), Commit Action {}",
            if slot_empty(slot) {
                "empty"
            } else {
                "replaced"
            },
            if commit_action == CommitAction::ReplaceAndActivate {
                "001b: activate at the next reset (FRMW: no activation without reset)"
            } else {
                "011b: activate immediately (FRMW bit 4)"
            }
        ),
    ];
    let activation = match commit_action {
        CommitAction::ReplaceAndActivate => Activation::AtReset {
            reset: RequiredReset::ControllerLevel,
        },
        _ => Activation::ByCommit,
    };
    Ok(Plan {
        method: Method::Nvme {
            slot,
            commit_action,
        },
        image_len: len,
        chunk_size,
        activation,
        reasons,
    })
}

impl Plan {
    /// The chunks, in order, covering the image exactly.
    pub fn chunks(&self) -> impl Iterator<Item = Chunk> + '_ {
        let step = self.chunk_size.max(1);
        (0..self.image_len.div_ceil(step)).map(move |i| {
            let offset = i * step;
            Chunk {
                offset,
                len: step.min(self.image_len - offset),
            }
        })
    }

    /// The WRITE BUFFER carrying `data` at `chunk` (SPC-5 6.49), for the SCSI method.
    pub fn write_buffer(&self, chunk: Chunk, data: &[u8]) -> Result<WriteBuffer, BuildError> {
        let invalid = |reason| BuildError::Invalid {
            command: WriteBufferCdb::NAME,
            reason,
        };
        let Method::Scsi { mode } = self.method else {
            return Err(invalid("the plan is for an NVMe controller"));
        };
        let offset =
            u32::try_from(chunk.offset).map_err(|_| invalid("BUFFER OFFSET beyond 24 bits"))?;
        WriteBuffer::new(mode.mode(), 0, 0, offset, data.to_vec())
    }

    /// The Firmware Commit (NVMe Base 2.0 5.13), for the NVMe method.
    pub fn commit(&self) -> Option<FirmwareCommit> {
        match self.method {
            Method::Nvme {
                slot,
                commit_action,
            } => FirmwareCommit::new(slot, commit_action, false).ok(),
            Method::Scsi { .. } => None,
        }
    }

    /// Every command the plan sends, in order, without the image bytes (for `--dry-run`).
    pub fn commands(&self) -> Result<Vec<PlannedCommand>, BuildError> {
        let mut out = Vec::new();
        for chunk in self.chunks() {
            out.push(match self.method {
                Method::Scsi { mode } => {
                    let cdb = WriteBufferCdb::new(
                        mode.mode(),
                        0,
                        0,
                        u32::try_from(chunk.offset).unwrap_or(u32::MAX),
                        u32::try_from(chunk.len).unwrap_or(u32::MAX),
                    )?;
                    PlannedCommand {
                        name: WriteBufferCdb::NAME,
                        bytes: cdb.to_cdb().as_bytes().to_vec(),
                        data_out: chunk.len,
                    }
                }
                Method::Nvme { .. } => {
                    let fields = FirmwareImageDownloadFields {
                        numd: u32::try_from(chunk.len / 4)
                            .unwrap_or(u32::MAX)
                            .wrapping_sub(1),
                        ofst: u32::try_from(chunk.offset / 4).unwrap_or(u32::MAX),
                    };
                    PlannedCommand {
                        name: FirmwareImageDownloadFields::NAME,
                        bytes: fields.to_sqe().to_bytes().to_vec(),
                        data_out: chunk.len,
                    }
                }
            });
        }
        match self.method {
            Method::Scsi { mode } if mode.deferred() => {
                let activate = WriteBuffer::activate_deferred_microcode();
                out.push(PlannedCommand {
                    name: activate.name(),
                    bytes: activate.cdb().as_bytes().to_vec(),
                    data_out: 0,
                });
            }
            Method::Scsi { .. } => {}
            Method::Nvme { .. } => {
                if let Some(commit) = self.commit() {
                    out.push(PlannedCommand {
                        name: commit.name(),
                        bytes: commit.entry().to_bytes().to_vec(),
                        data_out: 0,
                    });
                }
            }
        }
        Ok(out)
    }

    /// The Firmware Image Download carrying `data` at `chunk` (NVMe Base 2.0 5.14).
    pub fn image_download<'a>(
        &self,
        chunk: Chunk,
        data: &'a [u8],
    ) -> Result<FirmwareImageDownload<'a>, BuildError> {
        FirmwareImageDownload::new(chunk.offset, data)
    }
}

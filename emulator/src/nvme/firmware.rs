//! Firmware slots, Firmware Image Download (NVMe Base 2.0 5.14) and Firmware Commit
//! (Base 2.0 5.13), with activation at a reset (Base 2.0 3.7) or immediately.

use super::config::FirmwareConfig;
use super::reply::{generic, specific, Done, Outcome, Reject};
use crate::image;
use cdb::nvme::firmware::{CommitAction, FirmwareCommit, FirmwareImageDownloadFields};
use cdb::nvme::status::sct;
use cdb::nvme::{ResetKind, SqeLayout, Status, SubmissionEntry};

/// The firmware slots (1 to 7), which one runs, which one the next reset activates, and
/// the image being downloaded.
#[derive(Debug, Clone)]
pub(crate) struct Firmware {
    /// Revision held by each slot; index 0 is slot 1.
    slots: Vec<Option<[u8; 8]>>,
    /// The slot the running firmware came from (1-based).
    active: u8,
    /// The running firmware's revision (a slot may since hold a newer image).
    running: [u8; 8],
    /// The slot a reset activates, and the weakest reset that does it.
    pending: Option<(u8, ResetKind)>,
    /// The image pieces received so far.
    download: Download,
    /// An incomplete image was committed on a controller configured to brick: the
    /// namespace is not ready until a valid image is committed.
    bricked: bool,
}

/// Pieces of an image received by Firmware Image Download, in byte ranges.
#[derive(Debug, Clone, Default)]
struct Download {
    image: Vec<u8>,
    pieces: Vec<(u64, u64)>,
}

/// How strong a reset is: a stronger reset includes the weaker ones (Base 2.0 3.7: an NVM
/// Subsystem Reset and a Conventional Reset both reset the controller).
fn strength(kind: ResetKind) -> u8 {
    match kind {
        ResetKind::ControllerLevel => 0,
        ResetKind::Conventional => 1,
        ResetKind::NvmSubsystem => 2,
    }
}

/// A Firmware Commit status reporting a successful commit (Command Specific, DNR clear;
/// Base 2.0 5.13, Figure "Firmware Commit – Command Specific Status Values").
fn commit_status(sc: u8) -> Status {
    Status {
        sct: sct::COMMAND_SPECIFIC,
        sc,
        ..Status::SUCCESS
    }
}

/// The status telling the host which reset activates the committed image.
fn needs_reset(kind: ResetKind) -> Status {
    commit_status(match kind {
        ResetKind::Conventional => specific::REQUIRES_CONVENTIONAL_RESET,
        ResetKind::NvmSubsystem => specific::REQUIRES_NVM_SUBSYSTEM_RESET,
        ResetKind::ControllerLevel => specific::REQUIRES_CONTROLLER_LEVEL_RESET,
    })
}

impl Firmware {
    /// Slot 1 holds `revision` and runs; the other slots are empty.
    pub fn new(config: &FirmwareConfig, revision: [u8; 8]) -> Firmware {
        let mut slots = vec![None; usize::from(config.slots.clamp(1, 7))];
        slots[0] = Some(revision);
        Firmware {
            slots,
            active: 1,
            running: revision,
            pending: None,
            download: Download::default(),
            bricked: false,
        }
    }

    /// True while a committed incomplete image has left the namespace unusable.
    pub fn bricked(&self) -> bool {
        self.bricked
    }

    /// Firmware Revision (FR) of the running firmware.
    pub fn running(&self) -> [u8; 8] {
        self.running
    }

    /// Runs the image in `slot`, if it holds one.
    fn activate(&mut self, slot: u8) {
        if let Some(revision) = self.slot(slot) {
            self.active = slot;
            self.running = revision;
        }
        self.pending = None;
    }

    fn slot(&self, n: u8) -> Option<[u8; 8]> {
        self.slots
            .get(usize::from(n).wrapping_sub(1))
            .copied()
            .flatten()
    }

    /// Active Firmware Info (AFI): running slot in bits 2:0, the slot the next reset
    /// activates in bits 6:4 (Base 2.0 5.16.1.4).
    pub fn afi(&self) -> u8 {
        self.active | self.pending.map_or(0, |(slot, _)| slot << 4)
    }

    /// Firmware Revision of each slot, all zero for an empty one (Base 2.0 5.16.1.4).
    pub fn slot_revisions(&self) -> impl Iterator<Item = [u8; 8]> + '_ {
        self.slots.iter().map(|s| s.unwrap_or([0; 8]))
    }

    /// Number of slots (FRMW bits 3:1).
    pub fn slot_count(&self) -> u8 {
        self.slots.len() as u8
    }

    /// A reset of `kind`: activates the pending image when the reset is strong enough,
    /// and discards a partial download.
    pub fn reset(&mut self, kind: ResetKind) {
        if let Some((slot, needed)) = self.pending {
            if strength(kind) >= strength(needed) {
                self.activate(slot);
            }
        }
        self.download = Download::default();
    }

    /// Firmware Image Download (Base 2.0 5.14): stores one piece of the image.
    pub fn download(
        &mut self,
        config: &FirmwareConfig,
        sqe: &SubmissionEntry,
        data_out: &[u8],
    ) -> Outcome {
        let fields =
            FirmwareImageDownloadFields::parse_sqe(sqe).map_err(|_| Reject::invalid_field())?;
        let len = (u64::from(fields.numd) + 1) * 4;
        let start = u64::from(fields.ofst) * 4;
        let end = start + len;
        let granularity = match config.fwug {
            0x01..=0xfe => u64::from(config.fwug) * 4096,
            _ => 4,
        };
        if start % granularity != 0 || end > u64::from(config.max_image_bytes) {
            return Err(Reject::invalid_field());
        }
        let piece = data_out
            .get(..len as usize)
            .ok_or(Reject::generic(generic::DATA_SGL_LENGTH_INVALID))?;
        let received = &self.download.pieces;
        if received.iter().any(|&(s, e)| start < e && s < end) {
            return Err(Reject::specific(specific::OVERLAPPING_RANGE));
        }
        let image = &mut self.download.image;
        if image.len() < end as usize {
            image.resize(end as usize, 0);
        }
        image[start as usize..end as usize].copy_from_slice(piece);
        self.download.pieces.push((start, end));
        Ok(Done::ok())
    }

    /// Firmware Commit (Base 2.0 5.13), Commit Actions 000b–011b.
    pub fn commit(&mut self, config: &FirmwareConfig, sqe: &SubmissionEntry) -> Outcome {
        let commit = FirmwareCommit::parse_sqe(sqe).map_err(|_| Reject::invalid_field())?;
        if commit.fs() > self.slot_count() {
            return Err(Reject::specific(specific::INVALID_FIRMWARE_SLOT));
        }
        match commit.ca() {
            CommitAction::ReplaceNoActivate => {
                self.replace(config, commit.fs()).map(|_| Done::ok())
            }
            CommitAction::ReplaceAndActivate => {
                let slot = self.replace(config, commit.fs())?;
                Ok(self.activate_at_reset(config, slot))
            }
            CommitAction::Activate => {
                let slot = match commit.fs() {
                    0 => self.pending.map_or(self.active, |(slot, _)| slot),
                    fs => fs,
                };
                if self.slot(slot).is_none() {
                    return Err(Reject::specific(specific::INVALID_FIRMWARE_IMAGE));
                }
                Ok(self.activate_at_reset(config, slot))
            }
            CommitAction::ReplaceAndActivateImmediately => {
                if !config.activation_without_reset {
                    return Err(Reject::invalid_field());
                }
                let slot = self.replace(config, commit.fs())?;
                Ok(match config.reset_required {
                    Some(kind) => self.schedule(slot, kind, needs_reset(kind)),
                    None if config.immediate_exceeds_mtfa => self.schedule(
                        slot,
                        ResetKind::ControllerLevel,
                        commit_status(specific::MAX_TIME_VIOLATION),
                    ),
                    None => {
                        self.activate(slot);
                        Done::ok()
                    }
                })
            }
            CommitAction::ReplaceBootPartition | CommitAction::ActivateBootPartition => {
                Err(Reject::invalid_field())
            }
        }
    }

    /// Schedules `slot` for activation at the next reset the configuration needs.
    fn activate_at_reset(&mut self, config: &FirmwareConfig, slot: u8) -> Done {
        match config.reset_required {
            Some(kind) => self.schedule(slot, kind, needs_reset(kind)),
            None => self.schedule(slot, ResetKind::ControllerLevel, Status::SUCCESS),
        }
    }

    /// Schedules `slot` for activation at a reset at least as strong as `kind`; the
    /// commit completes with `status`.
    fn schedule(&mut self, slot: u8, kind: ResetKind, status: Status) -> Done {
        self.pending = Some((slot, kind));
        Done { dw0: 0, status }
    }

    /// Validates the downloaded image and stores it in slot `fs` (0: the controller picks
    /// an empty or inactive writable slot); returns the slot. A valid image makes a
    /// bricked namespace ready again; an incomplete one bricks it, if so configured.
    fn replace(&mut self, config: &FirmwareConfig, fs: u8) -> Result<u8, Reject> {
        let writable = |n: u8| !(n == 1 && config.slot1_read_only);
        let slot = match fs {
            0 => (1..=self.slot_count())
                .filter(|&n| writable(n))
                .min_by_key(|&n| (n == self.active, self.slot(n).is_some(), n))
                .ok_or(Reject::specific(specific::INVALID_FIRMWARE_SLOT))?,
            n if writable(n) => n,
            _ => return Err(Reject::specific(specific::INVALID_FIRMWARE_SLOT)),
        };
        let download = std::mem::take(&mut self.download);
        let complete = download.complete();
        if complete.is_none() && !download.pieces.is_empty() && config.brick_on_incomplete {
            self.bricked = true;
        }
        let revision = complete
            .and_then(|image| (config.validate)(image).ok())
            .map(|fr| fr_bytes(&fr))
            .ok_or(Reject::specific(specific::INVALID_FIRMWARE_IMAGE))?;
        self.bricked = false;
        if let Some(entry) = self.slots.get_mut(usize::from(slot) - 1) {
            *entry = Some(revision);
        }
        if self.pending.is_some_and(|(p, _)| p == slot) {
            self.pending = None;
        }
        Ok(slot)
    }
}

/// A Firmware Revision as the FR field holds it: 8 ASCII bytes, space padded (Base 2.0
/// 5.17.2.1).
fn fr_bytes(revision: &str) -> [u8; 8] {
    let mut fr = [b' '; 8];
    for (slot, byte) in fr.iter_mut().zip(revision.bytes()) {
        *slot = byte;
    }
    fr
}

impl Download {
    /// The image when its pieces cover it from byte 0 without gaps up to the length its
    /// header declares ([`image::NVME`]).
    fn complete(&self) -> Option<&[u8]> {
        let mut pieces = self.pieces.clone();
        pieces.sort_unstable();
        let mut covered = 0;
        for (start, end) in pieces {
            if start != covered {
                return None;
            }
            covered = end;
        }
        (image::NVME.declared_len(&self.image) == Some(covered)).then_some(self.image.as_slice())
    }
}

//! Running a plan's download: chunk by chunk in order, each with its own timeout, each
//! reissued on transient conditions (BUSY, UNIT ATTENTION, becoming ready: SPC-5 4.4;
//! NVMe statuses with DNR clear: NVMe Base 2.0 4.6.1) at most a given number of times, with
//! progress reported after every acknowledged chunk and the resume state
//! ([`crate::state`]) rewritten crash-safely after each.
//!
//! Resume: a state file from an earlier run whose image CRC-32, length, device identity
//! and method match lets an offset-addressed download (WRITE BUFFER modes 07h, 0Dh, 0Eh,
//! SPC-5 6.49; Firmware Image Download, Base 2.0 5.14) go on at the recorded offset. A
//! SCSI device is asked first (READ BUFFER mode 0Fh, DOWNLOAD MICROCODE EXPECTED BUFFER
//! OFFSET, SPC-5 6.16 / SPC-6): when it expects another offset, its partial download is
//! gone and the download restarts from 0. Anything else restarts from 0, and says why.

use crate::error::FirmwareError;
use crate::identity::Identity;
use crate::plan::{Chunk, Method, Plan};
use crate::state::{self, ResumeState, StateError};
use crate::target::Target;
use cdb::error::BuildError;
use cdb::scsi::spc::buffer::{ReadBuffer, ReadBufferData};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;
use transports::execute::execute;

/// Download progress: image bytes the device has acknowledged, of the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Bytes acknowledged so far (from offset 0, including a resumed part).
    pub done: u64,
    /// The image length.
    pub total: u64,
}

/// How to run a download.
pub struct DownloadOptions<'a> {
    /// The timeout of each chunk's command.
    pub chunk_timeout: Duration,
    /// How many times one chunk is reissued after a transient condition.
    pub retries: u32,
    /// The pause before reissuing.
    pub retry_delay: Duration,
    /// The resume state file; no resume without one.
    pub state_file: Option<PathBuf>,
    /// Stop after sending this many chunks in this run (simulates an interruption).
    pub stop_after_chunks: Option<usize>,
    /// Called after each acknowledged chunk.
    pub progress: Option<&'a mut dyn FnMut(Progress)>,
}

impl DownloadOptions<'_> {
    /// 60 s per chunk, 3 retries 1 s apart, no state file, no progress.
    pub fn new() -> Self {
        DownloadOptions {
            chunk_timeout: Duration::from_secs(60),
            retries: 3,
            retry_delay: Duration::from_secs(1),
            state_file: None,
            stop_after_chunks: None,
            progress: None,
        }
    }
}

impl Default for DownloadOptions<'_> {
    fn default() -> Self {
        Self::new()
    }
}

/// Where the download started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "start", rename_all = "snake_case")]
pub enum Start {
    /// From offset 0, no state file from an earlier run.
    Fresh,
    /// At the offset an earlier run recorded.
    Resumed {
        /// The offset.
        offset: u64,
    },
    /// From 0, although a state file existed.
    Restarted {
        /// Why it could not resume.
        why: String,
    },
}

/// A download that ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Downloaded {
    /// Where it started.
    pub start: Start,
    /// Chunks sent in this run.
    pub chunks_sent: usize,
    /// Bytes acknowledged from offset 0.
    pub acknowledged: u64,
    /// False when [`DownloadOptions::stop_after_chunks`] stopped it early.
    pub finished: bool,
}

/// Why a download did not finish.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    /// The device answered a chunk with an error.
    #[error("the chunk at offset {offset}: {error}")]
    Rejected {
        /// The chunk's offset.
        offset: u64,
        /// The device's answer.
        error: FirmwareError,
        /// How the download started.
        start: Start,
    },
    /// A chunk got no answer (timeout, device gone): its effect is unknown.
    #[error("the chunk at offset {offset} got no answer: {error}")]
    NoAnswer {
        /// The chunk's offset.
        offset: u64,
        /// The transport's error.
        error: FirmwareError,
    },
    /// The state file could not be read or written.
    #[error(transparent)]
    State(#[from] StateError),
    /// A command could not be built.
    #[error(transparent)]
    Build(#[from] BuildError),
}

/// Downloads `image` to `target` as `plan` says; `identity` is the device's, recorded in
/// and checked against the state file.
pub fn download(
    target: &mut Target,
    plan: &Plan,
    image: &[u8],
    identity: &Identity,
    options: &mut DownloadOptions<'_>,
) -> Result<Downloaded, DownloadError> {
    let crc = state::crc32(image);
    let start = match &options.state_file {
        Some(path) => match state::load(path)? {
            Some(saved) => resume_point(target, plan, &saved, crc, identity, options.chunk_timeout),
            None => Start::Fresh,
        },
        None => Start::Fresh,
    };
    let from = match start {
        Start::Resumed { offset } => offset,
        _ => 0,
    };
    let mut record = ResumeState {
        version: state::VERSION,
        image_crc32: crc,
        image_len: plan.image_len,
        identity: identity.clone(),
        method: plan.method.tag(),
        acknowledged: from,
    };
    let mut sent = 0;
    for chunk in plan.chunks().filter(|c| c.offset >= from) {
        if options.stop_after_chunks == Some(sent) {
            return Ok(Downloaded {
                start,
                chunks_sent: sent,
                acknowledged: record.acknowledged,
                finished: false,
            });
        }
        let data = usize::try_from(chunk.offset)
            .ok()
            .zip(usize::try_from(chunk.offset + chunk.len).ok())
            .and_then(|(a, b)| image.get(a..b))
            .ok_or(BuildError::Invalid {
                command: "firmware download",
                reason: "the plan is for a longer image",
            })?;
        if let Err(error) = send_chunk(target, plan, chunk, data, options) {
            return Err(if error.no_answer() {
                DownloadError::NoAnswer {
                    offset: chunk.offset,
                    error,
                }
            } else {
                DownloadError::Rejected {
                    offset: chunk.offset,
                    error,
                    start,
                }
            });
        }
        sent += 1;
        record.acknowledged = chunk.offset + chunk.len;
        if let Some(path) = &options.state_file {
            state::save(path, &record)?;
        }
        if let Some(progress) = options.progress.as_mut() {
            progress(Progress {
                done: record.acknowledged,
                total: plan.image_len,
            });
        }
    }
    Ok(Downloaded {
        start,
        chunks_sent: sent,
        acknowledged: record.acknowledged,
        finished: true,
    })
}

/// Where to start, given the state an earlier run saved.
fn resume_point(
    target: &mut Target,
    plan: &Plan,
    saved: &ResumeState,
    crc: u32,
    identity: &Identity,
    timeout: Duration,
) -> Start {
    let restart = |why: &str| Start::Restarted {
        why: why.to_string(),
    };
    if saved.version != state::VERSION {
        return restart("the state file is of another version");
    }
    if saved.image_crc32 != crc || saved.image_len != plan.image_len {
        return restart("the state file is for another image (CRC-32 or length differs)");
    }
    if saved.identity != *identity {
        return restart("the state file is for another device (identity differs)");
    }
    if saved.method != plan.method.tag() {
        return restart("the state file is for another download method");
    }
    if !plan.method.offset_addressed() {
        return restart(
            "WRITE BUFFER mode 05h sends the whole image in one command: it cannot resume",
        );
    }
    let offset = saved.acknowledged;
    if offset > plan.image_len || offset % plan.chunk_size.max(1) != 0 && offset != plan.image_len {
        return restart("the recorded offset is not a chunk boundary of this plan");
    }
    if let (Target::Scsi(t), Method::Scsi { .. }) = (target, plan.method) {
        if let Ok(done) = execute(t.as_mut(), &ReadBuffer::microcode_status(), timeout) {
            if let ReadBufferData::MicrocodeStatus(status) = done.response {
                let expected = status.download_microcode_expected_buffer_offset;
                if let Some(expected) = expected.filter(|&e| u64::from(e) != offset) {
                    return Start::Restarted {
                        why: format!(
                            "the device expects BUFFER OFFSET {expected}, not the recorded \
                             {offset}: its partial download is gone"
                        ),
                    };
                }
            }
        }
    }
    Start::Resumed { offset }
}

/// Sends one chunk, reissuing it after transient conditions.
fn send_chunk(
    target: &mut Target,
    plan: &Plan,
    chunk: Chunk,
    data: &[u8],
    options: &DownloadOptions<'_>,
) -> Result<(), FirmwareError> {
    let timeout = options.chunk_timeout;
    let mut attempts = 0;
    loop {
        let result = match (&mut *target, plan.method) {
            (Target::Scsi(t), Method::Scsi { .. }) => {
                let command = plan.write_buffer(chunk, data)?;
                execute(t.as_mut(), &command, timeout)
                    .map(|_| ())
                    .map_err(FirmwareError::from)
            }
            (Target::Nvme { transport, .. }, Method::Nvme { .. }) => {
                let command = plan.image_download(chunk, data)?;
                transports::nvme::execute(transport.as_mut(), &command, timeout)
                    .map(|_| ())
                    .map_err(FirmwareError::from)
            }
            _ => {
                return Err(BuildError::Invalid {
                    command: "firmware download",
                    reason: "the plan is for a device of the other protocol",
                }
                .into())
            }
        };
        match result {
            Err(e) if e.transient() && attempts < options.retries => {
                attempts += 1;
                std::thread::sleep(options.retry_delay);
            }
            other => return other,
        }
    }
}

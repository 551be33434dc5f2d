//! One verification run: the write phase (the plan's writes, flushes or FUA as its
//! durability policy says, each promise journaled before the run goes on), optionally cut
//! short by a power cut, and the verify phase (every block of the range read back,
//! recognised and classified against what the journal says was promised).

use crate::block::{self, Stamp};
use crate::classify::{Classifier, Facts, Tally};
use crate::journal::{Journal, JournalError};
use crate::latency::{too_fast, LatencyHistogram, TooFast};
use crate::plan::{Durability, Plan, Write};
use crate::target::{BlockTarget, TargetError};
use cdb::error::BuildError;
use serde::{Deserialize, Serialize};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How many writes one `issued` journal record announces ahead of sending them.
const ISSUE_AHEAD: u64 = 1024;
/// With FUA or the cache off, how many acknowledged writes one `durable` record covers
/// (a crash loses at most this much of the journal's knowledge, never adds to it).
const DURABLE_BATCH: u64 = 64;
/// At most this many too-fast warnings are kept.
const MAX_WARNINGS: usize = 16;

/// Everything that defines a run, kept as the journal's first line so `--resume` and
/// `--restore` recompute the same plan and blocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RunParams {
    /// The device as the user named it.
    pub device: String,
    /// The run's nonce: blocks of other runs are foreign.
    pub nonce: u64,
    /// The device's logical block length.
    pub block_size: u32,
    /// First LBA of the range.
    pub start_lba: u64,
    /// Blocks in the range.
    pub blocks: u64,
    /// Blocks per write.
    pub blocks_per_write: u32,
    /// Passes over the range.
    pub epochs: u32,
    /// The write order's seed.
    pub seed: u64,
    /// How written data is made durable.
    pub durability: Durability,
    /// Writes in flight together between flushes (1: one at a time).
    #[serde(default = "one")]
    pub queue_depth: u32,
}

/// The queue depth of journals written before it was recorded.
fn one() -> u32 {
    1
}

impl RunParams {
    /// The write plan these parameters define.
    pub fn plan(&self) -> Result<Plan, BuildError> {
        Plan::new(
            self.start_lba,
            self.blocks,
            self.blocks_per_write,
            self.epochs,
            self.seed,
            self.durability,
        )
    }
}

/// Why a run stopped before its report.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The device failed a command.
    #[error("{0}")]
    Target(#[from] TargetError),
    /// The journal could not be written or read.
    #[error("{0}")]
    Journal(#[from] JournalError),
    /// The parameters make no plan.
    #[error("{0}")]
    Plan(#[from] BuildError),
}

/// What the write phase measured.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct WriteStats {
    /// Writes completed in this phase.
    pub writes: u64,
    /// Bytes written.
    pub bytes: u64,
    /// Wall time of the phase, in seconds.
    pub seconds: f64,
    /// Flush latencies.
    pub flush_latency: LatencyHistogram,
    /// FUA write latencies.
    pub fua_latency: LatencyHistogram,
    /// Flushes or FUA writes that completed faster than the data they made durable could
    /// have been persisted.
    pub too_fast: Vec<TooFast>,
}

/// Runs the plan's writes `from..until` (or to the end) on `target`, journaling what is
/// issued before it is sent and what is durable once the device has promised it.
/// `progress` hears the number of writes done so far.
pub fn write_phase(
    target: &mut dyn BlockTarget,
    params: &RunParams,
    journal: &mut Journal,
    from: u64,
    until: Option<u64>,
    progress: &mut dyn FnMut(u64),
) -> Result<WriteStats, RunError> {
    let plan = params.plan()?;
    fits(target, params)?;
    let end = until.map_or(plan.total_writes(), |u| u.min(plan.total_writes()));
    let capacity = params.block_size as usize * params.blocks_per_write as usize;
    let (bs, nonce) = (params.block_size as usize, params.nonce);
    std::thread::scope(|scope| {
        // Blocks are encoded on a second thread while the device takes the previous
        // writes; buffers go round between the two.
        let depth = params.queue_depth.max(1) as usize;
        let (full_tx, full_rx) = mpsc::sync_channel::<Encoded>(depth + PIPELINE);
        let (empty_tx, empty_rx) = mpsc::channel::<Vec<u8>>();
        for _ in 0..depth + PIPELINE {
            let _ = empty_tx.send(vec![0u8; capacity]);
        }
        scope.spawn(move || {
            for seq in from..end {
                let (Some(write), Ok(mut buf)) = (plan.write(seq), empty_rx.recv()) else {
                    break;
                };
                let encoded = encode_write(&mut buf, bs, nonce, write).map(|()| (write, buf));
                if full_tx.send(encoded).is_err() {
                    break;
                }
            }
        });
        let mut writer = Writer::new(target, journal, &plan, end);
        let mut batch: Vec<(Write, Vec<u8>)> = Vec::with_capacity(depth);
        for encoded in full_rx.iter() {
            let (write, buf) = encoded?;
            let seq = write.seq;
            batch.push((write, buf));
            // A batch ends at the queue depth, at a flush point and at the last write.
            if batch.len() == depth || plan.flush_after(seq) || seq + 1 == end {
                writer.send(&batch, bs)?;
                for (_, buf) in batch.drain(..) {
                    let _ = empty_tx.send(buf);
                }
                progress(writer.stats.writes);
            }
        }
        writer.finish(end.saturating_sub(from))
    })
}

/// How many encoded writes wait for the device at most, beyond a batch.
const PIPELINE: usize = 4;

/// One write's encoded blocks, or why they could not be encoded.
type Encoded = Result<(Write, Vec<u8>), RunError>;

/// Encodes the blocks of `write` (sequence number `write.seq`) into `buf`.
fn encode_write(buf: &mut [u8], bs: usize, nonce: u64, write: Write) -> Result<(), RunError> {
    let data = buf
        .get_mut(..bs * write.blocks as usize)
        .ok_or_else(|| TargetError::Unsupported("write longer than its buffer".to_string()))?;
    for (i, block) in data.chunks_exact_mut(bs).enumerate() {
        let stamp = Stamp {
            nonce,
            lba: write.lba + i as u64,
            generation: write.generation,
            seq: write.seq,
        };
        block::encode(&stamp, block).map_err(|e| TargetError::Unsupported(e.to_string()))?;
    }
    Ok(())
}

/// The device side of the write phase: sends writes and flushes as the durability policy
/// says, journals what is issued before sending it and what is durable once promised.
struct Writer<'a> {
    target: &'a mut dyn BlockTarget,
    journal: &'a mut Journal,
    plan: &'a Plan,
    end: u64,
    announced: Option<u64>,
    unflushed_bytes: u64,
    started: Instant,
    stats: WriteStats,
}

impl<'a> Writer<'a> {
    fn new(
        target: &'a mut dyn BlockTarget,
        journal: &'a mut Journal,
        plan: &'a Plan,
        end: u64,
    ) -> Self {
        Writer {
            target,
            announced: journal.facts().issued_through,
            journal,
            plan,
            end,
            unflushed_bytes: 0,
            started: Instant::now(),
            stats: WriteStats::default(),
        }
    }

    /// Sends a batch of the plan's writes together (and the flush that follows the last,
    /// if any); `bs` is the block size.
    fn send(&mut self, batch: &[(Write, Vec<u8>)], bs: usize) -> Result<(), RunError> {
        let (Some((first, _)), Some((last, _))) = (batch.first(), batch.last()) else {
            return Ok(());
        };
        let (first, last) = (first.seq, last.seq);
        if self.announced.is_none_or(|a| a < last) {
            let through = first
                .saturating_add(ISSUE_AHEAD - 1)
                .max(last)
                .min(self.end - 1);
            self.journal.issued(through)?;
            self.announced = Some(through);
        }
        let durability = self.plan.durability();
        let fua = durability == Durability::Fua;
        let writes: Vec<(u64, &[u8])> = batch
            .iter()
            .map(|(w, buf)| (w.lba, &buf[..bs * w.blocks as usize]))
            .collect();
        let bytes: u64 = writes.iter().map(|(_, d)| d.len() as u64).sum();
        let sent = Instant::now();
        self.target.write_many(&writes, fua)?;
        self.stats.writes += batch.len() as u64;
        self.stats.bytes += bytes;
        self.unflushed_bytes += bytes;
        if fua {
            let stats = &mut self.stats;
            note(
                &mut stats.fua_latency,
                &mut stats.too_fast,
                bytes,
                sent.elapsed(),
            );
        }
        match durability {
            Durability::FlushEvery { .. } if self.plan.flush_after(last) => {
                let flushing = Instant::now();
                self.target.flush()?;
                let stats = &mut self.stats;
                let took = flushing.elapsed();
                note(
                    &mut stats.flush_latency,
                    &mut stats.too_fast,
                    self.unflushed_bytes,
                    took,
                );
                self.unflushed_bytes = 0;
                self.journal.durable(last)?;
            }
            Durability::Fua | Durability::CacheOff
                if last + 1 == self.end
                    || self
                        .journal
                        .facts()
                        .durable_through
                        .is_none_or(|d| last - d >= DURABLE_BATCH) =>
            {
                self.journal.durable(last)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Fsyncs the journal and hands back the statistics, checking that all `expected`
    /// writes were sent.
    fn finish(self, expected: u64) -> Result<WriteStats, RunError> {
        self.journal.sync()?;
        if self.stats.writes != expected {
            return Err(TargetError::Unsupported(format!(
                "the plan produced {} of its {expected} writes",
                self.stats.writes
            ))
            .into());
        }
        Ok(WriteStats {
            seconds: self.started.elapsed().as_secs_f64(),
            ..self.stats
        })
    }
}

/// Records one latency, and a warning when it was too fast for `bytes` to be durable.
fn note(hist: &mut LatencyHistogram, warnings: &mut Vec<TooFast>, bytes: u64, took: Duration) {
    hist.record(took);
    if let Some(warning) = too_fast(bytes, took) {
        if warnings.len() < MAX_WARNINGS {
            warnings.push(warning);
        }
    }
}

/// What the verify phase found.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct VerifyStats {
    /// Blocks read.
    pub blocks: u64,
    /// Wall time of the phase, in seconds.
    pub seconds: f64,
    /// The classification of every block.
    pub tally: Tally,
}

/// Reads every block of the range back and classifies it against `facts`. `progress`
/// hears the number of blocks read so far.
pub fn verify_phase(
    target: &mut dyn BlockTarget,
    params: &RunParams,
    facts: Facts,
    progress: &mut dyn FnMut(u64),
) -> Result<VerifyStats, RunError> {
    let plan = params.plan()?;
    let end = fits(target, params)?;
    let bs = params.block_size as usize;
    let per_read = (target.geometry().max_transfer as usize / bs).max(1) as u64;
    let mut buf = vec![0u8; bs * per_read as usize];
    let mut classifier = Classifier::new(&plan, facts).with_queue_depth(params.queue_depth);
    let started = Instant::now();
    let mut lba = params.start_lba;
    while lba < end {
        let count = per_read.min(end - lba);
        let data = &mut buf[..bs * count as usize];
        target.read(lba, data)?;
        for (i, block) in data.chunks_exact(bs).enumerate() {
            let at = lba + i as u64;
            let content = block::decode(block, params.nonce, at)
                .map_err(|e| TargetError::Unsupported(e.to_string()))?;
            classifier.observe(at, &content);
        }
        lba += count;
        progress(lba - params.start_lba);
    }
    Ok(VerifyStats {
        blocks: params.blocks,
        seconds: started.elapsed().as_secs_f64(),
        tally: classifier.finish(),
    })
}

/// Checks that the run's blocks are the device's (a journal may name another device, or
/// be edited) and its range lies on it; returns the LBA after the range.
fn fits(target: &dyn BlockTarget, params: &RunParams) -> Result<u64, TargetError> {
    let g = target.geometry();
    if params.block_size != g.block_size || params.block_size == 0 {
        return Err(TargetError::Unsupported(format!(
            "the run's logical blocks are {} bytes, the device's {}",
            params.block_size, g.block_size
        )));
    }
    params
        .start_lba
        .checked_add(params.blocks)
        .filter(|&end| end <= g.blocks)
        .ok_or_else(|| {
            TargetError::Unsupported(format!(
                "the run's {} blocks from LBA {} run past the device's {} blocks",
                params.blocks, params.start_lba, g.blocks
            ))
        })
}

/// The volatile write cache around a run: as found, as used, as left.
#[derive(Debug, Clone, Copy, Default, Serialize, schemars::JsonSchema)]
pub struct WriteCacheReport {
    /// WCE / VWC when the run started (`None`: the target cannot tell).
    pub before: Option<bool>,
    /// WCE / VWC during the writes.
    pub during: Option<bool>,
    /// WCE / VWC when the run ended (always restored to `before`).
    pub after: Option<bool>,
}

/// A whole run.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Outcome {
    /// The write phase.
    pub write: WriteStats,
    /// The write sequence number after which power was cut, if it was.
    pub power_cut_after: Option<u64>,
    /// What the journal held when the device was read back.
    pub facts: Facts,
    /// The verify phase.
    pub verify: VerifyStats,
    /// The write cache around the run.
    pub write_cache: WriteCacheReport,
}

/// Runs the plan on `target` from its start: the write cache switched as the durability
/// policy needs, the writes (stopped after write `power_cut` and the power cycled, if
/// given), the write cache restored to what it was, then every block verified.
pub fn run(
    target: &mut dyn BlockTarget,
    params: &RunParams,
    journal: &mut Journal,
    power_cut: Option<u64>,
    progress: &mut dyn FnMut(Phase, u64),
) -> Result<Outcome, RunError> {
    let until = power_cut.map(|seq| seq.saturating_add(1));
    let (write, mut write_cache) = write_with_cache(target, params, journal, until, &mut |n| {
        progress(Phase::Write, n)
    })?;
    let power_cut_after = match power_cut {
        Some(seq) => {
            target.power_cycle()?;
            // A power cycle leaves the power-on default: put the cache back again.
            write_cache.after = restore_write_cache(target, write_cache.before)?;
            Some(seq)
        }
        None => None,
    };
    let facts = journal.facts();
    let verify = verify_phase(target, params, facts, &mut |n| progress(Phase::Verify, n))?;
    Ok(Outcome {
        write,
        power_cut_after,
        facts,
        verify,
        write_cache,
    })
}

/// The write phase from the plan's start (through write `until - 1`, if given) with the
/// write cache switched as the durability policy needs (off for
/// [`Durability::CacheOff`]) and restored to what it was afterwards, whatever happened.
pub fn write_with_cache(
    target: &mut dyn BlockTarget,
    params: &RunParams,
    journal: &mut Journal,
    until: Option<u64>,
    progress: &mut dyn FnMut(u64),
) -> Result<(WriteStats, WriteCacheReport), RunError> {
    let before = target.write_cache()?;
    let written = match switch_write_cache(target, params.durability, before) {
        Ok(during) => write_phase(target, params, journal, 0, until, progress).map(|w| (w, during)),
        Err(e) => Err(e.into()),
    };
    // The cache is put back whatever happened, before any error is reported.
    let restored = restore_write_cache(target, before);
    let (write, during) = written?;
    let after = restored?;
    Ok((
        write,
        WriteCacheReport {
            before,
            during,
            after,
        },
    ))
}

/// Switches the write cache off when `durability` needs it (it was `before`) and reads
/// it back.
fn switch_write_cache(
    target: &mut dyn BlockTarget,
    durability: Durability,
    before: Option<bool>,
) -> Result<Option<bool>, TargetError> {
    if durability == Durability::CacheOff && before != Some(false) {
        target.set_write_cache(false)?;
    }
    target.write_cache()
}

/// Switches the write cache back to `before` and reads it back.
fn restore_write_cache(
    target: &mut dyn BlockTarget,
    before: Option<bool>,
) -> Result<Option<bool>, TargetError> {
    if let Some(enabled) = before {
        if target.write_cache()? != Some(enabled) {
            target.set_write_cache(enabled)?;
        }
    }
    target.write_cache()
}

/// The phase a progress report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Writes done so far.
    Write,
    /// Blocks verified so far.
    Verify,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::Geometry;
    use crate::test_support::Scratch;

    /// A 64-block device in memory whose writes fail after `writes_ok` of them.
    struct Failing {
        blocks: Vec<u8>,
        cache: bool,
        writes_ok: u64,
    }

    impl BlockTarget for Failing {
        fn geometry(&self) -> Geometry {
            Geometry {
                block_size: 512,
                blocks: 64,
                max_transfer: 4096,
            }
        }
        fn read(&mut self, lba: u64, buf: &mut [u8]) -> Result<(), TargetError> {
            let at = usize::try_from(lba).ok().and_then(|l| l.checked_mul(512));
            let src = at.and_then(|a| self.blocks.get(a..a.checked_add(buf.len())?));
            buf.copy_from_slice(src.ok_or_else(|| TargetError::Device("LBA out of range".into()))?);
            Ok(())
        }
        fn write(&mut self, lba: u64, data: &[u8], _fua: bool) -> Result<(), TargetError> {
            if self.writes_ok == 0 {
                return Err(TargetError::Device("MEDIUM ERROR".into()));
            }
            self.writes_ok -= 1;
            let at = lba as usize * 512;
            self.blocks[at..at + data.len()].copy_from_slice(data);
            Ok(())
        }
        fn flush(&mut self) -> Result<(), TargetError> {
            Ok(())
        }
        fn write_cache(&mut self) -> Result<Option<bool>, TargetError> {
            Ok(Some(self.cache))
        }
        fn set_write_cache(&mut self, enabled: bool) -> Result<(), TargetError> {
            self.cache = enabled;
            Ok(())
        }
        fn power_cycle(&mut self) -> Result<(), TargetError> {
            Ok(())
        }
        fn describe(&self) -> String {
            "memory".into()
        }
    }

    fn params(durability: Durability) -> RunParams {
        RunParams {
            device: "memory".into(),
            nonce: 7,
            block_size: 512,
            start_lba: 0,
            blocks: 64,
            blocks_per_write: 2,
            epochs: 1,
            seed: 3,
            durability,
            queue_depth: 1,
        }
    }

    #[test]
    fn a_journal_that_does_not_fit_the_device_is_refused_not_a_panic() {
        let mut t = device(u64::MAX);
        for p in [
            RunParams {
                block_size: 4096,
                ..params(Durability::Fua)
            },
            RunParams {
                start_lba: u64::MAX,
                blocks: 1,
                ..params(Durability::Fua)
            },
            RunParams {
                start_lba: 60,
                ..params(Durability::Fua)
            },
        ] {
            let err = verify_phase(&mut t, &p, Facts::default(), &mut |_| {}).unwrap_err();
            assert!(
                matches!(err, RunError::Target(TargetError::Unsupported(_))),
                "{err}"
            );
        }
    }

    fn device(writes_ok: u64) -> Failing {
        Failing {
            blocks: vec![0; 64 * 512],
            cache: true,
            writes_ok,
        }
    }

    #[test]
    fn a_failed_write_phase_still_restores_the_write_cache() {
        let scratch = Scratch::new("run-cache");
        let p = params(Durability::CacheOff);
        let mut journal = Journal::create(scratch.path(), &p).unwrap();
        let mut t = device(5);
        let err = write_with_cache(&mut t, &p, &mut journal, None, &mut |_| {}).unwrap_err();
        assert!(
            matches!(err, RunError::Target(TargetError::Device(_))),
            "{err}"
        );
        assert!(t.cache, "the write cache is back on after the failure");
    }

    #[test]
    fn the_cache_is_off_during_cache_off_writes_and_restored() {
        let scratch = Scratch::new("run-cache-ok");
        let p = params(Durability::CacheOff);
        let mut journal = Journal::create(scratch.path(), &p).unwrap();
        let mut t = device(u64::MAX);
        let (write, cache) =
            write_with_cache(&mut t, &p, &mut journal, Some(4), &mut |_| {}).unwrap();
        assert_eq!(write.writes, 4);
        assert_eq!(
            (cache.before, cache.during, cache.after),
            (Some(true), Some(false), Some(true))
        );
        assert_eq!(journal.facts().durable_through, Some(3));
    }
}

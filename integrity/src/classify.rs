//! Classification: what each block read back means, given the write plan and what the
//! host journal knows, and a summary that names the promise the device broke.
//!
//! A block may hold any write of the plan between the latest one that was durable (issued
//! before the last acknowledged SYNCHRONIZE CACHE/Flush, or acknowledged with FUA or the
//! write cache off) and the latest one issued; anything older is a loss. A block that
//! lost its latest write is only serializable if no later write survived anywhere, which
//! the read pass learns only at its end: [`Classifier::observe`] settles every block it
//! can at once and keeps the few others (at most the blocks written since the last
//! durable point) for [`Classifier::finish`].

use serde::Serialize;

use crate::block::{Content, Stamp};
use crate::plan::{Durability, Plan, Write};

/// What the host journal knows when the device is read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
pub struct Facts {
    /// The sequence number of the last write made durable by an acknowledgement: issued
    /// before the last acknowledged flush (SBC-4 5.24; NVM Command Set 1.0 3.2.3), or,
    /// with FUA or the write cache off, the last acknowledged write. `None`: none yet.
    pub durable_through: Option<u64>,
    /// The sequence number of the last write issued. `None`: none yet.
    pub issued_through: Option<u64>,
}

/// The verdict on one block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "class")]
pub enum Class {
    /// Holds the latest write issued to it.
    Ok,
    /// Holds an older write (or its original data) that was allowed: the newer ones were
    /// not yet made durable.
    OkOlderAllowed,
    /// Holds data older than a write followed by an acknowledged flush.
    LostAfterFlush,
    /// Holds data older than a write acknowledged with FUA or with the write cache off.
    LostFuaWrite,
    /// The plan had not written it yet and it holds no data of this run (not a fault).
    NeverWritten,
    /// Holds this run's data written for another LBA.
    Misdirected {
        /// The LBA the data was written for.
        from_lba: u64,
    },
    /// Its sectors come from different writes.
    Torn {
        /// The first sector (of the logical block) that differs from sector 0.
        sector: u32,
    },
    /// Its stamps agree but its CRC does not.
    Corrupt {
        /// Bits that differ from what was written.
        bit_flips: u64,
    },
    /// Holds data this run did not write where a durable write of this run should be.
    Foreign,
    /// Lost its latest write while a write issued later survived: the device reordered
    /// writes across the power loss. SBC-4 4.15 allows this for writes not yet flushed;
    /// it breaks software that relies on write order without flushing.
    Unserializable,
}

impl Class {
    /// Whether this class is a broken promise (listed by LBA in the summary).
    pub fn is_fault(&self) -> bool {
        !matches!(
            self,
            Class::Ok | Class::OkOlderAllowed | Class::NeverWritten
        )
    }
}

/// The class of a block that holds older data than `durable` promised.
fn lost(durability: Durability) -> Class {
    match durability {
        Durability::FlushEvery { .. } => Class::LostAfterFlush,
        Durability::Fua | Durability::CacheOff => Class::LostFuaWrite,
    }
}

/// Whether `stamp` is one the plan put at `lba` by `issued` (else the block is foreign).
fn planned(plan: &Plan, stamp: &Stamp, lba: u64, issued: Option<u64>) -> Option<Write> {
    let write = plan.write(stamp.seq)?;
    let covers = lba >= write.lba && lba - write.lba < u64::from(write.blocks);
    (covers && write.generation == stamp.generation && Some(stamp.seq) <= issued).then_some(write)
}

/// Classifies the block at `lba` holding `content` on its own: every class except
/// [`Class::Unserializable`], which needs the whole pass (see [`Classifier`]).
pub fn classify(plan: &Plan, facts: &Facts, lba: u64, content: &Content) -> Class {
    let latest = facts.issued_through.and_then(|s| plan.latest_write(lba, s));
    let durable = facts
        .durable_through
        .and_then(|s| plan.latest_write(lba, s));
    let holds_seq = match content {
        Content::Misdirected { stamp } => {
            return Class::Misdirected {
                from_lba: stamp.lba,
            }
        }
        Content::Torn { sector, .. } => return Class::Torn { sector: *sector },
        Content::Corrupt { bit_flips, .. } => {
            return Class::Corrupt {
                bit_flips: *bit_flips,
            }
        }
        Content::Ours { stamp } => match planned(plan, stamp, lba, facts.issued_through) {
            Some(write) => Some(write.seq),
            None => return Class::Foreign,
        },
        Content::Zeros | Content::Foreign => None,
    };
    match (latest, durable, holds_seq) {
        (None, _, None) => Class::NeverWritten,
        (Some(l), _, Some(h)) if h == l.seq => Class::Ok,
        (_, Some(d), Some(h)) if h < d.seq => lost(plan.durability()),
        (_, Some(_), None) if matches!(content, Content::Foreign) => Class::Foreign,
        (_, Some(_), None) => lost(plan.durability()),
        _ => Class::OkOlderAllowed,
    }
}

/// A run of adjacent blocks with the same kind of fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct BadRun {
    /// The first LBA of the run.
    pub first_lba: u64,
    /// How many blocks it spans.
    pub blocks: u64,
    /// The class of its first block.
    pub class: Class,
}

/// Blocks per class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
pub struct Counts {
    /// [`Class::Ok`].
    pub ok: u64,
    /// [`Class::OkOlderAllowed`].
    pub ok_older_allowed: u64,
    /// [`Class::LostAfterFlush`].
    pub lost_after_flush: u64,
    /// [`Class::LostFuaWrite`].
    pub lost_fua_write: u64,
    /// [`Class::NeverWritten`].
    pub never_written: u64,
    /// [`Class::Misdirected`].
    pub misdirected: u64,
    /// [`Class::Torn`].
    pub torn: u64,
    /// [`Class::Corrupt`].
    pub corrupt: u64,
    /// [`Class::Foreign`].
    pub foreign: u64,
    /// [`Class::Unserializable`].
    pub unserializable: u64,
}

impl Counts {
    /// Blocks of the classes that are broken promises ([`Class::is_fault`]).
    pub fn faults(&self) -> u64 {
        self.lost_after_flush
            + self.lost_fua_write
            + self.misdirected
            + self.torn
            + self.corrupt
            + self.foreign
            + self.unserializable
    }

    fn slot(&mut self, class: &Class) -> &mut u64 {
        match class {
            Class::Ok => &mut self.ok,
            Class::OkOlderAllowed => &mut self.ok_older_allowed,
            Class::LostAfterFlush => &mut self.lost_after_flush,
            Class::LostFuaWrite => &mut self.lost_fua_write,
            Class::NeverWritten => &mut self.never_written,
            Class::Misdirected { .. } => &mut self.misdirected,
            Class::Torn { .. } => &mut self.torn,
            Class::Corrupt { .. } => &mut self.corrupt,
            Class::Foreign => &mut self.foreign,
            Class::Unserializable => &mut self.unserializable,
        }
    }
}

/// The most fault runs a summary lists; further faulty blocks are only counted.
pub const MAX_BAD_RUNS: usize = 1024;

/// The summary of a pass: counts, faulty blocks by LBA run, and what they mean.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Tally {
    /// Blocks per class.
    pub counts: Counts,
    /// Blocks that broke a promise: the sum of the fault classes in `counts`.
    pub faults: u64,
    /// Total bits flipped in corrupt blocks.
    pub bit_flips: u64,
    /// Faulty blocks, adjacent blocks of one kind merged, at most [`MAX_BAD_RUNS`] runs.
    pub bad_runs: Vec<BadRun>,
    /// Faulty blocks not listed in `bad_runs`.
    pub bad_blocks_unlisted: u64,
    /// One sentence per broken promise, or one saying none was broken.
    pub verdicts: Vec<String>,
}

impl Tally {
    fn new() -> Self {
        Tally {
            counts: Counts::default(),
            faults: 0,
            bit_flips: 0,
            bad_runs: Vec::new(),
            bad_blocks_unlisted: 0,
            verdicts: Vec::new(),
        }
    }

    fn add(&mut self, lba: u64, class: Class) {
        *self.counts.slot(&class) += 1;
        if let Class::Corrupt { bit_flips } = class {
            self.bit_flips = self.bit_flips.saturating_add(bit_flips);
        }
        if !class.is_fault() {
            return;
        }
        if let Some(run) = self.bad_runs.last_mut() {
            let same = std::mem::discriminant(&run.class) == std::mem::discriminant(&class);
            if same && run.first_lba.checked_add(run.blocks) == Some(lba) {
                run.blocks += 1;
                return;
            }
        }
        if self.bad_runs.len() < MAX_BAD_RUNS {
            self.bad_runs.push(BadRun {
                first_lba: lba,
                blocks: 1,
                class,
            });
        } else {
            self.bad_blocks_unlisted += 1;
        }
    }

    /// The first listed run of the class `class` belongs to.
    fn first_run(&self, class: &Class) -> Option<&BadRun> {
        let kind = std::mem::discriminant(class);
        self.bad_runs
            .iter()
            .find(|r| std::mem::discriminant(&r.class) == kind)
    }

    fn verdicts(&self, durability: Durability) -> Vec<String> {
        let c = &self.counts;
        let mut out = Vec::new();
        let mut say = |n: u64, text: String| {
            if n > 0 {
                out.push(text);
            }
        };
        say(
            c.lost_after_flush,
            format!(
                "SYNCHRONIZE CACHE (NVMe Flush) was acknowledged but {} blocks written before it \
             were lost: the device or its driver does not honour flushes.",
                grouped(c.lost_after_flush)
            ),
        );
        say(
            c.lost_fua_write,
            match durability {
                Durability::CacheOff => format!(
                    "The write cache was off but {} acknowledged blocks were lost: the device \
                 caches writes anyway or does not apply the cache setting.",
                    grouped(c.lost_fua_write)
                ),
                _ => format!(
                    "{} blocks written with FUA were acknowledged but lost: the device or its \
                 driver ignores Force Unit Access.",
                    grouped(c.lost_fua_write)
                ),
            },
        );
        let at = |class: Class| self.first_run(&class).map(|r| r.first_lba);
        if let Some(BadRun {
            first_lba,
            class: Class::Misdirected { from_lba },
            ..
        }) = self.first_run(&Class::Misdirected { from_lba: 0 })
        {
            say(
                c.misdirected,
                format!(
                    "{} blocks hold data written for another LBA (LBA {first_lba} holds LBA \
                 {from_lba}'s): the device writes to the wrong address.",
                    grouped(c.misdirected)
                ),
            );
        }
        if let Some(BadRun {
            first_lba,
            class: Class::Torn { sector },
            ..
        }) = self.first_run(&Class::Torn { sector: 0 })
        {
            say(
                c.torn,
                format!(
                    "{} blocks are torn (LBA {first_lba} changes write at sector {sector}): the \
                 device does not write a logical block atomically across a power loss.",
                    grouped(c.torn)
                ),
            );
        }
        say(
            c.corrupt,
            format!(
                "{} blocks fail their CRC with {} bits flipped{}: the medium or the data path \
             corrupts data.",
                grouped(c.corrupt),
                grouped(self.bit_flips),
                at(Class::Corrupt { bit_flips: 0 })
                    .map_or(String::new(), |l| format!(" (first LBA {l})"))
            ),
        );
        say(
            c.foreign,
            format!(
                "{} blocks hold data this run did not write where a durable write should be: \
             another writer, or the device returned stale data.",
                grouped(c.foreign)
            ),
        );
        say(
            c.unserializable,
            format!(
                "{} blocks lost their latest write while a later write survived: the device \
             reordered unflushed writes across the power loss, which breaks software that \
             relies on write order without flushing.",
                grouped(c.unserializable)
            ),
        );
        if out.is_empty() {
            out.push(format!(
                "Every promise was kept: {} blocks hold their latest write, {} hold older data \
                 that was not yet promised durable.",
                grouped(c.ok),
                grouped(c.ok_older_allowed)
            ));
        }
        out
    }
}

/// `n` with thousands separators (4,112).
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() * 4 / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A block that lost its latest write, settled at the end of the pass.
#[derive(Debug, Clone, Copy)]
struct Pending {
    lba: u64,
    lost_seq: u64,
}

/// Classifies a pass block by block in two steps: [`observe`](Self::observe) during the
/// read, [`finish`](Self::finish) at its end. Memory grows only with the blocks whose
/// latest write was not yet durable (the flush interval), not with the device.
#[derive(Debug)]
pub struct Classifier<'p> {
    plan: &'p Plan,
    facts: Facts,
    tally: Tally,
    highest_surviving: Option<u64>,
    pending: Vec<Pending>,
    queue_depth: u64,
}

impl<'p> Classifier<'p> {
    /// A classifier for a pass over `plan`'s range with the journal's `facts`.
    pub fn new(plan: &'p Plan, facts: Facts) -> Self {
        Classifier {
            plan,
            facts,
            tally: Tally::new(),
            highest_surviving: None,
            pending: Vec::new(),
            queue_depth: 1,
        }
    }

    /// Declares that the writes were sent `depth` at a time (0 counts as 1). Writes in
    /// flight together have no order (SAM-5 4.16 task set: SIMPLE tasks), so a lost write
    /// is only unserializable when a write at least `depth` sequence numbers later
    /// survived: a batch spans fewer, and nearer survivors are not counted against it.
    pub fn with_queue_depth(mut self, depth: u32) -> Self {
        self.queue_depth = u64::from(depth.max(1));
        self
    }

    /// Takes the block at `lba` holding `content` into account and returns its class;
    /// [`Class::OkOlderAllowed`] is provisional until [`finish`](Self::finish).
    pub fn observe(&mut self, lba: u64, content: &Content) -> Class {
        let class = classify(self.plan, &self.facts, lba, content);
        if let (Content::Ours { stamp }, Class::Ok | Class::OkOlderAllowed) = (content, class) {
            self.highest_surviving = self.highest_surviving.max(Some(stamp.seq));
        }
        let latest = self
            .facts
            .issued_through
            .and_then(|s| self.plan.latest_write(lba, s));
        match (class, latest) {
            (Class::OkOlderAllowed, Some(lost)) => {
                self.pending.push(Pending {
                    lba,
                    lost_seq: lost.seq,
                });
            }
            _ => self.tally.add(lba, class),
        }
        class
    }

    /// Settles the blocks that lost their latest write (unserializable if any later write
    /// survived) and returns the summary.
    pub fn finish(mut self) -> Tally {
        self.pending.sort_unstable_by_key(|p| p.lba);
        for p in &self.pending {
            let later = self
                .highest_surviving
                .is_some_and(|h| h.saturating_sub(p.lost_seq) >= self.queue_depth);
            let class = if later {
                Class::Unserializable
            } else {
                Class::OkOlderAllowed
            };
            self.tally.add(p.lba, class);
        }
        self.tally.verdicts = self.tally.verdicts(self.plan.durability());
        self.tally.faults = self.tally.counts.faults();
        self.tally
    }
}

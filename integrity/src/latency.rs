//! Latencies of the commands that promise durability — SYNCHRONIZE CACHE (SBC-4 5.24),
//! NVMe Flush (NVM Command Set 1.0 3.2.3) and FUA writes (SBC-4 5.40; NVM Command Set 1.0
//! 3.2.6) — in a log2-bucket histogram, and a plausibility check: a flush that completes
//! faster than any medium could have persisted the data it covers was probably not done.

use std::fmt;
use std::time::Duration;

/// No medium without power-loss protection persists a non-empty flush faster than this:
/// a flush reaching NAND or a platter costs at least tens of microseconds.
pub const MIN_DURABLE_LATENCY: Duration = Duration::from_micros(20);

/// No single device persists data faster than this many bytes per second (10 GB/s, above
/// the sequential write rate of current PCIe 5.0 SSDs).
pub const MAX_DURABLE_BYTES_PER_SECOND: u64 = 10_000_000_000;

/// A histogram of durations in power-of-two nanosecond buckets: bucket `i` counts
/// latencies in `[2^i, 2^(i+1))` ns (bucket 0 also holds 0 ns).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct LatencyHistogram {
    /// Sample counts per bucket, up to the highest bucket used.
    pub buckets: Vec<u64>,
    /// Number of samples.
    pub count: u64,
    /// Sum of all samples in nanoseconds (saturating).
    pub total_ns: u64,
    /// Smallest sample in nanoseconds (0 when empty).
    pub min_ns: u64,
    /// Largest sample in nanoseconds (0 when empty).
    pub max_ns: u64,
}

impl LatencyHistogram {
    /// Adds one sample.
    pub fn record(&mut self, latency: Duration) {
        let ns = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        let bucket = bucket_of(ns);
        if self.buckets.len() <= bucket {
            self.buckets.resize(bucket + 1, 0);
        }
        if let Some(slot) = self.buckets.get_mut(bucket) {
            *slot += 1;
        }
        self.min_ns = if self.count == 0 {
            ns
        } else {
            self.min_ns.min(ns)
        };
        self.max_ns = self.max_ns.max(ns);
        self.count += 1;
        self.total_ns = self.total_ns.saturating_add(ns);
    }

    /// The latency at or below which `percent` (0–100) of the samples lie, as the upper
    /// edge of its bucket clamped to the observed minimum and maximum (so p100 is the
    /// maximum); `None` when empty.
    pub fn percentile(&self, percent: f64) -> Option<Duration> {
        if self.count == 0 {
            return None;
        }
        let fraction = (percent / 100.0).clamp(0.0, 1.0);
        let rank = ((fraction * self.count as f64).ceil() as u64).clamp(1, self.count);
        let mut seen = 0;
        let bucket = self.buckets.iter().position(|&n| {
            seen += n;
            seen >= rank
        })?;
        let upper = 1u64
            .checked_shl(bucket as u32 + 1)
            .map_or(u64::MAX, |edge| edge - 1);
        Some(Duration::from_nanos(upper.clamp(self.min_ns, self.max_ns)))
    }

    /// The mean latency; `None` when empty.
    pub fn mean(&self) -> Option<Duration> {
        self.total_ns
            .checked_div(self.count)
            .map(Duration::from_nanos)
    }
}

/// The bucket of `ns`: `floor(log2(ns))`, 0 for 0.
fn bucket_of(ns: u64) -> usize {
    ns.checked_ilog2().unwrap_or(0) as usize
}

/// Why a flush looks too fast to be real.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TooFastReason {
    /// Faster than [`MIN_DURABLE_LATENCY`].
    BelowMinimumLatency,
    /// Faster than [`MAX_DURABLE_BYTES_PER_SECOND`] for the bytes it covered.
    AboveMaximumBandwidth,
}

/// A warning: a flush or FUA write completed faster than any medium could have persisted
/// the data it claims durable. Devices with power-loss protection (capacitor-backed
/// caches) may do this honestly; without it, the promise was probably not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct TooFast {
    /// Bytes the command claimed durable.
    pub bytes: u64,
    /// How long it took, in nanoseconds.
    pub latency_ns: u64,
    /// Which threshold it beat.
    pub reason: TooFastReason,
}

impl fmt::Display for TooFast {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let micros = self.latency_ns as f64 / 1000.0;
        let bound = match self.reason {
            TooFastReason::BelowMinimumLatency => format!(
                "under the {} µs a medium needs to persist anything",
                MIN_DURABLE_LATENCY.as_micros()
            ),
            TooFastReason::AboveMaximumBandwidth => format!(
                "above {} GB/s, faster than any medium persists data",
                MAX_DURABLE_BYTES_PER_SECOND / 1_000_000_000
            ),
        };
        write!(
            f,
            "a flush covering {} bytes completed in {micros:.1} µs, {bound}: unless the \
             device has power-loss protection, it did not make the data durable",
            self.bytes
        )
    }
}

/// Checks a flush (or FUA write) that claimed `bytes_claimed_durable` bytes durable and
/// took `latency`: warns when it beat [`MIN_DURABLE_LATENCY`] or
/// [`MAX_DURABLE_BYTES_PER_SECOND`]. An empty flush (0 bytes) may be instant.
pub fn too_fast(bytes_claimed_durable: u64, latency: Duration) -> Option<TooFast> {
    if bytes_claimed_durable == 0 {
        return None;
    }
    let latency_ns = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
    let reason = if latency < MIN_DURABLE_LATENCY {
        TooFastReason::BelowMinimumLatency
    } else if u128::from(bytes_claimed_durable) * 1_000_000_000
        > u128::from(MAX_DURABLE_BYTES_PER_SECOND) * u128::from(latency_ns)
    {
        TooFastReason::AboveMaximumBandwidth
    } else {
        return None;
    };
    Some(TooFast {
        bytes: bytes_claimed_durable,
        latency_ns,
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn micros(n: u64) -> Duration {
        Duration::from_micros(n)
    }

    #[test]
    fn percentiles_come_from_the_bucket_holding_the_rank() {
        let mut h = LatencyHistogram::default();
        assert_eq!(h.percentile(50.0), None);
        assert_eq!(h.mean(), None);
        // 90 samples of 100 µs (bucket 16: 65,536..131,071 ns), 10 of 5 ms.
        for _ in 0..90 {
            h.record(micros(100));
        }
        for _ in 0..10 {
            h.record(micros(5000));
        }
        assert_eq!(h.count, 100);
        assert_eq!(h.buckets.get(16), Some(&90));
        assert_eq!(
            h.buckets.get(22),
            Some(&10),
            "5,000,000 ns is in 2^22..2^23"
        );
        assert_eq!(h.percentile(0.0), Some(Duration::from_nanos(131_071)));
        assert_eq!(h.percentile(50.0), Some(Duration::from_nanos(131_071)));
        assert_eq!(h.percentile(90.0), Some(Duration::from_nanos(131_071)));
        assert_eq!(
            h.percentile(91.0),
            Some(micros(5000)),
            "clamped to the maximum"
        );
        assert_eq!(h.percentile(100.0), Some(micros(5000)));
        assert_eq!(h.mean(), Some(micros(590)));
    }

    #[test]
    fn zero_and_huge_latencies_have_buckets() {
        let mut h = LatencyHistogram::default();
        h.record(Duration::ZERO);
        h.record(Duration::from_secs(u64::MAX));
        assert_eq!(h.buckets.len(), 64);
        assert_eq!(h.min_ns, 0);
        assert_eq!(h.max_ns, u64::MAX);
        assert_eq!(h.percentile(100.0), Some(Duration::from_nanos(u64::MAX)));
        assert_eq!(h.percentile(50.0), Some(Duration::from_nanos(1)));
    }

    #[test]
    fn serializes_with_its_schema() {
        let mut h = LatencyHistogram::default();
        h.record(micros(3));
        let schema = schemars::schema_for!(LatencyHistogram);
        let schema = serde_json::to_value(&schema).expect("schema");
        assert!(schema.pointer("/properties/buckets").is_some(), "{schema}");
        let json = serde_json::to_value(&h).expect("json");
        assert_eq!(json.pointer("/count"), Some(&serde_json::json!(1)));
        assert_eq!(json.pointer("/buckets/11"), Some(&serde_json::json!(1)));
    }

    #[test]
    fn flushes_beating_a_medium_are_flagged() {
        assert_eq!(
            too_fast(0, Duration::ZERO),
            None,
            "an empty flush may be instant"
        );
        let instant = too_fast(4096, micros(5)).expect("below 20 µs");
        assert_eq!(instant.reason, TooFastReason::BelowMinimumLatency);
        assert_eq!(instant.latency_ns, 5000);
        assert!(instant.to_string().contains("power-loss protection"));
        // 1 GiB in 50 ms is ~21 GB/s.
        let fast = too_fast(1 << 30, Duration::from_millis(50)).expect("over 10 GB/s");
        assert_eq!(fast.reason, TooFastReason::AboveMaximumBandwidth);
        // 1 GiB in 200 ms is ~5.4 GB/s; 4 KiB in 1 ms is plausible.
        assert_eq!(too_fast(1 << 30, Duration::from_millis(200)), None);
        assert_eq!(too_fast(4096, Duration::from_millis(1)), None);
        // Exactly 10 GB/s is allowed, one byte more is not.
        assert_eq!(too_fast(1_000_000, micros(100)), None);
        assert!(too_fast(1_000_001, micros(100)).is_some());
    }
}

//! The block layer's transfer limits for a device's request queue (Linux
//! `Documentation/ABI/stable/sysfs-block`: `queue/max_hw_sectors_kb`, `queue/max_segments`),
//! which bound what one pass-through command can move. Checked before sending, so a too
//! long transfer is a clear error instead of an EINVAL from the kernel.

use crate::scsi::TransportError;
use std::fs;
use std::path::{Path, PathBuf};

/// A request queue's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QueueLimits {
    /// `max_hw_sectors_kb`: the largest request the hardware takes, in KiB.
    pub max_hw_sectors_kb: Option<u64>,
    /// `max_segments`: the most scatter-gather segments per request; a user buffer takes
    /// one per page in the worst case.
    pub max_segments: Option<u64>,
}

impl QueueLimits {
    /// Reads the limits from the `queue` directory `dir` (missing files leave a limit
    /// unknown).
    pub fn read(dir: &Path) -> QueueLimits {
        let number = |file: &str| {
            fs::read_to_string(dir.join(file))
                .ok()
                .and_then(|text| text.trim().parse().ok())
        };
        QueueLimits {
            max_hw_sectors_kb: number("max_hw_sectors_kb"),
            max_segments: number("max_segments"),
        }
    }

    /// The limits of the request queue serving the device at sysfs directory `dev`: its
    /// own `queue/` (a block device), its SCSI device's disk (`device/block/*/queue`, an sg
    /// node) or its first namespace (`*/queue`, an NVMe controller).
    pub fn for_device(dev: &Path) -> QueueLimits {
        queue_dir(dev).map_or_else(QueueLimits::default, |dir| QueueLimits::read(&dir))
    }

    /// The longest transfer in bytes, with `page` the memory page size: the smaller of
    /// `max_hw_sectors_kb` KiB and `max_segments - 1` pages — a buffer that does not
    /// start on a page boundary spans one page more than its length, and a request
    /// mapped to more than `max_segments` segments is refused with EINVAL, so where the
    /// heap puts the buffer must not matter; `None` when neither is known.
    pub fn max_transfer(&self, page: u64) -> Option<u64> {
        let by_size = self.max_hw_sectors_kb.map(|kb| kb * 1024);
        let by_segments = self.max_segments.map(|n| n.saturating_sub(1).max(1) * page);
        match (by_size, by_segments) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Refuses a transfer of `len` bytes longer than [`QueueLimits::max_transfer`].
    pub fn check(&self, len: usize, page: u64) -> Result<(), TransportError> {
        match self.max_transfer(page) {
            Some(max) if len as u64 > max => Err(TransportError::Refused(format!(
                "a transfer of {len} bytes exceeds this device's maximum of {max} bytes \
                 (max_hw_sectors_kb {}, max_segments {}); split it into smaller commands",
                shown(self.max_hw_sectors_kb),
                shown(self.max_segments),
            ))),
            _ => Ok(()),
        }
    }
}

/// A limit for display: the number, or "unknown".
fn shown(limit: Option<u64>) -> String {
    limit.map_or_else(|| "unknown".to_string(), |n| n.to_string())
}

/// The `queue` directory serving the device at `dev`.
fn queue_dir(dev: &Path) -> Option<PathBuf> {
    let own = dev.join("queue");
    if own.is_dir() {
        return Some(own);
    }
    // An NVMe generic node (ngXnY) has no queue of its own: its commands go through the
    // namespace's, the block device nvmeXnY beside it under the controller.
    let name = dev.file_name().and_then(|n| n.to_str());
    if let Some(namespace) = name.and_then(|n| n.strip_prefix("ng")) {
        let beside = dev.parent()?.join(format!("nvme{namespace}")).join("queue");
        if beside.is_dir() {
            return Some(beside);
        }
    }
    let children = |dir: PathBuf| {
        fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path().join("queue"))
            .find(|queue| queue.is_dir())
    };
    children(dev.join("device").join("block")).or_else(|| children(dev.to_path_buf()))
}

/// The memory page size, which bounds a segment of a user buffer.
pub fn page_size() -> u64 {
    // SAFETY: sysconf has no preconditions; it returns -1 for an unknown name.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    u64::try_from(size).ok().filter(|&s| s > 0).unwrap_or(4096)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_smaller_limit_wins_and_errors_name_both() {
        let limits = QueueLimits {
            max_hw_sectors_kb: Some(32767),
            max_segments: Some(168),
        };
        // 167 pages: an unaligned buffer of that length spans all 168 segments.
        assert_eq!(limits.max_transfer(4096), Some(167 * 4096));
        assert!(limits.check(167 * 4096, 4096).is_ok());
        let err = limits.check(167 * 4096 + 1, 4096).unwrap_err().to_string();
        assert!(err.contains("684032 bytes"), "{err}");
        assert!(err.contains("max_segments 168"), "{err}");
        assert_eq!(QueueLimits::default().max_transfer(4096), None);
        assert!(QueueLimits::default().check(usize::MAX, 4096).is_ok());
    }

    #[test]
    fn limits_come_from_the_queue_serving_the_node() {
        let scratch = crate::linux::scratch::Scratch::new("limits");
        let root = scratch.path();
        let queue = root.join("sg0/device/block/sda/queue");
        fs::create_dir_all(&queue).unwrap();
        fs::write(queue.join("max_hw_sectors_kb"), "120\n").unwrap();
        let limits = QueueLimits::for_device(&root.join("sg0"));
        assert_eq!(limits.max_hw_sectors_kb, Some(120));
        assert_eq!(limits.max_segments, None);
        assert_eq!(limits.max_transfer(4096), Some(120 * 1024));
    }

    #[test]
    fn a_generic_nvme_node_uses_its_namespaces_queue() {
        let scratch = crate::linux::scratch::Scratch::new("limits-ng");
        let controller = scratch.path().join("nvme0");
        let queue = controller.join("nvme0n1/queue");
        fs::create_dir_all(&queue).unwrap();
        fs::create_dir_all(controller.join("ng0n1")).unwrap();
        fs::write(queue.join("max_hw_sectors_kb"), "512\n").unwrap();
        fs::write(queue.join("max_segments"), "127\n").unwrap();
        let limits = QueueLimits::for_device(&controller.join("ng0n1"));
        assert_eq!(limits.max_segments, Some(127));
        assert_eq!(limits.max_transfer(4096), Some(126 * 4096));
    }

    #[test]
    fn the_page_size_is_sane() {
        let page = page_size();
        assert!(page.is_power_of_two() && page >= 4096, "{page}");
    }
}

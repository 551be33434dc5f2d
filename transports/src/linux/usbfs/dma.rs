//! Memory usbfs maps for DMA: `mmap` of the usbfs node (Linux 4.6 and later) hands out
//! buffers the host controller reads and writes directly, and a URB whose buffer lies in
//! one moves its bytes with no copy through a kernel buffer (usbfs `usbdev_mmap`,
//! `find_memory_area`). In the test VM (QEMU TCG) the kernel's copy to user memory ran at
//! about 1.1 GB/s (dd from a ramfs file) where a user-space `memcpy` ran at 1.6 GB/s, so a
//! large IN transfer into such a buffer, copied once to its destination, is the cheaper
//! way: UAS SuperSpeed reads went from 0.71x to 0.9–1.05x the kernel's uas.
//!
//! The kernel charges the mappings to `usbfs_memory_mb` (16 MiB for the whole system by
//! default), so the pool maps at most [`MAX_MAPPED`] and reuses what it mapped; when usbfs
//! maps no more (an older kernel, a host controller without DMA, the budget spent) the
//! caller moves its bytes another way.

use std::os::fd::RawFd;
use std::ptr::NonNull;

/// The most bytes one descriptor maps, leaving the rest of usbfs's default 16 MiB to other
/// programs.
const MAX_MAPPED: usize = 8 << 20;

/// A mapped buffer of `len` bytes.
#[derive(Debug)]
pub(super) struct Region {
    ptr: NonNull<u8>,
    len: usize,
}

impl Region {
    /// Its first byte.
    pub(super) fn as_mut_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }
}

/// The regions of one usbfs descriptor not in use, and how much is mapped in all.
#[derive(Debug, Default)]
pub(super) struct DmaPool {
    free: Vec<Region>,
    mapped: usize,
    /// usbfs refused a mapping: none is tried again.
    refused: bool,
}

impl DmaPool {
    /// A region of at least `len` bytes: the smallest free one that holds it, else a new
    /// mapping of `fd`; `None` when usbfs maps no more.
    pub(super) fn take(&mut self, fd: RawFd, len: usize) -> Option<Region> {
        let fit = self
            .free
            .iter()
            .enumerate()
            .filter(|(_, r)| r.len >= len)
            .min_by_key(|(_, r)| r.len)
            .map(|(at, _)| at);
        if let Some(at) = fit {
            return Some(self.free.swap_remove(at));
        }
        // Page-rounded; `None` past what a usize holds.
        let size = len.max(1).checked_next_multiple_of(page_size())?;
        if self.refused || self.mapped.checked_add(size)? > MAX_MAPPED {
            return None;
        }
        // SAFETY: a new shared mapping of the usbfs node, at an address the kernel picks;
        // no existing memory is touched.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                size,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fd,
                0,
            )
        };
        match NonNull::new(ptr.cast::<u8>()).filter(|_| ptr != libc::MAP_FAILED) {
            Some(ptr) => {
                self.mapped += size;
                Some(Region { ptr, len: size })
            }
            None => {
                self.refused = true;
                None
            }
        }
    }

    /// Puts `region` back for a later transfer (the kernel no longer holds it).
    pub(super) fn give_back(&mut self, region: Region) {
        self.free.push(region);
    }

    /// Unmaps every free region (before the descriptor closes).
    pub(super) fn unmap_free(&mut self) {
        for region in self.free.drain(..) {
            // SAFETY: the region was mapped by `take` with this length, no URB holds it
            // (it is free), and nothing refers to it after this.
            unsafe { libc::munmap(region.ptr.as_ptr().cast(), region.len) };
            self.mapped -= region.len;
        }
    }
}

/// The page size (what `mmap` lengths are rounded to).
fn page_size() -> usize {
    // SAFETY: sysconf reads a constant of the system.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(size)
        .ok()
        .filter(|&s| s > 0)
        .unwrap_or(4096)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_descriptor_that_is_not_usbfs_maps_nothing_and_is_not_asked_again() {
        let mut pool = DmaPool::default();
        assert!(pool.take(-1, 1 << 20).is_none());
        assert!(pool.refused);
        assert_eq!(pool.mapped, 0);
    }

    #[test]
    fn regions_are_reused_smallest_fit_first_and_unmapped_when_free() {
        // A memory file stands in for the usbfs node: it maps the same way.
        // SAFETY: a new anonymous memory file; its descriptor is closed below.
        let fd = unsafe { libc::memfd_create(c"dma-pool".as_ptr(), 0) };
        assert!(fd >= 0);
        // SAFETY: `fd` is the memory file just made.
        assert_eq!(unsafe { libc::ftruncate(fd, 4 << 20) }, 0);
        let mut pool = DmaPool::default();
        let big = pool.take(fd, 1 << 20).expect("mapped");
        let small = pool.take(fd, 100 << 10).expect("mapped");
        assert_eq!(pool.mapped, (1 << 20) + (100 << 10));
        let (big_at, small_at) = (big.as_mut_ptr(), small.as_mut_ptr());
        pool.give_back(big);
        pool.give_back(small);
        // 64 KiB fits both: the smaller one serves; 512 KiB only the larger.
        assert_eq!(
            pool.take(fd, 64 << 10).map(|r| r.as_mut_ptr()),
            Some(small_at)
        );
        let again = pool.take(fd, 512 << 10).expect("reused");
        assert_eq!(again.as_mut_ptr(), big_at);
        assert_eq!(pool.mapped, (1 << 20) + (100 << 10), "nothing new mapped");
        // Past the budget: none.
        assert!(pool.take(fd, MAX_MAPPED).is_none());
        pool.give_back(again);
        pool.unmap_free();
        assert_eq!(
            pool.mapped,
            100 << 10,
            "the region still taken stays mapped"
        );
        // SAFETY: closing the memory file made above.
        unsafe { libc::close(fd) };
    }

    #[test]
    fn the_budget_bounds_what_is_mapped() {
        let mut pool = DmaPool {
            mapped: MAX_MAPPED,
            ..DmaPool::default()
        };
        assert!(pool.take(-1, 4096).is_none());
        assert!(!pool.refused, "not asked: over budget");
    }
}

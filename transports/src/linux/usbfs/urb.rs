//! Bulk transfers submitted to run side by side (USBDEVFS_SUBMITURB) and collected as
//! they complete (USBDEVFS_REAPURBNDELAY, with poll(2) for the wait: usbfs reports POLLOUT
//! while a completed URB waits to be reaped, POLLHUP once the device is gone).
//!
//! Ownership: each submitted transfer is one boxed [`InFlight`] holding the kernel's
//! `struct usbdevfs_urb` and the memory it points into: a buffer of ours, or the caller's
//! ([`Urbs::submit_into`]). The kernel may write both until it hands the URB back, so an
//! `InFlight` leaves [`Urbs`] only after it was reaped: a discarded URB
//! (USBDEVFS_DISCARDURB) is reaped too before it is dropped, and whatever is still in
//! flight when the device is dropped is freed only after the file descriptor is closed
//! (the kernel then kills and forgets the URBs without touching user memory).
//!
//! The caller's memory: usbfs moves an IN URB's bytes from its own buffer to user memory
//! while the reap that returns the URB runs (`processcompl`), and a discard kills the URB
//! before it returns (`usb_kill_urb`), so a discarded URB can be reaped at once. A lent
//! URB that cannot be taken back so stops all reaping on the descriptor ([`Urbs`] is
//! then poisoned): its bytes never move, and closing the descriptor frees it. A large
//! transfer into the caller's memory goes through a region usbfs maps for DMA instead
//! (`dma`), copied to the caller's memory by the reap; one that cannot be taken back
//! writes only its region, and, marked discarded, is never copied.

use super::dma::{DmaPool, Region};
use super::{errno, ioctl};
use emulator::usb::device::{Completion, Transfer, TransferData, TransferId, Transferred};
use emulator::usb::UsbError;
use std::collections::VecDeque;
use std::ffi::c_int;
use std::io;
use std::os::fd::RawFd;
use std::time::{Duration, Instant};

/// How long a discarded URB may take to come back before it is left for a later reap.
const DISCARD_WAIT: Duration = Duration::from_secs(1);

/// Where a URB's bytes are.
#[derive(Debug)]
enum Memory {
    /// A buffer of ours: the bytes to send, or (IN) room for those received — its
    /// capacity, uninitialised until the URB is reaped. Never resized while in flight, so
    /// its heap address (`urb.buffer`) stays valid.
    Owned(Vec<u8>),
    /// The caller's memory, `urb.buffer_length` bytes at `urb.buffer`.
    Lent,
    /// A region usbfs maps for DMA (the URB's buffer), whose bytes are copied to the
    /// caller's memory at `dest` when the URB is reaped.
    Bounced { region: Region, dest: *mut u8 },
}

/// One submitted URB and its memory, boxed so the URB's address stays put.
#[derive(Debug)]
struct InFlight {
    urb: ioctl::Urb,
    memory: Memory,
    id: TransferId,
    /// Discarded: dropped, not reported, when reaped.
    discarded: bool,
}

/// The URBs of one usbfs file descriptor.
#[derive(Debug, Default)]
pub(super) struct Urbs {
    /// Boxed: the kernel holds each URB's address, which a growing `Vec` would move.
    #[allow(clippy::vec_box)]
    in_flight: Vec<Box<InFlight>>,
    /// Completions reaped while waiting for a discarded URB, reported first.
    done: VecDeque<Completion>,
    next: u64,
    /// A lent URB could not be taken back: nothing is reaped any more.
    poisoned: bool,
    /// Regions for large transfers into the caller's memory.
    dma: DmaPool,
}

/// The smallest transfer into the caller's memory that goes through a DMA region: below
/// it the kernel's copy costs less than the extra mapping.
const BOUNCE_MIN: usize = 64 << 10;

impl Urbs {
    /// Submits `transfer` on `fd`.
    pub(super) fn submit(&mut self, fd: RawFd, transfer: Transfer) -> Result<TransferId, UsbError> {
        // An IN buffer is left uninitialised (its capacity is the transfer's length): the
        // kernel writes what arrives, and only that becomes the Vec's contents (see
        // `completion`) — zeroing a megabyte per transfer first was measurable in the VM.
        let (mut buffer, length) = match transfer.data {
            TransferData::Out(bytes) => {
                let length = bytes.len();
                (bytes, length)
            }
            TransferData::In(max) => (Vec::with_capacity(max), max),
        };
        let (endpoint, stream) = (transfer.endpoint, transfer.stream);
        let urb = new_urb(endpoint, stream, buffer.as_mut_ptr(), length)?;
        // SAFETY: the URB points at `buffer`'s heap allocation, `length` bytes of capacity,
        // which moves into the `InFlight` (unmoved, never resized) and stays there until
        // the kernel returns the URB (see the module docs).
        unsafe { self.push(fd, urb, Memory::Owned(buffer)) }
    }

    /// Submits a bulk IN transfer of `len` bytes from `endpoint` on `stream` into the
    /// caller's memory at `buf`.
    ///
    /// # Safety
    /// `buf` must be valid for writes of `len` bytes, and not be read or written through
    /// any other path, until the transfer's completion has been returned by
    /// [`Urbs::reap`] or [`Urbs::wait_for`], or [`Urbs::discard`] (or
    /// [`Urbs::reclaim`]) has returned for it.
    pub(super) unsafe fn submit_into(
        &mut self,
        fd: RawFd,
        endpoint: u8,
        stream: u16,
        buf: *mut u8,
        len: usize,
    ) -> Result<TransferId, UsbError> {
        let endpoint = endpoint | cdb::usb::request::DIR_IN;
        // The length is checked before a region is taken.
        let mut urb = new_urb(endpoint, stream, buf, len)?;
        if len >= BOUNCE_MIN {
            if let Some(region) = self.dma.take(fd, len) {
                urb.buffer = region.as_mut_ptr().cast();
                let memory = Memory::Bounced { region, dest: buf };
                // SAFETY: the region is mapped for at least `len` bytes and stays with
                // the `InFlight` (or, if it is never reaped, mapped) until the kernel
                // returns the URB; `buf` is only written by `finish`, when the URB is
                // reaped and not discarded, within the caller's contract.
                return unsafe { self.push(fd, urb, memory) };
            }
        }
        // SAFETY: the caller keeps `buf` for the kernel until it is reaped or discarded;
        // a discard that cannot take it back poisons `self`, so it is never reaped later.
        unsafe { self.push(fd, urb, Memory::Lent) }
    }

    /// Hands `urb`, over `memory`, to the kernel.
    ///
    /// # Safety
    /// `urb.buffer` must stay valid for `urb.buffer_length` bytes until the URB is reaped
    /// (an owned `memory` holds it so).
    unsafe fn push(
        &mut self,
        fd: RawFd,
        urb: ioctl::Urb,
        memory: Memory,
    ) -> Result<TransferId, UsbError> {
        if self.poisoned {
            return Err(UsbError::Disconnected);
        }
        self.next = self.next.wrapping_add(1);
        let mut entry = Box::new(InFlight {
            urb,
            memory,
            id: TransferId(self.next),
            discarded: false,
        });
        let urb: *mut ioctl::Urb = &mut entry.urb;
        // SAFETY: the URB lives in `entry`'s heap allocation, which is kept in
        // `in_flight` (unmoved) until the kernel returns the URB through a reap, or until
        // the file descriptor is closed; its buffer is valid as this function's contract
        // requires. When submission fails the kernel holds nothing and `entry` is dropped
        // (a DMA region going back to the pool).
        if let Err(e) = unsafe { ioctl::submit_urb(fd, urb) } {
            if let Memory::Bounced { region, .. } = entry.memory {
                self.dma.give_back(region);
            }
            return Err(errno::from_io(&e));
        }
        let id = entry.id;
        self.in_flight.push(entry);
        Ok(id)
    }

    /// The next completed transfer, waiting up to `timeout` for one.
    pub(super) fn reap(&mut self, fd: RawFd, timeout: Duration) -> Result<Completion, UsbError> {
        if let Some(done) = self.done.pop_front() {
            return Ok(done);
        }
        let deadline = deadline_after(timeout);
        loop {
            match self.reap_ready(fd)? {
                Some((done, false)) => return Ok(done),
                Some((_, true)) => continue,
                None => {}
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(UsbError::Timeout);
            }
            wait(fd, left)?;
        }
    }

    /// Waits up to `timeout` for transfer `id` alone (others completing meanwhile are kept
    /// for [`Urbs::reap`]); when it does not complete in time it is discarded:
    /// [`UsbError::Timeout`].
    pub(super) fn wait_for(
        &mut self,
        fd: RawFd,
        id: TransferId,
        timeout: Duration,
    ) -> Result<Completion, UsbError> {
        if let Some(at) = self.done.iter().position(|done| done.id == id) {
            if let Some(done) = self.done.remove(at) {
                return Ok(done);
            }
        }
        match self.collect(fd, id, deadline_after(timeout))? {
            Some(done) => Ok(done),
            None => {
                self.discard(fd, id)?;
                Err(UsbError::Timeout)
            }
        }
    }

    /// Cancels transfer `id` and reaps it, keeping other completions for later; a
    /// completion of `id` not yet reported is dropped.
    pub(super) fn discard(&mut self, fd: RawFd, id: TransferId) -> Result<(), UsbError> {
        self.done.retain(|done| done.id != id);
        let Some(entry) = self.in_flight.iter_mut().find(|e| e.id == id) else {
            return Ok(());
        };
        entry.discarded = true;
        let lent = matches!(entry.memory, Memory::Lent);
        let urb: *mut ioctl::Urb = &mut entry.urb;
        let back = match ioctl::discard_urb(fd, urb) {
            // EINVAL: it completed already and waits to be reaped; ENODEV: the device
            // left, and the kernel killed every URB (they are reaped all the same).
            Err(e) if !matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENODEV)) => {
                Err(errno::from_io(&e))
            }
            _ => self.collect(fd, id, deadline_after(DISCARD_WAIT)),
        };
        // An owned URB that does not come back in time stays in flight, marked, and is
        // dropped when a later reap returns it or after the descriptor closes; a lent one
        // must never be reaped once the caller has its memory back.
        if lent && !matches!(back, Ok(Some(_))) {
            self.poisoned = true;
        }
        back.map(drop)
    }

    /// Discards every transfer into the caller's memory still in flight
    /// ([`Urbs::discard`]).
    pub(super) fn reclaim(&mut self, fd: RawFd) {
        let lent: Vec<TransferId> = self
            .in_flight
            .iter()
            .filter(|e| matches!(e.memory, Memory::Lent | Memory::Bounced { .. }))
            .map(|e| e.id)
            .collect();
        for id in lent {
            let _ = self.discard(fd, id);
        }
    }

    /// Before the descriptor closes: discards every URB in flight (their memory is freed
    /// after it closes), reaps those already back and unmaps the DMA regions no URB holds.
    pub(super) fn close(&mut self, fd: RawFd) {
        for entry in &mut self.in_flight {
            entry.discarded = true;
            let urb: *mut ioctl::Urb = &mut entry.urb;
            let _ = ioctl::discard_urb(fd, urb);
        }
        while let Ok(Some(_)) = self.reap_ready(fd) {}
        self.dma.unmap_free();
    }

    /// Reaps until transfer `id` comes back (returned) or `deadline` passes (`None`);
    /// other transfers' completions are kept for [`Urbs::reap`].
    fn collect(
        &mut self,
        fd: RawFd,
        id: TransferId,
        deadline: Instant,
    ) -> Result<Option<Completion>, UsbError> {
        loop {
            match self.reap_ready(fd)? {
                Some((done, _)) if done.id == id => return Ok(Some(done)),
                Some((done, false)) => self.done.push_back(done),
                Some((_, true)) => {}
                None => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Ok(None);
                    }
                    wait(fd, left)?;
                }
            }
        }
    }

    /// Reaps one completed URB, with whether it was discarded; `None` when none is ready.
    fn reap_ready(&mut self, fd: RawFd) -> Result<Option<(Completion, bool)>, UsbError> {
        if self.poisoned {
            return Err(UsbError::Disconnected);
        }
        let urb = match ioctl::reap_urb(fd) {
            Ok(urb) => urb,
            Err(e) if e.raw_os_error() == Some(libc::EAGAIN) => return Ok(None),
            Err(e) => return Err(errno::from_io(&e)),
        };
        let index = self
            .in_flight
            .iter()
            .position(|e| std::ptr::eq(&e.urb, urb))
            .ok_or(UsbError::InvalidParam)?;
        let entry = self.in_flight.swap_remove(index);
        let discarded = entry.discarded;
        Ok(Some((self.finish(*entry), discarded)))
    }

    /// The completion of a reaped URB; a DMA region's bytes go to their destination
    /// (unless the transfer was discarded) and the region back to the pool.
    fn finish(&mut self, entry: InFlight) -> Completion {
        let InFlight {
            urb,
            memory,
            id,
            discarded,
        } = entry;
        // A region leaves the entry; the count is reported as for lent memory.
        let (memory, bounced) = match memory {
            Memory::Bounced { region, dest } => (Memory::Lent, Some((region, dest))),
            other => (other, None),
        };
        let result = completion(InFlight {
            urb,
            memory,
            id,
            discarded,
        });
        if let Some((region, dest)) = bounced {
            if let (Ok(Transferred::Received(n)), false) = (&result.result, discarded) {
                // SAFETY: the kernel returned the URB, so it no longer writes the region,
                // which holds at least the URB's length, which bounds `n`; `dest` is the
                // caller's memory of that length, valid until this reap (the contract of
                // `submit_into`); the two do not overlap (one is a usbfs mapping).
                unsafe { std::ptr::copy_nonoverlapping(region.as_mut_ptr(), dest, *n) };
            }
            self.dma.give_back(region);
        }
        result
    }
}

/// The instant `timeout` from now; a timeout past what `Instant` can hold (such as
/// `Duration::MAX` for "no limit") waits as long as it can instead of overflowing.
fn deadline_after(timeout: Duration) -> Instant {
    let now = Instant::now();
    // Halving converges on the largest representable span in at most 64 steps.
    let mut span = timeout;
    loop {
        if let Some(deadline) = now.checked_add(span) {
            return deadline;
        }
        span /= 2;
    }
}

/// What a reaped URB moved, or how it failed (its status is a negative `errno`).
fn completion(entry: InFlight) -> Completion {
    let InFlight {
        urb, memory, id, ..
    } = entry;
    let moved = usize::try_from(urb.actual_length).unwrap_or(0);
    let length = usize::try_from(urb.buffer_length).unwrap_or(0);
    let result = match memory {
        _ if urb.status != 0 => Err(errno::from_errno(urb.status.saturating_neg())),
        // (A region's bytes are copied by `Urbs::finish`, which passes it as lent.)
        Memory::Lent | Memory::Bounced { .. } => Ok(Transferred::Received(moved.min(length))),
        Memory::Owned(mut buffer) if urb.endpoint & cdb::usb::request::DIR_IN != 0 => {
            let received = moved.min(buffer.capacity());
            if received > buffer.len() {
                // SAFETY: a completed IN URB's first `actual_length` bytes are what usbfs
                // copied to its buffer (copy_urb_data_to_user); the buffer's capacity was
                // the URB's length, which bounds `actual_length`, and `received` is at most
                // the capacity. Bytes past `received` stay outside the Vec.
                unsafe { buffer.set_len(received) };
            } else {
                buffer.truncate(received);
            }
            Ok(Transferred::In(buffer))
        }
        Memory::Owned(buffer) => Ok(Transferred::Out(moved.min(buffer.len()))),
    };
    Completion { id, result }
}

/// A bulk URB of `length` bytes at `buffer` for `endpoint` on `stream`.
fn new_urb(
    endpoint: u8,
    stream: u16,
    buffer: *mut u8,
    length: usize,
) -> Result<ioctl::Urb, UsbError> {
    Ok(ioctl::Urb {
        urb_type: ioctl::URB_TYPE_BULK,
        endpoint,
        status: 0,
        flags: 0,
        buffer: buffer.cast(),
        buffer_length: c_int::try_from(length).map_err(|_| UsbError::InvalidParam)?,
        actual_length: 0,
        start_frame: 0,
        stream_id: u32::from(stream),
        error_count: 0,
        signr: 0,
        usercontext: std::ptr::null_mut(),
    })
}

/// Waits up to `timeout` for a completed URB (POLLOUT); the device gone is POLLHUP.
fn wait(fd: RawFd, timeout: Duration) -> Result<(), UsbError> {
    let mut poll = libc::pollfd {
        fd,
        events: libc::POLLOUT,
        revents: 0,
    };
    let millis = c_int::try_from(timeout.as_millis().max(1)).unwrap_or(c_int::MAX);
    // SAFETY: one pollfd, valid for the call.
    let rc = unsafe { libc::poll(&mut poll, 1, millis) };
    if rc < 0 {
        let error = io::Error::last_os_error();
        return match error.raw_os_error() {
            Some(libc::EINTR) => Ok(()),
            _ => Err(errno::from_io(&error)),
        };
    }
    if poll.revents & libc::POLLOUT == 0 && poll.revents & (libc::POLLHUP | libc::POLLERR) != 0 {
        return Err(UsbError::Disconnected);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reaped URB on `endpoint` with `status` and `actual_length`, over `memory` (of
    /// `length` bytes).
    fn urb_over(
        endpoint: u8,
        status: c_int,
        actual: c_int,
        length: usize,
        memory: Memory,
    ) -> InFlight {
        let mut urb = new_urb(endpoint, 3, std::ptr::null_mut(), length).unwrap();
        urb.status = status;
        urb.actual_length = actual;
        InFlight {
            urb,
            memory,
            id: TransferId(7),
            discarded: false,
        }
    }

    /// A reaped URB on `endpoint` with `status` and `actual_length`, over `buffer`.
    fn reaped(endpoint: u8, status: c_int, actual: c_int, buffer: Vec<u8>) -> InFlight {
        urb_over(
            endpoint,
            status,
            actual,
            buffer.len(),
            Memory::Owned(buffer),
        )
    }

    #[test]
    fn a_lent_transfer_reports_the_bytes_the_kernel_wrote_at_most_its_length() {
        let done = completion(urb_over(0x81, 0, 3, 512, Memory::Lent));
        assert_eq!(done.result, Ok(Transferred::Received(3)));
        // A count past the URB's length (not from a sane kernel) is bounded by it.
        let done = completion(urb_over(0x81, 0, 4096, 512, Memory::Lent));
        assert_eq!(done.result, Ok(Transferred::Received(512)));
        let stalled = completion(urb_over(0x81, -libc::EPIPE, 0, 512, Memory::Lent));
        assert_eq!(stalled.result, Err(UsbError::Stall));
    }

    #[test]
    fn a_lent_transfer_that_cannot_be_taken_back_stops_all_reaping() {
        // An owned URB the kernel will not discard (EBADF here) is left for later.
        let mut urbs = Urbs::default();
        urbs.in_flight
            .push(Box::new(reaped(0x81, 0, 0, Vec::new())));
        assert_eq!(urbs.discard(-1, TransferId(7)), Err(UsbError::InvalidParam));
        assert!(!urbs.poisoned);
        // A lent one poisons the descriptor: no later reap may write into memory its
        // owner has back.
        let mut urbs = Urbs::default();
        urbs.in_flight
            .push(Box::new(urb_over(0x81, 0, 0, 512, Memory::Lent)));
        urbs.reclaim(-1);
        assert!(urbs.poisoned);
        assert_eq!(urbs.reap(-1, Duration::ZERO), Err(UsbError::Disconnected));
        let transfer = Transfer {
            endpoint: 0x81,
            stream: 0,
            data: TransferData::In(512),
        };
        assert_eq!(urbs.submit(-1, transfer), Err(UsbError::Disconnected));
    }

    #[test]
    fn a_timeout_too_long_for_an_instant_still_bounds_the_wait() {
        // No descriptor: the reap fails at once (EBADF) instead of overflowing the
        // deadline of a wait without limit.
        let mut urbs = Urbs::default();
        assert_eq!(urbs.reap(-1, Duration::MAX), Err(UsbError::InvalidParam));
        let id = TransferId(1);
        assert_eq!(
            urbs.wait_for(-1, id, Duration::MAX),
            Err(UsbError::InvalidParam)
        );
        assert!(deadline_after(Duration::MAX) > Instant::now());
    }

    #[test]
    fn a_short_in_transfer_returns_the_bytes_received() {
        let done = completion(reaped(0x81, 0, 3, vec![1, 2, 3, 0, 0, 0]));
        assert_eq!(done.id, TransferId(7));
        assert_eq!(done.result, Ok(Transferred::In(vec![1, 2, 3])));
    }

    #[test]
    fn an_out_transfer_returns_the_bytes_taken() {
        let done = completion(reaped(0x02, 0, 512, vec![0; 512]));
        assert_eq!(done.result, Ok(Transferred::Out(512)));
        // A count past the buffer (not from a sane kernel) is bounded by it.
        let done = completion(reaped(0x02, 0, 4096, vec![0; 512]));
        assert_eq!(done.result, Ok(Transferred::Out(512)));
    }

    #[test]
    fn a_failed_urb_reports_its_status_as_a_usb_error() {
        let stalled = completion(reaped(0x81, -libc::EPIPE, 0, vec![0; 13]));
        assert_eq!(stalled.result, Err(UsbError::Stall));
        let gone = completion(reaped(0x02, -libc::ESHUTDOWN, 0, vec![0; 31]));
        assert_eq!(gone.result, Err(UsbError::Disconnected));
    }
}

//! Bulk transfers submitted to run side by side (USBDEVFS_SUBMITURB) and collected as
//! they complete (USBDEVFS_REAPURBNDELAY, with poll(2) for the wait: usbfs reports POLLOUT
//! while a completed URB waits to be reaped, POLLHUP once the device is gone).
//!
//! Ownership: each submitted transfer is one boxed [`InFlight`] holding the kernel's
//! `struct usbdevfs_urb` and the buffer it points into. The kernel may write both until it
//! hands the URB back, so an `InFlight` leaves [`Urbs`] only after it was reaped: a
//! discarded URB (USBDEVFS_DISCARDURB) is reaped too before it is dropped, and whatever is
//! still in flight when the device is dropped is freed only after the file descriptor is
//! closed (the kernel then kills and forgets the URBs without touching user memory).

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

/// One submitted URB and its buffer, boxed so their addresses stay put.
#[derive(Debug)]
struct InFlight {
    urb: ioctl::Urb,
    /// The data: the bytes to send, or (IN) room for those received — its capacity,
    /// uninitialised until the URB is reaped. Never resized while in flight, so its heap
    /// address (`urb.buffer`) stays valid.
    buffer: Vec<u8>,
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
}

impl Urbs {
    /// Submits `transfer` on `fd`.
    pub(super) fn submit(&mut self, fd: RawFd, transfer: Transfer) -> Result<TransferId, UsbError> {
        // An IN buffer is left uninitialised (its capacity is the transfer's length): the
        // kernel writes what arrives, and only that becomes the Vec's contents (see
        // `completion`) — zeroing a megabyte per transfer first was measurable in the VM.
        let (buffer, length) = match transfer.data {
            TransferData::Out(bytes) => {
                let length = bytes.len();
                (bytes, length)
            }
            TransferData::In(max) => (Vec::with_capacity(max), max),
        };
        let length = c_int::try_from(length).map_err(|_| UsbError::InvalidParam)?;
        self.next = self.next.wrapping_add(1);
        let mut entry = Box::new(InFlight {
            urb: ioctl::Urb {
                urb_type: ioctl::URB_TYPE_BULK,
                endpoint: transfer.endpoint,
                status: 0,
                flags: 0,
                buffer: std::ptr::null_mut(),
                buffer_length: length,
                actual_length: 0,
                start_frame: 0,
                stream_id: u32::from(transfer.stream),
                error_count: 0,
                signr: 0,
                usercontext: std::ptr::null_mut(),
            },
            buffer,
            id: TransferId(self.next),
            discarded: false,
        });
        entry.urb.buffer = entry.buffer.as_mut_ptr().cast();
        let urb: *mut ioctl::Urb = &mut entry.urb;
        // SAFETY: the URB and its buffer live in `entry`'s heap allocation, which is kept
        // in `in_flight` (unmoved, buffer never resized) until the kernel returns the URB
        // through a reap, or until the file descriptor is closed (see the module docs);
        // when submission fails the kernel holds nothing and `entry` is dropped here.
        unsafe { ioctl::submit_urb(fd, urb) }.map_err(|e| errno::from_io(&e))?;
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
        let urb: *mut ioctl::Urb = &mut entry.urb;
        match ioctl::discard_urb(fd, urb) {
            // EINVAL: it completed already and waits to be reaped.
            Err(e) if e.raw_os_error() != Some(libc::EINVAL) => Err(errno::from_io(&e)),
            // When it does not come back in time it stays in flight, marked, and is
            // dropped when a later reap returns it or after the descriptor closes.
            _ => self.collect(fd, id, deadline_after(DISCARD_WAIT)).map(drop),
        }
    }

    /// Discards every URB in flight (at drop); they are freed after the descriptor closes.
    pub(super) fn discard_all(&mut self, fd: RawFd) {
        for entry in &mut self.in_flight {
            let urb: *mut ioctl::Urb = &mut entry.urb;
            let _ = ioctl::discard_urb(fd, urb);
        }
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
        Ok(Some((completion(*entry), discarded)))
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
        urb,
        mut buffer,
        id,
        ..
    } = entry;
    let moved = usize::try_from(urb.actual_length).unwrap_or(0);
    let result = if urb.status != 0 {
        Err(errno::from_errno(urb.status.saturating_neg()))
    } else if urb.endpoint & cdb::usb::request::DIR_IN != 0 {
        let received = moved.min(buffer.capacity());
        if received > buffer.len() {
            // SAFETY: a completed IN URB's first `actual_length` bytes are what usbfs
            // copied to its buffer (copy_urb_data_to_user); the buffer's capacity was the
            // URB's length, which bounds `actual_length`, and `received` is at most the
            // capacity. Bytes past `received` stay outside the Vec.
            unsafe { buffer.set_len(received) };
        } else {
            buffer.truncate(received);
        }
        Ok(Transferred::In(buffer))
    } else {
        Ok(Transferred::Out(moved.min(buffer.len())))
    };
    Completion { id, result }
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

    /// A reaped URB on `endpoint` with `status` and `actual_length`, over `buffer`.
    fn reaped(endpoint: u8, status: c_int, actual: c_int, buffer: Vec<u8>) -> InFlight {
        InFlight {
            urb: ioctl::Urb {
                urb_type: ioctl::URB_TYPE_BULK,
                endpoint,
                status,
                flags: 0,
                buffer: std::ptr::null_mut(),
                buffer_length: 0,
                actual_length: actual,
                start_frame: 0,
                stream_id: 3,
                error_count: 0,
                signr: 0,
                usercontext: std::ptr::null_mut(),
            },
            buffer,
            id: TransferId(7),
            discarded: false,
        }
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

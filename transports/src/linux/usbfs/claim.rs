//! Claiming an interface and giving it back on every way out: [`Claim`] records each
//! claimed interface (file descriptor, interface number, whether a kernel driver was bound
//! and must get it back) in a process-wide registry, and gives it back when dropped —
//! on return, on error, and while a panic unwinds.
//!
//! Ctrl-C, SIGTERM and SIGHUP would end the process without running `Drop`, leaving the
//! device without its kernel driver (its disk gone from /dev until replugged). So the
//! first claim installs a handler (the `ctrlc` crate, feature `termination`) that gives
//! back every registered interface and exits with status 130. `ctrlc` runs the handler on
//! its own thread, woken through a pipe by the real signal handler, so the handler can take
//! the registry's lock and make ioctls, neither of which is allowed inside a signal
//! handler; `signal-hook` would need the same thread built by hand. A program that already
//! set its own handler keeps it; then only `Drop` gives interfaces back.

use super::ioctl;
use std::io;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, Once};

/// The exit status after a terminating signal: 128 + SIGINT, as shells report Ctrl-C.
const EXIT_ON_SIGNAL: i32 = 130;

/// One claimed interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Held {
    fd: RawFd,
    interface: u8,
    /// A kernel driver was bound at claim time: USBDEVFS_CONNECT lets it bind again.
    reattach: bool,
}

/// Every interface this process holds.
static HELD: Mutex<Vec<Held>> = Mutex::new(Vec::new());
/// The signal handler, installed once.
static HANDLER: Once = Once::new();
/// Set when the signal handler starts giving interfaces back.
static GIVING_BACK: AtomicBool = AtomicBool::new(false);

/// A claimed interface, given back (released, and reattached to its kernel driver when
/// one was bound) when dropped or when the process is told to terminate.
#[derive(Debug)]
pub(super) struct Claim {
    held: Held,
}

impl Claim {
    /// Claims `interface` on `fd` through `claim` (which detaches any kernel driver),
    /// holding the registry's lock meanwhile so a signal cannot slip between the claim and
    /// its registration; `reattach` says a kernel driver was bound.
    pub(super) fn new(
        fd: RawFd,
        interface: u8,
        reattach: bool,
        claim: impl FnOnce() -> io::Result<()>,
    ) -> io::Result<Claim> {
        HANDLER.call_once(|| {
            // Err(MultipleHandlers): the program has its own handler, which takes
            // precedence; Drop still gives the interface back on every other exit.
            let _ = ctrlc::set_handler(on_signal);
        });
        let mut held = lock();
        claim()?;
        let claimed = Held {
            fd,
            interface,
            reattach,
        };
        held.push(claimed);
        Ok(Claim { held: claimed })
    }

    /// The claimed interface's number.
    pub(super) fn interface(&self) -> u8 {
        self.held.interface
    }

    /// Runs `reset` (a port reset) with the interface released, then claims it again
    /// through `reclaim`: a reset unbinds usbfs from the interfaces it holds and lets the
    /// kernel probe them again, which would hand this one back to its driver, while an
    /// unbound interface stays unbound. All under the registry's lock, so a terminating
    /// signal meanwhile gives back a claimed interface, never a half-done one. The reset's
    /// error comes first, then the claim's.
    pub(super) fn around_reset(
        &self,
        reset: impl FnOnce() -> io::Result<()>,
        reclaim: impl FnOnce() -> io::Result<()>,
    ) -> io::Result<()> {
        let _held = lock();
        let _ = ioctl::release_interface(self.held.fd, self.held.interface);
        let reset = reset();
        let claimed = reclaim();
        reset.and(claimed)
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        // Under the lock, so the signal handler never gives it back a second time.
        let mut held = lock();
        held.retain(|h| *h != self.held);
        give_back(self.held);
    }
}

/// True once a terminating signal is giving interfaces back: no transfer may start, since
/// usbfs would claim the interface again for it.
pub(super) fn giving_back() -> bool {
    GIVING_BACK.load(Ordering::SeqCst)
}

/// The registry, even if a thread panicked holding it (its list stays consistent: every
/// change is one push or one retain).
fn lock() -> MutexGuard<'static, Vec<Held>> {
    HELD.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Releases the interface and lets its kernel driver bind again; errors are ignored (the
/// device may be gone, and there is nobody left to tell).
fn give_back(held: Held) {
    let _ = ioctl::release_interface(held.fd, held.interface);
    if held.reattach {
        let _ = ioctl::connect(held.fd, held.interface);
    }
}

/// The terminating signal's handler (on `ctrlc`'s thread): give everything back, exit.
fn on_signal() {
    GIVING_BACK.store(true, Ordering::SeqCst);
    let held = lock();
    for claimed in held.iter() {
        give_back(*claimed);
    }
    std::process::exit(EXIT_ON_SIGNAL);
}

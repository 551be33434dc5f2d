//! Download progress on standard error: an indicatif bar (bytes, rate, ETA) on a terminal,
//! else a plain line at every tenth of the image.

use crate::output::Output;
use firmware::download::Progress;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

/// Shows download progress.
pub struct Shown {
    /// The bar, on a terminal.
    bar: Option<ProgressBar>,
    /// The last tenth printed as a plain line.
    tenth: u64,
}

impl Shown {
    /// A bar for `total` bytes when standard error is a terminal and the output is not
    /// JSON, else plain lines.
    pub fn new(out: Output, total: u64) -> Self {
        let bar = (!out.json && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template(
                    "download [{bar:40}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        });
        Shown { bar, tenth: 0 }
    }

    /// Shows that `progress.done` bytes are acknowledged.
    pub fn update(&mut self, progress: Progress) {
        if let Some(bar) = &self.bar {
            bar.set_position(progress.done);
            return;
        }
        let tenth = (u128::from(progress.done) * 10)
            .checked_div(u128::from(progress.total))
            .map_or(10, |t| t as u64);
        if tenth > self.tenth {
            self.tenth = tenth;
            eprintln!(
                "downloaded {} of {} bytes ({} %)",
                progress.done,
                progress.total,
                tenth * 10
            );
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

//! The progress bar of long runs (`simulate`, `collateral-at-risk`).

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar on stderr counting `total` steps of `what` (e.g. "simulating block").
/// indicatif hides it when stderr is not a terminal, and it only appears after a second so
/// short runs stay quiet. Call `finish_and_clear` when done.
pub fn progress_bar(total: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {pos}/{len} [{bar:30}] {percent}% eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar.set_draw_target(ProgressDrawTarget::hidden());
    let visible = bar.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(1));
        if !visible.is_finished() {
            visible.set_draw_target(ProgressDrawTarget::stderr());
        }
    });
    bar
}

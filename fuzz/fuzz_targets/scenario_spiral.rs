//! Fuzz target `scenario_spiral`: see `fuzz/feed.rs` (`feed::scenario_spiral`) and docs/fuzzing.md.
#![no_main]

#[path = "../feed.rs"]
mod feed;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    feed::check(feed::scenario_spiral(data));
});

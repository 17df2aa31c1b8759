//! Fuzz target `scenario_world`: see `fuzz/feed.rs` (`feed::scenario_world`) and docs/fuzzing.md.
#![no_main]

#[path = "../feed.rs"]
mod feed;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    feed::check(feed::scenario_world(data));
});

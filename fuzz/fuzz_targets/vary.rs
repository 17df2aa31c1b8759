//! Fuzz target `vary`: see `fuzz/feed.rs` (`feed::vary`) and docs/fuzzing.md.
#![no_main]

#[path = "../feed.rs"]
mod feed;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    feed::check(feed::vary(data));
});

//! Fuzz target `price_csv`: see `fuzz/feed.rs` (`feed::price_csv`) and docs/fuzzing.md.
#![no_main]

#[path = "../feed.rs"]
mod feed;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    feed::check(feed::price_csv(data));
});

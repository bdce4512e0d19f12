//! JSON Lines exports, whole and streamed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use threadguard::ingest::{Collected, InputFormat, tabular};

fuzz_target!(|data: &[u8]| {
    threadguard_fuzz::ingest("export.jsonl", data, InputFormat::Jsonl);
    let mut streamed = Collected::default();
    if tabular::read_jsonl(Path::new("export.jsonl"), "fuzz", data, &mut streamed).is_ok() {
        threadguard_fuzz::check_threads(&streamed.threads);
        threadguard_fuzz::round_trip(&streamed.threads);
    }
});

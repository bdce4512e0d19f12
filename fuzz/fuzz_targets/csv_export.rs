//! CSV exports, whole (`read_bytes`, which decodes BOMs, UTF-16 and CRLF first) and
//! streamed (`tabular::read_csv`, as for a `.csv` file).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use threadguard::ingest::{Collected, InputFormat, tabular};

fuzz_target!(|data: &[u8]| {
    threadguard_fuzz::ingest("export.csv", data, InputFormat::Csv);
    let mut streamed = Collected::default();
    if tabular::read_csv(Path::new("export.csv"), "fuzz", data, &mut streamed).is_ok() {
        threadguard_fuzz::check_threads(&streamed.threads);
        threadguard_fuzz::round_trip(&streamed.threads);
    }
});

//! CSV exports, whole and streamed.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| threadguard_fuzz::csv_export(data));

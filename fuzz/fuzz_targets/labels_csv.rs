//! The labels CSV reader.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| threadguard_fuzz::labels_csv(data));

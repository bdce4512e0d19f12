//! The model-file loader (see `threadguard_fuzz::model_file`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| threadguard_fuzz::model_file(data));

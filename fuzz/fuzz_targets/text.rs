//! Normalizing, tokenizing and scoring arbitrary text with the shipped model.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| threadguard_fuzz::text(data));

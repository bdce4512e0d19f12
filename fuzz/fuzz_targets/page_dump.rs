//! Page dumps: blog, forum and article pages, and format detection.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| threadguard_fuzz::page_dump(data));

//! Page dumps: blog, forum and article pages, and format detection.
#![no_main]

use libfuzzer_sys::fuzz_target;
use threadguard::ingest::InputFormat;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, page)) = data.split_first() else {
        return;
    };
    let format = match selector % 4 {
        0 => InputFormat::Blog,
        1 => InputFormat::Forum,
        2 => InputFormat::Article,
        _ => InputFormat::Auto,
    };
    threadguard_fuzz::ingest("page.txt", page, format);
});

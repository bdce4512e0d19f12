//! The model-file loader. An input starting with an even byte is taken as a model body
//! and given a valid header (so the body parser and validation are reached past the
//! checksum); any other input is loaded as a whole file. A model that loads must score
//! every text with probabilities in [0, 1].
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use threadguard::model::file;

const TEXTS: [&str; 4] = [
    "",
    "You are an IDIOT!!! f*ck off",
    "the deep state staged it, wake up sheeple",
    "Thanks for the thoughtful article. https://example.com @bob 2017",
];

fuzz_target!(|data: &[u8]| {
    let bytes = match data.split_first() {
        Some((selector, body)) if selector % 2 == 0 => with_header(body),
        _ => data.to_vec(),
    };
    if let Ok(model) = file::from_bytes(Path::new("fuzz.tgm"), &bytes) {
        for text in TEXTS {
            threadguard_fuzz::check_scores(&model, text);
        }
        let again = file::to_bytes(&model).map(|b| file::from_bytes(Path::new("again.tgm"), &b));
        assert!(
            matches!(again, Ok(Ok(_))),
            "a loaded model does not save and load again"
        );
    }
});

fn with_header(body: &[u8]) -> Vec<u8> {
    let body = body.strip_suffix(b"\n").unwrap_or(body);
    let header = format!(
        "{{\"format\":\"{}\",\"format_version\":{},\"body_sha256\":\"{}\",\"body_bytes\":{}}}\n",
        file::FORMAT_NAME,
        file::FORMAT_VERSION,
        file::sha256_hex(body),
        body.len()
    );
    let mut bytes = header.into_bytes();
    bytes.extend_from_slice(body);
    bytes.push(b'\n');
    bytes
}

//! Normalizing, tokenizing and scoring arbitrary text with the shipped model.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;
use threadguard::model::Model;

static MODEL: LazyLock<Model> = LazyLock::new(|| match threadguard::model::default_model() {
    Ok(model) => model,
    Err(e) => panic!("the embedded model does not load: {e}"),
});

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    threadguard_fuzz::check_tokens(&text);
    let _ = threadguard::text::normalize(&text);
    threadguard_fuzz::check_scores(&MODEL, &text);
});

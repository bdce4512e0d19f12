//! The labels CSV reader: latest-wins leaves one row per (id, annotator).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;
use std::path::Path;
use threadguard::labels::{LabelLog, default_labels};

fuzz_target!(|data: &[u8]| {
    let Ok(log) = LabelLog::from_bytes(Path::new("labels.csv"), data, &default_labels()) else {
        return;
    };
    let mut keys = HashSet::new();
    for item in &log.latest {
        assert_eq!(item.decision.values.len(), 2);
        let d = &item.decision;
        if !d.id.is_empty() {
            assert!(
                keys.insert((d.id.clone(), d.annotator.clone())),
                "two winning rows"
            );
        }
    }
    assert_eq!(log.rows_read, log.latest.len() + log.superseded);
    let _ = log.decided();
    let _ = log.labeled();
});

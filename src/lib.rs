//! threadguard: scores reader-comment threads for abusive and conspiratorial comments,
//! explains its scores, and grows its own training set through labeling sessions.
//!
//! Data flows through one module per stage:
//!
//! ```text
//! ingest (files -> Thread/Comment) -> text (normalize, tokenize, stem) -> features
//!     -> model (train, score) -> report
//! labels (the labels CSV the labeling loop appends and training reads)
//! ```
//!
//! The `threadguard` binary is a thin CLI over this library.

pub mod agreement;
pub mod error;
pub mod features;
pub mod fsutil;
pub mod import;
pub mod ingest;
pub mod label;
pub mod labels;
pub mod metrics;
pub mod model;
pub mod report;
pub mod text;
pub mod thread;

pub use error::{Error, Result};
pub use thread::{Comment, Thread};

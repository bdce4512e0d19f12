//! The model file: one JSON header line, then the JSON body.
//!
//! ```text
//! {"format":"threadguard-model","format_version":2,"body_sha256":"<hex>","body_bytes":N}
//! {...the Model...}
//! ```
//!
//! The header is read first, so a file of another version is refused with a clear message
//! before its body is parsed, and the checksum catches a cut or corrupted body.

use super::Model;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

/// Name in the header of every threadguard model file.
pub const FORMAT_NAME: &str = "threadguard-model";
/// The newest model-file format version this build reads and writes. Version 2 added
/// character n-grams weighted per word ([`FeatureConfig::char_by_word`]), which a build
/// that reads only version 1 would silently score as plain counts.
///
/// [`FeatureConfig::char_by_word`]: crate::features::FeatureConfig::char_by_word
pub const FORMAT_VERSION: u32 = 2;
/// The oldest model-file format version this build reads.
pub const OLDEST_FORMAT_VERSION: u32 = 1;

/// The version a model's file is written with: the oldest that can hold it, so that
/// older builds still read the models they can score.
pub fn format_version_of(model: &Model) -> u32 {
    if model.vocabulary.config().char_by_word {
        2
    } else {
        1
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    format: String,
    format_version: u32,
    body_sha256: String,
    body_bytes: usize,
}

/// Hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Serializes a model into the file format.
pub fn to_bytes(model: &Model) -> Result<Vec<u8>> {
    let body = serde_json::to_vec(model)
        .map_err(|e| Error::Usage(format!("cannot serialize model: {e}")))?;
    let header = Header {
        format: FORMAT_NAME.to_string(),
        format_version: format_version_of(model),
        body_sha256: sha256_hex(&body),
        body_bytes: body.len(),
    };
    let mut bytes = serde_json::to_vec(&header)
        .map_err(|e| Error::Usage(format!("cannot serialize model: {e}")))?;
    bytes.push(b'\n');
    bytes.extend_from_slice(&body);
    bytes.push(b'\n');
    Ok(bytes)
}

/// Parses a model file's bytes; `path` names the file in errors.
pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<Model> {
    parse(path, bytes, Checksum::Verify)
}

/// Whether [`parse`] checks the body's SHA-256.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Checksum {
    Verify,
    /// For the model compiled into the binary, which cannot be cut or changed apart from
    /// it (a test checks that its bytes pass): hashing its body would be half of every
    /// start-up.
    Skip,
}

/// Parses the bytes of the model compiled into this binary, without hashing its body.
pub(crate) fn from_embedded_bytes(path: &Path, bytes: &[u8]) -> Result<Model> {
    parse(path, bytes, Checksum::Skip)
}

fn parse(path: &Path, bytes: &[u8], checksum: Checksum) -> Result<Model> {
    let newline = bytes
        .iter()
        .position(|&b| b == b'\n')
        .ok_or_else(|| Error::model(path, "not a threadguard model file (no header line)"))?;
    let header: Header = serde_json::from_slice(&bytes[..newline])
        .map_err(|_| Error::model(path, "not a threadguard model file (unreadable header)"))?;
    if header.format != FORMAT_NAME {
        return Err(Error::model(
            path,
            format!(
                "not a threadguard model file (format {:?})",
                crate::error::clip(&header.format)
            ),
        ));
    }
    if !(OLDEST_FORMAT_VERSION..=FORMAT_VERSION).contains(&header.format_version) {
        return Err(Error::model(
            path,
            format!(
                "model file format version {} is not supported by this threadguard (reads versions {OLDEST_FORMAT_VERSION} to {FORMAT_VERSION}); retrain with `threadguard train`",
                header.format_version
            ),
        ));
    }
    let body = &bytes[newline + 1..];
    let body = body.strip_suffix(b"\n").unwrap_or(body);
    if body.len() != header.body_bytes
        || (checksum == Checksum::Verify && sha256_hex(body) != header.body_sha256)
    {
        return Err(Error::model(
            path,
            format!(
                "model file is corrupt or cut short (body has {} bytes, checksum {}; header says {} bytes)",
                body.len(),
                if sha256_hex(body) == header.body_sha256 {
                    "matches"
                } else {
                    "does not match"
                },
                header.body_bytes
            ),
        ));
    }
    let mut model: Model = serde_json::from_slice(body)
        .map_err(|e| Error::model(path, format!("model body does not parse: {e}")))?;
    if header.format_version < format_version_of(&model) {
        return Err(Error::model(
            path,
            format!(
                "model file says format version {} but its settings need version {} (edited by hand?); retrain with `threadguard train`",
                header.format_version,
                format_version_of(&model)
            ),
        ));
    }
    model.prepare().map_err(|m| Error::model(path, m))?;
    Ok(model)
}

/// Reads a model file.
pub fn load(path: &Path) -> Result<Model> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    from_bytes(path, &bytes)
}

/// Writes a model file atomically.
pub fn save(model: &Model, path: &Path) -> Result<()> {
    let bytes = to_bytes(model)?;
    crate::fsutil::write_atomic(path, |w| w.write_all(&bytes))
}

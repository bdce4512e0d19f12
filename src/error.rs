//! Errors with the context a user needs to fix their input: the file, the line, the problem.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in an input a problem is: a file and, when known, a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file (`-` for standard input).
    pub file: PathBuf,
    /// 1-based line number, when the problem is on a line.
    pub line: Option<u64>,
}

impl Location {
    /// A location covering a whole file.
    pub fn file(file: impl AsRef<Path>) -> Self {
        Self {
            file: file.as_ref().to_path_buf(),
            line: None,
        }
    }

    /// A location on one line of a file.
    pub fn line(file: impl AsRef<Path>, line: u64) -> Self {
        Self {
            file: file.as_ref().to_path_buf(),
            line: Some(line),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.file.display()),
            None => write!(f, "{}", self.file.display()),
        }
    }
}

/// Everything that can go wrong in threadguard's library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("{location}: {source}")]
    Io {
        /// The file involved.
        location: Location,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The input is malformed: the message says how.
    #[error("{location}: {message}")]
    Input {
        /// Where the problem is.
        location: Location,
        /// What is wrong, in one line.
        message: String,
    },
    /// A model file is unusable.
    #[error("{location}: {message}")]
    Model {
        /// The model file.
        location: Location,
        /// What is wrong, in one line.
        message: String,
    },
    /// A request that cannot be carried out (bad option combination, nothing to do).
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// An I/O error on a file.
    pub fn io(file: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io {
            location: Location::file(file),
            source,
        }
    }

    /// A malformed-input error at a location.
    pub fn input(location: Location, message: impl Into<String>) -> Self {
        Error::Input {
            location,
            message: message.into(),
        }
    }

    /// A model-file error.
    pub fn model(file: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Error::Model {
            location: Location::file(file),
            message: message.into(),
        }
    }
}

/// The most characters of an input value (a cell, an id, a line) an error or warning
/// quotes: enough to recognize it, and one huge cell cannot make a huge message.
pub const MAX_QUOTED_CHARS: usize = 80;

/// `value` as errors and warnings quote it: its first [`MAX_QUOTED_CHARS`] characters,
/// with `…` when cut (on a character boundary). Control characters are left to the
/// CLI, which escapes every message line as a whole.
pub fn clip(value: &str) -> std::borrow::Cow<'_, str> {
    match value.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((cut, _)) => std::borrow::Cow::Owned(format!("{}…", &value[..cut])),
        None => std::borrow::Cow::Borrowed(value),
    }
}

/// Result alias for the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_keeps_short_values_and_cuts_long_ones_on_a_character_boundary() {
        assert_eq!(clip("short"), "short");
        let exact = "é".repeat(MAX_QUOTED_CHARS);
        assert_eq!(clip(&exact), exact);
        let long = "é".repeat(MAX_QUOTED_CHARS + 1);
        assert_eq!(clip(&long), format!("{exact}…"));
    }
}

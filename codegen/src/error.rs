//! Errors that point at a place in the spec.

use std::fmt;
use std::path::PathBuf;

/// One problem found in the spec, located by file, line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// The spec file, relative to the spec directory when possible.
    pub file: PathBuf,
    /// 1-based line, 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based column, 0 when unknown.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// Every problem found in one run, so a maintainer can fix them together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecErrors(pub Vec<SpecError>);

impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SpecErrors {}

/// An [`Error::Internal`] about `item`.
pub(crate) fn internal(item: impl Into<String>, message: impl Into<String>) -> Error {
    Error::Internal {
        item: item.into(),
        message: message.into(),
    }
}

/// Anything that stops generation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The spec has problems; each names its place.
    #[error("the spec has {count} problem(s):\n{0}", count = .0.0.len())]
    Spec(SpecErrors),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A later stage met something that validation guarantees cannot occur:
    /// a bug in the generator (a rule missing from `validate`), not in the spec.
    #[error("internal generator error: {item}: {message} (validation should have refused this)")]
    Internal {
        /// The spec item being resolved or rendered, such as endpoint `consumer.users.get`.
        item: String,
        /// What was missing or malformed.
        message: String,
    },
    /// The renderer produced tokens that do not parse (a generator bug).
    #[error("internal error rendering {file}: {message}")]
    Render {
        /// The output file being rendered.
        file: String,
        /// The parser's complaint.
        message: String,
    },
}

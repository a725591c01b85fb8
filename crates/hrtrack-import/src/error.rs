//! The one error type of the readers: which file, where in it, and what is wrong.

/// A file that cannot be imported. `place` is a row, a table row, a header or a zip entry.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {place}: {message}")]
pub struct ImportError {
    pub file: String,
    pub place: String,
    pub message: String,
}

impl ImportError {
    pub fn new(file: &str, place: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            place: place.into(),
            message: message.into(),
        }
    }
}

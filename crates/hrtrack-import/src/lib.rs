//! Readers of the files recommendations arrive in, and writers of the files hrtrack exports.
//!
//! Every reader takes bytes and a file name and returns an [`hrtrack_domain::ImportBatch`] or an
//! [`ImportError`] that names the file and the place in it. Readers never touch the database;
//! they never panic on input, whatever it holds.

pub mod bounded_zip;
mod docx;
mod error;
pub mod export;
pub mod input;
pub mod ohchr_matrix;
pub mod sessions;
pub mod table;
pub mod text_encoding;
pub mod upr_info;

pub use error::ImportError;

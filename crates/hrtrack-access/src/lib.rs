//! Accounts and evidence for the hrtrack Roadmap; no database, no web framework.
//!
//! - [`mail`]: a minimal SMTP client for an internal relay.
//! - [`password`]: Argon2id password hashing and the rules for new passwords.
//! - [`token`]: random secrets for sessions, CSRF and API access, their stored digests and
//!   constant-time comparison.
//! - [`upload`]: checks on uploaded evidence files (kind, size, name).
pub mod mail;
pub mod password;
pub mod token;
pub mod upload;

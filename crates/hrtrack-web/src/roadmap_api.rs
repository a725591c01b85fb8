//! The Roadmap's JSON API under `/api/v1`.

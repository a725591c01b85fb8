//! Integration tests of the `hrtrack` binary: each test runs the real program in its own
//! temporary folder, against its own SQLite database.

mod accounts;
mod bad_input;
mod common;
mod demo;
mod mapping;
mod operations;
mod registry;
mod round_trip;
mod sdg_import;
mod sdg_platform;
mod search;
mod serve;

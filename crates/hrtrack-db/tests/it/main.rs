//! Behavioural tests of the store, run on SQLite and, when `HRTRACK_TEST_POSTGRES` holds a
//! URL, on PostgreSQL in a fresh schema per store (see `support`).

mod accounts;
mod cross_source;
mod documented_counts;
mod export;
mod import;
mod imports_keep;
mod queries;
mod review_counts;
mod roadmap;
mod sdg_data;
mod sdg_read;
mod support;
mod transfer;

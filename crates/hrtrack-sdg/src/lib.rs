//! SDG indicator data for hrtrack: the SDMX-shaped observation model ([`model`]) and readers
//! of the files statistics offices publish it in: Open SDG indicator CSVs ([`open_sdg`]),
//! SDMX-CSV 1.0 and 2.x ([`sdmx_csv`]) and SDMX-ML 2.0/2.1 generic and 2.1
//! structure-specific data messages ([`sdmx_ml`], which refuses any DTD), and the XLSX template
//! an agency fills in for one indicator ([`xlsx`]: written prefilled, read back). [`export`]
//! writes a chosen slice of observations as plain CSV, Open SDG CSV, SDMX-CSV 2.x or JSON.
//!
//! Around the data: [`structure`] reads an SDMX-ML 2.1 structure message (a DSD such as the UNSD
//! global SDG DSD, with its code lists); [`codelists`] holds the code lists in use with national
//! names and the additive units of measure; [`validate`] checks a submitted dataset against them
//! and the published version (codes, values, duplicates, units, parts above totals, jumps).
//!
//! [`period`] turns the periods national files write (`2013 Q1`) into SDMX ones.
//!
//! [`detect`] tells a file's format from its content; [`template`] plans the XLSX template of
//! an indicator from the code lists and its published data.
//!
//! Every reader takes bytes and a file name and returns a [`Dataset`] or every problem of the
//! file at once, each an [`SdgReadError`] naming the file and the place (row and column). Readers
//! never touch the database and never panic on input, whatever it holds.

pub mod codelists;
pub mod detect;
pub mod export;
mod input;
pub mod model;
pub mod open_sdg;
pub mod period;
pub mod sdmx_csv;
pub mod sdmx_ml;
pub mod structure;
pub mod template;
pub mod validate;
pub mod xlsx;

pub use detect::read_any;
pub use input::{MAX_ERRORS, MAX_FILE_BYTES, read_file};
pub use model::{Codes, Dataset, Observation, RowAction, SdgFormat, SdgReadError};

//! Integration tests of hrtrack-sdg (one test binary): the whole Kazakhstan Open SDG folder
//! accounted for, the Tajikistan SDMX-ML files, each reader rule and refusal on small handmade
//! files, the XLSX template and the export writers, the real SDG DSD with its code lists and
//! national names, each validation rule, and proptest fuzzing.

mod codelists;
mod export;
mod files;
mod fuzz;
mod kazakhstan;
mod open_sdg;
mod sdmx_csv;
mod sdmx_ml;
mod structure;
mod template;
mod validate;
mod xlsx;

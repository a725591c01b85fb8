//! Integration tests of hrtrack-sdg (one test binary): the whole Kazakhstan Open SDG folder
//! accounted for, the Tajikistan SDMX-ML files, each reader rule and refusal on small handmade files, and proptest fuzzing;
//! the real SDG DSD with its code lists and national names, and each validation rule.

mod codelists;
mod fuzz;
mod kazakhstan;
mod open_sdg;
mod sdmx_csv;
mod sdmx_ml;
mod structure;
mod validate;

//! Integration tests of hrtrack-sdg (one test binary): the whole Kazakhstan Open SDG folder
//! accounted for, the Tajikistan SDMX-ML files, each reader rule and refusal on small handmade files, the XLSX template and the export
//! writers, and proptest fuzzing.

mod export;
mod fuzz;
mod kazakhstan;
mod open_sdg;
mod sdmx_csv;
mod sdmx_ml;
mod xlsx;

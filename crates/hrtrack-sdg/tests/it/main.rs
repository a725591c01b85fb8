//! Integration tests of hrtrack-sdg (one test binary): the whole Kazakhstan Open SDG folder
//! accounted for, each reader rule and refusal on small handmade files, and proptest fuzzing.

mod fuzz;
mod kazakhstan;
mod open_sdg;
mod sdmx_csv;

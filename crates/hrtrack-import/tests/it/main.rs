mod export;
mod files;
mod fuzz_csv;
mod ohchr_matrix;

mod files;
mod export;
mod fuzz_csv;
mod ohchr_matrix;

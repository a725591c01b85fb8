//! Every one of the 273 real Kazakhstan Open SDG files (kazstat/sdg-data-kazstat) accounted
//! for: imported with its observation count, or refused with its reasons. The exact numbers
//! are asserted so that any change in the reader shows.
//!
//! Since rows that repeat another exactly count once (with a warning), 255 files are read
//! (15.1.1 repeats one row); the 18 refused are true refusals: 2 files with rows short of a
//! cell (a REF_AREA missing: which region the value is for cannot be told) and 16 with rows
//! that give two different values (or notes) for the same year and disaggregation.

use std::collections::BTreeMap;

use hrtrack_sdg::open_sdg;

pub const FOLDER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/sdg-timeseries/kazakhstan-open-sdg"
);

#[test]
fn every_kazakhstan_file_is_accounted_for() {
    let (read, refused) = open_sdg::read_folder(FOLDER);
    let observations: usize = read.iter().map(|d| d.observations.len()).sum();
    let header_only = read.iter().filter(|d| d.observations.is_empty()).count();
    println!(
        "imported {} files ({} header only), {} observations; refused {} files",
        read.len(),
        header_only,
        observations,
        refused.len()
    );
    let mut reasons: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (file, errors) in &refused {
        println!("REFUSED {file}: {} problem(s)", errors.len());
        for e in errors.iter().take(3) {
            println!("    {e}");
        }
        for e in errors {
            let kind = reason_kind(&e.message);
            let files = reasons.entry(kind).or_default();
            if !files.contains(file) {
                files.push(file.clone());
            }
        }
    }
    for (kind, files) in &reasons {
        println!("reason {kind:?}: {}", files.join(" "));
    }
    for d in &read {
        println!("IMPORTED {} {}", d.source, d.observations.len());
    }
    assert_eq!(read.len() + refused.len(), 273);
    assert_eq!(read.len(), 255);
    assert_eq!(header_only, 67);
    assert_eq!(observations, 31_056);
    let repeated: Vec<String> = read
        .iter()
        .flat_map(|d| &d.warnings)
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        repeated,
        ["indicator_15-1-1.csv: row 208: repeats row 190 exactly: counted once"]
    );
    let refused_counts: Vec<(&str, usize)> = refused
        .iter()
        .map(|(file, errors)| (file.as_str(), errors.len()))
        .collect();
    assert_eq!(refused_counts, REFUSED);
    // Rows of different length (a REF_AREA cell missing) in 2 files; conflicting duplicate
    // keys in 17 (one of the two short-row files has them too).
    let reason_files: Vec<(&str, usize)> = reasons
        .iter()
        .map(|(kind, files)| (kind.as_str(), files.len()))
        .collect();
    assert_eq!(
        reason_files,
        [
            ("the row has N cell but the header has N column", 2),
            (
                "the same year and disaggregation as row N  with other cells: one value per key",
                17
            ),
        ]
    );
}

/// The refused files and how many problems each has (in name order).
const REFUSED: &[(&str, usize)] = &[
    ("indicator_11-3-1.csv", 8),
    ("indicator_11-6-2.csv", 6),
    ("indicator_15-2-1.csv", 2),
    ("indicator_17-3-1-2.csv", 1),
    ("indicator_17-3-1-3.csv", 6),
    ("indicator_2-a-1.csv", 1),
    ("indicator_3-3-1-1.csv", 1),
    ("indicator_4-1-1.csv", 14),
    ("indicator_4-c-1-2.csv", 4),
    ("indicator_5-5-2.csv", 45),
    ("indicator_7-2-1.csv", 1),
    ("indicator_8-3-1-1.csv", 14),
    ("indicator_8-3-1.csv", 2),
    ("indicator_8-6-1.csv", 5),
    ("indicator_8-7-1.csv", 1),
    ("indicator_9-1-2.csv", 14),
    ("indicator_9-2-2.csv", 1),
    ("indicator_9-c-1.csv", 1),
];

/// A problem's message with its particulars (quoted cells, numbers, parentheses) taken out.
fn reason_kind(message: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    let mut depth = 0;
    for c in message.chars() {
        match c {
            '"' => quoted = !quoted,
            '(' => depth += 1,
            ')' => depth -= 1,
            _ if quoted || depth > 0 => {}
            c if c.is_ascii_digit() => {
                if !out.ends_with('N') {
                    out.push('N');
                }
            }
            c => out.push(c),
        }
    }
    out
}

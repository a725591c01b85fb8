//! Fuzzing of the CSV readers with proptest: random bytes, random text in the CSV alphabet,
//! byte-level damage and truncation of real UPR Info rows and of a table export, and
//! cell-level damage (real rows whose cells are replaced by hostile values) go into
//! [`upr_info::read`] and [`table::read`], which must answer `Ok` or an `Err` that names the
//! file, and never panic. The XLSX export is damaged the same way.
//!
//! Each property runs `PROPTEST_CASES` cases (256 when unset); a long run:
//! `PROPTEST_CASES=20000 cargo test -p hrtrack-import --test it fuzz_csv`.

use std::sync::LazyLock;

use hrtrack_domain::{ImportBatch, RecommendationRecord};
use hrtrack_import::export::{self, ExportFormat};
use hrtrack_import::table::{self, Mapping};
use hrtrack_import::{ImportError, upr_info};
use proptest::prelude::*;

const TURKMENISTAN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/upr/upr_info_turkmenistan_cycles1-2.csv"
);

/// The name every fuzzed input goes by; errors must carry it.
const NAME: &str = "fuzzed.csv";

/// The header and the first 49 rows of UPR Info's Turkmenistan export.
static UPR_INFO_SAMPLE: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let text = std::fs::read_to_string(TURKMENISTAN)
        .unwrap_or_else(|e| panic!("cannot read {TURKMENISTAN}: {e}"));
    let mut sample: String = text.lines().take(50).collect::<Vec<_>>().join("\n");
    sample.push('\n');
    sample.into_bytes()
});

/// The sample's recommendations as `hrtrack export` would write them, with paragraph numbers,
/// SDG goals and targets, themes and a position source added so that every column is filled.
static EXPORT_RECORDS: LazyLock<Vec<RecommendationRecord>> = LazyLock::new(|| {
    let batch = upr_info::read(&UPR_INFO_SAMPLE, "sample.csv").expect("the real rows are read");
    let mut records = Vec::new();
    for review in &batch.reviews {
        let cycle = review.cycle.map(|c| i64::from(c.get()));
        for (n, rec) in review.recommendations.iter().enumerate() {
            let paragraph = format!("{}.{}", 60 + cycle.unwrap_or(0), n + 1);
            let record = serde_json::json!({
                "uid": format!("TKM-UPR{}-{paragraph}", cycle.unwrap_or(0)),
                "state": review.state,
                "state_iso3": "TKM",
                "mechanism": "UPR",
                "cycle": cycle,
                "session": review.session.map(|s| i64::from(s.get())),
                "report_symbol": "A/HRC/10/79",
                "paragraph": paragraph,
                "text": rec.text,
                "language": "en",
                "position": rec.position.map_or("pending".to_owned(), |p| p.to_string().to_lowercase()),
                "position_source": "A/HRC/10/79/Add.1",
                "recommending_states": rec.recommending_states,
                "theme_heading": "Scope of international obligations",
                "themes": ["Trafficking", "Women's rights"],
                "affected_persons": ["Women & girls"],
                "sdg_goals": [5, 16],
                "sdg_targets": ["5.2", "16.a"],
                "action_category": rec.action_category,
                "upr_issues": rec.upr_issues,
                "source_format": "upr-info",
            });
            records.push(serde_json::from_value(record).expect("a record"));
        }
    }
    records
});

static TABLE_CSV: LazyLock<Vec<u8>> =
    LazyLock::new(|| export::write(&EXPORT_RECORDS, ExportFormat::Csv).expect("a CSV export"));

static TABLE_XLSX: LazyLock<Vec<u8>> =
    LazyLock::new(|| export::write(&EXPORT_RECORDS, ExportFormat::Xlsx).expect("an XLSX export"));

/// A mapping as a ministry would write one, for the exported column names.
static MAPPING: LazyLock<Mapping> = LazyLock::new(|| {
    let text = "[columns]\nparagraph = \"paragraph\"\ntext = \"text\"\nrecommending_states = \"recommending_states\"\n\
                position = \"position\"\n[defaults]\nstate = \"Turkmenistan\"\ncycle = \"4\"\nsession = \"44\"\n\
                [options]\nlist_separator = \";\"\n";
    Mapping::parse(text, "mapping.toml").expect("a mapping")
});

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// What every reader promises: a batch whose recommendations have a text, or an error that
/// names the file and a place in it.
fn check(result: Result<ImportBatch, ImportError>) -> Result<(), TestCaseError> {
    match result {
        Ok(batch) => {
            for review in &batch.reviews {
                prop_assert!(!review.state.trim().is_empty(), "a review without a State");
                for rec in &review.recommendations {
                    prop_assert!(
                        !rec.text.trim().is_empty(),
                        "a recommendation without text at {}",
                        rec.origin
                    );
                }
            }
        }
        Err(error) => {
            prop_assert_eq!(&error.file, NAME);
            prop_assert!(
                !error.place.is_empty(),
                "an error without a place: {}",
                error
            );
        }
    }
    Ok(())
}

/// Both readers, and the table reader with a mapping, on the same bytes.
fn read_all(bytes: &[u8]) -> Result<(), TestCaseError> {
    check(upr_info::read(bytes, NAME))?;
    check(table::read(bytes, NAME, None))?;
    check(table::read(bytes, NAME, Some(&MAPPING)))
}

/// One change to a file.
#[derive(Debug, Clone)]
enum Edit {
    /// Overwrite the byte at (position modulo length).
    Set(usize, u8),
    /// Insert bytes at (position modulo length + 1).
    Insert(usize, Vec<u8>),
    /// Remove up to `n` bytes from (position modulo length).
    Delete(usize, usize),
    /// Repeat a line (index modulo the number of lines).
    DuplicateLine(usize),
    /// Exchange two lines.
    SwapLines(usize, usize),
    /// Remove a line.
    DeleteLine(usize),
}

/// Bytes that mean something to a CSV reader, a UTF-8 decoder or the entity decoder.
fn token() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::sample::select(vec![
            &b"\""[..],
            b"\"\"",
            b",",
            b";",
            b"\t",
            b"\n",
            b"\r\n",
            b"\r",
            b"\xEF\xBB\xBF",
            b"\xFF\xFE",
            b"\xE9",
            b"\xC3",
            b"\xF0\x9F\x98",
            b"\0",
            b"&",
            b"&#40;",
            b"&#xD800;",
            b"&#99999999999;",
            b"&amp",
            b"(Unknown)",
            b"Accepted",
            b"Noted",
            b"supported in part",
            b"0",
            b"99999",
            b"-1",
            b"4th",
            b"140.7",
            b"17.a",
            b"  ",
        ])
        .prop_map(<[u8]>::to_vec),
        prop::collection::vec(any::<u8>(), 1..4),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Edit::Set(at, b)),
        3 => (any::<usize>(), token()).prop_map(|(at, t)| Edit::Insert(at, t)),
        2 => (any::<usize>(), 1..64usize).prop_map(|(at, n)| Edit::Delete(at, n)),
        1 => any::<usize>().prop_map(Edit::DuplicateLine),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        1 => any::<usize>().prop_map(Edit::DeleteLine),
    ]
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit], keep: Option<usize>) -> Vec<u8> {
    for edit in edits {
        let len = bytes.len();
        match edit {
            Edit::Set(at, b) if len > 0 => bytes[at % len] = *b,
            Edit::Insert(at, token) => {
                let at = at % (len + 1);
                bytes.splice(at..at, token.iter().copied());
            }
            Edit::Delete(at, n) if len > 0 => {
                let at = at % len;
                bytes.drain(at..(at + n).min(len));
            }
            Edit::DuplicateLine(_) | Edit::SwapLines(..) | Edit::DeleteLine(_) => {
                let mut lines: Vec<Vec<u8>> =
                    bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
                let count = lines.len();
                match edit {
                    Edit::DuplicateLine(i) => {
                        let line = lines[i % count].clone();
                        lines.insert(i % count, line);
                    }
                    Edit::SwapLines(a, b) => lines.swap(a % count, b % count),
                    Edit::DeleteLine(i) if count > 1 => {
                        lines.remove(i % count);
                    }
                    _ => {}
                }
                bytes = lines.join(&b'\n');
            }
            _ => {}
        }
    }
    if let Some(keep) = keep {
        bytes.truncate(keep % (bytes.len() + 1));
    }
    bytes
}

/// Values that a cell may hold instead of the real one.
fn hostile_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "",
            " ",
            "0",
            "-1",
            "1.5",
            "65535",
            "65536",
            "18446744073709551616",
            "NaN",
            "4th",
            "fourth cycle",
            "Accepted",
            "Noted",
            "Rejected",
            "supported in part",
            "pending",
            "(Unknown)",
            "&#40;Unknown&#41;",
            "&#xD800;",
            "&#0;",
            "&;&&#;",
            "\"",
            "a\nb",
            "a\r\nb",
            ";;;",
            "1; 2; 99",
            "5.2; 16.a; 99.z",
            "140",
            "140.7.1",
            "A/HRC/10/79",
            "CCPR",
            "UPR",
            "Turkmenistan",
            "Côte d’Ivoire",
            "\u{feff}",
            "\u{202e}",
        ])
        .prop_map(str::to_owned),
        "[a-zA-Z0-9 .,;:&#()\"'/\\-]{0,24}",
        any::<String>(),
    ]
}

/// Replaces cells of a CSV file (row and column taken modulo the table's size, the header
/// included) and writes it back as CSV.
fn replace_cells(bytes: &[u8], changes: &[(usize, usize, String)]) -> Vec<u8> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| {
            r.expect("the sample is valid CSV")
                .iter()
                .map(str::to_owned)
                .collect()
        })
        .collect();
    let count = rows.len();
    for (row, column, value) in changes {
        let row = &mut rows[row % count];
        let column = column % row.len();
        row[column] = value.clone();
    }
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for row in &rows {
        writer.write_record(row).expect("CSV");
    }
    writer.into_inner().expect("CSV")
}

#[test]
fn the_samples_are_read() {
    let upr = upr_info::read(&UPR_INFO_SAMPLE, NAME).expect("the UPR Info sample");
    assert_eq!(upr.recommendation_count(), EXPORT_RECORDS.len());
    let csv = table::read(&TABLE_CSV, NAME, None).expect("the CSV export");
    assert_eq!(csv.recommendation_count(), EXPORT_RECORDS.len());
    let xlsx = table::read(&TABLE_XLSX, NAME, None).expect("the XLSX export");
    assert_eq!(xlsx.recommendation_count(), EXPORT_RECORDS.len());
    table::read(&TABLE_CSV, NAME, Some(&MAPPING)).expect("the CSV export with a mapping");
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        read_all(&bytes)?;
    }

    #[test]
    fn random_csv_text(
        header in prop::sample::select(vec![0usize, 1, 2]),
        body in "[a-zA-Z0-9 ,;\t\"\n\r&#().é]{0,600}",
    ) {
        // Behind a real header, random text reaches the row-level code.
        let header = match header {
            0 => String::new(),
            1 => String::from_utf8_lossy(UPR_INFO_SAMPLE.split(|&b| b == b'\n').next().unwrap_or_default()).into_owned() + "\n",
            _ => String::from_utf8_lossy(TABLE_CSV.split(|&b| b == b'\n').next().unwrap_or_default()).into_owned() + "\n",
        };
        read_all(format!("{header}{body}").as_bytes())?;
    }

    #[test]
    fn damaged_upr_info_rows(
        edits in prop::collection::vec(edit(), 0..10),
        keep in prop::option::of(any::<usize>()),
    ) {
        read_all(&apply(UPR_INFO_SAMPLE.clone(), &edits, keep))?;
    }

    #[test]
    fn damaged_table_export(
        edits in prop::collection::vec(edit(), 0..10),
        keep in prop::option::of(any::<usize>()),
    ) {
        read_all(&apply(TABLE_CSV.clone(), &edits, keep))?;
    }

    #[test]
    fn hostile_cells_in_upr_info_rows(
        changes in prop::collection::vec((any::<usize>(), any::<usize>(), hostile_cell()), 1..8),
    ) {
        read_all(&replace_cells(&UPR_INFO_SAMPLE, &changes))?;
    }

    #[test]
    fn hostile_cells_in_table_export(
        changes in prop::collection::vec((any::<usize>(), any::<usize>(), hostile_cell()), 1..8),
    ) {
        read_all(&replace_cells(&TABLE_CSV, &changes))?;
    }

    #[test]
    fn damaged_xlsx_export(
        changes in prop::collection::vec((any::<usize>(), any::<u8>()), 0..8),
        keep in prop::option::of(any::<usize>()),
    ) {
        let edits: Vec<Edit> = changes.into_iter().map(|(at, b)| Edit::Set(at, b)).collect();
        let bytes = apply(TABLE_XLSX.clone(), &edits, keep);
        check(table::read(&bytes, NAME, None))?;
        check(table::read(&bytes, NAME, Some(&MAPPING)))?;
    }

    #[test]
    fn random_mapping_files(text in "(\\[(columns|defaults|options)\\]\n|[a-z_]{1,12} = \"[^\"\n]{0,12}\"\n|[ -~]{0,20}\n){0,8}") {
        if let Ok(mapping) = Mapping::parse(&text, "mapping.toml") {
            check(table::read(&TABLE_CSV, NAME, Some(&mapping)))?;
        }
    }
}

//! Fuzzing of the readers with proptest: random bytes, random text in the CSV alphabet, and
//! byte-level damage and truncation of a real Kazakhstan file and of an SDMX-CSV sample go into
//! [`open_sdg::read`] and [`sdmx_csv::read`], and damaged XLSX templates (prefilled with the
//! real file) into [`xlsx::read`] and [`read_any`]; each must answer `Ok` or errors naming the
//! file, and never panic. The validator runs on whatever the damaged CSV still reads as.
//!
//! Each property runs `PROPTEST_CASES` cases (256 when unset); a long run:
//! `PROPTEST_CASES=20000 cargo test -p hrtrack-sdg --test it fuzz`.

use std::sync::LazyLock;

use hrtrack_sdg::codelists::CodeLists;
use hrtrack_sdg::validate::{ValidationOptions, validate};
use hrtrack_sdg::{Dataset, SdgReadError, open_sdg, read_any, sdmx_csv, template, xlsx};
use proptest::prelude::*;

const NAME: &str = "indicator_1-1-1.csv";

/// A real file with disaggregations, a blank-header column and a byte-order mark (first 60 lines).
static OPEN_SDG_SAMPLE: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let path = format!("{}/indicator_5-5-2.csv", super::kazakhstan::FOLDER);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let end = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(59)
        .map_or(bytes.len(), |(i, _)| i + 1);
    bytes[..end].to_vec()
});

/// The template of 5.5.2 prefilled with the sample's observations.
static TEMPLATE_SAMPLE: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let dataset = open_sdg::read(&OPEN_SDG_SAMPLE, NAME).expect("the sample reads");
    let codes = CodeLists::new(Vec::new(), Vec::new());
    let plan = template::plan_template("5.5.2", "Sample", &codes, dataset.observations, "en");
    xlsx::write_template(&plan).expect("template")
});

const SDMX_SAMPLE: &str = "STRUCTURE,STRUCTURE_ID,ACTION,SERIES,REF_AREA,SEX,TIME_PERIOD,OBS_VALUE,OBS_STATUS,COMMENT_OBS\n\
dataflow,IAEG-SDGs:DF_SDG_GLH(1.24),I,SI_POV_DAY1,826,_T,2020,100,A,\n\
dataflow,IAEG-SDGs:DF_SDG_GLH(1.24),R,SI_POV_DAY1,826,F: Female,2020,\"70\",E,\"a, b\"\n\
dataflow,IAEG-SDGs:DF_SDG_GLH(1.24),D,SI_POV_DAY1,826,,,,,\n\
DATAFLOW,FREQ,TIME_PERIOD,OBS_VALUE\n";

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(256);
    ProptestConfig::with_cases(cases)
}

fn check(outcome: Result<Dataset, Vec<SdgReadError>>) -> Result<(), TestCaseError> {
    if let Err(errors) = outcome {
        prop_assert!(!errors.is_empty());
        for e in &errors {
            prop_assert_eq!(&e.file, NAME);
            prop_assert!(!e.message.is_empty());
        }
    }
    Ok(())
}

fn both(bytes: &[u8]) -> Result<(), TestCaseError> {
    check(open_sdg::read(bytes, NAME))?;
    check(sdmx_csv::read(bytes, NAME))
}

/// Damage: overwrite, insert or delete bytes at random places, then maybe truncate.
fn damaged(sample: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let len = sample.len().max(1);
    (
        prop::collection::vec((0..len, any::<u8>(), 0u8..3), 1..12),
        prop::option::of(0..len),
    )
        .prop_map(move |(edits, cut)| {
            let mut bytes = sample.clone();
            for (at, byte, kind) in edits {
                let at = at.min(bytes.len());
                match kind {
                    0 if at < bytes.len() => bytes[at] = byte,
                    1 => bytes.insert(at, byte),
                    _ if at < bytes.len() => {
                        bytes.remove(at);
                    }
                    _ => {}
                }
            }
            if let Some(cut) = cut {
                bytes.truncate(cut);
            }
            bytes
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fuzz_random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        both(&bytes)?;
    }

    #[test]
    fn fuzz_csv_alphabet(text in "[YearValueDATFLOWSTRUCTIME_PRIOBSX0-9.,;:\" \\r\\n\\[\\]-]{0,300}") {
        both(text.as_bytes())?;
        let mut open = String::from("Year,SEX,Value\n");
        open.push_str(&text);
        check(open_sdg::read(open.as_bytes(), NAME))?;
        let mut sdmx = String::from("STRUCTURE,STRUCTURE_ID,ACTION,SEX,TIME_PERIOD,OBS_VALUE\n");
        sdmx.push_str(&text);
        check(sdmx_csv::read(sdmx.as_bytes(), NAME))?;
    }

    #[test]
    fn fuzz_damaged_open_sdg_file(bytes in damaged(OPEN_SDG_SAMPLE.clone())) {
        both(&bytes)?;
    }

    #[test]
    fn fuzz_damaged_sdmx_csv(bytes in damaged(SDMX_SAMPLE.as_bytes().to_vec())) {
        both(&bytes)?;
        if let Ok(dataset) = sdmx_csv::read(&bytes, NAME) {
            let codes = CodeLists::new(Vec::new(), Vec::new());
            let report = validate(&dataset, &codes, &dataset.observations, &ValidationOptions::default());
            prop_assert_eq!(report.observations, dataset.observations.len());
        }
    }

    #[test]
    fn fuzz_damaged_xlsx_template(bytes in damaged(TEMPLATE_SAMPLE.clone())) {
        check(xlsx::read(&bytes, NAME))?;
        check(read_any(&bytes, NAME))?;
    }
}

#[test]
fn the_samples_are_read_undamaged() {
    let d = open_sdg::read(&OPEN_SDG_SAMPLE, NAME).expect("the sample reads");
    assert_eq!(d.observations.len(), 59);
    let without_last_line = SDMX_SAMPLE.trim_end_matches("DATAFLOW,FREQ,TIME_PERIOD,OBS_VALUE\n");
    let d = sdmx_csv::read(without_last_line.as_bytes(), NAME).expect("reads");
    assert_eq!(d.observations.len(), 3);
    let d = xlsx::read(&TEMPLATE_SAMPLE, NAME).expect("the template reads");
    assert_eq!(d.observations.len(), 59);
}

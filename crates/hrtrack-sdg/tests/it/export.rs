//! The export writers: real Kazakhstan files read, exported as SDMX-CSV and Open SDG CSV and
//! read back to the same observations; plain CSV and JSON shapes; quoting of awkward text.

use std::collections::BTreeMap;

use hrtrack_sdg::{Observation, export, open_sdg, sdmx_csv};

use crate::kazakhstan::FOLDER;

const DATAFLOW: &str = "IAEG-SDGs:DF_SDG_GLH(1.24)";

fn kazakhstan(file: &str) -> Vec<Observation> {
    let bytes = std::fs::read(format!("{FOLDER}/{file}")).expect("the Kazakhstan file is there");
    open_sdg::read(&bytes, file)
        .expect("the Kazakhstan file reads")
        .observations
}

fn without_indicator(observations: &[Observation]) -> Vec<Observation> {
    observations
        .iter()
        .cloned()
        .map(|obs| Observation {
            indicator: None,
            ..obs
        })
        .collect()
}

fn observation(
    dimensions: &[(&str, &str)],
    value: Option<f64>,
    attributes: &[(&str, &str)],
) -> Observation {
    Observation {
        series: "SG_GEN_PARL".to_owned(),
        indicator: Some("5.5.1".to_owned()),
        dimensions: dimensions
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        time_period: "2020".to_owned(),
        value,
        attributes: attributes
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        ..Observation::default()
    }
}

#[test]
fn kazakhstan_files_survive_sdmx_csv_and_open_sdg_csv() {
    // 5.5.1: SERIES and UNIT_MEASURE; 1.2.1: three disaggregations (URBANISATION, SEX, REF_AREA).
    for file in ["indicator_5-5-1.csv", "indicator_1-2-1.csv"] {
        let original = kazakhstan(file);
        assert!(
            original.len() > 10,
            "{file} has {} observations",
            original.len()
        );

        let sdmx = export::to_sdmx_csv(&original, DATAFLOW);
        let back =
            sdmx_csv::read(sdmx.as_bytes(), "export.csv").expect("the SDMX-CSV export reads");
        assert_eq!(back.dataflow.as_deref(), Some(DATAFLOW));
        // SDMX-CSV has no indicator column; everything else comes back.
        assert_eq!(
            back.observations,
            without_indicator(&original),
            "{file} via SDMX-CSV"
        );

        let open = export::to_open_sdg_csv(&original);
        let back = open_sdg::read(open.as_bytes(), file).expect("the Open SDG export reads");
        assert_eq!(back.observations, original, "{file} via Open SDG CSV");
    }
}

#[test]
fn kazakhstan_open_sdg_export_has_the_columns_of_the_file() {
    let original = kazakhstan("indicator_1-2-1.csv");
    let open = export::to_open_sdg_csv(&original);
    assert_eq!(
        open.lines().next(),
        Some("Year,Units,REF_AREA,SEX,URBANISATION,Value")
    );
    let sdmx = export::to_sdmx_csv(&original, DATAFLOW);
    assert_eq!(
        sdmx.lines().next(),
        Some(
            "STRUCTURE,STRUCTURE_ID,ACTION,SERIES,REF_AREA,SEX,URBANISATION,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE"
        )
    );
    assert_eq!(sdmx.lines().count(), original.len() + 1);
}

#[test]
fn totals_missing_values_and_awkward_text() {
    let comment = "estimate, from \"survey\" X\nsecond line";
    let slice = vec![
        observation(&[("SEX", "_T")], Some(21.5), &[("UNIT_MEASURE", "PT")]),
        observation(
            &[("SEX", "F")],
            None,
            &[("OBS_STATUS", "M"), ("UNIT_MEASURE", "PT")],
        ),
        observation(
            &[("SEX", "M"), ("AGE", "Y15T24")],
            Some(3.0),
            &[("COMMENT_OBS", comment)],
        ),
    ];

    let sdmx = export::to_sdmx_csv(&slice, DATAFLOW);
    let mut lines = sdmx.lines();
    assert_eq!(
        lines.next(),
        Some(
            "STRUCTURE,STRUCTURE_ID,ACTION,SERIES,AGE,SEX,TIME_PERIOD,OBS_VALUE,COMMENT_OBS,OBS_STATUS,UNIT_MEASURE"
        )
    );
    assert_eq!(
        lines.next(),
        Some("dataflow,IAEG-SDGs:DF_SDG_GLH(1.24),I,SG_GEN_PARL,,_T,2020,21.5,,,PT")
    );
    assert_eq!(
        lines.next(),
        Some("dataflow,IAEG-SDGs:DF_SDG_GLH(1.24),I,SG_GEN_PARL,,F,2020,NaN,,M,PT")
    );
    let back = sdmx_csv::read(sdmx.as_bytes(), "slice.csv").expect("reads back");
    assert_eq!(back.observations, without_indicator(&slice));

    let open = export::to_open_sdg_csv(&slice);
    assert_eq!(
        open.lines().next(),
        Some("Year,Series,Units,AGE,SEX,COMMENT_OBS,OBS_STATUS,Value")
    );
    assert_eq!(open.lines().nth(1), Some("2020,SG_GEN_PARL,PT,,,,,21.5"));
    let back = open_sdg::read(open.as_bytes(), "indicator_5-5-1.csv").expect("reads back");
    // Open SDG writes a total as a blank cell, which reads back as an absent dimension.
    let mut expected = slice.clone();
    expected[0].dimensions.clear();
    assert_eq!(back.observations, expected);

    let plain = export::to_csv(&slice);
    let mut reader = csv::Reader::from_reader(plain.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "indicator",
            "series",
            "AGE",
            "SEX",
            "time_period",
            "value",
            "COMMENT_OBS",
            "OBS_STATUS",
            "UNIT_MEASURE"
        ]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a record")).collect();
    assert_eq!(records.len(), 3);
    assert_eq!(&records[1][5], "");
    assert_eq!(&records[2][6], comment);
    assert_eq!(&records[2][0], "5.5.1");

    let empty = export::to_csv(&[]);
    assert_eq!(empty, "indicator,series,time_period,value\n");
}

#[test]
fn json_lists_every_observation() {
    let original = kazakhstan("indicator_1-2-1.csv");
    let json: serde_json::Value =
        serde_json::from_str(&export::to_json(&original)).expect("valid JSON");
    let list = json["observations"]
        .as_array()
        .expect("an observations array");
    assert_eq!(list.len(), original.len());
    let first = &original[0];
    assert_eq!(list[0]["indicator"], "1.2.1");
    assert_eq!(list[0]["time_period"], first.time_period.as_str());
    assert_eq!(list[0]["value"].as_f64(), first.value);
    let attributes: BTreeMap<String, String> =
        serde_json::from_value(list[0]["attributes"].clone()).expect("a map of text");
    assert_eq!(attributes, first.attributes);

    let missing = observation(&[], None, &[]);
    let json: serde_json::Value =
        serde_json::from_str(&export::to_json(&[missing])).expect("valid JSON");
    assert!(json["observations"][0]["value"].is_null());
    assert_eq!(json["observations"][0]["dimensions"], serde_json::json!({}));
}

/// The cells of a CSV, row by row.
fn csv_cells(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| {
            r.expect("the export is CSV")
                .iter()
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

/// The cell of `row` under the header `column`.
fn cell_under<'a>(cells: &'a [Vec<String>], column: &str, row: usize) -> &'a str {
    let at = cells[0]
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("no column {column} in {:?}", cells[0]));
    &cells[row][at]
}

#[test]
fn formula_like_text_cells_get_a_quote_and_values_stay_numbers() {
    let mut obs = observation(
        &[("SEX", "=1+1"), ("AGE", "-Y15")],
        Some(-3.5),
        &[("COMMENT_OBS", "@SUM(A1)"), ("UNIT_MEASURE", "+PT")],
    );
    obs.series = "=HYPERLINK(\"http://evil\")".to_owned();
    let observations = vec![obs];

    let plain = csv_cells(&export::to_csv(&observations));
    assert_eq!(
        cell_under(&plain, "series", 1),
        "'=HYPERLINK(\"http://evil\")"
    );
    assert_eq!(cell_under(&plain, "SEX", 1), "'=1+1");
    assert_eq!(cell_under(&plain, "AGE", 1), "'-Y15");
    assert_eq!(cell_under(&plain, "COMMENT_OBS", 1), "'@SUM(A1)");
    assert_eq!(cell_under(&plain, "value", 1), "-3.5");

    let sdmx = csv_cells(&export::to_sdmx_csv(&observations, DATAFLOW));
    assert_eq!(
        cell_under(&sdmx, "SERIES", 1),
        "'=HYPERLINK(\"http://evil\")"
    );
    assert_eq!(cell_under(&sdmx, "SEX", 1), "'=1+1");
    assert_eq!(cell_under(&sdmx, "UNIT_MEASURE", 1), "'+PT");
    assert_eq!(cell_under(&sdmx, "OBS_VALUE", 1), "-3.5");

    let open = csv_cells(&export::to_open_sdg_csv(&observations));
    assert_eq!(
        cell_under(&open, "Series", 1),
        "'=HYPERLINK(\"http://evil\")"
    );
    assert_eq!(cell_under(&open, "Units", 1), "'+PT");
    assert_eq!(cell_under(&open, "AGE", 1), "'-Y15");
    assert_eq!(cell_under(&open, "COMMENT_OBS", 1), "'@SUM(A1)");
    assert_eq!(cell_under(&open, "Value", 1), "-3.5");

    // hrtrack's readers take the quotes off again.
    let back = sdmx_csv::read(
        export::to_sdmx_csv(&observations, DATAFLOW).as_bytes(),
        "x.csv",
    )
    .expect("the SDMX-CSV export reads");
    assert_eq!(back.observations, without_indicator(&observations));
    let back = open_sdg::read(
        export::to_open_sdg_csv(&observations).as_bytes(),
        "indicator_5-5-1.csv",
    )
    .expect("the Open SDG export reads");
    assert_eq!(back.observations, observations);

    // No text cell of any of the three begins with a formula character.
    for cells in [&plain, &sdmx, &open] {
        for row in cells.iter() {
            for cell in row {
                let number = cell.parse::<f64>().is_ok();
                assert!(
                    number || !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{cell:?}"
                );
            }
        }
    }
}

/// Issue 10: a period stored in a national spelling (by an import before the readers turned
/// them into SDMX ones) is written in its SDMX form in an SDMX-CSV download.
#[test]
fn sdmx_csv_writes_periods_in_their_sdmx_form() {
    let mut obs = observation(&[], Some(1.0), &[]);
    obs.time_period = "2013 Q1".to_owned();
    let sdmx = export::to_sdmx_csv(&[obs], DATAFLOW);
    let back = hrtrack_sdg::sdmx_csv::read(sdmx.as_bytes(), "x.csv").expect("reads back");
    assert_eq!(back.observations[0].time_period, "2013-Q1");
}

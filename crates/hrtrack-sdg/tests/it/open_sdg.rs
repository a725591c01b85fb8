//! Open SDG reader rules and refusals on small handmade files.

use hrtrack_sdg::open_sdg::{indicator_from_file_name, read};

fn problems(text: &str) -> Vec<String> {
    read(text.as_bytes(), "indicator_1-1-1.csv")
        .expect_err("refused")
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn crlf_rows_are_numbered_by_line() {
    let p = problems("Year,SEX,Value\r\n2010,F,1\r\n2010,M,2\r\n2010,F,3\r\n");
    assert_eq!(
        p,
        [
            "indicator_1-1-1.csv: row 4: the same year and disaggregation as row 2 (Year 2010, SEX F): one value per key"
        ]
    );
}

fn one(text: &str) -> Vec<String> {
    problems(text)
}

#[test]
fn a_tidy_file_is_read_with_dimensions_attributes_and_missing_values() {
    let text = "\u{feff}Year,SERIES,UNIT_MEASURE,SEX,AGE,COMMENT_OBS,GeoCode,Value\n\
                2020,SG_X,PT,,,,,61.2\n\
                2020,SG_X,PT,F,,\"Estimated, partly\",,63.0\n\
                2020,SG_X,PT,F,Y15T24,,KZ01, 48.1 \n\
                2021,SG_X,PT,,,,,\n\
                2021,SG_X,NUMBER,,,,,NA\n";
    let d = read(text.as_bytes(), "data/indicator_5-5-1.csv").expect("read");
    assert_eq!(d.observations.len(), 5);
    let o = &d.observations[2];
    assert_eq!(o.series, "SG_X");
    assert_eq!(o.indicator.as_deref(), Some("5.5.1"));
    assert_eq!(o.time_period, "2020");
    assert_eq!(o.value, Some(48.1));
    assert_eq!(o.dimension("SEX"), Some("F"));
    assert_eq!(o.dimension("AGE"), Some("Y15T24"));
    assert_eq!(o.attribute("UNIT_MEASURE"), Some("PT"));
    assert_eq!(o.attribute("GeoCode"), Some("KZ01"));
    assert_eq!(
        d.observations[1].attribute("COMMENT_OBS"),
        Some("Estimated, partly")
    );
    assert!(d.observations[0].dimensions.is_empty());
    assert_eq!(d.observations[3].value, None);
    assert_eq!(d.observations[4].value, None);
}

#[test]
fn uk_style_columns_are_attributes_and_series() {
    let text = "Year,Series,Units,Unit multiplier,Observation status,Region,Value\n\
                2004/05,Cover,Percentage (%),Units,Normal value,North East,1.5\n";
    let d = read(text.as_bytes(), "indicator_1-3-1.csv").expect("read");
    let o = &d.observations[0];
    assert_eq!(o.series, "Cover");
    assert_eq!(o.time_period, "2004/05");
    assert_eq!(o.attribute("UNIT_MEASURE"), Some("Percentage (%)"));
    assert_eq!(o.attribute("UNIT_MULT"), Some("Units"));
    assert_eq!(o.attribute("OBS_STATUS"), Some("Normal value"));
    assert_eq!(o.dimension("Region"), Some("North East"));
}

#[test]
fn header_only_and_empty_blank_columns_are_accepted() {
    let d = read(b"Year,Value\n", "indicator_1-4-1.csv").expect("read");
    assert!(d.observations.is_empty());
    let d = read(b"Year,SEX,Value,,\n2010,F,1,,\n", "indicator_1-4-2.csv").expect("read");
    assert_eq!(d.observations.len(), 1);
    assert_eq!(d.observations[0].dimensions.len(), 1);
}

#[test]
fn indicator_codes_come_from_file_names() {
    assert_eq!(
        indicator_from_file_name("indicator_10-5-1-1.csv").as_deref(),
        Some("10.5.1.1")
    );
    assert_eq!(
        indicator_from_file_name("x/indicator_7-1-2-a.csv").as_deref(),
        Some("7.1.2.a")
    );
    assert_eq!(indicator_from_file_name("indicator_.csv"), None);
    assert_eq!(indicator_from_file_name("data.csv"), None);
    assert_eq!(
        read(b"Year,Value\n2010,1\n", "other.csv")
            .unwrap()
            .observations[0]
            .indicator,
        None
    );
}

#[test]
fn every_cell_problem_is_reported_at_once_with_row_and_column() {
    let p = one("Year,SEX,Value\n20x0,F,1\n2011, F,2\n2012,M,12,5\n2013,M,<5\n2014,M,inf\n,M,1\n");
    assert_eq!(
        p,
        [
            "indicator_1-1-1.csv: row 2, column Year: \"20x0\" is not a year (e.g. 2015, 2015-Q1, 2004/05)",
            "indicator_1-1-1.csv: row 3, column SEX: \" F\" has spaces around it",
            "indicator_1-1-1.csv: row 4: the row has 4 cell(s) but the header has 3 column(s)",
            "indicator_1-1-1.csv: row 5, column Value: \"<5\" is not a number",
            "indicator_1-1-1.csv: row 6, column Value: \"inf\" is not a number",
            "indicator_1-1-1.csv: row 7, column Year: the year is blank",
        ]
    );
    let p = one("Year,SEX,Value\n2012,M,\"12,5\"\n");
    assert!(
        p[0].contains("\"12,5\" is not a number (use a dot"),
        "{p:?}"
    );
}

#[test]
fn blank_rows_and_filled_blank_columns_are_refused() {
    assert_eq!(
        one("Year,SEX,Value,\n2010,F,1,\n,,,\n2011,F,2,x\n"),
        [
            "indicator_1-1-1.csv: row 3: the row is blank; delete it",
            "indicator_1-1-1.csv: row 4, column #4 (blank header): the cell holds \"x\" under a blank header: name the column or empty it",
        ]
    );
}

#[test]
fn header_rules_are_enforced() {
    let p = one("SEX,Year,Value\n");
    assert!(
        p[0].contains("header, column 1: the first column must be Year (it is column 2"),
        "{p:?}"
    );
    let p = one("Year,Value,SEX\n");
    assert!(
        p[0].contains("header, column 3: the last column must be Value (it is column 2"),
        "{p:?}"
    );
    let p = one("Year,SEX ,SEX,Value\n");
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(p[0].contains("\"SEX \" has spaces around it"));
    assert!(p[1].contains("column 3: \"SEX\" gives dimension SEX again, as column 2"));
    let p = one("Year,Units,UNIT_MEASURE,Value\n");
    assert!(p[0].contains("gives UNIT_MEASURE again"), "{p:?}");
    assert_eq!(one("")[0], "indicator_1-1-1.csv: file: the file is empty");
}

#[test]
fn duplicate_keys_name_both_rows_but_units_tell_rows_apart() {
    let p = one(
        "Year,UNIT_MEASURE,SEX,COMMENT_OBS,Value\n2010,PT,F,a,1\n2010,NUMBER,F,a,1\n2010,PT,F,b,2\n",
    );
    assert_eq!(
        p,
        [
            "indicator_1-1-1.csv: row 4: the same year and disaggregation as row 2 (Year 2010, SEX F, UNIT_MEASURE PT): one value per key"
        ]
    );
}

#[test]
fn encodings_other_than_utf8_are_refused() {
    let p = read(b"Year,Value\n2010,\xE9\n", "indicator_1-1-1.csv").unwrap_err();
    assert_eq!(p[0].place, "line 2, byte 16");
    let p = read(b"\xFF\xFEY\0", "indicator_1-1-1.csv").unwrap_err();
    assert!(p[0].message.contains("UTF-16"));
}

#[test]
fn the_number_of_listed_problems_is_capped() {
    let mut text = String::from("Year,Value\n");
    for _ in 0..1500 {
        text.push_str("x,1\n");
    }
    let p = read(text.as_bytes(), "indicator_1-1-1.csv").unwrap_err();
    assert_eq!(p.len(), hrtrack_sdg::MAX_ERRORS + 1);
    assert!(p.last().unwrap().message.contains("500 more"));
}

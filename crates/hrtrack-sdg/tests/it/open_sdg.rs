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
            "indicator_1-1-1.csv: row 4: the same year and disaggregation as row 2 (Year 2010, SEX F) with other cells: one value per key"
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
                2004-04-01/P1Y,Cover,Percentage (%),Units,Normal value,North East,1.5\n";
    let d = read(text.as_bytes(), "indicator_1-3-1.csv").expect("read");
    let o = &d.observations[0];
    assert_eq!(o.series, "Cover");
    assert_eq!(o.time_period, "2004-04-01/P1Y");
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
            "indicator_1-1-1.csv: row 2, column Year: \"20x0\" is not a period (e.g. 2015, 2015-Q1, 2015-03, 2015-03-31, 2019-07-01/P1Y)",
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
fn filled_blank_columns_are_refused_and_blank_rows_left_out() {
    assert_eq!(
        one("Year,SEX,Value,\n2010,F,1,\n,,,\n2011,F,2,x\n"),
        [
            "indicator_1-1-1.csv: row 4, column #4 (blank header): the cell holds \"x\" under a blank header: name the column or empty it",
        ]
    );
    let d = read(
        b"Year,SEX,Value\n2010,F,1\n,,\n,M,\n",
        "indicator_1-1-1.csv",
    )
    .expect("read");
    assert_eq!(d.observations.len(), 1);
    assert_eq!(
        d.warnings
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["indicator_1-1-1.csv: row 3, row 4: the row has neither a year nor a value: left out"]
    );
}

#[test]
fn header_rules_are_enforced() {
    let p = one("SEX,year,VALUE\n");
    assert_eq!(
        p,
        [
            "indicator_1-1-1.csv: header: there is no Year column (column 2 is \"year\": write it Year); the header is: SEX,year,VALUE",
            "indicator_1-1-1.csv: header: there is no Value column (column 3 is \"VALUE\": write it Value); the header is: SEX,year,VALUE",
        ]
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
            "indicator_1-1-1.csv: row 4: the same year and disaggregation as row 2 (Year 2010, SEX F, UNIT_MEASURE PT) with other cells: one value per key"
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

// Files as Open SDG reads them (issue 10): each of these was refused, or read wrongly,
// before.

#[test]
fn a_file_whose_rows_carry_no_value_is_an_indicator_without_data() {
    // Before: "row 2: the row is blank; delete it" (and row 3), the file refused.
    let d = read(b"Year,SEX,Value\n,,\n,,\n", "indicator_1-1-1.csv").expect("read");
    assert!(d.observations.is_empty());
    assert_eq!(
        d.warnings
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        [
            "indicator_1-1-1.csv: file: no row carries a value (2 row(s)): read as an indicator without data"
        ]
    );
    let d = read(
        b"Year,SEX,Value\n2019,F,\n2020,,NA\n",
        "indicator_1-1-1.csv",
    )
    .expect("read");
    assert!(d.observations.is_empty());
    assert_eq!(d.warnings.len(), 1);
}

#[test]
fn units_is_the_unit_and_unit_measure_then_an_ordinary_column() {
    // Before: "\"Unit measure\" gives UNIT_MEASURE again, as column 2 (\"Units\") does".
    let text = "Year,Units,Unit measure,Value\n2020,Percent,PT,1.5\n2020,Number,NUMBER,20\n";
    let d = read(text.as_bytes(), "indicator_1-2-1.csv").expect("read");
    let o = &d.observations[0];
    assert_eq!(o.attribute("UNIT_MEASURE"), Some("Percent"));
    assert_eq!(o.dimension("Unit measure"), Some("PT"));
    // Without Units (or UNIT_MEASURE), `Unit measure` is the unit.
    let d = read(
        b"Year,Unit measure,Value\n2020,PT,1\n",
        "indicator_1-2-1.csv",
    )
    .expect("read");
    assert_eq!(d.observations[0].attribute("UNIT_MEASURE"), Some("PT"));
    assert!(d.observations[0].dimensions.is_empty());
}

#[test]
fn year_and_value_are_found_in_any_column() {
    // Before: "the first column must be Year", "the last column must be Value".
    let d = read(b"SEX,Value,Year\nF,1.5,2020\n", "indicator_1-3-1.csv").expect("read");
    let o = &d.observations[0];
    assert_eq!((o.time_period.as_str(), o.value), ("2020", Some(1.5)));
    assert_eq!(o.dimension("SEX"), Some("F"));
}

#[test]
fn exact_duplicates_count_once_and_conflicting_ones_are_each_named() {
    // Before: the exact repeat was refused as a duplicate key.
    let text = "Year,SEX,COMMENT_OBS,Value\n2020,F,,1.5\n2020,F,,1.5\n2020,M,,2\n2020,M,x,2\n2020,M,,3\n2020,F,,1.5\n";
    let p = problems(text);
    assert_eq!(
        p,
        [
            "indicator_1-1-1.csv: row 5: the same year and disaggregation as row 4 (Year 2020, SEX M) with other cells: one value per key",
            "indicator_1-1-1.csv: row 6: the same year and disaggregation as row 4 (Year 2020, SEX M) with other cells: one value per key",
        ]
    );
    let d = read(
        b"Year,SEX,Value\n2020,F,1.5\n2020,F,1.5\n2020,M,2\n2020,F,1.5\n",
        "indicator_1-1-1.csv",
    )
    .expect("read");
    assert_eq!(d.observations.len(), 2);
    assert_eq!(d.rows, [2, 4]);
    assert_eq!(
        d.warnings
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        [
            "indicator_1-1-1.csv: row 3: repeats row 2 exactly: counted once",
            "indicator_1-1-1.csv: row 5: repeats row 2 exactly: counted once",
        ]
    );
}

#[test]
fn periods_become_sdmx_periods_or_are_refused_with_a_suggestion() {
    // Before: "2013 Q1" and "2019/20" were read as written, free text in SDMX-CSV downloads.
    let d = read(
        b"Year,Value\n2013 Q1,1.5\n2013Q2,2\n2019-07-01/P1Y,3\n",
        "indicator_1-5-1.csv",
    )
    .expect("read");
    let periods: Vec<&str> = d
        .observations
        .iter()
        .map(|o| o.time_period.as_str())
        .collect();
    assert_eq!(periods, ["2013-Q1", "2013-Q2", "2019-07-01/P1Y"]);
    let p = problems("Year,Value\n2019/20,2\n");
    assert_eq!(
        p,
        [
            "indicator_1-1-1.csv: row 2, column Year: \"2019/20\" spans the years 2019 and 2020, and SDMX has no such period: write it as a time range from its first day (2019-07-01/P1Y for a July–June year, 2019-09-01/P1Y for a school year) or as the one year it is reported under (2019 or 2020)"
        ]
    );
}

#[test]
fn a_folder_without_indicator_files_names_the_paths_searched() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("data")).expect("data/");
    let (read_ok, refused) = hrtrack_sdg::open_sdg::read_folder(dir.path());
    assert!(read_ok.is_empty());
    let shown = dir.path().display().to_string();
    let message = refused[0].1[0].to_string();
    assert_eq!(
        message,
        format!(
            "{shown}: folder: no Open SDG indicator file (indicator_<goal>-<target>-<indicator>.csv, e.g. indicator_1-1-1.csv) in {shown} nor in {shown}/data"
        )
    );
    // An Open SDG data repository keeps its files in data/: they are found there.
    std::fs::write(
        dir.path().join("data/indicator_1-1-1.csv"),
        "Year,Value\n2020,1\n",
    )
    .expect("write");
    let (read_ok, refused) = hrtrack_sdg::open_sdg::read_folder(dir.path());
    assert_eq!((read_ok.len(), refused.len()), (1, 0));
}

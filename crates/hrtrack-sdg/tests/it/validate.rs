//! Validation of a submission: one test per rule on small SDMX-CSV (and Open SDG) texts read by
//! the real readers and checked against the real SDG code lists, a clean dataset without
//! issues, the real Kazakhstan 5.5.1 file, and 100,000 observations against the clock.

use std::time::Instant;

use hrtrack_sdg::validate::{
    Issue, IssueKind, Severity, ValidationOptions, ValidationReport, validate,
};
use hrtrack_sdg::{Dataset, Observation, open_sdg, sdmx_csv};

use crate::codelists::real_codes;

const HEAD: &str = "DATAFLOW,FREQ,REPORTING_TYPE,SERIES,REF_AREA,SEX,AGE,TIME_PERIOD,OBS_VALUE,UNIT_MULT,UNIT_MEASURE,NATURE\n";

/// One SDMX-CSV row for Tajikistan (M49 762).
fn row(series: &str, sex: &str, period: &str, value: &str, unit: &str) -> String {
    format!("IAEG-SDGs:DF_SDG_GLH(1.24),A,N,{series},762,{sex},_T,{period},{value},0,{unit},C\n")
}

fn dataset(rows: &[String]) -> Dataset {
    let text = format!("{HEAD}{}", rows.concat());
    sdmx_csv::read(text.as_bytes(), "submission.csv").expect("the test file reads")
}

fn check(dataset: &Dataset, published: &[Observation]) -> ValidationReport {
    validate(
        dataset,
        &real_codes(),
        published,
        &ValidationOptions::default(),
    )
}

/// The issues as (kind, column, place, severity).
fn summary(report: &ValidationReport) -> Vec<(IssueKind, &str, &str, Severity)> {
    report
        .issues
        .iter()
        .map(|i| (i.kind, i.column.as_str(), i.place.as_str(), i.severity))
        .collect()
}

/// Homicide victims (16.1.1, NUMBER: additive) by sex for two years: consistent.
fn clean_rows() -> Vec<String> {
    vec![
        row("VC_IHR_PSRC", "_T", "2019", "100", "NUMBER"),
        row("VC_IHR_PSRC", "F", "2019", "40", "NUMBER"),
        row("VC_IHR_PSRC", "M", "2019", "60", "NUMBER"),
        row("VC_IHR_PSRC", "_T", "2020", "110", "NUMBER"),
        row("VC_IHR_PSRC", "F", "2020", "45", "NUMBER"),
        row("VC_IHR_PSRC", "M", "2020", "65", "NUMBER"),
    ]
}

#[test]
fn a_clean_dataset_has_no_issues() {
    let report = check(&dataset(&clean_rows()), &[]);
    assert_eq!(report.issues, Vec::<Issue>::new());
    assert_eq!((report.observations, report.series), (6, 3));
    assert!(report.is_acceptable());
}

#[test]
fn unknown_codes_are_errors_naming_code_and_list() {
    let mut rows = clean_rows();
    rows[1] = row("VC_IHR_PSRC", "X", "2019", "40", "NUMBER");
    rows[2] = row("VC_NOPE", "M", "2019", "60", "NUMBER");
    rows[4] = row("VC_IHR_PSRC", "F", "2020", "45", "PERCENT");
    let report = check(&dataset(&rows), &[]);
    assert_eq!(
        summary(&report),
        [
            (IssueKind::UnknownCode, "SEX", "row 3", Severity::Error),
            (IssueKind::UnknownCode, "SERIES", "row 4", Severity::Error),
            (
                IssueKind::UnknownCode,
                "UNIT_MEASURE",
                "row 6",
                Severity::Error
            ),
        ]
    );
    assert_eq!(report.issues[0].message, "SEX code \"X\" is not in CL_SEX");
    assert_eq!(report.issues[0].value, "X");
    assert_eq!(report.issues[0].index, Some(1));
    assert_eq!(
        report.issues[1].message,
        "SERIES code \"VC_NOPE\" is not in CL_SERIES"
    );
    assert_eq!(
        report.issues[2].message,
        "UNIT_MEASURE code \"PERCENT\" is not in CL_UNIT_MEASURE"
    );
    assert_eq!(report.issues[0].kind.code(), "unknown_code");
    assert!(!report.is_acceptable());
}

#[test]
fn a_series_of_another_indicator_is_an_error_and_free_columns_are_not_checked() {
    let text = "Year,SERIES,Region,UNIT_MEASURE,Value\n2020,SG_GEN_PARL,Dushanbe,PT,20\n2020,SI_POV_DAY1,Dushanbe,PT,5\n";
    let d = open_sdg::read(text.as_bytes(), "indicator_1-1-1.csv").expect("reads");
    let report = check(&d, &[]);
    assert_eq!(
        summary(&report),
        [(IssueKind::UnknownCode, "SERIES", "row 2", Severity::Error)]
    );
    assert_eq!(
        report.issues[0].message,
        "SERIES \"SG_GEN_PARL\" belongs to indicator 5.5.1, not to 1.1.1"
    );
}

#[test]
fn a_value_that_is_not_a_finite_number_is_an_error() {
    let mut d = dataset(&clean_rows());
    d.observations[4].value = Some(f64::INFINITY);
    let report = check(&d, &[]);
    assert_eq!(
        summary(&report),
        [(IssueKind::NotNumeric, "OBS_VALUE", "row 6", Severity::Error)]
    );
    assert_eq!(
        report.issues[0].message,
        "OBS_VALUE inf is not a finite number"
    );
}

#[test]
fn a_duplicate_key_names_both_places() {
    let mut d = dataset(&clean_rows()[..2]);
    let copy = d.observations[1].clone();
    d.observations.push(copy);
    d.rows.push(9);
    let report = check(&d, &[]);
    assert_eq!(
        summary(&report),
        [(
            IssueKind::DuplicateKey,
            "TIME_PERIOD",
            "row 9",
            Severity::Error
        )]
    );
    assert_eq!(
        report.issues[0].message,
        "VC_IHR_PSRC, AGE=_T, FREQ=A, REF_AREA=762, REPORTING_TYPE=N, SEX=F, 2019 appears twice: at row 3 and at row 9"
    );
}

#[test]
fn a_value_without_unit_is_an_error() {
    let mut rows = clean_rows();
    rows[3] = row("VC_IHR_PSRC", "_T", "2020", "110", "");
    let report = check(&dataset(&rows), &[]);
    assert_eq!(
        summary(&report),
        [(
            IssueKind::UnitMissing,
            "UNIT_MEASURE",
            "row 5",
            Severity::Error
        )]
    );
    assert_eq!(
        report.issues[0].message,
        "the value 110 has no UNIT_MEASURE"
    );
}

#[test]
fn a_part_above_its_total_is_an_error_for_additive_units_only() {
    let mut rows = clean_rows();
    rows[2] = row("VC_IHR_PSRC", "M", "2019", "90", "NUMBER");
    rows[5] = row("VC_IHR_PSRC", "M", "2020", "111", "NUMBER");
    let report = check(&dataset(&rows), &[]);
    assert_eq!(
        summary(&report),
        [(
            IssueKind::PartAboveTotal,
            "OBS_VALUE",
            "row 7",
            Severity::Error
        )]
    );
    assert_eq!(
        report.issues[0].message,
        "SEX=M has 111, more than the total 110 at row 5"
    );
    assert_eq!(report.issues[0].value, "111");
    let percent: Vec<String> = rows.iter().map(|r| r.replace("NUMBER", "PT")).collect();
    assert_eq!(check(&dataset(&percent), &[]).issues, Vec::<Issue>::new());
}

#[test]
fn a_part_above_a_total_left_blank_in_open_sdg_is_an_error() {
    let text =
        "Year,SEX,UNIT_MEASURE,Value\n2020,,NUMBER,100\n2020,F,NUMBER,101\n2020,M,NUMBER,50\n";
    let d = open_sdg::read(text.as_bytes(), "indicator_16-1-1.csv").expect("reads");
    let report = check(&d, &[]);
    assert_eq!(
        summary(&report),
        [(
            IssueKind::PartAboveTotal,
            "OBS_VALUE",
            "row 3",
            Severity::Error
        )]
    );
    assert_eq!(
        report.issues[0].message,
        "SEX=F has 101, more than the total 100 at row 2"
    );
}

#[test]
fn a_year_on_year_jump_is_a_warning_also_against_the_published_version() {
    let rows = [
        row("SI_POV_DAY1", "_T", "2018", "10", "PT"),
        row("SI_POV_DAY1", "_T", "2019", "11", "PT"),
        row("SI_POV_DAY1", "_T", "2020", "20", "PT"),
    ];
    let report = check(&dataset(&rows), &[]);
    assert_eq!(
        summary(&report),
        [(
            IssueKind::YearOnYearJump,
            "OBS_VALUE",
            "row 4",
            Severity::Warning
        )]
    );
    assert_eq!(
        report.issues[0].message,
        "20 in 2020 is up 82% from 11 in 2019"
    );
    assert!(report.is_acceptable(), "warnings do not block");
    assert_eq!((report.errors(), report.warnings()), (0, 1));

    let published = dataset(&[
        row("SI_POV_DAY1", "_T", "2020", "10", "PT"),
        row("SI_POV_DAY1", "_T", "2021", "99", "PT"),
    ]);
    let submission = dataset(&[row("SI_POV_DAY1", "_T", "2021", "4", "PT")]);
    let report = check(&submission, &published.observations);
    assert_eq!(
        summary(&report),
        [(
            IssueKind::YearOnYearJump,
            "OBS_VALUE",
            "row 2",
            Severity::Warning
        )]
    );
    assert_eq!(
        report.issues[0].message,
        "4 in 2021 is down 60% from 10 in 2020 (published)"
    );
    let options = ValidationOptions {
        jump_threshold: 0.7,
        ..ValidationOptions::default()
    };
    let calm = validate(
        &submission,
        &real_codes(),
        &published.observations,
        &options,
    );
    assert_eq!(calm.issues, Vec::<Issue>::new());
}

#[test]
fn issues_stop_at_the_cap_and_say_how_many_were_left_out() {
    let rows: Vec<String> = (2000..2010)
        .map(|year| row("VC_IHR_PSRC", "X", &year.to_string(), "1", "NUMBER"))
        .collect();
    let options = ValidationOptions {
        max_issues: 4,
        ..ValidationOptions::default()
    };
    let report = validate(&dataset(&rows), &real_codes(), &[], &options);
    assert_eq!(report.issues.len(), 5);
    let last = report.issues.last().expect("the cap issue");
    assert_eq!(last.kind, IssueKind::TooManyIssues);
    assert_eq!(last.severity, Severity::Error);
    assert_eq!(last.message, "6 more issue(s) not listed after the first 4");
}

#[test]
fn the_real_kazakhstan_5_5_1_file_validates() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/sdg-timeseries/kazakhstan-open-sdg/indicator_5-5-1.csv"
    );
    let bytes = std::fs::read(path).expect("the bundled file is there");
    let d = open_sdg::read(&bytes, "indicator_5-5-1.csv").expect("reads");
    let report = check(&d, &[]);
    println!(
        "Kazakhstan 5.5.1: {} observations, {} series, {} errors, {} warnings",
        report.observations,
        report.series,
        report.errors(),
        report.warnings()
    );
    for issue in &report.issues {
        println!("  {} {}: {}", issue.place, issue.kind.code(), issue.message);
    }
    assert_eq!(report.observations, d.observations.len());
    assert_eq!(report.series, 2, "SG_GEN_PARL and SG_GEN_LOCG");
}

#[test]
fn a_hundred_thousand_observations_validate_quickly() {
    let codes = real_codes();
    let areas: Vec<String> = codes.codelists["CL_AREA"]
        .codes
        .iter()
        .take(500)
        .map(|c| c.id.clone())
        .collect();
    let sexes = ["_T", "F", "M"];
    let mut observations = Vec::with_capacity(100_000);
    for i in 0..100_000_usize {
        let sex = sexes[(i / 500) % 3];
        let mut obs = Observation {
            series: "VC_IHR_PSRC".to_string(),
            time_period: (1950 + i / 1500).to_string(),
            value: Some(if sex == "_T" { 100.0 } else { 50.0 }),
            ..Observation::default()
        };
        obs.dimensions
            .insert("REF_AREA".into(), areas[i % 500].clone());
        obs.dimensions.insert("SEX".into(), sex.into());
        obs.attributes
            .insert("UNIT_MEASURE".into(), "NUMBER".into());
        observations.push(obs);
    }
    let d = Dataset {
        source: "big.csv".into(),
        format: hrtrack_sdg::SdgFormat::SdmxCsv1,
        dataflow: None,
        rows: (2..100_002).collect(),
        observations,
        warnings: Vec::new(),
    };
    let started = Instant::now();
    let report = validate(&d, &codes, &[], &ValidationOptions::default());
    let took = started.elapsed();
    println!("100,000 observations validated in {took:?}");
    assert_eq!((report.observations, report.series), (100_000, 1500));
    assert_eq!(report.issues, Vec::<Issue>::new());
    assert!(took.as_secs_f64() < 10.0, "took {took:?}");
}

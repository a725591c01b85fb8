//! The XLSX template: written from a plan and read back to the same observations; workbooks
//! an agency edited (written here with rust_xlsxwriter) read or refused with the right place;
//! other workbooks, corrupt archives and random bytes refused without panic.

use calamine::{Data, Reader, Xlsx};
use hrtrack_sdg::xlsx::{self, TemplateColumn, TemplatePlan};
use hrtrack_sdg::{Observation, SdgFormat, SdgReadError};
use rust_xlsxwriter::Workbook;

/// The UN Global Indicator Framework workbook: an XLSX file that is not a template.
const FRAMEWORK: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/sdg/Global_Indicator_Framework_after_2023_refinement.English.xlsx"
);

fn column(id: &str, label: &str, codes: &[(&str, &str)]) -> TemplateColumn {
    TemplateColumn {
        id: id.to_owned(),
        label: label.to_owned(),
        codes: codes
            .iter()
            .map(|(c, n)| ((*c).to_owned(), (*n).to_owned()))
            .collect(),
    }
}

fn observation(
    sex: &str,
    period: &str,
    value: Option<f64>,
    attributes: &[(&str, &str)],
) -> Observation {
    Observation {
        series: "SG_GEN_PARL".to_owned(),
        indicator: Some("5.5.1".to_owned()),
        dimensions: [("REF_AREA", "398"), ("SEX", sex)]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        time_period: period.to_owned(),
        value,
        attributes: attributes
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        ..Observation::default()
    }
}

fn plan_551() -> TemplatePlan {
    TemplatePlan {
        indicator: "5.5.1".to_owned(),
        title: "Proportion of seats held by women in national parliaments and local governments"
            .to_owned(),
        columns: vec![
            column(
                "SERIES",
                "Series",
                &[
                    ("SG_GEN_PARL", "Seats held by women in national parliaments"),
                    ("SG_GEN_LOCG", "Seats held by women in local governments"),
                ],
            ),
            column("REF_AREA", "Area", &[]),
            column(
                "SEX",
                "Sex",
                &[("_T", "Total"), ("F", "Female"), ("M", "Male")],
            ),
            column("TIME_PERIOD", "Year", &[]),
            column("OBS_VALUE", "Value", &[]),
            column("UNIT_MEASURE", "Unit", &[]),
            column("OBS_STATUS", "Observation status", &[]),
            column("COMMENT_OBS", "Comment", &[]),
        ],
        rows: vec![
            observation("_T", "2020", Some(27.1), &[("UNIT_MEASURE", "PT")]),
            observation(
                "F",
                "2021-Q1",
                None,
                &[
                    ("UNIT_MEASURE", "PT"),
                    ("OBS_STATUS", "M"),
                    ("COMMENT_OBS", "not collected, \"yet\""),
                ],
            ),
            observation("M", "2022", Some(0.125), &[]),
        ],
        instructions: vec!["Fill in one row per value.".to_owned()],
    }
}

fn places(errors: &[SdgReadError]) -> Vec<&str> {
    errors.iter().map(|e| e.place.as_str()).collect()
}

#[test]
fn a_template_reads_back_to_its_rows() {
    let plan = plan_551();
    let bytes = xlsx::write_template(&plan).expect("the template is written");
    let dataset = xlsx::read(&bytes, "5.5.1.xlsx").expect("the template reads");
    assert_eq!(dataset.format, SdgFormat::XlsxTemplate);
    assert_eq!(dataset.observations, plan.rows);
    assert_eq!(dataset.rows, [3, 4, 5]);

    let mut workbook: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(bytes)).expect("calamine opens the template");
    let sheets = workbook.sheet_names();
    assert_eq!(sheets, ["Data", "About", "Codes"]);
    let about = workbook.worksheet_range("About").expect("sheet About");
    assert_eq!(
        about.get_value((0, 0)),
        Some(&Data::String("indicator".into()))
    );
    assert_eq!(about.get_value((0, 1)), Some(&Data::String("5.5.1".into())));
    assert_eq!(about.get_value((1, 0)), Some(&Data::String("title".into())));
    let codes = workbook.worksheet_range("Codes").expect("sheet Codes");
    // SERIES codes and names in A and B, SEX in C and D.
    assert_eq!(
        codes.get_value((0, 0)),
        Some(&Data::String("SERIES".into()))
    );
    assert_eq!(
        codes.get_value((2, 0)),
        Some(&Data::String("SG_GEN_LOCG".into()))
    );
    assert_eq!(codes.get_value((0, 2)), Some(&Data::String("SEX".into())));
    assert_eq!(codes.get_value((3, 3)), Some(&Data::String("Male".into())));
    let data = workbook.worksheet_range("Data").expect("sheet Data");
    assert_eq!(data.get_value((1, 4)), Some(&Data::String("Value".into())));
    assert_eq!(data.get_value((2, 4)), Some(&Data::Float(27.1)));
}

#[test]
fn a_plan_that_would_lose_data_is_refused() {
    let mut plan = plan_551();
    plan.columns.retain(|c| c.id != "COMMENT_OBS");
    let error = xlsx::write_template(&plan).expect_err("COMMENT_OBS has no column");
    assert!(error.to_string().contains("COMMENT_OBS"), "{error}");

    let mut plan = plan_551();
    plan.columns.retain(|c| c.id != "OBS_VALUE");
    assert!(xlsx::write_template(&plan).is_err());
}

/// A workbook as an agency might send it: `rows` under the ids and the labels row; a cell
/// written `#12.5` is a number cell, any other a text cell, an empty one left out.
fn agency_workbook(ids: &[&str], rows: &[&[&str]], about: bool) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let data = workbook.add_worksheet().set_name("Data").expect("name");
    for (col, id) in (0u16..).zip(ids) {
        data.write_string(0, col, *id).expect("id");
        data.write_string(1, col, format!("{id} label"))
            .expect("label");
    }
    for (row, cells) in (2u32..).zip(rows) {
        for (col, cell) in (0u16..).zip(*cells) {
            if cell.is_empty() {
                continue;
            }
            match cell.strip_prefix('#').and_then(|n| n.parse::<f64>().ok()) {
                Some(number) => data.write_number(row, col, number).expect("number"),
                None => data.write_string(row, col, *cell).expect("text"),
            };
        }
    }
    if about {
        let sheet = workbook.add_worksheet().set_name("About").expect("name");
        sheet.write_string(0, 0, "indicator").expect("A1");
        sheet.write_string(0, 1, "5-5-1").expect("B1");
    }
    workbook.save_to_buffer().expect("saved")
}

const IDS: &[&str] = &["SEX", "TIME_PERIOD", "OBS_VALUE", "OBS_STATUS", "AGE"];

#[test]
fn an_edited_workbook_reads_numbers_text_and_blanks() {
    // Cells starting with # are number cells.
    let bytes = agency_workbook(
        IDS,
        &[
            &["F", "#2020", "#12.5", "", "Y15T24"],
            &["", "", "", "", ""],
            &["M", "2021", " 7 ", "", ""],
            &["", "#2022", "", "M", ""],
        ],
        true,
    );
    let dataset = xlsx::read(&bytes, "edited.xlsx").expect("the workbook reads");
    assert_eq!(dataset.rows, [3, 5, 6]);
    let obs = &dataset.observations;
    assert_eq!(obs.len(), 3);
    assert_eq!(obs[0].time_period, "2020");
    assert_eq!(obs[0].value, Some(12.5));
    assert_eq!(obs[0].dimension("AGE"), Some("Y15T24"));
    assert_eq!(obs[0].indicator.as_deref(), Some("5.5.1"));
    assert_eq!(obs[1].value, Some(7.0));
    assert_eq!(obs[1].dimension("SEX"), Some("M"));
    assert_eq!(obs[2].time_period, "2022");
    assert_eq!(obs[2].value, None);
    assert!(obs[2].dimensions.is_empty(), "blank dimensions are totals");
    assert_eq!(obs[2].attribute("OBS_STATUS"), Some("M"));
}

#[test]
fn text_in_obs_value_is_refused_with_its_row() {
    let bytes = agency_workbook(
        IDS,
        &[
            &["F", "2020", "#1", "", ""],
            &["M", "2020", "#2", "", ""],
            &["_T", "2020", "about 3", "", ""],
            &["_T", "2021", "12,5", "", ""],
            &["_T", "", "#4", "", ""],
        ],
        true,
    );
    let errors = xlsx::read(&bytes, "edited.xlsx").expect_err("text is not a value");
    assert_eq!(
        places(&errors),
        [
            "row 5, column OBS_VALUE",
            "row 6, column OBS_VALUE",
            "row 7, column TIME_PERIOD"
        ]
    );
    assert!(errors[0].message.contains("about 3"), "{}", errors[0]);
    assert_eq!(errors[0].file, "edited.xlsx");
}

#[test]
fn a_workbook_without_about_or_with_a_bad_header_is_refused() {
    let bytes = agency_workbook(IDS, &[&["F", "2020", "#1", "", ""]], false);
    let errors = xlsx::read(&bytes, "no-about.xlsx").expect_err("no About sheet");
    assert_eq!(places(&errors), ["file"]);
    assert!(errors[0].message.contains("\"About\""), "{}", errors[0]);

    let ids = ["SEX", "TIME_PERIOD", "SEX", "OBS_VALUE"];
    let bytes = agency_workbook(&ids, &[&["F", "2020", "M", "#1"]], true);
    let errors = xlsx::read(&bytes, "twice.xlsx").expect_err("SEX twice");
    assert_eq!(places(&errors), ["row 1, column SEX"]);
    assert!(
        errors[0].message.contains("columns A and C"),
        "{}",
        errors[0]
    );

    let ids = ["Sex", "Year", "Value"];
    let bytes = agency_workbook(&ids, &[&["F", "2020", "#1"]], true);
    let errors = xlsx::read(&bytes, "open-sdg-layout.xlsx").expect_err("not the template's ids");
    assert_eq!(places(&errors), ["row 1"]);
    assert!(
        errors[0].message.contains("TIME_PERIOD and OBS_VALUE"),
        "{}",
        errors[0]
    );
}

#[test]
fn other_files_are_refused_cleanly() {
    let framework = std::fs::read(FRAMEWORK).expect("the framework workbook is in data/sdg");
    let errors = xlsx::read(&framework, "framework.xlsx").expect_err("not a template");
    assert_eq!(places(&errors), ["file"]);
    assert!(
        errors[0].message.contains("no sheet \"Data\""),
        "{}",
        errors[0]
    );

    let random: Vec<u8> = (0u32..4096)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let errors = xlsx::read(&random, "random.bin").expect_err("random bytes");
    assert!(errors[0].message.contains("not an XLSX"), "{}", errors[0]);
    assert!(xlsx::read(&[], "empty.xlsx").is_err());

    let template = xlsx::write_template(&plan_551()).expect("written");
    for cut in [10, template.len() / 2, template.len() - 10] {
        let errors = xlsx::read(&template[..cut], "cut.xlsx").expect_err("a cut archive");
        assert_eq!(places(&errors), ["file"], "cut at {cut}");
    }
}

#[test]
fn a_workbook_declaring_a_huge_unpacked_size_is_judged_by_what_it_inflates_to() {
    let mut bytes = xlsx::write_template(&plan_551()).expect("written");
    // Raise the unpacked size the central directory declares for the first part.
    let entry = bytes
        .windows(4)
        .position(|w| w == b"PK\x01\x02")
        .expect("a central directory entry");
    bytes[entry + 24..entry + 28].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    // Declared sizes are not trusted either way: the parts are counted as they inflate
    // (bombs: tests/it/files.rs), and these are small.
    let dataset = xlsx::read(&bytes, "declared.xlsx").expect("small once inflated");
    assert_eq!(dataset.observations.len(), 3);
}

#[test]
fn a_template_quotes_formula_like_text_and_reads_it_back_unchanged() {
    let mut plan = plan_551();
    plan.title = "=HYPERLINK(\"http://evil\")".to_owned();
    plan.rows = vec![observation(
        "_T",
        "2020",
        Some(-3.5),
        &[("UNIT_MEASURE", "PT"), ("COMMENT_OBS", "-from the =census")],
    )];
    plan.rows[0]
        .dimensions
        .insert("REF_AREA".to_owned(), "@398".to_owned());
    let bytes = xlsx::write_template(&plan).expect("the template is written");

    let mut workbook: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(bytes.clone())).expect("calamine opens the template");
    let data = workbook.worksheet_range("Data").expect("sheet Data");
    // REF_AREA in B, OBS_VALUE in E, COMMENT_OBS in H.
    assert_eq!(data.get_value((2, 1)), Some(&Data::String("'@398".into())));
    assert_eq!(data.get_value((2, 4)), Some(&Data::Float(-3.5)));
    assert_eq!(
        data.get_value((2, 7)),
        Some(&Data::String("'-from the =census".into()))
    );
    let about = workbook.worksheet_range("About").expect("sheet About");
    assert_eq!(
        about.get_value((1, 1)),
        Some(&Data::String("'=HYPERLINK(\"http://evil\")".into()))
    );

    let dataset = xlsx::read(&bytes, "5.5.1.xlsx").expect("the template reads");
    assert_eq!(dataset.observations, plan.rows);
}

//! The recommendation exports: text cells a spreadsheet would run as formulas are written
//! with a `'` in front (CSV and XLSX), and `import table` of the export gives back the
//! original texts.

use calamine::{Data, Reader, Xlsx};
use hrtrack_domain::RecommendationRecord;
use hrtrack_import::export::{self, ExportFormat};
use hrtrack_import::table;

const HOSTILE: &str = "=HYPERLINK(\"http://evil.example\",\"click\")";

fn record() -> RecommendationRecord {
    RecommendationRecord {
        uid: "SVN-UPR4-140.7".to_owned(),
        state: "Slovenia".to_owned(),
        state_iso3: "SVN".to_owned(),
        mechanism: "UPR".to_owned(),
        cycle: Some(4),
        session: Some(48),
        date: Some("2025".to_owned()),
        report_symbol: Some("A/HRC/59/10".to_owned()),
        paragraph: Some("140.7".to_owned()),
        text: HOSTILE.to_owned(),
        language: "en".to_owned(),
        translations: Vec::new(),
        position: "supported".to_owned(),
        position_source: None,
        recommending_states: vec!["Germany".to_owned()],
        theme_heading: Some("@SUM(1,2)".to_owned()),
        themes: vec!["-Torture".to_owned()],
        affected_persons: Vec::new(),
        sdg_goals: vec![16],
        sdg_targets: vec!["16.3".to_owned()],
        action_category: Some(5),
        upr_issues: Vec::new(),
        source_format: "ohchr_matrix".to_owned(),
    }
}

fn column(name: &str) -> usize {
    table::FIELDS
        .iter()
        .position(|f| *f == name)
        .unwrap_or_else(|| panic!("no field {name}"))
}

fn check_read_back(bytes: &[u8], file: &str) {
    let batch = table::read(bytes, file, None).unwrap_or_else(|e| panic!("{file}: {e}"));
    let recommendation = &batch.reviews[0].recommendations[0];
    assert_eq!(recommendation.text, HOSTILE, "{file}");
    assert_eq!(
        recommendation.theme_heading.as_deref(),
        Some("@SUM(1,2)"),
        "{file}"
    );
}

#[test]
fn a_csv_export_quotes_formulas_and_reads_back_to_the_original() {
    let bytes = export::write(&[record()], ExportFormat::Csv).expect("the CSV is written");
    let rows: Vec<Vec<String>> = csv::Reader::from_reader(bytes.as_slice())
        .records()
        .map(|r| r.expect("CSV").iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(rows[0][column("text")], format!("'{HOSTILE}"));
    assert_eq!(rows[0][column("theme_heading")], "'@SUM(1,2)");
    assert_eq!(rows[0][column("themes")], "'-Torture");
    assert_eq!(rows[0][column("paragraph")], "140.7");
    check_read_back(&bytes, "export.csv");
}

#[test]
fn an_xlsx_export_quotes_formulas_and_reads_back_to_the_original() {
    let bytes = export::write(&[record()], ExportFormat::Xlsx).expect("the XLSX is written");
    let mut workbook: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(bytes.clone())).expect("calamine opens the export");
    let sheet = workbook
        .worksheet_range("Recommendations")
        .expect("the sheet");
    let text = column("text") as u32;
    assert_eq!(
        sheet.get_value((1, text)),
        Some(&Data::String(format!("'{HOSTILE}")))
    );
    check_read_back(&bytes, "export.xlsx");
}

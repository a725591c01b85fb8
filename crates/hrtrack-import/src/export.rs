//! Writers of recommendation lists: CSV and XLSX with the columns of [`crate::table::FIELDS`]
//! and list items separated by ` | ` (so that `hrtrack import table` reads them back
//! unchanged), and JSON.
//!
//! Every cell of a CSV or XLSX goes through [`safe_cell`]: a text a spreadsheet would run as a
//! formula (beginning with `=`, `+`, `-`, `@`, a tab or a CR) gets a `'` in front. `import
//! table` without a mapping (this export's own layout) removes it again, so an export reads
//! back to the texts it was made of; JSON is written as it is.

use hrtrack_domain::RecommendationRecord;
use hrtrack_domain::spreadsheet::safe_cell;
use rust_xlsxwriter::{Format, Workbook};

use crate::table::FIELDS;

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
    Json,
}

impl ExportFormat {
    pub fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().as_str() {
            "csv" => Some(Self::Csv),
            "xlsx" => Some(Self::Xlsx),
            "json" => Some(Self::Json),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
            Self::Json => "json",
        }
    }
}

/// Separator between the items of list fields. Not `;`: UHRI theme names contain it
/// ("Children: definition; general principles; protection").
pub const LIST_SEPARATOR: &str = " | ";

/// One record as the cells of a table row, in the order of `FIELDS`, spreadsheet-safe.
fn cells(record: &RecommendationRecord) -> Vec<String> {
    raw_cells(record)
        .into_iter()
        .map(|cell| safe_cell(&cell).into_owned())
        .collect()
}

/// One record as the texts of a table row, in the order of `FIELDS`.
fn raw_cells(record: &RecommendationRecord) -> Vec<String> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let num = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    FIELDS
        .iter()
        .map(|field| match *field {
            "uid" => record.uid.clone(),
            "state" => record.state.clone(),
            "state_iso3" => record.state_iso3.clone(),
            "mechanism" => record.mechanism.clone(),
            "cycle" => num(record.cycle),
            "session" => num(record.session),
            "date" => opt(&record.date),
            "report_symbol" => opt(&record.report_symbol),
            "paragraph" => opt(&record.paragraph),
            "text" => record.text.clone(),
            "language" => record.language.clone(),
            "position" => record.position.clone(),
            "position_source" => opt(&record.position_source),
            "recommending_states" => record.recommending_states.join(LIST_SEPARATOR),
            "theme_heading" => opt(&record.theme_heading),
            "themes" => record.themes.join(LIST_SEPARATOR),
            "affected_persons" => record.affected_persons.join(LIST_SEPARATOR),
            "sdg_goals" => record
                .sdg_goals
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(LIST_SEPARATOR),
            "sdg_targets" => record.sdg_targets.join(LIST_SEPARATOR),
            "action_category" => num(record.action_category),
            "upr_issues" => record.upr_issues.join(LIST_SEPARATOR),
            "source_format" => record.source_format.clone(),
            _ => String::new(),
        })
        .collect()
}

/// Writes `records` in `format` and returns the file's bytes.
pub fn write(records: &[RecommendationRecord], format: ExportFormat) -> Result<Vec<u8>, String> {
    match format {
        ExportFormat::Csv => {
            let mut writer = csv::Writer::from_writer(Vec::new());
            writer.write_record(FIELDS).map_err(|e| e.to_string())?;
            for record in records {
                writer
                    .write_record(cells(record))
                    .map_err(|e| e.to_string())?;
            }
            writer.into_inner().map_err(|e| e.to_string())
        }
        ExportFormat::Xlsx => {
            let mut workbook = Workbook::new();
            let sheet = workbook.add_worksheet();
            sheet
                .set_name("Recommendations")
                .map_err(|e| e.to_string())?;
            let bold = Format::new().set_bold();
            for (col, field) in FIELDS.iter().enumerate() {
                sheet
                    .write_string_with_format(0, col as u16, *field, &bold)
                    .map_err(|e| e.to_string())?;
            }
            for (row, record) in records.iter().enumerate() {
                for (col, cell) in cells(record).iter().enumerate() {
                    // Written as text: a paragraph "140.10" must not become the number 140.1.
                    sheet
                        .write_string(row as u32 + 1, col as u16, cell)
                        .map_err(|e| e.to_string())?;
                }
            }
            sheet.set_freeze_panes(1, 0).map_err(|e| e.to_string())?;
            workbook.save_to_buffer().map_err(|e| e.to_string())
        }
        ExportFormat::Json => serde_json::to_vec_pretty(records).map_err(|e| e.to_string()),
    }
}

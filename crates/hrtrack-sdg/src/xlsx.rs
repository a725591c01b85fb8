//! The XLSX template an agency fills in for one indicator ([`write_template`]) and its reader
//! ([`read`]).
//!
//! The template's layout, which the reader expects:
//! - Sheet `Data`: row 1 holds the component ids (`SERIES`, `REF_AREA`, `SEX`, …, `TIME_PERIOD`,
//!   `OBS_VALUE`, `UNIT_MEASURE`, `OBS_STATUS`, …), bold and frozen; row 2 their names for
//!   people; the data from row 3, one row per value. Coded columns have a dropdown list
//!   referring to sheet `Codes`; `OBS_VALUE` accepts decimal numbers only.
//! - Sheet `Codes`: for each coded column, a column of codes (headed by the component id) and
//!   one of their names next to it.
//! - Sheet `About`: `A1` "indicator", `B1` the indicator code (`5.5.1`), `A2` "title", `B2` the
//!   title, then instructions.
//!
//! The reader's rules:
//! - The bytes must be an XLSX (ZIP) workbook of at most [`MAX_FILE_BYTES`] whose parts unpack
//!   to at most [`MAX_UNCOMPRESSED_BYTES`] in all, counted as they are inflated (the sizes the
//!   archive declares are not trusted); other files (random bytes, `.xls`, a corrupt archive, a
//!   ZIP bomb) are refused with place "file" or the part's name. The counts the shared strings
//!   declare are neutralised before calamine reads them ([`hrtrack_import::bounded_zip`]).
//! - Sheets `Data` and `About` must exist; `About!B1` gives the indicator of every observation.
//! - Row 1 of `Data` holds component ids (trimmed), each at most once, `TIME_PERIOD` and
//!   `OBS_VALUE` among them. Row 2 (the names) is always skipped.
//! - `SERIES` gives [`Observation::series`], `TIME_PERIOD` the period (a number cell `2020` is
//!   read "2020"; text must begin with a four-digit year), `OBS_VALUE` the value: a number
//!   cell, text holding a plain number with `.` as decimal separator, or empty (or `#N/A`) for a
//!   missing value. The ids [`crate::sdmx_ml::is_known_attribute`] knows (`UNIT_MEASURE`,
//!   `OBS_STATUS`, `COMMENT_OBS`, …) are attributes; every other id is a dimension. Blank
//!   dimension and attribute cells are left out (a blank dimension is the total).
//! - Wholly blank rows are skipped; at most [`MAX_DATA_ROWS`] rows, [`MAX_COLUMNS`] columns and
//!   [`MAX_CELL_CHARS`] characters a cell. Date cells and Excel errors (other than `#N/A` as a value) are refused,
//!   as is a filled cell under a blank header.
//!
//! Places are "row N, column ID" with N the sheet's row number (the ids are row 1).
//!
//! Text cells are written through [`hrtrack_domain::spreadsheet::safe_cell`] (a `'` before a
//! text a spreadsheet would run as a formula), and the reader removes that quote again with
//! [`unsafe_cell`], so a prefilled template sent back unchanged gives the texts it was made of.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;

use calamine::{CellErrorType, DataRef, Reader, Xlsx};
use hrtrack_domain::spreadsheet::{safe_cell, unsafe_cell};
/// The error of [`write_template`], rust_xlsxwriter's.
pub use rust_xlsxwriter::XlsxError;
use rust_xlsxwriter::{
    DataValidation, DataValidationRule, Format, Formula, Workbook, column_number_to_name,
};

use crate::input::{MAX_FILE_BYTES, Number, Problems, parse_number};
use crate::sdmx_ml::{is_known_attribute, normalise_indicator};
use crate::{Dataset, Observation, SdgFormat, SdgReadError};

/// The sheet of the data.
pub const DATA_SHEET: &str = "Data";
/// The sheet naming the indicator.
pub const ABOUT_SHEET: &str = "About";
/// The sheet of the dropdown lists.
pub const CODES_SHEET: &str = "Codes";
/// The most data rows a template may hold.
pub const MAX_DATA_ROWS: u32 = 1_000_000;
/// The longest cell text read, in characters.
pub const MAX_CELL_CHARS: usize = 10_000;
/// The most bytes the parts of a workbook may unpack to, in all (a defence against ZIP bombs;
/// a real template is a few MB).
pub const MAX_UNCOMPRESSED_BYTES: u64 = hrtrack_import::bounded_zip::XLSX_LIMITS.total_bytes;
/// The most columns sheet `Data` may have (Excel's own limit: column XFD).
pub const MAX_COLUMNS: u32 = 16_384;

/// The sheet row (0-based) of the component ids, of their names, and of the first data row.
const ID_ROW: u32 = 0;
const LABEL_ROW: u32 = 1;
const FIRST_DATA_ROW: u32 = 2;
/// The last sheet row (0-based) a template may fill, and that dropdowns and number checks cover.
const LAST_DATA_ROW: u32 = FIRST_DATA_ROW + MAX_DATA_ROWS - 1;

const SERIES: &str = "SERIES";
const TIME_PERIOD: &str = "TIME_PERIOD";
const OBS_VALUE: &str = "OBS_VALUE";

/// One column of the template's `Data` sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateColumn {
    /// The component id written in row 1: `SERIES`, `REF_AREA`, `SEX`, `TIME_PERIOD`,
    /// `OBS_VALUE`, `UNIT_MEASURE`, `OBS_STATUS`, `COMMENT_OBS`, …
    pub id: String,
    /// The name for people written in row 2.
    pub label: String,
    /// The allowed codes with their names, offered as a dropdown; empty for free text.
    pub codes: Vec<(String, String)>,
}

/// What a template holds: the indicator, its columns and the data as last published.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplatePlan {
    /// The indicator code, e.g. "5.5.1".
    pub indicator: String,
    /// The indicator's title.
    pub title: String,
    /// The columns of sheet `Data`, in order; `TIME_PERIOD` and `OBS_VALUE` among them.
    pub columns: Vec<TemplateColumn>,
    /// The observations prefilled from row 3, so that the agency edits the last version.
    pub rows: Vec<Observation>,
    /// Lines of instructions written on sheet `About` under the indicator and title.
    pub instructions: Vec<String>,
}

/// Writes the template workbook of a plan. Refuses a plan whose columns lack `TIME_PERIOD` or
/// `OBS_VALUE` or repeat an id, or whose rows hold a series, dimension or attribute that has no
/// column (it would be lost).
pub fn write_template(plan: &TemplatePlan) -> Result<Vec<u8>, XlsxError> {
    check_plan(plan)?;
    let bold = Format::new().set_bold();
    let italic = Format::new().set_italic();
    let mut workbook = Workbook::new();

    let data = workbook.add_worksheet().set_name(DATA_SHEET)?;
    let mut coded_columns = 0u16;
    for (index, column) in plan.columns.iter().enumerate() {
        let col = column_number(index)?;
        data.write_string_with_format(ID_ROW, col, &column.id, &bold)?;
        data.write_string_with_format(LABEL_ROW, col, safe_cell(&column.label), &italic)?;
        let width = column
            .label
            .chars()
            .count()
            .max(column.id.len())
            .clamp(10, 40);
        data.set_column_width(col, width as f64)?;
        if column.id == OBS_VALUE {
            let numbers = DataValidation::new()
                .allow_decimal_number(DataValidationRule::Between(-1e30, 1e30))
                .set_error_message("OBS_VALUE takes a number (a dot as decimal separator), or stays empty for a missing value.")?;
            data.add_data_validation(FIRST_DATA_ROW, col, LAST_DATA_ROW, col, &numbers)?;
        } else if !column.codes.is_empty() {
            let code_col = coded_columns.checked_mul(2).ok_or_else(too_many_columns)?;
            let letter = column_number_to_name(code_col);
            let last = u32::try_from(column.codes.len()).map_err(|_| too_many_columns())? + 1;
            let list = DataValidation::new()
                .allow_list_formula(Formula::new(format!(
                    "={CODES_SHEET}!${letter}$2:${letter}${last}"
                )))
                .set_error_message(format!(
                    "Pick a code of {} from the list (sheet {CODES_SHEET}).",
                    column.id
                ))?;
            data.add_data_validation(FIRST_DATA_ROW, col, LAST_DATA_ROW, col, &list)?;
            coded_columns += 1;
        }
    }
    data.set_freeze_panes(FIRST_DATA_ROW, 0)?;
    for (offset, obs) in plan.rows.iter().enumerate() {
        let row = u32::try_from(offset)
            .ok()
            .and_then(|offset| FIRST_DATA_ROW.checked_add(offset))
            .filter(|row| *row <= LAST_DATA_ROW)
            .ok_or_else(|| {
                XlsxError::ParameterError(format!("a template holds at most {MAX_DATA_ROWS} rows"))
            })?;
        for (index, column) in plan.columns.iter().enumerate() {
            let col = column_number(index)?;
            match column.id.as_str() {
                OBS_VALUE => {
                    if let Some(value) = obs.value {
                        data.write_number(row, col, value)?;
                    }
                }
                TIME_PERIOD => {
                    data.write_string(row, col, safe_cell(&obs.time_period))?;
                }
                SERIES => {
                    if !obs.series.is_empty() {
                        data.write_string(row, col, safe_cell(&obs.series))?;
                    }
                }
                id => {
                    let text = if is_known_attribute(id) {
                        obs.attribute(id)
                    } else {
                        obs.dimension(id)
                    };
                    if let Some(text) = text {
                        data.write_string(row, col, safe_cell(text))?;
                    }
                }
            }
        }
    }

    let about = workbook.add_worksheet().set_name(ABOUT_SHEET)?;
    about.write_string_with_format(0, 0, "indicator", &bold)?;
    about.write_string(0, 1, safe_cell(&plan.indicator))?;
    about.write_string_with_format(1, 0, "title", &bold)?;
    about.write_string(1, 1, safe_cell(&plan.title))?;
    about.set_column_width(0, 12)?;
    about.set_column_width(1, 100)?;
    for (line, text) in (3u32..).zip(&plan.instructions) {
        about.write_string(line, 0, safe_cell(text))?;
    }

    let codes = workbook.add_worksheet().set_name(CODES_SHEET)?;
    let mut code_col = 0u16;
    let coded = plan
        .columns
        .iter()
        .filter(|c| !c.codes.is_empty() && c.id != OBS_VALUE);
    for column in coded {
        let name_col = code_col + 1;
        codes.write_string_with_format(0, code_col, &column.id, &bold)?;
        codes.write_string_with_format(0, name_col, format!("{} name", column.id), &bold)?;
        codes.set_column_width(name_col, 40)?;
        for (row, (code, name)) in (1u32..).zip(&column.codes) {
            codes.write_string(row, code_col, safe_cell(code))?;
            codes.write_string(row, name_col, safe_cell(name))?;
        }
        code_col = code_col.checked_add(2).ok_or_else(too_many_columns)?;
    }

    workbook.save_to_buffer()
}

fn check_plan(plan: &TemplatePlan) -> Result<(), XlsxError> {
    let refuse = |message: String| Err(XlsxError::ParameterError(message));
    let mut ids = BTreeSet::new();
    for column in &plan.columns {
        if !ids.insert(column.id.as_str()) {
            return refuse(format!("the column {} is listed twice", column.id));
        }
    }
    for needed in [TIME_PERIOD, OBS_VALUE] {
        if !ids.contains(needed) {
            return refuse(format!("a template needs a {needed} column"));
        }
    }
    for obs in &plan.rows {
        let lost = obs
            .dimensions
            .keys()
            .chain(obs.attributes.keys())
            .map(String::as_str)
            .chain((!obs.series.is_empty()).then_some(SERIES))
            .find(|id| !ids.contains(id));
        if let Some(id) = lost {
            return refuse(format!(
                "the row {} has {id}, which has no column",
                obs.describe()
            ));
        }
    }
    Ok(())
}

fn column_number(index: usize) -> Result<u16, XlsxError> {
    u16::try_from(index).map_err(|_| too_many_columns())
}

fn too_many_columns() -> XlsxError {
    XlsxError::ParameterError("the template has too many columns or codes".to_owned())
}

/// A cell of the sheet, owned.
#[derive(Debug, Clone, PartialEq)]
enum CellValue {
    Text(String),
    Number(f64),
    Date,
    Error(CellErrorType),
}

impl CellValue {
    /// The cell, or None when it is empty (or only spaces).
    fn from_data(data: &DataRef<'_>) -> Option<Self> {
        let value = match data {
            DataRef::Empty => return None,
            DataRef::String(text) => Self::Text(unsafe_cell(text.trim()).to_owned()),
            DataRef::SharedString(text) => Self::Text(unsafe_cell(text.trim()).to_owned()),
            DataRef::Int(n) => Self::Number(*n as f64),
            DataRef::Float(n) => Self::Number(*n),
            DataRef::Bool(b) => Self::Text(if *b { "TRUE" } else { "FALSE" }.to_owned()),
            DataRef::DateTime(_) | DataRef::DateTimeIso(_) | DataRef::DurationIso(_) => Self::Date,
            DataRef::Error(e) => Self::Error(e.clone()),
        };
        match &value {
            Self::Text(text) if text.is_empty() => None,
            _ => Some(value),
        }
    }

    /// The cell as text: numbers in their shortest form (`2020`, not `2020.0`).
    fn text(&self) -> Result<String, String> {
        match self {
            Self::Text(text) => Ok(text.clone()),
            Self::Number(n) => Ok(n.to_string()),
            Self::Date => Err(
                "the cell is a date: write the code or period as text (e.g. 2020 or 2020-01)"
                    .to_owned(),
            ),
            Self::Error(e) => Err(format!("the cell holds the Excel error {e}")),
        }
    }
}

/// What a column of sheet `Data` gives.
#[derive(Debug, Clone, PartialEq)]
enum Role {
    Series,
    Time,
    Value,
    Dimension(String),
    Attribute(String),
    /// A column with a blank id: its cells must be blank.
    Blank,
}

/// The header of sheet `Data`: each column's id (as shown in places) and role.
struct Header {
    columns: Vec<(String, Role)>,
}

impl Header {
    fn from_ids(ids: &BTreeMap<u32, CellValue>, problems: &mut Problems) -> Option<Self> {
        let width = ids
            .keys()
            .next_back()
            .map_or(0, |last| last.saturating_add(1));
        let mut columns: Vec<(String, Role)> = Vec::with_capacity(width as usize);
        let mut first_seen: BTreeMap<String, u32> = BTreeMap::new();
        for col in 0..width {
            let letter = column_letter(col);
            let id = match ids.get(&col).map(CellValue::text) {
                None => String::new(),
                Some(Ok(id)) => id,
                Some(Err(why)) => {
                    problems.add(format!("row 1, column {letter}"), why);
                    String::new()
                }
            };
            if id.is_empty() {
                columns.push((format!("{letter} (no id)"), Role::Blank));
                continue;
            }
            if let Some(first) = first_seen.get(&id) {
                problems.add(
                    format!("row 1, column {id}"),
                    format!(
                        "{id} appears twice (columns {} and {letter}); each component has one column",
                        column_letter(*first)
                    ),
                );
                columns.push((id, Role::Blank));
                continue;
            }
            first_seen.insert(id.clone(), col);
            let role = match id.as_str() {
                SERIES => Role::Series,
                TIME_PERIOD => Role::Time,
                OBS_VALUE => Role::Value,
                other if is_known_attribute(other) => Role::Attribute(id.clone()),
                _ => Role::Dimension(id.clone()),
            };
            columns.push((id, role));
        }
        let missing: Vec<&str> = [TIME_PERIOD, OBS_VALUE]
            .into_iter()
            .filter(|id| !first_seen.contains_key(*id))
            .collect();
        if !missing.is_empty() {
            let found: Vec<&str> = first_seen.keys().map(String::as_str).collect();
            problems.add(
                "row 1",
                format!(
                    "row 1 of sheet {DATA_SHEET} must hold the component ids of the template, {} \
                     among them (do not change row 1); it holds: {}",
                    missing.join(" and "),
                    found.join(", ")
                ),
            );
        }
        problems.is_empty().then_some(Self { columns })
    }
}

/// Reads a filled-in template. Every problem of the file comes back at once.
pub fn read(bytes: &[u8], file_name: &str) -> Result<Dataset, Vec<SdgReadError>> {
    let file_problem = |message: String| vec![SdgReadError::new(file_name, "file", message)];
    check_container(bytes).map_err(file_problem)?;
    let safe =
        hrtrack_import::bounded_zip::safe_xlsx(bytes, hrtrack_import::bounded_zip::XLSX_LIMITS)
            .map_err(|e| vec![SdgReadError::new(file_name, e.place, e.message)])?;
    let mut workbook = Xlsx::new(Cursor::new(&safe[..]))
        .map_err(|e| file_problem(format!("not a readable XLSX workbook: {e}")))?;
    let sheets = workbook.sheet_names();
    for needed in [DATA_SHEET, ABOUT_SHEET] {
        if !sheets.iter().any(|name| name == needed) {
            return Err(file_problem(format!(
                "the workbook has no sheet {needed:?}, so it is not an indicator template \
                 (its sheets: {})",
                sheets.join(", ")
            )));
        }
    }
    let indicator = read_indicator(&mut workbook, file_name)?;
    let mut cells = workbook
        .worksheet_cells_reader(DATA_SHEET)
        .map_err(|e| file_problem(format!("cannot read sheet {DATA_SHEET}: {e}")))?;

    let mut problems = Problems::new(file_name);
    let mut header_ids: BTreeMap<u32, CellValue> = BTreeMap::new();
    let mut header: Option<Header> = None;
    let mut current: Option<(u32, BTreeMap<u32, CellValue>)> = None;
    let mut observations = Vec::new();
    let mut rows = Vec::new();
    let mut on_row = |row: u32, cells: &BTreeMap<u32, CellValue>, header: &Header| {
        if let Some(obs) = read_row(row, cells, header, indicator.as_str(), &mut problems) {
            observations.push(obs);
            rows.push(row + 1);
        }
    };
    loop {
        let cell = match cells.next_cell() {
            Ok(Some(cell)) => cell,
            Ok(None) => break,
            Err(e) => {
                return Err(file_problem(format!(
                    "sheet {DATA_SHEET} cannot be read: {e}"
                )));
            }
        };
        let (row, col) = cell.get_position();
        let Some(value) = CellValue::from_data(cell.get_value()) else {
            continue;
        };
        if let CellValue::Text(text) = &value
            && text.chars().count() > MAX_CELL_CHARS
        {
            return Err(vec![SdgReadError::new(
                file_name,
                format!("row {}, column {}", row + 1, column_letter(col)),
                format!("the cell holds more than {MAX_CELL_CHARS} characters"),
            )]);
        }
        if col >= MAX_COLUMNS {
            return Err(vec![SdgReadError::new(
                file_name,
                format!("row {}, column {}", row + 1, column_letter(col)),
                format!("the cell is beyond the last column a sheet can have (XFD, {MAX_COLUMNS})"),
            )]);
        }
        if row > LAST_DATA_ROW {
            return Err(vec![SdgReadError::new(
                file_name,
                format!("row {}", row + 1),
                format!("a template holds at most {MAX_DATA_ROWS} data rows"),
            )]);
        }
        if row == ID_ROW {
            header_ids.insert(col, value);
            continue;
        }
        if header.is_none() {
            let mut header_problems = Problems::new(file_name);
            header = Header::from_ids(&header_ids, &mut header_problems);
            if header.is_none() {
                return Err(header_problems.into_vec());
            }
        }
        let Some(known) = &header else { continue };
        match &mut current {
            Some((at, row_cells)) if *at == row => {
                row_cells.insert(col, value);
            }
            Some((at, _)) if *at > row => {
                return Err(file_problem(format!(
                    "the rows of sheet {DATA_SHEET} are out of order (row {} after row {})",
                    row + 1,
                    *at + 1
                )));
            }
            _ => {
                if let Some((at, row_cells)) = current.take() {
                    on_row(at, &row_cells, known);
                }
                current = Some((row, BTreeMap::from([(col, value)])));
            }
        }
    }
    let header = match header {
        Some(header) => header,
        None => {
            let mut header_problems = Problems::new(file_name);
            match Header::from_ids(&header_ids, &mut header_problems) {
                Some(header) => header,
                None => return Err(header_problems.into_vec()),
            }
        }
    };
    if let Some((at, row_cells)) = current.take() {
        on_row(at, &row_cells, &header);
    }
    if !problems.is_empty() {
        return Err(problems.into_vec());
    }
    Ok(Dataset {
        source: file_name.to_owned(),
        format: SdgFormat::XlsxTemplate,
        dataflow: None,
        observations,
        rows,
        warnings: Vec::new(),
    })
}

/// The observation of one data row (0-based `row`), or None when the row is the names row,
/// or has problems (added to `problems`).
fn read_row(
    row: u32,
    cells: &BTreeMap<u32, CellValue>,
    header: &Header,
    indicator: &str,
    problems: &mut Problems,
) -> Option<Observation> {
    if row < FIRST_DATA_ROW {
        return None;
    }
    let line = row + 1;
    let mut obs = Observation {
        indicator: Some(indicator.to_owned()),
        ..Observation::default()
    };
    let mut ok = true;
    let mut period_seen = false;
    for (col, value) in cells {
        let Some((id, role)) = header.columns.get(*col as usize) else {
            problems.add(
                format!("row {line}, column {}", column_letter(*col)),
                "the cell is right of the last column with an id in row 1: empty it or give the column an id",
            );
            ok = false;
            continue;
        };
        let place = || format!("row {line}, column {id}");
        if *role == Role::Value {
            match value {
                CellValue::Number(n) if n.is_finite() => obs.value = Some(*n),
                CellValue::Text(text) => match parse_number(text, &[], false) {
                    Number::Value(v) => obs.value = Some(v),
                    Number::Missing => {}
                    Number::Bad(why) => {
                        problems.add(place(), why);
                        ok = false;
                    }
                },
                CellValue::Error(CellErrorType::NA) => {}
                other => {
                    let why = other
                        .text()
                        .err()
                        .unwrap_or_else(|| "the value is not a finite number".to_owned());
                    problems.add(place(), why);
                    ok = false;
                }
            }
            continue;
        }
        let text = match value.text() {
            Ok(text) => text,
            Err(why) => {
                problems.add(place(), why);
                ok = false;
                continue;
            }
        };
        match role {
            Role::Series => obs.series = text,
            Role::Time => {
                period_seen = true;
                if text.len() >= 4 && text.bytes().take(4).all(|b| b.is_ascii_digit()) {
                    obs.time_period = text;
                } else {
                    problems.add(
                        place(),
                        format!("{text:?} is not a period (e.g. 2020, 2020-Q1, 2020-01)"),
                    );
                    ok = false;
                }
            }
            Role::Dimension(id) => {
                obs.dimensions.insert(id.clone(), text);
            }
            Role::Attribute(id) => {
                obs.attributes.insert(id.clone(), text);
            }
            Role::Blank => {
                problems.add(
                    place(),
                    format!("the cell holds {text:?} under a blank id in row 1: name the column or empty it"),
                );
                ok = false;
            }
            Role::Value => {}
        }
    }
    if !period_seen {
        problems.add(
            format!("row {line}, column {TIME_PERIOD}"),
            "the period is blank",
        );
        ok = false;
    }
    ok.then_some(obs)
}

/// The indicator `About!B1` names, normalised (`5-5-1` → `5.5.1`).
fn read_indicator(
    workbook: &mut Xlsx<Cursor<&[u8]>>,
    file_name: &str,
) -> Result<String, Vec<SdgReadError>> {
    let place = format!("sheet {ABOUT_SHEET}, cell B1");
    let refuse = |message: String| vec![SdgReadError::new(file_name, place.as_str(), message)];
    let mut cells = workbook
        .worksheet_cells_reader(ABOUT_SHEET)
        .map_err(|e| refuse(format!("cannot read sheet {ABOUT_SHEET}: {e}")))?;
    let mut b1 = None;
    loop {
        match cells.next_cell() {
            Ok(Some(cell)) => match cell.get_position() {
                (0, 1) => {
                    b1 = CellValue::from_data(cell.get_value());
                    break;
                }
                (0, _) => {}
                _ => break,
            },
            Ok(None) => break,
            Err(e) => return Err(refuse(format!("cannot read sheet {ABOUT_SHEET}: {e}"))),
        }
    }
    let text = match b1.as_ref().map(CellValue::text) {
        Some(Ok(text)) => text,
        Some(Err(why)) => return Err(refuse(why)),
        None => {
            return Err(refuse(
                "the indicator code (e.g. 5.5.1) is missing; it belongs in B1".to_owned(),
            ));
        }
    };
    if text.chars().count() > 32 {
        return Err(refuse(format!(
            "{:?}… is not an indicator code (e.g. 5.5.1)",
            text.chars().take(32).collect::<String>()
        )));
    }
    normalise_indicator(&text).ok_or_else(|| refuse(format!("{text:?} is not an indicator code")))
}

/// Refuses bytes that are empty, too large, an `.xls` workbook or not a ZIP archive.
fn check_container(bytes: &[u8]) -> Result<(), String> {
    if bytes.is_empty() {
        return Err("the file is empty".to_owned());
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "the file is {:.1} MB; a reader takes at most {} MB",
            bytes.len() as f64 / 1e6,
            MAX_FILE_BYTES / 1024 / 1024
        ));
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(
            "the file is an Excel 97-2003 workbook (.xls): save it as .xlsx (Excel Workbook)"
                .to_owned(),
        );
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err("the file is not an XLSX workbook (an XLSX file is a ZIP archive)".to_owned());
    }
    Ok(())
}

/// The spreadsheet letter of a 0-based column: 0 → A, 27 → AB.
fn column_letter(col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = u64::from(col) + 1;
    while n > 0 {
        let rest = (n - 1) % 26;
        letters.push(char::from(b'A' + rest as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

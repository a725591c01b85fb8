//! Reader of any table a ministry keeps (CSV or XLSX), with a mapping file that says which
//! column holds which field, and defaults for fields the table does not have.
//!
//! The mapping is TOML (see README.md, "Importing your own table"):
//!
//! ```toml
//! [columns]            # field = "column header as in the file"
//! paragraph = "No."
//! text = "Recommendation"
//! recommending_states = "Recommending State(s)"
//! position = "Position"
//!
//! [defaults]           # for every row where there is no column (or the cell is empty)
//! state = "Turkmenistan"
//! mechanism = "UPR"
//! cycle = "4"
//! session = "44"
//!
//! [options]
//! sheet = "Recommendations"   # XLSX only; default: the first sheet
//! list_separator = ";"        # between items of list fields; default ";"
//!
//! [values.position]    # the ministry's word = hrtrack's (trimmed, any case)
//! "Accepted" = "supported"
//! [values.mechanism]
//! "Committee against Torture" = "CAT"
//! ```
//!
//! A value map applies to a cell (or default) of its field, and to each item of a list field;
//! words it does not name are read as they are. Every bad row is reported (the first
//! [`MAX_ROW_ERRORS`], then how many more), and then nothing is imported.
//!
//! Without a mapping, the column headers must be the field names themselves and list items are
//! separated by `|`, as in the files `hrtrack export` writes: an export imports back unchanged.

use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;

use calamine::{Data, Reader as _};
use hrtrack_domain::{
    Cycle, Field, FieldSet, ImportBatch, Mechanism, NewRecommendation, NewReview, Paragraph,
    Position, SdgGoal, SdgTarget, Session, SourceFormat,
};
use serde::Deserialize;

use crate::ImportError;
use crate::input::utf8_text;

/// Every field of a recommendation table, in the order exports write them. `uid`,
/// `state_iso3` and `source_format` are written for reference and not read back.
pub const FIELDS: &[&str] = &[
    "uid",
    "state",
    "state_iso3",
    "mechanism",
    "cycle",
    "session",
    "date",
    "report_symbol",
    "paragraph",
    "text",
    "language",
    "position",
    "position_source",
    "recommending_states",
    "theme_heading",
    "themes",
    "affected_persons",
    "sdg_goals",
    "sdg_targets",
    "action_category",
    "upr_issues",
    "source_format",
];

/// The mapping file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    #[serde(default)]
    pub defaults: BTreeMap<String, String>,
    #[serde(default)]
    pub options: MappingOptions,
    /// field -> (the file's word -> hrtrack's word).
    #[serde(default)]
    pub values: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingOptions {
    pub sheet: Option<String>,
    pub list_separator: Option<String>,
}

impl Mapping {
    pub fn parse(text: &str, file: &str) -> Result<Self, ImportError> {
        let mapping: Mapping =
            toml::from_str(text).map_err(|e| ImportError::new(file, "mapping", e.to_string()))?;
        for field in mapping
            .columns
            .keys()
            .chain(mapping.defaults.keys())
            .chain(mapping.values.keys())
        {
            if !FIELDS.contains(&field.as_str()) {
                return Err(ImportError::new(
                    file,
                    "mapping",
                    format!(
                        "unknown field {field:?}; the fields are: {}",
                        FIELDS.join(", ")
                    ),
                ));
            }
        }
        for (field, words) in &mapping.values {
            let mut seen: HashMap<String, &str> = HashMap::new();
            for word in words.keys() {
                if let Some(first) = seen.insert(word.trim().to_lowercase(), word) {
                    return Err(ImportError::new(
                        file,
                        format!("mapping, values.{field}"),
                        format!(
                            "{first:?} and {word:?} are the same word (case and spaces are ignored)"
                        ),
                    ));
                }
            }
        }
        Ok(mapping)
    }

    /// `word` in hrtrack's terms: its translation under `[values.FIELD]`, or itself.
    fn translate(&self, field: &str, word: String) -> String {
        let Some(words) = self.values.get(field) else {
            return word;
        };
        let key = word.trim().to_lowercase();
        words
            .iter()
            .find(|(from, _)| from.trim().to_lowercase() == key)
            .map_or(word, |(_, to)| to.trim().to_owned())
    }
}

/// The most bad rows one error lists; the rest are counted.
pub const MAX_ROW_ERRORS: usize = 100;

/// One error for all the bad rows of a table: the only one as it is, or a list of them.
fn all_rows(file: &str, mut errors: Vec<ImportError>, more: usize) -> ImportError {
    if errors.len() == 1 && more == 0 {
        return errors.remove(0);
    }
    let total = errors.len() + more;
    let mut message = format!("{total} rows cannot be imported (nothing was imported):");
    for error in &errors {
        message.push_str(&format!("\n  {}: {}", error.place, error.message));
    }
    if more > 0 {
        message.push_str(&format!("\n  … and {more} more"));
    }
    ImportError::new(file, format!("{total} rows"), message)
}

/// A table's header and rows as text, whatever the file type.
struct Grid {
    header: Vec<String>,
    rows: Vec<Row>,
}

/// One row of a table: its number as a spreadsheet shows it and its non-empty cells, by
/// column index (sparse, so that a cell far to the right costs no more than any other).
struct Row {
    line: u64,
    cells: Vec<(usize, String)>,
}

impl Row {
    /// The cell of column `index`, if it is there.
    fn get(&self, index: usize) -> Option<&str> {
        self.cells
            .binary_search_by_key(&index, |(i, _)| *i)
            .ok()
            .and_then(|at| self.cells.get(at))
            .map(|(_, text)| text.as_str())
    }

    fn is_blank(&self) -> bool {
        self.cells.iter().all(|(_, c)| c.trim().is_empty())
    }
}

/// The most columns and rows of a sheet (Excel's own limits: column XFD, row 1,048,576).
pub const MAX_XLSX_COLUMNS: u32 = 16_384;
pub const MAX_XLSX_ROWS: u32 = 1_048_576;

fn read_grid(bytes: &[u8], file: &str, sheet: Option<&str>) -> Result<Grid, ImportError> {
    if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes, file, sheet)
    } else {
        read_csv(bytes, file)
    }
}

fn read_csv(bytes: &[u8], file: &str) -> Result<Grid, ImportError> {
    let text = utf8_text(bytes, file)?;
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first_line.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| ImportError::new(file, "header", format!("cannot read the header row: {e}")))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let mut rows = Vec::new();
    for (n, record) in (2u64..).zip(reader.records()) {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            ImportError::new(file, format!("line {line}"), format!("malformed CSV: {e}"))
        })?;
        rows.push(Row {
            line: n,
            cells: record
                .iter()
                .enumerate()
                .map(|(i, c)| (i, c.to_owned()))
                .collect(),
        });
    }
    Ok(Grid { header, rows })
}

/// Reads a sheet cell by cell: the workbook is first checked by [`crate::bounded_zip`] (ZIP
/// bombs, declared string counts), and no range is built from the sheet's extent, so a
/// workbook with cells `A1` and `XFD1048576` costs two cells. Cells beyond Excel's limits
/// are refused with their place.
fn read_xlsx(bytes: &[u8], file: &str, sheet: Option<&str>) -> Result<Grid, ImportError> {
    let safe = crate::bounded_zip::safe_xlsx(bytes, crate::bounded_zip::XLSX_LIMITS)
        .map_err(|e| ImportError::new(file, e.place, e.message))?;
    let mut workbook = calamine::Xlsx::new(Cursor::new(&safe[..])).map_err(|e| {
        ImportError::new(file, "workbook", format!("not a readable XLSX file: {e}"))
    })?;
    let names = workbook.sheet_names();
    let name = match sheet {
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .cloned()
            .ok_or_else(|| {
                ImportError::new(
                    file,
                    "workbook",
                    format!("no sheet {wanted:?}; the sheets are: {}", names.join(", ")),
                )
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| ImportError::new(file, "workbook", "the workbook has no sheet"))?,
    };
    let sheet_error = |message: String| ImportError::new(file, format!("sheet {name:?}"), message);
    let mut reader = workbook
        .worksheet_cells_reader(&name)
        .map_err(|e| sheet_error(e.to_string()))?;
    let mut cells: Vec<(u32, u32, String)> = Vec::new();
    loop {
        let cell = match reader.next_cell() {
            Ok(Some(cell)) => cell,
            Ok(None) => break,
            Err(e) => return Err(sheet_error(e.to_string())),
        };
        let (row, col) = cell.get_position();
        let text = cell_text(&Data::from(cell.get_value().clone()));
        if text.trim().is_empty() {
            continue;
        }
        if row >= MAX_XLSX_ROWS || col >= MAX_XLSX_COLUMNS {
            return Err(ImportError::new(
                file,
                format!("sheet {name:?}, cell {}", cell_name(row, col)),
                format!(
                    "the cell is beyond the last row ({MAX_XLSX_ROWS}) or column (XFD) \
                     a spreadsheet can have"
                ),
            ));
        }
        cells.push((row, col, text));
    }
    drop(reader);
    cells.sort_by_key(|(row, col, _)| (*row, *col));
    cells.dedup_by_key(|(row, col, _)| (*row, *col));
    let mut rows: Vec<Row> = Vec::new();
    for (row, col, text) in cells {
        let line = u64::from(row) + 1;
        match rows.last_mut() {
            Some(last) if last.line == line => last.cells.push((col as usize, text)),
            _ => rows.push(Row {
                line,
                cells: vec![(col as usize, text)],
            }),
        }
    }
    let mut rows = rows.into_iter();
    let first = rows
        .next()
        .ok_or_else(|| sheet_error("the sheet is empty".to_owned()))?;
    let width = first.cells.last().map_or(0, |(col, _)| col + 1);
    let mut header = vec![String::new(); width];
    for (col, text) in first.cells {
        if let Some(slot) = header.get_mut(col) {
            *slot = text.trim().to_owned();
        }
    }
    Ok(Grid {
        header,
        rows: rows.collect(),
    })
}

/// The spreadsheet name of a 0-based cell: (0, 0) → A1, (1048575, 16383) → XFD1048576.
fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = u64::from(col) + 1;
    while n > 0 {
        let rest = ((n - 1) % 26) as u8;
        letters.push(char::from(b'A' + rest));
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!(
        "{}{}",
        letters.into_iter().collect::<String>(),
        u64::from(row) + 1
    )
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// Reads a table with `mapping` (or, when `None`, with the export's own column names).
pub fn read(
    bytes: &[u8],
    file: &str,
    mapping: Option<&Mapping>,
) -> Result<ImportBatch, ImportError> {
    let identity = Mapping::default();
    let mapping = mapping.unwrap_or(&identity);
    let mut grid = read_grid(bytes, file, mapping.options.sheet.as_deref())?;
    if mapping.columns.is_empty() {
        // hrtrack's own export: remove the quote its writer put before formula-like texts.
        for (_, cell) in grid.rows.iter_mut().flat_map(|row| row.cells.iter_mut()) {
            *cell = hrtrack_domain::spreadsheet::unsafe_cell(cell).to_owned();
        }
    }
    // Exports (read without a mapping) separate list items with `|`; ministry tables mostly `;`.
    let separator = match (&mapping.options.list_separator, mapping.columns.is_empty()) {
        (Some(separator), _) => separator.as_str(),
        (None, true) => crate::export::LIST_SEPARATOR.trim(),
        (None, false) => ";",
    };

    // field -> column index
    let mut columns: HashMap<&str, usize> = HashMap::new();
    let position_of = |header: &str| {
        grid.header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(header.trim()))
    };
    if mapping.columns.is_empty() {
        for field in FIELDS {
            if let Some(i) = position_of(field) {
                columns.insert(field, i);
            }
        }
    } else {
        let mut missing = Vec::new();
        for (field, header) in &mapping.columns {
            match position_of(header) {
                Some(i) => {
                    columns.insert(field.as_str(), i);
                }
                None => missing.push(format!("{header:?} (for {field})")),
            }
        }
        if !missing.is_empty() {
            return Err(ImportError::new(
                file,
                "header",
                format!(
                    "the mapping names column(s) the file does not have: {}; the header has: {}",
                    missing.join(", "),
                    grid.header.join(", ")
                ),
            ));
        }
    }
    for required in ["text", "state"] {
        if !columns.contains_key(required) && !mapping.defaults.contains_key(required) {
            return Err(ImportError::new(
                file,
                "header",
                format!(
                    "no column for {required:?} and no default for it; the header has: {}. \
                     Give a mapping file (--mapping) that names it.",
                    grid.header.join(", ")
                ),
            ));
        }
    }
    if grid.rows.iter().all(Row::is_blank) {
        return Err(ImportError::new(
            file,
            "row 2",
            "the table has a header but no rows",
        ));
    }

    let mut reviews: Vec<NewReview> = Vec::new();
    let mut review_of: HashMap<(String, Mechanism, Option<Cycle>), usize> = HashMap::new();
    let fields =
        carried_fields(|field| columns.contains_key(field) || mapping.defaults.contains_key(field));
    // (review, document outside the UPR, paragraph) -> recommendation
    let mut by_paragraph: HashMap<(usize, Option<String>, String), usize> = HashMap::new();
    let mut by_text: HashMap<(usize, String), usize> = HashMap::new();
    let mut errors: Vec<ImportError> = Vec::new();
    let mut more_errors = 0usize;
    for row in &grid.rows {
        if row.is_blank() {
            continue;
        }
        // Each row's first problem is kept, and the next row read.
        let mut read_row = || -> Result<(), ImportError> {
            let origin = format!("row {}", row.line);
            let raw = |field: &str| -> String {
                let cell = columns
                    .get(field)
                    .and_then(|&i| row.get(i))
                    .map(|c| c.trim())
                    .unwrap_or("");
                if cell.is_empty() {
                    mapping
                        .defaults
                        .get(field)
                        .map(|d| d.trim().to_owned())
                        .unwrap_or_default()
                } else {
                    cell.to_owned()
                }
            };
            let value = |field: &str| mapping.translate(field, raw(field));
            let list = |field: &str| -> Vec<String> {
                raw(field)
                    .split(separator)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| mapping.translate(field, s.to_owned()))
                    .collect()
            };
            let bad = |field: &str, message: String| {
                ImportError::new(file, format!("{origin}, {field}"), message)
            };
            let optional = |field: &str| Some(value(field)).filter(|v| !v.is_empty());

            let text = value("text");
            if text.is_empty() {
                return Err(bad("text", "empty recommendation text".to_owned()));
            }
            let state = value("state");
            if state.is_empty() {
                return Err(bad("state", "no State under review".to_owned()));
            }
            let mechanism = match optional("mechanism") {
                Some(m) => Mechanism::parse(&m).map_err(|e| bad("mechanism", e.to_string()))?,
                None => Mechanism::Upr,
            };
            let session = optional("session")
                .map(|s| Session::parse(&s).map_err(|e| bad("session", e.to_string())))
                .transpose()?;
            let cycle = match optional("cycle") {
                Some(c) => Some(Cycle::parse(&c).map_err(|e| bad("cycle", e.to_string()))?),
                None if mechanism == Mechanism::Upr => session
                    .and_then(|s| crate::upr_info::cycle_of_session(s.get()))
                    .and_then(|c| Cycle::new(c).ok()),
                None => None,
            };
            let paragraph = optional("paragraph")
                .map(|p| Paragraph::parse(&p).map_err(|e| bad("paragraph", e.to_string())))
                .transpose()?;
            let position = optional("position")
                .map(|p| Position::parse(&p).map_err(|e| bad("position", e.to_string())))
                .transpose()?;
            let sdg_goals = list("sdg_goals")
                .iter()
                .map(|g| SdgGoal::parse(g).map_err(|e| bad("sdg_goals", e.to_string())))
                .collect::<Result<Vec<_>, _>>()?;
            let sdg_targets = list("sdg_targets")
                .iter()
                .map(|t| SdgTarget::parse(t).map_err(|e| bad("sdg_targets", e.to_string())))
                .collect::<Result<Vec<_>, _>>()?;
            let action_category = optional("action_category")
                .map(|c| {
                    c.parse::<u8>()
                        .ok()
                        .filter(|c| (1..=5).contains(c))
                        .ok_or_else(|| {
                            bad(
                                "action_category",
                                format!("{c:?} is not a number from 1 to 5"),
                            )
                        })
                })
                .transpose()?;

            let review_index = *review_of
                .entry((state.clone(), mechanism, cycle))
                .or_insert_with(|| {
                    reviews.push(NewReview {
                        state: state.clone(),
                        mechanism,
                        cycle,
                        session,
                        date: optional("date").or_else(|| {
                            session
                                .filter(|_| mechanism == Mechanism::Upr)
                                .and_then(|s| crate::sessions::year_of_session(s.get()))
                        }),
                        report_symbol: optional("report_symbol"),
                        fields,
                        recommendations: Vec::new(),
                    });
                    reviews.len() - 1
                });
            let review = &mut reviews[review_index];
            if review.session.is_none() {
                review.session = session;
            }
            let report_symbol = optional("report_symbol");
            // Outside the UPR, a State's reports share one review: paragraph 1 of each is another
            // recommendation.
            let document = report_symbol
                .clone()
                .filter(|_| mechanism != Mechanism::Upr);
            let rec = NewRecommendation {
                origin: origin.clone(),
                paragraph: paragraph.clone(),
                report_symbol,
                text: text.clone(),
                language: optional("language").unwrap_or_else(|| "en".to_owned()),
                recommending_states: list("recommending_states"),
                position,
                position_source: optional("position_source"),
                theme_heading: optional("theme_heading"),
                themes: list("themes"),
                affected_persons: list("affected_persons"),
                sdg_goals,
                sdg_targets,
                action_category,
                upr_issues: list("upr_issues"),
            };
            let earlier = match &paragraph {
                Some(p) => by_paragraph
                    .get(&(review_index, document.clone(), p.as_str().to_owned()))
                    .copied(),
                None => by_text.get(&(review_index, text.clone())).copied(),
            };
            match earlier {
                Some(i) if review.recommendations[i].text != text => {
                    return Err(ImportError::new(
                        file,
                        &origin,
                        format!(
                            "paragraph {} appears again with a different text (first at {})",
                            paragraph.map(|p| p.to_string()).unwrap_or_default(),
                            review.recommendations[i].origin
                        ),
                    ));
                }
                Some(i) => {
                    let joint = &mut review.recommendations[i];
                    for name in rec.recommending_states {
                        if !joint.recommending_states.contains(&name) {
                            joint.recommending_states.push(name);
                        }
                    }
                }
                None => {
                    let i = review.recommendations.len();
                    if let Some(p) = &paragraph {
                        by_paragraph.insert((review_index, document, p.as_str().to_owned()), i);
                    } else {
                        by_text.insert((review_index, text.clone()), i);
                    }
                    review.recommendations.push(rec);
                }
            }
            Ok(())
        };
        if let Err(error) = read_row() {
            if errors.len() < MAX_ROW_ERRORS {
                errors.push(error);
            } else {
                more_errors += 1;
            }
        }
    }
    if !errors.is_empty() {
        return Err(all_rows(file, errors, more_errors));
    }
    Ok(ImportBatch {
        format: SourceFormat::Table,
        source: file.to_owned(),
        reviews,
    })
}

/// The recommendation fields a table carries, given which table fields it has (a column or
/// a default): the store leaves the others as they are.
fn carried_fields(has: impl Fn(&str) -> bool) -> FieldSet {
    let mut fields = FieldSet::of(&[Field::Text]);
    for field in Field::ALL {
        let carried = match field {
            Field::Sdgs => has("sdg_goals") || has("sdg_targets"),
            other => has(other.code()),
        };
        if carried {
            fields.insert(field);
        }
    }
    fields
}

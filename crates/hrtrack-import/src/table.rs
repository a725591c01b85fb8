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
//! ```
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
        for field in mapping.columns.keys().chain(mapping.defaults.keys()) {
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
        Ok(mapping)
    }
}

/// A table's header and rows as text, whatever the file type.
struct Grid {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

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
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            ImportError::new(file, format!("line {line}"), format!("malformed CSV: {e}"))
        })?;
        rows.push(record.iter().map(str::to_owned).collect());
    }
    Ok(Grid { header, rows })
}

fn read_xlsx(bytes: &[u8], file: &str, sheet: Option<&str>) -> Result<Grid, ImportError> {
    let mut workbook = calamine::Xlsx::new(Cursor::new(bytes)).map_err(|e| {
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
    let range = workbook
        .worksheet_range(&name)
        .map_err(|e| ImportError::new(file, format!("sheet {name:?}"), e.to_string()))?;
    let mut rows = range
        .rows()
        .map(|row| row.iter().map(cell_text).collect::<Vec<_>>());
    let header = rows
        .next()
        .ok_or_else(|| ImportError::new(file, format!("sheet {name:?}"), "the sheet is empty"))?
        .into_iter()
        .map(|h| h.trim().to_owned())
        .collect();
    Ok(Grid {
        header,
        rows: rows.collect(),
    })
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
    let grid = read_grid(bytes, file, mapping.options.sheet.as_deref())?;
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
    if grid
        .rows
        .iter()
        .all(|row| row.iter().all(|c| c.trim().is_empty()))
    {
        return Err(ImportError::new(
            file,
            "row 2",
            "the table has a header but no rows",
        ));
    }

    let fields =
        carried_fields(|field| columns.contains_key(field) || mapping.defaults.contains_key(field));
    let mut reviews: Vec<NewReview> = Vec::new();
    let mut review_of: HashMap<(String, Mechanism, Option<Cycle>), usize> = HashMap::new();
    // (review, document outside the UPR, paragraph) -> recommendation
    let mut by_paragraph: HashMap<(usize, Option<String>, String), usize> = HashMap::new();
    let mut by_text: HashMap<(usize, String), usize> = HashMap::new();
    for (n, row) in grid.rows.iter().enumerate() {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let origin = format!("row {}", n + 2);
        let value = |field: &str| -> String {
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
        let list = |field: &str| -> Vec<String> {
            value(field)
                .split(separator)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
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

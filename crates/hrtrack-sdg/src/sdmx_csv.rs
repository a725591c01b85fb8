//! Reader of SDMX-CSV data files, version 1.0 (SDMX 2.1 REST; first column `DATAFLOW`) and
//! 2.x (SDMX 3; columns `STRUCTURE`, `STRUCTURE_ID`, optional `ACTION`).
//!
//! The rules:
//! - UTF-8, RFC 4180; the separator is the character right after the first header term
//!   (`,` or `;`). With `;` a decimal comma (`12,4`) is read as a decimal point.
//! - The layout is recognised from the header: `DATAFLOW` first → 1.0; `STRUCTURE` (or
//!   `STRUCTURE[;]`) then `STRUCTURE_ID` → 2.x. Anything else is refused, naming the header.
//! - 1.0 needs `TIME_PERIOD` and `OBS_VALUE`; 2.x needs `TIME_PERIOD` (a row that only changes
//!   attributes may leave `OBS_VALUE` out). Header names are unique and not blank.
//! - `SERIES` gives [`Observation::series`]; `TIME_PERIOD` the period; `OBS_VALUE` the value.
//!   Columns after `OBS_VALUE`, and the SDG attributes wherever they stand (`OBS_STATUS`,
//!   `UNIT_MULT`, `UNIT_MEASURE`, `NATURE`, `COMMENT_OBS`, `SOURCE_DETAIL`, …), are attributes;
//!   the other columns are dimensions. `STRUCTURE_NAME`, `SERIES_KEY`, `OBS_KEY` are skipped.
//! - Given the loaded data structure ([`read_with_structure`]), a column the DSD knows is what
//!   the DSD says (dimension, attribute); of the columns it does not know, bookkeeping ones
//!   (a release or update time: `LAST UPDATE`, `LAST_UPDATE`, `UPDATED`, `RELEASE_DATE`, …)
//!   are attributes wherever they stand, with a warning that says so: they describe a release,
//!   not a series, so that a new release updates its series instead of doubling them. Without
//!   a structure the bookkeeping names are attributes too.
//! - Labels mode: a coded cell (dimension, coded attribute, dataflow) written `CODE: Label` is read
//!   as `CODE`; header terms written `ID: Name` as `ID`. Free-text attributes are kept whole.
//! - `OBS_VALUE` is a number, or empty, `NaN` or `#N/A` for a missing value. Empty dimension and
//!   attribute cells are left out (in a 2.x delete row an empty dimension is a wildcard).
//! - 2.x `ACTION` per row: `I` and `M` (Merge, the default when blank or absent) →
//!   [`RowAction::Information`], `A` → Append, `R` → Replace, `D` → Delete. A delete row needs no
//!   period and its value is not read (a non-empty measure cell only marks it for deletion).
//! - One file holds one dataflow (`DATAFLOW` / `STRUCTURE_ID` the same on every row); in 2.x
//!   `STRUCTURE` is `dataflow`, `datastructure` or `dataprovision`.
//! - No two rows share the key (series, dimensions, period) with the same action, except delete rows.
//!
//! Places are "row N" with N the line in the file (the header is row 1) and the column's header.

use hrtrack_domain::spreadsheet::unsafe_cell;
use std::collections::{BTreeSet, HashMap};

use crate::input::{Lines, Number, Problems, code_part, parse_number, utf8_text};
use crate::structure::{Component, ComponentKind};
use crate::{Dataset, Observation, RowAction, SdgFormat, SdgReadError};

/// Attributes of the SDG data structure (DF_SDG_GLH 1.24) and common SDMX ones.
const KNOWN_ATTRIBUTES: &[&str] = &[
    "OBS_STATUS",
    "UNIT_MULT",
    "UNIT_MEASURE",
    "BASE_PER",
    "NATURE",
    "TIME_DETAIL",
    "COMMENT_OBS",
    "TIME_COVERAGE",
    "UPPER_BOUND",
    "LOWER_BOUND",
    "SOURCE_DETAIL",
    "COMMENT_TS",
    "GEO_INFO_URL",
    "GEO_INFO_TYPE",
    "CUST_BREAKDOWN_LB",
    "DATA_LAST_UPDATE",
    "OBS_CONF",
    "DECIMALS",
];

/// Attributes whose cells are codes (so `CODE: Label` is cut to the code).
const CODED_ATTRIBUTES: &[&str] = &[
    "OBS_STATUS",
    "UNIT_MULT",
    "UNIT_MEASURE",
    "NATURE",
    "GEO_INFO_TYPE",
    "OBS_CONF",
    "DECIMALS",
];

/// Names of bookkeeping columns (a release's time stamps), compared in upper case with spaces
/// and hyphens as `_`: attributes, never part of a series key.
const BOOKKEEPING: &[&str] = &[
    "LAST_UPDATE",
    "LAST_UPDATED",
    "LAST_UPDATE_DATE",
    "UPDATED",
    "UPDATE_DATE",
    "DATE_UPDATED",
    "RELEASE",
    "RELEASE_DATE",
    "RELEASED",
    "PUBLICATION_DATE",
    "PUBLISHED",
    "DATE_PUBLISHED",
    "EXTRACTION_DATE",
    "EXTRACTED",
    "DOWNLOAD_DATE",
    "TIMESTAMP",
];

/// Whether a column name is a bookkeeping one ([`BOOKKEEPING`]).
fn is_bookkeeping(name: &str) -> bool {
    let normal: String = name
        .trim()
        .chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect();
    BOOKKEEPING.contains(&normal.as_str())
}

/// Columns that carry no component.
const SKIPPED: &[&str] = &["STRUCTURE_NAME", "SERIES_KEY", "OBS_KEY"];

/// Cell texts read as an intentionally missing value.
const MISSING: &[&str] = &["NaN", "#N/A"];

/// What makes a row unique: action, series, dimensions, period.
/// A row's key (action, series, dimensions, period) as 128 bits: two SipHash digests with
/// different salts. Keeping these instead of a copy of every key halves the reader's memory on
/// a large file; two different keys agreeing on 128 bits does not happen in practice.
type RowKey = (u64, u64);

/// Hashes a [`RowKey`], already a hash, by folding its two halves (no second SipHash).
#[derive(Clone, Copy, Default)]
struct KeyIsHash;

impl std::hash::BuildHasher for KeyIsHash {
    type Hasher = FoldedKey;

    fn build_hasher(&self) -> FoldedKey {
        FoldedKey(0)
    }
}

/// The hasher of [`KeyIsHash`]: the xor of the words written.
struct FoldedKey(u64);

impl std::hash::Hasher for FoldedKey {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = self.0.rotate_left(29) ^ word;
    }
}

fn row_key(obs: &Observation) -> RowKey {
    use std::hash::{Hash, Hasher};
    let digest = |salt: u8| {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        salt.hash(&mut hasher);
        obs.action.hash(&mut hasher);
        obs.series.hash(&mut hasher);
        obs.dimensions.hash(&mut hasher);
        obs.time_period.hash(&mut hasher);
        hasher.finish()
    };
    (digest(1), digest(2))
}

#[derive(Debug, Clone, PartialEq)]
enum Role {
    Flow,
    Structure,
    Action,
    Skip,
    Series,
    Time,
    Value,
    Dimension(String),
    Attribute { id: String, coded: bool },
}

/// Reads one SDMX-CSV file (1.0 or 2.x) without a data structure. Every problem of the file
/// comes back at once.
pub fn read(bytes: &[u8], file_name: &str) -> Result<Dataset, Vec<SdgReadError>> {
    read_with_structure(bytes, file_name, &[])
}

/// Reads one SDMX-CSV file (1.0 or 2.x), placing the columns the data structure's `components`
/// know as it says (an empty slice: no structure). Every problem of the file comes back at once.
pub fn read_with_structure(
    bytes: &[u8],
    file_name: &str,
    components: &[Component],
) -> Result<Dataset, Vec<SdgReadError>> {
    let text = utf8_text(bytes, file_name).map_err(|e| vec![e])?;
    let first_line = text.lines().next().unwrap_or("");
    let Some((format, delimiter)) = detect(first_line) else {
        let shown: String = first_line.chars().take(200).collect();
        return Err(vec![SdgReadError::new(
            file_name,
            "header",
            format!(
                "not an SDMX-CSV layout: the header is {shown:?}; SDMX-CSV 1.0 begins with \
                 DATAFLOW, 2.x with STRUCTURE,STRUCTURE_ID"
            ),
        )]);
    };
    let mut problems = Problems::new(file_name);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            problems.add("header", format!("cannot read the header row: {e}"));
            return Err(problems.into_vec());
        }
        None => {
            problems.add("file", "the file has no header row");
            return Err(problems.into_vec());
        }
    };
    let names: Vec<String> = header.iter().map(header_id).collect();
    let mut warnings = Vec::new();
    let roles = header_roles(&names, format, components, &mut problems);
    for (name, role) in names.iter().zip(&roles) {
        if let Role::Attribute { id, .. } = role
            && is_bookkeeping(id)
            && !components.iter().any(|c| c.id == *id)
        {
            warnings.push(SdgReadError::new(
                file_name,
                format!("header, column {name}"),
                "read as an attribute (a release's bookkeeping, not part of the series key)",
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems.into_vec());
    }
    let comma_decimal = delimiter == b';';
    let mut dataflow: Option<(String, u64)> = None;
    // Sized once from the line count: growing vectors of a million rows copies them and
    // touches fresh memory at every doubling.
    let expected = text.bytes().filter(|b| *b == b'\n').count();
    let mut observations = Vec::with_capacity(expected);
    let mut rows = Vec::with_capacity(expected);
    let mut seen: HashMap<RowKey, u64, KeyIsHash> =
        HashMap::with_capacity_and_hasher(expected, KeyIsHash);
    let mut lines = Lines::new(text);
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.add("file", format!("the CSV cannot be read further: {e}"));
                break;
            }
        };
        let line = lines.line_of(&record);
        if record.len() != names.len() {
            problems.add(
                format!("row {line}"),
                format!(
                    "the row has {} cell(s) but the header has {} column(s)",
                    record.len(),
                    names.len()
                ),
            );
            continue;
        }
        if record.iter().all(|c| c.trim().is_empty()) {
            problems.add(format!("row {line}"), "the row is blank; delete it");
            continue;
        }
        let mut obs = Observation::default();
        let mut ok = true;
        let mut value_cell = None;
        for (i, (raw, role)) in record.iter().zip(&roles).enumerate() {
            let place = || format!("row {line}, column {}", names[i]);
            // A quote hrtrack's writers put before a formula-like text comes off again.
            let cell = unsafe_cell(raw.trim());
            match role {
                Role::Skip => {}
                Role::Flow => {
                    let flow = code_part(cell).trim();
                    if flow.is_empty() {
                        problems.add(place(), "the dataflow is blank");
                        ok = false;
                    } else {
                        match &dataflow {
                            None => dataflow = Some((flow.to_owned(), line)),
                            Some((first, at)) if first != flow => {
                                problems.add(
                                    place(),
                                    format!(
                                        "{flow:?} differs from {first:?} of row {at}: one dataflow per file"
                                    ),
                                );
                                ok = false;
                            }
                            Some(_) => {}
                        }
                    }
                }
                Role::Structure => {
                    let kind = code_part(cell).trim();
                    if !matches!(kind, "dataflow" | "datastructure" | "dataprovision") {
                        problems.add(
                            place(),
                            format!(
                                "{cell:?}: STRUCTURE must be dataflow, datastructure or dataprovision"
                            ),
                        );
                        ok = false;
                    }
                }
                Role::Action => match RowAction::from_code(code_part(cell).trim()) {
                    Some(action) => obs.action = action,
                    None => {
                        problems.add(
                            place(),
                            format!("{cell:?}: ACTION must be I, M, A, R or D (or blank)"),
                        );
                        ok = false;
                    }
                },
                Role::Series => obs.series = code_part(cell).trim().to_owned(),
                Role::Time => obs.time_period = code_part(cell).trim().to_owned(),
                Role::Value => value_cell = Some((i, cell)),
                Role::Dimension(id) => {
                    let code = code_part(cell).trim();
                    if !code.is_empty() {
                        obs.dimensions.insert(id.clone(), code.to_owned());
                    }
                }
                Role::Attribute { id, coded } => {
                    let text = if *coded { code_part(cell).trim() } else { cell };
                    if !text.is_empty() {
                        obs.attributes.insert(id.clone(), text.to_owned());
                    }
                }
            }
        }
        let deleting = obs.action == RowAction::Delete;
        if let Some((i, cell)) = value_cell
            && !deleting
        {
            match parse_number(cell, MISSING, comma_decimal) {
                Number::Value(v) => obs.value = Some(v),
                Number::Missing => {}
                Number::Bad(why) => {
                    problems.add(format!("row {line}, column {}", names[i]), why);
                    ok = false;
                }
            }
        }
        if obs.time_period.is_empty() && !deleting {
            problems.add(
                format!("row {line}, column TIME_PERIOD"),
                "the period is blank",
            );
            ok = false;
        }
        if !ok {
            continue;
        }
        if !deleting {
            let key = row_key(&obs);
            if let Some(first) = seen.get(&key) {
                problems.add(
                    format!("row {line}"),
                    format!(
                        "the same series, dimensions and period ({}) as row {first}",
                        describe_key(&obs)
                    ),
                );
                continue;
            }
            seen.insert(key, line);
        }
        if problems.is_empty() {
            observations.push(obs);
            rows.push(u32::try_from(line).unwrap_or(u32::MAX));
        }
    }
    if !problems.is_empty() {
        return Err(problems.into_vec());
    }
    Ok(Dataset {
        source: file_name.to_owned(),
        format,
        dataflow: dataflow.map(|(flow, _)| flow),
        observations,
        rows,
        warnings,
    })
}

fn describe_key(obs: &Observation) -> String {
    let mut parts = Vec::new();
    if !obs.series.is_empty() {
        parts.push(format!("SERIES {}", obs.series));
    }
    for (k, v) in &obs.dimensions {
        parts.push(format!("{k} {v}"));
    }
    parts.push(format!("TIME_PERIOD {}", obs.time_period));
    parts.join(", ")
}

/// The layout and separator the first header line announces, if it is SDMX-CSV.
fn detect(first_line: &str) -> Option<(SdgFormat, u8)> {
    let line = first_line.trim_start_matches('"');
    let (format, rest) = if let Some(rest) = line.strip_prefix("DATAFLOW") {
        (SdgFormat::SdmxCsv1, rest)
    } else if let Some(rest) = line.strip_prefix("STRUCTURE") {
        let rest = match rest.strip_prefix('[') {
            Some(inner) => &inner[inner.find(']')? + 1..],
            None => rest,
        };
        (SdgFormat::SdmxCsv2, rest)
    } else {
        return None;
    };
    let delimiter = rest.bytes().find(|b| matches!(b, b',' | b';'))?;
    Some((format, delimiter))
}

/// A header term's component id: `ID: Name` → `ID`, `ATTR[]` / `STRUCTURE[;]` → `ATTR`.
fn header_id(term: &str) -> String {
    let id = code_part(term.trim()).trim();
    let id = id.split('[').next().unwrap_or(id);
    id.to_owned()
}

fn header_roles(
    names: &[String],
    format: SdgFormat,
    components: &[Component],
    problems: &mut Problems,
) -> Vec<Role> {
    let value_at = names.iter().position(|n| n == "OBS_VALUE");
    let mut roles = Vec::with_capacity(names.len());
    let mut seen = BTreeSet::new();
    for (i, name) in names.iter().enumerate() {
        let place = format!("header, column {}", i + 1);
        if name.is_empty() {
            problems.add(place, "the column has no name");
            roles.push(Role::Skip);
            continue;
        }
        if !seen.insert(name.as_str()) {
            problems.add(place, format!("{name} appears twice"));
            roles.push(Role::Skip);
            continue;
        }
        let role = match (format, i, name.as_str()) {
            (SdgFormat::SdmxCsv1, 0, _) => Role::Flow,
            (SdgFormat::SdmxCsv2, 0, _) => Role::Structure,
            (SdgFormat::SdmxCsv2, 1, "STRUCTURE_ID") => Role::Flow,
            (SdgFormat::SdmxCsv2, 1, other) => {
                problems.add(
                    place,
                    format!("SDMX-CSV 2.x has STRUCTURE_ID as second column, not {other:?}"),
                );
                Role::Skip
            }
            (SdgFormat::SdmxCsv2, _, "ACTION") => Role::Action,
            (_, _, "DATAFLOW" | "STRUCTURE" | "STRUCTURE_ID" | "ACTION") => {
                problems.add(place, format!("{name} is out of place"));
                Role::Skip
            }
            (_, _, n) if SKIPPED.contains(&n) => Role::Skip,
            (_, _, "SERIES") => Role::Series,
            (_, _, "TIME_PERIOD") => Role::Time,
            (_, _, "OBS_VALUE") => Role::Value,
            (_, _, n) if components.iter().any(|c| c.id == n) => {
                match components.iter().find(|c| c.id == n).map(|c| c.kind) {
                    Some(ComponentKind::Attribute) => Role::Attribute {
                        id: n.to_owned(),
                        coded: components.iter().any(|c| c.id == n && c.codelist.is_some()),
                    },
                    Some(ComponentKind::Measure) if n != "OBS_VALUE" => Role::Attribute {
                        id: n.to_owned(),
                        coded: false,
                    },
                    _ => Role::Dimension(n.to_owned()),
                }
            }
            (_, _, n)
                if KNOWN_ATTRIBUTES.contains(&n)
                    || is_bookkeeping(n)
                    || value_at.is_some_and(|v| i > v) =>
            {
                Role::Attribute {
                    id: n.to_owned(),
                    coded: CODED_ATTRIBUTES.contains(&n),
                }
            }
            (_, _, n) => Role::Dimension(n.to_owned()),
        };
        roles.push(role);
    }
    if !roles.contains(&Role::Time) {
        problems.add(
            "header",
            format!(
                "there is no TIME_PERIOD column; the header is: {}",
                names.join(",")
            ),
        );
    }
    if format == SdgFormat::SdmxCsv1 && value_at.is_none() {
        problems.add(
            "header",
            format!(
                "there is no OBS_VALUE column; the header is: {}",
                names.join(",")
            ),
        );
    }
    roles
}

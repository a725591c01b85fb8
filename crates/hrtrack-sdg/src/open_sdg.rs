//! Reader of Open SDG indicator CSVs (`indicator_<goal>-<target>-<indicator>.csv`, the "tidy"
//! input format of open-sdg/sdg-build).
//!
//! The rules, as Open SDG reads the files national platforms publish:
//! - UTF-8 (a byte-order mark is dropped), comma-separated, RFC 4180 quotes, one header row;
//!   blank lines are skipped.
//! - `Year` and `Value` are found by name, in any column; header names are unique and have
//!   no spaces around them. Columns with a blank header are tolerated only when every cell under
//!   them is blank too (spreadsheet exports leave such columns behind; the Kazakhstan set has 4
//!   such files); a filled cell under a blank header is refused.
//! - `Year` is a period, turned into its SDMX form by [`crate::period::sdmx_period`] ("2015",
//!   "2015-Q1", "2013 Q1" → "2013-Q1", "2019-07-01/P1Y"); a period of two years ("2019/20") has
//!   no SDMX form and is refused with a suggestion.
//! - `Value` is a number with `.` as decimal separator (spaces around it are allowed), or blank,
//!   `NA`, `N/A`, `NaN`, `#N/A` for a missing value; anything else (`12,4`, `<5`, notes) is refused.
//! - Rows without a value: a file in which no row carries a value is an indicator without data
//!   (Open SDG: "There is no data for this indicator yet"), read with no observations and a
//!   warning; elsewhere a row with neither a year nor a value (a wholly blank one too) carries
//!   nothing and is left out with a warning, and a row with a year and no value is a missing
//!   observation.
//! - `SERIES` (or `Series`) gives [`Observation::series`]. The unit of measure is `Units` or
//!   `UNIT_MEASURE` (both at once are refused); `Unit measure` is the unit only when neither is
//!   there, else an ordinary column. `UNIT_MULT` (`Unit multiplier`), `OBS_STATUS`
//!   (`Observation status`), `COMMENT_OBS`, `SOURCE_DETAIL`, `COMMENT_TS`, `DATA_LAST_UPDATE`,
//!   `NATURE`, `TIME_DETAIL`, `BASE_PER`, `UPPER_BOUND`, `LOWER_BOUND`, `GeoCode` and `Progress`
//!   are attributes; every other column is a disaggregation, kept as a dimension under its
//!   header. A blank cell means "total" and is left out of the dimensions.
//! - No cell other than `Value` has spaces around it; every row has as many cells as the header.
//! - No two rows share a key: `Year`, series, the disaggregations, the unit and the unit
//!   multiplier. A row that repeats an earlier one exactly counts once (with a warning naming
//!   both rows); a row with the same key and anything else different is refused, naming both.
//!
//! Places are "row N" with N the line in the file (the header is row 1) and the column's header.

use hrtrack_domain::spreadsheet::unsafe_cell;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::input::{Lines, Number, Problems, parse_number, read_file, utf8_text};
use crate::period::sdmx_period;
use crate::{Dataset, Observation, SdgFormat, SdgReadError};

/// Cell texts read as a missing value.
const MISSING: &[&str] = &["NA", "N/A", "NaN", "#N/A"];

/// Columns that are attributes, with the attribute id they give.
const ATTRIBUTES: &[(&str, &str)] = &[
    ("UNIT_MEASURE", "UNIT_MEASURE"),
    ("Units", "UNIT_MEASURE"),
    ("Unit measure", "UNIT_MEASURE"),
    ("UNIT_MULT", "UNIT_MULT"),
    ("Unit multiplier", "UNIT_MULT"),
    ("OBS_STATUS", "OBS_STATUS"),
    ("Observation status", "OBS_STATUS"),
    ("COMMENT_OBS", "COMMENT_OBS"),
    ("SOURCE_DETAIL", "SOURCE_DETAIL"),
    ("COMMENT_TS", "COMMENT_TS"),
    ("DATA_LAST_UPDATE", "DATA_LAST_UPDATE"),
    ("NATURE", "NATURE"),
    ("TIME_DETAIL", "TIME_DETAIL"),
    ("BASE_PER", "BASE_PER"),
    ("UPPER_BOUND", "UPPER_BOUND"),
    ("LOWER_BOUND", "LOWER_BOUND"),
    ("GeoCode", "GeoCode"),
    ("Progress", "Progress"),
];

/// Attributes that tell two observations apart (the rest are notes on one observation).
const KEY_ATTRIBUTES: &[&str] = &["UNIT_MEASURE", "UNIT_MULT"];

#[derive(Debug, Clone, PartialEq)]
enum Role {
    Year,
    Value,
    Series,
    Dimension(String),
    Attribute(&'static str),
    /// A column with a blank header: every cell must be blank.
    Blank,
}

impl Role {
    fn in_key(&self) -> bool {
        match self {
            Role::Year | Role::Series | Role::Dimension(_) => true,
            Role::Attribute(id) => KEY_ATTRIBUTES.contains(id),
            Role::Value | Role::Blank => false,
        }
    }
}

/// The SDG indicator code a file name gives: `indicator_5-5-1.csv` → `5.5.1`,
/// `data/indicator_10-5-1-1.csv` → `10.5.1.1`; `None` for other names.
pub fn indicator_from_file_name(file_name: &str) -> Option<String> {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let id = base.strip_prefix("indicator_")?.strip_suffix(".csv")?;
    let parts: Vec<&str> = id.split('-').collect();
    let valid = parts.len() >= 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()));
    valid.then(|| parts.join("."))
}

/// Reads one Open SDG indicator CSV. Every problem of the file comes back at once.
pub fn read(bytes: &[u8], file_name: &str) -> Result<Dataset, Vec<SdgReadError>> {
    let text = utf8_text(bytes, file_name).map_err(|e| vec![e])?;
    let mut problems = Problems::new(file_name);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            problems.add("header", format!("cannot read the header row: {e}"));
            return Err(problems.into_vec());
        }
        None => {
            problems.add(
                "file",
                "the file has no header row (it must name Year and Value)",
            );
            return Err(problems.into_vec());
        }
    };
    let names: Vec<&str> = header.iter().collect();
    let roles = header_roles(&names, &mut problems);
    if !problems.is_empty() {
        return Err(problems.into_vec());
    }
    let column_name = |i: usize| -> String {
        match names[i] {
            "" => format!("#{} (blank header)", i + 1),
            name => name.to_owned(),
        }
    };
    let year_at = roles.iter().position(|r| *r == Role::Year);
    let value_at = roles.iter().position(|r| *r == Role::Value);
    let indicator = indicator_from_file_name(file_name);
    let mut observations = Vec::new();
    let mut observation_rows = Vec::new();
    let mut warnings = Vec::new();
    // Per key, the index in `rows` of the first row with it.
    let mut seen: HashMap<Vec<&str>, usize> = HashMap::new();
    // The records are kept so that the keys in `seen` can borrow their cells.
    let mut rows: Vec<(u64, csv::StringRecord)> = Vec::new();
    let mut lines = Lines::new(text);
    for record in records {
        match record {
            Ok(r) => {
                let line = lines.line_of(&r);
                rows.push((line, r));
            }
            Err(e) => {
                problems.add("file", format!("the CSV cannot be read further: {e}"));
                break;
            }
        }
    }
    let cell = |record: &csv::StringRecord, at: Option<usize>| -> String {
        at.and_then(|i| record.get(i))
            .unwrap_or("")
            .trim()
            .to_owned()
    };
    let without_value = |record: &csv::StringRecord| -> bool {
        let value = cell(record, value_at);
        value.is_empty() || MISSING.contains(&value.as_str())
    };
    // Rows whose length fits but which carry no value at all.
    if !rows.is_empty()
        && rows
            .iter()
            .all(|(_, r)| r.len() == names.len() && without_value(r))
    {
        warnings.push(SdgReadError::new(
            file_name,
            "file",
            format!(
                "no row carries a value ({} row(s)): read as an indicator without data",
                rows.len()
            ),
        ));
        rows.clear();
    }
    let mut left_out = Vec::new();
    for (index, (line, record)) in rows.iter().enumerate() {
        let line = *line;
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
        if without_value(record) && cell(record, year_at).is_empty() {
            left_out.push(line);
            continue;
        }
        let mut obs = Observation {
            indicator: indicator.clone(),
            ..Observation::default()
        };
        let mut ok = true;
        for (i, (cell, role)) in record.iter().zip(&roles).enumerate() {
            let place = || format!("row {line}, column {}", column_name(i));
            if !matches!(role, Role::Value) && cell != cell.trim() {
                problems.add(place(), format!("{cell:?} has spaces around it"));
                ok = false;
                continue;
            }
            // A quote hrtrack's writers put before a formula-like text comes off again.
            let cell = unsafe_cell(cell);
            match role {
                Role::Year => match sdmx_period(cell) {
                    Ok(period) => obs.time_period = period,
                    Err(why) => {
                        let why = if cell.is_empty() {
                            "the year is blank".to_owned()
                        } else {
                            why
                        };
                        problems.add(place(), why);
                        ok = false;
                    }
                },
                Role::Value => match parse_number(cell, MISSING, false) {
                    Number::Value(v) => obs.value = Some(v),
                    Number::Missing => obs.value = None,
                    Number::Bad(why) => {
                        problems.add(place(), why);
                        ok = false;
                    }
                },
                Role::Series => obs.series = cell.to_owned(),
                Role::Dimension(id) => {
                    if !cell.is_empty() {
                        obs.dimensions.insert(id.clone(), cell.to_owned());
                    }
                }
                Role::Attribute(id) => {
                    if !cell.is_empty() {
                        obs.attributes.insert((*id).to_owned(), cell.to_owned());
                    }
                }
                Role::Blank => {
                    if !cell.trim().is_empty() {
                        problems.add(
                            place(),
                            format!(
                                "the cell holds {cell:?} under a blank header: name the column or empty it"
                            ),
                        );
                        ok = false;
                    }
                }
            }
        }
        if !ok {
            continue;
        }
        let key: Vec<&str> = record
            .iter()
            .zip(&roles)
            .filter(|(_, role)| role.in_key())
            .map(|(cell, _)| cell)
            .collect();
        if let Some(&first) = seen.get(&key) {
            let (first_line, first_record) = &rows[first];
            if first_record.iter().eq(record.iter()) {
                warnings.push(SdgReadError::new(
                    file_name,
                    format!("row {line}"),
                    format!("repeats row {first_line} exactly: counted once"),
                ));
            } else {
                problems.add(
                    format!("row {line}"),
                    format!(
                        "the same year and disaggregation as row {first_line} ({}) with other \
                         cells: one value per key",
                        describe_key(&obs)
                    ),
                );
            }
            continue;
        }
        seen.insert(key, index);
        if problems.is_empty() {
            observations.push(obs);
            observation_rows.push(u32::try_from(line).unwrap_or(u32::MAX));
        }
    }
    if !problems.is_empty() {
        return Err(problems.into_vec());
    }
    if !left_out.is_empty() {
        let shown: Vec<String> = left_out.iter().take(10).map(u64::to_string).collect();
        let more = if left_out.len() > shown.len() {
            format!(" and {} more", left_out.len() - shown.len())
        } else {
            String::new()
        };
        warnings.push(SdgReadError::new(
            file_name,
            format!("row {}{more}", shown.join(", row ")),
            "the row has neither a year nor a value: left out",
        ));
    }
    Ok(Dataset {
        source: file_name.to_owned(),
        format: SdgFormat::OpenSdg,
        dataflow: None,
        observations,
        rows: observation_rows,
        warnings,
    })
}

fn describe_key(obs: &Observation) -> String {
    let mut parts = vec![format!("Year {}", obs.time_period)];
    if !obs.series.is_empty() {
        parts.push(format!("SERIES {}", obs.series));
    }
    for (k, v) in &obs.dimensions {
        parts.push(format!("{k} {v}"));
    }
    for id in KEY_ATTRIBUTES {
        if let Some(v) = obs.attributes.get(id) {
            parts.push(format!("{id} {v}"));
        }
    }
    parts.join(", ")
}

/// What each header column is; header problems go to `problems`.
fn header_roles(names: &[&str], problems: &mut Problems) -> Vec<Role> {
    let mut roles = Vec::with_capacity(names.len());
    let mut first_use: BTreeMap<String, usize> = BTreeMap::new();
    // `Unit measure` is the unit only when neither `Units` nor `UNIT_MEASURE` is there.
    let unit_named = names
        .iter()
        .any(|n| matches!(n.trim(), "Units" | "UNIT_MEASURE"));
    for (i, &name) in names.iter().enumerate() {
        let place = format!("header, column {}", i + 1);
        if name.trim().is_empty() {
            roles.push(Role::Blank);
            continue;
        }
        if name != name.trim() {
            problems.add(place.clone(), format!("{name:?} has spaces around it"));
        }
        let role = match name.trim() {
            "Year" => Role::Year,
            "Value" => Role::Value,
            "SERIES" | "Series" => Role::Series,
            "Unit measure" if unit_named => Role::Dimension("Unit measure".to_owned()),
            other => match ATTRIBUTES.iter().find(|(n, _)| *n == other) {
                Some((_, id)) => Role::Attribute(id),
                None => Role::Dimension(other.to_owned()),
            },
        };
        let target = match &role {
            Role::Year => "Year".to_owned(),
            Role::Value => "Value".to_owned(),
            Role::Series => "SERIES".to_owned(),
            Role::Dimension(id) => format!("dimension {id}"),
            Role::Attribute(id) => (*id).to_owned(),
            Role::Blank => continue,
        };
        if let Some(&j) = first_use.get(&target) {
            problems.add(
                place,
                format!(
                    "{name:?} gives {target} again, as column {} ({:?}) does",
                    j + 1,
                    names[j]
                ),
            );
        } else {
            first_use.insert(target, i);
        }
        roles.push(role);
    }
    for (role, wanted) in [(Role::Year, "Year"), (Role::Value, "Value")] {
        if roles.contains(&role) {
            continue;
        }
        let hint = match names
            .iter()
            .position(|n| n.trim().eq_ignore_ascii_case(wanted))
        {
            Some(j) => format!(" (column {} is {:?}: write it {wanted})", j + 1, names[j]),
            None => String::new(),
        };
        problems.add(
            "header",
            format!(
                "there is no {wanted} column{hint}; the header is: {}",
                names.join(",")
            ),
        );
    }
    roles
}

/// Reads every `indicator_*.csv` of a folder, in name order: the files read, and the files
/// refused with their problems (by file name). A folder without such files is looked into
/// once more at `data/` (where an Open SDG data repository keeps them); when neither holds
/// one, the folder is refused with an error that names both paths searched.
pub fn read_folder(path: impl AsRef<Path>) -> (Vec<Dataset>, Vec<(String, Vec<SdgReadError>)>) {
    let path = path.as_ref();
    let shown = path.display().to_string();
    let mut searched = Vec::new();
    let mut found = None;
    for folder in [path.to_path_buf(), path.join("data")] {
        searched.push(folder.display().to_string());
        match indicator_files(&folder) {
            Ok(names) if !names.is_empty() => {
                found = Some((folder, names));
                break;
            }
            Ok(_) => {}
            // The folder given must be readable; its `data/` need not exist.
            Err(e) if searched.len() == 1 => {
                let error =
                    SdgReadError::new(&shown, "folder", format!("cannot read the folder: {e}"));
                return (Vec::new(), vec![(shown, vec![error])]);
            }
            Err(_) => {}
        }
    }
    let Some((folder, names)) = found else {
        let error = SdgReadError::new(
            &shown,
            "folder",
            format!(
                "no Open SDG indicator file (indicator_<goal>-<target>-<indicator>.csv, e.g. \
                 indicator_1-1-1.csv) in {}",
                searched.join(" nor in ")
            ),
        );
        return (Vec::new(), vec![(shown, vec![error])]);
    };
    let mut read_ok = Vec::new();
    let mut refused = Vec::new();
    for name in names {
        let outcome = read_file(&folder.join(&name))
            .map_err(|e| vec![SdgReadError::new(&name, e.place, e.message)])
            .and_then(|bytes| read(&bytes, &name));
        match outcome {
            Ok(dataset) => read_ok.push(dataset),
            Err(errors) => refused.push((name, errors)),
        }
    }
    (read_ok, refused)
}

/// The names of the `indicator_*.csv` files in a folder, sorted.
fn indicator_files(folder: &Path) -> std::io::Result<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(folder)?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.starts_with("indicator_") && n.ends_with(".csv"))
        .collect();
    names.sort();
    Ok(names)
}

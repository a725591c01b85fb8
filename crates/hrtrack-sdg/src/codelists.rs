//! The code lists in use for SDG data: which code list each component draws on, the codes with
//! their names in every language hrtrack has (English from the DSD, national languages from a
//! names CSV), the series of each indicator, and which units of measure add up (from a small
//! CSV, so that additivity is data, not code).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::input::{Lines, Problems, utf8_text};
use crate::model::SdgReadError;
use crate::structure::{Code, Codelist, Component, DataStructure};

/// What a file's row that does not fit the structure (an unknown code list or code, a code
/// added twice, a parent not in the list) does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Misfit {
    /// It is an error and nothing of the file is applied: for files the user names.
    Refuse,
    /// It is left out and returned as a warning; the rows that fit are applied: for the bundled
    /// files when the user gives another structure, which need not have their lists.
    Skip,
}

/// The component whose code list names the series.
const SERIES: &str = "SERIES";
/// The component whose code list names the units of measure.
const UNIT_MEASURE: &str = "UNIT_MEASURE";

/// Components and their code lists, ready for look-ups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeLists {
    /// The structure's components, in its order.
    pub components: Vec<Component>,
    /// The code lists by id (e.g. "CL_SEX").
    pub codelists: BTreeMap<String, Codelist>,
    /// UNIT_MEASURE codes whose values add up (counts, amounts), loaded by
    /// [`CodeLists::add_additive_units`].
    pub additive_units: BTreeSet<String>,
}

impl CodeLists {
    pub fn new(components: Vec<Component>, codelists: Vec<Codelist>) -> Self {
        Self {
            components,
            codelists: codelists
                .into_iter()
                .map(|list| (list.id.clone(), list))
                .collect(),
            additive_units: BTreeSet::new(),
        }
    }

    pub fn from_structure(structure: DataStructure) -> Self {
        Self::new(structure.components, structure.codelists)
    }

    /// Adds names from a CSV with header `codelist,code,lang,name` and returns how many were
    /// added. Nothing is added unless every row is right: an unknown code list or code, or a
    /// blank cell, is an error naming the row.
    pub fn add_names(&mut self, csv: &[u8], file_name: &str) -> Result<usize, Vec<SdgReadError>> {
        self.add_names_with(csv, file_name, Misfit::Refuse)
            .map(|(added, _)| added)
    }

    /// [`CodeLists::add_names`], with rows that do not fit handled as `misfit` says; returns
    /// how many names were added and the rows skipped.
    pub fn add_names_with(
        &mut self,
        csv: &[u8],
        file_name: &str,
        misfit: Misfit,
    ) -> Result<(usize, Vec<SdgReadError>), Vec<SdgReadError>> {
        let columns = ["codelist", "code", "lang", "name"];
        let (rows, skipped) = read_table(csv, file_name, &columns, misfit, |cells| match cells {
            [codelist, code, ..] => self.check_code(codelist, code),
            _ => Ok(()),
        })?;
        let mut added = 0;
        for row in rows {
            let [codelist, code, lang, name] = row.as_slice() else {
                continue;
            };
            if let Some(entry) = self
                .codelists
                .get_mut(codelist)
                .and_then(|list| list.codes.iter_mut().find(|c| c.id == *code))
            {
                entry.names.insert(lang.clone(), name.clone());
                added += 1;
            }
        }
        Ok((added, skipped))
    }

    /// Loads the additive units of measure from a CSV with header `code,reason` and returns how
    /// many were loaded. Each code must be in UNIT_MEASURE's code list when the structure has
    /// one; an unknown code is an error naming the row, and then nothing is loaded.
    pub fn add_additive_units(
        &mut self,
        csv: &[u8],
        file_name: &str,
    ) -> Result<usize, Vec<SdgReadError>> {
        self.add_additive_units_with(csv, file_name, Misfit::Refuse)
            .map(|(added, _)| added)
    }

    /// [`CodeLists::add_additive_units`], with rows that do not fit handled as `misfit` says;
    /// returns how many units were loaded and the rows skipped.
    pub fn add_additive_units_with(
        &mut self,
        csv: &[u8],
        file_name: &str,
        misfit: Misfit,
    ) -> Result<(usize, Vec<SdgReadError>), Vec<SdgReadError>> {
        let unit_list = self.codelist_of(UNIT_MEASURE);
        let (rows, skipped) = read_table(csv, file_name, &["code", "reason"], misfit, |cells| {
            let code = cells.first().map_or("", String::as_str);
            match unit_list {
                Some(list) if list.code(code).is_none() => {
                    Err(format!("code \"{code}\" is not in {}", list.id))
                }
                _ => Ok(()),
            }
        })?;
        let before = self.additive_units.len();
        self.additive_units
            .extend(rows.into_iter().filter_map(|row| row.into_iter().next()));
        Ok((self.additive_units.len() - before, skipped))
    }

    /// Adds national codes to the structure's lists (the velayats of Turkmenistan as
    /// REF_AREA under the country's code, for one) from a CSV with header
    /// `codelist,code,parent,name_en,name_ru,name_tk`, and returns how many were added. Nothing
    /// is added unless every row is right: an unknown code list, a code the list already has
    /// (or another row adds), a parent not in the list, or a blank cell is an error naming the
    /// row.
    pub fn add_codes(&mut self, csv: &[u8], file_name: &str) -> Result<usize, Vec<SdgReadError>> {
        self.add_codes_with(csv, file_name, Misfit::Refuse)
            .map(|(added, _)| added)
    }

    /// [`CodeLists::add_codes`], with rows that do not fit handled as `misfit` says; returns
    /// how many codes were added and the rows skipped.
    pub fn add_codes_with(
        &mut self,
        csv: &[u8],
        file_name: &str,
        misfit: Misfit,
    ) -> Result<(usize, Vec<SdgReadError>), Vec<SdgReadError>> {
        let columns = [
            "codelist", "code", "parent", "name_en", "name_ru", "name_tk",
        ];
        let added = std::cell::RefCell::new(BTreeSet::new());
        let (rows, skipped) = read_table(csv, file_name, &columns, misfit, |cells| match cells {
            [codelist, code, parent, ..] => {
                let list = self
                    .codelists
                    .get(codelist)
                    .ok_or_else(|| format!("code list \"{codelist}\" is not in the structure"))?;
                if list.code(code).is_some()
                    || !added.borrow_mut().insert((codelist.clone(), code.clone()))
                {
                    return Err(format!("{codelist} already has the code \"{code}\""));
                }
                match list.code(parent) {
                    Some(_) => Ok(()),
                    None => Err(format!("the parent \"{parent}\" is not in {codelist}")),
                }
            }
            _ => Ok(()),
        })?;
        let count = rows.len();
        for row in rows {
            let [codelist, code, parent, en, ru, tk] =
                <[String; 6]>::try_from(row).unwrap_or_else(|row| {
                    let mut cells = row.into_iter();
                    std::array::from_fn(|_| cells.next().unwrap_or_default())
                });
            if let Some(list) = self.codelists.get_mut(&codelist) {
                let names = [("en", en), ("ru", ru), ("tk", tk)]
                    .into_iter()
                    .map(|(lang, name)| (lang.to_owned(), name))
                    .collect();
                list.codes.push(Code {
                    id: code,
                    names,
                    parent: Some(parent),
                    indicator: None,
                    other_indicators: Vec::new(),
                });
            }
        }
        Ok((count, skipped))
    }

    fn check_code(&self, codelist: &str, code: &str) -> Result<(), String> {
        let list = self
            .codelists
            .get(codelist)
            .ok_or_else(|| format!("code list \"{codelist}\" is not in the structure"))?;
        match list.code(code) {
            Some(_) => Ok(()),
            None => Err(format!("code \"{code}\" is not in {codelist}")),
        }
    }

    /// The code list a component draws on; None when the component is unknown or not coded.
    pub fn codelist_of(&self, component: &str) -> Option<&Codelist> {
        let id = self
            .components
            .iter()
            .find(|c| c.id == component)?
            .codelist
            .as_deref()?;
        self.codelists.get(id)
    }

    /// Whether the component's code list holds the code; None when the component is unknown
    /// or not coded.
    pub fn contains(&self, component: &str, code: &str) -> Option<bool> {
        self.codelist_of(component)
            .map(|list| list.code(code).is_some())
    }

    /// The code's name in a language, else in English.
    pub fn name(&self, component: &str, code: &str, lang: &str) -> Option<&str> {
        let names = &self.codelist_of(component)?.code(code)?.names;
        names
            .get(lang)
            .or_else(|| names.get("en"))
            .map(String::as_str)
    }

    /// The SERIES codes of an indicator ("5.5.1", or "5-5-1", "C050501"), in code list order.
    pub fn series_of_indicator(&self, indicator: &str) -> Vec<&Code> {
        let Some(indicator) = crate::sdmx_ml::normalise_indicator(indicator) else {
            return Vec::new();
        };
        self.codelist_of(SERIES).map_or_else(Vec::new, |list| {
            list.codes
                .iter()
                .filter(|code| code.serves_indicator(&indicator))
                .collect()
        })
    }

    /// Whether values in this UNIT_MEASURE add up, so that a part may not exceed its total.
    pub fn is_additive_unit(&self, unit_code: &str) -> bool {
        self.additive_units.contains(unit_code)
    }
}

/// The rows of a table and the rows skipped as not fitting.
type Table = (Vec<Vec<String>>, Vec<SdgReadError>);

/// Reads a CSV whose header must be exactly `columns` and returns its rows' cells; every cell
/// must be filled, else every problem is returned naming its row. A row that fails `check`
/// is such a problem too, or with [`Misfit::Skip`] left out and returned as skipped.
fn read_table(
    bytes: &[u8],
    file_name: &str,
    columns: &[&str],
    misfit: Misfit,
    check: impl Fn(&[String]) -> Result<(), String>,
) -> Result<Table, Vec<SdgReadError>> {
    let text = utf8_text(bytes, file_name).map_err(|e| vec![e])?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut problems = Problems::new(file_name);
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(h)) => h.iter().map(|c| c.trim().to_string()).collect(),
        Some(Err(e)) => {
            problems.add("header", format!("cannot read the header row: {e}"));
            return Err(problems.into_vec());
        }
        None => {
            problems.add("file", "the file has no header row");
            return Err(problems.into_vec());
        }
    };
    if header != columns {
        problems.add(
            "header",
            format!(
                "the header is {:?}; expected {:?}",
                header.join(","),
                columns.join(",")
            ),
        );
        return Err(problems.into_vec());
    }
    let mut lines = Lines::new(text);
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.add("file", format!("the CSV cannot be read further: {e}"));
                break;
            }
        };
        let line = lines.line_of(&record);
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_string()).collect();
        if cells.len() != columns.len() {
            problems.add(
                format!("row {line}"),
                format!(
                    "the row has {} cell(s) but the header has {}",
                    cells.len(),
                    columns.len()
                ),
            );
        } else if let Some(i) = cells.iter().position(String::is_empty) {
            let column = columns.get(i).copied().unwrap_or("");
            problems.add(format!("row {line}"), format!("{column} is blank"));
        } else if let Err(message) = check(&cells) {
            match misfit {
                Misfit::Refuse => problems.add(format!("row {line}"), message),
                Misfit::Skip => {
                    skipped.push(SdgReadError::new(file_name, format!("row {line}"), message))
                }
            }
        } else {
            rows.push(cells);
        }
    }
    if problems.is_empty() {
        Ok((rows, skipped))
    } else {
        Err(problems.into_vec())
    }
}

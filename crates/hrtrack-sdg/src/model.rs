//! The observation model every SDG reader fills: one [`Observation`] per data point, with the
//! SDMX view of it (series, dimensions, time period, value, attributes), gathered in a
//! [`Dataset`] per file. Readers report problems as [`SdgReadError`]s.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One data point: a value (or its absence) for a series, a set of dimension codes and a period.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Observation {
    /// SDMX SERIES code (e.g. "SG_GEN_PARL"), or for Open SDG files the value of the `SERIES` column when present, else "" .
    pub series: String,
    /// SDG indicator code such as "5.5.1" when known (Open SDG: from the file name `indicator_5-5-1.csv`), normalised to dots.
    pub indicator: Option<String>,
    /// Every other dimension: id -> code, e.g. "SEX" -> "F", "AGE" -> "Y15T24", "REF_AREA" -> "KAZ", "URBANISATION" -> "U"; totals are "_T"; Open SDG disaggregation columns keep their header as id and cell as code (blank cells are left out).
    pub dimensions: Codes,
    /// "2015", "2015-Q1", "2015-01", as written.
    pub time_period: String,
    /// None when the value is missing (e.g. SDMX "NaN" or an empty OBS_VALUE with an OBS_STATUS).
    pub value: Option<f64>,
    /// UNIT_MEASURE, UNIT_MULT, NATURE, OBS_STATUS, COMMENT_OBS, SOURCE_DETAIL, … (id -> code/text); Open SDG UNIT_MEASURE/UNIT_MULT/OBS_STATUS/COMMENT_OBS columns go here.
    pub attributes: Codes,
    /// SDMX-CSV 2.x ACTION of this row; Information (the default) elsewhere.
    pub action: RowAction,
}

impl Observation {
    /// The code of one dimension, if the observation has it.
    pub fn dimension(&self, id: &str) -> Option<&str> {
        self.dimensions.get(id).map(String::as_str)
    }

    /// The observation's key in words: series, dimensions and period, e.g.
    /// `SG_GEN_PARL, SEX=F, 2020`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.series.is_empty() {
            parts.push(self.series.clone());
        }
        for (id, code) in &self.dimensions {
            parts.push(format!("{id}={code}"));
        }
        parts.push(self.time_period.clone());
        parts.join(", ")
    }

    /// The value of one attribute, if the observation has it.
    pub fn attribute(&self, id: &str) -> Option<&str> {
        self.attributes.get(id).map(String::as_str)
    }
}

/// What an SDMX-CSV 2.x row asks for. `I` (and SDMX 3's default `M`, Merge) read as
/// [`RowAction::Information`]; `A` as Append, `R` as Replace, `D` as Delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum RowAction {
    #[default]
    Information,
    Append,
    Replace,
    Delete,
}

impl RowAction {
    /// The action an SDMX-CSV 2.x `ACTION` cell names (`I`, `M`, `A`, `R`, `D`; blank = default).
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "" | "I" | "M" => Some(Self::Information),
            "A" => Some(Self::Append),
            "R" => Some(Self::Replace),
            "D" => Some(Self::Delete),
            _ => None,
        }
    }
}

/// The observations read from one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    /// The file the data came from, as the caller named it.
    pub source: String,
    /// The format it was read as.
    pub format: SdgFormat,
    /// The SDMX dataflow (or structure) the file declares, e.g. `IAEG-SDGs:DF_SDG_GLH(1.24)`.
    pub dataflow: Option<String>,
    /// The observations in file order.
    pub observations: Vec<Observation>,
    /// For table formats (CSV, XLSX), the row of the file each observation came from (the
    /// header is row 1), index for index with `observations`; empty when the format has no
    /// rows (SDMX-ML), where a place is told by the observation's key instead.
    pub rows: Vec<u32>,
    /// What the reader accepted but a person should know (rows counted once, columns read as
    /// attributes by their name, rows without a year or a value left out), each with its place.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<SdgReadError>,
}

impl Dataset {
    /// Where observation `index` came from: "row N" for table formats, else its key.
    pub fn place_of(&self, index: usize) -> String {
        match self.rows.get(index) {
            Some(row) => format!("row {row}"),
            None => match self.observations.get(index) {
                Some(obs) => obs.describe(),
                None => format!("observation {}", index + 1),
            },
        }
    }
}

/// The file formats SDG data arrives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SdgFormat {
    OpenSdg,
    SdmxCsv1,
    SdmxCsv2,
    SdmxMlGeneric20,
    SdmxMlGeneric21,
    SdmxMlStructureSpecific21,
    /// The hrtrack XLSX indicator template ([`crate::xlsx`]).
    XlsxTemplate,
}

/// One problem of a file: which file, where in it ("row 12, column Value", "header", "file"),
/// and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{file}: {place}: {message}")]
pub struct SdgReadError {
    pub file: String,
    pub place: String,
    pub message: String,
}

impl SdgReadError {
    pub fn new(file: &str, place: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            place: place.into(),
            message: message.into(),
        }
    }
}

/// A small map of component ids to codes or texts, sorted by id in one vector. An observation
/// has a handful of dimensions and attributes, for which a `BTreeMap`'s node (over half a
/// kilobyte) costs several times the data: a million observations took 2.3 GB that way.
/// Serialised as a JSON object, like the map it replaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Codes(Vec<(String, String)>);

impl Codes {
    pub fn new() -> Self {
        Self(Vec::new())
    }

    fn position(&self, id: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(key, _)| key.as_str().cmp(id))
    }

    /// The code of `id`.
    pub fn get(&self, id: &str) -> Option<&String> {
        self.position(id).ok().map(|i| &self.0[i].1)
    }

    pub fn contains_key(&self, id: &str) -> bool {
        self.position(id).is_ok()
    }

    /// Sets the code of `id`, returning the one it replaces.
    pub fn insert(&mut self, id: String, code: String) -> Option<String> {
        match self.position(&id) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, code)),
            Err(i) => {
                self.0.insert(i, (id, code));
                None
            }
        }
    }

    pub fn remove(&mut self, id: &str) -> Option<String> {
        self.position(id).ok().map(|i| self.0.remove(i).1)
    }

    /// The pairs in id order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter().map(|(id, code)| (id, code))
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(id, _)| id)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }
}

impl std::ops::Index<&str> for Codes {
    type Output = String;

    /// The code of `id`; panics when there is none, as a map's index does.
    fn index(&self, id: &str) -> &String {
        match self.get(id) {
            Some(code) => code,
            None => panic!("no {id:?} among the codes"),
        }
    }
}

impl PartialEq<BTreeMap<String, String>> for Codes {
    fn eq(&self, other: &BTreeMap<String, String>) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a == b)
    }
}

impl PartialEq<Codes> for BTreeMap<String, String> {
    fn eq(&self, other: &Codes) -> bool {
        other == self
    }
}

impl FromIterator<(String, String)> for Codes {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(pairs: I) -> Self {
        let mut codes = Codes::new();
        codes.extend(pairs);
        codes
    }
}

impl Extend<(String, String)> for Codes {
    fn extend<I: IntoIterator<Item = (String, String)>>(&mut self, pairs: I) {
        for (id, code) in pairs {
            self.insert(id, code);
        }
    }
}

impl<const N: usize> From<[(String, String); N]> for Codes {
    fn from(pairs: [(String, String); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl From<BTreeMap<String, String>> for Codes {
    fn from(map: BTreeMap<String, String>) -> Self {
        // Already in id order.
        Codes(map.into_iter().collect())
    }
}

impl From<Codes> for BTreeMap<String, String> {
    fn from(codes: Codes) -> Self {
        codes.0.into_iter().collect()
    }
}

impl IntoIterator for Codes {
    type Item = (String, String);
    type IntoIter = std::vec::IntoIter<(String, String)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Codes {
    type Item = (&'a String, &'a String);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, String)>,
        fn(&'a (String, String)) -> (&'a String, &'a String),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(id, code)| (id, code))
    }
}

impl Serialize for Codes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Codes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        BTreeMap::<String, String>::deserialize(deserializer).map(Codes::from)
    }
}

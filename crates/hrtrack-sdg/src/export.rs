//! Writers of exactly the observations a user chose (a slice of one or more datasets) in the
//! formats they are downloaded in: a plain CSV for spreadsheets ([`to_csv`]), an Open SDG
//! indicator CSV ([`to_open_sdg_csv`], read back by [`crate::open_sdg::read`]), SDMX-CSV 2.x
//! ([`to_sdmx_csv`], read back by [`crate::sdmx_csv::read`]) and JSON ([`to_json`]).
//!
//! Columns are the union over the slice: a dimension or attribute present in any observation
//! gets a column (ids sorted), and an observation without it has a blank cell there. Values are
//! written in Rust's shortest form that reads back to the same number (`12.5`, `2020`).
//! CSV quoting is RFC 4180, by the csv crate. Every text cell goes through
//! [`hrtrack_domain::spreadsheet::safe_cell`] (a `'` before a text a spreadsheet would run as
//! a formula); values are numbers and are written as they are. The Open SDG and SDMX-CSV
//! readers take that quote off again ([`hrtrack_domain::spreadsheet::unsafe_cell`]).

use std::collections::BTreeSet;

use hrtrack_domain::spreadsheet::safe_cell;
use serde_json::{Value, json};

use crate::{Observation, RowAction};

/// Attribute columns of an Open SDG CSV, in the order they are written (before `GeoCode` and
/// `Value`); the Open SDG reader reads each back as the attribute of the same id.
const OPEN_SDG_ATTRIBUTES: &[&str] = &[
    "COMMENT_OBS",
    "SOURCE_DETAIL",
    "OBS_STATUS",
    "UNIT_MULT",
    "NATURE",
    "COMMENT_TS",
    "DATA_LAST_UPDATE",
    "TIME_DETAIL",
    "BASE_PER",
    "UPPER_BOUND",
    "LOWER_BOUND",
    "Progress",
];

/// The SDMX code of a total, written as a blank cell in Open SDG CSVs.
const TOTAL: &str = "_T";

/// Plain CSV for spreadsheets: `indicator,series,<dimension ids>,time_period,value,
/// <attribute ids>`, one row per observation, a blank value cell for a missing value.
pub fn to_csv(observations: &[Observation]) -> String {
    let dimensions = dimension_ids(observations);
    let attributes = attribute_ids(observations);
    let mut header = vec!["indicator", "series"];
    header.extend(dimensions.iter().map(String::as_str));
    header.extend(["time_period", "value"]);
    header.extend(attributes.iter().map(String::as_str));
    let mut rows = vec![header.into_iter().map(str::to_owned).collect::<Vec<_>>()];
    for obs in observations {
        let mut row = vec![cell(obs.indicator.as_deref()), text(&obs.series)];
        row.extend(dimensions.iter().map(|id| cell(obs.dimension(id))));
        row.push(text(&obs.time_period));
        row.push(value_text(obs.value));
        row.extend(attributes.iter().map(|id| cell(obs.attribute(id))));
        rows.push(row);
    }
    write_csv(&rows)
}

/// An Open SDG indicator CSV: `Year`, `Series` (when any observation has a series), `Units`
/// (from `UNIT_MEASURE`, when present), the disaggregations (dimension ids with at least one
/// code other than `_T`; `_T` and absent codes are blank cells, Open SDG's "total"), the
/// attributes Open SDG knows (`COMMENT_OBS`, `SOURCE_DETAIL`, `OBS_STATUS`, `UNIT_MULT`, `NATURE`,
/// `COMMENT_TS`, `DATA_LAST_UPDATE`, `TIME_DETAIL`, `BASE_PER`, `UPPER_BOUND`, `LOWER_BOUND`,
/// `Progress`, in this order, then `GeoCode` second to last), and
/// `Value` last (blank = missing).
///
/// Attributes Open SDG has no column for (e.g. `TIME_COVERAGE`, `GEO_INFO_URL`) are left out:
/// as columns they would read back as disaggregations. The indicator is not a column either; it
/// is told by the file name (`indicator_5-5-1.csv`).
pub fn to_open_sdg_csv(observations: &[Observation]) -> String {
    let with_series = observations.iter().any(|obs| !obs.series.is_empty());
    let with_units = observations
        .iter()
        .any(|obs| obs.attribute("UNIT_MEASURE").is_some());
    let disaggregations: Vec<String> = dimension_ids(observations)
        .into_iter()
        .filter(|id| {
            observations
                .iter()
                .any(|obs| obs.dimension(id).is_some_and(|code| code != TOTAL))
        })
        .collect();
    let present = attribute_ids(observations);
    let attributes: Vec<&str> = OPEN_SDG_ATTRIBUTES
        .iter()
        .chain(&["GeoCode"])
        .copied()
        .filter(|id| present.contains(*id))
        .collect();

    let mut header = vec!["Year"];
    if with_series {
        header.push("Series");
    }
    if with_units {
        header.push("Units");
    }
    header.extend(disaggregations.iter().map(String::as_str));
    header.extend(&attributes);
    header.push("Value");
    let mut rows = vec![header.into_iter().map(str::to_owned).collect::<Vec<_>>()];
    for obs in observations {
        let mut row = vec![text(&obs.time_period)];
        if with_series {
            row.push(text(&obs.series));
        }
        if with_units {
            row.push(cell(obs.attribute("UNIT_MEASURE")));
        }
        row.extend(disaggregations.iter().map(|id| match obs.dimension(id) {
            Some(TOTAL) | None => String::new(),
            Some(code) => text(code),
        }));
        row.extend(attributes.iter().map(|id| cell(obs.attribute(id))));
        row.push(value_text(obs.value));
        rows.push(row);
    }
    write_csv(&rows)
}

/// SDMX-CSV 2.x: `STRUCTURE,STRUCTURE_ID,ACTION,SERIES,<dimension ids>,TIME_PERIOD,OBS_VALUE,
/// <attribute ids>`, with `STRUCTURE` = `dataflow` and `STRUCTURE_ID` = `dataflow` (e.g.
/// `IAEG-SDGs:DF_SDG_GLH(1.24)`). `ACTION` is the observation's own ([`RowAction::Information`],
/// the usual one, is `I`). A missing value is `NaN`; codes are written as they are (`_T`
/// included). The indicator is not a column: the SDG data structure has none.
pub fn to_sdmx_csv(observations: &[Observation], dataflow: &str) -> String {
    let dimensions = dimension_ids(observations);
    let attributes = attribute_ids(observations);
    let mut header = vec!["STRUCTURE", "STRUCTURE_ID", "ACTION", "SERIES"];
    header.extend(dimensions.iter().map(String::as_str));
    header.extend(["TIME_PERIOD", "OBS_VALUE"]);
    header.extend(attributes.iter().map(String::as_str));
    let mut rows = vec![header.into_iter().map(str::to_owned).collect::<Vec<_>>()];
    for obs in observations {
        let mut row = vec![
            "dataflow".to_owned(),
            text(dataflow),
            action_code(obs.action).to_owned(),
            text(&obs.series),
        ];
        row.extend(dimensions.iter().map(|id| cell(obs.dimension(id))));
        // Data stored before the readers turned periods into SDMX ones may hold a national
        // spelling (`2013 Q1`): written in its SDMX form where it has one.
        let period = crate::period::sdmx_period(&obs.time_period)
            .unwrap_or_else(|_| obs.time_period.clone());
        row.push(text(&period));
        row.push(match obs.value {
            Some(value) => value.to_string(),
            None => "NaN".to_owned(),
        });
        row.extend(attributes.iter().map(|id| cell(obs.attribute(id))));
        rows.push(row);
    }
    write_csv(&rows)
}

/// JSON: `{"observations":[{"indicator":…,"series":…,"dimensions":{…},"time_period":…,
/// "value":…,"attributes":{…}}]}`, `indicator` and `value` `null` when absent.
pub fn to_json(observations: &[Observation]) -> String {
    let list: Vec<Value> = observations
        .iter()
        .map(|obs| {
            json!({
                "indicator": obs.indicator,
                "series": obs.series,
                "dimensions": obs.dimensions,
                "time_period": obs.time_period,
                "value": obs.value,
                "attributes": obs.attributes,
            })
        })
        .collect();
    json!({ "observations": list }).to_string()
}

/// Every dimension id of the slice, sorted.
fn dimension_ids(observations: &[Observation]) -> BTreeSet<String> {
    observations
        .iter()
        .flat_map(|obs| obs.dimensions.keys().cloned())
        .collect()
}

/// Every attribute id of the slice, sorted.
fn attribute_ids(observations: &[Observation]) -> BTreeSet<String> {
    observations
        .iter()
        .flat_map(|obs| obs.attributes.keys().cloned())
        .collect()
}

/// A text cell, blank when absent.
fn cell(value: Option<&str>) -> String {
    text(value.unwrap_or_default())
}

/// A text cell, safe to open in a spreadsheet.
fn text(value: &str) -> String {
    safe_cell(value).into_owned()
}

fn value_text(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// The SDMX-CSV 2.x `ACTION` code of a row action.
fn action_code(action: RowAction) -> &'static str {
    match action {
        RowAction::Information => "I",
        RowAction::Append => "A",
        RowAction::Replace => "R",
        RowAction::Delete => "D",
    }
}

/// The rows as RFC 4180 CSV with `\n` line ends.
fn write_csv(rows: &[Vec<String>]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail: the errors below are never met.
    for row in rows {
        if writer.write_record(row).is_err() {
            break;
        }
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

//! Which columns the XLSX template of an indicator has, and what they offer: the series of
//! the indicator, the breakdowns its published data uses (or sex, age and urbanisation when
//! it has none yet), the period and value, and the attributes; each coded column with the
//! codes of its code list, and the published data as the rows, so that an agency edits the
//! last version instead of starting from nothing.

use std::collections::BTreeSet;

use crate::Observation;
use crate::codelists::CodeLists;
use crate::structure::ComponentKind;
use crate::xlsx::{TemplateColumn, TemplatePlan};

/// Breakdowns offered when the indicator has no published data yet.
const DEFAULT_BREAKDOWNS: [&str; 3] = ["SEX", "AGE", "URBANISATION"];

/// Attributes every template offers, in this order.
const USUAL_ATTRIBUTES: [&str; 6] = [
    "UNIT_MEASURE",
    "UNIT_MULT",
    "NATURE",
    "OBS_STATUS",
    "SOURCE_DETAIL",
    "COMMENT_OBS",
];

/// The label of a component in row 2 of the template.
fn label(id: &str) -> String {
    match id {
        "SERIES" => "Series",
        "REF_AREA" => "Reference area",
        "SEX" => "Sex",
        "AGE" => "Age group",
        "URBANISATION" => "Urban or rural",
        "INCOME_WEALTH_QUANTILE" => "Income or wealth quantile",
        "EDUCATION_LEV" => "Education level",
        "DISABILITY_STATUS" => "Disability status",
        "TIME_PERIOD" => "Year or period",
        "OBS_VALUE" => "Value",
        "UNIT_MEASURE" => "Unit of measure",
        "UNIT_MULT" => "Unit multiplier",
        "NATURE" => "Nature of the figure",
        "OBS_STATUS" => "Observation status",
        "SOURCE_DETAIL" => "Source",
        "COMMENT_OBS" => "Comment",
        other => other,
    }
    .to_owned()
}

/// The codes a column offers: its code list's, with English names.
fn codes_of(codes: &CodeLists, id: &str) -> Vec<(String, String)> {
    codes.codelist_of(id).map_or_else(Vec::new, |list| {
        list.codes
            .iter()
            .map(|code| {
                let name = code.names.get("en").cloned().unwrap_or_default();
                (code.id.clone(), name)
            })
            .collect()
    })
}

fn column(codes: &CodeLists, id: &str) -> TemplateColumn {
    TemplateColumn {
        id: id.to_owned(),
        label: label(id),
        codes: codes_of(codes, id),
    }
}

/// The template of `indicator` (titled `title`) with `published` as its rows.
pub fn plan_template(
    indicator: &str,
    title: &str,
    codes: &CodeLists,
    published: Vec<Observation>,
) -> TemplatePlan {
    let used_dimensions: BTreeSet<&str> = published
        .iter()
        .flat_map(|o| o.dimensions.keys().map(String::as_str))
        .collect();
    let used_attributes: BTreeSet<&str> = published
        .iter()
        .flat_map(|o| o.attributes.keys().map(String::as_str))
        .collect();
    // Breakdowns in the structure's order, then those it does not know, by name.
    let structure_order: Vec<&str> = codes
        .components
        .iter()
        .filter(|c| c.kind == ComponentKind::Dimension && c.id != "SERIES")
        .map(|c| c.id.as_str())
        .collect();
    let mut breakdowns: Vec<&str> = if published.is_empty() {
        DEFAULT_BREAKDOWNS.to_vec()
    } else {
        structure_order
            .iter()
            .copied()
            .filter(|id| used_dimensions.contains(id))
            .collect()
    };
    breakdowns.extend(
        used_dimensions
            .iter()
            .copied()
            .filter(|id| !structure_order.contains(id)),
    );
    let mut columns = vec![TemplateColumn {
        codes: codes
            .series_of_indicator(indicator)
            .into_iter()
            .map(|code| {
                let name = code.names.get("en").cloned().unwrap_or_default();
                (code.id.clone(), name)
            })
            .collect(),
        ..column(codes, "SERIES")
    }];
    columns.extend(breakdowns.iter().map(|id| column(codes, id)));
    columns.push(column(codes, "TIME_PERIOD"));
    columns.push(column(codes, "OBS_VALUE"));
    columns.extend(USUAL_ATTRIBUTES.iter().map(|id| column(codes, id)));
    columns.extend(
        used_attributes
            .iter()
            .filter(|id| !USUAL_ATTRIBUTES.contains(id))
            .map(|id| column(codes, id)),
    );
    TemplatePlan {
        indicator: indicator.to_owned(),
        title: title.to_owned(),
        columns,
        rows: published,
    }
}

//! Reader of the UPR Info database export: one CSV row per recommending State.
//!
//! Rows with the same text in the same review (State under review and session) are one
//! recommendation made jointly by several States. UPR Info codes positions as Accepted or
//! Noted (Accepted = supported), adds an action category (1 minimal … 5 specific action) and
//! issue tags, and gives no paragraph numbers. Its "(Unknown)" recommending State (HTML-escaped
//! in the export) is read as a recommendation whose recommending State is not known.
//!
//! The export comes in two shapes: as UPR Info's site downloads it (header `To, To-Rgrp,
//! To-Org, Text, From, From-Rgrp, From-Org, Response, Action, Issue, Session`, Mac Roman or
//! Windows-1252, CR line ends) and as research projects re-save it (snake_case names such as
//! `state_under_review`, UTF-8). Both are read: the encoding is detected or named
//! ([`crate::text_encoding`]), CR, LF and CRLF line ends are all accepted, and each column is
//! found by any of its names.

use std::collections::HashMap;

use hrtrack_domain::{
    Cycle, Field, FieldSet, ImportBatch, Mechanism, NewRecommendation, NewReview, Position,
    Session, SourceFormat,
};

use crate::ImportError;
use crate::input::decode_entities;
use crate::text_encoding::{self, TextEncoding};

/// A column of the export: the names it may go by, and whether the import needs it.
struct Column {
    field: &'static str,
    names: &'static [&'static str],
    required: bool,
}

const COLUMNS: &[Column] = &[
    Column {
        field: "state_under_review",
        names: &["state_under_review", "state under review", "sur", "to"],
        required: true,
    },
    Column {
        field: "recommendation",
        names: &["recommendation", "recommendation_text", "text"],
        required: true,
    },
    Column {
        field: "recommending_state",
        names: &[
            "recommending_state",
            "recommending state",
            "recommending_states",
            "recommending state(s)",
            "from",
        ],
        required: true,
    },
    Column {
        field: "response",
        names: &["response", "position"],
        required: true,
    },
    Column {
        field: "session",
        names: &["session", "wg_session"],
        required: true,
    },
    Column {
        field: "cycle",
        names: &["cycle"],
        required: false,
    },
    Column {
        field: "action_category",
        names: &["action_category", "action category", "action"],
        required: false,
    },
    Column {
        field: "issues",
        names: &["issues", "issue"],
        required: false,
    },
];

/// The UPR cycle a Working Group session belongs to (cycle 1: sessions 1–12, 2: 13–26,
/// 3: 27–40, 4: 41–54).
pub fn cycle_of_session(session: u16) -> Option<u8> {
    match session {
        1..=12 => Some(1),
        13..=26 => Some(2),
        27..=40 => Some(3),
        41..=54 => Some(4),
        _ => None,
    }
}

/// Reads an export, detecting its encoding.
pub fn read(bytes: &[u8], file: &str) -> Result<ImportBatch, ImportError> {
    read_encoded(bytes, file, None)
}

/// Reads an export in `encoding`, or in the encoding detected when `None`.
pub fn read_encoded(
    bytes: &[u8],
    file: &str,
    encoding: Option<TextEncoding>,
) -> Result<ImportBatch, ImportError> {
    let (text, _) = text_encoding::decode(bytes, file, encoding)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| ImportError::new(file, "header", format!("cannot read the header row: {e}")))?
        .clone();
    let normalized: Vec<String> = headers
        .iter()
        .map(|h| h.trim().to_lowercase().replace(' ', "_"))
        .collect();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut missing = Vec::new();
    for column in COLUMNS {
        let found = normalized
            .iter()
            .position(|h| column.names.iter().any(|n| n.replace(' ', "_") == *h));
        match found {
            Some(i) => {
                index.insert(column.field, i);
            }
            None if column.required => missing.push(column.field),
            None => {}
        }
    }
    if !missing.is_empty() {
        return Err(ImportError::new(
            file,
            "header",
            format!(
                "missing column(s) {}; the header has: {}. Is this a UPR Info export? \
                 For other tables use `hrtrack import table` with a mapping.",
                missing.join(", "),
                headers.iter().collect::<Vec<_>>().join(", ")
            ),
        ));
    }

    let mut reviews: Vec<NewReview> = Vec::new();
    let mut review_of: HashMap<(String, u16), usize> = HashMap::new();
    let mut rec_of: HashMap<(usize, String), usize> = HashMap::new();
    for (n, record) in reader.records().enumerate() {
        let place = |column: Option<&str>| match column {
            Some(c) => format!("row {}, column {c}", n + 2),
            None => format!("row {}", n + 2),
        };
        let record = record.map_err(|e| {
            let line = e.position().map_or(n + 2, |p| p.line() as usize);
            ImportError::new(file, format!("line {line}"), format!("malformed CSV: {e}"))
        })?;
        let field = |name: &str| {
            index
                .get(name)
                .and_then(|&i| record.get(i))
                .map(str::trim)
                .unwrap_or("")
        };
        let bad = |name: &str, e: &dyn std::fmt::Display| {
            ImportError::new(file, place(Some(name)), e.to_string())
        };

        let state = decode_entities(field("state_under_review"));
        let text = decode_entities(field("recommendation"));
        if state.is_empty() {
            return Err(ImportError::new(
                file,
                place(Some("state_under_review")),
                "empty State under review",
            ));
        }
        if text.is_empty() {
            return Err(ImportError::new(
                file,
                place(Some("recommendation")),
                "empty recommendation text",
            ));
        }
        let session = Session::parse(field("session")).map_err(|e| bad("session", &e))?;
        let cycle = match field("cycle") {
            "" => cycle_of_session(session.get())
                .ok_or_else(|| {
                    bad(
                        "session",
                        &format!(
                            "session {session} is past the known UPR cycles; add a cycle column"
                        ),
                    )
                })
                .and_then(|c| Cycle::new(c).map_err(|e| bad("cycle", &e)))?,
            text => Cycle::parse(text).map_err(|e| bad("cycle", &e))?,
        };
        let position = Position::parse(field("response")).map_err(|e| bad("response", &e))?;
        let action = field("action_category");
        // UPR Info's own export may write "Category 4".
        let action = action
            .get(..9)
            .filter(|p| p.eq_ignore_ascii_case("category "))
            .map_or(action, |_| action[9..].trim());
        let action_category = match action {
            "" => None,
            text => Some(
                text.parse::<u8>()
                    .ok()
                    .filter(|c| (1..=5).contains(c))
                    .ok_or_else(|| {
                        bad(
                            "action_category",
                            &format!("{text:?} is not an action category from 1 to 5"),
                        )
                    })?,
            ),
        };
        let issues: Vec<String> = field("issues")
            .split(',')
            .map(|i| decode_entities(i.trim()))
            .filter(|i| !i.is_empty())
            .collect();
        let recommending = decode_entities(field("recommending_state"));
        let recommending =
            (!recommending.is_empty() && recommending != "(Unknown)").then_some(recommending);

        let review_index = *review_of
            .entry((state.clone(), session.get()))
            .or_insert_with(|| {
                reviews.push(NewReview {
                    state: state.clone(),
                    mechanism: Mechanism::Upr,
                    cycle: Some(cycle),
                    session: Some(session),
                    date: crate::sessions::year_of_session(session.get()),
                    report_symbol: None,
                    // What every row of the export gives; the rest (paragraphs, themes,
                    // SDGs) it does not have, and leaves as stored.
                    fields: FieldSet::of(&[
                        Field::Text,
                        Field::Language,
                        Field::Position,
                        Field::RecommendingStates,
                        Field::ActionCategory,
                        Field::UprIssues,
                    ]),
                    recommendations: Vec::new(),
                });
                reviews.len() - 1
            });
        let review = &mut reviews[review_index];
        match rec_of.get(&(review_index, text.clone())) {
            Some(&i) => {
                let rec = &mut review.recommendations[i];
                if let Some(name) = recommending
                    && !rec.recommending_states.contains(&name)
                {
                    rec.recommending_states.push(name);
                }
                for issue in issues {
                    if !rec.upr_issues.contains(&issue) {
                        rec.upr_issues.push(issue);
                    }
                }
                rec.action_category = rec.action_category.or(action_category);
            }
            None => {
                rec_of.insert((review_index, text.clone()), review.recommendations.len());
                review.recommendations.push(NewRecommendation {
                    origin: place(None),
                    text,
                    language: "en".to_owned(),
                    recommending_states: recommending.into_iter().collect(),
                    position: Some(position),
                    action_category,
                    upr_issues: issues,
                    ..Default::default()
                });
            }
        }
    }
    if reviews.is_empty() {
        return Err(ImportError::new(
            file,
            "row 2",
            "the file has a header but no rows",
        ));
    }
    Ok(ImportBatch {
        format: SourceFormat::UprInfo,
        source: file.to_owned(),
        reviews,
    })
}

//! A stored recommendation as the store hands it out: to the CLI, the exports and the API.

use serde::{Deserialize, Serialize};

/// A recommendation with everything known about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecommendationRecord {
    pub uid: String,
    pub state: String,
    pub state_iso3: String,
    pub mechanism: String,
    pub cycle: Option<i64>,
    pub session: Option<i64>,
    /// Date (or year) of the review.
    pub date: Option<String>,
    pub report_symbol: Option<String>,
    pub paragraph: Option<String>,
    pub text: String,
    pub language: String,
    pub position: String,
    pub position_source: Option<String>,
    pub recommending_states: Vec<String>,
    pub theme_heading: Option<String>,
    pub themes: Vec<String>,
    pub affected_persons: Vec<String>,
    pub sdg_goals: Vec<i64>,
    pub sdg_targets: Vec<String>,
    pub action_category: Option<i64>,
    pub upr_issues: Vec<String>,
    pub source_format: String,
    /// The text in other languages than the original's (`text`, `language`), by language.
    #[serde(default)]
    pub translations: Vec<Translation>,
}

/// A recommendation's text in another language than its original, as an import brought it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Translation {
    /// ISO 639-1 code.
    pub language: String,
    pub text: String,
    /// The file(s) it came from.
    pub source: String,
}

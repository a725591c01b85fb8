//! What a reader hands to the store: reviews with their recommendations, country names still
//! as written in the file (the store resolves them and refuses unknown ones, all at once).

use serde::Serialize;

use crate::{Cycle, Mechanism, Paragraph, Position, SdgGoal, SdgTarget, Session};

/// The file format an import came from; it decides which source wins when two disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceFormat {
    OhchrMatrix,
    UprInfo,
    Table,
}

impl SourceFormat {
    pub fn code(self) -> &'static str {
        match self {
            SourceFormat::OhchrMatrix => "ohchr-matrix",
            SourceFormat::UprInfo => "upr-info",
            SourceFormat::Table => "table",
        }
    }

    /// Whether a position read from this format is an official one (from the State's own
    /// answer, as OHCHR records it) rather than a third party's coding of it.
    pub fn is_official(self) -> bool {
        !matches!(self, SourceFormat::UprInfo)
    }
}

/// Everything one import writes: one transaction, all or nothing.
#[derive(Debug, Clone, Serialize)]
pub struct ImportBatch {
    pub format: SourceFormat,
    /// The file name(s) as given, for messages and the import log.
    pub source: String,
    pub reviews: Vec<NewReview>,
}

impl ImportBatch {
    pub fn recommendation_count(&self) -> usize {
        self.reviews.iter().map(|r| r.recommendations.len()).sum()
    }
}

/// One review of one State by one mechanism (for the UPR: one cycle and session).
#[derive(Debug, Clone, Serialize)]
pub struct NewReview {
    /// The State under review, as the file names it.
    pub state: String,
    pub mechanism: Mechanism,
    pub cycle: Option<Cycle>,
    pub session: Option<Session>,
    /// ISO 8601 date (or year) of the review, where known.
    pub date: Option<String>,
    /// The report symbol, e.g. `A/HRC/59/15`.
    pub report_symbol: Option<String>,
    pub recommendations: Vec<NewRecommendation>,
}

/// One recommendation as read from a file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NewRecommendation {
    /// Where it stood in the file, for error messages: "row 12", "table row 40".
    pub origin: String,
    pub paragraph: Option<Paragraph>,
    /// The text exactly as published.
    pub text: String,
    /// ISO 639-1 code of the text's language.
    pub language: String,
    /// The recommending States as the file names them; empty for national frameworks.
    pub recommending_states: Vec<String>,
    pub position: Option<Position>,
    /// Where the position is stated, e.g. `A/HRC/59/15/Add.1 - Para.3`.
    pub position_source: Option<String>,
    pub theme_heading: Option<String>,
    /// UHRI themes (or the old codes of cycle-2 matrices, as written).
    pub themes: Vec<String>,
    pub affected_persons: Vec<String>,
    pub sdg_goals: Vec<SdgGoal>,
    pub sdg_targets: Vec<SdgTarget>,
    /// UPR Info action category, 1 (minimal) to 5 (specific action).
    pub action_category: Option<u8>,
    /// UPR Info issue tags.
    pub upr_issues: Vec<String>,
}

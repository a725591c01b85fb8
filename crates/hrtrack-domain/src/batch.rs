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
    /// The recommendation fields the file carries. The store leaves every other field of a
    /// recommendation it already holds as it is (a column a table does not have changes
    /// nothing). [`Field::ReportSymbol`] means each row names its own document (an empty one
    /// is unknown); without it, every row is in the review's `report_symbol`.
    pub fields: FieldSet,
    pub recommendations: Vec<NewRecommendation>,
}

/// One recommendation as read from a file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NewRecommendation {
    /// Where it stood in the file, for error messages: "row 12", "table row 40".
    pub origin: String,
    pub paragraph: Option<Paragraph>,
    /// The document the recommendation is in (report or concluding observations symbol),
    /// when the file says so for the row; otherwise the review's [`NewReview::report_symbol`].
    /// Part of a non-UPR recommendation's identity: paragraph 1 of two reports are two
    /// recommendations.
    pub report_symbol: Option<String>,
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

/// A field of a recommendation that a file may or may not carry (see [`NewReview::fields`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    Paragraph,
    ReportSymbol,
    Text,
    Language,
    Position,
    PositionSource,
    RecommendingStates,
    ThemeHeading,
    Themes,
    AffectedPersons,
    /// SDG goals and targets (stored together).
    Sdgs,
    ActionCategory,
    UprIssues,
}

impl Field {
    pub const ALL: [Field; 13] = [
        Field::Paragraph,
        Field::ReportSymbol,
        Field::Text,
        Field::Language,
        Field::Position,
        Field::PositionSource,
        Field::RecommendingStates,
        Field::ThemeHeading,
        Field::Themes,
        Field::AffectedPersons,
        Field::Sdgs,
        Field::ActionCategory,
        Field::UprIssues,
    ];

    /// The field's name as tables and exports write it (`sdgs` for goals and targets).
    pub fn code(self) -> &'static str {
        match self {
            Field::Paragraph => "paragraph",
            Field::ReportSymbol => "report_symbol",
            Field::Text => "text",
            Field::Language => "language",
            Field::Position => "position",
            Field::PositionSource => "position_source",
            Field::RecommendingStates => "recommending_states",
            Field::ThemeHeading => "theme_heading",
            Field::Themes => "themes",
            Field::AffectedPersons => "affected_persons",
            Field::Sdgs => "sdgs",
            Field::ActionCategory => "action_category",
            Field::UprIssues => "upr_issues",
        }
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// A set of [`Field`]s; serialised as the list of their codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FieldSet(u16);

impl FieldSet {
    /// Every field: a reader that gives complete records.
    pub fn all() -> Self {
        Self::of(&Field::ALL)
    }

    pub fn of(fields: &[Field]) -> Self {
        let mut set = Self::default();
        for field in fields {
            set.insert(*field);
        }
        set
    }

    pub fn insert(&mut self, field: Field) {
        self.0 |= field.bit();
    }

    pub fn contains(self, field: Field) -> bool {
        self.0 & field.bit() != 0
    }

    /// The fields in the set, in [`Field::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Field> {
        Field::ALL.into_iter().filter(move |f| self.contains(*f))
    }
}

impl Serialize for FieldSet {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter().map(Field::code))
    }
}

#[cfg(test)]
mod tests {
    use super::{Field, FieldSet};

    #[test]
    fn field_sets_hold_what_was_put_in() {
        let set = FieldSet::of(&[Field::Text, Field::Position]);
        assert!(set.contains(Field::Text) && set.contains(Field::Position));
        assert!(!set.contains(Field::RecommendingStates));
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            [Field::Text, Field::Position]
        );
        assert!(Field::ALL.iter().all(|f| FieldSet::all().contains(*f)));
    }
}

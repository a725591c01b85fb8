//! Domain types of hrtrack, parsed once at the edge and trusted everywhere after.
//!
//! Nothing here does I/O. Readers (`hrtrack-import`) turn files into an [`ImportBatch`];
//! the store (`hrtrack-db`) resolves its country names and writes it in one transaction.

mod batch;
mod codes;
mod record;
mod roadmap;
mod schedule;
mod sdg;
pub mod spreadsheet;

pub use batch::{Field, FieldSet, ImportBatch, NewRecommendation, NewReview, SourceFormat};
pub use codes::{Cycle, Mechanism, Paragraph, Position, RegionalGroup, Session};
pub use record::{RecommendationRecord, Translation};
pub use roadmap::{
    ActionRole, ActionStatus, AssessmentStatus, ImplementationLevel, InstitutionKind, Period,
    ReportStatus, Role, SubmissionStatus,
};
pub use schedule::{Date, Frequency, MAX_DUE_DATES, due_dates};
pub use sdg::{SdgGoal, SdgIndicator, SdgTarget};

/// A value that did not parse as the domain type it was meant to be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what}: cannot read {value:?} ({expected})")]
pub struct ParseError {
    /// The kind of value, e.g. "position" or "SDG target".
    pub what: &'static str,
    /// The text as found.
    pub value: String,
    /// What a valid value looks like.
    pub expected: &'static str,
}

impl ParseError {
    pub(crate) fn new(what: &'static str, value: &str, expected: &'static str) -> Self {
        let mut value = value.to_owned();
        if value.len() > 80 {
            let cut = (0..=80)
                .rev()
                .find(|&i| value.is_char_boundary(i))
                .unwrap_or(0);
            value.truncate(cut);
            value.push('…');
        }
        Self {
            what,
            value,
            expected,
        }
    }
}

//! The one filter every list of recommendations takes: `stats`, `list`, `export`, and later
//! the search, the API and the pages. It becomes a SQL condition over `recommendations r`
//! joined to `reviews v`, with bound values only.

use hrtrack_domain::{Cycle, Mechanism, Position, RegionalGroup, SdgGoal, Session};
use serde::{Deserialize, Serialize};
use sqlx::Any;
use sqlx::any::AnyArguments;
use sqlx::query::Query;

use crate::StoreError;
use crate::countries::CountryIndex;

/// Which recommendations to count, list or export. Empty means all.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RecommendationFilter {
    /// The stable id, e.g. `SVN-UPR4-140.7`.
    pub uid: Option<String>,
    /// The paragraph reference, e.g. `140.7`.
    pub paragraph: Option<String>,
    /// State under review: a name in any UN spelling, or an ISO 3166 alpha-3 code.
    pub state: Option<String>,
    pub mechanism: Option<Mechanism>,
    pub cycle: Option<Cycle>,
    pub session: Option<Session>,
    /// A recommending State (name or ISO code).
    pub recommending_state: Option<String>,
    /// The regional group of a recommending State.
    pub regional_group: Option<RegionalGroup>,
    pub position: Option<Position>,
    /// A UHRI theme or a UPR Info issue, as stored.
    pub theme: Option<String>,
    pub affected_person: Option<String>,
    pub sdg_goal: Option<SdgGoal>,
    /// Words the text must contain (case-insensitive substring).
    pub text: Option<String>,
}

/// A value bound to a placeholder of the filter's SQL.
#[derive(Debug, Clone)]
pub(crate) enum Bound {
    Int(i64),
    Text(String),
}

/// The filter as SQL: `condition` holds `$1…$n`, `values` their values in order.
#[derive(Debug, Clone)]
pub(crate) struct FilterSql {
    pub condition: String,
    /// The condition over `reviews v` alone, when the filter names nothing but the review
    /// (State, mechanism, cycle, session): then whole reviews are selected.
    pub review_condition: Option<String>,
    pub values: Vec<Bound>,
}

impl FilterSql {
    /// The ids of the matching recommendations, as a subquery.
    pub fn id_subquery(&self) -> String {
        format!(
            "SELECT r.id FROM recommendations r JOIN reviews v ON v.id = r.review_id WHERE {}",
            self.condition
        )
    }

    pub fn bind_all<'q>(
        &self,
        mut query: Query<'q, Any, AnyArguments>,
    ) -> Query<'q, Any, AnyArguments> {
        for value in &self.values {
            query = match value {
                Bound::Int(n) => query.bind(*n),
                Bound::Text(t) => query.bind(t.clone()),
            };
        }
        query
    }
}

impl RecommendationFilter {
    pub(crate) fn to_sql(&self, countries: &CountryIndex) -> Result<FilterSql, StoreError> {
        let mut parts: Vec<String> = vec!["r.superseded = 0".to_owned()];
        let mut review_parts: Vec<String> = vec!["1 = 1".to_owned()];
        let mut values = Vec::new();
        let mut push = |sql: &str, value: Bound| {
            values.push(value);
            let part = sql.replace("$?", &format!("${}", values.len()));
            if part.starts_with("v.") {
                review_parts.push(part.clone());
            }
            parts.push(part);
        };
        if let Some(uid) = &self.uid {
            push("r.uid = $?", Bound::Text(uid.clone()));
        }
        if let Some(paragraph) = &self.paragraph {
            push("r.paragraph = $?", Bound::Text(paragraph.clone()));
        }
        if let Some(state) = &self.state {
            push(
                "v.country_id = $?",
                Bound::Int(countries.require(state)?.id),
            );
        }
        if let Some(mechanism) = self.mechanism {
            push("v.mechanism = $?", Bound::Text(mechanism.code().to_owned()));
        }
        if let Some(cycle) = self.cycle {
            push("v.cycle = $?", Bound::Int(i64::from(cycle.get())));
        }
        if let Some(session) = self.session {
            push("v.session = $?", Bound::Int(i64::from(session.get())));
        }
        if let Some(state) = &self.recommending_state {
            push(
                "r.id IN (SELECT recommendation_id FROM recommendation_states WHERE country_id = $?)",
                Bound::Int(countries.require(state)?.id),
            );
        }
        if let Some(group) = self.regional_group {
            push(
                "r.id IN (SELECT rs.recommendation_id FROM recommendation_states rs \
                 JOIN countries c ON c.id = rs.country_id WHERE c.regional_group = $?)",
                Bound::Text(group.name().to_owned()),
            );
        }
        if let Some(position) = self.position {
            push("r.position = $?", Bound::Text(position.code().to_owned()));
        }
        if let Some(theme) = &self.theme {
            push(
                "r.id IN (SELECT recommendation_id FROM recommendation_tags \
                 WHERE kind IN ('theme', 'upr_issue') AND value = $?)",
                Bound::Text(theme.clone()),
            );
        }
        if let Some(group) = &self.affected_person {
            push(
                "r.id IN (SELECT recommendation_id FROM recommendation_tags \
                 WHERE kind = 'affected_person' AND value = $?)",
                Bound::Text(group.clone()),
            );
        }
        if let Some(goal) = self.sdg_goal {
            push(
                "r.id IN (SELECT recommendation_id FROM recommendation_sdgs WHERE goal = $?)",
                Bound::Int(i64::from(goal.get())),
            );
        }
        if let Some(text) = &self.text {
            let escaped = text
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            push(
                "LOWER(r.text) LIKE $? ESCAPE '\\'",
                Bound::Text(format!("%{escaped}%")),
            );
        }
        let review_only = parts.len() == review_parts.len();
        Ok(FilterSql {
            condition: parts.join(" AND "),
            review_condition: review_only.then(|| review_parts.join(" AND ")),
            values,
        })
    }
}

//! The facets: the same dimensions as [`RecommendationFilter`], stored as tantivy facets
//! `/<kind>/<value>` on every document, counted with each query and used to narrow it.
//!
//! Values are as the store hands them out: State names (under review and recommending),
//! mechanism and position codes, cycle, session and SDG goal numbers, regional group names,
//! themes (UHRI themes and UPR Info issues together, as the filter matches either), affected
//! persons. A recommending State's regional group comes from the store's country table.

use std::collections::{BTreeMap, BTreeSet};

use hrtrack_db::RecommendationFilter;
use hrtrack_db::RecommendationRecord;
use hrtrack_db::countries::CountryIndex;
use serde::Serialize;
use tantivy::collector::FacetCounts;
use tantivy::schema::Facet;

use crate::SearchError;

/// One facet dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FacetKind {
    State,
    Mechanism,
    Cycle,
    Session,
    RecommendingState,
    RegionalGroup,
    Position,
    Theme,
    AffectedPerson,
    SdgGoal,
}

impl FacetKind {
    /// Every dimension, in the order pages show them.
    pub const ALL: [FacetKind; 10] = [
        FacetKind::State,
        FacetKind::Mechanism,
        FacetKind::Cycle,
        FacetKind::Session,
        FacetKind::RecommendingState,
        FacetKind::RegionalGroup,
        FacetKind::Position,
        FacetKind::Theme,
        FacetKind::AffectedPerson,
        FacetKind::SdgGoal,
    ];

    /// The name used in facet paths and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            FacetKind::State => "state",
            FacetKind::Mechanism => "mechanism",
            FacetKind::Cycle => "cycle",
            FacetKind::Session => "session",
            FacetKind::RecommendingState => "recommending_state",
            FacetKind::RegionalGroup => "regional_group",
            FacetKind::Position => "position",
            FacetKind::Theme => "theme",
            FacetKind::AffectedPerson => "affected_person",
            FacetKind::SdgGoal => "sdg_goal",
        }
    }

    /// The root facet of this dimension, `/<name>`.
    fn root(self) -> Facet {
        Facet::from_path([self.name()])
    }

    /// The facet for one value, `/<name>/<value>`.
    pub(crate) fn value(self, value: &str) -> Facet {
        Facet::from_path([self.name(), value])
    }
}

/// The counts of one query: for each dimension, its values with the number of matching
/// recommendations, most frequent first (ties by value).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facets(BTreeMap<FacetKind, Vec<(String, u64)>>);

impl Facets {
    /// The values of one dimension with their counts; empty when none matched.
    pub fn get(&self, kind: FacetKind) -> &[(String, u64)] {
        self.0.get(&kind).map(Vec::as_slice).unwrap_or_default()
    }

    /// The count of one value of a dimension (0 when absent).
    pub fn count(&self, kind: FacetKind, value: &str) -> u64 {
        self.get(kind)
            .iter()
            .find(|(v, _)| v == value)
            .map_or(0, |(_, n)| *n)
    }

    pub(crate) fn from_counts(counts: &FacetCounts) -> Self {
        let mut facets = BTreeMap::new();
        for kind in FacetKind::ALL {
            let mut values: Vec<(String, u64)> = counts
                .get(kind.root())
                .filter_map(|(facet, n)| facet.to_path().last().map(|v| ((*v).to_owned(), n)))
                .collect();
            values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            facets.insert(kind, values);
        }
        Facets(facets)
    }
}

/// Registers every dimension with a facet collector.
pub(crate) fn collector(field_name: &str) -> tantivy::collector::FacetCollector {
    let mut collector = tantivy::collector::FacetCollector::for_field(field_name);
    for kind in FacetKind::ALL {
        collector.add_facet(kind.root());
    }
    collector
}

/// The facets of one recommendation.
pub(crate) fn of_record(record: &RecommendationRecord, countries: &CountryIndex) -> Vec<Facet> {
    let mut facets = vec![
        FacetKind::State.value(&record.state),
        FacetKind::Mechanism.value(&record.mechanism),
        FacetKind::Position.value(&record.position),
    ];
    if let Some(cycle) = record.cycle {
        facets.push(FacetKind::Cycle.value(&cycle.to_string()));
    }
    if let Some(session) = record.session {
        facets.push(FacetKind::Session.value(&session.to_string()));
    }
    let mut groups = BTreeSet::new();
    for state in &record.recommending_states {
        facets.push(FacetKind::RecommendingState.value(state));
        if let Some(group) = countries
            .resolve(state)
            .and_then(|c| c.regional_group.as_deref())
        {
            groups.insert(group);
        }
    }
    facets.extend(
        groups
            .into_iter()
            .map(|g| FacetKind::RegionalGroup.value(g)),
    );
    let themes: BTreeSet<&String> = record.themes.iter().chain(&record.upr_issues).collect();
    facets.extend(themes.into_iter().map(|t| FacetKind::Theme.value(t)));
    let persons: BTreeSet<&String> = record.affected_persons.iter().collect();
    facets.extend(
        persons
            .into_iter()
            .map(|p| FacetKind::AffectedPerson.value(p)),
    );
    let goals: BTreeSet<i64> = record.sdg_goals.iter().copied().collect();
    facets.extend(
        goals
            .into_iter()
            .map(|g| FacetKind::SdgGoal.value(&g.to_string())),
    );
    facets
}

/// The facet values a filter requires (its `uid`, `paragraph` and `text` are not facets and
/// are not handled here). State names resolve through the country table when the index has
/// loaded it; an unknown State is an error, as in the store.
pub(crate) fn required_by(
    filter: &RecommendationFilter,
    countries: Option<&CountryIndex>,
) -> Result<Vec<Facet>, SearchError> {
    let state_name = |given: &str| -> Result<String, SearchError> {
        match countries {
            Some(countries) => countries
                .resolve(given)
                .map(|c| c.name.clone())
                .ok_or_else(|| SearchError::UnknownState(given.to_owned())),
            None => Ok(given.to_owned()),
        }
    };
    let mut facets = Vec::new();
    if let Some(state) = &filter.state {
        facets.push(FacetKind::State.value(&state_name(state)?));
    }
    if let Some(mechanism) = filter.mechanism {
        facets.push(FacetKind::Mechanism.value(mechanism.code()));
    }
    if let Some(cycle) = filter.cycle {
        facets.push(FacetKind::Cycle.value(&cycle.get().to_string()));
    }
    if let Some(session) = filter.session {
        facets.push(FacetKind::Session.value(&session.get().to_string()));
    }
    if let Some(state) = &filter.recommending_state {
        facets.push(FacetKind::RecommendingState.value(&state_name(state)?));
    }
    if let Some(group) = filter.regional_group {
        facets.push(FacetKind::RegionalGroup.value(group.name()));
    }
    if let Some(position) = filter.position {
        facets.push(FacetKind::Position.value(position.code()));
    }
    if let Some(theme) = &filter.theme {
        facets.push(FacetKind::Theme.value(theme));
    }
    if let Some(person) = &filter.affected_person {
        facets.push(FacetKind::AffectedPerson.value(person));
    }
    if let Some(goal) = filter.sdg_goal {
        facets.push(FacetKind::SdgGoal.value(&goal.get().to_string()));
    }
    Ok(facets)
}

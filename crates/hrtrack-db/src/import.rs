//! Writing an [`ImportBatch`] into the store: all of it in one transaction, or nothing.
//!
//! Country names are resolved first; any unknown name stops the import before a row is
//! written, with the list of every unknown name. Each incoming recommendation is then matched
//! to a stored one of the same review, by paragraph reference first and by its text (without
//! the closing list of States, case and punctuation aside) second, so that the OHCHR matrix and
//! the UPR Info export of one review make one set of recommendations, not two.
//!
//! When two sources disagree, the more authoritative format wins the single-valued fields
//! (OHCHR matrix over a ministry table over UPR Info; a later import of the same rank wins,
//! which is how a newer file updates positions); lists (States, themes, SDGs) are replaced by a
//! re-import of the same format and merged across formats.

use std::collections::{BTreeSet, HashMap, HashSet};

use hrtrack_domain::{ImportBatch, NewRecommendation, NewReview, Position, SourceFormat};
use serde::Serialize;
use sqlx::{Any, Row, Transaction};

use crate::clock::now_rfc3339;
use crate::countries::CountryIndex;
use crate::sql::{Col, fingerprint, in_list, insert_json_rows};
use crate::{Backend, Store, StoreError};

/// What one import did, per review and in total.
#[derive(Debug, Clone, Serialize)]
pub struct ImportSummary {
    pub format: &'static str,
    pub source: String,
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Recommendations that an official matrix of the same review holds in its own wording.
    pub superseded: usize,
    pub reviews: Vec<ReviewSummary>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReviewSummary {
    pub state: String,
    pub mechanism: String,
    pub cycle: Option<u8>,
    pub session: Option<u16>,
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub superseded: usize,
}

/// The rank of an official matrix: it defines which recommendations a review has.
const OFFICIAL: u8 = 3;

/// How authoritative a format is for single-valued fields (text, position).
fn rank(format: &str) -> u8 {
    match format {
        "ohchr-matrix" => 3,
        "table" => 2,
        _ => 1,
    }
}

/// The matching key of a recommendation text: without the closing parenthesised list(s) of
/// recommending States, lower-cased, letters and digits only, as a fingerprint.
pub(crate) fn text_key(text: &str) -> String {
    let mut rest = text.trim_end();
    loop {
        let trimmed = rest.trim_end_matches([';', '.', ',', ' ', '\n', '\t', '\u{a0}']);
        match strip_closing_parenthesis(trimmed) {
            Some(before) => rest = before,
            None => {
                rest = trimmed;
                break;
            }
        }
    }
    // Letters and digits only: OHCHR's typeset texts glue words ("toarticle8") that UPR Info
    // spells apart, and write dashes and quotes differently.
    let mut letters = String::with_capacity(rest.len());
    for c in rest.chars() {
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                letters.push(c.to_ascii_lowercase());
            }
        } else if c.is_alphanumeric() {
            letters.extend(c.to_lowercase());
        }
    }
    fingerprint(letters.as_bytes())
}

/// The keys of the parts of a text that joins several States' recommendations into one
/// paragraph, as OHCHR does: "Ensure … (Egypt); continue … (Peru); take … (Azerbaijan)".
pub(crate) fn segment_keys(text: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut start = 0;
    for (i, _) in text.match_indices(");") {
        keys.push(text_key(&text[start..=i]));
        start = i + 2;
    }
    if keys.is_empty() {
        return keys;
    }
    if !text[start..].trim().is_empty() {
        keys.push(text_key(&text[start..]));
    }
    keys
}

/// `"text (A, B (C))"` → `Some("text ")`; `None` when the text does not end in `)`.
fn strip_closing_parenthesis(text: &str) -> Option<&str> {
    if !text.ends_with(')') {
        return None;
    }
    let mut depth = 0usize;
    for (i, c) in text.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(&text[..i]);
                }
            }
            _ => {}
        }
    }
    None
}

/// An incoming recommendation with its countries resolved.
struct Resolved<'a> {
    rec: &'a NewRecommendation,
    states: BTreeSet<i64>,
    text_key: String,
}

/// A stored recommendation of the review being imported.
#[derive(Clone, PartialEq)]
struct Stored {
    id: i64,
    review_id: i64,
    uid: String,
    paragraph: Option<String>,
    text: String,
    text_key: String,
    language: String,
    position: String,
    position_source: Option<String>,
    position_official: bool,
    theme_heading: Option<String>,
    action_category: Option<i64>,
    source_format: String,
    superseded: bool,
    states: BTreeSet<i64>,
    tags: BTreeSet<(String, String)>,
    sdgs: BTreeSet<(i64, String)>,
}

const TAG_THEME: &str = "theme";
const TAG_AFFECTED: &str = "affected_person";
const TAG_UPR_ISSUE: &str = "upr_issue";

impl Store {
    /// Writes `batch` in one transaction. `progress` is called with the number of
    /// recommendations handled so far.
    pub async fn import_batch(
        &self,
        batch: &ImportBatch,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<ImportSummary, StoreError> {
        let countries = CountryIndex::load(self).await?;
        let resolved = resolve_countries(batch, &countries)?;
        self.check_sdg_targets(batch).await?;

        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            // Imports allocate recommendation ids themselves: one import at a time.
            sqlx::query("LOCK TABLE recommendations IN SHARE ROW EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await?;
        }
        let mut next_id: i64 =
            sqlx::query_scalar("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM recommendations")
                .fetch_one(&mut *tx)
                .await?;
        let now = now_rfc3339();
        let mut summary = ImportSummary {
            format: batch.format.code(),
            source: batch.source.clone(),
            added: 0,
            updated: 0,
            unchanged: 0,
            superseded: 0,
            reviews: Vec::new(),
        };
        let mut done = 0u64;
        let mut pending = Pending::default();
        let mut reviews_seen = HashSet::new();
        for (review, (state_id, recs)) in batch.reviews.iter().zip(resolved) {
            let iso3 = countries
                .get(state_id)
                .map_or("XXX", |c| c.iso3.as_str())
                .to_owned();
            let (review_id, is_new) = upsert_review(&mut tx, review, state_id).await?;
            if !reviews_seen.insert(review_id) && !pending.is_empty() {
                // The same review twice in one batch: the second must see the first's rows.
                pending.write(&mut tx, self.backend, &now).await?;
            }
            let stored = if is_new {
                Vec::new()
            } else {
                load_stored(&mut tx, review_id).await?
            };
            let mut writer = ReviewWriter::new(
                batch.format,
                review_id,
                format!(
                    "{iso3}-{}{}",
                    review.mechanism.code(),
                    review.cycle.map_or(String::new(), |c| c.to_string())
                ),
                stored,
            );
            for incoming in &recs {
                writer.place(incoming, &mut next_id)?;
            }
            let counts = writer.finish();
            writer.into_pending(&mut pending, &countries);
            if pending.inserts.len() + pending.updates.len() >= PENDING_LIMIT {
                pending.write(&mut tx, self.backend, &now).await?;
            }
            let review_summary = ReviewSummary {
                state: countries
                    .get(state_id)
                    .map_or_else(|| review.state.clone(), |c| c.name.clone()),
                mechanism: review.mechanism.code().to_owned(),
                cycle: review.cycle.map(|c| c.get()),
                session: review.session.map(|s| s.get()),
                added: counts.added,
                updated: counts.updated,
                unchanged: counts.unchanged,
                superseded: counts.superseded,
            };
            summary.added += review_summary.added;
            summary.updated += review_summary.updated;
            summary.unchanged += review_summary.unchanged;
            summary.superseded += review_summary.superseded;
            summary.reviews.push(review_summary);
            done += recs.len() as u64;
            progress(done);
        }
        pending.write(&mut tx, self.backend, &now).await?;
        let run: i64 = sqlx::query_scalar(
            "INSERT INTO import_runs (format, source, imported_at, added, updated, unchanged) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(batch.format.code())
        .bind(&batch.source)
        .bind(&now)
        .bind(summary.added as i64)
        .bind(summary.updated as i64)
        .bind(summary.unchanged as i64)
        .fetch_one(&mut *tx)
        .await?;
        // Cached statistics are valid for one data version (see stats.rs).
        sqlx::query(
            "INSERT INTO meta (key, value) VALUES ('data_version', $1) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(format!("import-{run}"))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// Every SDG target a batch names must exist in the bundled framework.
    async fn check_sdg_targets(&self, batch: &ImportBatch) -> Result<(), StoreError> {
        let known: HashSet<String> = sqlx::query_scalar("SELECT code FROM sdg_targets")
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .collect();
        for rec in batch.reviews.iter().flat_map(|r| &r.recommendations) {
            if let Some(target) = rec.sdg_targets.iter().find(|t| !known.contains(&t.code())) {
                return Err(StoreError::Conflict(format!(
                    "{}: {}: SDG target {target} does not exist in the SDG framework; nothing imported",
                    batch.source, rec.origin
                )));
            }
        }
        Ok(())
    }
}

type ResolvedReview<'a> = (i64, Vec<Resolved<'a>>);

/// Resolves every name of the batch, or lists every unknown one (with where it first occurs).
fn resolve_countries<'a>(
    batch: &'a ImportBatch,
    countries: &CountryIndex,
) -> Result<Vec<ResolvedReview<'a>>, StoreError> {
    let mut unknown: Vec<(String, String)> = Vec::new();
    let mut seen_unknown = HashSet::new();
    let mut note_unknown = |name: &str, at: &str| {
        if seen_unknown.insert(crate::countries::name_key(name)) {
            unknown.push((name.to_owned(), at.to_owned()));
        }
    };
    let mut out = Vec::with_capacity(batch.reviews.len());
    for review in &batch.reviews {
        let at = review
            .recommendations
            .first()
            .map_or("the review header", |r| r.origin.as_str());
        let state_id = match countries.resolve(&review.state) {
            Some(c) => c.id,
            None => {
                note_unknown(&review.state, &format!("State under review, {at}"));
                0
            }
        };
        let mut recs = Vec::with_capacity(review.recommendations.len());
        for rec in &review.recommendations {
            let mut states = BTreeSet::new();
            for name in &rec.recommending_states {
                match countries.resolve(name) {
                    Some(c) => {
                        states.insert(c.id);
                    }
                    None => note_unknown(name, &rec.origin),
                }
            }
            recs.push(Resolved {
                rec,
                states,
                text_key: text_key(&rec.text),
            });
        }
        out.push((state_id, recs));
    }
    if unknown.is_empty() {
        Ok(out)
    } else {
        Err(StoreError::UnknownCountries {
            file: batch.source.clone(),
            names: unknown,
        })
    }
}

/// Finds the review (State, mechanism, cycle) or creates it; fills in what it lacked.
async fn upsert_review(
    tx: &mut Transaction<'static, Any>,
    review: &NewReview,
    state_id: i64,
) -> Result<(i64, bool), StoreError> {
    let cycle = i64::from(review.cycle.map_or(0, |c| c.get()));
    let session = review.session.map(|s| i64::from(s.get()));
    let existing = sqlx::query(
        "SELECT id, session, review_date, report_symbol FROM reviews \
         WHERE country_id = $1 AND mechanism = $2 AND cycle = $3",
    )
    .bind(state_id)
    .bind(review.mechanism.code())
    .bind(cycle)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = existing else {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO reviews (country_id, mechanism, cycle, session, review_date, report_symbol) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(state_id)
        .bind(review.mechanism.code())
        .bind(cycle)
        .bind(session)
        .bind(review.date.clone())
        .bind(review.report_symbol.clone())
        .fetch_one(&mut **tx)
        .await?;
        return Ok((id, true));
    };
    let id: i64 = row.try_get("id")?;
    let stored_session: Option<i64> = row.try_get("session")?;
    if let (Some(stored), Some(incoming)) = (stored_session, session)
        && stored != incoming
    {
        return Err(StoreError::Conflict(format!(
            "{} {} cycle {cycle} is stored as session {stored}, but the file says session {incoming}; \
             nothing imported (pass --session to correct the file's header)",
            review.state, review.mechanism
        )));
    }
    let date: Option<String> = row.try_get("review_date")?;
    let symbol: Option<String> = row.try_get("report_symbol")?;
    if (stored_session.is_none() && session.is_some())
        || (date.is_none() && review.date.is_some())
        || (symbol.is_none() && review.report_symbol.is_some())
    {
        sqlx::query(
            "UPDATE reviews SET session = COALESCE(session, $1), review_date = COALESCE(review_date, $2), \
             report_symbol = COALESCE(report_symbol, $3) WHERE id = $4",
        )
        .bind(session)
        .bind(review.date.clone())
        .bind(review.report_symbol.clone())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    Ok((id, false))
}

async fn load_stored(
    tx: &mut Transaction<'static, Any>,
    review_id: i64,
) -> Result<Vec<Stored>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, uid, paragraph, text, text_key, language, position, position_source, \
         position_official, theme_heading, action_category, source_format, superseded \
         FROM recommendations WHERE review_id = $1 ORDER BY id",
    )
    .bind(review_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut stored = Vec::with_capacity(rows.len());
    let mut index = HashMap::with_capacity(rows.len());
    for row in rows {
        index.insert(row.try_get::<i64, _>("id")?, stored.len());
        stored.push(Stored {
            id: row.try_get("id")?,
            review_id,
            uid: row.try_get("uid")?,
            paragraph: row.try_get("paragraph")?,
            text: row.try_get("text")?,
            text_key: row.try_get("text_key")?,
            language: row.try_get("language")?,
            position: row.try_get("position")?,
            position_source: row.try_get("position_source")?,
            position_official: row.try_get::<i64, _>("position_official")? != 0,
            theme_heading: row.try_get("theme_heading")?,
            action_category: row.try_get("action_category")?,
            source_format: row.try_get("source_format")?,
            superseded: row.try_get::<i64, _>("superseded")? != 0,
            states: BTreeSet::new(),
            tags: BTreeSet::new(),
            sdgs: BTreeSet::new(),
        });
    }
    let states = sqlx::query_as::<_, (i64, i64)>(
        "SELECT c.recommendation_id, c.country_id FROM recommendation_states c \
         JOIN recommendations r ON r.id = c.recommendation_id WHERE r.review_id = $1",
    )
    .bind(review_id)
    .fetch_all(&mut **tx)
    .await?;
    for (rec, country) in states {
        stored[index[&rec]].states.insert(country);
    }
    let tags = sqlx::query_as::<_, (i64, String, String)>(
        "SELECT c.recommendation_id, c.kind, c.value FROM recommendation_tags c \
         JOIN recommendations r ON r.id = c.recommendation_id WHERE r.review_id = $1",
    )
    .bind(review_id)
    .fetch_all(&mut **tx)
    .await?;
    for (rec, kind, value) in tags {
        stored[index[&rec]].tags.insert((kind, value));
    }
    let sdgs = sqlx::query_as::<_, (i64, i64, String)>(
        "SELECT c.recommendation_id, c.goal, c.target FROM recommendation_sdgs c \
         JOIN recommendations r ON r.id = c.recommendation_id WHERE r.review_id = $1",
    )
    .bind(review_id)
    .fetch_all(&mut **tx)
    .await?;
    for (rec, goal, target) in sdgs {
        stored[index[&rec]].sdgs.insert((goal, target));
    }
    Ok(stored)
}

/// Places the incoming recommendations of one review: new ones, changed ones, unchanged ones.
struct ReviewWriter {
    format: SourceFormat,
    review_id: i64,
    uid_prefix: String,
    /// The review's recommendations as stored, changed in place as rows are merged into them.
    stored: Vec<Stored>,
    /// The same before this import, to tell what changed.
    original: Vec<Stored>,
    /// Segment keys of each stored recommendation (see [`segment_keys`]).
    segments: Vec<Vec<String>>,
    /// Stored recommendations matched by a row of this import.
    matched: BTreeSet<usize>,
    /// Whether the review holds recommendations from an official matrix.
    has_official: bool,
    /// The stable ids taken in the review, stored or new.
    uids: HashSet<String>,
    inserts: Vec<Stored>,
}

/// How one review's recommendations came out of an import.
struct Counts {
    added: usize,
    updated: usize,
    unchanged: usize,
    superseded: usize,
}

impl ReviewWriter {
    fn new(format: SourceFormat, review_id: i64, uid_prefix: String, stored: Vec<Stored>) -> Self {
        let uids = stored.iter().map(|s| s.uid.clone()).collect();
        let segments = stored.iter().map(|s| segment_keys(&s.text)).collect();
        let has_official = stored
            .iter()
            .any(|s| rank(&s.source_format) == OFFICIAL && !s.superseded);
        Self {
            format,
            review_id,
            uid_prefix,
            original: stored.clone(),
            stored,
            segments,
            matched: BTreeSet::new(),
            has_official,
            uids,
            inserts: Vec::new(),
        }
    }

    fn place(&mut self, incoming: &Resolved<'_>, next_id: &mut i64) -> Result<(), StoreError> {
        let fresh = self.fresh(incoming);
        if let Some(paragraph) = &fresh.paragraph
            && let Some(earlier) = self
                .inserts
                .iter()
                .find(|s| s.paragraph.as_ref() == Some(paragraph))
        {
            return Err(StoreError::Conflict(format!(
                "{}: paragraph {paragraph} appears twice in this import (also as {:?}); nothing imported",
                incoming.rec.origin, earlier.uid
            )));
        }
        match self.find(incoming, &fresh) {
            Some(i) => {
                let first = self.matched.insert(i);
                let mut merged = merge(&self.stored[i], fresh, self.format, first);
                merged.superseded = false;
                self.stored[i] = merged;
            }
            None => {
                let mut fresh = fresh;
                *next_id += 1;
                fresh.id = *next_id;
                fresh.superseded = self.has_official && rank(self.format.code()) < OFFICIAL;
                let base = fresh.uid.clone();
                let mut n = 1;
                while self.uids.contains(&fresh.uid) {
                    n += 1;
                    fresh.uid = format!("{base}-{n}");
                }
                self.uids.insert(fresh.uid.clone());
                self.inserts.push(fresh);
            }
        }
        Ok(())
    }

    /// The stored recommendation an incoming one is the same as, if any: same paragraph;
    /// else same text (one not yet matched, preferring one by the same States); else one
    /// part of a joined paragraph, made by one of the same States.
    fn find(&self, incoming: &Resolved<'_>, fresh: &Stored) -> Option<usize> {
        if let Some(paragraph) = &fresh.paragraph
            && let Some(i) = self
                .stored
                .iter()
                .position(|s| s.paragraph.as_ref() == Some(paragraph))
        {
            return Some(i);
        }
        let same_text: Vec<usize> = (0..self.stored.len())
            .filter(|i| {
                let s = &self.stored[*i];
                s.text_key == fresh.text_key
                    && !self.matched.contains(i)
                    && (fresh.paragraph.is_none() || s.paragraph.is_none())
            })
            .collect();
        let by_same_states = |i: &usize| !self.stored[*i].states.is_disjoint(&incoming.states);
        if let Some(i) = same_text
            .iter()
            .copied()
            .find(by_same_states)
            .or_else(|| same_text.first().copied())
        {
            return Some(i);
        }
        let mut candidates = (0..self.stored.len()).filter(by_same_states).peekable();
        candidates.peek()?;
        let fresh_segments = segment_keys(&fresh.text);
        candidates.find(|&i| {
            let s = &self.stored[i];
            (fresh.paragraph.is_none() || s.paragraph.is_none())
                && (self.segments[i].contains(&fresh.text_key)
                    || fresh_segments.contains(&s.text_key))
        })
    }

    /// Marks what this import superseded, and counts.
    fn finish(&mut self) -> Counts {
        let mut superseded = self.inserts.iter().filter(|s| s.superseded).count();
        if rank(self.format.code()) == OFFICIAL {
            for (i, rec) in self.stored.iter_mut().enumerate() {
                if !self.matched.contains(&i)
                    && rank(&rec.source_format) < OFFICIAL
                    && !rec.superseded
                {
                    rec.superseded = true;
                    superseded += 1;
                }
            }
        }
        let changed = (0..self.stored.len()).filter(|&i| self.stored[i] != self.original[i]);
        let updated = changed.filter(|i| self.matched.contains(i)).count();
        Counts {
            added: self.inserts.len() - self.inserts.iter().filter(|s| s.superseded).count(),
            updated,
            unchanged: self.matched.len() - updated,
            superseded,
        }
    }

    /// The incoming recommendation in stored form (id not yet given).
    fn fresh(&self, incoming: &Resolved<'_>) -> Stored {
        let rec = incoming.rec;
        let paragraph = rec.paragraph.as_ref().map(|p| p.as_str().to_owned());
        let uid = match &paragraph {
            Some(p) => format!("{}-{p}", self.uid_prefix),
            None => format!("{}-t{}", self.uid_prefix, &incoming.text_key[..10]),
        };
        let mut tags = BTreeSet::new();
        for (kind, values) in [
            (TAG_THEME, &rec.themes),
            (TAG_AFFECTED, &rec.affected_persons),
            (TAG_UPR_ISSUE, &rec.upr_issues),
        ] {
            for value in values {
                tags.insert((kind.to_owned(), value.trim().to_owned()));
            }
        }
        let mut sdgs: BTreeSet<(i64, String)> = rec
            .sdg_targets
            .iter()
            .map(|t| (i64::from(t.goal().get()), t.code()))
            .collect();
        for goal in &rec.sdg_goals {
            if !sdgs.iter().any(|(g, _)| *g == i64::from(goal.get())) {
                sdgs.insert((i64::from(goal.get()), String::new()));
            }
        }
        Stored {
            id: 0,
            review_id: self.review_id,
            uid,
            paragraph,
            text: rec.text.clone(),
            text_key: incoming.text_key.clone(),
            language: rec.language.clone(),
            position: rec.position.unwrap_or(Position::Pending).code().to_owned(),
            position_source: rec.position_source.clone(),
            position_official: self.format.is_official() && rec.position.is_some(),
            theme_heading: rec.theme_heading.clone(),
            action_category: rec.action_category.map(i64::from),
            source_format: self.format.code().to_owned(),
            superseded: false,
            states: incoming.states.clone(),
            tags,
            sdgs,
        }
    }

    /// Moves what this review's import inserts and changes into `pending`.
    fn into_pending(self, pending: &mut Pending, countries: &CountryIndex) {
        pending.counted_reviews.push(self.review_id);
        let current = self
            .stored
            .iter()
            .chain(&self.inserts)
            .filter(|r| !r.superseded);
        pending
            .counts
            .extend(review_counts(self.review_id, current, countries));
        pending.inserts.extend(self.inserts);
        let changed = self
            .stored
            .into_iter()
            .zip(self.original)
            .filter(|(now, before)| now != before);
        pending.updates.extend(changed.map(|(now, _)| now));
    }
}

/// Recommendations held back before they are written: enough for few, large statements,
/// few enough to keep the memory of a large import flat.
const PENDING_LIMIT: usize = 2048;

/// Ids per `DELETE … WHERE id IN (…)` statement: fixed, so that each size of statement is
/// prepared once or twice per import.
const IDS_PER_DELETE: usize = 256;

/// The writes of an import, made together at its end in few large statements.
#[derive(Default)]
struct Pending {
    inserts: Vec<Stored>,
    updates: Vec<Stored>,
    /// Reviews whose `review_counts` are replaced by `counts`.
    counted_reviews: Vec<i64>,
    counts: Vec<CountRow>,
}

/// One row of `review_counts` (see the migration for what each kind counts).
#[derive(Serialize)]
struct CountRow(i64, &'static str, String, i64, i64);

/// The `review_counts` rows of one review, from its current recommendations.
fn review_counts<'a>(
    review_id: i64,
    recs: impl Iterator<Item = &'a Stored>,
    countries: &CountryIndex,
) -> Vec<CountRow> {
    // (kind, key) -> (recommendations, pairs)
    let mut counts: std::collections::BTreeMap<(&'static str, String), (i64, i64)> =
        Default::default();
    let mut add = |kind: &'static str, key: String, recs: i64, pairs: i64| {
        let entry = counts.entry((kind, key)).or_default();
        entry.0 += recs;
        entry.1 += pairs;
    };
    for rec in recs {
        add("total", String::new(), 1, rec.states.len() as i64);
        add("position", rec.position.clone(), 1, 0);
        let mut groups: std::collections::BTreeMap<String, i64> = Default::default();
        for country in &rec.states {
            add("state", country.to_string(), 1, 1);
            let group = countries
                .get(*country)
                .and_then(|c| c.regional_group.clone());
            *groups
                .entry(group.unwrap_or_else(|| "none".to_owned()))
                .or_default() += 1;
        }
        for (group, pairs) in groups {
            add("group", group, 1, pairs);
        }
        for (kind, value) in &rec.tags {
            let kind = match kind.as_str() {
                TAG_THEME => TAG_THEME,
                TAG_UPR_ISSUE => TAG_UPR_ISSUE,
                _ => TAG_AFFECTED,
            };
            add(kind, value.clone(), 1, 0);
        }
        let goals: BTreeSet<i64> = rec.sdgs.iter().map(|(goal, _)| *goal).collect();
        for goal in goals {
            add("sdg_goal", goal.to_string(), 1, 0);
        }
    }
    counts
        .into_iter()
        .map(|((kind, key), (recs, pairs))| CountRow(review_id, kind, key, recs, pairs))
        .collect()
}

impl Pending {
    fn is_empty(&self) -> bool {
        self.inserts.is_empty() && self.updates.is_empty() && self.counts.is_empty()
    }

    async fn write(
        &mut self,
        tx: &mut Transaction<'static, Any>,
        backend: Backend,
        now: &str,
    ) -> Result<(), StoreError> {
        let inserts = std::mem::take(&mut self.inserts);
        let updates = std::mem::take(&mut self.updates);
        insert_recommendations(tx, backend, now, &inserts).await?;
        for rec in &updates {
            sqlx::query(
                "UPDATE recommendations SET paragraph = $1, text = $2, text_key = $3, language = $4, \
                 position = $5, position_source = $6, position_official = $7, theme_heading = $8, \
                 action_category = $9, source_format = $10, superseded = $11, updated_at = $12 WHERE id = $13",
            )
            .bind(rec.paragraph.clone())
            .bind(rec.text.clone())
            .bind(rec.text_key.clone())
            .bind(rec.language.clone())
            .bind(rec.position.clone())
            .bind(rec.position_source.clone())
            .bind(i64::from(rec.position_official))
            .bind(rec.theme_heading.clone())
            .bind(rec.action_category)
            .bind(rec.source_format.clone())
            .bind(i64::from(rec.superseded))
            .bind(now.to_owned())
            .bind(rec.id)
            .execute(&mut **tx)
            .await?;
        }
        for chunk in updates.chunks(IDS_PER_DELETE) {
            for table in [
                "recommendation_states",
                "recommendation_tags",
                "recommendation_sdgs",
            ] {
                let sql = format!(
                    "DELETE FROM {table} WHERE recommendation_id IN ({})",
                    in_list(backend, chunk.len())
                );
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for rec in chunk {
                    query = query.bind(rec.id);
                }
                query.execute(&mut **tx).await?;
            }
        }
        let all: Vec<&Stored> = inserts.iter().chain(&updates).collect();
        insert_children(tx, backend, &all).await?;

        let reviews = std::mem::take(&mut self.counted_reviews);
        for chunk in reviews.chunks(IDS_PER_DELETE) {
            let sql = format!(
                "DELETE FROM review_counts WHERE review_id IN ({})",
                in_list(backend, chunk.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for review in chunk {
                query = query.bind(*review);
            }
            query.execute(&mut **tx).await?;
        }
        let counts = std::mem::take(&mut self.counts);
        insert_json_rows(
            tx,
            backend,
            "review_counts",
            &[
                ("review_id", Col::Int),
                ("kind", Col::Text),
                ("key", Col::Text),
                ("recommendations", Col::Int),
                ("pairs", Col::Int),
            ],
            &counts,
        )
        .await
    }
}

/// Combines a stored recommendation with the same one read again (see the module doc).
///
/// `first` is false when an earlier row of the same import was already merged into `old`
/// (the parts of a joined paragraph): later rows then only add to it.
fn merge(old: &Stored, new: Stored, format: SourceFormat, first: bool) -> Stored {
    let mut merged = old.clone();
    let same_format = old.source_format == format.code() && first;
    let wins = rank(format.code()) >= rank(&old.source_format) && first;
    if wins {
        merged.text = new.text;
        merged.text_key = new.text_key;
        merged.language = new.language;
        merged.source_format = new.source_format;
        if new.paragraph.is_some() {
            merged.paragraph = new.paragraph;
        }
        if new.theme_heading.is_some() || same_format {
            merged.theme_heading = new.theme_heading;
        }
    } else {
        merged.paragraph = merged.paragraph.or(new.paragraph);
        merged.theme_heading = merged.theme_heading.or(new.theme_heading);
    }
    let has_position = new.position != Position::Pending.code() || new.position_source.is_some();
    if has_position && (wins || old.position == Position::Pending.code()) {
        merged.position = new.position;
        merged.position_source = new.position_source;
        merged.position_official = new.position_official;
    }
    if new.action_category.is_some() && (same_format || old.action_category.is_none()) {
        merged.action_category = new.action_category;
    }
    if same_format {
        merged.states = new.states;
    } else {
        merged.states.extend(new.states);
    }
    let provided: BTreeSet<&str> = match format {
        SourceFormat::OhchrMatrix => [TAG_THEME, TAG_AFFECTED].into(),
        SourceFormat::UprInfo => [TAG_UPR_ISSUE].into(),
        SourceFormat::Table => new.tags.iter().map(|(k, _)| k.as_str()).collect(),
    };
    merged
        .tags
        .retain(|(kind, _)| !provided.contains(kind.as_str()));
    merged.tags.extend(new.tags);
    if format == SourceFormat::OhchrMatrix
        || (format == SourceFormat::Table && !new.sdgs.is_empty())
    {
        merged.sdgs = new.sdgs;
    } else {
        merged.sdgs.extend(new.sdgs);
    }
    merged
}

async fn insert_recommendations(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    now: &str,
    recs: &[Stored],
) -> Result<(), StoreError> {
    let rows: Vec<_> = recs
        .iter()
        .map(|r| {
            (
                r.id,
                &r.uid,
                r.review_id,
                &r.paragraph,
                &r.text,
                &r.text_key,
                &r.language,
                &r.position,
                &r.position_source,
                i64::from(r.position_official),
                &r.theme_heading,
                r.action_category,
                &r.source_format,
                i64::from(r.superseded),
                now,
                now,
            )
        })
        .collect();
    insert_json_rows(
        tx,
        backend,
        "recommendations",
        &[
            ("id", Col::Int),
            ("uid", Col::Text),
            ("review_id", Col::Int),
            ("paragraph", Col::Text),
            ("text", Col::Text),
            ("text_key", Col::Text),
            ("language", Col::Text),
            ("position", Col::Text),
            ("position_source", Col::Text),
            ("position_official", Col::Int),
            ("theme_heading", Col::Text),
            ("action_category", Col::Int),
            ("source_format", Col::Text),
            ("superseded", Col::Int),
            ("created_at", Col::Text),
            ("updated_at", Col::Text),
        ],
        &rows,
    )
    .await
}

/// Inserts the States, tags and SDG links of `recs`.
async fn insert_children(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    recs: &[&Stored],
) -> Result<(), StoreError> {
    let states: Vec<(i64, i64)> = recs
        .iter()
        .flat_map(|r| r.states.iter().map(|c| (r.id, *c)))
        .collect();
    insert_json_rows(
        tx,
        backend,
        "recommendation_states",
        &[("recommendation_id", Col::Int), ("country_id", Col::Int)],
        &states,
    )
    .await?;
    let tags: Vec<(i64, &str, &str)> = recs
        .iter()
        .flat_map(|r| r.tags.iter().map(|(k, v)| (r.id, k.as_str(), v.as_str())))
        .collect();
    insert_json_rows(
        tx,
        backend,
        "recommendation_tags",
        &[
            ("recommendation_id", Col::Int),
            ("kind", Col::Text),
            ("value", Col::Text),
        ],
        &tags,
    )
    .await?;
    let sdgs: Vec<(i64, i64, &str)> = recs
        .iter()
        .flat_map(|r| r.sdgs.iter().map(|(g, t)| (r.id, *g, t.as_str())))
        .collect();
    insert_json_rows(
        tx,
        backend,
        "recommendation_sdgs",
        &[
            ("recommendation_id", Col::Int),
            ("goal", Col::Int),
            ("target", Col::Text),
        ],
        &sdgs,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::text_key;

    #[test]
    fn text_key_ignores_closing_state_lists_and_punctuation() {
        let ohchr =
            "Ratify the Optional Protocol to the Convention against Torture (Denmark) (Estonia);";
        let upr_info = "Ratify the Optional Protocol to the Convention against Torture.";
        assert_eq!(text_key(ohchr), text_key(upr_info));
        assert_eq!(
            text_key("Consider ratifying ICRMW (Iran (Islamic Republic of))"),
            text_key("consider ratifying ICRMW")
        );
        assert_ne!(text_key("Ratify the CRPD"), text_key("Ratify the CED"));
        assert_eq!(text_key("(France)"), text_key(""));
    }
}

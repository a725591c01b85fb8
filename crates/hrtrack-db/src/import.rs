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
//!
//! An import never destroys what it does not carry:
//! - a field the file does not have (a column a table lacks, see [`NewReview::fields`]) is
//!   left as stored; in a table an empty cell is no information either: it clears nothing
//!   (single fields and lists alike);
//! - outside the UPR (one report per cycle), a recommendation's identity includes its
//!   document (report symbol): paragraph 1 of two special-procedure reports of one State are
//!   two recommendations, with stable ids that name the document (`TKM-SP-A.HRC.50.10-1`);
//!   a stored recommendation whose symbol is not known matches by paragraph alone;
//! - a text in another language than the stored original's (the file's `language`) is a
//!   translation: kept beside the original (`recommendation_texts`), which stays verbatim;
//! - an import that adds, updates and supersedes nothing writes nothing, so the data version
//!   (and every page cached under it) stays.
//!
//! [`Store::plan_import`] does all of it in a transaction that it rolls back, and reports
//! every change field by field (a dry run).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use hrtrack_domain::{
    Field, FieldSet, ImportBatch, Mechanism, NewRecommendation, NewReview, Position, SourceFormat,
};
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
    /// True for a dry run ([`Store::plan_import`]): nothing was written.
    pub dry_run: bool,
    pub reviews: Vec<ReviewSummary>,
    /// A dry run's changes, recommendation by recommendation (empty otherwise).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<RecordChange>,
}

/// What an import does to one recommendation (reported by a dry run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordChange {
    pub uid: String,
    /// `added`, `updated`, `superseded` or `unchanged`.
    pub change: &'static str,
    /// For `added`, the fields it gets; for `updated` and `superseded`, what changes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldChange>,
}

/// One field of a recommendation before and after an import, as text (lists joined by ` | `).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub old: String,
    pub new: String,
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
    /// The recommendation's own document (see [`NewRecommendation::report_symbol`]).
    report_symbol: Option<String>,
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
    /// Translations: language → (text, the file it came from).
    texts: BTreeMap<String, (String, String)>,
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
        self.run_import(batch, progress, false).await
    }

    /// What importing `batch` would do, without writing anything: the import runs in a
    /// transaction that is rolled back, and the summary lists every recommendation it would
    /// add, update (field by field), supersede or leave unchanged.
    pub async fn plan_import(
        &self,
        batch: &ImportBatch,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<ImportSummary, StoreError> {
        self.run_import(batch, progress, true).await
    }

    async fn run_import(
        &self,
        batch: &ImportBatch,
        progress: &mut (dyn FnMut(u64) + Send),
        dry_run: bool,
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
            dry_run,
            reviews: Vec::new(),
            changes: Vec::new(),
        };
        let mut done = 0u64;
        let mut pending = Pending::default();
        let mut reviews_seen = HashSet::new();
        // Whether anything is written besides review_counts (which only follow the rest).
        let mut changed = false;
        for (review, (state_id, recs)) in batch.reviews.iter().zip(resolved) {
            let iso3 = countries
                .get(state_id)
                .map_or("XXX", |c| c.iso3.as_str())
                .to_owned();
            let (review_id, is_new, review_changed) =
                upsert_review(&mut tx, review, state_id).await?;
            changed |= review_changed;
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
                batch,
                review,
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
            if dry_run {
                summary.changes.extend(writer.changes(&countries));
            }
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
        changed |= pending.records_written > 0;
        if dry_run || !changed {
            // Nothing to keep: no import run, the data version (and every cached page) stays.
            tx.rollback().await?;
            return Ok(summary);
        }
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
/// Returns its id, whether it is new, and whether anything was written.
async fn upsert_review(
    tx: &mut Transaction<'static, Any>,
    review: &NewReview,
    state_id: i64,
) -> Result<(i64, bool, bool), StoreError> {
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
        return Ok((id, true, true));
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
    let fills = (stored_session.is_none() && session.is_some())
        || (date.is_none() && review.date.is_some())
        || (symbol.is_none() && review.report_symbol.is_some());
    if fills {
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
    Ok((id, false, fills))
}

async fn load_stored(
    tx: &mut Transaction<'static, Any>,
    review_id: i64,
) -> Result<Vec<Stored>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, uid, paragraph, report_symbol, text, text_key, language, position, \
         position_source, position_official, theme_heading, action_category, source_format, \
         superseded FROM recommendations WHERE review_id = $1 ORDER BY id",
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
            report_symbol: row.try_get("report_symbol")?,
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
            texts: BTreeMap::new(),
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
    let texts = sqlx::query_as::<_, (i64, String, String, String)>(
        "SELECT c.recommendation_id, c.language, c.text, c.source FROM recommendation_texts c \
         JOIN recommendations r ON r.id = c.recommendation_id WHERE r.review_id = $1",
    )
    .bind(review_id)
    .fetch_all(&mut **tx)
    .await?;
    for (rec, language, text, source) in texts {
        stored[index[&rec]].texts.insert(language, (text, source));
    }
    Ok(stored)
}

/// Places the incoming recommendations of one review: new ones, changed ones, unchanged ones.
struct ReviewWriter {
    format: SourceFormat,
    /// The fields the file carries (the others stay as stored).
    fields: FieldSet,
    /// The file(s), recorded with the translations they bring.
    source: String,
    /// UPR reviews have one report per cycle: their recommendations are identified by
    /// paragraph alone (and their stable ids name no document).
    upr: bool,
    /// The review's report symbol as the file gives it, for rows that give none.
    review_symbol: Option<String>,
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

/// A report symbol as part of a stable id: its letters and digits, the other characters
/// as single dots (`A/HRC/50/10/Add.1` → `A.HRC.50.10.Add.1`), at most 40 characters.
fn short_symbol(symbol: &str) -> String {
    let short = symbol
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(".");
    // ASCII only: any byte is a character boundary.
    short[..short.len().min(40)]
        .trim_end_matches('.')
        .to_owned()
}

impl ReviewWriter {
    fn new(
        batch: &ImportBatch,
        review: &NewReview,
        review_id: i64,
        uid_prefix: String,
        stored: Vec<Stored>,
    ) -> Self {
        let uids = stored.iter().map(|s| s.uid.clone()).collect();
        let segments = stored.iter().map(|s| segment_keys(&s.text)).collect();
        let has_official = stored
            .iter()
            .any(|s| rank(&s.source_format) == OFFICIAL && !s.superseded);
        let review_symbol = review
            .report_symbol
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        Self {
            format: batch.format,
            fields: review.fields,
            source: batch.source.clone(),
            upr: review.mechanism == Mechanism::Upr,
            review_symbol,
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

    /// Whether two recommendations can be the same one as far as their documents go: always
    /// in a UPR review; elsewhere unless both documents are known and differ.
    fn same_document(&self, a: &Option<String>, b: &Option<String>) -> bool {
        self.upr || a.is_none() || b.is_none() || a == b
    }

    fn place(&mut self, incoming: &Resolved<'_>, next_id: &mut i64) -> Result<(), StoreError> {
        let fresh = self.fresh(incoming);
        if let Some(paragraph) = &fresh.paragraph
            && let Some(earlier) = self.inserts.iter().find(|s| {
                s.paragraph.as_ref() == Some(paragraph)
                    && (self.upr || s.report_symbol == fresh.report_symbol)
            })
        {
            return Err(StoreError::Conflict(format!(
                "{}: paragraph {paragraph} appears twice in this import (also as {:?}); nothing imported",
                incoming.rec.origin, earlier.uid
            )));
        }
        match self.find(incoming, &fresh) {
            Some(i) => {
                let first = self.matched.insert(i);
                let old = &self.stored[i];
                // A text in another language than the original's is a translation: it is
                // kept beside the original, which stays as it is. Only an official matrix
                // over a lower-rank original is itself the original: the text it replaces
                // is then kept as that language's translation.
                let other_language = self.fields.contains(Field::Language)
                    && !fresh.language.is_empty()
                    && fresh.language != old.language;
                let official_over_lower = rank(self.format.code()) == OFFICIAL
                    && rank(&old.source_format) < OFFICIAL
                    && first;
                let translation = other_language && !official_over_lower;
                if other_language && official_over_lower {
                    let demoted = (old.text.clone(), old.source_format.clone());
                    let language = old.language.clone();
                    self.stored[i].texts.entry(language).or_insert(demoted);
                }
                let old = &self.stored[i];
                let mut fresh = fresh;
                let translated = if translation {
                    let text = std::mem::replace(&mut fresh.text, old.text.clone());
                    fresh.text_key = old.text_key.clone();
                    Some((
                        std::mem::replace(&mut fresh.language, old.language.clone()),
                        text,
                    ))
                } else {
                    None
                };
                let mut merged = merge(old, fresh, self.format, first, self.fields);
                if let Some((language, text)) = translated {
                    merged.source_format = old.source_format.clone();
                    if merged.texts.get(&language).is_none_or(|(t, _)| *t != text) {
                        merged.texts.insert(language, (text, self.source.clone()));
                    }
                }
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

    /// The stored recommendation an incoming one is the same as, if any: same paragraph (of
    /// the same document, see [`Self::same_document`]; one of the very document first);
    /// else same text (one not yet matched, preferring one by the same States); else one
    /// part of a joined paragraph, made by one of the same States.
    fn find(&self, incoming: &Resolved<'_>, fresh: &Stored) -> Option<usize> {
        if let Some(paragraph) = &fresh.paragraph {
            let same_paragraph = |s: &Stored| s.paragraph.as_ref() == Some(paragraph);
            let found = self
                .stored
                .iter()
                .position(|s| {
                    same_paragraph(s) && (self.upr || s.report_symbol == fresh.report_symbol)
                })
                .or_else(|| {
                    self.stored.iter().position(|s| {
                        same_paragraph(s)
                            && self.same_document(&s.report_symbol, &fresh.report_symbol)
                    })
                });
            if found.is_some() {
                return found;
            }
        }
        let same_text: Vec<usize> = (0..self.stored.len())
            .filter(|i| {
                let s = &self.stored[*i];
                s.text_key == fresh.text_key
                    && !self.matched.contains(i)
                    && (fresh.paragraph.is_none() || s.paragraph.is_none())
                    && self.same_document(&s.report_symbol, &fresh.report_symbol)
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
                && self.same_document(&s.report_symbol, &fresh.report_symbol)
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

    /// Every recommendation this import adds, updates, supersedes or matches unchanged, with
    /// the fields that change (for a dry run; call after [`Self::finish`]).
    fn changes(&self, countries: &CountryIndex) -> Vec<RecordChange> {
        let empty = Stored {
            id: 0,
            review_id: self.review_id,
            uid: String::new(),
            paragraph: None,
            report_symbol: None,
            text: String::new(),
            text_key: String::new(),
            language: String::new(),
            position: String::new(),
            position_source: None,
            position_official: false,
            theme_heading: None,
            action_category: None,
            source_format: String::new(),
            superseded: false,
            states: BTreeSet::new(),
            tags: BTreeSet::new(),
            sdgs: BTreeSet::new(),
            texts: BTreeMap::new(),
        };
        let mut changes = Vec::new();
        for (i, (now, before)) in self.stored.iter().zip(&self.original).enumerate() {
            let change = if now.superseded && !before.superseded {
                "superseded"
            } else if now != before {
                "updated"
            } else if self.matched.contains(&i) {
                "unchanged"
            } else {
                continue;
            };
            let fields = if change == "unchanged" {
                Vec::new()
            } else {
                field_changes(before, now, countries)
            };
            changes.push(RecordChange {
                uid: now.uid.clone(),
                change,
                fields,
            });
        }
        for rec in &self.inserts {
            changes.push(RecordChange {
                uid: rec.uid.clone(),
                change: if rec.superseded {
                    "superseded"
                } else {
                    "added"
                },
                fields: field_changes(&empty, rec, countries),
            });
        }
        changes
    }

    /// The incoming recommendation in stored form (id not yet given).
    fn fresh(&self, incoming: &Resolved<'_>) -> Stored {
        let rec = incoming.rec;
        let paragraph = rec.paragraph.as_ref().map(|p| p.as_str().to_owned());
        let report_symbol = rec
            .report_symbol
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .or_else(|| {
                // Rows that name their own document are not in the review's by default.
                if self.fields.contains(Field::ReportSymbol) {
                    None
                } else {
                    self.review_symbol.clone()
                }
            });
        // Outside the UPR the document is part of the id (UPR ids stay as published).
        let document = match &report_symbol {
            Some(symbol) if !self.upr => {
                let short = short_symbol(symbol);
                if short.is_empty() {
                    String::new()
                } else {
                    format!("-{short}")
                }
            }
            _ => String::new(),
        };
        let uid = match &paragraph {
            Some(p) => format!("{}{document}-{p}", self.uid_prefix),
            None => format!(
                "{}{document}-t{}",
                self.uid_prefix,
                &incoming.text_key[..10]
            ),
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
            report_symbol,
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
            texts: BTreeMap::new(),
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

/// The fields that differ between two versions of a recommendation, as text.
fn field_changes(before: &Stored, now: &Stored, countries: &CountryIndex) -> Vec<FieldChange> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let states = |r: &Stored| {
        let mut names: Vec<String> = r
            .states
            .iter()
            .map(|id| {
                countries
                    .get(*id)
                    .map_or_else(|| id.to_string(), |c| c.name.clone())
            })
            .collect();
        names.sort();
        names.join(" | ")
    };
    let tags = |r: &Stored, kind: &str| {
        r.tags
            .iter()
            .filter(|(k, _)| k == kind)
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let sdgs = |r: &Stored| {
        r.sdgs
            .iter()
            .map(|(goal, target)| {
                if target.is_empty() {
                    goal.to_string()
                } else {
                    target.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let mut fields: Vec<(String, String, String)> = vec![
        (
            "paragraph".into(),
            opt(&before.paragraph),
            opt(&now.paragraph),
        ),
        (
            "report_symbol".into(),
            opt(&before.report_symbol),
            opt(&now.report_symbol),
        ),
        ("text".into(), before.text.clone(), now.text.clone()),
        (
            "language".into(),
            before.language.clone(),
            now.language.clone(),
        ),
        (
            "position".into(),
            before.position.clone(),
            now.position.clone(),
        ),
        (
            "position_source".into(),
            opt(&before.position_source),
            opt(&now.position_source),
        ),
        ("recommending_states".into(), states(before), states(now)),
        (
            "theme_heading".into(),
            opt(&before.theme_heading),
            opt(&now.theme_heading),
        ),
        (
            "themes".into(),
            tags(before, TAG_THEME),
            tags(now, TAG_THEME),
        ),
        (
            "affected_persons".into(),
            tags(before, TAG_AFFECTED),
            tags(now, TAG_AFFECTED),
        ),
        ("sdgs".into(), sdgs(before), sdgs(now)),
        (
            "action_category".into(),
            before
                .action_category
                .map(|c| c.to_string())
                .unwrap_or_default(),
            now.action_category
                .map(|c| c.to_string())
                .unwrap_or_default(),
        ),
        (
            "upr_issues".into(),
            tags(before, TAG_UPR_ISSUE),
            tags(now, TAG_UPR_ISSUE),
        ),
        (
            "superseded".into(),
            if before.superseded { "yes" } else { "" }.into(),
            if now.superseded { "yes" } else { "" }.into(),
        ),
    ];
    let languages: BTreeSet<&String> = before.texts.keys().chain(now.texts.keys()).collect();
    for language in languages {
        let text = |r: &Stored| {
            r.texts
                .get(language)
                .map(|(t, _)| t.clone())
                .unwrap_or_default()
        };
        fields.push((format!("text ({language})"), text(before), text(now)));
    }
    fields
        .into_iter()
        .filter(|(_, old, new)| old != new)
        .map(|(field, old, new)| FieldChange { field, old, new })
        .collect()
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
    /// Recommendations inserted or updated so far.
    records_written: usize,
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
        self.records_written += inserts.len() + updates.len();
        insert_recommendations(tx, backend, now, &inserts).await?;
        for rec in &updates {
            sqlx::query(
                "UPDATE recommendations SET paragraph = $1, text = $2, text_key = $3, language = $4, \
                 position = $5, position_source = $6, position_official = $7, theme_heading = $8, \
                 action_category = $9, source_format = $10, superseded = $11, updated_at = $12, \
                 report_symbol = $14 WHERE id = $13",
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
            .bind(rec.report_symbol.clone())
            .execute(&mut **tx)
            .await?;
        }
        for chunk in updates.chunks(IDS_PER_DELETE) {
            for table in [
                "recommendation_states",
                "recommendation_tags",
                "recommendation_sdgs",
                "recommendation_texts",
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
/// (the parts of a joined paragraph): later rows then only add to it. `fields` are the
/// fields the file carries: the others stay as stored. A table's empty cell keeps what is
/// stored too (a table cannot clear a field); the other formats give complete records of
/// what they carry, so their empty lists replace lists of the same format.
fn merge(old: &Stored, new: Stored, format: SourceFormat, first: bool, fields: FieldSet) -> Stored {
    let carries = |field: Field| fields.contains(field);
    let partial = format == SourceFormat::Table;
    let mut merged = old.clone();
    let same_format = old.source_format == format.code() && first;
    let wins = rank(format.code()) >= rank(&old.source_format) && first;
    if wins {
        merged.text = new.text;
        merged.text_key = new.text_key;
        if carries(Field::Language) && !new.language.is_empty() {
            merged.language = new.language;
        }
        merged.source_format = new.source_format;
        if new.paragraph.is_some() {
            merged.paragraph = new.paragraph;
        }
        if carries(Field::ThemeHeading)
            && (new.theme_heading.is_some() || (same_format && !partial))
        {
            merged.theme_heading = new.theme_heading;
        }
        if new.report_symbol.is_some() {
            merged.report_symbol = new.report_symbol;
        }
    } else {
        merged.paragraph = merged.paragraph.or(new.paragraph);
        if carries(Field::ThemeHeading) {
            merged.theme_heading = merged.theme_heading.or(new.theme_heading);
        }
        merged.report_symbol = merged.report_symbol.or(new.report_symbol);
    }
    let has_source = carries(Field::PositionSource) && new.position_source.is_some();
    let has_position =
        carries(Field::Position) && (new.position != Position::Pending.code() || has_source);
    if has_position && (wins || old.position == Position::Pending.code()) {
        merged.position = new.position;
        merged.position_official = new.position_official;
        if carries(Field::PositionSource) && (has_source || !partial) {
            merged.position_source = new.position_source;
        }
    } else if has_source && !carries(Field::Position) && (wins || old.position_source.is_none()) {
        merged.position_source = new.position_source;
    }
    if carries(Field::ActionCategory)
        && new.action_category.is_some()
        && (same_format || old.action_category.is_none())
    {
        merged.action_category = new.action_category;
    }
    if carries(Field::RecommendingStates) {
        if same_format && !(partial && new.states.is_empty()) {
            merged.states = new.states;
        } else {
            merged.states.extend(new.states);
        }
    }
    let provided: BTreeSet<&str> = [
        (Field::Themes, TAG_THEME),
        (Field::AffectedPersons, TAG_AFFECTED),
        (Field::UprIssues, TAG_UPR_ISSUE),
    ]
    .into_iter()
    .filter(|(field, kind)| {
        first && carries(*field) && (!partial || new.tags.iter().any(|(k, _)| k == kind))
    })
    .map(|(_, kind)| kind)
    .collect();
    merged
        .tags
        .retain(|(kind, _)| !provided.contains(kind.as_str()));
    merged.tags.extend(new.tags);
    if carries(Field::Sdgs) {
        if first
            && (format == SourceFormat::OhchrMatrix
                || (format == SourceFormat::Table && !new.sdgs.is_empty()))
        {
            merged.sdgs = new.sdgs;
        } else {
            merged.sdgs.extend(new.sdgs);
        }
    }
    merged
}

/// A `recommendations` row as [`insert_json_rows`] takes it: its values in the order of the
/// columns of [`insert_recommendations`] (more than serde's tuples go to).
struct RecommendationRow<'a>(&'a Stored, &'a str);

impl Serialize for RecommendationRow<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        let (r, now) = (self.0, self.1);
        let mut row = serializer.serialize_tuple(17)?;
        row.serialize_element(&r.id)?;
        row.serialize_element(&r.uid)?;
        row.serialize_element(&r.review_id)?;
        row.serialize_element(&r.paragraph)?;
        row.serialize_element(&r.report_symbol)?;
        row.serialize_element(&r.text)?;
        row.serialize_element(&r.text_key)?;
        row.serialize_element(&r.language)?;
        row.serialize_element(&r.position)?;
        row.serialize_element(&r.position_source)?;
        row.serialize_element(&i64::from(r.position_official))?;
        row.serialize_element(&r.theme_heading)?;
        row.serialize_element(&r.action_category)?;
        row.serialize_element(&r.source_format)?;
        row.serialize_element(&i64::from(r.superseded))?;
        row.serialize_element(now)?;
        row.serialize_element(now)?;
        row.end()
    }
}

async fn insert_recommendations(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    now: &str,
    recs: &[Stored],
) -> Result<(), StoreError> {
    let rows: Vec<RecommendationRow<'_>> = recs.iter().map(|r| RecommendationRow(r, now)).collect();
    insert_json_rows(
        tx,
        backend,
        "recommendations",
        &[
            ("id", Col::Int),
            ("uid", Col::Text),
            ("review_id", Col::Int),
            ("paragraph", Col::Text),
            ("report_symbol", Col::Text),
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
    .await?;
    let texts: Vec<(i64, &str, &str, &str)> = recs
        .iter()
        .flat_map(|r| {
            r.texts.iter().map(|(language, (text, source))| {
                (r.id, language.as_str(), text.as_str(), source.as_str())
            })
        })
        .collect();
    insert_json_rows(
        tx,
        backend,
        "recommendation_texts",
        &[
            ("recommendation_id", Col::Int),
            ("language", Col::Text),
            ("text", Col::Text),
            ("source", Col::Text),
        ],
        &texts,
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

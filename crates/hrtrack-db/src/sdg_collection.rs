//! The SDG data collection workflow in the store: a data provider's submission of a new
//! version of one indicator's data (kept whole, with its validation report, outside the
//! published tables), the statistician's decision (return with a comment, or approve, now or
//! at an embargo time), publication, and the published versions with "what changed" between
//! any two.
//!
//! Publishing a submission replaces the indicator's published observations by the
//! submission's, in one transaction with the submission's new state, its version row, its
//! audit entry and the messages to the people concerned. The data written before the first
//! version (a command-line import) becomes version 1 when a first submission is published,
//! so that the change it made can be shown too.
//!
//! Nothing here reads or writes a submission's data into `sdg_observations` before it is
//! published: the public pages read only that table.

use std::collections::HashMap;

use hrtrack_domain::{Role, SubmissionStatus};
use hrtrack_sdg::{Codes, Dataset, Observation, RowAction, SdgFormat};
use serde::Serialize;
use serde_json::Value;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::clock::now_rfc3339;
use crate::roadmap::{Actor, Recipients, lock_row, notify, record_audit, stale};
use crate::sdg_data::{dimension_key, write_sdg};
use crate::{Store, StoreError};

/// The longest note or comment accepted.
const MAX_NOTE_CHARS: usize = 4000;

/// What a data provider sends: one indicator's data as read from a file, with the report the
/// validation gave it.
#[derive(Debug, Clone)]
pub struct SubmissionInput {
    /// The published version of the indicator's data the file was validated against (see
    /// [`Store::sdg_latest_version`], read before the published observations); `None`: the
    /// one published when the submission is stored.
    pub base_version: Option<i64>,
    pub indicator: String,
    pub file_name: String,
    pub format: String,
    pub note: String,
    pub observations: Vec<Observation>,
    /// The validation report, as JSON.
    pub report: Value,
    pub errors: usize,
    pub warnings: usize,
    /// The provider's institution, when they have one.
    pub institution_id: Option<i64>,
}

/// A submission without its observations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Submission {
    pub id: i64,
    pub indicator: String,
    pub institution_id: Option<i64>,
    pub submitted_by: i64,
    pub submitted_by_name: String,
    pub submitted_at: String,
    pub status: SubmissionStatus,
    pub file_name: String,
    pub format: String,
    pub note: String,
    pub observations: i64,
    pub errors: i64,
    pub warnings: i64,
    /// The validation report.
    pub report: Value,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<String>,
    pub decision_comment: String,
    /// Approved for publication at this time (RFC 3339, UTC).
    pub publish_at: Option<String>,
    pub published_at: Option<String>,
    /// The version of the indicator's data it became.
    pub published_version: Option<i64>,
    /// The published version of the indicator's data it was checked against when sent (0:
    /// none yet); it is published only over that version. `None` for submissions older than
    /// this rule.
    pub base_version: Option<i64>,
    pub version: i64,
}

/// Which submissions to list.
#[derive(Debug, Clone, Default)]
pub struct SubmissionFilter {
    pub status: Option<SubmissionStatus>,
    pub indicator: Option<String>,
    /// Only those sent by this user.
    pub submitted_by: Option<i64>,
}

/// A statistician's decision on a submitted version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Publish at once (`None` or a time already past) or at the embargo time given
    /// (RFC 3339, e.g. `2026-12-01T09:00:00Z`).
    Approve { publish_at: Option<String> },
    /// Send back to the provider; the comment says why.
    Return { comment: String },
}

/// One published version of an indicator's data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataVersion {
    pub indicator: String,
    pub number: i64,
    /// The submission it came from; `None` for the data imported before the first one.
    pub submission_id: Option<i64>,
    pub published_at: String,
    pub observations: i64,
}

/// An observation whose value or attributes differ between two versions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangedObservation {
    pub before: Observation,
    pub after: Observation,
}

/// What changed from one version (or the published data) to another.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DataChanges {
    pub added: Vec<Observation>,
    pub removed: Vec<Observation>,
    pub changed: Vec<ChangedObservation>,
    pub unchanged: usize,
}

/// The observations of `after` compared with those of `before`, matched by series,
/// dimensions and period.
pub fn compare_observations(before: &[Observation], after: &[Observation]) -> DataChanges {
    fn key(obs: &Observation) -> (String, String, String) {
        (
            obs.series.clone(),
            dimension_key(&obs.dimensions),
            obs.time_period.clone(),
        )
    }
    let old: HashMap<_, &Observation> = before.iter().map(|o| (key(o), o)).collect();
    let mut changes = DataChanges::default();
    let mut seen = std::collections::HashSet::new();
    for obs in after {
        let k = key(obs);
        match old.get(&k) {
            None => changes.added.push(obs.clone()),
            Some(previous) => {
                let same_value = match (previous.value, obs.value) {
                    (Some(a), Some(b)) => a == b || (a - b).abs() <= f64::EPSILON * a.abs(),
                    (None, None) => true,
                    _ => false,
                };
                if same_value && previous.attributes == obs.attributes {
                    changes.unchanged += 1;
                } else {
                    changes.changed.push(ChangedObservation {
                        before: (*previous).clone(),
                        after: obs.clone(),
                    });
                }
            }
        }
        seen.insert(k);
    }
    for obs in before {
        if !seen.contains(&key(obs)) {
            changes.removed.push(obs.clone());
        }
    }
    changes
}

const SUBMISSION_COLUMNS: &str = "s.id, s.indicator, s.institution_id, s.submitted_by, \
    u.display_name AS submitted_by_name, s.submitted_at, s.status, s.file_name, s.format, s.note, \
    s.observation_count, s.errors, s.warnings, s.report, d.display_name AS decided_by_name, \
    s.decided_at, s.decision_comment, s.publish_at, s.published_at, s.published_version, s.base_version, s.version";

const SUBMISSION_FROM: &str = "FROM sdg_submissions s JOIN users u ON u.id = s.submitted_by \
    LEFT JOIN users d ON d.id = s.decided_by";

fn submission_from_row(row: &AnyRow) -> Result<Submission, StoreError> {
    let status: String = row.try_get("status")?;
    let report: String = row.try_get("report")?;
    Ok(Submission {
        id: row.try_get("id")?,
        indicator: row.try_get("indicator")?,
        institution_id: row.try_get("institution_id")?,
        submitted_by: row.try_get("submitted_by")?,
        submitted_by_name: row.try_get("submitted_by_name")?,
        submitted_at: row.try_get("submitted_at")?,
        status: SubmissionStatus::parse(&status)
            .map_err(|e| StoreError::Invalid(format!("stored submission status: {e}")))?,
        file_name: row.try_get("file_name")?,
        format: row.try_get("format")?,
        note: row.try_get("note")?,
        observations: row.try_get("observation_count")?,
        errors: row.try_get("errors")?,
        warnings: row.try_get("warnings")?,
        report: serde_json::from_str(&report).unwrap_or(Value::Null),
        decided_by_name: row.try_get("decided_by_name")?,
        decided_at: row.try_get("decided_at")?,
        decision_comment: row.try_get("decision_comment")?,
        publish_at: row.try_get("publish_at")?,
        published_at: row.try_get("published_at")?,
        published_version: row.try_get("published_version")?,
        base_version: row.try_get("base_version")?,
        version: row.try_get("version")?,
    })
}

/// Whether `code` looks like an SDG indicator code: 3 or 4 dot-separated parts of letters
/// and digits (`5.5.1`, `1.a.2`, national `10.5.1.1`).
fn is_indicator_code(code: &str) -> bool {
    let parts: Vec<&str> = code.split('.').collect();
    (3..=4).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// An RFC 3339 time as stored: `YYYY-MM-DDTHH:MM:SSZ` (UTC). Accepts the form a
/// `datetime-local` field sends (`2026-12-01T09:00`), read as UTC.
pub fn normalise_publish_time(text: &str) -> Result<String, StoreError> {
    let text = text.trim();
    let bad = || {
        StoreError::Invalid(format!(
            "publish_at {text:?} is not a time such as 2026-12-01T09:00:00Z (UTC)"
        ))
    };
    let body = text.strip_suffix('Z').unwrap_or(text);
    let (date, time) = body.split_once('T').ok_or_else(bad)?;
    hrtrack_domain::Date::parse(date).map_err(|_| bad())?;
    let mut parts = time.split(':');
    let hour: u32 = parts.next().and_then(|h| h.parse().ok()).ok_or_else(bad)?;
    let minute: u32 = parts.next().and_then(|m| m.parse().ok()).ok_or_else(bad)?;
    let second: u32 = match parts.next() {
        Some(s) => s.parse().map_err(|_| bad())?,
        None => 0,
    };
    if parts.next().is_some() || hour > 23 || minute > 59 || second > 59 {
        return Err(bad());
    }
    Ok(format!("{date}T{hour:02}:{minute:02}:{second:02}Z"))
}

impl Store {
    /// Records a data provider's submission. Refused when its validation found errors (the
    /// provider sees the report and sends a corrected file), when it holds no observation,
    /// or when the indicator is unknown (neither in the SDG framework nor already with data).
    /// Statisticians get a message.
    pub async fn submit_sdg_data(
        &self,
        actor: &Actor,
        input: SubmissionInput,
    ) -> Result<Submission, StoreError> {
        let indicator = input.indicator.trim().to_owned();
        if !is_indicator_code(&indicator) {
            return Err(StoreError::Invalid(format!(
                "indicator {indicator:?} is not an SDG indicator code such as 5.5.1"
            )));
        }
        if input.errors > 0 {
            return Err(StoreError::Invalid(format!(
                "{}: the validation found {} error(s); correct them and send the file again",
                input.file_name, input.errors
            )));
        }
        if input.observations.is_empty() {
            return Err(StoreError::Invalid(format!(
                "{}: the file holds no observation",
                input.file_name
            )));
        }
        if let Some(other) = input
            .observations
            .iter()
            .filter_map(|o| o.indicator.as_deref())
            .find(|i| *i != indicator)
        {
            return Err(StoreError::Invalid(format!(
                "{}: the file holds data of indicator {other}, not {indicator}",
                input.file_name
            )));
        }
        let note = crate::roadmap::optional("note", &input.note, MAX_NOTE_CHARS)?;
        let user_id = actor
            .user_id
            .ok_or_else(|| StoreError::Invalid("a submission needs a user".into()))?;
        let observations: Vec<Observation> = input
            .observations
            .into_iter()
            .map(|mut o| {
                o.indicator = Some(indicator.clone());
                o.action = RowAction::Information;
                o
            })
            .collect();
        if self.sdg_indicator_title(&indicator, "en").await?.is_none() {
            return Err(StoreError::Invalid(format!(
                "indicator {indicator} is neither in the SDG framework nor in the published data"
            )));
        }
        let mut tx = self.write_tx().await?;
        // The version the caller validated against: the one published now.
        let base_version = match input.base_version {
            Some(version) => version,
            None => latest_version(&mut tx, &indicator).await?,
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO sdg_submissions (indicator, institution_id, submitted_by, submitted_at, \
             status, file_name, format, note, observations, observation_count, report, errors, warnings, \
             base_version) \
             VALUES ($1, $2, $3, $4, 'submitted', $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        )
        .bind(&indicator)
        .bind(input.institution_id)
        .bind(user_id)
        .bind(now_rfc3339())
        .bind(&input.file_name)
        .bind(&input.format)
        .bind(&note)
        .bind(serde_json::to_string(&observations).unwrap_or_default())
        .bind(observations.len() as i64)
        .bind(input.report.to_string())
        .bind(input.errors as i64)
        .bind(input.warnings as i64)
        .bind(base_version)
        .fetch_one(&mut *tx)
        .await?;
        record_audit(
            &mut tx,
            actor,
            "sdg_submission",
            id,
            "submitted",
            &serde_json::json!({
                "indicator": {"new": indicator},
                "file_name": {"new": input.file_name},
                "observations": {"new": observations.len()},
                "warnings": {"new": input.warnings},
            }),
        )
        .await?;
        notify(
            &mut tx,
            Recipients::Role(Role::Statistician, None),
            &format!("SDG data submitted: {indicator}"),
            &format!(
                "{} sent a new version of indicator {indicator} ({} observations, {} warnings) for review.",
                actor.name,
                observations.len(),
                input.warnings
            ),
            &format!("/sdg/submissions/{id}"),
        )
        .await?;
        let submission = load_submission(&mut tx, id).await?;
        tx.commit().await?;
        Ok(submission)
    }

    /// One submission, without its observations.
    pub async fn sdg_submission(&self, id: i64) -> Result<Submission, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_submission(&mut conn, id).await
    }

    /// The observations a submission holds.
    pub async fn sdg_submission_observations(
        &self,
        id: i64,
    ) -> Result<Vec<Observation>, StoreError> {
        let text: Option<String> =
            sqlx::query_scalar("SELECT observations FROM sdg_submissions WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        let text = text.ok_or_else(|| StoreError::NotFound(format!("SDG submission {id}")))?;
        serde_json::from_str(&text)
            .map_err(|e| StoreError::Invalid(format!("stored submission {id}: {e}")))
    }

    /// Submissions, newest first.
    pub async fn sdg_submissions(
        &self,
        filter: &SubmissionFilter,
    ) -> Result<Vec<Submission>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SUBMISSION_COLUMNS} {SUBMISSION_FROM} \
             WHERE ($1 = '' OR s.status = $1) AND ($2 = '' OR s.indicator = $2) \
             AND ($3 = 0 OR s.submitted_by = $3) ORDER BY s.id DESC LIMIT 500"
        )))
        .bind(filter.status.map(|s| s.as_str()).unwrap_or(""))
        .bind(filter.indicator.clone().unwrap_or_default())
        .bind(filter.submitted_by.unwrap_or(0))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(submission_from_row).collect()
    }

    /// A statistician returns or approves a submitted version made from `version`. Approval
    /// without an embargo time, or with one already past, publishes at once.
    pub async fn decide_sdg_submission(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        decision: Decision,
    ) -> Result<Submission, StoreError> {
        let mut tx = self.write_tx().await?;
        lock_row(&mut tx, "sdg_submissions", id).await?;
        let current = load_submission(&mut tx, id).await?;
        if current.version != version {
            return Err(stale("sdg_submission", id, &current));
        }
        if current.status != SubmissionStatus::Submitted {
            return Err(StoreError::WorkflowStep(format!(
                "submission {id} is {}; only a submitted one can be approved or returned",
                current.status
            )));
        }
        let now = now_rfc3339();
        match decision {
            Decision::Return { comment } => {
                let comment = crate::roadmap::required("comment", &comment, MAX_NOTE_CHARS)?;
                record_decision(
                    &mut tx,
                    actor,
                    id,
                    SubmissionStatus::Returned,
                    &comment,
                    None,
                )
                .await?;
                notify(
                    &mut tx,
                    Recipients::User(current.submitted_by),
                    &format!("SDG data returned: {}", current.indicator),
                    &format!(
                        "{} returned your version of indicator {}: {comment}",
                        actor.name, current.indicator
                    ),
                    &format!("/sdg/submissions/{id}"),
                )
                .await?;
            }
            Decision::Approve { publish_at } => {
                let publish_at = publish_at
                    .filter(|t| !t.trim().is_empty())
                    .map(|t| normalise_publish_time(&t))
                    .transpose()?;
                if let Some(published) = overtaken(&mut tx, &current).await? {
                    send_back(&mut tx, actor, &current, published).await?;
                    let submission = load_submission(&mut tx, id).await?;
                    tx.commit().await?;
                    return Ok(submission);
                }
                record_decision(
                    &mut tx,
                    actor,
                    id,
                    SubmissionStatus::Approved,
                    "",
                    publish_at.as_deref(),
                )
                .await?;
                let due = publish_at.as_deref().is_none_or(|at| at <= now.as_str());
                if due {
                    publish(&mut tx, self.backend, actor, &current, &now).await?;
                } else {
                    notify(
                        &mut tx,
                        Recipients::User(current.submitted_by),
                        &format!("SDG data approved: {}", current.indicator),
                        &format!(
                            "{} approved your version of indicator {}; it is published at {}.",
                            actor.name,
                            current.indicator,
                            publish_at.as_deref().unwrap_or("")
                        ),
                        &format!("/sdg/submissions/{id}"),
                    )
                    .await?;
                }
            }
        }
        let submission = load_submission(&mut tx, id).await?;
        tx.commit().await?;
        Ok(submission)
    }

    /// Publishes every approved submission whose embargo time has come (`now`, RFC 3339);
    /// returns their ids. Run by the server every minute.
    pub async fn publish_due_sdg(&self, now: &str) -> Result<Vec<i64>, StoreError> {
        let due: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM sdg_submissions WHERE status = 'approved' AND publish_at <= $1 ORDER BY publish_at, id",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        let mut published = Vec::new();
        for id in due {
            let mut tx = self.write_tx().await?;
            lock_row(&mut tx, "sdg_submissions", id).await?;
            let current = load_submission(&mut tx, id).await?;
            if current.status != SubmissionStatus::Approved {
                continue;
            }
            if let Some(published) = overtaken(&mut tx, &current).await? {
                send_back(&mut tx, &Actor::system("embargo"), &current, published).await?;
                tx.commit().await?;
                continue;
            }
            publish(
                &mut tx,
                self.backend,
                &Actor::system("embargo"),
                &current,
                &now_rfc3339(),
            )
            .await?;
            tx.commit().await?;
            published.push(id);
        }
        Ok(published)
    }

    /// The published versions of an indicator's data, newest first.
    pub async fn sdg_versions(&self, indicator: &str) -> Result<Vec<DataVersion>, StoreError> {
        let rows = sqlx::query(
            "SELECT indicator, number, submission_id, published_at, observation_count FROM sdg_versions \
             WHERE indicator = $1 ORDER BY number DESC",
        )
        .bind(indicator)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(DataVersion {
                    indicator: row.try_get("indicator")?,
                    number: row.try_get("number")?,
                    submission_id: row.try_get("submission_id")?,
                    published_at: row.try_get("published_at")?,
                    observations: row.try_get("observation_count")?,
                })
            })
            .collect()
    }

    /// The observations of one published version.
    pub async fn sdg_version_observations(
        &self,
        indicator: &str,
        number: i64,
    ) -> Result<Vec<Observation>, StoreError> {
        let text: Option<String> = sqlx::query_scalar(
            "SELECT observations FROM sdg_versions WHERE indicator = $1 AND number = $2",
        )
        .bind(indicator)
        .bind(number)
        .fetch_optional(&self.pool)
        .await?;
        let text = text.ok_or_else(|| {
            StoreError::NotFound(format!("version {number} of indicator {indicator}"))
        })?;
        serde_json::from_str(&text)
            .map_err(|e| StoreError::Invalid(format!("stored version {number}: {e}")))
    }

    /// What changed between two published versions of an indicator's data.
    pub async fn sdg_version_changes(
        &self,
        indicator: &str,
        from: i64,
        to: i64,
    ) -> Result<DataChanges, StoreError> {
        let before = self.sdg_version_observations(indicator, from).await?;
        let after = self.sdg_version_observations(indicator, to).await?;
        Ok(compare_observations(&before, &after))
    }

    /// The number of the indicator's latest published version (0: none yet). Read it before
    /// the published observations a submission is validated against, and give it as the
    /// submission's `base_version`.
    pub async fn sdg_latest_version(&self, indicator: &str) -> Result<i64, StoreError> {
        let mut conn = self.pool.acquire().await?;
        latest_version(&mut conn, indicator).await
    }

    /// The published observations of an indicator, as observations.
    pub async fn sdg_published_observations(
        &self,
        indicator: &str,
    ) -> Result<Vec<Observation>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        published_observations(&mut conn, indicator).await
    }
}

/// Writes a statistician's decision on a submitted version, with its audit entry.
async fn record_decision(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    actor: &Actor,
    id: i64,
    status: SubmissionStatus,
    comment: &str,
    publish_at: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE sdg_submissions SET status = $1, decided_by = $2, decided_at = $3, \
         decision_comment = $4, publish_at = $5, version = version + 1 WHERE id = $6",
    )
    .bind(status.as_str())
    .bind(actor.user_id)
    .bind(now_rfc3339())
    .bind(comment)
    .bind(publish_at)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    record_audit(
        tx,
        actor,
        "sdg_submission",
        id,
        status.as_str(),
        &serde_json::json!({
            "status": {"old": "submitted", "new": status},
            "decision_comment": {"new": comment},
            "publish_at": {"new": publish_at},
        }),
    )
    .await
}

/// The number of the indicator's latest published version (0: none yet).
async fn latest_version(
    conn: &mut sqlx::AnyConnection,
    indicator: &str,
) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar(
            "SELECT COALESCE(MAX(number), 0) FROM sdg_versions WHERE indicator = $1",
        )
        .bind(indicator)
        .fetch_one(&mut *conn)
        .await?,
    )
}

/// The version published since `submission` was checked, if one was: publishing it then
/// would put older data over newer. (A submission sent before this rule has no base version
/// and is not checked.)
async fn overtaken(
    conn: &mut sqlx::AnyConnection,
    submission: &Submission,
) -> Result<Option<i64>, StoreError> {
    let Some(base) = submission.base_version else {
        return Ok(None);
    };
    let latest = latest_version(conn, &submission.indicator).await?;
    Ok((latest != base).then_some(latest))
}

/// Sends an overtaken submission back to its provider, unpublished: status returned, with
/// the reason as the decision comment, in the provider's and the statisticians' inboxes.
async fn send_back(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    actor: &Actor,
    submission: &Submission,
    published: i64,
) -> Result<(), StoreError> {
    let indicator = &submission.indicator;
    let base = submission.base_version.unwrap_or_default();
    let reason = format!(
        "Not published: it was checked against version {base} of indicator {indicator}'s data, \
         and version {published} has been published since; publishing it would replace newer \
         data. Send the file again so that it is checked against version {published}."
    );
    sqlx::query(
        "UPDATE sdg_submissions SET status = 'returned', decision_comment = $1, \
         version = version + 1 WHERE id = $2",
    )
    .bind(&reason)
    .bind(submission.id)
    .execute(&mut **tx)
    .await?;
    record_audit(
        tx,
        actor,
        "sdg_submission",
        submission.id,
        "returned",
        &serde_json::json!({
            "status": {"old": submission.status, "new": "returned"},
            "decision_comment": {"new": reason},
        }),
    )
    .await?;
    let subject = format!("SDG data not published: {indicator}");
    let link = format!("/sdg/submissions/{}", submission.id);
    notify(
        tx,
        Recipients::User(submission.submitted_by),
        &subject,
        &reason,
        &link,
    )
    .await?;
    notify(
        tx,
        Recipients::Role(Role::Statistician, None),
        &subject,
        &format!("Submission {} was sent back. {reason}", submission.id),
        &link,
    )
    .await?;
    Ok(())
}

/// Submission `id`, on a pooled connection or inside a transaction.
async fn load_submission(
    conn: &mut sqlx::AnyConnection,
    id: i64,
) -> Result<Submission, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {SUBMISSION_COLUMNS} {SUBMISSION_FROM} WHERE s.id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("SDG submission {id}")))?;
    submission_from_row(&row)
}

async fn published_observations(
    conn: &mut sqlx::AnyConnection,
    indicator: &str,
) -> Result<Vec<Observation>, StoreError> {
    let rows = sqlx::query(
        "SELECT s.series_code, s.dimensions, o.time_period, o.value, o.attributes \
         FROM sdg_series s JOIN sdg_observations o ON o.series_id = s.id \
         WHERE s.indicator = $1 ORDER BY s.series_code, s.dimension_key, o.time_period",
    )
    .bind(indicator)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            let dimensions: String = row.try_get("dimensions")?;
            let attributes: String = row.try_get("attributes")?;
            let mut dimensions: Codes = serde_json::from_str(&dimensions).unwrap_or_default();
            // The unit is part of a stored series' key but an attribute of the observation.
            dimensions.remove("UNIT_MEASURE");
            Ok(Observation {
                series: row.try_get("series_code")?,
                indicator: Some(indicator.to_owned()),
                dimensions,
                time_period: row.try_get("time_period")?,
                value: row.try_get("value")?,
                attributes: serde_json::from_str(&attributes).unwrap_or_default(),
                action: RowAction::Information,
            })
        })
        .collect()
}

/// Makes `submission` the published data of its indicator (see the module doc).
async fn publish(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    backend: crate::Backend,
    actor: &Actor,
    submission: &Submission,
    now: &str,
) -> Result<(), StoreError> {
    let indicator = &submission.indicator;
    let text: String = sqlx::query_scalar("SELECT observations FROM sdg_submissions WHERE id = $1")
        .bind(submission.id)
        .fetch_one(&mut **tx)
        .await?;
    let observations: Vec<Observation> = serde_json::from_str(&text)
        .map_err(|e| StoreError::Invalid(format!("stored submission {}: {e}", submission.id)))?;
    let mut last: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(number), 0) FROM sdg_versions WHERE indicator = $1",
    )
    .bind(indicator)
    .fetch_one(&mut **tx)
    .await?;
    let current = published_observations(tx, indicator).await?;
    if last == 0 && !current.is_empty() {
        // The imported data becomes version 1, so that this change can be shown.
        insert_version(tx, indicator, 1, None, now, &current).await?;
        last = 1;
    }
    let number = last + 1;
    insert_version(
        tx,
        indicator,
        number,
        Some(submission.id),
        now,
        &observations,
    )
    .await?;

    // A version equal to what is stored changes nothing the public sees: nothing is written,
    // so the data version stays and cached public pages stay valid. (Written, it would bump
    // the data version for the submission's dataset row alone.)
    if same_observations(&current, &observations) {
        return finish_publish(tx, actor, submission, now, number).await;
    }
    // Every stored series of the indicator is emptied, then the new version put.
    let stored = sqlx::query("SELECT series_code, dimensions FROM sdg_series WHERE indicator = $1")
        .bind(indicator)
        .fetch_all(&mut **tx)
        .await?;
    let mut rows = Vec::with_capacity(stored.len() + observations.len());
    for row in &stored {
        let dimensions: String = row.try_get("dimensions")?;
        rows.push(Observation {
            series: row.try_get("series_code")?,
            indicator: Some(indicator.clone()),
            dimensions: serde_json::from_str(&dimensions).unwrap_or_default(),
            action: RowAction::Delete,
            ..Observation::default()
        });
    }
    rows.extend(observations);
    let dataset = Dataset {
        source: format!("submission-{}", submission.id),
        format: SdgFormat::SdmxCsv2,
        dataflow: None,
        observations: rows,
        rows: Vec::new(),
        warnings: Vec::new(),
    };
    write_sdg(tx, backend, std::slice::from_ref(&dataset), &mut |_| {}).await?;
    finish_publish(tx, actor, submission, now, number).await
}

/// Whether two sets of observations hold the same keys with the same values and attributes,
/// in any order.
fn same_observations(a: &[Observation], b: &[Observation]) -> bool {
    type Key<'a> = (
        &'a str,
        &'a hrtrack_sdg::Codes,
        &'a str,
        Option<u64>,
        &'a hrtrack_sdg::Codes,
    );
    fn keys(observations: &[Observation]) -> Vec<Key<'_>> {
        let mut keys: Vec<Key<'_>> = observations
            .iter()
            .map(|o| {
                (
                    o.series.as_str(),
                    &o.dimensions,
                    o.time_period.as_str(),
                    o.value.map(f64::to_bits),
                    &o.attributes,
                )
            })
            .collect();
        keys.sort();
        keys
    }
    a.len() == b.len() && keys(a) == keys(b)
}

/// The end of a publication: the submission marked published as version `number`, audited.
async fn finish_publish(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    actor: &Actor,
    submission: &Submission,
    now: &str,
    number: i64,
) -> Result<(), StoreError> {
    let indicator = &submission.indicator;
    sqlx::query(
        "UPDATE sdg_submissions SET status = 'published', published_at = $1, published_version = $2, \
         version = version + 1 WHERE id = $3",
    )
    .bind(now)
    .bind(number)
    .bind(submission.id)
    .execute(&mut **tx)
    .await?;
    record_audit(
        tx,
        actor,
        "sdg_submission",
        submission.id,
        "published",
        &serde_json::json!({"status": {"new": "published"}, "published_version": {"new": number}}),
    )
    .await?;
    notify(
        tx,
        Recipients::User(submission.submitted_by),
        &format!("SDG data published: {indicator}"),
        &format!("Your version of indicator {indicator} is published as version {number}."),
        &format!("/sdg/indicators/{indicator}"),
    )
    .await?;
    Ok(())
}

async fn insert_version(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    indicator: &str,
    number: i64,
    submission_id: Option<i64>,
    now: &str,
    observations: &[Observation],
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sdg_versions (indicator, number, submission_id, published_at, observations, observation_count) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(indicator)
    .bind(number)
    .bind(submission_id)
    .bind(now)
    .bind(serde_json::to_string(observations).unwrap_or_default())
    .bind(observations.len() as i64)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(series: &str, sex: &str, period: &str, value: Option<f64>) -> Observation {
        Observation {
            series: series.into(),
            dimensions: [("SEX".to_owned(), sex.to_owned())].into(),
            time_period: period.into(),
            value,
            ..Observation::default()
        }
    }

    #[test]
    fn changes_between_versions() {
        let before = vec![
            obs("S", "F", "2020", Some(1.0)),
            obs("S", "M", "2020", Some(2.0)),
            obs("S", "F", "2021", None),
        ];
        let after = vec![
            obs("S", "F", "2020", Some(1.0)),
            obs("S", "M", "2020", Some(2.5)),
            obs("S", "F", "2022", Some(3.0)),
        ];
        let changes = compare_observations(&before, &after);
        assert_eq!(changes.unchanged, 1);
        assert_eq!(changes.changed.len(), 1);
        assert_eq!(changes.changed[0].after.value, Some(2.5));
        assert_eq!(changes.added[0].time_period, "2022");
        assert_eq!(changes.removed[0].time_period, "2021");
    }

    #[test]
    fn publish_times() {
        assert_eq!(
            normalise_publish_time("2026-12-01T09:00").unwrap(),
            "2026-12-01T09:00:00Z"
        );
        assert_eq!(
            normalise_publish_time("2026-12-01T09:05:07Z").unwrap(),
            "2026-12-01T09:05:07Z"
        );
        assert!(normalise_publish_time("tomorrow").is_err());
        assert!(normalise_publish_time("2026-12-01T25:00").is_err());
        assert!(
            is_indicator_code("10.5.1.1")
                && !is_indicator_code("5.5")
                && !is_indicator_code("5.5.1;")
        );
    }
}

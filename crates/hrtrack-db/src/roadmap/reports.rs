//! Progress reports: one per action and due date, written by a focal point with a value for
//! each of the action's indicators, evidence (files kept in the database, or links; public or
//! internal) and the comments of a return. The workflow is
//! [`ReportStatus`]'s: draft → submitted → returned | validated → published.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use hrtrack_domain::{Date, ReportStatus};

use super::calendar::action_due_dates;
use super::plan::load_action;
use super::{Actor, Tx, created, diff, lock_row, optional, record_audit, required, stale};
use crate::clock::now_rfc3339;
use crate::sql::in_list;
use crate::{Backend, Store, StoreError};

/// A progress report with everything attached to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgressReport {
    pub id: i64,
    pub action_id: i64,
    pub due_date: Date,
    pub narrative: String,
    pub status: ReportStatus,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub submitted_at: Option<String>,
    pub validated_at: Option<String>,
    pub published_at: Option<String>,
    pub values: Vec<ReportValue>,
    pub comments: Vec<ReportComment>,
    pub evidence: Vec<Evidence>,
    pub archived: bool,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportValue {
    pub indicator_id: i64,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportComment {
    pub id: i64,
    pub author_name: Option<String>,
    pub body: String,
    pub created_at: String,
}

/// One piece of evidence, without its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub id: i64,
    pub report_id: i64,
    pub title: String,
    pub url: Option<String>,
    pub file_name: Option<String>,
    pub media_type: Option<String>,
    pub size: i64,
    pub sha256: Option<String>,
    pub public: bool,
    pub created_at: String,
}

/// An evidence file's metadata and bytes.
#[derive(Debug, Clone)]
pub struct EvidenceFile {
    pub evidence: Evidence,
    pub content: Vec<u8>,
}

/// Evidence to attach: a checked file or a link.
#[derive(Debug, Clone)]
pub enum NewEvidence {
    File {
        title: String,
        file_name: String,
        media_type: String,
        sha256: String,
        content: Vec<u8>,
        public: bool,
    },
    Link {
        title: String,
        url: String,
        public: bool,
    },
}

/// The editable part of a report.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    pub narrative: String,
    pub values: Vec<ReportValue>,
}

/// Which reports to list.
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub action_id: Option<i64>,
    /// Reports on actions this institution leads or supports.
    pub institution_id: Option<i64>,
    pub status: Option<ReportStatus>,
    pub limit: Option<i64>,
}

fn invalid(error: impl ToString) -> StoreError {
    StoreError::Invalid(error.to_string())
}

const REPORT_COLUMNS: &str = "p.id, p.action_id, p.due_date, p.narrative, p.status, p.author_id, \
     u.display_name AS author_name, p.submitted_at, p.validated_at, p.published_at, p.archived, \
     p.version, p.created_at, p.updated_at";

fn report_from_row(row: &AnyRow) -> Result<ProgressReport, StoreError> {
    Ok(ProgressReport {
        id: row.try_get("id")?,
        action_id: row.try_get("action_id")?,
        due_date: Date::parse(&row.try_get::<String, _>("due_date")?).map_err(invalid)?,
        narrative: row.try_get("narrative")?,
        status: ReportStatus::parse(&row.try_get::<String, _>("status")?).map_err(invalid)?,
        author_id: row.try_get("author_id")?,
        author_name: row.try_get("author_name")?,
        submitted_at: row.try_get("submitted_at")?,
        validated_at: row.try_get("validated_at")?,
        published_at: row.try_get("published_at")?,
        values: Vec::new(),
        comments: Vec::new(),
        evidence: Vec::new(),
        archived: row.try_get::<i64, _>("archived")? != 0,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

const EVIDENCE_COLUMNS: &str =
    "id, report_id, title, url, file_name, media_type, size, sha256, public, created_at";

fn evidence_from_row(row: &AnyRow) -> Result<Evidence, StoreError> {
    Ok(Evidence {
        id: row.try_get("id")?,
        report_id: row.try_get("report_id")?,
        title: row.try_get("title")?,
        url: row.try_get("url")?,
        file_name: row.try_get("file_name")?,
        media_type: row.try_get("media_type")?,
        size: row.try_get("size")?,
        sha256: row.try_get("sha256")?,
        public: row.try_get::<i64, _>("public")? != 0,
        created_at: row.try_get("created_at")?,
    })
}

async fn complete_report(
    conn: &mut AnyConnection,
    report: &mut ProgressReport,
) -> Result<(), StoreError> {
    let id = report.id;
    let rows = sqlx::query(
        "SELECT indicator_id, value FROM report_values WHERE report_id = $1 ORDER BY indicator_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    report.values = rows
        .iter()
        .map(|r| {
            Ok(ReportValue {
                indicator_id: r.try_get(0)?,
                value: r.try_get(1)?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    let rows = sqlx::query(
        "SELECT c.id, u.display_name, c.body, c.created_at FROM report_comments c \
         LEFT JOIN users u ON u.id = c.author_id WHERE c.report_id = $1 ORDER BY c.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    report.comments = rows
        .iter()
        .map(|r| {
            Ok(ReportComment {
                id: r.try_get(0)?,
                author_name: r.try_get(1)?,
                body: r.try_get(2)?,
                created_at: r.try_get(3)?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE report_id = $1 AND archived = 0 ORDER BY id"
    )))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    report.evidence = rows
        .iter()
        .map(evidence_from_row)
        .collect::<Result<_, _>>()?;
    Ok(())
}

/// Fills the values, comments and evidence of many reports with three queries per 500
/// reports (instead of three per report).
async fn complete_reports(
    conn: &mut AnyConnection,
    backend: Backend,
    reports: &mut [ProgressReport],
) -> Result<(), StoreError> {
    for chunk in reports.chunks_mut(500) {
        let ids: Vec<i64> = chunk.iter().map(|r| r.id).collect();
        let list = in_list(backend, ids.len());
        let bind_all = |sql: String| {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in &ids {
                query = query.bind(*id);
            }
            query
        };
        let position = |id: i64| ids.iter().position(|&r| r == id);
        let values = bind_all(format!(
            "SELECT report_id, indicator_id, value FROM report_values WHERE report_id IN ({list}) \
             ORDER BY report_id, indicator_id"
        ))
        .fetch_all(&mut *conn)
        .await?;
        for row in values {
            if let Some(i) = position(row.try_get(0)?) {
                chunk[i].values.push(ReportValue {
                    indicator_id: row.try_get(1)?,
                    value: row.try_get(2)?,
                });
            }
        }
        let comments = bind_all(format!(
            "SELECT c.report_id, c.id, u.display_name, c.body, c.created_at FROM report_comments c \
             LEFT JOIN users u ON u.id = c.author_id WHERE c.report_id IN ({list}) ORDER BY c.id"
        ))
        .fetch_all(&mut *conn)
        .await?;
        for row in comments {
            if let Some(i) = position(row.try_get(0)?) {
                chunk[i].comments.push(ReportComment {
                    id: row.try_get(1)?,
                    author_name: row.try_get(2)?,
                    body: row.try_get(3)?,
                    created_at: row.try_get(4)?,
                });
            }
        }
        let evidence = bind_all(format!(
            "SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE report_id IN ({list}) AND archived = 0 ORDER BY id"
        ))
        .fetch_all(&mut *conn)
        .await?;
        for row in evidence {
            let evidence = evidence_from_row(&row)?;
            if let Some(i) = position(evidence.report_id) {
                chunk[i].evidence.push(evidence);
            }
        }
    }
    Ok(())
}

async fn load_report(conn: &mut AnyConnection, id: i64) -> Result<ProgressReport, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {REPORT_COLUMNS} FROM progress_reports p LEFT JOIN users u ON u.id = p.author_id WHERE p.id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("no progress report {id}")))?;
    let mut report = report_from_row(&row)?;
    complete_report(conn, &mut report).await?;
    Ok(report)
}

/// Checks the values against the action's live indicators and writes them.
async fn write_values(
    tx: &mut Tx,
    report: i64,
    action: i64,
    values: &[ReportValue],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM report_values WHERE report_id = $1")
        .bind(report)
        .execute(&mut **tx)
        .await?;
    let mut seen = Vec::new();
    for value in values {
        let text = optional("indicator value", &value.value, 200)?;
        if text.is_empty() {
            continue;
        }
        if seen.contains(&value.indicator_id) {
            return Err(invalid(format!(
                "indicator {} has two values",
                value.indicator_id
            )));
        }
        seen.push(value.indicator_id);
        let owner = sqlx::query("SELECT action_id FROM indicators WHERE id = $1 AND archived = 0")
            .bind(value.indicator_id)
            .fetch_optional(&mut **tx)
            .await?;
        match owner {
            Some(row) if row.try_get::<i64, _>(0)? == action => {}
            _ => {
                return Err(invalid(format!(
                    "indicator {} is not one of action {action}'s",
                    value.indicator_id
                )));
            }
        }
        sqlx::query(
            "INSERT INTO report_values (report_id, indicator_id, value) VALUES ($1, $2, $3)",
        )
        .bind(report)
        .bind(value.indicator_id)
        .bind(&text)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

impl Store {
    /// Starts the report on `action_id` due on `due_date` (one of the action's due dates) as a
    /// draft by `actor`.
    pub async fn create_report(
        &self,
        actor: &Actor,
        action_id: i64,
        due_date: Date,
        input: ReportInput,
    ) -> Result<ProgressReport, StoreError> {
        let narrative = optional("narrative", &input.narrative, 50_000)?;
        let mut tx = self.write_tx().await?;
        let action = load_action(&mut tx, action_id).await?;
        if action.archived {
            return Err(invalid(format!("action {action_id} is archived")));
        }
        let due = action_due_dates(&mut tx, &action).await?;
        if !due.contains(&due_date) {
            let shown: Vec<String> = due.iter().take(12).map(Date::to_string).collect();
            return Err(invalid(format!(
                "{due_date} is not a due date of action {action_id}; its due dates are {}{}",
                shown.join(", "),
                if due.len() > 12 { ", …" } else { "" }
            )));
        }
        let taken =
            sqlx::query("SELECT id FROM progress_reports WHERE action_id = $1 AND due_date = $2")
                .bind(action_id)
                .bind(due_date.to_string())
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(row) = taken {
            let id: i64 = row.try_get(0)?;
            return Err(invalid(format!(
                "action {action_id} already has report {id} for {due_date}"
            )));
        }
        let now = now_rfc3339();
        let id: i64 = sqlx::query(
            "INSERT INTO progress_reports (action_id, due_date, narrative, status, author_id, created_at, updated_at) \
             VALUES ($1, $2, $3, 'draft', $4, $5, $5) RETURNING id",
        )
        .bind(action_id)
        .bind(due_date.to_string())
        .bind(&narrative)
        .bind(actor.user_id)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        write_values(&mut tx, id, action_id, &input.values).await?;
        let report = load_report(&mut tx, id).await?;
        record_audit(
            &mut tx,
            actor,
            "progress_report",
            id,
            "create",
            &created(&report),
        )
        .await?;
        tx.commit().await?;
        Ok(report)
    }

    /// Edits a draft or returned report made from `version`.
    pub async fn update_report(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        input: ReportInput,
    ) -> Result<ProgressReport, StoreError> {
        let narrative = optional("narrative", &input.narrative, 50_000)?;
        let mut tx = self.write_tx().await?;
        lock_row(&mut tx, "progress_reports", id).await?;
        let old = load_report(&mut tx, id).await?;
        if old.version != version {
            return Err(stale("progress_report", id, &old));
        }
        if !old.status.is_editable_by_author() {
            return Err(StoreError::WorkflowStep(format!(
                "report {id} is {}; it can be edited only as a draft or once returned",
                old.status
            )));
        }
        sqlx::query("UPDATE progress_reports SET narrative = $1, version = version + 1, updated_at = $2 WHERE id = $3")
            .bind(&narrative)
            .bind(now_rfc3339())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        write_values(&mut tx, id, old.action_id, &input.values).await?;
        let new = load_report(&mut tx, id).await?;
        record_audit(
            &mut tx,
            actor,
            "progress_report",
            id,
            "update",
            &diff(&old, &new),
        )
        .await?;
        tx.commit().await?;
        Ok(new)
    }

    /// Moves a report made from `version` to `next`. Returning needs a comment, kept with
    /// the report; publishing a report publishes its action too. Returns the report.
    pub async fn transition_report(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        next: ReportStatus,
        comment: Option<&str>,
    ) -> Result<ProgressReport, StoreError> {
        let comment = optional("comment", comment.unwrap_or(""), 10_000)?;
        let mut tx = self.write_tx().await?;
        lock_row(&mut tx, "progress_reports", id).await?;
        let old = load_report(&mut tx, id).await?;
        if old.version != version {
            return Err(stale("progress_report", id, &old));
        }
        if !old.status.can_become(next) {
            return Err(StoreError::WorkflowStep(format!(
                "report {id} is {}; it cannot become {next}",
                old.status
            )));
        }
        if next == ReportStatus::Returned && comment.is_empty() {
            return Err(invalid(
                "say why the report is returned: a comment is required",
            ));
        }
        if next == ReportStatus::Submitted && old.narrative.trim().is_empty() {
            return Err(invalid("write the narrative before submitting the report"));
        }
        let now = now_rfc3339();
        let stamp = match next {
            ReportStatus::Submitted => "submitted_at = $2, ",
            ReportStatus::Validated => "validated_at = $2, ",
            ReportStatus::Published => "published_at = $2, ",
            ReportStatus::Draft | ReportStatus::Returned => "",
        };
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE progress_reports SET status = $1, {stamp}version = version + 1, updated_at = $2 WHERE id = $3"
        )))
        .bind(next.as_str())
        .bind(&now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if !comment.is_empty() {
            sqlx::query("INSERT INTO report_comments (report_id, author_id, body, created_at) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(actor.user_id)
                .bind(&comment)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
        }
        if next == ReportStatus::Published {
            let action = load_action(&mut tx, old.action_id).await?;
            if !action.published {
                sqlx::query("UPDATE actions SET published = 1, version = version + 1, updated_at = $1 WHERE id = $2")
                    .bind(&now)
                    .bind(action.id)
                    .execute(&mut *tx)
                    .await?;
                let changes = serde_json::json!({"published": {"old": false, "new": true}});
                record_audit(&mut tx, actor, "action", action.id, "publish", &changes).await?;
            }
        }
        let new = load_report(&mut tx, id).await?;
        let mut changes = diff(&old, &new);
        if let (serde_json::Value::Object(map), false) = (&mut changes, comment.is_empty()) {
            map.insert("comment".into(), serde_json::json!({"new": comment}));
        }
        record_audit(
            &mut tx,
            actor,
            "progress_report",
            id,
            next.as_str(),
            &changes,
        )
        .await?;
        self.notify_report_step(&mut tx, &new, next).await?;
        tx.commit().await?;
        Ok(new)
    }

    pub async fn report(&self, id: i64) -> Result<ProgressReport, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_report(&mut conn, id).await
    }

    /// Reports by due date (newest first), with their values, comments and evidence.
    pub async fn reports(&self, filter: &ReportFilter) -> Result<Vec<ProgressReport>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let mut conditions = vec!["p.archived = 0".to_owned()];
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        if filter.action_id.is_some() {
            conditions.push(format!("p.action_id = {}", next()));
        }
        if filter.institution_id.is_some() {
            let p = next();
            conditions.push(format!(
                "p.action_id IN (SELECT id FROM actions WHERE lead_institution_id = {p} UNION \
                 SELECT action_id FROM action_institutions WHERE institution_id = {p} AND role = 'supporting')"
            ));
        }
        if filter.status.is_some() {
            conditions.push(format!("p.status = {}", next()));
        }
        let limit = filter
            .limit
            .map(|l| format!(" LIMIT {}", l.clamp(1, 10_000)))
            .unwrap_or_default();
        let sql = format!(
            "SELECT {REPORT_COLUMNS} FROM progress_reports p LEFT JOIN users u ON u.id = p.author_id \
             WHERE {} ORDER BY p.due_date DESC, p.id DESC{limit}",
            conditions.join(" AND ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(id) = filter.action_id {
            query = query.bind(id);
        }
        if let Some(id) = filter.institution_id {
            query = query.bind(id);
        }
        if let Some(status) = filter.status {
            query = query.bind(status.as_str());
        }
        let rows = query.fetch_all(&mut *conn).await?;
        let mut reports = rows
            .iter()
            .map(report_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        complete_reports(&mut conn, self.backend, &mut reports).await?;
        Ok(reports)
    }

    /// How many live reports stand at each step: of the actions `institution_id` leads or
    /// supports, or of all.
    pub async fn report_status_counts(
        &self,
        institution_id: Option<i64>,
    ) -> Result<Vec<(ReportStatus, i64)>, StoreError> {
        let scope = if institution_id.is_some() {
            " AND p.action_id IN (SELECT id FROM actions WHERE lead_institution_id = $1 UNION \
               SELECT action_id FROM action_institutions WHERE institution_id = $1 AND role = 'supporting')"
        } else {
            ""
        };
        let mut query = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT p.status, COUNT(*) FROM progress_reports p WHERE p.archived = 0{scope} GROUP BY p.status"
        )));
        if let Some(id) = institution_id {
            query = query.bind(id);
        }
        let mut counts: Vec<(ReportStatus, i64)> =
            ReportStatus::ALL.iter().map(|s| (*s, 0)).collect();
        for row in query.fetch_all(&self.pool).await? {
            let status = ReportStatus::parse(&row.try_get::<String, _>(0)?).map_err(invalid)?;
            if let Some(entry) = counts.iter_mut().find(|(s, _)| *s == status) {
                entry.1 = row.try_get(1)?;
            }
        }
        Ok(counts)
    }

    /// Attaches evidence to a draft or returned report.
    pub async fn add_evidence(
        &self,
        actor: &Actor,
        report_id: i64,
        evidence: NewEvidence,
    ) -> Result<Evidence, StoreError> {
        let mut tx = self.write_tx().await?;
        let report = load_report(&mut tx, report_id).await?;
        if !report.status.is_editable_by_author() {
            return Err(StoreError::WorkflowStep(format!(
                "report {report_id} is {}; evidence can be added only to a draft or a returned report",
                report.status
            )));
        }
        let now = now_rfc3339();
        let id: i64 = match &evidence {
            NewEvidence::File { title, file_name, media_type, sha256, content, public } => sqlx::query(
                "INSERT INTO evidence (report_id, title, file_name, media_type, size, sha256, content, public, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(report_id)
            .bind(required("evidence title", title, 300)?)
            .bind(file_name)
            .bind(media_type)
            .bind(content.len() as i64)
            .bind(sha256)
            .bind(content.clone())
            .bind(i64::from(*public))
            .bind(actor.user_id)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?,
            NewEvidence::Link { title, url, public } => {
                let url = required("link", url, 2_000)?;
                if !(url.starts_with("https://") || url.starts_with("http://")) || url.contains(char::is_whitespace) {
                    return Err(invalid(format!("link {url:?}: give an http:// or https:// address")));
                }
                sqlx::query(
                    "INSERT INTO evidence (report_id, title, url, public, created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(report_id)
                .bind(required("evidence title", title, 300)?)
                .bind(&url)
                .bind(i64::from(*public))
                .bind(actor.user_id)
                .bind(&now)
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?
            }
        };
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE id = $1"
        )))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let stored = evidence_from_row(&row)?;
        record_audit(&mut tx, actor, "evidence", id, "create", &created(&stored)).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Archives a piece of evidence of a draft or returned report.
    pub async fn archive_evidence(&self, actor: &Actor, id: i64) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query("SELECT p.status FROM evidence e JOIN progress_reports p ON p.id = e.report_id WHERE e.id = $1 AND e.archived = 0")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("no evidence {id}")))?;
        let status = ReportStatus::parse(&row.try_get::<String, _>(0)?).map_err(invalid)?;
        if !status.is_editable_by_author() {
            return Err(StoreError::WorkflowStep(format!(
                "the report is {status}; its evidence is fixed"
            )));
        }
        sqlx::query("UPDATE evidence SET archived = 1 WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let changes = serde_json::json!({"archived": {"old": false, "new": true}});
        record_audit(&mut tx, actor, "evidence", id, "archive", &changes).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A live piece of evidence with its content (empty for links).
    pub async fn evidence_file(&self, id: i64) -> Result<EvidenceFile, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {EVIDENCE_COLUMNS}, content FROM evidence WHERE id = $1 AND archived = 0"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("no evidence {id}")))?;
        Ok(EvidenceFile {
            evidence: evidence_from_row(&row)?,
            content: row
                .try_get::<Option<Vec<u8>>, _>("content")?
                .unwrap_or_default(),
        })
    }

    /// The evidence `id` (not archived) without its content, and how many bytes of content it
    /// stores: what a download needs before it reads the file in parts
    /// ([`Store::evidence_part`]).
    pub async fn evidence_with_length(&self, id: i64) -> Result<(Evidence, i64), StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {EVIDENCE_COLUMNS}, CAST(COALESCE(length(content), 0) AS BIGINT) AS stored \
             FROM evidence WHERE id = $1 AND archived = 0"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("no evidence {id}")))?;
        Ok((evidence_from_row(&row)?, row.try_get("stored")?))
    }

    /// Up to `length` bytes of the stored content of evidence `id`, from byte `offset`
    /// (counted from 0): `substr` on the BLOB (SQLite) or BYTEA (PostgreSQL), so that only
    /// that part leaves the database. Refuses a part of archived or missing evidence, and a
    /// read past the content's end.
    pub async fn evidence_part(
        &self,
        id: i64,
        offset: i64,
        length: i64,
    ) -> Result<Vec<u8>, StoreError> {
        if offset < 0 || length <= 0 {
            return Err(StoreError::Invalid(format!(
                "evidence {id}: no part at offset {offset} of length {length}"
            )));
        }
        let part: Option<Vec<u8>> = sqlx::query_scalar(
            "SELECT substr(content, CAST($2 AS INTEGER), CAST($3 AS INTEGER)) \
             FROM evidence WHERE id = $1 AND archived = 0",
        )
        .bind(id)
        .bind(offset + 1)
        .bind(length)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("no evidence {id}")))?;
        let part = part.unwrap_or_default();
        if part.is_empty() {
            return Err(StoreError::Invalid(format!(
                "evidence {id} has no content at byte {offset}"
            )));
        }
        Ok(part)
    }
}

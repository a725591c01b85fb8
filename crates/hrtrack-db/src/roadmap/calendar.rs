//! The reporting calendar and the inbox: the due dates each action's indicators generate,
//! which reports are due or overdue per institution, the deadlines the UN sets after a review
//! (the UPR mid-term report, a treaty body's follow-up), and the in-app messages that also
//! leave by e-mail when SMTP is configured (an outbox: `mailed_at` marks what was sent).

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use sqlx::{AnyConnection, Row};

use hrtrack_domain::{Date, Frequency, ReportStatus, Role, due_dates};

use super::Tx;
use super::plan::Action;
use super::reports::ProgressReport;
use crate::clock::now_rfc3339;
use crate::{Backend, Store, StoreError};

/// The most overdue reports one reminder lists.
pub const REMINDER_LINES: usize = 20;

/// One report an action owes on one due date, and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueReport {
    pub action_id: i64,
    pub action_title: String,
    pub roadmap_id: i64,
    pub lead_institution_id: i64,
    pub due_date: Date,
    pub report_id: Option<i64>,
    pub report_status: Option<ReportStatus>,
    /// Past its due date and not yet submitted (no report, a draft, or returned).
    pub overdue: bool,
}

impl DueReport {
    /// Whether the focal point still has to act (nothing submitted yet).
    pub fn is_open(&self) -> bool {
        self.report_status
            .is_none_or(ReportStatus::is_editable_by_author)
    }
}

/// A deadline the UN sets after a review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnDeadline {
    pub roadmap_id: i64,
    pub review: String,
    /// `upr_mid_term_report`, `upr_next_review` or `treaty_body_follow_up`.
    pub kind: &'static str,
    pub due_date: Date,
    /// The review's date is known only to the year.
    pub approximate: bool,
}

/// A message in someone's inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InboxMessage {
    pub id: i64,
    pub at: String,
    pub subject: String,
    pub body: String,
    pub link: String,
    pub read: bool,
}

/// Due dates of an action: those of each live indicator's frequency, or yearly when it has
/// none.
pub(crate) fn due_dates_of(
    action_start: Date,
    action_end: Date,
    frequencies: &[Frequency],
) -> Vec<Date> {
    let mut dates = BTreeSet::new();
    if frequencies.is_empty() {
        dates.extend(due_dates(action_start, action_end, Frequency::Yearly));
    }
    for &frequency in frequencies {
        dates.extend(due_dates(action_start, action_end, frequency));
    }
    dates.into_iter().collect()
}

pub(crate) async fn action_due_dates(
    conn: &mut AnyConnection,
    action: &Action,
) -> Result<Vec<Date>, StoreError> {
    let rows = sqlx::query(
        "SELECT DISTINCT frequency FROM indicators WHERE action_id = $1 AND archived = 0",
    )
    .bind(action.id)
    .fetch_all(&mut *conn)
    .await?;
    let mut frequencies = Vec::new();
    for row in rows {
        frequencies.push(
            Frequency::parse(&row.try_get::<String, _>(0)?)
                .map_err(|e| StoreError::Invalid(e.to_string()))?,
        );
    }
    Ok(due_dates_of(
        action.start_date,
        action.end_date,
        &frequencies,
    ))
}

impl Store {
    /// The due dates of one action.
    pub async fn due_dates_of_action(&self, action: &Action) -> Result<Vec<Date>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        action_due_dates(&mut conn, action).await
    }

    /// Reports owed up to `until`, by due date: of the actions `institution_id` leads or
    /// supports, or of every action. Submitted reports are included with their status.
    pub async fn calendar(
        &self,
        institution_id: Option<i64>,
        today: Date,
        until: Date,
    ) -> Result<Vec<DueReport>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        // The institution's actions as a set the indexes of the reports and indicators serve.
        let filter = if institution_id.is_some() {
            " AND a.id IN (SELECT id FROM actions WHERE lead_institution_id = $1 UNION \
               SELECT action_id FROM action_institutions WHERE institution_id = $1 AND role = 'supporting')"
        } else {
            ""
        };
        let mut query = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT a.id, a.title, a.roadmap_id, a.lead_institution_id, a.start_date, a.end_date \
             FROM actions a WHERE a.archived = 0{filter} ORDER BY a.id"
        )));
        if let Some(id) = institution_id {
            query = query.bind(id);
        }
        let actions = query.fetch_all(&mut *conn).await?;
        let mut query = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT DISTINCT i.action_id, i.frequency FROM indicators i JOIN actions a ON a.id = i.action_id \
             WHERE i.archived = 0 AND a.archived = 0{filter}"
        )));
        if let Some(id) = institution_id {
            query = query.bind(id);
        }
        let mut frequencies: HashMap<i64, Vec<Frequency>> = HashMap::new();
        for row in query.fetch_all(&mut *conn).await? {
            let frequency = Frequency::parse(&row.try_get::<String, _>(1)?)
                .map_err(|e| StoreError::Invalid(e.to_string()))?;
            frequencies
                .entry(row.try_get(0)?)
                .or_default()
                .push(frequency);
        }
        // One row per action, its reports packed as `due_date id status;…`: the database
        // driver hands rows over one by one, and an institution's actions hold thousands of
        // reports (measured: 3,283 rows took 10-15 ms through the driver, 50 packed rows 2 ms).
        let packed = match self.backend {
            Backend::Sqlite => "group_concat(p.due_date || ' ' || p.id || ' ' || p.status, ';')",
            Backend::Postgres => "string_agg(p.due_date || ' ' || p.id || ' ' || p.status, ';')",
        };
        let mut query = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT p.action_id, {packed} FROM progress_reports p JOIN actions a ON a.id = p.action_id \
             WHERE p.archived = 0 AND a.archived = 0{filter} GROUP BY p.action_id"
        )));
        if let Some(id) = institution_id {
            query = query.bind(id);
        }
        let mut reports: HashMap<(i64, String), (i64, String)> = HashMap::new();
        for row in query.fetch_all(&mut *conn).await? {
            let action_id: i64 = row.try_get(0)?;
            let packed: String = row.try_get(1)?;
            for report in packed.split(';') {
                let mut parts = report.split(' ');
                if let (Some(due), Some(id), Some(status)) =
                    (parts.next(), parts.next(), parts.next())
                {
                    let id = id
                        .parse()
                        .map_err(|_| StoreError::Invalid(format!("report id {id:?}")))?;
                    reports.insert((action_id, due.to_owned()), (id, status.to_owned()));
                }
            }
        }
        let mut due = Vec::new();
        for row in actions {
            let action_id: i64 = row.try_get(0)?;
            let parse =
                |text: String| Date::parse(&text).map_err(|e| StoreError::Invalid(e.to_string()));
            let start = parse(row.try_get(4)?)?;
            let end = parse(row.try_get(5)?)?;
            let title: String = row.try_get(1)?;
            for date in due_dates_of(
                start,
                end,
                frequencies.get(&action_id).map_or(&[][..], Vec::as_slice),
            ) {
                if date > until {
                    break;
                }
                let report = reports.get(&(action_id, date.to_string()));
                let report_status = match report {
                    Some((_, status)) => Some(
                        ReportStatus::parse(status)
                            .map_err(|e| StoreError::Invalid(e.to_string()))?,
                    ),
                    None => None,
                };
                let entry = DueReport {
                    action_id,
                    action_title: title.clone(),
                    roadmap_id: row.try_get(2)?,
                    lead_institution_id: row.try_get(3)?,
                    due_date: date,
                    report_id: report.map(|(id, _)| *id),
                    report_status,
                    overdue: false,
                };
                let overdue = date < today && entry.is_open();
                due.push(DueReport { overdue, ..entry });
            }
        }
        due.sort_by_key(|d| (d.due_date, d.action_id));
        Ok(due)
    }

    /// The UN deadlines of the live roadmaps tied to a review: for the UPR, the mid-term
    /// report halfway to the next review (27 months after it, the cycle being about 4½
    /// years) and the next review itself; for a treaty body, the follow-up report
    /// `followup_months` after the review.
    pub async fn un_deadlines(&self) -> Result<Vec<UnDeadline>, StoreError> {
        let rows = sqlx::query(
            "SELECT m.id, m.followup_months, c.iso3, v.mechanism, v.cycle, v.review_date FROM roadmaps m \
             JOIN reviews v ON v.id = m.review_id JOIN countries c ON c.id = v.country_id \
             WHERE m.archived = 0 ORDER BY m.id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut deadlines = Vec::new();
        for row in rows {
            let date: Option<String> = row.try_get(5)?;
            let Some(date) = date else { continue };
            let (reviewed, approximate) = match Date::parse(date.get(..10).unwrap_or("")) {
                Ok(date) => (date, false),
                Err(_) => match date
                    .get(..4)
                    .and_then(|y| y.parse::<i32>().ok())
                    .and_then(|y| Date::from_ymd(y, 7, 1))
                {
                    Some(date) => (date, true),
                    None => continue,
                },
            };
            let mechanism: String = row.try_get(3)?;
            let review = format!(
                "{}/{mechanism}/{}",
                row.try_get::<String, _>(2)?,
                row.try_get::<i64, _>(4)?
            );
            let roadmap_id: i64 = row.try_get(0)?;
            let mut push = |kind, months: i64| {
                deadlines.push(UnDeadline {
                    roadmap_id,
                    review: review.clone(),
                    kind,
                    due_date: reviewed.add_months(months as i32),
                    approximate,
                });
            };
            match mechanism.as_str() {
                "UPR" => {
                    push("upr_mid_term_report", 27);
                    push("upr_next_review", 54);
                }
                "SP" | "NATIONAL" => {}
                _ => push("treaty_body_follow_up", row.try_get(1)?),
            }
        }
        deadlines.sort_by_key(|d| d.due_date);
        Ok(deadlines)
    }

    /// A user's messages, newest first.
    pub async fn inbox(&self, user_id: i64, limit: i64) -> Result<Vec<InboxMessage>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, at, subject, body, link, read_at FROM inbox WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(user_id)
        .bind(limit.clamp(1, 1000))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(InboxMessage {
                    id: row.try_get(0)?,
                    at: row.try_get(1)?,
                    subject: row.try_get(2)?,
                    body: row.try_get(3)?,
                    link: row.try_get(4)?,
                    read: row.try_get::<Option<String>, _>(5)?.is_some(),
                })
            })
            .collect()
    }

    pub async fn unread_messages(&self, user_id: i64) -> Result<i64, StoreError> {
        Ok(
            sqlx::query("SELECT COUNT(*) FROM inbox WHERE user_id = $1 AND read_at IS NULL")
                .bind(user_id)
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?,
        )
    }

    /// Marks one of `user_id`'s messages read.
    pub async fn mark_read(&self, user_id: i64, message_id: i64) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE inbox SET read_at = $1 WHERE id = $2 AND user_id = $3 AND read_at IS NULL",
        )
        .bind(now_rfc3339())
        .bind(message_id)
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            let exists = sqlx::query("SELECT 1 FROM inbox WHERE id = $1 AND user_id = $2")
                .bind(message_id)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
            if exists.is_none() {
                return Err(StoreError::NotFound(format!("no message {message_id}")));
            }
        }
        Ok(())
    }

    /// Messages not yet sent by e-mail to users who have an address: (message id, address,
    /// subject, body).
    pub async fn unmailed_messages(
        &self,
        limit: i64,
    ) -> Result<Vec<(i64, String, String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT m.id, u.email, m.subject, m.body FROM inbox m JOIN users u ON u.id = m.user_id \
             WHERE m.mailed_at IS NULL AND u.email <> '' AND u.archived = 0 ORDER BY m.id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get(0)?,
                    row.try_get(1)?,
                    row.try_get(2)?,
                    row.try_get(3)?,
                ))
            })
            .collect()
    }

    pub async fn mark_mailed(&self, message_id: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE inbox SET mailed_at = $1 WHERE id = $2")
            .bind(now_rfc3339())
            .bind(message_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Reminds the focal points of each institution with overdue reports, at most once a
    /// day: one message per focal point listing the institution's overdue reports (the
    /// oldest first, up to [`REMINDER_LINES`] of them, with the count of the rest), in their
    /// inbox and so by e-mail when SMTP is configured. Returns how many messages were written.
    pub async fn remind_overdue(&self, today: Date) -> Result<u64, StoreError> {
        let mut by_institution: std::collections::BTreeMap<i64, Vec<DueReport>> =
            std::collections::BTreeMap::new();
        for due in self.calendar(None, today, today).await? {
            if due.overdue {
                by_institution
                    .entry(due.lead_institution_id)
                    .or_default()
                    .push(due);
            }
        }
        if by_institution.is_empty() {
            return Ok(0);
        }
        let mut tx = self.write_tx().await?;
        let now = now_rfc3339();
        let mut sent = 0;
        for (institution, overdue) in by_institution {
            let subject = format!("Overdue progress reports: {} on {today}", overdue.len());
            let mut body =
                String::from("These progress reports are past their due date and not submitted:\n");
            for due in overdue.iter().take(REMINDER_LINES) {
                body.push_str(&format!(
                    "- {} (action {}): due {}\n",
                    due.action_title, due.action_id, due.due_date
                ));
            }
            if overdue.len() > REMINDER_LINES {
                body.push_str(&format!(
                    "… and {} more: see the calendar.\n",
                    overdue.len() - REMINDER_LINES
                ));
            }
            let done = sqlx::query(
                "INSERT INTO inbox (user_id, at, subject, body, link) \
                 SELECT u.id, $1, $2, $3, $4 FROM users u JOIN user_institutions ui ON ui.user_id = u.id \
                 WHERE ui.institution_id = $5 AND u.role = 'focal_point' AND u.archived = 0 \
                 AND NOT EXISTS (SELECT 1 FROM inbox m WHERE m.user_id = u.id AND m.at >= $6 \
                   AND m.subject LIKE 'Overdue progress reports:%')",
            )
            .bind(&now)
            .bind(&subject)
            .bind(&body)
            .bind(format!("/roadmap/calendar?institution={institution}"))
            .bind(institution)
            .bind(format!("{today}T00:00:00Z"))
            .execute(&mut *tx)
            .await?;
            sent += done.rows_affected();
        }
        tx.commit().await?;
        Ok(sent)
    }

    /// Puts a message in the inbox of every active user with `role` (and, when given,
    /// working for `institution_id`). Returns how many were sent.
    pub async fn notify_role(
        &self,
        role: Role,
        institution_id: Option<i64>,
        subject: &str,
        body: &str,
        link: &str,
    ) -> Result<u64, StoreError> {
        let mut tx = self.write_tx().await?;
        let sent = notify(
            &mut tx,
            Recipients::Role(role, institution_id),
            subject,
            body,
            link,
        )
        .await?;
        tx.commit().await?;
        Ok(sent)
    }

    /// Tells the people concerned that a report moved: coordinators when it is submitted,
    /// its author when it is returned, validated or published.
    pub(crate) async fn notify_report_step(
        &self,
        tx: &mut Tx,
        report: &ProgressReport,
        step: ReportStatus,
    ) -> Result<(), StoreError> {
        let link = format!("/roadmap/reports/{}", report.id);
        let what = format!(
            "progress report {} (action {}, due {})",
            report.id, report.action_id, report.due_date
        );
        match step {
            ReportStatus::Submitted => {
                let body = format!(
                    "{what} was submitted by {} and waits for validation.",
                    report.author_name.as_deref().unwrap_or("a focal point")
                );
                notify(
                    tx,
                    Recipients::Role(Role::Coordinator, None),
                    &format!("Submitted: {what}"),
                    &body,
                    &link,
                )
                .await?;
            }
            ReportStatus::Returned | ReportStatus::Validated | ReportStatus::Published => {
                if let Some(author) = report.author_id {
                    let comment = report
                        .comments
                        .last()
                        .map(|c| format!("\n\nComment: {}", c.body))
                        .unwrap_or_default();
                    let body = format!(
                        "{what} is now {step}.{}",
                        if step == ReportStatus::Returned {
                            comment
                        } else {
                            String::new()
                        }
                    );
                    notify(
                        tx,
                        Recipients::User(author),
                        &format!("{}: {what}", step.as_str().replace('_', " ")),
                        &body,
                        &link,
                    )
                    .await?;
                }
            }
            ReportStatus::Draft => {}
        }
        Ok(())
    }
}

/// Who gets a message: one user, or every active user of a role (of one institution).
pub(crate) enum Recipients {
    User(i64),
    Role(Role, Option<i64>),
}

/// Puts a message in the inbox of the recipients, inside the caller's transaction.
pub(crate) async fn notify(
    tx: &mut Tx,
    to: Recipients,
    subject: &str,
    body: &str,
    link: &str,
) -> Result<u64, StoreError> {
    let now = now_rfc3339();
    let done = match to {
        Recipients::User(id) => sqlx::query(
            "INSERT INTO inbox (user_id, at, subject, body, link) SELECT id, $1, $2, $3, $4 FROM users WHERE id = $5 AND archived = 0",
        )
        .bind(&now)
        .bind(subject)
        .bind(body)
        .bind(link)
        .bind(id)
        .execute(&mut **tx)
        .await?,
        Recipients::Role(role, institution) => {
            let scope = if institution.is_some() {
                " AND id IN (SELECT user_id FROM user_institutions WHERE institution_id = $6)"
            } else {
                ""
            };
            let mut query = sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO inbox (user_id, at, subject, body, link) SELECT id, $1, $2, $3, $4 FROM users \
                 WHERE role = $5 AND archived = 0{scope}"
            )))
            .bind(&now)
            .bind(subject)
            .bind(body)
            .bind(link)
            .bind(role.as_str());
            if let Some(id) = institution {
                query = query.bind(id);
            }
            query.execute(&mut **tx).await?
        }
    };
    Ok(done.rows_affected())
}

//! The Roadmap's storage: people and their access (users, sessions, API tokens, sign-in
//! throttling), institutions, roadmaps with their clusters, actions and indicators, progress
//! reports with values, comments and evidence, implementation assessments and their roll-ups,
//! the reporting calendar, the inbox, and the audit trail.
//!
//! The rules every write follows:
//! - it runs in one transaction (on SQLite `BEGIN IMMEDIATE`, so that two writers queue
//!   instead of failing to upgrade their locks) together with its audit entry: who, when,
//!   what, and each changed field's old and new value ([`audit`]);
//! - an update names the version it was made from; when the record moved on since, nothing is
//!   written and [`StoreError::StaleVersion`] carries the current record;
//! - records are archived, never deleted.
//!
//! Who may do what is decided by the web layer before it calls here; the store checks the
//! data (dates, references, workflow steps) and records the actor it is given.

mod access;
mod assessments;
pub mod audit;
mod calendar;
mod plan;
mod reports;
mod throttle;

use serde::Serialize;
use serde_json::{Map, Value};
use sqlx::{Any, Transaction};

use crate::clock::now_rfc3339;
use crate::{Backend, Store, StoreError};

pub use access::{
    ApiToken, Institution, InstitutionInput, NewUser, SessionRecord, User, UserUpdate,
};
pub use assessments::{Assessment, AssessmentInput, Rollup, RollupDimension, RollupRow};
pub use audit::{AuditEntry, AuditFilter};
pub use calendar::{DueReport, InboxMessage, UnDeadline};
pub(crate) use calendar::{Recipients, notify};
pub use plan::{
    Action, ActionInput, Cluster, ClusterInput, Indicator, IndicatorInput, Roadmap, RoadmapInput,
};
pub use reports::{
    Evidence, EvidenceFile, NewEvidence, ProgressReport, ReportComment, ReportFilter, ReportInput,
    ReportValue,
};
pub use throttle::{
    ALL_NAMES, FREE_ATTEMPTS_PER_CLIENT, FREE_ATTEMPTS_PER_NAME, LoginAttempt, LoginThrottle,
    MAX_WAIT_MS, RESET_MS, wait_after,
};

/// Who makes a change, as the audit trail records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user's id; `None` for the command line's own changes (e.g. the first administrator).
    pub user_id: Option<i64>,
    pub name: String,
}

impl Actor {
    pub fn user(id: i64, name: &str) -> Self {
        Self {
            user_id: Some(id),
            name: name.to_owned(),
        }
    }

    /// A change made outside any account, e.g. `system:cli`.
    pub fn system(name: &str) -> Self {
        Self {
            user_id: None,
            name: format!("system:{name}"),
        }
    }
}

type Tx = Transaction<'static, Any>;

impl Store {
    /// A transaction for a write: `BEGIN IMMEDIATE` on SQLite takes the write lock at once.
    pub(crate) async fn write_tx(&self) -> Result<Tx, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }
}

/// Locks row `id` of `table` for the rest of the transaction, so that a concurrent writer
/// waits and then sees the new version (PostgreSQL; on SQLite `BEGIN IMMEDIATE` already
/// serialises writers).
pub(crate) async fn lock_row(tx: &mut Tx, table: &'static str, id: i64) -> Result<(), StoreError> {
    if tx.backend_name() == "PostgreSQL" {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id FROM {table} WHERE id = $1 FOR UPDATE"
        )))
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The error for a write made from `expected` when the record is at another version.
pub(crate) fn stale(entity: &'static str, id: i64, current: &impl Serialize) -> StoreError {
    StoreError::StaleVersion {
        entity,
        id,
        current: serde_json::to_value(current).unwrap_or(Value::Null),
    }
}

/// Fields left out of audit diffs: they change with every write.
const UNAUDITED: [&str; 3] = ["version", "updated_at", "created_at"];

/// `{field: {"old": …, "new": …}}` for each field that differs between two serialisations.
pub(crate) fn diff(old: &impl Serialize, new: &impl Serialize) -> Value {
    let as_map = |value: Result<Value, serde_json::Error>| match value {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let old = as_map(serde_json::to_value(old));
    let new = as_map(serde_json::to_value(new));
    let mut changes = Map::new();
    for (field, new_value) in &new {
        if UNAUDITED.contains(&field.as_str()) {
            continue;
        }
        let old_value = old.get(field).cloned().unwrap_or(Value::Null);
        if &old_value != new_value {
            changes.insert(
                field.clone(),
                serde_json::json!({"old": old_value, "new": new_value}),
            );
        }
    }
    Value::Object(changes)
}

/// `{field: {"new": …}}` for every field of a new record.
pub(crate) fn created(new: &impl Serialize) -> Value {
    let mut changes = Map::new();
    if let Ok(Value::Object(map)) = serde_json::to_value(new) {
        for (field, value) in map {
            if !UNAUDITED.contains(&field.as_str()) && field != "id" {
                changes.insert(field, serde_json::json!({"new": value}));
            }
        }
    }
    Value::Object(changes)
}

/// Appends one entry to the audit log, inside the caller's transaction; a write to anything
/// the public may see (every entity but users, API tokens
/// and SDG submissions) also bumps the public version
/// (`Store::public_version`), so that cached public pages are rendered anew at once.
pub(crate) async fn record_audit(
    tx: &mut Tx,
    actor: &Actor,
    entity: &str,
    entity_id: impl ToString,
    action: &str,
    changes: &Value,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (at, user_id, user_name, entity, entity_id, action, changes) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(now_rfc3339())
    .bind(actor.user_id)
    .bind(&actor.name)
    .bind(entity)
    .bind(entity_id.to_string())
    .bind(action)
    .bind(changes.to_string())
    .execute(&mut **tx)
    .await?;
    if !PRIVATE_ENTITIES.contains(&entity) {
        crate::changes::bump_public_version(tx).await?;
    }
    Ok(())
}

/// Audited records that no public page shows: their writes leave the public version alone.
/// (An SDG publication that changes the data bumps the data version instead.)
const PRIVATE_ENTITIES: [&str; 3] = ["user", "api_token", "sdg_submission"];

/// Trims a required text field, refusing it when empty or longer than `max` characters.
pub(crate) fn required(field: &str, value: &str, max: usize) -> Result<String, StoreError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(StoreError::Invalid(format!("{field} is required")));
    }
    optional(field, value, max)
}

/// Trims an optional text field, refusing it when longer than `max` characters.
pub(crate) fn optional(field: &str, value: &str, max: usize) -> Result<String, StoreError> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(StoreError::Invalid(format!(
            "{field} is longer than {max} characters"
        )));
    }
    Ok(value.to_owned())
}

//! Reading the audit trail: every change with who, when, what and the old and new values,
//! per record or filtered for the administrator. Entries are written by the change itself,
//! in its transaction (`record_audit`); nothing edits or deletes them (the database refuses).

use serde::Serialize;
use sqlx::Row;

use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub user_id: Option<i64>,
    pub user_name: String,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    /// `{field: {"old": …, "new": …}}`.
    pub changes: serde_json::Value,
}

/// Which entries to read; every field narrows the list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub user_name: Option<String>,
    pub action: Option<String>,
    /// RFC 3339 or a date: entries at or after.
    pub since: Option<String>,
    /// RFC 3339 or a date: entries before.
    pub until: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

impl Store {
    /// Entries matching `filter`, newest first, and how many match in all.
    pub async fn audit_log(
        &self,
        filter: &AuditFilter,
    ) -> Result<(Vec<AuditEntry>, i64), StoreError> {
        let mut conditions = Vec::new();
        let mut values = Vec::new();
        let fields = [
            ("entity = ", &filter.entity),
            ("entity_id = ", &filter.entity_id),
            ("user_name = ", &filter.user_name),
            ("action = ", &filter.action),
            ("at >= ", &filter.since),
            ("at < ", &filter.until),
        ];
        for (condition, value) in fields {
            if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
                values.push(value.to_owned());
                conditions.push(format!("{condition}${}", values.len()));
            }
        }
        let condition = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let mut count = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM audit_log {condition}"
        )));
        for value in &values {
            count = count.bind(value.clone());
        }
        let total: i64 = count.fetch_one(&self.pool).await?.try_get(0)?;
        let mut query = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id, at, user_id, user_name, entity, entity_id, action, changes FROM audit_log {condition} \
             ORDER BY id DESC LIMIT {} OFFSET {}",
            filter.limit.clamp(1, 1000),
            filter.offset.max(0)
        )));
        for value in &values {
            query = query.bind(value.clone());
        }
        let entries = query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                let changes: String = row.try_get(7)?;
                Ok(AuditEntry {
                    id: row.try_get(0)?,
                    at: row.try_get(1)?,
                    user_id: row.try_get(2)?,
                    user_name: row.try_get(3)?,
                    entity: row.try_get(4)?,
                    entity_id: row.try_get(5)?,
                    action: row.try_get(6)?,
                    changes: serde_json::from_str(&changes)
                        .unwrap_or(serde_json::Value::String(changes)),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok((entries, total))
    }
}

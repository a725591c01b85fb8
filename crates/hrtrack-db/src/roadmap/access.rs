//! People and access: users with their role and institutions, browser sessions, personal API
//! tokens, and the institutions people work for (sign-in throttling is in `throttle`).
//!
//! Secrets never reach the database: sessions and API tokens are stored as digests made by
//! the caller, passwords as argon2id hashes made by the caller.

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use hrtrack_domain::{InstitutionKind, Role};

use super::{Actor, Tx, created, diff, lock_row, optional, record_audit, required, stale};
use crate::clock::now_rfc3339;
use crate::{Store, StoreError};

/// A person with an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    /// The institutions a focal point reports for (a reviewer's organisation).
    pub institutions: Vec<i64>,
    pub archived: bool,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub name: String,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub institutions: Vec<i64>,
    /// An argon2id hash made by the caller.
    pub password_hash: String,
}

/// The editable fields of a user (the password has its own call).
#[derive(Debug, Clone)]
pub struct UserUpdate {
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub institutions: Vec<i64>,
    pub archived: bool,
}

/// A live browser session.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: String,
}

/// A personal API token (its secret is shown once, when made, and never stored).
#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub label: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// A ministry, agency, court, the NHRI, a UN agency or another partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Institution {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub name_ru: String,
    pub name_tk: String,
    pub kind: InstitutionKind,
    pub archived: bool,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl Institution {
    /// The name in `language` (`en`, `ru`, `tk`), falling back to the English one.
    pub fn name_in(&self, language: &str) -> &str {
        let name = match language {
            "ru" => &self.name_ru,
            "tk" => &self.name_tk,
            _ => &self.name,
        };
        if name.is_empty() { &self.name } else { name }
    }
}

/// The fields of an institution to create or update.
#[derive(Debug, Clone)]
pub struct InstitutionInput {
    pub code: String,
    pub name: String,
    pub name_ru: String,
    pub name_tk: String,
    pub kind: InstitutionKind,
    pub archived: bool,
}

const USER_COLUMNS: &str =
    "id, name, display_name, email, role, archived, version, created_at, updated_at";

fn user_from_row(row: &AnyRow) -> Result<User, StoreError> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        display_name: row.try_get("display_name")?,
        email: row.try_get("email")?,
        role: Role::parse(&role).map_err(|e| StoreError::Invalid(e.to_string()))?,
        institutions: Vec::new(),
        archived: row.try_get::<i64, _>("archived")? != 0,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

async fn user_institutions(
    tx: &mut sqlx::AnyConnection,
    user_id: i64,
) -> Result<Vec<i64>, StoreError> {
    let rows = sqlx::query(
        "SELECT institution_id FROM user_institutions WHERE user_id = $1 ORDER BY institution_id",
    )
    .bind(user_id)
    .fetch_all(&mut *tx)
    .await?;
    rows.iter()
        .map(|row| row.try_get::<i64, _>(0).map_err(StoreError::from))
        .collect()
}

async fn load_user(conn: &mut sqlx::AnyConnection, id: i64) -> Result<User, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("no user {id}")))?;
    let mut user = user_from_row(&row)?;
    user.institutions = user_institutions(conn, id).await?;
    Ok(user)
}

async fn check_institutions(tx: &mut Tx, ids: &[i64]) -> Result<(), StoreError> {
    for &id in ids {
        let found = sqlx::query("SELECT archived FROM institutions WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
        match found {
            None => return Err(StoreError::Invalid(format!("no institution {id}"))),
            Some(row) if row.try_get::<i64, _>(0)? != 0 => {
                return Err(StoreError::Invalid(format!("institution {id} is archived")));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

async fn set_user_institutions(tx: &mut Tx, user_id: i64, ids: &[i64]) -> Result<(), StoreError> {
    check_institutions(tx, ids).await?;
    sqlx::query("DELETE FROM user_institutions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        sqlx::query("INSERT INTO user_institutions (user_id, institution_id) VALUES ($1, $2)")
            .bind(user_id)
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Login names: 2–64 letters, digits, `.`, `-`, `_` or `@`.
fn check_login_name(name: &str) -> Result<String, StoreError> {
    let name = name.trim();
    let ok = (2..=64).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'));
    if ok {
        Ok(name.to_owned())
    } else {
        Err(StoreError::Invalid(format!(
            "login name {name:?}: use 2 to 64 letters, digits, '.', '-', '_' or '@'"
        )))
    }
}

impl Store {
    /// Creates a user. Login names are unique.
    pub async fn create_user(&self, actor: &Actor, new: NewUser) -> Result<User, StoreError> {
        let name = check_login_name(&new.name)?;
        let display_name = required("display name", &new.display_name, 200)?;
        let email = optional("e-mail", &new.email, 200)?;
        let mut tx = self.write_tx().await?;
        let taken = sqlx::query("SELECT id FROM users WHERE name = $1")
            .bind(&name)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::Invalid(format!("login name {name:?} is taken")));
        }
        let now = now_rfc3339();
        let id: i64 = sqlx::query(
            "INSERT INTO users (name, display_name, email, role, password_hash, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(&name)
        .bind(&display_name)
        .bind(&email)
        .bind(new.role.as_str())
        .bind(&new.password_hash)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        set_user_institutions(&mut tx, id, &new.institutions).await?;
        let user = load_user(&mut tx, id).await?;
        record_audit(&mut tx, actor, "user", id, "create", &created(&user)).await?;
        tx.commit().await?;
        Ok(user)
    }

    pub async fn user(&self, id: i64) -> Result<User, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_user(&mut conn, id).await
    }

    /// The user with this login name and their password hash (archived users included: the
    /// caller refuses them).
    pub async fn user_with_password(
        &self,
        name: &str,
    ) -> Result<Option<(User, String)>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, password_hash FROM users WHERE name = $1"
        )))
        .bind(name.trim())
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let mut user = user_from_row(&row)?;
        user.institutions = user_institutions(&mut conn, user.id).await?;
        Ok(Some((user, row.try_get("password_hash")?)))
    }

    /// Every user, by login name.
    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users ORDER BY name"
        )))
        .fetch_all(&mut *conn)
        .await?;
        let links = sqlx::query(
            "SELECT user_id, institution_id FROM user_institutions ORDER BY institution_id",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut users = rows
            .iter()
            .map(user_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        for link in links {
            let user_id: i64 = link.try_get(0)?;
            if let Some(user) = users.iter_mut().find(|u| u.id == user_id) {
                user.institutions.push(link.try_get(1)?);
            }
        }
        Ok(users)
    }

    /// How many users exist (the first one is made on the command line).
    pub async fn count_users(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?)
    }

    /// Updates a user made from `version`. Archiving a user ends their sessions.
    pub async fn update_user(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        update: UserUpdate,
    ) -> Result<User, StoreError> {
        let display_name = required("display name", &update.display_name, 200)?;
        let email = optional("e-mail", &update.email, 200)?;
        let mut tx = self.write_tx().await?;
        lock_row(&mut tx, "users", id).await?;
        let old = load_user(&mut tx, id).await?;
        if old.version != version {
            return Err(stale("user", id, &old));
        }
        sqlx::query(
            "UPDATE users SET display_name = $1, email = $2, role = $3, archived = $4, \
             version = version + 1, updated_at = $5 WHERE id = $6",
        )
        .bind(&display_name)
        .bind(&email)
        .bind(update.role.as_str())
        .bind(i64::from(update.archived))
        .bind(now_rfc3339())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        set_user_institutions(&mut tx, id, &update.institutions).await?;
        if update.archived {
            end_sessions(&mut tx, id).await?;
        }
        let new = load_user(&mut tx, id).await?;
        record_audit(&mut tx, actor, "user", id, "update", &diff(&old, &new)).await?;
        tx.commit().await?;
        Ok(new)
    }

    /// Replaces a user's password hash, ends all their sessions and revokes all their API
    /// tokens (whoever knew the old password may have made one), and nothing else; the audit
    /// log records that it changed, not the hash.
    pub async fn set_password(
        &self,
        actor: &Actor,
        id: i64,
        password_hash: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE users SET password_hash = $1, version = version + 1, updated_at = $2 WHERE id = $3",
        )
        .bind(password_hash)
        .bind(now_rfc3339())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("no user {id}")));
        }
        end_sessions(&mut tx, id).await?;
        let revoked = revoke_tokens(&mut tx, id).await?;
        let changes = serde_json::json!({
            "password": {"old": "…", "new": "(changed; sessions ended)"},
            "api_tokens": {"old": format!("{revoked} live"), "new": "revoked"},
        });
        record_audit(&mut tx, actor, "user", id, "change_password", &changes).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a new session for `user_id`, stored by the digest of its secret.
    pub async fn create_session(
        &self,
        user_id: i64,
        token_digest: &str,
        csrf_token: &str,
        expires_at: &str,
    ) -> Result<(), StoreError> {
        let now = now_rfc3339();
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(&now)
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (token_digest, user_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_digest)
        .bind(user_id)
        .bind(csrf_token)
        .bind(now)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The live session with this digest, if its user is still active.
    pub async fn session(&self, token_digest: &str) -> Result<Option<SessionRecord>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let row = sqlx::query(
            "SELECT user_id, csrf_token, expires_at FROM sessions WHERE token_digest = $1 AND expires_at > $2",
        )
        .bind(token_digest)
        .bind(now_rfc3339())
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let user = load_user(&mut conn, row.try_get("user_id")?).await?;
        if user.archived {
            return Ok(None);
        }
        Ok(Some(SessionRecord {
            user,
            csrf_token: row.try_get("csrf_token")?,
            expires_at: row.try_get("expires_at")?,
        }))
    }

    /// Ends one session (logout).
    pub async fn end_session(&self, token_digest: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_digest = $1")
            .bind(token_digest)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records a personal API token for `user_id` by the digest of its secret.
    pub async fn create_api_token(
        &self,
        actor: &Actor,
        user_id: i64,
        label: &str,
        token_digest: &str,
    ) -> Result<ApiToken, StoreError> {
        let label = required("token label", label, 100)?;
        let mut tx = self.write_tx().await?;
        let now = now_rfc3339();
        let id: i64 = sqlx::query(
            "INSERT INTO api_tokens (user_id, label, token_digest, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(user_id)
        .bind(&label)
        .bind(token_digest)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        let token = ApiToken {
            id,
            label,
            created_at: now,
            last_used_at: None,
            revoked_at: None,
        };
        record_audit(&mut tx, actor, "api_token", id, "create", &created(&token)).await?;
        tx.commit().await?;
        Ok(token)
    }

    pub async fn api_tokens(&self, user_id: i64) -> Result<Vec<ApiToken>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, label, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ApiToken {
                    id: row.try_get(0)?,
                    label: row.try_get(1)?,
                    created_at: row.try_get(2)?,
                    last_used_at: row.try_get(3)?,
                    revoked_at: row.try_get(4)?,
                })
            })
            .collect()
    }

    /// Revokes one of `user_id`'s tokens.
    pub async fn revoke_api_token(
        &self,
        actor: &Actor,
        user_id: i64,
        token_id: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(now_rfc3339())
        .bind(token_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("no live token {token_id}")));
        }
        let changes = serde_json::json!({"revoked": {"old": false, "new": true}});
        record_audit(&mut tx, actor, "api_token", token_id, "revoke", &changes).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Revokes every live API token of user `user_id` (an administrator's act), audited;
    /// returns how many were revoked.
    pub async fn revoke_user_api_tokens(
        &self,
        actor: &Actor,
        user_id: i64,
    ) -> Result<u64, StoreError> {
        let mut tx = self.write_tx().await?;
        lock_row(&mut tx, "users", user_id).await?;
        let exists = sqlx::query("SELECT id FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound(format!("no user {user_id}")));
        }
        let revoked = revoke_tokens(&mut tx, user_id).await?;
        let changes =
            serde_json::json!({"api_tokens": {"old": format!("{revoked} live"), "new": "revoked"}});
        record_audit(&mut tx, actor, "user", user_id, "revoke_tokens", &changes).await?;
        tx.commit().await?;
        Ok(revoked)
    }

    /// The active user holding the live token with this digest.
    pub async fn user_by_api_token(&self, token_digest: &str) -> Result<Option<User>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let row = sqlx::query(
            "SELECT user_id, last_used_at FROM api_tokens WHERE token_digest = $1 AND revoked_at IS NULL",
        )
        .bind(token_digest)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let user = load_user(&mut conn, row.try_get(0)?).await?;
        let now = now_rfc3339();
        let last: Option<String> = row.try_get(1)?;
        // Once a minute at most: a script's every request need not be a write.
        if last
            .as_deref()
            .is_none_or(|last| last.get(..16) != now.get(..16))
        {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_digest = $2")
                .bind(&now)
                .bind(token_digest)
                .execute(&mut *conn)
                .await?;
        }
        Ok((!user.archived).then_some(user))
    }

    pub async fn create_institution(
        &self,
        actor: &Actor,
        input: InstitutionInput,
    ) -> Result<Institution, StoreError> {
        let input = checked_institution(input)?;
        let mut tx = self.write_tx().await?;
        let taken = sqlx::query("SELECT id FROM institutions WHERE code = $1")
            .bind(&input.code)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::Invalid(format!(
                "institution code {:?} is taken",
                input.code
            )));
        }
        let now = now_rfc3339();
        let id: i64 = sqlx::query(
            "INSERT INTO institutions (code, name, name_ru, name_tk, kind, archived, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(&input.code)
        .bind(&input.name)
        .bind(&input.name_ru)
        .bind(&input.name_tk)
        .bind(input.kind.as_str())
        .bind(i64::from(input.archived))
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        let institution = load_institution(&mut tx, id).await?;
        record_audit(
            &mut tx,
            actor,
            "institution",
            id,
            "create",
            &created(&institution),
        )
        .await?;
        tx.commit().await?;
        Ok(institution)
    }

    pub async fn update_institution(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        input: InstitutionInput,
    ) -> Result<Institution, StoreError> {
        let input = checked_institution(input)?;
        let mut tx = self.write_tx().await?;
        lock_row(&mut tx, "institutions", id).await?;
        let old = load_institution(&mut tx, id).await?;
        if old.version != version {
            return Err(stale("institution", id, &old));
        }
        let clash = sqlx::query("SELECT id FROM institutions WHERE code = $1 AND id <> $2")
            .bind(&input.code)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        if clash.is_some() {
            return Err(StoreError::Invalid(format!(
                "institution code {:?} is taken",
                input.code
            )));
        }
        sqlx::query(
            "UPDATE institutions SET code = $1, name = $2, name_ru = $3, name_tk = $4, kind = $5, \
             archived = $6, version = version + 1, updated_at = $7 WHERE id = $8",
        )
        .bind(&input.code)
        .bind(&input.name)
        .bind(&input.name_ru)
        .bind(&input.name_tk)
        .bind(input.kind.as_str())
        .bind(i64::from(input.archived))
        .bind(now_rfc3339())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let new = load_institution(&mut tx, id).await?;
        record_audit(
            &mut tx,
            actor,
            "institution",
            id,
            "update",
            &diff(&old, &new),
        )
        .await?;
        tx.commit().await?;
        Ok(new)
    }

    pub async fn institution(&self, id: i64) -> Result<Institution, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_institution(&mut conn, id).await
    }

    /// Every institution by name; archived ones only when asked for.
    pub async fn institutions(
        &self,
        include_archived: bool,
    ) -> Result<Vec<Institution>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {INSTITUTION_COLUMNS} FROM institutions {} ORDER BY name",
            if include_archived {
                ""
            } else {
                "WHERE archived = 0"
            }
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(institution_from_row).collect()
    }
}

/// Ends every session of a user, inside the caller's transaction.
async fn end_sessions(tx: &mut Tx, user_id: i64) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Revokes every live API token of a user, inside the caller's transaction.
async fn revoke_tokens(tx: &mut Tx, user_id: i64) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(now_rfc3339())
    .bind(user_id)
    .execute(&mut **tx)
    .await?
    .rows_affected())
}

const INSTITUTION_COLUMNS: &str =
    "id, code, name, name_ru, name_tk, kind, archived, version, created_at, updated_at";

fn institution_from_row(row: &AnyRow) -> Result<Institution, StoreError> {
    let kind: String = row.try_get("kind")?;
    Ok(Institution {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        name_ru: row.try_get("name_ru")?,
        name_tk: row.try_get("name_tk")?,
        kind: InstitutionKind::parse(&kind).map_err(|e| StoreError::Invalid(e.to_string()))?,
        archived: row.try_get::<i64, _>("archived")? != 0,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

async fn load_institution(
    conn: &mut sqlx::AnyConnection,
    id: i64,
) -> Result<Institution, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {INSTITUTION_COLUMNS} FROM institutions WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("no institution {id}")))?;
    institution_from_row(&row)
}

fn checked_institution(input: InstitutionInput) -> Result<InstitutionInput, StoreError> {
    let code = required("institution code", &input.code, 20)?;
    if !code
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(StoreError::Invalid(format!(
            "institution code {code:?}: use letters, digits, '-', '_' or '.'"
        )));
    }
    Ok(InstitutionInput {
        code,
        name: required("institution name", &input.name, 300)?,
        name_ru: optional("Russian name", &input.name_ru, 300)?,
        name_tk: optional("Turkmen name", &input.name_tk, 300)?,
        kind: input.kind,
        archived: input.archived,
    })
}

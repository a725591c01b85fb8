//! Sign-in throttling that an attacker cannot turn against the person they target.
//!
//! Failures are counted per (login name, client address), and per client over all names
//! (the row named [`ALL_NAMES`]). Each count allows a few free attempts, then makes that
//! client wait 1 s, 2 s, 4 s … up to [`MAX_WAIT_MS`] before its next attempt for that name
//! (or for any name). Another client is never held back by these counts, so guessing at a
//! name from one address slows only that address, and the real person signs in from theirs.
//!
//! An attempt is reserved *before* the password is checked, in one transaction: the count
//! goes up and the wait is set together, so N parallel guesses get exactly the free number of
//! real checks, also with several servers on one PostgreSQL (the row is locked by the update;
//! SQLite's `BEGIN IMMEDIATE` serialises writers). A successful sign-in forgets the name's
//! count for that client and gives the client-wide count its attempt back.
//!
//! Counts restart after [`RESET_MS`] without an attempt, and such rows are purged at every
//! reservation. Times are milliseconds since the Unix epoch, passed in by the caller.

use serde::Serialize;
use sqlx::Row;

use super::{Actor, record_audit};
use crate::{Store, StoreError};

/// The name of the row that counts a client's failures over all names.
pub const ALL_NAMES: &str = "*";
/// Failed attempts for one name from one client before it has to wait.
pub const FREE_ATTEMPTS_PER_NAME: i64 = 5;
/// Failed attempts over all names from one client before it has to wait.
pub const FREE_ATTEMPTS_PER_CLIENT: i64 = 50;
/// The longest wait between attempts (15 minutes).
pub const MAX_WAIT_MS: i64 = 15 * 60 * 1000;
/// A count is forgotten after this long without an attempt (one hour).
pub const RESET_MS: i64 = 60 * 60 * 1000;

/// Whether an attempt may check its password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginAttempt {
    /// Reserved: check the password, then report success with
    /// [`Store::login_succeeded`] (a failure is already counted).
    Allowed,
    /// Not before `retry_after_ms` from now.
    Throttled { retry_after_ms: i64 },
}

/// One throttle count, for the administrator's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoginThrottle {
    pub name: String,
    pub client: String,
    pub failures: i64,
    /// No attempt before this time (ms since the Unix epoch; 0: none).
    pub blocked_ms: i64,
    pub updated_ms: i64,
}

/// The wait after the `failures`-th failure of a count that allows `free` ones: none before
/// `free`, then 1 s doubling up to [`MAX_WAIT_MS`].
pub fn wait_after(failures: i64, free: i64) -> i64 {
    if failures < free {
        return 0;
    }
    let doublings = failures - free;
    if doublings >= 20 {
        return MAX_WAIT_MS;
    }
    (1000_i64 << doublings).min(MAX_WAIT_MS)
}

/// Counts one more attempt on row (`name`, `client`) unless it must wait; returns the wait
/// left when it must.
async fn count_attempt(
    tx: &mut super::Tx,
    name: &str,
    client: &str,
    free: i64,
    now_ms: i64,
) -> Result<Option<i64>, StoreError> {
    sqlx::query(
        "INSERT INTO login_throttle (name, client, failures, blocked_ms, updated_ms) \
         VALUES ($1, $2, 0, 0, $3) ON CONFLICT (name, client) DO NOTHING",
    )
    .bind(name)
    .bind(client)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    // The update locks the row (PostgreSQL): a concurrent attempt waits here, then sees the
    // wait this one set.
    let counted = sqlx::query(
        "UPDATE login_throttle SET \
         failures = CASE WHEN updated_ms < $3 THEN 1 ELSE failures + 1 END, updated_ms = $4 \
         WHERE name = $1 AND client = $2 AND blocked_ms <= $4 RETURNING failures",
    )
    .bind(name)
    .bind(client)
    .bind(now_ms - RESET_MS)
    .bind(now_ms)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = counted else {
        let blocked: i64 =
            sqlx::query("SELECT blocked_ms FROM login_throttle WHERE name = $1 AND client = $2")
                .bind(name)
                .bind(client)
                .fetch_one(&mut **tx)
                .await?
                .try_get(0)?;
        return Ok(Some((blocked - now_ms).max(1)));
    };
    let failures: i64 = row.try_get(0)?;
    let wait = wait_after(failures, free);
    if wait > 0 {
        sqlx::query("UPDATE login_throttle SET blocked_ms = $1 WHERE name = $2 AND client = $3")
            .bind(now_ms + wait)
            .bind(name)
            .bind(client)
            .execute(&mut **tx)
            .await?;
    }
    Ok(None)
}

impl Store {
    /// Reserves a sign-in attempt for `name` from `client` at `now_ms`, counted as a failure
    /// until [`Store::login_succeeded`] says otherwise; purges counts idle for [`RESET_MS`].
    pub async fn reserve_login_attempt(
        &self,
        name: &str,
        client: &str,
        now_ms: i64,
    ) -> Result<LoginAttempt, StoreError> {
        let name = name.trim();
        // The purge commits on its own: it holds no lock while the attempt is counted.
        sqlx::query("DELETE FROM login_throttle WHERE updated_ms < $1 AND blocked_ms < $2")
            .bind(now_ms - RESET_MS)
            .bind(now_ms)
            .execute(&self.pool)
            .await?;
        let mut tx = self.write_tx().await?;
        if let Some(wait) =
            count_attempt(&mut tx, name, client, FREE_ATTEMPTS_PER_NAME, now_ms).await?
        {
            tx.rollback().await?;
            return Ok(LoginAttempt::Throttled {
                retry_after_ms: wait,
            });
        }
        if let Some(wait) =
            count_attempt(&mut tx, ALL_NAMES, client, FREE_ATTEMPTS_PER_CLIENT, now_ms).await?
        {
            // The name's count goes back too: this attempt checks nothing.
            tx.rollback().await?;
            return Ok(LoginAttempt::Throttled {
                retry_after_ms: wait,
            });
        }
        tx.commit().await?;
        Ok(LoginAttempt::Allowed)
    }

    /// A reserved attempt succeeded: `name`'s count for `client` is forgotten, and the
    /// client-wide count gets the attempt back.
    pub async fn login_succeeded(&self, name: &str, client: &str) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM login_throttle WHERE name = $1 AND client = $2")
            .bind(name.trim())
            .bind(client)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE login_throttle SET failures = failures - 1 \
             WHERE name = $1 AND client = $2 AND failures > 0",
        )
        .bind(ALL_NAMES)
        .bind(client)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The throttle counts of login name `name` (every client), newest first.
    pub async fn login_throttles(&self, name: &str) -> Result<Vec<LoginThrottle>, StoreError> {
        let rows = sqlx::query(
            "SELECT name, client, failures, blocked_ms, updated_ms FROM login_throttle \
             WHERE name = $1 ORDER BY updated_ms DESC, client",
        )
        .bind(name.trim())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(LoginThrottle {
                    name: row.try_get(0)?,
                    client: row.try_get(1)?,
                    failures: row.try_get(2)?,
                    blocked_ms: row.try_get(3)?,
                    updated_ms: row.try_get(4)?,
                })
            })
            .collect()
    }

    /// Clears every throttle count of user `user_id`'s login name (all clients), audited;
    /// returns how many counts were cleared.
    pub async fn unlock_login(&self, actor: &Actor, user_id: i64) -> Result<u64, StoreError> {
        let mut tx = self.write_tx().await?;
        let name: String = sqlx::query("SELECT name FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("no user {user_id}")))?
            .try_get(0)?;
        let cleared = sqlx::query("DELETE FROM login_throttle WHERE name = $1")
            .bind(&name)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let changes = serde_json::json!({
            "sign_in_throttle": {"old": format!("{cleared} client(s) counted"), "new": "cleared"}
        });
        record_audit(&mut tx, actor, "user", user_id, "unlock", &changes).await?;
        tx.commit().await?;
        Ok(cleared)
    }
}

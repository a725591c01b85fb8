//! Whole-database transfers: `copy` (every table from one store into another, either backend,
//! ids preserved), `backup` (a consistent copy while the server runs) and the reading side of
//! `restore` (a backup file opened read-only and checked before it is copied).
//!
//! The tables and their columns are read from the schema (`sqlite_master` and
//! `pragma_table_info`, or `information_schema` and `pg_constraint`), never listed by hand,
//! and copied in foreign-key order. The source is read inside one transaction (a snapshot:
//! SQLite's read transaction in WAL mode, PostgreSQL's `REPEATABLE READ`), by primary key in
//! small batches, so memory stays bounded whatever the tables hold (an evidence row is read
//! alone: its file may be 20 MiB). The target is written in one transaction: it is emptied
//! first (triggers such as the audit log's append-only guard are lifted for that step only;
//! a target with rows beyond those a freshly created database has, the bundled reference
//! data, only with `force`), filled, its PostgreSQL identity sequences moved past the copied
//! ids, and every table counted against the source before the commit: a difference rolls
//! everything back.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyTypeInfoKind};
use sqlx::{Row, ValueRef as _};

use crate::{Backend, Store, StoreError, migrations, quote_ident, sql};

type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Rows per batch for tables without BLOB columns (also bounded by the parameter limits).
const ROWS_PER_BATCH: usize = 500;
/// Bound parameters per statement: under SQLite's 32,766 and PostgreSQL's 65,535.
const PARAMETERS_PER_STATEMENT: usize = 30_000;

/// One table's rows in the source and in the target after a copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCount {
    pub table: String,
    pub source: i64,
    pub target: i64,
}

/// What a copy moved: every table, in the order copied.
#[derive(Debug, Clone, Default)]
pub struct TransferReport {
    pub tables: Vec<TableCount>,
}

impl TransferReport {
    /// Rows copied in all tables.
    pub fn total(&self) -> i64 {
        self.tables.iter().map(|t| t.target).sum()
    }
}

/// The kind of value a column holds, as both backends' portable column types give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Real,
    Text,
    Blob,
}

/// One value in flight, typed.
#[derive(Debug, Clone)]
enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// A table as the copy sees it: its columns with the target's kinds, and its primary key.
struct Table {
    name: String,
    columns: Vec<(String, Kind)>,
    key: Vec<String>,
}

impl Store {
    /// Copies every table of this store into `target` (either backend), ids preserved, in one
    /// transaction on the target, then checks that every table holds as many rows as here.
    /// The target must be empty (only the bundled reference data, as after [`Store::open`])
    /// unless `force`, which replaces everything it holds, its audit log included.
    pub async fn copy_into(
        &self,
        target: &Store,
        force: bool,
    ) -> Result<TransferReport, StoreError> {
        let mut source = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *source)
                .await?;
        }
        let mut sink = target.write_tx().await?;

        let source_versions = applied_migrations(&mut source).await?;
        let target_versions = applied_migrations(&mut sink).await?;
        if source_versions != target_versions {
            return Err(StoreError::Invalid(format!(
                "the source has migrations {} and the target {}: open both with this version of hrtrack first",
                versions_text(&source_versions),
                versions_text(&target_versions)
            )));
        }

        let order = table_order(&mut source, self.backend).await?;
        let target_tables = table_order(&mut sink, target.backend).await?;
        let source_set: BTreeSet<&String> = order.iter().collect();
        let target_set: BTreeSet<&String> = target_tables.iter().collect();
        if source_set != target_set {
            let missing: Vec<&&String> = source_set.difference(&target_set).collect();
            let extra: Vec<&&String> = target_set.difference(&source_set).collect();
            return Err(StoreError::Invalid(format!(
                "the two databases have different tables (only in the source: {missing:?}; only in the target: {extra:?})"
            )));
        }

        // Empty the target, children first. Rows in a table that a fresh database fills too
        // (the bundled reference data) do not make it "hold data".
        let mut filled = Vec::new();
        for name in order.iter().rev() {
            if count_rows(&mut sink, name).await? > 0 {
                filled.push(name.clone());
            }
        }
        let mut occupied = Vec::new();
        if !filled.is_empty() {
            let fresh = tables_filled_when_fresh().await?;
            occupied = filled.into_iter().filter(|t| !fresh.contains(t)).collect();
        }
        if !occupied.is_empty() && !force {
            occupied.reverse();
            return Err(StoreError::Conflict(format!(
                "the target database already holds data (tables {}); nothing was written. \
                 Use a freshly created database, or --force to replace everything in it",
                occupied.join(", ")
            )));
        }
        for name in order.iter().rev() {
            clear_table(&mut sink, target.backend, name).await?;
        }

        let mut report = TransferReport::default();
        for name in &order {
            let table =
                describe(&mut source, self.backend, &mut sink, target.backend, name).await?;
            copy_table(&mut source, &mut sink, target.backend, &table).await?;
            if target.backend == Backend::Postgres {
                reset_sequences(&mut sink, &table.name).await?;
            }
            let counted_source = count_rows(&mut source, name).await?;
            let counted_target = count_rows(&mut sink, name).await?;
            report.tables.push(TableCount {
                table: name.clone(),
                source: counted_source,
                target: counted_target,
            });
        }
        let differing: Vec<String> = report
            .tables
            .iter()
            .filter(|t| t.source != t.target)
            .map(|t| {
                format!(
                    "{}: {} in the source, {} in the target",
                    t.table, t.source, t.target
                )
            })
            .collect();
        if !differing.is_empty() {
            return Err(StoreError::Conflict(format!(
                "the copy does not match its source, nothing was written: {}",
                differing.join("; ")
            )));
        }
        sink.commit().await?;
        source.rollback().await?;
        Ok(report)
    }

    /// Writes a consistent copy of this database to `file` while others keep writing: on
    /// SQLite `VACUUM INTO` (a snapshot that includes what is still in the WAL); on
    /// PostgreSQL a portable hrtrack backup, a SQLite database filled by [`Store::copy_into`]
    /// from one `REPEATABLE READ` snapshot. The file is written beside its final name and
    /// renamed when complete; an existing `file` is refused unless `force`. Returns the
    /// backup's tables and row counts, read back from the file.
    pub async fn backup_to(
        &self,
        file: &Path,
        force: bool,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        if !force && file.exists() {
            return Err(StoreError::Conflict(format!(
                "{} already exists; nothing was written (use --force to replace it)",
                file.display()
            )));
        }
        if self.backend == Backend::Sqlite && file.exists() {
            let live: Option<String> =
                sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
                    .fetch_optional(&self.pool)
                    .await?;
            let same = live
                .and_then(|live| std::fs::canonicalize(live).ok())
                .zip(std::fs::canonicalize(file).ok())
                .is_some_and(|(live, target)| live == target);
            if same {
                return Err(StoreError::Conflict(format!(
                    "{} is the database itself; write the backup to another file",
                    file.display()
                )));
            }
        }
        let partial = partial_path(file);
        remove_if_exists(&partial)?;
        let written = match self.backend {
            Backend::Sqlite => {
                let path = path_text(&partial)?;
                sqlx::query("VACUUM INTO $1")
                    .bind(path)
                    .execute(&self.pool)
                    .await
                    .map(|_| ())
                    .map_err(StoreError::from)
            }
            Backend::Postgres => {
                let url = format!("sqlite://{}", path_text(&partial)?);
                match Store::open(&url).await {
                    Ok(copy) => {
                        let result = self.copy_into(&copy, false).await.map(|_| ());
                        copy.close().await;
                        result
                    }
                    Err(e) => Err(e),
                }
            }
        };
        if let Err(e) = written {
            // Best effort: the partial file is useless.
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
        let checked = match Store::open_backup(&partial).await {
            Ok(backup) => {
                let counts = backup.table_counts().await;
                backup.close().await;
                counts
            }
            Err(e) => Err(e),
        };
        let counts = match checked {
            Ok(counts) => counts,
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                return Err(e);
            }
        };
        std::fs::rename(&partial, file).map_err(|e| {
            StoreError::Invalid(format!(
                "cannot move {} to {}: {e}",
                partial.display(),
                file.display()
            ))
        })?;
        Ok(counts)
    }

    /// Opens an hrtrack backup (a SQLite file) for reading only, without migrating it, after
    /// checking that it is an hrtrack database whose migrations are exactly this version's.
    pub async fn open_backup(file: &Path) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let shown = file.display();
        if !file.is_file() {
            return Err(StoreError::Invalid(format!("{shown}: no such file")));
        }
        let url = format!("sqlite://{}?mode=ro", path_text(file)?);
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Invalid(format!("{shown}: cannot open it as SQLite: {e}")))?;
        let store = Store {
            pool,
            backend: Backend::Sqlite,
        };
        match store.check_backup_migrations(file).await {
            Ok(()) => Ok(store),
            Err(e) => {
                store.close().await;
                Err(e)
            }
        }
    }

    async fn check_backup_migrations(&self, file: &Path) -> Result<(), StoreError> {
        let shown = file.display();
        let has_table: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| StoreError::Invalid(format!("{shown}: not a SQLite database: {e}")))?;
        if has_table.is_none() {
            return Err(StoreError::Invalid(format!(
                "{shown}: not an hrtrack database (it has no _sqlx_migrations table)"
            )));
        }
        let rows = sqlx::query(
            "SELECT version, checksum FROM _sqlx_migrations WHERE success = 1 ORDER BY version",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut found: BTreeMap<i64, Vec<u8>> = BTreeMap::new();
        for row in rows {
            found.insert(row.try_get(0)?, row.try_get(1)?);
        }
        let migrator = migrations::migrator(Backend::Sqlite);
        let known: BTreeMap<i64, Vec<u8>> = migrator
            .iter()
            .map(|m| (m.version, m.checksum.to_vec()))
            .collect();
        if let Some(newer) = found.keys().find(|v| !known.contains_key(v)) {
            return Err(StoreError::Invalid(format!(
                "{shown}: made by a newer hrtrack (migration {newer} is unknown to this version); restore it with that version"
            )));
        }
        if let Some(missing) = known.keys().find(|v| !found.contains_key(v)) {
            return Err(StoreError::Invalid(format!(
                "{shown}: made by an older hrtrack (it lacks migration {missing}); upgrade a copy first: \
                 `cp {shown} upgraded.db && hrtrack --db sqlite://upgraded.db stats`, then restore upgraded.db"
            )));
        }
        if let Some(changed) = known.iter().find(|(v, sum)| found.get(v) != Some(sum)) {
            return Err(StoreError::Invalid(format!(
                "{shown}: migration {} differs from this version's; it was not made by a released hrtrack",
                changed.0
            )));
        }
        Ok(())
    }

    /// Every table (but `_sqlx_migrations`) with its row count, in foreign-key order.
    pub async fn table_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let order = table_order(&mut tx, self.backend).await?;
        let mut counts = Vec::with_capacity(order.len());
        for name in order {
            let n = count_rows(&mut tx, &name).await?;
            counts.push((name, n));
        }
        tx.rollback().await?;
        Ok(counts)
    }
}

/// The tables that a newly created database already has rows in (the migrations' own rows,
/// the bundled reference data), found by creating one in a temporary file.
async fn tables_filled_when_fresh() -> Result<BTreeSet<String>, StoreError> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let path =
        std::env::temp_dir().join(format!("hrtrack-fresh-{}-{nanos}.db", std::process::id()));
    let url = format!("sqlite://{}", path_text(&path)?);
    let counted = match Store::open(&url).await {
        Ok(fresh) => {
            let counts = fresh.table_counts().await;
            fresh.close().await;
            counts
        }
        Err(e) => Err(e),
    };
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.clone().into_os_string();
        name.push(suffix);
        remove_if_exists(Path::new(&name))?;
    }
    Ok(counted?
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(t, _)| t)
        .collect())
}

/// `FILE.partial` beside `file`.
fn partial_path(file: &Path) -> std::path::PathBuf {
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    file.with_file_name(name)
}

fn remove_if_exists(path: &Path) -> Result<(), StoreError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StoreError::Invalid(format!(
            "cannot remove {}: {e}",
            path.display()
        ))),
    }
}

fn path_text(path: &Path) -> Result<&str, StoreError> {
    path.to_str().ok_or_else(|| {
        StoreError::Invalid(format!(
            "{}: the file name is not valid UTF-8",
            path.display()
        ))
    })
}

async fn applied_migrations(tx: &mut Tx) -> Result<Vec<i64>, StoreError> {
    let versions: Vec<i64> = sqlx::query_scalar(
        "SELECT version FROM _sqlx_migrations WHERE success = $1 ORDER BY version",
    )
    .bind(true)
    .fetch_all(&mut **tx)
    .await?;
    Ok(versions)
}

fn versions_text(versions: &[i64]) -> String {
    let list: Vec<String> = versions.iter().map(i64::to_string).collect();
    format!("[{}]", list.join(", "))
}

async fn count_rows(tx: &mut Tx, table: &str) -> Result<i64, StoreError> {
    let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM {}",
        quote_ident(table)
    )))
    .fetch_one(&mut **tx)
    .await?;
    Ok(n)
}

/// The tables of the database (but `_sqlx_migrations`), parents before children; ties in
/// name order.
async fn table_order(tx: &mut Tx, backend: Backend) -> Result<Vec<String>, StoreError> {
    let (tables_sql, links_sql) = match backend {
        Backend::Sqlite => (
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> '_sqlx_migrations' ORDER BY name",
            "SELECT m.name, f.\"table\" FROM sqlite_master m, pragma_foreign_key_list(m.name) f \
             WHERE m.type = 'table'",
        ),
        Backend::Postgres => (
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             AND table_name <> '_sqlx_migrations' ORDER BY table_name",
            "SELECT c.relname::text, p.relname::text FROM pg_constraint k \
             JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid \
             WHERE k.contype = 'f' \
             AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())",
        ),
    };
    let tables: Vec<String> = sqlx::query_scalar(tables_sql).fetch_all(&mut **tx).await?;
    let links: Vec<(String, String)> = sqlx::query_as(links_sql).fetch_all(&mut **tx).await?;
    let mut parents: BTreeMap<&str, BTreeSet<&str>> = tables
        .iter()
        .map(|t| (t.as_str(), BTreeSet::new()))
        .collect();
    for (child, parent) in &links {
        if child != parent
            && let Some(set) = parents.get_mut(child.as_str())
            && tables.contains(parent)
        {
            set.insert(parent.as_str());
        }
    }
    let mut order: Vec<String> = Vec::with_capacity(tables.len());
    let mut placed: BTreeSet<&str> = BTreeSet::new();
    while placed.len() < tables.len() {
        let ready: Vec<&str> = parents
            .iter()
            .filter(|(t, ps)| !placed.contains(*t) && ps.iter().all(|p| placed.contains(p)))
            .map(|(t, _)| *t)
            .collect();
        if ready.is_empty() {
            let left: Vec<&str> = parents
                .keys()
                .filter(|t| !placed.contains(*t))
                .copied()
                .collect();
            return Err(StoreError::Invalid(format!(
                "the foreign keys of tables {left:?} form a cycle; cannot order the copy"
            )));
        }
        for t in ready {
            placed.insert(t);
            order.push(t.to_owned());
        }
    }
    Ok(order)
}

/// The columns of `table` as (name, declared type), in order, and its primary key.
async fn columns(
    tx: &mut Tx,
    backend: Backend,
    table: &str,
) -> Result<(Vec<(String, String)>, Vec<String>), StoreError> {
    match backend {
        Backend::Sqlite => {
            let rows: Vec<(String, String, i64)> =
                sqlx::query_as("SELECT name, type, pk FROM pragma_table_info($1) ORDER BY cid")
                    .bind(table)
                    .fetch_all(&mut **tx)
                    .await?;
            let mut key: Vec<(i64, String)> = rows
                .iter()
                .filter(|(_, _, pk)| *pk > 0)
                .map(|(name, _, pk)| (*pk, name.clone()))
                .collect();
            key.sort();
            Ok((
                rows.into_iter().map(|(n, t, _)| (n, t)).collect(),
                key.into_iter().map(|(_, n)| n).collect(),
            ))
        }
        Backend::Postgres => {
            let cols: Vec<(String, String)> = sqlx::query_as(
                "SELECT column_name::text, data_type::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            )
            .bind(table)
            .fetch_all(&mut **tx)
            .await?;
            let key: Vec<String> = sqlx::query_scalar(
                "SELECT kcu.column_name::text FROM information_schema.table_constraints tc \
                 JOIN information_schema.key_column_usage kcu \
                   ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema \
                  AND kcu.table_name = tc.table_name \
                 WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = current_schema() \
                   AND tc.table_name = $1 ORDER BY kcu.ordinal_position",
            )
            .bind(table)
            .fetch_all(&mut **tx)
            .await?;
            Ok((cols, key))
        }
    }
}

/// The kind of a declared column type (SQLite's affinity rules; PostgreSQL's types).
fn kind_of(declared: &str) -> Option<Kind> {
    let t = declared.to_ascii_uppercase();
    if t.contains("INT") {
        Some(Kind::Int)
    } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
        Some(Kind::Text)
    } else if t.contains("BLOB") || t.contains("BYTEA") {
        Some(Kind::Blob)
    } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
        Some(Kind::Real)
    } else {
        None
    }
}

/// The table as copied: the target's columns (which the source must have too) and the
/// source's primary key, by which it is read.
async fn describe(
    source: &mut Tx,
    source_backend: Backend,
    sink: &mut Tx,
    sink_backend: Backend,
    name: &str,
) -> Result<Table, StoreError> {
    let (source_columns, key) = columns(source, source_backend, name).await?;
    let (target_columns, _) = columns(sink, sink_backend, name).await?;
    let source_names: BTreeSet<&str> = source_columns.iter().map(|(n, _)| n.as_str()).collect();
    let target_names: BTreeSet<&str> = target_columns.iter().map(|(n, _)| n.as_str()).collect();
    if source_names != target_names {
        return Err(StoreError::Invalid(format!(
            "table {name}: the source has columns {source_names:?}, the target {target_names:?}"
        )));
    }
    let mut columns = Vec::with_capacity(target_columns.len());
    for (column, declared) in target_columns {
        let kind = kind_of(&declared).ok_or_else(|| {
            StoreError::Invalid(format!(
                "table {name}, column {column}: type {declared:?} is not one hrtrack copies"
            ))
        })?;
        columns.push((column, kind));
    }
    Ok(Table {
        name: name.to_owned(),
        columns,
        key,
    })
}

/// Deletes every row of `table` in the target, lifting its triggers (the audit log's
/// append-only guard) for this statement only.
async fn clear_table(tx: &mut Tx, backend: Backend, table: &str) -> Result<(), StoreError> {
    if count_rows(tx, table).await? == 0 {
        return Ok(());
    }
    let quoted = quote_ident(table);
    let delete = format!("DELETE FROM {quoted}");
    match backend {
        Backend::Sqlite => {
            let triggers: Vec<(String, String)> = sqlx::query_as(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = $1",
            )
            .bind(table)
            .fetch_all(&mut **tx)
            .await?;
            for (name, _) in &triggers {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP TRIGGER {}",
                    quote_ident(name)
                )))
                .execute(&mut **tx)
                .await?;
            }
            sqlx::query(sqlx::AssertSqlSafe(delete))
                .execute(&mut **tx)
                .await?;
            for (_, create) in triggers {
                sqlx::query(sqlx::AssertSqlSafe(create))
                    .execute(&mut **tx)
                    .await?;
            }
        }
        Backend::Postgres => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "ALTER TABLE {quoted} DISABLE TRIGGER USER"
            )))
            .execute(&mut **tx)
            .await?;
            sqlx::query(sqlx::AssertSqlSafe(delete))
                .execute(&mut **tx)
                .await?;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "ALTER TABLE {quoted} ENABLE TRIGGER USER"
            )))
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// Copies `table` batch by batch, in primary-key order (keyset paging: each batch starts
/// after the last key of the one before).
async fn copy_table(
    source: &mut Tx,
    sink: &mut Tx,
    sink_backend: Backend,
    table: &Table,
) -> Result<(), StoreError> {
    let names: Vec<String> = table.columns.iter().map(|(n, _)| quote_ident(n)).collect();
    let has_blob = table.columns.iter().any(|(_, k)| *k == Kind::Blob);
    let batch = if has_blob {
        1
    } else {
        ROWS_PER_BATCH.min(PARAMETERS_PER_STATEMENT / table.columns.len().max(1))
    };
    // Without a primary key the rows are ordered by every column and paged by offset
    // (inside the snapshot the order is stable).
    let order: Vec<String> = if table.key.is_empty() {
        names.clone()
    } else {
        table.key.iter().map(|k| quote_ident(k)).collect()
    };
    let key_positions: Vec<usize> = table
        .key
        .iter()
        .filter_map(|k| table.columns.iter().position(|(n, _)| n == k))
        .collect();
    let base = format!(
        "SELECT {} FROM {}",
        names.join(", "),
        quote_ident(&table.name)
    );
    let mut last_key: Option<Vec<Value>> = None;
    let mut offset: usize = 0;
    loop {
        let select = match (&last_key, table.key.is_empty()) {
            (_, true) => format!(
                "{base} ORDER BY {} LIMIT {batch} OFFSET {offset}",
                order.join(", ")
            ),
            (None, false) => format!("{base} ORDER BY {} LIMIT {batch}", order.join(", ")),
            (Some(key), false) => {
                let placeholders: Vec<String> = (1..=key.len()).map(|i| format!("${i}")).collect();
                format!(
                    "{base} WHERE ({}) > ({}) ORDER BY {} LIMIT {batch}",
                    order.join(", "),
                    placeholders.join(", "),
                    order.join(", ")
                )
            }
        };
        let mut query = sqlx::query(sqlx::AssertSqlSafe(select));
        if let Some(key) = &last_key {
            for value in key {
                query = bind_source(query, value);
            }
        }
        let rows = query.fetch_all(&mut **source).await?;
        if rows.is_empty() {
            break;
        }
        let mut values: Vec<Vec<Value>> = Vec::with_capacity(rows.len());
        for (n, row) in rows.iter().enumerate() {
            let mut out = Vec::with_capacity(table.columns.len());
            for (i, (column, kind)) in table.columns.iter().enumerate() {
                let value = read_value(row, i)
                    .and_then(|value| convert(value, *kind))
                    .map_err(|e| {
                        StoreError::Invalid(format!(
                            "table {}, row {} ({}), column {column}: {e}; nothing was written",
                            table.name,
                            offset + n + 1,
                            row_key(row, table, &key_positions)
                        ))
                    })?;
                out.push(value);
            }
            values.push(out);
        }
        drop(rows);
        let count = values.len();
        if let Some(last) = values.last() {
            last_key = Some(key_positions.iter().map(|&i| last[i].clone()).collect());
        }
        insert_rows(sink, sink_backend, table, values).await?;
        offset += count;
        if count < batch {
            break;
        }
    }
    Ok(())
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Binds a key value of the source (as read from it, for the next batch's `WHERE`).
fn bind_source<'q>(query: AnyQuery<'q>, value: &Value) -> AnyQuery<'q> {
    match value {
        Value::Null => query.bind(Option::<String>::None),
        Value::Int(v) => query.bind(*v),
        Value::Real(v) => query.bind(*v),
        Value::Text(v) => query.bind(v.clone()),
        Value::Blob(v) => query.bind(v.clone()),
    }
}

/// Binds a value for a column of `kind` in the target (a NULL typed as the column).
fn bind_target<'q>(query: AnyQuery<'q>, value: Value, kind: Kind) -> AnyQuery<'q> {
    match (value, kind) {
        (Value::Null, Kind::Int) => query.bind(Option::<i64>::None),
        (Value::Null, Kind::Real) => query.bind(Option::<f64>::None),
        (Value::Null, Kind::Text) => query.bind(Option::<String>::None),
        (Value::Null, Kind::Blob) => query.bind(Option::<Vec<u8>>::None),
        (Value::Int(v), _) => query.bind(v),
        (Value::Real(v), _) => query.bind(v),
        (Value::Text(v), _) => query.bind(v),
        (Value::Blob(v), _) => query.bind(v),
    }
}

/// The primary key of a source row as `id = 7` or `a = 1, b = "x"`, for messages.
fn row_key(row: &sqlx::any::AnyRow, table: &Table, key_positions: &[usize]) -> String {
    let parts: Vec<String> = key_positions
        .iter()
        .map(|&i| {
            let value = match read_value(row, i) {
                Ok(Value::Int(v)) => v.to_string(),
                Ok(Value::Text(v)) => format!("{v:?}"),
                Ok(other) => format!("{other:?}"),
                Err(e) => e,
            };
            format!("{} = {value}", table.columns[i].0)
        })
        .collect();
    if parts.is_empty() {
        "no primary key".to_owned()
    } else {
        parts.join(", ")
    }
}

/// A value as the source's driver gives it.
fn read_value(row: &sqlx::any::AnyRow, i: usize) -> Result<Value, String> {
    let raw = row.try_get_raw(i).map_err(|e| e.to_string())?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let kind = raw.type_info().kind();
    let value = match kind {
        AnyTypeInfoKind::Null => Value::Null,
        AnyTypeInfoKind::Bool => Value::Int(i64::from(
            row.try_get::<bool, _>(i).map_err(|e| e.to_string())?,
        )),
        AnyTypeInfoKind::SmallInt | AnyTypeInfoKind::Integer | AnyTypeInfoKind::BigInt => {
            Value::Int(row.try_get::<i64, _>(i).map_err(|e| e.to_string())?)
        }
        AnyTypeInfoKind::Real | AnyTypeInfoKind::Double => {
            Value::Real(row.try_get::<f64, _>(i).map_err(|e| e.to_string())?)
        }
        AnyTypeInfoKind::Text => {
            Value::Text(row.try_get::<String, _>(i).map_err(|e| e.to_string())?)
        }
        AnyTypeInfoKind::Blob => {
            Value::Blob(row.try_get::<Vec<u8>, _>(i).map_err(|e| e.to_string())?)
        }
    };
    Ok(value)
}

/// `value` as a value of a `kind` column; a value that would change on the way is refused.
fn convert(value: Value, kind: Kind) -> Result<Value, String> {
    Ok(match (value, kind) {
        (Value::Null, _) => Value::Null,
        (v @ Value::Int(_), Kind::Int) => v,
        (Value::Int(v), Kind::Real) => Value::Real(v as f64),
        (Value::Int(v), Kind::Text) => Value::Text(v.to_string()),
        (v @ Value::Real(_), Kind::Real) => v,
        (Value::Real(v), Kind::Int) if v.fract() == 0.0 && v.abs() < 9.0e15 => Value::Int(v as i64),
        (Value::Real(v), Kind::Text) => Value::Text(v.to_string()),
        (v @ Value::Text(_), Kind::Text) => v,
        (Value::Text(v), Kind::Int) => Value::Int(
            v.trim()
                .parse()
                .map_err(|_| format!("text {v:?} where an integer belongs"))?,
        ),
        (Value::Text(v), Kind::Real) => Value::Real(
            v.trim()
                .parse()
                .map_err(|_| format!("text {v:?} where a number belongs"))?,
        ),
        (Value::Text(v), Kind::Blob) => Value::Blob(v.into_bytes()),
        (v @ Value::Blob(_), Kind::Blob) => v,
        (Value::Blob(v), Kind::Text) => Value::Text(
            String::from_utf8(v).map_err(|_| "bytes that are not UTF-8 where text belongs")?,
        ),
        (Value::Real(v), kind) => {
            return Err(format!("the number {v} cannot be stored as {kind:?}"));
        }
        (Value::Int(v), Kind::Blob) => return Err(format!("the integer {v} where bytes belong")),
        (Value::Blob(v), kind) => {
            return Err(format!("{} bytes cannot be stored as {kind:?}", v.len()));
        }
    })
}

/// Inserts `rows` into the target in one statement.
async fn insert_rows(
    sink: &mut Tx,
    backend: Backend,
    table: &Table,
    rows: Vec<Vec<Value>>,
) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = table.columns.iter().map(|(n, _)| quote_ident(n)).collect();
    let statement = format!(
        "INSERT INTO {} ({}) VALUES {}",
        quote_ident(&table.name),
        names.join(", "),
        sql::values_list(backend, rows.len(), names.len())
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(statement));
    for row in rows {
        for (value, (_, kind)) in row.into_iter().zip(&table.columns) {
            query = bind_target(query, value, *kind);
        }
    }
    query.execute(&mut **sink).await?;
    Ok(())
}

/// Moves every identity sequence of `table` past its largest id, so that new rows do not
/// collide with the copied ones.
async fn reset_sequences(tx: &mut Tx, table: &str) -> Result<(), StoreError> {
    let identity: Vec<String> = sqlx::query_scalar(
        "SELECT column_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1 \
           AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')",
    )
    .bind(table)
    .fetch_all(&mut **tx)
    .await?;
    for column in identity {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT MAX({c}) FROM {t}), 0) + 1, false)::text",
            c = quote_ident(&column),
            t = quote_ident(table)
        )))
        .bind(quote_ident(table))
        .bind(column)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

//! Small helpers for SQL text that both dialects accept: numbered placeholders for multi-row
//! inserts and `IN` lists, and a fingerprint function for bundled data and texts.

use crate::Backend;

/// Rows per multi-row `INSERT`: keeps every statement under SQLite's and PostgreSQL's
/// limits on bound parameters (32,766 and 65,535) for tables of up to 30 columns.
pub(crate) const ROWS_PER_INSERT: usize = 1000;

/// `($1, $2), ($3, $4)` for `rows` rows of `cols` columns; on SQLite `(?, ?), (?, ?)`, since
/// SQLite looks each named parameter up among all earlier ones, which makes preparing a
/// many-row statement with `$N` names quadratic (seen: 7 s for the 41k-row UPR Info import).
pub(crate) fn values_list(backend: Backend, rows: usize, cols: usize) -> String {
    let mut sql = String::with_capacity(rows * cols * 5);
    let mut n = 0;
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for col in 0..cols {
            if col > 0 {
                sql.push_str(", ");
            }
            n += 1;
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => {
                    sql.push('$');
                    sql.push_str(&n.to_string());
                }
            }
        }
        sql.push(')');
    }
    sql
}

/// `$1, $2, …` (on SQLite `?, ?, …`) for a statement whose only parameters are an `IN (…)` list.
pub(crate) fn in_list(backend: Backend, count: usize) -> String {
    values_list(backend, 1, count)
        .trim_matches(['(', ')'])
        .to_owned()
}

/// A 64-bit FNV-1a fingerprint as 16 hex digits: stable across versions and platforms.
pub(crate) fn fingerprint(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_across_rows() {
        assert_eq!(values_list(Backend::Postgres, 2, 2), "($1, $2), ($3, $4)");
        assert_eq!(values_list(Backend::Sqlite, 2, 2), "(?, ?), (?, ?)");
        assert_eq!(in_list(Backend::Postgres, 2), "$1, $2");
        assert_ne!(fingerprint(b"a"), fingerprint(b"b"));
        assert_eq!(fingerprint(b""), "cbf29ce484222325");
    }
}

/// The SQL type of a column filled by [`insert_json_rows`].
#[derive(Clone, Copy)]
pub(crate) enum Col {
    Int,
    Text,
    /// A floating-point number (JSON number or null).
    Real,
}

/// Bytes of JSON per statement of [`insert_json_rows`]: small enough that the allocator
/// reuses the buffers from one statement to the next instead of asking the kernel for fresh
/// zeroed pages each time (a quarter of the import's time with 1 MB statements).
const JSON_BYTES_PER_STATEMENT: usize = 96 * 1024;

/// Inserts many rows with one parameter per statement: the rows as one JSON array of arrays,
/// unpacked by the database itself (`json_each` on SQLite, `jsonb_array_elements` on
/// PostgreSQL). Binding every value separately through the driver cost more than the
/// database's own work (measured on the 41k-row UPR Info import).
pub(crate) async fn insert_json_rows<T: serde::Serialize>(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    backend: Backend,
    table: &str,
    columns: &[(&str, Col)],
    rows: &[T],
) -> Result<(), crate::StoreError> {
    let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
    let values: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, (_, col))| match (backend, col) {
            (Backend::Sqlite, _) => format!("e.value ->> {i}"),
            (Backend::Postgres, Col::Int) => format!("(e.value->>{i})::bigint"),
            (Backend::Postgres, Col::Text) => format!("e.value->>{i}"),
            (Backend::Postgres, Col::Real) => format!("(e.value->>{i})::double precision"),
        })
        .collect();
    let source = match backend {
        Backend::Sqlite => "jsonb_each($1) AS e",
        Backend::Postgres => "jsonb_array_elements($1::jsonb) AS e",
    };
    let sql = format!(
        "INSERT INTO {table} ({}) SELECT {} FROM {source}",
        names.join(", "),
        values.join(", ")
    );
    execute_json_rows(tx, &sql, rows).await
}

/// Runs `sql`, whose one parameter `$1` is a JSON array of rows, once per chunk of about
/// [`JSON_BYTES_PER_STATEMENT`] bytes of `rows` (the technique of [`insert_json_rows`], for
/// other statements: deletes by key, for one).
pub(crate) async fn execute_json_rows<T: serde::Serialize>(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    sql: &str,
    rows: &[T],
) -> Result<(), crate::StoreError> {
    // While the database writes one statement's rows, the next statement's JSON is written
    // here: the driver's worker thread and this one run side by side.
    let mut rows = rows.iter();
    let mut next = json_chunk(&mut rows)?;
    while let Some(json) = next {
        // serde_json writes UTF-8 only.
        let text = String::from_utf8(json).unwrap_or_default();
        let statement = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).bind(text);
        let (written, following) = tokio::join!(statement.execute(&mut **tx), async {
            json_chunk(&mut rows)
        });
        written?;
        next = following?;
    }
    Ok(())
}

/// The next rows as one JSON array of about [`JSON_BYTES_PER_STATEMENT`] bytes, or `None`
/// when no rows are left.
fn json_chunk<'a, T: serde::Serialize + 'a>(
    rows: &mut impl Iterator<Item = &'a T>,
) -> Result<Option<Vec<u8>>, crate::StoreError> {
    let mut json: Vec<u8> = Vec::with_capacity(JSON_BYTES_PER_STATEMENT + 4096);
    for row in rows.by_ref() {
        json.push(if json.is_empty() { b'[' } else { b',' });
        serde_json::to_writer(&mut json, row)
            .map_err(|e| crate::StoreError::Conflict(e.to_string()))?;
        if json.len() >= JSON_BYTES_PER_STATEMENT {
            break;
        }
    }
    if json.is_empty() {
        return Ok(None);
    }
    json.push(b']');
    Ok(Some(json))
}

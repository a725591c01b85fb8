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

#!/usr/bin/env bash
# bench/ops.sh — backup, copy and restore of a database with large evidence files: how much
# memory each takes (the transfers read rows in small batches, an evidence row alone, so the
# peak must not grow with the number or size of the files) and how long.
#
# What it does:
#   1. builds a SQLite database: Turkmenistan's UPR Info file, a small seeded Roadmap, then
#      $FILES evidence files of $MIB MiB each (random bytes, written with sqlite3);
#   2. runs, each under /usr/bin/time: `hrtrack backup`, `hrtrack copy --to sqlite://…`,
#      `hrtrack restore` into a fresh file and, when HRTRACK_BENCH_POSTGRES names a server
#      (postgres://USER@HOST), `hrtrack copy --to` a new database there and back;
#   3. prints each one's peak resident memory and wall time, and the database's size.
#
# Usage: cargo build --release -p hrtrack-cli && bench/ops.sh
# Needs: sqlite3 (psql with HRTRACK_BENCH_POSTGRES). FILES (default 10), MIB (20), HRTRACK_BIN.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${HRTRACK_BIN:-$ROOT/target/release/hrtrack}
FILES=${FILES:-10}
MIB=${MIB:-20}
export HRTRACK_PASSWORD=${HRTRACK_PASSWORD:-bench-password-1}

die() { echo "bench/ops.sh: error: $*" >&2; exit 1; }
command -v sqlite3 >/dev/null 2>&1 || die "sqlite3 is not installed"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is not installed"
[[ -x $BIN ]] || die "no hrtrack binary at $BIN; build it first: cargo build --release -p hrtrack-cli"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hrtrack-ops.XXXXXX")
PGDB=
cleanup() {
    if [[ -n $PGDB ]]; then psql "$HRTRACK_BENCH_POSTGRES/postgres" -qc "DROP DATABASE IF EXISTS $PGDB" >/dev/null 2>&1 || true; fi
    rm -rf "$TMP"
}
trap cleanup EXIT
cd "$TMP"

SRC="sqlite://$TMP/src.db"
"$BIN" --db "$SRC" import upr-info "$ROOT/data/upr/upr_info_turkmenistan_cycles1-2.csv" >/dev/null
"$BIN" --db "$SRC" seed-roadmap --actions 20 --indicators 40 --reports 200 >/dev/null
sqlite3 "$TMP/src.db" <<SQL >/dev/null
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $FILES)
INSERT INTO evidence (report_id, title, file_name, media_type, size, sha256, content, public, created_at)
SELECT (SELECT MIN(id) FROM progress_reports), 'bench ' || i, 'bench' || i || '.pdf', 'application/pdf',
       $MIB * 1048576, '', randomblob($MIB * 1048576), 0, '2026-01-01T00:00:00Z' FROM n;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
printf 'database: %s MB, %s evidence files of %s MiB\n' \
    "$(( $(stat -c %s "$TMP/src.db") / 1000000 ))" "$FILES" "$MIB"

# run NAME ARGS…: runs hrtrack under /usr/bin/time and prints peak RSS and wall time.
run() {
    local name=$1; shift
    /usr/bin/time -f '%M %e' -o "$TMP/time" "$BIN" "$@" >"$TMP/out" 2>"$TMP/err" \
        || { cat "$TMP/err" >&2; die "$name failed"; }
    read -r rss secs <"$TMP/time"
    printf '%-28s peak RSS %6d MB   %6.1f s\n' "$name" "$(( rss / 1024 ))" "$secs"
}

run "backup (VACUUM INTO)" --db "$SRC" backup "$TMP/backup.db"
run "copy SQLite -> SQLite" --db "$SRC" copy --to "sqlite://$TMP/copy.db"
run "restore into SQLite" --db "sqlite://$TMP/restored.db" restore "$TMP/backup.db"
if [[ -n ${HRTRACK_BENCH_POSTGRES:-} ]]; then
    PGDB=hrtrack_ops_bench_$$
    psql "$HRTRACK_BENCH_POSTGRES/postgres" -qc "CREATE DATABASE $PGDB" >/dev/null
    run "copy SQLite -> PostgreSQL" --db "$SRC" copy --to "$HRTRACK_BENCH_POSTGRES/$PGDB"
    run "copy PostgreSQL -> SQLite" --db "$HRTRACK_BENCH_POSTGRES/$PGDB" copy --to "sqlite://$TMP/back.db"
    run "backup PostgreSQL (portable)" --db "$HRTRACK_BENCH_POSTGRES/$PGDB" backup "$TMP/pg-backup.db"
fi

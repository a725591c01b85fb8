#!/usr/bin/env bash
# bench/import.sh — how fast hrtrack imports and answers, against plain sqlite3 as the yardstick.
#
# What it measures (wall-clock, end to end, one process per run, as a user would see it):
#   1. `hrtrack --db sqlite://$TMP/h.db import upr-info FILE` of UPR Info's export of sessions
#      1–20 (41,064 rows, 11 MB; unzipped from data/upr/) into a NEW database each run:
#      process start, migrations, reading and checking the CSV, resolving country names,
#      writing everything in one transaction. N_IMPORT runs (default 5): median and minimum.
#   2. `sqlite3 $TMP/s.db ".import --csv FILE recs"` of the same file into a new database each
#      run: the floor for "put this CSV into SQLite" (no checks, no indexes, every column text).
#      Same number of runs. Then the ratio of the medians, hrtrack / sqlite3; goal: at most 3×.
#   3. `hrtrack --db sqlite://$TMP/h.db stats --json > /dev/null` on the imported database,
#      N_STATS runs (default 20) each, median and 90th percentile, goal under 50 ms, twice:
#      cold (the statistics cache emptied with sqlite3 before each run, so every figure is
#      counted from the tables) and warm (answered from the cache, as every request after the
#      first one following an import is).
#   4. `hrtrack --version`, N_STATS runs: the start-up baseline (process, runtime; no database).
#
# Usage, from anywhere:  cargo build --release -p hrtrack-cli && bench/import.sh
# Environment: HRTRACK_BIN (default target/release/hrtrack), N_IMPORT, N_STATS, STRICT=1 (exit 1
# when a goal is missed). Needs bash ≥ 5 (for $EPOCHREALTIME; falls back to `date +%s%N`),
# sqlite3 ≥ 3.32 (for `.import --csv`), and unzip or python3. Run nothing else meanwhile:
# the figures are only worth anything on an otherwise idle machine.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${HRTRACK_BIN:-$ROOT/target/release/hrtrack}
ZIP=$ROOT/data/upr/upr_info_recommendations_sessions01-20.csv.zip
N_IMPORT=${N_IMPORT:-5}
N_STATS=${N_STATS:-20}
IMPORT_GOAL_RATIO=3
STATS_GOAL_MS=50

die() {
    echo "bench/import.sh: error: $*" >&2
    exit 1
}

command -v sqlite3 >/dev/null 2>&1 \
    || die "sqlite3 is not installed; it is the yardstick of this benchmark (Debian/Ubuntu: apt-get install sqlite3)"
[[ -x $BIN ]] || die "no hrtrack binary at $BIN; build it first: cargo build --release -p hrtrack-cli"
[[ -f $ZIP ]] || die "no data file $ZIP"
import_usage=$(sqlite3 -batch :memory: ".import --help" 2>&1 || true)
[[ $import_usage == *--csv* ]] \
    || die "sqlite3 $(sqlite3 --version | cut -d' ' -f1) is too old for '.import --csv' (3.32 or later needed)"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hrtrack-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

if command -v unzip >/dev/null 2>&1; then
    unzip -q -o "$ZIP" -d "$TMP"
elif command -v python3 >/dev/null 2>&1; then
    python3 -m zipfile -e "$ZIP" "$TMP"
else
    die "neither unzip nor python3 is installed to unzip $ZIP"
fi
CSV=$(find "$TMP" -maxdepth 1 -name '*.csv' | head -n 1)
[[ -n $CSV ]] || die "$ZIP holds no .csv file"
ROWS=$(($(wc -l <"$CSV") - 1))

# Microseconds since the epoch, without starting a process when bash has $EPOCHREALTIME.
now_us() {
    if [[ -n ${EPOCHREALTIME:-} ]]; then
        local t=${EPOCHREALTIME/[.,]/}
        echo "$t"
    else
        echo $(($(date +%s%N) / 1000))
    fi
}

# time_runs N SETUP COMMAND…: runs SETUP (untimed) then COMMAND, N times; prints the
# durations in milliseconds (3 decimals), one per line. Stops the script if COMMAND fails.
time_runs() {
    local n=$1 setup=$2
    shift 2
    local i start end
    for ((i = 0; i < n; i++)); do
        eval "$setup"
        start=$(now_us)
        "$@" >/dev/null || die "failed: $*"
        end=$(now_us)
        awk -v us=$((end - start)) 'BEGIN { printf "%.3f\n", us / 1000 }'
    done
}

# stat KIND: median, min or p90 (nearest rank) of the numbers on standard input.
stat() {
    sort -g | awk -v kind="$1" '
        { v[NR] = $1 }
        END {
            if (NR == 0) { print "nan"; exit }
            if (kind == "min") { x = v[1] }
            else if (kind == "p90") { r = int(0.9 * NR); if (r < 0.9 * NR) r++; x = v[r] }
            else if (NR % 2) { x = v[(NR + 1) / 2] }
            else { x = (v[NR / 2] + v[NR / 2 + 1]) / 2 }
            printf "%.1f", x
        }'
}

H_DB=$TMP/h.db
S_DB=$TMP/s.db
fresh_h='rm -f "$H_DB" "$H_DB-wal" "$H_DB-shm" "$H_DB-journal"'
fresh_s='rm -f "$S_DB" "$S_DB-wal" "$S_DB-shm" "$S_DB-journal"'

echo "hrtrack:  $BIN ($("$BIN" --version))"
echo "sqlite3:  $(sqlite3 --version | cut -d' ' -f1)"
echo "data:     $(basename "$CSV"): $ROWS lines after the header, $(($(wc -c <"$CSV") / 1000)) kB"
echo "machine:  $(nproc) CPU(s), $(uname -sr)"
echo

echo "importing with hrtrack ($N_IMPORT runs)…" >&2
hrtrack_import=$(time_runs "$N_IMPORT" "$fresh_h" "$BIN" --db "sqlite://$H_DB" import upr-info "$CSV")
echo "importing with sqlite3 ($N_IMPORT runs)…" >&2
sqlite_import=$(time_runs "$N_IMPORT" "$fresh_s" sqlite3 -batch "$S_DB" ".import --csv \"$CSV\" recs")

# Both databases as the last runs left them: check they hold the file.
sqlite_rows=$(sqlite3 -batch "$S_DB" "SELECT count(*) FROM recs")
stats_doc=$("$BIN" --db "sqlite://$H_DB" stats --json)
hrtrack_pairs=$(awk -F'[:,]' '/"recommendation_state_pairs"/ { gsub(/ /, "", $2); print $2; exit }' <<<"$stats_doc")

echo "querying with hrtrack ($N_STATS runs each)…" >&2
"$BIN" --db "sqlite://$H_DB" stats --json >/dev/null # warm-up: page cache
clear_cache='sqlite3 -batch "$H_DB" "DELETE FROM stats_cache"'
cold_times=$(time_runs "$N_STATS" "$clear_cache" "$BIN" --db "sqlite://$H_DB" stats --json)
stats_times=$(time_runs "$N_STATS" ":" "$BIN" --db "sqlite://$H_DB" stats --json)
"$BIN" --version >/dev/null
version_times=$(time_runs "$N_STATS" ":" "$BIN" --version)

h_median=$(stat median <<<"$hrtrack_import")
h_min=$(stat min <<<"$hrtrack_import")
s_median=$(stat median <<<"$sqlite_import")
s_min=$(stat min <<<"$sqlite_import")
ratio=$(awk -v h="$h_median" -v s="$s_median" 'BEGIN { printf "%.2f", h / s }')
cold_median=$(stat median <<<"$cold_times")
cold_p90=$(stat p90 <<<"$cold_times")
st_median=$(stat median <<<"$stats_times")
st_p90=$(stat p90 <<<"$stats_times")
v_median=$(stat median <<<"$version_times")
v_p90=$(stat p90 <<<"$version_times")

verdict() { # verdict VALUE LIMIT: "met" when VALUE ≤ LIMIT (or < for strict), else "MISSED"
    awk -v v="$1" -v l="$2" -v strict="${3:-}" \
        'BEGIN { ok = strict ? (v < l) : (v <= l); print ok ? "met" : "MISSED" }'
}
ratio_verdict=$(verdict "$ratio" "$IMPORT_GOAL_RATIO")
cold_verdict=$(verdict "$cold_median" "$STATS_GOAL_MS" strict)
stats_verdict=$(verdict "$st_median" "$STATS_GOAL_MS" strict)

row() { printf '%-44s %5s %10s %10s %10s   %s\n' "$@"; }
echo
row "what" "runs" "median" "min" "p90" "goal"
row "--------------------------------------------" "-----" "----------" "----------" "----------" "-----------------"
row "hrtrack import upr-info (new db each run)" "$N_IMPORT" "$h_median ms" "$h_min ms" "" ""
row "sqlite3 .import --csv (new db each run)" "$N_IMPORT" "$s_median ms" "$s_min ms" "" ""
row "ratio hrtrack / sqlite3 (medians)" "" "${ratio}×" "" "" "≤ ${IMPORT_GOAL_RATIO}×: $ratio_verdict"
row "hrtrack stats --json, cold (counted)" "$N_STATS" "$cold_median ms" "" "$cold_p90 ms" "< ${STATS_GOAL_MS} ms: $cold_verdict"
row "hrtrack stats --json, warm (cached)" "$N_STATS" "$st_median ms" "" "$st_p90 ms" "< ${STATS_GOAL_MS} ms: $stats_verdict"
row "hrtrack --version (start-up baseline)" "$N_STATS" "$v_median ms" "" "$v_p90 ms" ""
echo
echo "check: sqlite3 holds $sqlite_rows rows; hrtrack holds $hrtrack_pairs recommendation–State pairs (CSV: $ROWS lines)"

if [[ ${STRICT:-0} == 1 && ($ratio_verdict != met || $cold_verdict != met || $stats_verdict != met) ]]; then
    exit 1
fi

#!/usr/bin/env bash
# bench/sdg_import.sh — issue 5's import benchmark: 1,000,000 SDG observations as SDMX-CSV 2.x
# through `hrtrack import sdmx-csv` into a new SQLite database, against `sqlite3`'s own
# `.import --csv` of the same file into a new database (the floor: no checks, no keys, every
# column text), in one script; prints both medians and their ratio (goal: at most 3×).
#
# The file: a synthetic SDG dataflow shaped like the SDG DSD (SERIES × REF_AREA × SEX × AGE ×
# URBANISATION × TIME_PERIOD, with UNIT_MEASURE, UNIT_MULT, NATURE and OBS_STATUS), generated
# here with python3 (seeded, so every run imports the same bytes).
#
# Usage: cargo build --release -p hrtrack-cli && bench/sdg_import.sh
# Environment: HRTRACK_BIN, N_RUNS (default 3), OBSERVATIONS (default 1000000).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${HRTRACK_BIN:-$ROOT/target/release/hrtrack}
N_RUNS=${N_RUNS:-3}
OBSERVATIONS=${OBSERVATIONS:-1000000}

die() { echo "bench/sdg_import.sh: error: $*" >&2; exit 1; }
for tool in sqlite3 python3; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done
[[ -x $BIN ]] || die "no hrtrack binary at $BIN; build it first: cargo build --release -p hrtrack-cli"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hrtrack-sdg-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

python3 - "$TMP/data.csv" "$OBSERVATIONS" <<'PY'
import random, sys
path, wanted = sys.argv[1], int(sys.argv[2])
rng = random.Random(5)
series = [f"SE_SYN_{n:03d}" for n in range(100)]
areas = ["TKM"] + [f"TM-{r}" for r in "ABDLMS"] + ["KAZ", "TJK", "UZB"]
sexes = ["F", "M", "_T"]
ages = ["_T", "Y0T14", "Y15T24", "Y25T64", "Y_GE65"]
urban = ["_T", "U", "R"]
years = [str(y) for y in range(2000, 2024)]
with open(path, "w") as f:
    f.write("STRUCTURE,STRUCTURE_ID,ACTION,SERIES,REF_AREA,SEX,AGE,URBANISATION,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE,UNIT_MULT,NATURE,OBS_STATUS\n")
    n = 0
    for s in series:
        for a in areas:
            for x in sexes:
                for g in ages:
                    for u in urban:
                        for y in years:
                            if n >= wanted:
                                break
                            value = round(rng.uniform(0, 100), 2)
                            f.write(f"dataflow,IAEG-SDGs:DF_SDG_GLH(1.0),I,{s},{a},{x},{g},{u},{y},{value},PT,0,C,A\n")
                            n += 1
print(f"{n} observations, {sum(1 for _ in open(path)) - 1} rows")
PY
ls -l "$TMP/data.csv" | awk '{printf "file: %.1f MB\n", $5 / 1e6}'

now() { python3 -c 'import time; print(time.perf_counter())'; }
median() { python3 -c 'import statistics, sys; print(f"{statistics.median(map(float, sys.argv[1:])):.2f}")' "$@"; }

hrtrack_times=()
sqlite_times=()
for run in $(seq 1 "$N_RUNS"); do
    rm -f "$TMP"/h.db* "$TMP"/s.db*
    start=$(now)
    "$BIN" --db "sqlite://$TMP/h.db" import sdmx-csv "$TMP/data.csv" >"$TMP/h.out" 2>&1 || die "hrtrack import failed: $(tail -n 3 "$TMP/h.out")"
    hrtrack_times+=("$(python3 -c "print($(now) - $start)")")
    start=$(now)
    sqlite3 "$TMP/s.db" ".import --csv $TMP/data.csv obs"
    sqlite_times+=("$(python3 -c "print($(now) - $start)")")
    echo "  run $run: hrtrack ${hrtrack_times[-1]:0:6} s, sqlite3 ${sqlite_times[-1]:0:6} s"
done
tail -n 1 "$TMP/h.out"
h=$(median "${hrtrack_times[@]}")
s=$(median "${sqlite_times[@]}")
echo "hrtrack import sdmx-csv: median $h s;  sqlite3 .import --csv: median $s s;  ratio $(python3 -c "print(f'{$h / $s:.2f}')")× (goal ≤ 3×)"

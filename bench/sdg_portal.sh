#!/usr/bin/env bash
# bench/sdg_portal.sh — how fast the public SDG data pages and the data API answer, on the
# bundled Kazakhstan Open SDG folder, each figure next to /healthz measured in the same run.
#
# What it does:
#   1. builds a database: `hrtrack import open-sdg` of data/sdg-timeseries/kazakhstan-open-sdg
#      with --skip-invalid (the folder holds a few files the reader refuses);
#   2. starts `hrtrack serve` on it and waits for /healthz;
#   3. load: wrk, 2 threads, 64 connections, $DURATION s each, on /healthz, the indicator page
#      of 8.5.2 (unemployment rate: ~2,700 observations by region, urbanisation, sex and age)
#      broken down by age, its SDMX-CSV download, and the data API (8.5.2, SEX=F,M since
#      2015), each after one warm-up request (pages are kept rendered per data version; the
#      downloads and the API are not); requests per second, p50 and p99, and the p99 as a
#      ratio to /healthz's; before that, the time of the first (uncached) request of the
#      page by sex, urbanisation, region and age.
#
# Usage: cargo build --release -p hrtrack-cli && bench/sdg_portal.sh
# Needs: wrk (Debian: apt-get install wrk), python3, curl. DURATION (default 30), HRTRACK_BIN.
# Builds nothing. Run nothing else meanwhile.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${HRTRACK_BIN:-$ROOT/target/release/hrtrack}
FOLDER=$ROOT/data/sdg-timeseries/kazakhstan-open-sdg
DURATION=${DURATION:-30}

die() { echo "bench/sdg_portal.sh: error: $*" >&2; exit 1; }
for tool in wrk python3 curl; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done
[[ -x $BIN ]] || die "no hrtrack binary at $BIN; build it first: cargo build --release -p hrtrack-cli"
[[ -d $FOLDER ]] || die "no Kazakhstan folder at $FOLDER"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hrtrack-sdg-portal.XXXXXX")
SERVER_PID=
cleanup() {
    [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

load() { # load ADDRESS PATH: "requests/s p50 p99" from wrk, after one warm-up request
    curl -sf "http://$1$2" >/dev/null || die "GET $2 failed"
    wrk -t2 -c64 -d"${DURATION}s" --latency "http://$1$2" 2>/dev/null | awk '
        /Requests\/sec/ { rps = $2 }
        /^ *50%/ { p50 = $2 }
        /^ *99%/ { p99 = $2 }
        END { print rps, p50, p99 }'
}

# wrk prints latencies as 1.23ms, 456.78us or 1.02s; the ratio of two of them.
ratio() {
    python3 - "$1" "$2" <<'PY'
import re, sys
def ms(text):
    number, unit = re.fullmatch(r"([0-9.]+)(us|ms|s)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
print(f"{ms(sys.argv[1]) / ms(sys.argv[2]):.1f}x")
PY
}

db="$TMP/sdg.db"
start=$(date +%s.%N)
"$BIN" --db "sqlite://$db" import open-sdg "$FOLDER" --skip-invalid >"$TMP/import.out" 2>&1 \
    || die "import failed: $(tail -n 3 "$TMP/import.out")"
echo "import of the Kazakhstan folder: $(python3 -c "print(f'{$(date +%s.%N) - $start:.1f}')") s"

"$BIN" --db "sqlite://$db" serve --addr 127.0.0.1:0 >"$TMP/serve.out" 2>"$TMP/serve.err" &
SERVER_PID=$!
address=
for _ in $(seq 1 600); do
    address=$(sed -n 's#^hrtrack serving on http://##p' "$TMP/serve.out" | head -n 1)
    [[ -n $address ]] && curl -sf "http://$address/healthz" >/dev/null && break
    sleep 0.2
done
[[ -n $address ]] || die "the server did not start: $(cat "$TMP/serve.err")"

PAGE="/sdg/indicators/8.5.2?by=AGE"
DOWNLOAD="/sdg/indicators/8.5.2/data.sdmx.csv?by=AGE"
API="/api/v1/sdg/data/8.5.2?SEX=F,M&startPeriod=2015"
# The page cache answers repeated addresses; the first request of each address renders it.
first=""
for by in SEX URBANISATION REF_AREA AGE; do
    seconds=$(curl -sf -o /dev/null -w '%{time_total}' "http://$address/sdg/indicators/8.5.2?by=$by") \
        || die "GET the page by $by failed"
    first+=" by=$by $(python3 -c "print(f'{$seconds * 1000:.1f}')") ms;"
done
echo "first (uncached) render of the indicator page, one request each:$first"
read -r h_rps h_p50 h_p99 < <(load "$address" /healthz)
printf '%-52s %10s req/s  p50 %9s  p99 %9s\n' "/healthz" "$h_rps" "$h_p50" "$h_p99"
for path in "$PAGE" "$DOWNLOAD" "$API"; do
    read -r rps p50 p99 < <(load "$address" "$path")
    printf '%-52s %10s req/s  p50 %9s  p99 %9s  (p99 %s of /healthz)\n' \
        "$path" "$rps" "$p50" "$p99" "$(ratio "$p99" "$h_p99")"
done
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=

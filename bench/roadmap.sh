#!/usr/bin/env bash
# bench/roadmap.sh — how fast the Roadmap's busiest pages answer under load, next to /healthz
# measured in the same run, on a seeded Roadmap of issue 4's size.
#
# What it does:
#   1. builds a database with the bundled registry (`hrtrack demo`, 40k recommendations) and
#      seeds a synthetic Roadmap through the store's own calls (`hrtrack seed-roadmap`):
#      $ACTIONS actions (default 300), $INDICATORS indicators (1,000) and $REPORTS progress
#      reports (20,000; one in ten taken through submit → validate → publish), 12
#      institutions with a focal point each, published assessments; prints how long it took;
#   2. starts `hrtrack serve`, signs in as the coordinator through the login form;
#   3. wrk, 2 threads, 64 connections, $DURATION s each, after one warm-up request, on:
#      /healthz; the institution dashboard /roadmap/institutions/1 (signed in: actions, due
#      and overdue reports, reports by status, roll-up); a recommendation page with its
#      Roadmap section and its review's roll-up, anonymous and signed in; the calendar API;
#   4. prints requests per second, p50 and p99 of each, and each p99 and rate as a ratio to
#      /healthz's; then the server's resident memory.
#
# Usage: cargo build --release -p hrtrack-cli && bench/roadmap.sh
# Needs: wrk, python3, curl. DURATION (default 20), ACTIONS, INDICATORS, REPORTS, HRTRACK_BIN.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${HRTRACK_BIN:-$ROOT/target/release/hrtrack}
DURATION=${DURATION:-20}
ACTIONS=${ACTIONS:-300}
INDICATORS=${INDICATORS:-1000}
REPORTS=${REPORTS:-20000}
export HRTRACK_PASSWORD=${HRTRACK_PASSWORD:-bench-password-1}

die() { echo "bench/roadmap.sh: error: $*" >&2; exit 1; }
for tool in wrk python3 curl; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done
[[ -x $BIN ]] || die "no hrtrack binary at $BIN; build it first: cargo build --release -p hrtrack-cli"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hrtrack-roadmap.XXXXXX")
SERVER_PID=
cleanup() {
    [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
DB="sqlite://$TMP/bench.db"

echo "== seeding =="
"$BIN" --db "$DB" demo >/dev/null
"$BIN" --db "$DB" seed-roadmap --actions "$ACTIONS" --indicators "$INDICATORS" --reports "$REPORTS"

"$BIN" --db "$DB" serve --addr 127.0.0.1:0 >"$TMP/serve.out" 2>"$TMP/serve.err" &
SERVER_PID=$!
address=
for _ in $(seq 1 600); do
    address=$(sed -n 's#^hrtrack serving on http://##p' "$TMP/serve.out" | head -n 1)
    [[ -n $address ]] && curl -sf "http://$address/healthz" >/dev/null && break
    sleep 0.2
done
[[ -n $address ]] || die "the server did not start: $(cat "$TMP/serve.err")"

# Sign in through the form, as a person would.
curl -s -o /dev/null -c "$TMP/cookies" -X POST "http://$address/login" \
    --data-urlencode "name=coordinator" --data-urlencode "password=$HRTRACK_PASSWORD"
session=$(awk '$6 == "hrtrack_session" { print $7 }' "$TMP/cookies")
[[ -n $session ]] || die "could not sign in as the coordinator"
COOKIE="Cookie: hrtrack_session=$session"
uid=$(curl -sf -H "$COOKIE" "http://$address/api/v1/roadmaps/1/actions" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["items"][0]["recommendations"][0])')

load() { # load PATH [HEADER]: "requests/s p50 p99" from wrk, after one warm-up request
    local path=$1 header=${2:-X-Bench: 1}
    curl -sf -H "$header" "http://$address$path" >/dev/null || die "GET $path failed"
    wrk -t2 -c64 -d"${DURATION}s" --latency -H "$header" "http://$address$path" 2>/dev/null | awk '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
        /Requests\/sec/ { rps = $2 }
        /^ *50%/ { p50 = ms($2) }
        /^ *99%/ { p99 = ms($2) }
        END { printf "%s %.2f %.2f\n", rps, p50, p99 }'
}

echo "== load (wrk -t2 -c64 -d${DURATION}s) =="
read -r h_rps h_p50 h_p99 < <(load /healthz)
printf '  %-52s %9s req/s  p50 %7s ms  p99 %7s ms\n' "/healthz" "$h_rps" "$h_p50" "$h_p99"
report() { # report LABEL PATH [HEADER]
    read -r rps p50 p99 < <(load "$2" "${3:-X-Bench: 1}")
    python3 - "$1" "$rps" "$p50" "$p99" "$h_rps" "$h_p99" <<'PY'
import sys
label, rps, p50, p99, h_rps, h_p99 = sys.argv[1], *map(float, sys.argv[2:])
print(f"  {label:<52} {rps:9.0f} req/s  p50 {p50:7.2f} ms  p99 {p99:7.2f} ms"
      f"  (p99 {p99 / h_p99:5.1f}× /healthz's, rate {rps / h_rps * 100:4.0f}%)")
PY
}
report "institution dashboard /roadmap/institutions/1" /roadmap/institutions/1 "$COOKIE"
report "recommendation page with roll-ups (public)" "/recommendations/$uid"
report "recommendation page with roll-ups (coordinator)" "/recommendations/$uid" "$COOKIE"
report "/api/v1/calendar?institution=1 (coordinator)" "/api/v1/calendar?institution=1" "$COOKIE"
echo "  server memory: $(grep -E 'VmRSS|VmHWM' "/proc/$SERVER_PID/status" | tr -s ' ' | tr '\n' ' ')"

#!/usr/bin/env bash
# bench/portal.sh — how fast the portal, the API and the search answer, on the real UPR Info data
# (41k recommendations) and on a 300k-recommendation corpus made by repeating it with varied
# texts, each figure next to /healthz measured in the same run.
#
# What it does, for each corpus:
#   1. builds a database (41k: `hrtrack import upr-info` of the bundled file; 300k: the same
#      file repeated with every copy's clauses shuffled and a distinct word appended, so texts
#      differ, as in bench notes of the project's research: worst case for common words);
#   2. starts `hrtrack serve` on it and waits for /healthz;
#   3. search latency: 200 queries (1-, 2- and 3-word, drawn from the corpus' frequent words,
#      half of them with a facet filter) through /api/v1/recommendations?q=… one at a time;
#      p50 and p99 per query length (HTTP on loopback included);
#   4. load: wrk, 2 threads, 64 connections, $DURATION s each, on /healthz, the list page
#      /recommendations?q=…, and /api/v1/recommendations?q=…, each after one warm-up request
#      (pages are kept rendered per data version; the API is not); requests per second and
#      p99, and each rate as a ratio to /healthz;
#   5. the server's resident memory (VmRSS, VmHWM) after the load.
# Goals (issue 3): search p99 < 20 ms at 300k; list page ≥ 30 % of the /healthz rate; memory
# < 300 MB at 300k.
#
# Usage: cargo build --release -p hrtrack-cli && bench/portal.sh
# Needs: wrk (Debian: apt-get install wrk), python3, curl. DURATION (default 30), CORPORA
# (default "41k 300k"), HRTRACK_BIN. Run nothing else meanwhile.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${HRTRACK_BIN:-$ROOT/target/release/hrtrack}
ZIP=$ROOT/data/upr/upr_info_recommendations_sessions01-20.csv.zip
DURATION=${DURATION:-30}
CORPORA=${CORPORA:-"41k 300k"}

die() { echo "bench/portal.sh: error: $*" >&2; exit 1; }
for tool in wrk python3 curl; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done
[[ -x $BIN ]] || die "no hrtrack binary at $BIN; build it first: cargo build --release -p hrtrack-cli"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hrtrack-portal.XXXXXX")
SERVER_PID=
cleanup() {
    [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

python3 - "$ZIP" "$TMP" <<'PY'
import csv, io, random, sys, zipfile
zip_path, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(zip_path) as z:
    name = [n for n in z.namelist() if n.endswith(".csv")][0]
    text = z.read(name).decode("utf-8")
rows = list(csv.reader(io.StringIO(text)))
header, body = rows[0], rows[1:]
with open(f"{out}/41k.csv", "w", newline="") as f:
    csv.writer(f).writerows(rows)
# 300k recommendation-State rows: copy k > 0 has its clauses shuffled and "variant{k}" added.
col = header.index("recommendation")
rng = random.Random(42)
target = 300_000
out_rows = [header]
k = 0
while len(out_rows) - 1 < target:
    for row in body:
        if len(out_rows) - 1 >= target:
            break
        if k:
            row = list(row)
            clauses = [c.strip() for c in row[col].replace(";", ",").split(",") if c.strip()]
            rng.shuffle(clauses)
            row[col] = ", ".join(clauses) + f" variant{k}"
        out_rows.append(row)
    k += 1
with open(f"{out}/300k.csv", "w", newline="") as f:
    csv.writer(f).writerows(out_rows)
# Queries: frequent content words, and adjacent pairs and triples of them.
stop = set("the a an of and to in for on with by its all as at be or from that this is are their its into".split())
words = {}
for row in body:
    toks = [t.strip(".,;:()\"'").lower() for t in row[col].split()]
    toks = [t for t in toks if t.isalpha() and t not in stop and len(t) > 2]
    for t in toks:
        words[t] = words.get(t, 0) + 1
top = [w for w, _ in sorted(words.items(), key=lambda x: -x[1])[:300]]
rng2 = random.Random(7)
queries = []
for n in (1, 2, 3):
    for _ in range(67 if n < 3 else 66):
        queries.append(" ".join(rng2.sample(top[:120], n)) if n > 1 else rng2.choice(top))
with open(f"{out}/queries.txt", "w") as f:
    f.write("\n".join(queries) + "\n")
PY

latency() { # latency ADDRESS: p50/p99 per query length through the API
    python3 - "$1" "$TMP/queries.txt" <<'PY'
import sys, time, urllib.parse, urllib.request
address, path = sys.argv[1], sys.argv[2]
queries = [q for q in open(path).read().splitlines() if q]
facets = ["", "&position=noted", "&group=WEOG", "&cycle=2"]
samples = {1: [], 2: [], 3: []}
for i, q in enumerate(queries * 2):
    url = f"http://{address}/api/v1/recommendations?per_page=20&q={urllib.parse.quote(q)}{facets[i % len(facets)]}"
    start = time.perf_counter()
    with urllib.request.urlopen(url) as response:
        response.read()
    samples[len(q.split())].append((time.perf_counter() - start) * 1000)
def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]
for n, v in samples.items():
    print(f"  search {n} word(s), with or without a facet: p50 {pct(v, 50):6.1f} ms   p99 {pct(v, 99):6.1f} ms   ({len(v)} requests)")
PY
}

load() { # load ADDRESS PATH: "requests/s p99" from wrk, after one warm-up request
    curl -sf "http://$1$2" >/dev/null
    wrk -t2 -c64 -d"${DURATION}s" --latency "http://$1$2" 2>/dev/null | awk '
        /Requests\/sec/ { rps = $2 }
        /^ *99%/ { p99 = $2 }
        END { print rps, p99 }'
}

for corpus in $CORPORA; do
    db="$TMP/$corpus.db"
    echo "== $corpus corpus =="
    start=$(date +%s.%N)
    "$BIN" --db "sqlite://$db" import upr-info "$TMP/$corpus.csv" | tail -n 1
    echo "  import: $(python3 -c "print(f'{$(date +%s.%N) - $start:.1f}')") s"
    "$BIN" --db "sqlite://$db" serve --addr 127.0.0.1:0 >"$TMP/serve.out" 2>"$TMP/serve.err" &
    SERVER_PID=$!
    for _ in $(seq 1 600); do
        address=$(sed -n 's#^hrtrack serving on http://##p' "$TMP/serve.out" | head -n 1)
        [[ -n $address ]] && curl -sf "http://$address/healthz" >/dev/null && break
        sleep 0.2
    done
    [[ -n $address ]] || die "the server did not start: $(cat "$TMP/serve.err")"
    latency "$address"
    read -r h_rps h_p99 < <(load "$address" /healthz)
    read -r l_rps l_p99 < <(load "$address" "/recommendations?q=torture")
    read -r a_rps a_p99 < <(load "$address" "/api/v1/recommendations?q=women%20rights")
    ratio() { python3 -c "print(f'{float(\"$1\") / float(\"$2\") * 100:.0f}%')"; }
    printf '  %-44s %10s req/s  p99 %8s\n' "/healthz" "$h_rps" "$h_p99"
    printf '  %-44s %10s req/s  p99 %8s  (%s of /healthz)\n' "/recommendations?q=torture" "$l_rps" "$l_p99" "$(ratio "$l_rps" "$h_rps")"
    printf '  %-44s %10s req/s  p99 %8s  (%s of /healthz)\n' "/api/v1/recommendations?q=women rights" "$a_rps" "$a_p99" "$(ratio "$a_rps" "$h_rps")"
    echo "  server memory: $(grep -E 'VmRSS|VmHWM|RssAnon|RssFile' "/proc/$SERVER_PID/status" | tr -s ' ' | tr '\n' ' ')"
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
done

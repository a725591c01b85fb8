#!/usr/bin/env bash
# bench/hostile.sh — what hostile input and load cost the server, against the goals of issue 10:
# any single hostile upload raises the server's resident memory by less than 100 MB; /healthz
# p99 stays under 100 ms while two hostile uploads, 100 concurrent sign-ins or 200 concurrent
# page requests right after an import run; no HTTP 5xx in any of those runs.
#
# What it does (127.0.0.1 only; every step bounded in count and time; stops by itself):
#   1. builds a database: the bundled Slovenia UPR matrix, a statistician `bench` (password
#      from this script), and starts `hrtrack serve` on it (port chosen by the system);
#   2. writes three hostile XLSX files with python3's zipfile: `shared-strings.xlsx` (its
#      sharedStrings.xml declares uniqueCount="4000000000"), `zip-bomb.xlsx` (~700 KB that
#      inflate to ~700 MB of sheet XML) and `huge-extent.xlsx` (two cells, A1 and XFD1048576,
#      dimension A1:XFD1048576);
#   3. uploads each one alone as an SDG submission (`POST /api/v1/sdg/submissions`, signed in
#      as `bench`) and prints the server's VmRSS before and after and its VmHWM (peak) rise,
#      from /proc/PID/status;
#   4. three runs, each with /healthz asked every 20 ms on its own connection meanwhile:
#      (a) two zip-bomb uploads at once, (b) 100 concurrent sign-ins (unknown names, wrong
#      passwords), (c) an import (UPR Info's Turkmenistan rows, which changes the data version)
#      and then 200 concurrent requests over five public pages; for each, /healthz p50, p99 and
#      max, and the count of HTTP 5xx (the load's and /healthz's);
#   5. the server's memory rise while 10, then 40 clients download one public 20 MiB evidence
#      file at once (put on a report of a small `seed-roadmap` Roadmap with sqlite3).
#
# Usage: cargo build --release -p hrtrack-cli && bench/hostile.sh
# Needs: python3, curl, sqlite3. HRTRACK_BIN (default target/release/hrtrack). Builds nothing. Kills only
# the server it started. Run nothing else meanwhile: the figures are of this machine.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${HRTRACK_BIN:-$ROOT/target/release/hrtrack}
SLOVENIA=$ROOT/data/upr/upr48-slovenia-thematic-list-of-recommendations.docx
TURKMENISTAN=$ROOT/data/upr/upr_info_turkmenistan_cycles1-2.csv
PASSWORD='bench-hostile-password-1'

die() { echo "bench/hostile.sh: error: $*" >&2; exit 1; }
for tool in python3 curl sqlite3; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done
[[ -x $BIN ]] || die "no hrtrack binary at $BIN; build it first: cargo build --release -p hrtrack-cli"
[[ -f $SLOVENIA ]] || die "missing $SLOVENIA"
[[ -f $TURKMENISTAN ]] || die "missing $TURKMENISTAN"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hrtrack-hostile.XXXXXX")
SERVER_PID=
cleanup() {
    if [[ -n $SERVER_PID ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

db="sqlite://$TMP/hostile.db"
timeout 300 "$BIN" --db "$db" import ohchr-matrix "$SLOVENIA" >"$TMP/import.out" 2>&1 \
    || die "import failed: $(tail -n 3 "$TMP/import.out")"
HRTRACK_PASSWORD=$PASSWORD timeout 60 "$BIN" --db "$db" user add bench --role statistician \
    >"$TMP/user.out" 2>&1 || die "user add failed: $(tail -n 3 "$TMP/user.out")"

# A small Roadmap with published reports, and a public 20 MiB evidence file on the first of them
# (written with sqlite3, as an upload would store it) for the download run (d).
HRTRACK_PASSWORD=$PASSWORD timeout 120 "$BIN" --db "$db" seed-roadmap --actions 3 --indicators 3 \
    --reports 12 >"$TMP/seed.out" 2>&1 || die "seed-roadmap failed: $(tail -n 3 "$TMP/seed.out")"
EVIDENCE_ID=$(sqlite3 "$TMP/hostile.db" "INSERT INTO evidence (report_id, title, file_name, \
    media_type, size, sha256, content, public, created_at) SELECT r.id, 'bench', 'bench.pdf', \
    'application/pdf', 20971520, '', zeroblob(20971520), 1, '2026-01-01T00:00:00Z' \
    FROM progress_reports r JOIN actions a ON a.id = r.action_id \
    WHERE r.status = 'published' AND a.published = 1 ORDER BY r.id LIMIT 1 RETURNING id;")
[[ -n $EVIDENCE_ID ]] || die "no published report to put the evidence file on"

"$BIN" --db "$db" serve --addr 127.0.0.1:0 >"$TMP/serve.out" 2>"$TMP/serve.err" &
SERVER_PID=$!
address=
for _ in $(seq 1 600); do
    address=$(sed -n 's#^hrtrack serving on http://##p' "$TMP/serve.out" | head -n 1)
    [[ -n $address ]] && curl -sf "http://$address/healthz" >/dev/null && break
    address=
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.2
done
[[ -n $address ]] || die "the server did not start: $(tail -n 5 "$TMP/serve.err")"
echo "server: $BIN (pid $SERVER_PID) on $address"

timeout 900 python3 - "$address" "$SERVER_PID" "$TMP" "$PASSWORD" "$BIN" "$db" "$TURKMENISTAN" \
    "$EVIDENCE_ID" <<'PY'
import http.client, io, json, os, re, subprocess, sys, threading, time, uuid, zipfile
from concurrent.futures import ThreadPoolExecutor

address, pid, tmp, password, binary, db, turkmenistan, evidence_id = sys.argv[1:9]
host, port = address.rsplit(":", 1)
port = int(port)
MB = 1024 * 1024

def status_kb(field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise SystemExit(f"no {field} for pid {pid}: the server has ended")

def request(method, path, body=None, headers=None, timeout=120):
    """(status, headers, body, seconds); status 0 when the connection failed."""
    started = time.monotonic()
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return response.status, response.headers, data, time.monotonic() - started
    except Exception as error:  # a refused or cut connection counts as a failure
        return 0, {}, str(error).encode(), time.monotonic() - started
    finally:
        conn.close()

# ---- hostile files ----
CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '</Types>')
ROOT_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    '</Relationships>')
WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="About" sheetId="1" r:id="rId1"/><sheet name="Data" sheetId="2" r:id="rId3"/>'
    '</sheets></workbook>')
WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/>'
    '</Relationships>')
SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<dimension ref="{dim}"/><sheetData>')
SHEET_TAIL = '</sheetData></worksheet>'
# Sheet About, as in the template: the indicator in B1.
ABOUT = (SHEET_HEAD.format(dim="A1:B1") + '<row r="1"><c r="A1" t="inlineStr"><is><t>indicator</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>5.5.1</t></is></c></row>' + SHEET_TAIL)
SHARED = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'count="{count}" uniqueCount="{count}"><si><t>Year</t></si></sst>')

def xlsx(path, sheet_parts, dim="A1:B2", shared_count=1):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr("xl/sharedStrings.xml", SHARED.format(count=shared_count))
        z.writestr("xl/worksheets/sheet1.xml", ABOUT)
        with z.open("xl/worksheets/sheet2.xml", "w", force_zip64=True) as sheet:
            sheet.write(SHEET_HEAD.format(dim=dim).encode())
            for part in sheet_parts:
                sheet.write(part)
            sheet.write(SHEET_TAIL.encode())
    return path

# Row 1 of sheet Data as the template has it, so that readers go on to the rows.
HEADER = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>TIME_PERIOD</t></is></c>'
          b'<c r="B1" t="inlineStr"><is><t>OBS_VALUE</t></is></c></row>')

def bomb_rows():
    # ~700 MB of sheet XML: 100 rows per MB, blanks between them (deflate packs it ~1000 to 1).
    yield HEADER
    rows = b'<row><c t="inlineStr"><is><t>2020</t></is></c><c><v>1</v></c></row>' * 100
    chunk = rows + b' ' * (MB - len(rows))
    for _ in range(700):
        yield chunk

files = {
    "shared-strings": xlsx(f"{tmp}/shared-strings.xlsx",
        [HEADER, b'<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2"><v>1</v></c></row>'],
        shared_count=4000000000),
    "zip-bomb": xlsx(f"{tmp}/zip-bomb.xlsx", bomb_rows()),
    "huge-extent": xlsx(f"{tmp}/huge-extent.xlsx",
        [HEADER, b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'], dim="A1:XFD1048576"),
}
for name, path in files.items():
    print(f"hostile file {name}.xlsx: {os.path.getsize(path) / 1024:.0f} KB")

# ---- signing in as the statistician ----
status, headers, _, _ = request("POST", "/login",
    f"name=bench&password={password}&next=/sdg/submit",
    {"Content-Type": "application/x-www-form-urlencoded"})
cookie = (headers.get("Set-Cookie") or "").split(";")[0]
if status != 303 or not cookie:
    raise SystemExit(f"sign-in as bench failed: HTTP {status}")
status, _, page, _ = request("GET", "/sdg/submit", headers={"Cookie": cookie})
match = re.search(rb'name="csrf" value="([^"]+)"', page)
if not match:
    raise SystemExit(f"no CSRF token on /sdg/submit (HTTP {status})")
csrf = match.group(1).decode()

def upload(path):
    boundary = uuid.uuid4().hex
    name = os.path.basename(path)
    with open(path, "rb") as f:
        content = f.read()
    body = io.BytesIO()
    for field, value in (("indicator", "5.5.1"), ("note", "bench")):
        body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"\r\n\r\n{value}\r\n'.encode())
    body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
               'Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n'.encode())
    body.write(content)
    body.write(f"\r\n--{boundary}--\r\n".encode())
    return request("POST", "/api/v1/sdg/submissions", body.getvalue(), {
        "Cookie": cookie, "X-CSRF-Token": csrf,
        "Content-Type": f"multipart/form-data; boundary={boundary}"}, timeout=300)

def verdict(ok):
    return "meets the goal" if ok else "MISSES the goal"

# ---- memory per hostile upload, one at a time ----
print()
print("memory, one hostile upload at a time (goal: < 100 MB rise):")
for name, path in files.items():
    time.sleep(1)
    before, peak_before = status_kb("VmRSS"), status_kb("VmHWM")
    status, _, body, seconds = upload(path)
    time.sleep(0.5)
    after, peak_after = status_kb("VmRSS"), status_kb("VmHWM")
    rise = max(after - before, peak_after - max(peak_before, before)) / 1024
    print(f"  {name + '.xlsx':22} HTTP {status} in {seconds:6.2f} s; VmRSS {before / 1024:6.1f} -> "
          f"{after / 1024:6.1f} MB, VmHWM {peak_before / 1024:6.1f} -> {peak_after / 1024:6.1f} MB; "
          f"rise {rise:6.1f} MB: {verdict(rise < 100 and 0 < status < 500)}")
    try:
        error = json.loads(body)["error"]
        problems = (error.get("report") or {}).get("problems") or [{}]
        said = f"{error['code']}: {problems[0].get('message') or error['message']}"
    except (ValueError, KeyError, TypeError):
        said = body[:160].decode(errors="replace")
    print(f"  {'':22} {said[:200]}")

# ---- /healthz while loaded ----
def with_health_probe(label, load):
    latencies, failures, stop = [], [0], threading.Event()
    def probe():
        while not stop.is_set():
            status, _, _, seconds = request("GET", "/healthz", timeout=30)
            latencies.append(seconds)
            if status != 200:
                failures[0] += 1
            time.sleep(0.02)
    prober = threading.Thread(target=probe)
    prober.start()
    time.sleep(0.2)
    started = time.monotonic()
    statuses = load()
    elapsed = time.monotonic() - started
    time.sleep(0.2)
    stop.set()
    prober.join()
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
    server_errors = sum(1 for s in statuses if s >= 500 or s == 0)
    print(f"({label}) {len(statuses)} requests in {elapsed:.1f} s, statuses "
          f"{dict(sorted((s, statuses.count(s)) for s in set(statuses)))}; /healthz x{len(latencies)}: "
          f"p50 {pick(0.5):.1f} ms, p99 {pick(0.99):.1f} ms, max {latencies[-1] * 1000:.1f} ms, "
          f"{failures[0]} not 200; 5xx (load + /healthz): {server_errors + failures[0]}")
    print(f"    goal p99 < 100 ms: {verdict(pick(0.99) < 100)}; goal no 5xx: {verdict(server_errors + failures[0] == 0)}")

print()
print("/healthz while loaded (asked every 20 ms, one connection each):")
def two_uploads():
    with ThreadPoolExecutor(2) as pool:
        return [r[0] for r in pool.map(upload, [files["zip-bomb"]] * 2)]
with_health_probe("a: two zip-bomb uploads at once", two_uploads)

def sign_ins():
    def one(n):
        return request("POST", "/login", f"name=bench-miss-{n}&password=wrong-password-{n}",
                       {"Content-Type": "application/x-www-form-urlencoded"})[0]
    with ThreadPoolExecutor(100) as pool:
        return list(pool.map(one, range(100)))
with_health_probe("b: 100 concurrent sign-ins", sign_ins)

def pages_after_import():
    done = subprocess.run([binary, "--db", db, "import", "upr-info", turkmenistan],
                          capture_output=True, timeout=300)
    if done.returncode != 0:
        raise SystemExit(f"import failed: {done.stderr.decode()[-300:]}")
    time.sleep(1.5)  # the server's index (and with it the page cache's version) catches up
    paths = ["/", "/recommendations", "/recommendations?state=SVN",
             "/recommendations?state=TKM", "/states/TKM"]
    with ThreadPoolExecutor(200) as pool:
        return list(pool.map(lambda n: request("GET", paths[n % len(paths)])[0], range(200)))
with_health_probe("c: import, then 200 concurrent page requests", pages_after_import)

# ---- memory while clients download a 20 MiB evidence file ----
# The old code held each download whole (40 at once: +900 MB). Now a download holds a 256 KiB
# part, and the database's page caches (16 MiB per SQLite connection) and two part reads at
# once are the fixed cost: 10 downloads and then 40 should cost about the same.
print()
print("memory, public downloads of a 20 MiB evidence file, 10 then 40 at once "
      "(goal: 40 cost no more than 10, within 50 MB; and a rise < 200 MB):")
def download(_):
    status, _, data, _ = request("GET", f"/api/v1/evidence/{evidence_id}", timeout=300)
    return status, len(data)
time.sleep(1)
base_rss, base_peak = status_kb("VmRSS"), status_kb("VmHWM")
rises = []
for clients in (10, 40):
    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(download, range(clients)))
    seconds = time.monotonic() - started
    after, peak = status_kb("VmRSS"), status_kb("VmHWM")
    rise = max(after - base_rss, peak - max(base_peak, base_rss)) / 1024
    rises.append(rise)
    whole = sum(1 for status, size in results if status == 200 and size == 20 * MB)
    print(f"  {clients:2} at once: {whole} of {clients} whole (200, 20 MiB) in {seconds:.1f} s; "
          f"VmRSS {base_rss / 1024:.1f} -> {after / 1024:.1f} MB, VmHWM {base_peak / 1024:.1f} -> "
          f"{peak / 1024:.1f} MB; rise {rise:.1f} MB")
    if whole != clients:
        print("  MISSES the goal: a download was cut short")
print(f"  40 at once cost {rises[1] - rises[0]:+.1f} MB more than 10: "
      f"{verdict(rises[1] - rises[0] < 50 and rises[1] < 200)}")
PY
kill "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=

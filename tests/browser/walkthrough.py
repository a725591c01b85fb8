#!/usr/bin/env python3
"""Browser walkthrough of the hrtrack portal in headless Chromium.

Starts `hrtrack serve --demo` on a free port and `chromedriver`, then drives
Chromium the way a person would: search -> facet -> recommendation page ->
language switch -> download, plus a look at phone width. Screenshots of each
step go to SCREENSHOT_DIR (default target/browser-screenshots/).

Needs only the Python 3 standard library: it speaks the W3C WebDriver
protocol to chromedriver itself (see WebDriver below).

Usage:
    python3 tests/browser/walkthrough.py [HRTRACK_BIN [SCREENSHOT_DIR]]

Environment (used when the arguments are absent):
    HRTRACK_BIN       the hrtrack binary (default target/release/hrtrack)
    SCREENSHOT_DIR    where the PNGs go (default target/browser-screenshots)
    CHROMIUM_BIN      default /usr/bin/chromium
    CHROMEDRIVER_BIN  default: chromedriver on PATH, else /usr/bin/chromedriver

Prints one line per step and ends with "N passed, M failed"; the exit status
is 0 only when every step passed.
"""

import base64
import csv
import io
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf"
SERVER_START_TIMEOUT = 90.0  # the demo database is built on first start
STEP_WAIT = 10.0


class StepFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise StepFailed(message)


# ---------------------------------------------------------------- HTTP ----

def http(method, url, body=None, timeout=30.0):
    """One HTTP request; returns (status, headers, bytes), never raises on 4xx/5xx."""
    data = None
    headers = {}
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        headers["Content-Type"] = "application/json; charset=utf-8"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


# ----------------------------------------------------------- WebDriver ----

class WebDriverError(Exception):
    pass


class WebDriver:
    """A minimal W3C WebDriver client for chromedriver."""

    def __init__(self, base_url):
        self.base = base_url.rstrip("/")
        self.session = None

    def _call(self, method, path, body=None):
        status, _, raw = http(method, self.base + path, body, timeout=60.0)
        try:
            payload = json.loads(raw.decode("utf-8")) if raw else {}
        except ValueError:
            raise WebDriverError(f"{method} {path}: HTTP {status}, not JSON: {raw[:200]!r}")
        value = payload.get("value") if isinstance(payload, dict) else None
        if status >= 400 or (isinstance(value, dict) and "error" in value and status != 200):
            if isinstance(value, dict):
                raise WebDriverError(
                    f"{method} {path}: {value.get('error')}: "
                    f"{(value.get('message') or '').splitlines()[0] if value.get('message') else ''}"
                )
            raise WebDriverError(f"{method} {path}: HTTP {status}")
        return value

    def s(self, method, path, body=None):
        return self._call(method, f"/session/{self.session}{path}", body)

    def start(self, capabilities):
        value = self._call("POST", "/session", {"capabilities": {"alwaysMatch": capabilities}})
        self.session = value["sessionId"]
        self.s("POST", "/timeouts", {"implicit": 0, "pageLoad": 30000, "script": 10000})
        return value

    def quit(self):
        if self.session:
            try:
                self._call("DELETE", f"/session/{self.session}")
            finally:
                self.session = None

    # navigation
    def get(self, url):
        self.s("POST", "/url", {"url": url})

    def url(self):
        return self.s("GET", "/url")

    def back(self):
        self.s("POST", "/back", {})

    def title(self):
        return self.s("GET", "/title")

    # elements
    def find_all(self, css, within=None):
        body = {"using": "css selector", "value": css}
        if within is None:
            found = self.s("POST", "/elements", body)
        else:
            found = self.s("POST", f"/element/{within}/elements", body)
        return [item[ELEMENT_KEY] for item in found]

    def find(self, css, within=None):
        found = self.find_all(css, within)
        check(found, f"no element matches {css!r}")
        return found[0]

    def click(self, element):
        self.s("POST", f"/element/{element}/click", {})

    def clear(self, element):
        self.s("POST", f"/element/{element}/clear", {})

    def type(self, element, text):
        self.s("POST", f"/element/{element}/value", {"text": text})

    def text(self, element):
        return self.s("GET", f"/element/{element}/text")

    def prop(self, element, name):
        return self.s("GET", f"/element/{element}/property/{name}")

    def js(self, script, *args):
        return self.s("POST", "/execute/sync", {"script": script, "args": list(args)})

    # window and pictures
    def set_window(self, width, height):
        return self.s("POST", "/window/rect", {"width": width, "height": height})

    def screenshot(self, path):
        png = base64.b64decode(self.s("GET", "/screenshot"))
        with open(path, "wb") as out:
            out.write(png)
        return len(png)

    def wait(self, predicate, what, timeout=STEP_WAIT):
        deadline = time.monotonic() + timeout
        last_error = None
        while time.monotonic() < deadline:
            try:
                result = predicate()
                if result:
                    return result
            except (WebDriverError, StepFailed) as error:
                last_error = error
            time.sleep(0.05)
        raise StepFailed(f"timed out after {timeout:.0f} s waiting for {what}"
                         + (f" (last error: {last_error})" if last_error else ""))

    def wait_loaded(self, previous_url=None):
        """Waits until the URL changed from `previous_url` and the document is complete."""
        if previous_url is not None:
            self.wait(lambda: self.url() != previous_url, f"a new page after {previous_url}")
        self.wait(lambda: self.js("return document.readyState") == "complete", "the page to load")


# ------------------------------------------------------------ processes ----

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(process, name):
    """SIGTERM the process group we started, then SIGKILL if it lingers."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        print(f"  ({name} did not stop on SIGTERM; killing it)")
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=5)


def read_first_line(process, timeout):
    """The first stdout line of `process`, or None when it exits or times out."""
    deadline = time.monotonic() + timeout
    buffer = b""
    fd = process.stdout.fileno()
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            chunk = os.read(fd, 4096)
            if not chunk:
                return None
            buffer += chunk
            if b"\n" in buffer:
                line, rest = buffer.split(b"\n", 1)
                return line.decode("utf-8", "replace"), rest
        elif process.poll() is not None:
            return None
    return None


def drain(stream, sink):
    for line in iter(stream.readline, b""):
        sink.write(line)
        sink.flush()


def tail(path, lines=20):
    try:
        with open(path, "r", encoding="utf-8", errors="replace") as log:
            return "".join(log.readlines()[-lines:])
    except OSError:
        return ""


# -------------------------------------------------------------- the walk ----

class Walk:
    def __init__(self, wd, base, shots):
        self.wd = wd
        self.base = base
        self.shots = shots
        self.state = {}

    def shot(self, name):
        size = self.wd.screenshot(os.path.join(self.shots, name))
        check(size > 1000, f"screenshot {name} is only {size} bytes")
        return name

    def query(self):
        return urllib.parse.parse_qs(urllib.parse.urlsplit(self.wd.url()).query)

    def found_count(self):
        text = self.wd.text(self.wd.find("#found"))
        numbers = re.findall(r"\d+", text.replace("\u00a0", "").replace(" ", ""))
        check(numbers, f"no number in the result count {text!r}")
        return int(numbers[0]), text

    def step_search(self):
        wd = self.wd
        start = self.base + "/recommendations?lang=en"
        wd.get(start)
        wd.wait_loaded()
        check(wd.js("return document.documentElement.lang") == "en", "the list is not in English")
        box = wd.find("form.search input[name=q]")
        wd.clear(box)
        wd.type(box, "torture")
        wd.click(wd.find("form.search button[type=submit]"))
        wd.wait_loaded(start)
        query = self.query()
        check(query.get("q") == ["torture"], f"the URL has no q=torture: {wd.url()}")
        total, text = self.found_count()
        check(total > 0, f"no results for torture: {text!r}")
        check(re.fullmatch(r"\d+ recommendations? found", text.strip()) is not None,
              f"unexpected result count text {text!r}")
        marks = wd.find_all("ol.results mark")
        check(marks, "no <mark> highlights in the results")
        words = {wd.text(m).lower() for m in marks[:20]}
        check(all(w.startswith("tortur") for w in words), f"marked words are not torture: {words}")
        check(wd.prop(wd.find("form.search input[name=q]"), "value") == "torture",
              "the search box does not keep the query")
        self.state["total"] = total
        self.shot("01-search.png")
        return f"{text.strip()}, {len(marks)} <mark> on the page"

    def step_facet(self):
        wd = self.wd
        links = wd.find_all('aside.facets a[href*="position="]')
        check(links, "no position facet link")
        link = links[0]
        label = wd.text(link)
        href = wd.prop(link, "href")
        value = urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)["position"][0]
        facet_count = wd.js(
            "const c = arguments[0].parentElement.querySelector('.count');"
            "return c ? c.textContent : null;", {ELEMENT_KEY: link})
        before = wd.url()
        wd.click(link)
        wd.wait_loaded(before)
        query = self.query()
        check(query.get("position") == [value], f"the URL lacks position={value}: {wd.url()}")
        check(query.get("q") == ["torture"], f"the facet dropped q: {wd.url()}")
        total, text = self.found_count()
        check(0 < total <= self.state["total"], f"{total} results after the facet, "
              f"{self.state['total']} before")
        if facet_count:
            expected = int(re.sub(r"\D", "", facet_count))
            check(total == expected, f"facet said {facet_count}, the list says {text!r}")
        active = wd.find_all("ul.active-filters li")
        check(active and label in wd.text(active[0]), f"no active filter shows {label!r}")
        check(wd.find_all("ol.results mark"), "highlights vanished after the facet")
        self.state.update(position=value, position_label=label, facet_url=wd.url(),
                          facet_total=total)
        self.shot("02-facet.png")
        return f"position={value} ({label}): {text.strip()}, q kept"

    def step_recommendation(self):
        wd = self.wd
        link = wd.find('ol.results li a[href^="/recommendations/"]')
        href = wd.prop(link, "href")
        uid = urllib.parse.unquote(urllib.parse.urlsplit(href).path.rsplit("/", 1)[1])
        marks = wd.find_all("mark", link)
        word = wd.text(marks[0]).lower() if marks else "tortur"
        before = wd.url()
        wd.click(link)
        wd.wait_loaded(before)
        check(urllib.parse.urlsplit(wd.url()).path == f"/recommendations/{uid}",
              f"expected the page of {uid}, got {wd.url()}")
        check(uid in wd.text(wd.find("main h1")), "the heading does not name the recommendation")
        verbatim = wd.text(wd.find("main blockquote.verbatim"))
        check(word in verbatim.lower(), f"the text does not contain {word!r}: {verbatim[:120]!r}")
        facts = self.facts()
        check("Paragraph" in facts, f"no Paragraph entry; entries: {list(facts)}")
        check(facts.get("Position") == self.state["position_label"],
              f"Position is {facts.get('Position')!r}, filtered on {self.state['position_label']!r}")
        check(facts.get("Recommending States"), "no recommending State")
        self.state["uid"] = uid
        self.shot("03-recommendation.png")
        return (f"{uid}: text {len(verbatim)} chars, paragraph {facts['Paragraph']!r}, "
                f"position {facts['Position']!r}")

    def facts(self):
        return self.wd.js(
            "const out = {};"
            "for (const dt of document.querySelectorAll('dl.facts dt')) {"
            "  const dd = dt.nextElementSibling;"
            "  out[dt.textContent.trim()] = dd ? dd.textContent.trim() : null; }"
            "return out;")

    def step_russian(self):
        wd = self.wd
        before = wd.url()
        wd.click(wd.find('nav.languages a[hreflang="ru"]'))
        wd.wait_loaded(before)
        check(wd.js("return document.documentElement.lang") == "ru",
              "document.documentElement.lang is not ru")
        check(self.state["uid"] in wd.url(), f"the switch left the page: {wd.url()}")
        heading = wd.text(wd.find("main h1"))
        check(heading.startswith("Рекомендация"), f"the heading is not Russian: {heading!r}")
        facts = self.facts()
        check("Позиция" in facts, f"no Позиция entry; entries: {list(facts)}")
        current = wd.find('nav.languages a[aria-current="true"]')
        check(wd.prop(current, "hreflang") == "ru", "the switcher does not mark Russian as current")
        self.shot("04-russian.png")
        return f"lang=ru, heading {heading!r}, Позиция: {facts['Позиция']!r}"

    def step_download(self):
        wd = self.wd
        # Back to the filtered list, then switch it to Russian with its own switcher.
        wd.back()
        wd.back()
        wd.wait(lambda: wd.url() == self.state["facet_url"], "the filtered list after going back")
        wd.wait_loaded()
        before = wd.url()
        wd.click(wd.find('nav.languages a[hreflang="ru"]'))
        wd.wait_loaded(before)
        check(wd.js("return document.documentElement.lang") == "ru", "the list is not in Russian")
        query = self.query()
        check(query.get("q") == ["torture"] and query.get("position") == [self.state["position"]],
              f"the language switch dropped the filters: {wd.url()}")
        total, text = self.found_count()
        check("Найдено" in text, f"the result count is not Russian: {text!r}")
        check(total == self.state["facet_total"], f"{total} results in Russian, "
              f"{self.state['facet_total']} in English")

        csv_url = wd.prop(wd.find('p.downloads a[href*="format=csv"]'), "href")
        xlsx_url = wd.prop(wd.find('p.downloads a[href*="format=xlsx"]'), "href")
        for url in (csv_url, xlsx_url):
            params = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
            check(params.get("q") == ["torture"] and
                  params.get("position") == [self.state["position"]],
                  f"the download link does not carry the view: {url}")

        status, headers, body = http("GET", csv_url)
        check(status == 200, f"CSV: HTTP {status}")
        check("text/csv" in (headers.get("Content-Type") or ""),
              f"CSV content type {headers.get('Content-Type')!r}")
        text_csv = body.decode("utf-8-sig")
        check(text_csv.startswith("uid,state,"), f"CSV header is {text_csv[:40]!r}")
        rows = list(csv.DictReader(io.StringIO(text_csv)))
        check(len(rows) >= 1, "the CSV has no rows")
        check(len(rows) == total, f"the CSV has {len(rows)} rows, the page says {total}")
        check(all(r.get("position") == self.state["position"] for r in rows),
              "a CSV row has another position than the filter")
        check(any(r["uid"] == self.state["uid"] for r in rows),
              f"the CSV lacks {self.state['uid']}")

        status, headers, body = http("GET", xlsx_url)
        check(status == 200, f"XLSX: HTTP {status}")
        check(body[:2] == b"PK", f"XLSX does not start with PK: {body[:8]!r}")
        self.state["russian_list"] = wd.url()
        return (f"{text.strip()}; CSV {len(rows)} rows ({len(text_csv.encode()) // 1024} kB), "
                f"XLSX {len(body) // 1024} kB")

    def step_phone(self):
        wd = self.wd
        wd.set_window(390, 844)
        width = wd.wait(lambda: (lambda w: w if w <= 400 else None)(wd.js("return window.innerWidth")),
                        "the window to narrow to phone width")
        wd.wait_loaded()
        check(wd.js("return document.documentElement.lang") == "ru", "no longer in Russian")
        overflow = wd.js("return document.documentElement.scrollWidth") - width
        box = wd.find("form.search input[name=q]")
        check(wd.js("const r = arguments[0].getBoundingClientRect();"
                    "return r.left >= 0 && r.right <= window.innerWidth + 1;",
                    {ELEMENT_KEY: box}),
              "the search box does not fit the phone screen")
        self.shot("05-phone.png")
        check(overflow <= 1, f"the page is {overflow} px wider than a {width} px phone screen")
        results_at = wd.js("const f = document.querySelector('#found');"
                           "return f ? Math.round(f.getBoundingClientRect().top + scrollY) : -1;")
        return (f"viewport {width} px wide, no horizontal scrolling; "
                f"the result count is {results_at} px down the page")


# ----------------------------------------------------------------- main ----

def main(argv):
    started = time.monotonic()
    binary = argv[1] if len(argv) > 1 else os.environ.get("HRTRACK_BIN", "target/release/hrtrack")
    shots = argv[2] if len(argv) > 2 else os.environ.get("SCREENSHOT_DIR",
                                                         "target/browser-screenshots")
    chromium = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
    chromedriver = os.environ.get("CHROMEDRIVER_BIN") or shutil.which("chromedriver") \
        or "/usr/bin/chromedriver"
    # The server runs in a scratch folder, so a relative path must be made absolute first.
    binary = os.path.abspath(binary) if os.sep in binary else (shutil.which(binary) or binary)
    shots = os.path.abspath(shots)
    for path, what in ((binary, "hrtrack binary"), (chromium, "Chromium"),
                       (chromedriver, "chromedriver")):
        if not os.access(path, os.X_OK):
            print(f"FAIL setup: no {what} at {path}")
            return 2
    os.makedirs(shots, exist_ok=True)
    for old in os.listdir(shots):  # only our own pictures from an earlier run
        if re.fullmatch(r"(0\d-[a-z]+|failed-[a-z]+)\.png", old):
            os.remove(os.path.join(shots, old))

    tmp = tempfile.mkdtemp(prefix="hrtrack-browser-")
    server = driver = None
    wd = None
    server_log = os.path.join(tmp, "server.log")
    driver_log = os.path.join(tmp, "chromedriver.log")
    passed = failed = 0
    try:
        # 1. the server
        with open(server_log, "wb") as err:
            server = subprocess.Popen(
                [binary, "serve", "--demo", "--demo-file", os.path.join(tmp, "demo.db"),
                 "--addr", "127.0.0.1:0"],
                stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL,
                cwd=tmp, start_new_session=True)
        first = read_first_line(server, SERVER_START_TIMEOUT)
        if first is None:
            print("FAIL setup: the server printed no address\n" + tail(server_log))
            return 1
        line, rest = first
        match = re.search(r"serving on (http://\S+)", line)
        if not match:
            print(f"FAIL setup: unexpected first line {line!r}")
            return 1
        base = match.group(1).rstrip("/")
        sink = open(os.path.join(tmp, "server.out"), "ab")
        sink.write(rest)
        threading.Thread(target=drain, args=(server.stdout, sink), daemon=True).start()
        deadline = time.monotonic() + 20
        while True:
            try:
                if http("GET", base + "/healthz", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                print("FAIL setup: /healthz never answered 200\n" + tail(server_log))
                return 1
            time.sleep(0.1)
        print(f"ok   server: {base} ({time.monotonic() - started:.1f} s)")

        # 2. chromedriver and a session
        port = free_port()
        with open(driver_log, "wb") as log:
            driver = subprocess.Popen([chromedriver, f"--port={port}"], stdout=log,
                                      stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                      start_new_session=True)
        driver_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 15
        while True:
            try:
                status, _, body = http("GET", driver_url + "/status", timeout=2)
                if status == 200 and json.loads(body)["value"].get("ready"):
                    break
            except (OSError, ValueError, KeyError):
                pass
            if driver.poll() is not None or time.monotonic() > deadline:
                print("FAIL setup: chromedriver did not start\n" + tail(driver_log))
                return 1
            time.sleep(0.1)
        wd = WebDriver(driver_url)
        profile = os.path.join(tmp, "profile")
        wd.start({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", "--no-first-run",
                         "--window-size=1280,900", f"--user-data-dir={profile}"],
            },
        })
        print(f"ok   browser: session {wd.session[:8]}… ({time.monotonic() - started:.1f} s)")

        # 3. the walk
        walk = Walk(wd, base, shots)
        steps = [("search", walk.step_search), ("facet", walk.step_facet),
                 ("recommendation", walk.step_recommendation), ("russian", walk.step_russian),
                 ("download", walk.step_download), ("phone", walk.step_phone)]
        for index, (name, step) in enumerate(steps):
            t0 = time.monotonic()
            try:
                detail = step()
            except (StepFailed, WebDriverError) as error:
                failed += 1
                print(f"FAIL {name}: {error}")
                try:
                    wd.screenshot(os.path.join(shots, f"failed-{name}.png"))
                    print(f"     at {wd.url()} (screenshot failed-{name}.png)")
                except Exception:
                    pass
                skipped = [n for n, _ in steps[index + 1:]]
                if skipped:
                    print(f"skip {', '.join(skipped)} (they depend on {name})")
                break
            passed += 1
            print(f"ok   {name}: {detail} ({time.monotonic() - t0:.1f} s)")
    except Exception:
        failed += 1
        print("FAIL unexpected error:\n" + traceback.format_exc())
    finally:
        if wd is not None:
            try:
                wd.quit()
            except Exception as error:
                print(f"  (closing the browser session: {error})")
        stop_process(driver, "chromedriver")
        stop_process(server, "hrtrack serve")
        if failed:
            print("--- server log (tail) ---\n" + tail(server_log))
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"screenshots in {shots}; {time.monotonic() - started:.1f} s")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""Shared pieces of the browser walkthroughs (walkthrough.py, roadmap_walkthrough.py).

A minimal W3C WebDriver client for chromedriver (standard library only), the process
helpers, and the common run: settings from arguments and environment, an hrtrack server
whose first stdout line names its address, chromedriver with headless Chromium, and the
steps, each printed as one line, ending with "N passed, M failed".
"""

import base64
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
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


# ------------------------------------------------------------- the run ----

class Settings:
    """Binary, screenshot folder, Chromium and chromedriver from arguments, then environment."""

    def __init__(self, argv):
        binary = argv[1] if len(argv) > 1 else os.environ.get("HRTRACK_BIN",
                                                              "target/release/hrtrack")
        shots = argv[2] if len(argv) > 2 else os.environ.get("SCREENSHOT_DIR",
                                                             "target/browser-screenshots")
        self.chromium = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
        self.chromedriver = os.environ.get("CHROMEDRIVER_BIN") or shutil.which("chromedriver") \
            or "/usr/bin/chromedriver"
        # The server runs in a scratch folder, so a relative path must be made absolute first.
        self.binary = os.path.abspath(binary) if os.sep in binary \
            else (shutil.which(binary) or binary)
        self.shots = os.path.abspath(shots)

    def missing(self):
        """A message naming a missing program, or None."""
        for path, what in ((self.binary, "hrtrack binary"), (self.chromium, "Chromium"),
                           (self.chromedriver, "chromedriver")):
            if not os.access(path, os.X_OK):
                return f"no {what} at {path}"
        return None

    def clean_shots(self, pattern):
        """Creates the screenshot folder and removes our own pictures of an earlier run."""
        os.makedirs(self.shots, exist_ok=True)
        for old in os.listdir(self.shots):
            if re.fullmatch(pattern, old):
                os.remove(os.path.join(self.shots, old))


def start_server(command, cwd, server_log):
    """Starts `command` (an `hrtrack serve`), waits for "serving on URL" and /healthz.

    Returns (process, base URL); raises StepFailed (with the log's tail) when it does not
    come up, after stopping it."""
    with open(server_log, "wb") as err:
        server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err,
                                  stdin=subprocess.DEVNULL, cwd=cwd, start_new_session=True)
    try:
        first = read_first_line(server, SERVER_START_TIMEOUT)
        if first is None:
            raise StepFailed("the server printed no address\n" + tail(server_log))
        line, rest = first
        match = re.search(r"serving on (http://\S+)", line)
        if not match:
            raise StepFailed(f"unexpected first line {line!r}")
        base = match.group(1).rstrip("/")
        sink = open(os.path.join(cwd, "server.out"), "ab")
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
                raise StepFailed("/healthz never answered 200\n" + tail(server_log))
            time.sleep(0.1)
    except BaseException:
        stop_process(server, "hrtrack serve")
        raise
    return server, base


def start_browser(settings, tmp):
    """Starts chromedriver and a headless Chromium session; returns (process, WebDriver)."""
    driver_log = os.path.join(tmp, "chromedriver.log")
    port = free_port()
    with open(driver_log, "wb") as log:
        driver = subprocess.Popen([settings.chromedriver, f"--port={port}"], stdout=log,
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
            stop_process(driver, "chromedriver")
            raise StepFailed("chromedriver did not start\n" + tail(driver_log))
        time.sleep(0.1)
    wd = WebDriver(driver_url)
    profile = os.path.join(tmp, "profile")
    try:
        wd.start({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": settings.chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", "--no-first-run",
                         "--lang=en-US", "--window-size=1280,900",
                         f"--user-data-dir={profile}"],
            },
        })
    except BaseException:
        stop_process(driver, "chromedriver")
        raise
    return driver, wd


def run_steps(wd, shots, steps):
    """Runs (name, function) steps in order, one line each; stops at the first failure
    (the rest depend on it), leaving failed-NAME.png. Returns (passed, failed)."""
    passed = failed = 0
    for index, (name, step) in enumerate(steps):
        t0 = time.monotonic()
        try:
            detail = step()
        except Exception as error:  # StepFailed, WebDriverError, or a bug of the step
            failed += 1
            if isinstance(error, (StepFailed, WebDriverError)):
                print(f"FAIL {name}: {error}")
            else:
                print(f"FAIL {name}: unexpected error:\n{traceback.format_exc()}")
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
    return passed, failed


def walk_main(settings, shot_pattern, server_command, make_steps, prepare=None):
    """The whole run: settings check, scratch folder, optional `prepare(tmp)` (commands
    before the server; raises StepFailed), the server (`server_command(tmp)`), the browser,
    the steps (`make_steps(wd, base, tmp)` returns the list), and the clean-up. Returns the
    exit status."""
    started = time.monotonic()
    problem = settings.missing()
    if problem:
        print(f"FAIL setup: {problem}")
        return 2
    settings.clean_shots(shot_pattern)
    tmp = tempfile.mkdtemp(prefix="hrtrack-browser-")
    server = driver = wd = None
    server_log = os.path.join(tmp, "server.log")
    passed = failed = 0
    try:
        if prepare is not None:
            try:
                detail = prepare(tmp)
            except StepFailed as error:
                print(f"FAIL setup: {error}")
                return 1
            print(f"ok   setup: {detail} ({time.monotonic() - started:.1f} s)")
        try:
            server, base = start_server(server_command(tmp), tmp, server_log)
        except StepFailed as error:
            print(f"FAIL setup: {error}")
            return 1
        print(f"ok   server: {base} ({time.monotonic() - started:.1f} s)")
        try:
            driver, wd = start_browser(settings, tmp)
        except StepFailed as error:
            print(f"FAIL setup: {error}")
            return 1
        print(f"ok   browser: session {wd.session[:8]}… ({time.monotonic() - started:.1f} s)")
        passed, failed = run_steps(wd, settings.shots, make_steps(wd, base, tmp))
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
    print(f"screenshots in {settings.shots}; {time.monotonic() - started:.1f} s")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1

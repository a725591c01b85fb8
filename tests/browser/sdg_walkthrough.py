#!/usr/bin/env python3
"""Browser walk-through of the SDG data platform in headless Chromium: a data provider's
version of indicator 5.5.1 from the submission form to the public chart and download,
through the server-rendered forms only.

Builds a fresh SQLite database the way the README tells users to (`hrtrack --db
sqlite://DB demo`, which loads the SDG code lists and Kazakhstan's Open SDG files, then
`hrtrack user add` for a data provider and a statistician with HRTRACK_PASSWORD), serves it
and drives Chromium: the provider downloads the template, sends a file with errors and reads
the report by row and column, sends a version with a year-on-year jump; the statistician
returns it with a comment; the provider reads the comment and sends a corrected version;
the statistician reads what it changes and approves it; the public sees the new figure in
the indicator's chart and table, downloads the slice as CSV, and reads what changed between
the versions (also in Russian). Files are chosen in the form's file field as a person does.
Screenshots go to SCREENSHOT_DIR (default target/browser-screenshots/, sdg-NN-step.png).

Usage:
    python3 tests/browser/sdg_walkthrough.py [HRTRACK_BIN [SCREENSHOT_DIR]]

Environment as for walkthrough.py. Prints one line per step and ends with "N passed, M
failed"; the exit status is 0 only when every step passed.
"""

import csv
import io
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ next to the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from roadmap_walkthrough import RoadmapWalk  # noqa: E402
from webdriver import ELEMENT_KEY, Settings, StepFailed, check, http, walk_main  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KAZAKHSTAN_551 = os.path.join(ROOT, "data", "sdg-timeseries", "kazakhstan-open-sdg",
                              "indicator_5-5-1.csv")
PASSWORDS = {
    "provider": "provider password for the sdg walkthrough 1",
    "statistician": "statistician password for the sdg walkthrough 2",
}
DISPLAY = {"provider": "Aygul Data Provider", "statistician": "Merdan Statistician"}
FLOW = "dataflow,IAEG-SDGs:DF_SDG_GLH(1.24),I"
HEADER = "STRUCTURE,STRUCTURE_ID,ACTION,SERIES,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE\n"
COMMENT = "Local government share 2024: 40 looks wrong, please check"


def published_551():
    """(series, year) -> value of the bundled Kazakhstan 5.5.1 file."""
    with open(KAZAKHSTAN_551, encoding="utf-8-sig") as f:
        return {(row["SERIES"], row["Year"]): row["Value"] for row in csv.DictReader(f)}


def version(edits):
    """An SDMX-CSV 2.x file of 5.5.1: the published data with `edits` applied."""
    rows = published_551()
    rows.update(edits)
    return HEADER + "".join(f"{FLOW},{series},{year},{value},PT\n"
                            for (series, year), value in sorted(rows.items()))


class SdgWalk(RoadmapWalk):
    def shot(self, name, focus=None):
        if focus:
            target = self.wd.find(focus)
            self.wd.js("arguments[0].scrollIntoView({block: 'start'});", {ELEMENT_KEY: target})
        self.number += 1
        file_name = f"sdg-{self.number:02d}-{name}.png"
        size = self.wd.screenshot(os.path.join(self.shots, file_name))
        check(size > 1000, f"screenshot {file_name} is only {size} bytes")
        return file_name

    def sign_in(self, name):
        wd = self.wd
        wd.get(self.base + "/login?lang=en")
        wd.wait_loaded()
        form = self.form("/login")
        self.fill(form, "name", name)
        self.fill(form, "password", PASSWORDS[name])
        self.press(form, "Sign in")
        check(DISPLAY[name] in self.main_text(), f"the account page does not name {name}")

    def sign_out(self):
        wd = self.wd
        wd.get(self.base + "/account?lang=en")
        wd.wait_loaded()
        self.press(self.form("/logout"), "Sign out")

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def send_file(self, path, note="", expect_error=False):
        """Fills the submission form with a file chosen in its file field and sends it."""
        wd = self.wd
        wd.get(self.base + "/sdg/submit?indicator=5.5.1&lang=en")
        wd.wait_loaded()
        form = self.form("/sdg/submit")
        self.fill(form, "indicator", "5.5.1")
        wd.type(wd.find('input[type="file"][name="file"]', form), path)
        if note:
            self.fill(form, "note", note)
        button = wd.find('button[type="submit"]', form)
        wd.js("document.__walkOld = true;")
        wd.click(button)
        wd.wait(lambda: wd.js("return document.__walkOld !== true && "
                              "document.readyState === 'complete'"), "the answer to the file")
        if not expect_error:
            self.no_error()

    def cell_texts(self, css):
        return [self.wd.text(c) for c in self.wd.find_all(css)]

    # -------------------------------------------------------------- steps ----

    def step_public_before(self):
        wd = self.wd
        wd.get(self.base + "/sdg/indicators/5.5.1?lang=en")
        wd.wait_loaded()
        self.no_error()
        check(wd.find_all("main svg"), "the indicator page has no chart")
        text = self.main_text()
        check("19.1" not in text, "19.1 is shown before it was sent")
        self.ids["before"] = text
        return f"{self.shot('public-before')}: chart and table of the published data"

    def step_template(self):
        self.sign_in("provider")
        wd = self.wd
        wd.get(self.base + "/sdg/submit?indicator=5.5.1&lang=en")
        wd.wait_loaded()
        link = wd.find('main a[href="/sdg/indicators/5.5.1/template.xlsx?lang=en"]')
        href = wd.prop(link, "href")
        status, headers, body = http("GET", href)
        check(status == 200 and body[:2] == b"PK", f"the template answered {status}")
        return f"{self.shot('template')}: template link, {len(body)} bytes of XLSX"

    def step_bad_file(self):
        bad = self.write("bad-551.csv", HEADER
                         + f"{FLOW},SG_GEN_PARL,2024,24.5,PT\n"
                         + f"{FLOW},SG_GEN_PARL,2025,25,PCT\n"
                         + f"{FLOW},SG_GEN_LOCG,2024,19.0,\n")
        self.send_file(bad, expect_error=True)
        rows = [self.wd.text(r) for r in self.wd.find_all("main table.report tbody tr")]
        check(any("row 3" in r and "UNIT_MEASURE" in r and "PCT" in r for r in rows),
              f"no report line for row 3's unit: {rows}")
        check(any("row 4" in r and "UNIT_MEASURE" in r for r in rows),
              f"no report line for row 4's missing unit: {rows}")
        return f"{self.shot('bad-file', 'main table.report')}: {len(rows)} report lines (row 3, row 4)"

    def step_jumpy_version(self):
        path = self.write("kaz-551.csv", version({("SG_GEN_PARL", "2024"): "24.5",
                                                  ("SG_GEN_LOCG", "2024"): "40"}))
        self.send_file(path, note="2024 figures")
        match = re.fullmatch(r"/sdg/submissions/(\d+)", self.path())
        check(match, f"after sending: {self.wd.url()}")
        self.ids["first"] = match.group(1)
        rows = [self.wd.text(r) for r in self.wd.find_all("main table.report tbody tr")]
        check(any("OBS_VALUE" in r for r in rows), f"no year-on-year warning: {rows}")
        shot = self.shot('jumpy-version', 'main table.report')
        self.sign_out()
        return f"{shot}: submission {match.group(1)}, {len(rows)} warning(s)"

    def step_return(self):
        self.sign_in("statistician")
        wd = self.wd
        wd.get(self.base + "/sdg/submissions?lang=en")
        wd.wait_loaded()
        self.follow(f'main a[href="/sdg/submissions/{self.ids["first"]}"]', "the submission")
        form = [f for f in wd.find_all('main form[action$="/decision"]')
                if wd.find_all('textarea[name="comment"]', f)][0]
        self.fill(form, "comment", COMMENT)
        self.press(form, "Return")
        check(COMMENT in self.main_text(), "the comment is not shown")
        shot = self.shot('returned')
        self.sign_out()
        return f"{shot}: returned with the comment"

    def step_resubmit(self):
        self.sign_in("provider")
        wd = self.wd
        wd.get(self.base + f"/sdg/submissions/{self.ids['first']}?lang=en")
        wd.wait_loaded()
        check(COMMENT in self.main_text(), "the provider does not see the comment")
        path = self.write("kaz-551-v2.csv", version({("SG_GEN_PARL", "2024"): "24.5",
                                                     ("SG_GEN_LOCG", "2024"): "19.1",
                                                     ("SG_GEN_PARL", "2023"): "23.1"}))
        self.send_file(path, note="corrected")
        match = re.fullmatch(r"/sdg/submissions/(\d+)", self.path())
        check(match, f"after sending again: {wd.url()}")
        self.ids["second"] = match.group(1)
        shot = self.shot('resubmitted')
        self.sign_out()
        return f"{shot}: submission {match.group(1)}"

    def step_approve(self):
        self.sign_in("statistician")
        wd = self.wd
        wd.get(self.base + f"/sdg/submissions/{self.ids['second']}?lang=en")
        wd.wait_loaded()
        text = self.main_text()
        # The demo's 5.5.1 also holds Tajikistan's 5 observations (its SDMX series reach their
        # indicators through the SDG series list); a version made of Kazakhstan's rows alone
        # removes them, and the statistician is told so before approving.
        check("2 added, 1 changed, 5 removed" in text, f"what it changes: {text[:800]!r}")
        review = self.shot('review', 'main table.changes')
        form = [f for f in wd.find_all('main form[action$="/decision"]')
                if wd.find_all('input[name="publish_at"]', f)][0]
        self.press(form, "Approve")
        check("Published" in self.main_text(), "the submission is not published")
        shot = self.shot('approved')
        self.sign_out()
        return f"{review}, {shot}: 2 added, 1 changed; published"

    def step_public_after(self):
        wd = self.wd
        wd.get(self.base + "/sdg/indicators/5.5.1?lang=en")
        wd.wait_loaded()
        self.no_error()
        check(wd.find_all("main svg"), "the indicator page has no chart")
        text = self.main_text()
        check("19.1" in text and "23.1" in text, "the new figures are not in the table")
        links = [a for a in wd.find_all("main a") if "data.csv" in (wd.prop(a, "href") or "")]
        check(links, "no CSV download on the indicator page")
        status, _, body = http("GET", wd.prop(links[0], "href"))
        check(status == 200, f"the CSV download answered {status}")
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        check(any("19.1" in row for row in rows), "the downloaded CSV lacks 19.1")
        return f"{self.shot('public-after', 'main svg')}: 19.1 and 23.1 shown; CSV of {len(rows) - 1} rows"

    def step_changes(self):
        wd = self.wd
        wd.get(self.base + "/sdg/indicators/5.5.1/versions?lang=en")
        wd.wait_loaded()
        self.follow('main a[href*="/changes?from=1"]', "what changed")
        text = self.main_text()
        check("23.1" in text and "23" in text, "the changed value is not shown")
        before = wd.url()
        wd.click(wd.find('nav.languages a[hreflang="ru"]'))
        wd.wait_loaded(before)
        check(wd.js("return document.documentElement.lang") == "ru", "the page is not Russian")
        check("Добавлено" in self.main_text(), "the Russian page lacks its words")
        return f"{self.shot('changes-russian')}: versions 1→2 compared, in Russian"


def main(argv):
    settings = Settings(argv)

    def db_url(tmp):
        return "sqlite://" + os.path.join(tmp, "sdg.db")

    def prepare(tmp):
        def run(args, env=None):
            result = subprocess.run([settings.binary, "--db", db_url(tmp)] + args, cwd=tmp,
                                    env=env, stdin=subprocess.DEVNULL, capture_output=True,
                                    timeout=300)
            if result.returncode != 0:
                raise StepFailed(f"`hrtrack {' '.join(args)}` exited {result.returncode}:\n"
                                 + result.stdout.decode("utf-8", "replace")[-1500:]
                                 + result.stderr.decode("utf-8", "replace")[-1500:])

        run(["demo"])
        for name, role in (("provider", "data_provider"), ("statistician", "statistician")):
            env = dict(os.environ, HRTRACK_PASSWORD=PASSWORDS[name])
            run(["user", "add", name, "--role", role, "--display-name", DISPLAY[name]], env)
        return "demo database with the SDG data, a data provider and a statistician"

    def server_command(tmp):
        return [settings.binary, "--db", db_url(tmp), "serve", "--addr", "127.0.0.1:0"]

    def make_steps(wd, base, tmp):
        walk = SdgWalk(wd, base, settings.shots, tmp)
        return [
            ("public-before", walk.step_public_before),
            ("template", walk.step_template),
            ("bad-file", walk.step_bad_file),
            ("jumpy-version", walk.step_jumpy_version),
            ("return", walk.step_return),
            ("resubmit", walk.step_resubmit),
            ("approve", walk.step_approve),
            ("public-after", walk.step_public_after),
            ("changes", walk.step_changes),
        ]

    steps = "|".join(["public-before", "template", "bad-file", "jumpy-version", "return",
                      "resubmit", "approve", "public-after", "changes"])
    return walk_main(settings, rf"(sdg-\d\d-[a-z-]+|failed-({steps}))\.png",
                     server_command, make_steps, prepare=prepare)


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""Browser walkthrough of the Roadmap in headless Chromium: a report from planning to the
public recommendation page, through the server-rendered forms only.

Builds a fresh SQLite database in a temporary folder the way the README tells users to
(`hrtrack --db sqlite://DB demo`, then the first administrator with
`HRTRACK_PASSWORD=... hrtrack --db sqlite://DB user add admin --role administrator
--display-name Administrator`), serves it (`hrtrack --db sqlite://DB serve --addr
127.0.0.1:0`) and drives Chromium as the people would: the administrator creates the
institution and the users, the coordinator plans, the focal point reports with evidence,
the coordinator returns, validates and publishes, the public reads the result (also in
Russian), the administrator reads the audit log. One step also looks at the report page at
phone width. Every step is typing and clicking; only the evidence downloads are fetched
with urllib (GET) to check them. Screenshots go to SCREENSHOT_DIR (default
target/browser-screenshots/, named roadmap-NN-step.png).

Usage:
    python3 tests/browser/roadmap_walkthrough.py [HRTRACK_BIN [SCREENSHOT_DIR]]

Environment (used when the arguments are absent): HRTRACK_BIN, SCREENSHOT_DIR,
CHROMIUM_BIN, CHROMEDRIVER_BIN, as for walkthrough.py.

Prints one line per step and ends with "N passed, M failed"; the exit status is 0 only
when every step passed. A failure leaves failed-STEP.png and the server log's tail.
"""

import os
import re
import subprocess
import sys
import urllib.parse

sys.dont_write_bytecode = True  # no __pycache__ next to the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webdriver import (  # noqa: E402  (the folder is put on the path first)
    ELEMENT_KEY, Settings, StepFailed, check, http, walk_main,
)

UID = "SVN-UPR4-140.7"
REVIEW = "SVN/UPR/4"
PASSWORDS = {
    "admin": "admin password for the walkthrough 1",
    "coordinator": "coordinator password for the walkthrough 2",
    "focalpoint": "focal point password for the walkthrough 3",
}
DISPLAY = {"admin": "Administrator", "coordinator": "Nina Coordinator",
           "focalpoint": "Marko Focal Point"}
ACTION_TITLE = "Prepare the ratification of the Optional Protocol to the ICESCR"
INDICATOR_TITLE = "Ministries consulted on the ratification bill"
CLUSTER_TITLE = "International human rights instruments"
ROADMAP_TITLE = "National Human Rights Roadmap 2024-2026"
DRAFT_NARRATIVE = "Draft: the Ministry of Justice started the analysis of the Optional Protocol."
FINAL_NARRATIVE = ("In 2024 the Ministry of Justice analysed the Optional Protocol to the "
                   "ICESCR and consulted 12 ministries on the draft ratification bill.")
COMMENT = "Please say how many ministries were consulted on the bill."
PUBLIC_TITLE = "Summary of the consultation on the ratification bill"
INTERNAL_TITLE = "Internal memo on the budget impact"
MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
               b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
               b"trailer << /Root 1 0 R >>\n%%EOF\n")
# The error pages' titles (i18n/en.txt error.*).
ERROR_TITLE = re.compile(r"(Page not found|This request cannot be answered|Something went wrong|"
                         r"Sign in first|Not allowed|Changed meanwhile|Too many attempts) · ")


def el(element):
    """An element as a script argument."""
    return {ELEMENT_KEY: element}


class RoadmapWalk:
    def __init__(self, wd, base, shots, tmp):
        self.wd = wd
        self.base = base
        self.shots = shots
        self.tmp = tmp
        self.number = 0
        self.ids = {}

    # ------------------------------------------------------------ helpers ----

    def shot(self, name, focus=None):
        """A screenshot roadmap-NN-NAME.png, scrolled to `focus` (a CSS selector) if given."""
        if focus:
            target = self.wd.find(focus)
            self.wd.js("arguments[0].scrollIntoView({block: 'start'});", el(target))
        self.number += 1
        file_name = f"roadmap-{self.number:02d}-{name}.png"
        size = self.wd.screenshot(os.path.join(self.shots, file_name))
        check(size > 1000, f"screenshot {file_name} is only {size} bytes")
        return file_name

    def path(self):
        return urllib.parse.unquote(urllib.parse.urlsplit(self.wd.url()).path)

    def main_text(self):
        return self.wd.text(self.wd.find("main"))

    def new_page(self, act, what):
        """Runs `act` (a click), then waits for a new document to be loaded: the old one is
        marked first, so a form that answers with the same URL is noticed too."""
        wd = self.wd
        wd.js("document.__walkOld = true;")
        act()
        wd.wait(lambda: wd.js("return document.__walkOld !== true && "
                              "document.readyState === 'complete'"), what)
        self.no_error()

    def no_error(self):
        """Fails on a form shown again with a message, or an error page."""
        wd = self.wd
        notices = wd.find_all("main .notice.error")
        if notices:
            raise StepFailed(f"the page {self.path()} shows an error: {wd.text(notices[0])!r}")
        title = wd.title()
        check(not ERROR_TITLE.match(title), f"the page {self.path()} is an error page: "
              f"{title!r}: {wd.text(wd.find('main'))[:200]!r}")

    def follow(self, css, what=None):
        """Clicks the first link matching `css` and waits for its page."""
        link = self.wd.find(css)
        self.new_page(lambda: self.wd.click(link), what or f"the page of {css}")

    def follow_text(self, css, text):
        """Clicks the first link matching `css` whose text contains `text`."""
        wd = self.wd
        for link in wd.find_all(css):
            if text in wd.text(link):
                self.new_page(lambda: wd.click(link), f"the page behind {text!r}")
                return
        raise StepFailed(f"no link {css!r} with {text!r} on {self.path()}")

    def form(self, action):
        """The form posting to `action`; a closed <details> around it is opened by a click
        on its summary, as a person would."""
        form = self.wd.find(f'form[action="{action}"]')
        self.unfold(form)
        return form

    def unfold(self, element):
        wd = self.wd
        summary = wd.js("const d = arguments[0].closest('details');"
                        "return d && !d.open ? d.querySelector('summary') : null;", el(element))
        if summary:
            wd.click(summary[ELEMENT_KEY])
            wd.wait(lambda: wd.js("return arguments[0].closest('details').open", el(element)),
                    "the form to unfold")

    def fill(self, form, name, text):
        field = self.wd.find(f'[name="{name}"]', form)
        self.wd.clear(field)
        self.wd.type(field, text)
        return field

    def choose(self, form, name, text):
        """Picks the option of select `name` whose text contains `text` (a click on it)."""
        wd = self.wd
        select = wd.find(f'select[name="{name}"]', form)
        wd.click(select)
        options = wd.find_all("option", select)
        exact = [o for o in options if wd.prop(o, "value") == text]
        for option in exact or [o for o in options if text in wd.text(o)]:
            wd.click(option)
            check(wd.prop(option, "selected"), f"option {text!r} of {name} not selected")
            return wd.prop(option, "value")
        raise StepFailed(f"no option {text!r} in {name}")

    def tick(self, form, name, label):
        """Ticks the checkbox `name` whose label contains `label`; returns its value."""
        wd = self.wd
        for box in wd.find_all(f'input[type="checkbox"][name="{name}"]', form):
            text = wd.js("return arguments[0].closest('label').textContent", el(box))
            if label.lower() in text.lower():
                if not wd.prop(box, "checked"):
                    wd.click(box)
                check(wd.prop(box, "checked"), f"the box {label!r} of {name} is not ticked")
                return wd.prop(box, "value")
        raise StepFailed(f"no checkbox {name} labelled {label!r}")

    def date(self, form, name, year, month, day):
        """Types a date into an <input type=date> the way a person does (en-US: mm dd yyyy)."""
        field = self.wd.find(f'input[name="{name}"]', form)
        self.wd.click(field)
        self.wd.type(field, f"{month:02d}{day:02d}{year:04d}")
        value = self.wd.prop(field, "value")
        check(value == f"{year:04d}-{month:02d}-{day:02d}",
              f"typing a date into {name} gave {value!r}")

    def press(self, form, label=None):
        """Clicks the form's submit button (checking its label) and waits for the answer."""
        self.unfold(form)
        button = self.wd.find('button[type="submit"]', form)
        if label is not None:
            text = self.wd.text(button)
            check(label in text, f"the button says {text!r}, expected {label!r}")
        self.new_page(lambda: self.wd.click(button), "the answer to the form")

    def sign_in(self, name):
        wd = self.wd
        self.follow('header nav a[href="/account"]', "the sign-in page")
        check(self.path() == "/login", f"the account link led to {wd.url()}, not /login")
        form = self.form("/login")
        self.fill(form, "name", name)
        self.fill(form, "password", PASSWORDS[name])
        self.press(form, "Sign in")
        check(self.path() == "/account", f"after signing in: {wd.url()}")
        text = self.main_text()
        check(DISPLAY[name] in text, f"the account page does not name {DISPLAY[name]!r}")
        return text

    def sign_out(self):
        wd = self.wd
        if self.path() != "/account":
            self.follow('header nav a[href="/account"]', "the account page")
        self.press(self.form("/logout"), "Sign out")
        check(self.path() == "/", f"after signing out: {wd.url()}")
        # Signed out: the account link leads to the sign-in page again.
        self.follow('header nav a[href="/account"]', "the sign-in page")
        check(self.path() == "/login", f"still signed in: {wd.url()}")

    def to_roadmap(self):
        self.follow('header nav a[href="/roadmap"]', "the Roadmap")
        check(self.path() == "/roadmap", f"the Roadmap link led to {self.wd.url()}")

    def to_report(self):
        """From the Roadmap to the report, by links."""
        self.to_roadmap()
        self.follow_text('main a[href^="/roadmap/actions/"]', ACTION_TITLE)
        self.follow(f'main a[href="/roadmap/reports/{self.ids["report"]}"]', "the report")

    # -------------------------------------------------------------- steps ----

    def step_admin_sign_in(self):
        wd = self.wd
        wd.get(self.base + "/?lang=en")
        wd.wait_loaded()
        text = self.sign_in("admin")
        check("administrator" in text.lower(), "the account page does not show the role")
        return f"{self.shot('admin-sign-in')}: /account names Administrator (admin)"

    def step_institution(self):
        wd = self.wd
        self.to_roadmap()
        self.follow('main a[href="/roadmap/institutions"]', "the institutions")
        form = self.form("/roadmap/institutions")
        self.fill(form, "code", "MOJ")
        self.fill(form, "name", "Ministry of Justice")
        self.choose(form, "kind", "ministry")
        self.press(form, "Create")
        match = re.fullmatch(r"/roadmap/institutions/(\d+)", self.path())
        check(match, f"after creating the institution: {wd.url()}")
        self.ids["moj"] = match.group(1)
        check("Ministry of Justice" in self.main_text(), "the page does not name the ministry")
        return f"{self.shot('institution')}: MOJ Ministry of Justice is {self.path()}"

    def create_user(self, name, role, institution=None):
        form = self.form("/admin/users")
        self.fill(form, "name", name)
        self.fill(form, "display_name", DISPLAY[name])
        self.fill(form, "email", f"{name}@example.org")
        self.choose(form, "role", role)
        if institution:
            self.tick(form, "institutions", institution)
        self.fill(form, "password", PASSWORDS[name])
        self.press(form, "Create")

    def step_users(self):
        self.to_roadmap()
        self.follow('main a[href="/admin/users"]', "the users")
        self.create_user("coordinator", "coordinator")
        if self.path() != "/admin/users":
            self.follow('main a[href="/admin/users"], header a[href="/admin/users"]',
                        "the users again")
        self.create_user("focalpoint", "focal_point", "Ministry of Justice")
        if self.path() != "/admin/users":
            self.follow('main a[href="/admin/users"], header a[href="/admin/users"]',
                        "the users again")
        text = self.main_text()
        for name in ("coordinator", "focalpoint"):
            check(DISPLAY[name] in text, f"the users page does not list {DISPLAY[name]!r}")
        return f"{self.shot('users')}: coordinator and focal point (MOJ) listed"

    def step_admin_sign_out(self):
        self.sign_out()
        return f"{self.shot('admin-sign-out')}: /account asks to sign in again"

    def step_coordinator_sign_in(self):
        self.sign_in("coordinator")
        return f"{self.shot('coordinator-sign-in')}: signed in as {DISPLAY['coordinator']}"

    def step_roadmap(self):
        wd = self.wd
        self.to_roadmap()
        form = self.form("/roadmap")
        self.fill(form, "title", ROADMAP_TITLE)
        self.fill(form, "description", "Follow-up of the fourth UPR cycle of Slovenia.")
        self.fill(form, "review", REVIEW)
        self.press(form, "Create")
        match = re.fullmatch(r"/roadmap/(\d+)", self.path())
        check(match, f"after creating the roadmap: {wd.url()}")
        self.ids["roadmap"] = match.group(1)
        text = self.main_text()
        check(ROADMAP_TITLE in text and REVIEW in text, "the roadmap page lacks title or review")
        return f"{self.shot('roadmap')}: {self.path()} tied to {REVIEW}"

    def step_cluster(self):
        wd = self.wd
        form = self.form(f"/roadmap/{self.ids['roadmap']}/clusters")
        self.fill(form, "title", CLUSTER_TITLE)
        self.fill(form, "recommendations", UID)
        self.press(form, "Create")
        match = re.fullmatch(r"/roadmap/clusters/(\d+)", self.path())
        check(match, f"after creating the cluster: {wd.url()}")
        self.ids["cluster"] = match.group(1)
        check(UID in self.main_text(), f"the cluster page does not show {UID}")
        return f"{self.shot('cluster')}: {self.path()} holds {UID}"

    def step_action(self):
        wd = self.wd
        self.follow(f'main a[href="/roadmap/{self.ids["roadmap"]}"]', "the roadmap")
        form = self.form(f"/roadmap/{self.ids['roadmap']}/actions")
        self.fill(form, "title", ACTION_TITLE)
        self.fill(form, "description", "Analysis, consultation of the ministries, bill to the Government.")
        self.choose(form, "lead_institution_id", "Ministry of Justice")
        self.date(form, "start_date", 2024, 1, 1)
        self.date(form, "end_date", 2026, 12, 31)
        self.choose(form, "status", "in_progress")
        self.tick(form, "clusters", CLUSTER_TITLE)
        self.press(form, "Create")
        match = re.fullmatch(r"/roadmap/actions/(\d+)", self.path())
        check(match, f"after creating the action: {wd.url()}")
        self.ids["action"] = match.group(1)
        text = self.main_text()
        check(ACTION_TITLE in text and "Ministry of Justice" in text,
              "the action page lacks its title or lead institution")
        return f"{self.shot('action')}: {self.path()} led by MOJ, in {CLUSTER_TITLE!r}"

    def step_indicator(self):
        form = self.form(f"/roadmap/actions/{self.ids['action']}/indicators")
        self.fill(form, "title", INDICATOR_TITLE)
        self.fill(form, "baseline", "0")
        self.fill(form, "target", "12")
        self.fill(form, "unit", "ministries")
        self.choose(form, "frequency", "yearly")
        self.press(form, "Create")
        check(self.path() == f"/roadmap/actions/{self.ids['action']}",
              f"after creating the indicator: {self.wd.url()}")
        text = self.main_text()
        check(INDICATOR_TITLE in text, "the action page does not list the indicator")
        due = re.findall(r"\b20\d\d-\d\d-\d\d\b", text.split("Due dates")[-1]) \
            if "Due dates" in text else []
        check(due[:3] == ["2024-12-31", "2025-12-31", "2026-12-31"] or
              due[:3] == ["2025-01-01", "2026-01-01", "2026-12-31"],
              f"a yearly indicator from 2024-01-01 to 2026-12-31 gives the due dates {due}")
        return f"{self.shot('indicator')}: yearly; due dates {', '.join(due[:4]) or '?'}"

    def step_coordinator_sign_out(self):
        self.sign_out()
        return f"{self.shot('coordinator-sign-out')}: signed out"

    def step_focal_point_report(self):
        wd = self.wd
        self.sign_in("focalpoint")
        self.to_roadmap()
        self.follow_text('main a[href^="/roadmap/actions/"]', ACTION_TITLE)
        forms = wd.find_all(f'form[action="/roadmap/actions/{self.ids["action"]}/reports"]')
        check(forms, "no 'Start the report' button on the action page")
        due = wd.prop(wd.find('input[name="due_date"]', forms[0]), "value")
        self.press(forms[0], "Start the report")
        match = re.fullmatch(r"/roadmap/reports/(\d+)", self.path())
        check(match, f"after starting the report: {wd.url()}")
        self.ids["report"] = match.group(1)
        self.ids["due"] = due
        check(due in wd.title() or due in self.main_text(), f"the report page does not name {due}")
        return f"{self.shot('report-started')}: report {self.ids['report']} due {due}"

    def report_form(self):
        return self.form(f"/roadmap/reports/{self.ids['report']}")

    def step_narrative(self):
        wd = self.wd
        form = self.report_form()
        self.fill(form, "narrative", DRAFT_NARRATIVE)
        values = wd.find_all('input[name^="value_"]', form)
        check(values, "no indicator value field on the report")
        wd.clear(values[0])
        wd.type(values[0], "5")
        self.press(form, "Save")
        check(self.path() == f"/roadmap/reports/{self.ids['report']}",
              f"after saving: {wd.url()}")
        saved = wd.prop(wd.find('textarea[name="narrative"]', self.report_form()), "value")
        check(saved == DRAFT_NARRATIVE, f"the narrative reads {saved!r} after saving")
        return f"{self.shot('narrative')}: draft narrative and indicator value 5 saved"

    def upload(self, title, file_name, public):
        wd = self.wd
        path = os.path.join(self.tmp, file_name)
        with open(path, "wb") as out:
            out.write(MINIMAL_PDF)
        form = self.form(f"/roadmap/reports/{self.ids['report']}/evidence")
        self.fill(form, "title", title)
        wd.type(wd.find('input[type="file"][name="file"]', form), os.path.abspath(path))
        if public:
            self.tick(form, "public", "Public")
        self.press(form, "Upload")
        check(self.path() == f"/roadmap/reports/{self.ids['report']}",
              f"after uploading {file_name}: {wd.url()}")

    def evidence_items(self):
        """(title, href, label text) of the evidence listed on the report page."""
        return self.wd.js(
            "return [...document.querySelectorAll('main a[href^=\"/roadmap/evidence/\"]')]"
            ".map(a => [a.textContent.trim(), a.getAttribute('href'),"
            " a.closest('li') ? a.closest('li').textContent : '']);")

    def step_evidence(self):
        self.upload(PUBLIC_TITLE, "consultation-summary.pdf", True)
        self.upload(INTERNAL_TITLE, "budget-impact-memo.pdf", False)
        items = {title: (href, li) for title, href, li in self.evidence_items()}
        check(PUBLIC_TITLE in items and INTERNAL_TITLE in items,
              f"the report lists {list(items)}")
        check("public" in items[PUBLIC_TITLE][1].lower(),
              "the public evidence is not marked public")
        check("internal" in items[INTERNAL_TITLE][1].lower(),
              "the internal evidence is not marked Internal")
        self.ids["public_evidence"] = items[PUBLIC_TITLE][0]
        self.ids["internal_evidence"] = items[INTERNAL_TITLE][0]
        shot = self.shot("evidence", 'main a[href^="/roadmap/evidence/"]')
        return (f"{shot}: {PUBLIC_TITLE!r} public "
                f"({items[PUBLIC_TITLE][0]}), {INTERNAL_TITLE!r} internal "
                f"({items[INTERNAL_TITLE][0]})")

    def step_submit(self):
        self.press(self.form(f"/roadmap/reports/{self.ids['report']}/transition"),
                   "Submit the report")
        text = self.main_text()
        check("submitted" in text.lower(), "the report does not say submitted")
        check(not self.wd.find_all(f'form[action="/roadmap/reports/{self.ids["report"]}"]'),
              "the focal point can still edit the submitted report")
        shot = self.shot("submitted")
        self.sign_out()
        return f"{shot}: submitted, no longer editable; signed out"

    def step_return(self):
        self.sign_in("coordinator")
        self.to_report()
        text = self.main_text()
        check(DRAFT_NARRATIVE in text, "the coordinator does not see the narrative")
        forms = [f for f in self.wd.find_all(
            f'form[action="/roadmap/reports/{self.ids["report"]}/transition"]')
            if self.wd.find_all('input[name="to"][value="returned"]', f)]
        check(forms, "no 'Return for changes' form")
        self.unfold(forms[0])
        self.fill(forms[0], "comment", COMMENT)
        self.press(forms[0], "Return for changes")
        check("returned" in self.main_text().lower(), "the report does not say returned")
        check(COMMENT in self.main_text(), "the comment is not on the report")
        shot = self.shot("returned")
        self.sign_out()
        return f"{shot}: returned with the comment; signed out"

    def step_inbox(self):
        wd = self.wd
        self.sign_in("focalpoint")
        self.follow('main a[href="/inbox"]', "the inbox")
        items = wd.find_all("main ul.inbox li")
        check(items, "the inbox is empty")
        mine = [i for i in items
                if wd.find_all(f'a[href="/roadmap/reports/{self.ids["report"]}"]', i)]
        check(mine, "no inbox message links to the report: "
              + " | ".join(wd.text(i)[:80] for i in items[:5]))
        message = wd.text(mine[0])
        shot = self.shot("inbox")
        self.follow(f'main ul.inbox a[href="/roadmap/reports/{self.ids["report"]}"]',
                    "the report from the inbox")
        check(COMMENT in self.main_text(), "the focal point does not see the comment")
        return f"{shot}: {message.splitlines()[0][:90]!r}; the report shows the comment"

    def step_phone(self):
        wd = self.wd
        wd.set_window(390, 844)
        try:
            width = wd.wait(lambda: (lambda w: w if w <= 400 else None)(
                wd.js("return window.innerWidth")), "the window to narrow to phone width")
            wd.wait_loaded()
            overflow = wd.js("return document.documentElement.scrollWidth") - width
            wide = wd.js(
                "return [...document.querySelectorAll('main *')]"
                ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
                ".slice(0, 5).map(e => e.tagName.toLowerCase() + (e.name ? '[name=' + e.name"
                " + ']' : '') + ' ' + Math.round(e.getBoundingClientRect().right) + 'px');")
            shot = self.shot("phone-report", f'main form[action="/roadmap/reports/{self.ids["report"]}"]')
            check(overflow <= 1, f"the report page is {overflow} px wider than a {width} px "
                                 f"phone screen; too wide: {wide}")
            box = wd.find('textarea[name="narrative"]')
            check(wd.js("const r = arguments[0].getBoundingClientRect();"
                        "return r.left >= 0 && r.right <= window.innerWidth + 1;", el(box)),
                  "the narrative box does not fit the phone screen")
        finally:
            wd.set_window(1280, 900)
        return f"{shot}: {width} px wide, no horizontal scrolling, the narrative box fits"

    def step_resubmit(self):
        wd = self.wd
        wd.wait(lambda: wd.js("return window.innerWidth") > 1000, "the window to widen again")
        form = self.report_form()
        self.fill(form, "narrative", FINAL_NARRATIVE)
        values = wd.find_all('input[name^="value_"]', form)
        wd.clear(values[0])
        wd.type(values[0], "12")
        self.press(form, "Save")
        self.press(self.form(f"/roadmap/reports/{self.ids['report']}/transition"),
                   "Submit the report")
        check("submitted" in self.main_text().lower(), "the report does not say submitted")
        shot = self.shot("resubmitted")
        self.sign_out()
        return f"{shot}: narrative rewritten, value 12, submitted again; signed out"

    def transition(self, to, label):
        forms = [f for f in self.wd.find_all(
            f'form[action="/roadmap/reports/{self.ids["report"]}/transition"]')
            if self.wd.find_all(f'input[name="to"][value="{to}"]', f)]
        check(forms, f"no {label!r} button on the report")
        self.press(forms[0], label)
        check(to in self.main_text().lower(), f"the report does not say {to}")

    def step_publish(self):
        self.sign_in("coordinator")
        self.to_report()
        check(FINAL_NARRATIVE in self.main_text(), "the coordinator does not see the new text")
        self.transition("validated", "Validate")
        self.transition("published", "Publish")
        shot = self.shot("published")
        self.sign_out()
        return f"{shot}: validated, then published; signed out"

    def step_public(self):
        wd = self.wd
        wd.get(self.base + f"/recommendations/{UID}?lang=en")
        wd.wait_loaded()
        self.no_error()
        section = wd.find("main section.implementation")
        text = wd.text(section)
        check(ACTION_TITLE in text, "the Implementation section does not show the action")
        check(FINAL_NARRATIVE in text, "the Implementation section lacks the published narrative")
        check(PUBLIC_TITLE in text, "the Implementation section lacks the public evidence")
        check(INTERNAL_TITLE not in wd.text(wd.find("body")),
              "the public page shows the INTERNAL evidence title")
        check(DRAFT_NARRATIVE not in wd.text(wd.find("body")),
              "the public page shows the draft narrative")
        check(COMMENT not in wd.text(wd.find("body")), "the public page shows the comment")
        # The downloads, as the public: the public file yes, the internal one no.
        status, headers, body = http("GET", self.base + self.ids["public_evidence"])
        check(status == 200 and body.startswith(b"%PDF"),
              f"the public evidence download: HTTP {status}, {body[:8]!r}")
        check("application/pdf" in (headers.get("Content-Type") or ""),
              f"public evidence content type {headers.get('Content-Type')!r}")
        status, _, _ = http("GET", self.base + self.ids["internal_evidence"])
        check(status == 404, f"the internal evidence download answers HTTP {status} "
                             "to the public, expected 404")
        return (f"{self.shot('public', 'main section.implementation')}: action, published narrative, {PUBLIC_TITLE!r} "
                f"(download 200 PDF); {INTERNAL_TITLE!r} absent (download 404)")

    def step_russian(self):
        wd = self.wd
        before = wd.url()
        wd.click(wd.find('nav.languages a[hreflang="ru"]'))
        wd.wait_loaded(before)
        check(wd.js("return document.documentElement.lang") == "ru", "the page is not Russian")
        heading = wd.text(wd.find("main section.implementation h2"))
        check(heading == "Выполнение", f"the Implementation heading is {heading!r}")
        text = wd.text(wd.find("main section.implementation"))
        check(FINAL_NARRATIVE in text, "the Russian page lacks the narrative")
        return f"{self.shot('public-russian', 'main section.implementation')}: lang=ru, heading {heading!r}"

    def audit_headings(self):
        """Every audit entry's heading, following the pages' Next links."""
        wd = self.wd
        headings = []
        for _ in range(20):
            headings += [wd.text(h) for h in wd.find_all("main section.audit h2")]
            nexts = [a for a in wd.find_all("main nav.paging a") if wd.text(a) == "Next"]
            if not nexts:
                break
            self.new_page(lambda: wd.click(nexts[0]), "the next audit page")
        return headings

    def step_audit(self):
        wd = self.wd
        wd.get(self.base + "/?lang=en")
        wd.wait_loaded()
        self.sign_in("admin")
        self.to_roadmap()
        self.follow('main a[href="/admin/audit"]', "the audit log")
        shot = self.shot("audit")
        headings = self.audit_headings()
        entries = []
        for heading in headings:
            parts = [p.strip() for p in heading.split(" · ")]
            # "when · who · entity id · action"
            check(len(parts) == 4, f"unexpected audit heading {heading!r}")
            user, entity, action = parts[1], parts[2].split(" ")[0], parts[3]
            entries.append((user, entity, action))
        self.ids["audit"] = entries
        expected = [
            ("admin", "institution", "create"),
            ("admin", "user", "create"),
            ("admin", "user", "create"),
            ("coordinator", "roadmap", "create"),
            ("coordinator", "cluster", "create"),
            ("coordinator", "action", "create"),
            ("coordinator", "indicator", "create"),
            ("focalpoint", "progress_report", "create"),
            ("focalpoint", "evidence", "create"),
            ("focalpoint", "evidence", "create"),
            ("focalpoint", "progress_report", "submitted"),
            ("coordinator", "progress_report", "returned"),
            ("focalpoint", "progress_report", "submitted"),
            ("coordinator", "progress_report", "validated"),
            ("coordinator", "progress_report", "published"),
        ]
        remaining = list(entries)
        missing = []
        for want in expected:
            if want in remaining:
                remaining.remove(want)
            else:
                missing.append(want)
        check(not missing, f"the audit log lacks {missing}; it has {entries}")
        # Newest first: oldest first, the steps come in the walk's order.
        chronological = iter(reversed(entries))
        check(all(want in chronological for want in expected),
              f"the audit log has the steps out of order: {list(reversed(entries))}")
        others = list(remaining)
        return (f"{shot}: {len(entries)} entries, all {len(expected)} steps listed in order, "
                f"by their authors (also: {', '.join(' '.join(o) for o in others)})")


STEP_NAMES = ["admin-sign-in", "institution", "users", "admin-sign-out", "coordinator-sign-in",
              "roadmap", "cluster", "action", "indicator", "coordinator-sign-out", "report",
              "narrative", "evidence", "submit", "return", "inbox", "report-phone", "resubmit",
              "publish", "public", "public-russian", "audit"]

# ----------------------------------------------------------------- main ----

def main(argv):
    settings = Settings(argv)

    def db_url(tmp):
        return "sqlite://" + os.path.join(tmp, "roadmap.db")

    def prepare(tmp):
        def run(args, env=None, what=""):
            result = subprocess.run([settings.binary, "--db", db_url(tmp)] + args, cwd=tmp,
                                    env=env, stdin=subprocess.DEVNULL, capture_output=True,
                                    timeout=300)
            if result.returncode != 0:
                raise StepFailed(f"`hrtrack {' '.join(args)}` exited {result.returncode}:\n"
                                 + result.stdout.decode("utf-8", "replace")[-1500:]
                                 + result.stderr.decode("utf-8", "replace")[-1500:])
            return result.stdout.decode("utf-8", "replace")

        run(["demo"])
        env = dict(os.environ, HRTRACK_PASSWORD=PASSWORDS["admin"])
        added = run(["user", "add", "admin", "--role", "administrator",
                     "--display-name", DISPLAY["admin"]], env=env).strip()
        return f"demo database, then `user add admin`: {added.splitlines()[-1] if added else '?'}"

    def server_command(tmp):
        return [settings.binary, "--db", db_url(tmp), "serve", "--addr", "127.0.0.1:0"]

    def make_steps(wd, base, tmp):
        walk = RoadmapWalk(wd, base, settings.shots, tmp)
        steps = [
            ("admin-sign-in", walk.step_admin_sign_in),
            ("institution", walk.step_institution),
            ("users", walk.step_users),
            ("admin-sign-out", walk.step_admin_sign_out),
            ("coordinator-sign-in", walk.step_coordinator_sign_in),
            ("roadmap", walk.step_roadmap),
            ("cluster", walk.step_cluster),
            ("action", walk.step_action),
            ("indicator", walk.step_indicator),
            ("coordinator-sign-out", walk.step_coordinator_sign_out),
            ("report", walk.step_focal_point_report),
            ("narrative", walk.step_narrative),
            ("evidence", walk.step_evidence),
            ("submit", walk.step_submit),
            ("return", walk.step_return),
            ("inbox", walk.step_inbox),
            ("report-phone", walk.step_phone),
            ("resubmit", walk.step_resubmit),
            ("publish", walk.step_publish),
            ("public", walk.step_public),
            ("public-russian", walk.step_russian),
            ("audit", walk.step_audit),
        ]
        assert [name for name, _ in steps] == STEP_NAMES
        return steps

    steps = "|".join(re.escape(name) for name in STEP_NAMES)
    return walk_main(settings, rf"(roadmap-\d\d-[a-z-]+|failed-({steps}))\.png",
                     server_command, make_steps, prepare=prepare)


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""Browser walkthrough of the hrtrack portal in headless Chromium.

Starts `hrtrack serve --demo` on a free port and `chromedriver`, then drives
Chromium the way a person would: search -> facet -> recommendation page ->
language switch -> download, plus a look at phone width. Screenshots of each
step go to SCREENSHOT_DIR (default target/browser-screenshots/).

Needs only the Python 3 standard library: it speaks the W3C WebDriver
protocol to chromedriver itself (see WebDriver in webdriver.py, shared with
roadmap_walkthrough.py).

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


import csv
import io
import os
import re
import sys
import urllib.parse

sys.dont_write_bytecode = True  # no __pycache__ next to the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webdriver import (  # noqa: E402  (the folder is put on the path first)
    ELEMENT_KEY, Settings, check, http, walk_main,
)

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
    settings = Settings(argv)

    def server_command(tmp):
        return [settings.binary, "serve", "--demo", "--demo-file", os.path.join(tmp, "demo.db"),
                "--addr", "127.0.0.1:0"]

    def make_steps(wd, base, _tmp):
        walk = Walk(wd, base, settings.shots)
        return [("search", walk.step_search), ("facet", walk.step_facet),
                ("recommendation", walk.step_recommendation), ("russian", walk.step_russian),
                ("download", walk.step_download), ("phone", walk.step_phone)]

    return walk_main(settings, r"(0\d-[a-z]+|failed-[a-z]+)\.png", server_command, make_steps)


if __name__ == "__main__":
    sys.exit(main(sys.argv))

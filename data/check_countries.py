#!/usr/bin/env python3
"""Check data/countries.csv, the list of States used by hrtrack.

Usage:
    python3 data/check_countries.py [--sources DIR] [--skip-sources] [--verbose]

DIR defaults to $HRTRACK_UPR_DATA, or else ../shared/data/upr-recommendations
seen from the repository root (that is /work/shared/... for /work/main).

What the file holds
-------------------
Columns: iso3, iso2, name, regional_group, aliases.
  * One row per State: the 193 UN Member States and the two observer States,
    Holy See (VAT/VA) and State of Palestine (PSE/PS). 195 rows.
  * No other entity occurs as a State under review or recommending State in
    the source files, so no user-assigned code (XKX/XK for Kosovo etc.) is used.
    The only non-State value in the sources is UPR Info's placeholder
    "&#40;Unknown&#41;" (HTML-escaped "(Unknown)") used as recommending State
    for 9 Indonesia cycle-1 rows; it is listed in NON_STATE_VALUES below and
    reported, not mapped to a State.
  * name: UN M49 / UNTERM short name (e.g. "Türkiye",
    "Netherlands (Kingdom of the)", "Côte d'Ivoire").
  * regional_group: African, Asia-Pacific, Eastern European, GRULAC, WEOG, or
    empty (Holy See only: not in any UN regional group).
    Israel, Türkiye and the United States of America are counted in WEOG
    (full member for elections; the US is formally an observer of WEOG but
    is counted there for electoral purposes); Kiribati, Cyprus and the Central
    Asian States are Asia-Pacific.
  * aliases: ';'-separated other names (older names, long/short forms and
    every spelling seen in the sources that differs from name).

Name matching (what "resolves" means here, and what the Rust code must do):
    NFKD + drop combining marks (accents), casefold, ’ ‘ ` ʼ -> ',
    drop commas and periods, collapse whitespace, strip, drop a leading "the ".
    No alias may map to two States after this normalisation.

Differences from UPR Info's regional groups that are kept on purpose
--------------------------------------------------------------------
UPR Info (sur_regional_group / rs_regional_group) uses Africa, Asia, EEG,
GRULAC, WEOG and "Observer". "Observer" is read as "no group".
  * PSE State of Palestine: UPR Info "Observer" (its UN status), but
    Palestine (then the PLO) has been a full member of the Asia-Pacific
    (formerly Asian) Group since 1986, so Asia-Pacific.
Any other difference makes this script fail (see KNOWN_GROUP_DIFFS).

Sources checked (every State name in them must resolve)
-------------------------------------------------------
 1. upr_info_recommendations_sessions01-20.csv, upr_info_turkmenistan_cycles1-2.csv
    (state_under_review, recommending_state), upr_info_voluntary_pledges_sessions01-20.csv
    (state_under_review, pledging_state)
 2. ohchr_thematic_list_slovenia_upr20_upr34_upr48.csv
    (state_under_review, recommending_states split on ';')
 3. ohchr-docx/*.docx, more-matrices/*.docx: the recommending States in the
    parentheses in the first cell of each recommendation row, and in the
    Egypt file the "Recommending state/s" column (one State per line).
 4. (extra) upr_review_years_cycles1-2.csv (country)
 5. a fixed list of UN name forms (FUTURE_NAMES).

For 3, a parenthesis counts as a list of States when at least one of its
comma / " and " separated parts resolves; then every part must resolve.
Parentheses with no resolving part (e.g. "(CEDAW)", "(2010)") are ignored
and printed so a person can check them; those that stand at the end of a
recommendation (where recommending States stand) are printed separately.
A parenthesis whose text is close to a State name (same letters once spaces
are removed, or difflib ratio >= 0.85) is not ignored but must resolve: the
China 2013 matrix has OHCHR split-word typos "Sierra Le one" and
"Bolivia (Plurinational S tate of)", which are therefore listed as aliases.
"""

import argparse
import collections
import csv
import difflib
import glob
import os
import re
import sys
import unicodedata
import xml.etree.ElementTree as ET
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
CSV_PATH = os.path.join(HERE, "countries.csv")
HEADER = ["iso3", "iso2", "name", "regional_group", "aliases"]
GROUPS = {"African", "Asia-Pacific", "Eastern European", "GRULAC", "WEOG", ""}
UN_MEMBER_COUNT = 193

UPRINFO_GROUP = {"Africa": "African", "Asia": "Asia-Pacific", "EEG": "Eastern European",
                 "GRULAC": "GRULAC", "WEOG": "WEOG", "Observer": ""}
# iso3 -> why our group differs from UPR Info's
KNOWN_GROUP_DIFFS = {
    "PSE": "UPR Info gives its UN status (Observer); Palestine is a full member "
           "of the Asia-Pacific Group (since 1986, as PLO).",
}
# exact raw values in the sources that are not States (reported, not mapped)
NON_STATE_VALUES = {"&#40;Unknown&#41;"}

FUTURE_NAMES = [
    "Türkiye", "Turkey", "Holy See", "State of Palestine", "Iran (Islamic Republic of)",
    "United Kingdom of Great Britain and Northern Ireland",
    "Bolivarian Republic of Venezuela", "Plurinational State of Bolivia",
    "Republic of Korea", "Democratic People's Republic of Korea",
    "Lao People's Democratic Republic", "Micronesia (Federated States of)",
    "Netherlands (Kingdom of the)", "Congo", "Democratic Republic of the Congo",
    "United Republic of Tanzania",
]

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def norm(s):
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.casefold()
    for q in ("\u2019", "\u2018", "`", "\u02bc"):
        s = s.replace(q, "'")
    s = s.replace(",", "").replace(".", "")
    s = " ".join(s.split())
    if s.startswith("the "):
        s = s[4:]
    return s


# ---------------------------------------------------------------- countries.csv
def load_countries(errors):
    rows = []
    with open(CSV_PATH, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header != HEADER:
            errors.append("bad header: %r" % (header,))
        for n, row in enumerate(reader, start=2):
            if len(row) != 5:
                errors.append("line %d: %d columns, want 5: %r" % (n, len(row), row))
                continue
            rows.append(dict(zip(HEADER, row)))
    return rows


def check_rows(rows, errors):
    index = {}  # normalised name/alias -> iso3
    seen3, seen2 = set(), set()
    for r in rows:
        i3, i2, name, group = r["iso3"], r["iso2"], r["name"], r["regional_group"]
        if not re.fullmatch(r"[A-Z]{3}", i3):
            errors.append("bad iso3 %r" % i3)
        if not re.fullmatch(r"[A-Z]{2}", i2):
            errors.append("bad iso2 %r for %s" % (i2, i3))
        if i3 in seen3:
            errors.append("duplicate iso3 %s" % i3)
        if i2 in seen2:
            errors.append("duplicate iso2 %s" % i2)
        seen3.add(i3)
        seen2.add(i2)
        if group not in GROUPS:
            errors.append("%s: bad regional_group %r" % (i3, group))
        if not name.strip() or name != name.strip():
            errors.append("%s: empty name or stray spaces %r" % (i3, name))
        aliases = r["aliases"].split(";") if r["aliases"] else []
        for a in [name] + aliases:
            if not a.strip():
                errors.append("%s: empty alias" % i3)
                continue
            k = norm(a)
            other = index.get(k)
            if other and other != i3:
                errors.append("alias collision: %r -> %s and %s" % (a, other, i3))
            index[k] = i3
    members = [r for r in rows if r["iso3"] not in ("VAT", "PSE")]
    if len(members) != UN_MEMBER_COUNT:
        errors.append("%d rows besides VAT/PSE, want %d UN members"
                      % (len(members), UN_MEMBER_COUNT))
    for i3 in ("VAT", "PSE"):
        if i3 not in seen3:
            errors.append("missing observer State %s" % i3)
    return index


# ---------------------------------------------------------------- sources
def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def cell_text(tc):
    paras = []
    for p in tc.iter(W + "p"):
        s = []
        for el in p.iter():
            if el.tag == W + "t":
                s.append(el.text or "")
            elif el.tag in (W + "br", W + "cr"):
                s.append("\n")
            elif el.tag == W + "tab":
                s.append("\t")
        paras.append("".join(s))
    return "\n".join(paras)


def paren_groups(text):
    """Top-level (...) groups with nesting; yields (content, trailing?)."""
    out = []
    depth, start = 0, None
    for i, ch in enumerate(text):
        if ch == "(":
            if depth == 0:
                start = i
            depth += 1
        elif ch == ")" and depth > 0:
            depth -= 1
            if depth == 0:
                rest = text[i + 1:].lstrip()
                trailing = rest == "" or rest[0] in ";.(:"
                out.append((text[start + 1:i], trailing))
    if depth > 0 and start is not None:  # unbalanced: take the rest
        out.append((text[start + 1:], True))
    return out


def split_top(s, sep):
    parts, depth, cur = [], 0, []
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch in sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


def split_states(content, index):
    """Split a parenthesis into names; returns (resolved, unresolved)."""
    resolved, unresolved = [], []
    for piece in split_top(content, ",;"):
        if norm(piece) in index:
            resolved.append(piece)
            continue
        if norm(piece).startswith("and "):
            piece = piece.strip()[4:]
            if norm(piece) in index:
                resolved.append(piece)
                continue
        words = re.split(r"\s+and\s+", piece)
        # smallest partition of the " and "-separated words that resolves
        best = {0: []}
        for j in range(1, len(words) + 1):
            for i in range(j):
                if i in best:
                    cand = " and ".join(words[i:j])
                    if norm(cand) in index and j not in best:
                        best[j] = best[i] + [cand]
        if len(words) in best:
            resolved.extend(best[len(words)])
        else:
            unresolved.append(piece)
    return resolved, unresolved


_SQUASHED = {}


def near_miss(piece, index):
    """True if piece looks like a State name with a typo or split word."""
    if not _SQUASHED:
        for k in index:
            _SQUASHED[k.replace(" ", "")] = k
    k = norm(piece)
    if k.replace(" ", "") in _SQUASHED:
        return True
    return bool(difflib.get_close_matches(k, list(index), n=1, cutoff=0.85))


def docx_names(path, index, ignored, ignored_trailing, info):
    root = ET.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    names = []
    n_rec = 0
    col_idx = None
    for tr in root.iter(W + "tr"):
        cells = [cell_text(tc) for tc in tr.findall(W + "tc")]
        if not cells:
            continue
        if col_idx is None:
            for k, c in enumerate(cells):
                if re.match(r"\s*recommending state", c, re.I):
                    col_idx = k
        first = cells[0].strip()
        m = re.match(r"(\d+\.\d+)\.?", first)
        if not m:
            continue
        n_rec += 1
        para = m.group(1)
        text = re.split(r"source of position", first, flags=re.I)[0]
        from_parens = []
        for content, trailing in paren_groups(text):
            res, unres = split_states(content, index)
            if not res and any(near_miss(x, index) for x in unres):
                res, unres = [], unres  # a misspelt State: must be an alias
                names += [(n, "%s %s" % (os.path.basename(path), para)) for n in unres]
                continue
            if res:
                from_parens += res
                names += [(n, "%s %s" % (os.path.basename(path), para)) for n in res + unres]
            else:
                (ignored_trailing if trailing else ignored).append(
                    (os.path.basename(path), para, content))
        if col_idx is not None and col_idx < len(cells):
            col = [l.strip() for l in cells[col_idx].split("\n") if l.strip()]
            names += [(n, "%s %s [column]" % (os.path.basename(path), para)) for n in col]
            a = sorted(index.get(norm(x), x) for x in col)
            b = sorted(index.get(norm(x), x) for x in from_parens)
            if a != b:
                info.append("%s %s: column %s vs text %s"
                            % (os.path.basename(path), para, a, b))
    return names, n_rec


def collect_sources(src, index, report):
    """Return list of (raw name, where) and UPR Info group observations."""
    names = []
    upr_groups = collections.defaultdict(collections.Counter)  # raw name -> groups
    specs = [
        ("upr_info_recommendations_sessions01-20.csv",
         [("state_under_review", "sur_regional_group"), ("recommending_state", "rs_regional_group")]),
        ("upr_info_turkmenistan_cycles1-2.csv",
         [("state_under_review", "sur_regional_group"), ("recommending_state", "rs_regional_group")]),
        ("upr_info_voluntary_pledges_sessions01-20.csv",
         [("state_under_review", "sur_regional_group"), ("pledging_state", "rs_regional_group")]),
    ]
    for fn, cols in specs:
        for r in read_csv(os.path.join(src, fn)):
            for col, gcol in cols:
                v = r[col]
                if v.strip():
                    names.append((v, "%s:%s" % (fn, col)))
                    upr_groups[v][r[gcol]] += 1
    fn = "ohchr_thematic_list_slovenia_upr20_upr34_upr48.csv"
    for r in read_csv(os.path.join(src, fn)):
        names.append((r["state_under_review"], fn + ":state_under_review"))
        for v in r["recommending_states"].split(";"):
            if v.strip():
                names.append((v, fn + ":recommending_states"))
    fn = "upr_review_years_cycles1-2.csv"
    if os.path.exists(os.path.join(src, fn)):
        for r in read_csv(os.path.join(src, fn)):
            names.append((r["country"], fn + ":country"))
    files = sorted(glob.glob(os.path.join(src, "ohchr-docx", "*.docx"))
                   + glob.glob(os.path.join(src, "more-matrices", "*.docx")))
    if len(files) != 6:
        report["errors"].append("expected 6 .docx files, found %d" % len(files))
    for f in files:
        got, n_rec = docx_names(f, index, report["ignored"], report["ignored_trailing"],
                                report["info"])
        report["docx"].append((os.path.basename(f), n_rec, len(got)))
        names += got
    names += [(n, "FUTURE_NAMES") for n in FUTURE_NAMES]
    return names, upr_groups


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default_src = os.environ.get("HRTRACK_UPR_DATA") or os.path.normpath(
        os.path.join(HERE, "..", "..", "shared", "data", "upr-recommendations"))
    ap.add_argument("--sources", default=default_src)
    ap.add_argument("--skip-sources", action="store_true",
                    help="only check the file itself")
    ap.add_argument("--verbose", action="store_true",
                    help="also list Egypt column/text differences")
    args = ap.parse_args()

    errors = []
    rows = load_countries(errors)
    index = check_rows(rows, errors)
    by_iso = {r["iso3"]: r for r in rows}

    print("countries.csv: %d rows" % len(rows))
    counts = collections.Counter(r["regional_group"] or "(none)" for r in rows)
    for g in sorted(counts):
        print("  %-17s %3d  %s" % (g, counts[g], ", ".join(
            r["iso3"] for r in rows if (r["regional_group"] or "(none)") == g)
            if g == "(none)" else ""))

    unresolved = collections.defaultdict(list)
    if args.skip_sources:
        print("sources: skipped")
    elif not os.path.isdir(args.sources):
        errors.append("source directory not found: %s (use --sources or --skip-sources)"
                      % args.sources)
    else:
        report = {"errors": errors, "ignored": [], "ignored_trailing": [], "info": [],
                  "docx": []}
        names, upr_groups = collect_sources(args.sources, index, report)
        non_state = collections.Counter()
        distinct = set()
        for raw, where in names:
            if raw in NON_STATE_VALUES:
                non_state[(raw, where)] += 1
                continue
            distinct.add(raw)
            if norm(raw) not in index:
                unresolved[raw].append(where)
        print("sources: %s" % args.sources)
        print("  %d names checked, %d distinct spellings" % (len(names), len(distinct)))
        for f, n_rec, n_names in report["docx"]:
            print("  %s: %d recommendations, %d State names" % (f, n_rec, n_names))
        for (raw, where), n in sorted(non_state.items()):
            print("  not a State (ignored): %r in %s, %d times" % (raw, where, n))

        # regional groups vs UPR Info
        diffs = []
        for raw, gs in sorted(upr_groups.items()):
            i3 = index.get(norm(raw))
            if not i3:
                continue
            for g in gs:
                theirs = UPRINFO_GROUP.get(g)
                if theirs is None:
                    errors.append("unknown UPR Info group %r for %r" % (g, raw))
                elif theirs != by_iso[i3]["regional_group"]:
                    diffs.append((i3, raw, g, by_iso[i3]["regional_group"]))
        print("regional groups differing from UPR Info: %d" % len(set(d[0] for d in diffs)))
        for i3, raw, g, ours in sorted(set(diffs)):
            why = KNOWN_GROUP_DIFFS.get(i3)
            print("  %s %r: UPR Info %r, ours %r -- %s"
                  % (i3, raw, g, ours, why or "NOT EXPLAINED"))
            if not why:
                errors.append("unexplained group difference for %s" % i3)

        print("ignored parentheses at the end of a recommendation (check these): %d"
              % len(report["ignored_trailing"]))
        for f, p, c in report["ignored_trailing"]:
            print("  %s %s: (%s)" % (f, p, c.replace("\n", " ")))
        ign = collections.Counter(c.replace("\n", " ") for _, _, c in report["ignored"])
        print("ignored parentheses inside recommendations: %d (%d distinct)"
              % (len(report["ignored"]), len(ign)))
        for c, n in sorted(ign.items()):
            print("  (%s)%s" % (c, " x%d" % n if n > 1 else ""))
        print("Egypt: rows where the 'Recommending state/s' column and the "
              "parentheses differ: %d" % len(report["info"]))
        if args.verbose:
            for line in report["info"]:
                print("  " + line)

    print("unresolved names: %d" % len(unresolved))
    for raw, wheres in sorted(unresolved.items()):
        print("  %r (%d times, e.g. %s)" % (raw, len(wheres), wheres[0]))
        errors.append("unresolved name %r" % raw)

    if errors:
        print("FAILED: %d problem(s)" % len(errors))
        for e in errors[:50]:
            print("  " + e)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())

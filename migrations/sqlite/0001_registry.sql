-- The registry: countries and their name variants, mechanisms, the SDG framework,
-- reviews, recommendations and what they are tagged with, and the log of imports.

-- Fingerprints of the bundled reference data, so that it is loaded again only when it changes.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE countries (
    id             INTEGER PRIMARY KEY,
    iso3           TEXT NOT NULL UNIQUE,
    iso2           TEXT,
    name           TEXT NOT NULL,
    regional_group TEXT
);

-- Every spelling a UN or NGO file uses, normalised (see hrtrack_db::countries::name_key).
CREATE TABLE country_names (
    name_key   TEXT PRIMARY KEY,
    country_id INTEGER NOT NULL REFERENCES countries (id)
) WITHOUT ROWID;

CREATE TABLE mechanisms (
    code TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL
);

INSERT INTO mechanisms (code, kind, name) VALUES
    ('UPR', 'upr', 'Universal Periodic Review'),
    ('CCPR', 'treaty_body', 'Human Rights Committee'),
    ('CESCR', 'treaty_body', 'Committee on Economic, Social and Cultural Rights'),
    ('CAT', 'treaty_body', 'Committee against Torture'),
    ('CERD', 'treaty_body', 'Committee on the Elimination of Racial Discrimination'),
    ('CEDAW', 'treaty_body', 'Committee on the Elimination of Discrimination against Women'),
    ('CRC', 'treaty_body', 'Committee on the Rights of the Child'),
    ('CRPD', 'treaty_body', 'Committee on the Rights of Persons with Disabilities'),
    ('CMW', 'treaty_body', 'Committee on Migrant Workers'),
    ('CED', 'treaty_body', 'Committee on Enforced Disappearances'),
    ('SP', 'special_procedures', 'Special procedures of the Human Rights Council'),
    ('NATIONAL', 'national', 'National framework (e.g. a National Human Rights Action Plan)');

CREATE TABLE sdg_goals (
    goal     INTEGER PRIMARY KEY,
    title_en TEXT NOT NULL,
    title_ru TEXT NOT NULL,
    title_tk TEXT NOT NULL,
    short_en TEXT NOT NULL,
    short_ru TEXT NOT NULL,
    short_tk TEXT NOT NULL
);

CREATE TABLE sdg_targets (
    code     TEXT PRIMARY KEY,
    goal     INTEGER NOT NULL REFERENCES sdg_goals (goal),
    title_en TEXT NOT NULL,
    title_ru TEXT,
    title_tk TEXT
);

CREATE TABLE sdg_indicators (
    code      TEXT PRIMARY KEY,
    target    TEXT NOT NULL REFERENCES sdg_targets (code),
    title_en  TEXT NOT NULL,
    title_ru  TEXT,
    title_tk  TEXT,
    unsd_code TEXT
);

-- One review of one State by one mechanism; for the UPR one per cycle (0 = not numbered).
CREATE TABLE reviews (
    id            INTEGER PRIMARY KEY,
    country_id    INTEGER NOT NULL REFERENCES countries (id),
    mechanism     TEXT NOT NULL REFERENCES mechanisms (code),
    cycle         INTEGER NOT NULL,
    session       INTEGER,
    review_date   TEXT,
    report_symbol TEXT,
    UNIQUE (country_id, mechanism, cycle)
);

CREATE TABLE recommendations (
    id                INTEGER PRIMARY KEY,
    uid               TEXT NOT NULL UNIQUE,
    review_id         INTEGER NOT NULL REFERENCES reviews (id),
    paragraph         TEXT,
    text              TEXT NOT NULL,
    text_key          TEXT NOT NULL,
    language          TEXT NOT NULL,
    position          TEXT NOT NULL,
    position_source   TEXT,
    position_official INTEGER NOT NULL,
    theme_heading     TEXT,
    action_category   INTEGER,
    source_format     TEXT NOT NULL,
    -- 1 when an official matrix of the same review holds this recommendation under another
    -- wording: kept so that re-imports match it, left out of every count and list.
    superseded        INTEGER NOT NULL DEFAULT 0,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX recommendations_review ON recommendations (review_id);

-- No index by country or by tag value: filters on them scan these tables (measured on the
-- 41k-recommendation UPR Info data: 3 ms and 9 ms), while each index cost about 50 ms of
-- every full import; statistics come from review_counts.
CREATE TABLE recommendation_states (
    recommendation_id INTEGER NOT NULL REFERENCES recommendations (id),
    country_id        INTEGER NOT NULL REFERENCES countries (id),
    PRIMARY KEY (recommendation_id, country_id)
) WITHOUT ROWID;

-- kind: 'theme' (UHRI), 'affected_person', 'upr_issue' (UPR Info).
CREATE TABLE recommendation_tags (
    recommendation_id INTEGER NOT NULL REFERENCES recommendations (id),
    kind              TEXT NOT NULL,
    value             TEXT NOT NULL,
    PRIMARY KEY (recommendation_id, kind, value)
) WITHOUT ROWID;

-- target is '' where only the goal is known.
CREATE TABLE recommendation_sdgs (
    recommendation_id INTEGER NOT NULL REFERENCES recommendations (id),
    goal              INTEGER NOT NULL REFERENCES sdg_goals (goal),
    target            TEXT NOT NULL,
    PRIMARY KEY (recommendation_id, goal, target)
) WITHOUT ROWID;
CREATE INDEX recommendation_sdgs_goal ON recommendation_sdgs (goal);

-- Counts per review, rewritten by every import for the reviews it touches, so that the
-- statistics of whole reviews (filtered by State, mechanism, cycle, session) are sums over a
-- few thousand rows. kind: 'total' (key ''), 'position' (code), 'state' (recommending country
-- id), 'group' (regional group of recommending States, or 'none'), 'theme', 'upr_issue',
-- 'affected_person' (value), 'sdg_goal' (goal). recommendations counts each recommendation
-- once; pairs counts recommendation-State pairs (for 'total', 'state' and 'group').
CREATE TABLE review_counts (
    review_id       INTEGER NOT NULL REFERENCES reviews (id),
    kind            TEXT NOT NULL,
    key             TEXT NOT NULL,
    recommendations INTEGER NOT NULL,
    pairs           INTEGER NOT NULL,
    PRIMARY KEY (review_id, kind, key)
) WITHOUT ROWID;

CREATE TABLE import_runs (
    id          INTEGER PRIMARY KEY,
    format      TEXT NOT NULL,
    source      TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    added       INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    unchanged   INTEGER NOT NULL
);

-- Statistics already computed, per filter, valid while meta 'data_version' has not changed
-- (every import that writes bumps it). Figures change only on import; this keeps the
-- figures a portal or a script asks for again and again from being counted again.
CREATE TABLE stats_cache (
    filter_key   TEXT PRIMARY KEY,
    data_version TEXT NOT NULL,
    body         TEXT NOT NULL
);

-- The SDG data platform around the observations of 0003: the code lists the data is checked
-- against (loaded from an SDMX structure message and national name files), national metadata
-- per indicator in each language, the submissions agencies make and statisticians decide on,
-- and every published version of an indicator's data.

-- Components (dimensions, attributes, time, measure) of the data structure, in DSD order.
CREATE TABLE sdg_components (
    id       TEXT PRIMARY KEY,
    kind     TEXT NOT NULL,
    codelist TEXT,
    position INTEGER NOT NULL
);

-- Codes of every code list, with names in English (from the structure) and in Russian and
-- Turkmen (national files); `indicator` ties a CL_SERIES code to its SDG indicators
-- (comma-separated, the main one first).
CREATE TABLE sdg_codes (
    codelist  TEXT NOT NULL,
    code      TEXT NOT NULL,
    position  INTEGER NOT NULL,
    name_en   TEXT NOT NULL,
    name_ru   TEXT,
    name_tk   TEXT,
    parent    TEXT,
    indicator TEXT,
    additive  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (codelist, code)
);

-- National metadata: one text per indicator, field (definition, method, source, agency,
-- contact, …) and language.
CREATE TABLE sdg_metadata (
    indicator  TEXT NOT NULL,
    field      TEXT NOT NULL,
    lang       TEXT NOT NULL,
    text       TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users (id),
    PRIMARY KEY (indicator, field, lang)
);

-- The institutions that provide an indicator's data: when an indicator has any, only data
-- providers working for one of them may send its data.
CREATE TABLE sdg_indicator_providers (
    indicator      TEXT NOT NULL,
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    PRIMARY KEY (indicator, institution_id)
);

-- A new version of one indicator's data sent by a data provider: the file as read
-- (observations as JSON), its validation report, and the statistician's decision.
-- status: submitted | returned | approved (waiting for its embargo) | published | withdrawn.
CREATE TABLE sdg_submissions (
    id               INTEGER PRIMARY KEY,
    indicator        TEXT NOT NULL,
    institution_id   INTEGER REFERENCES institutions (id),
    submitted_by     INTEGER NOT NULL REFERENCES users (id),
    submitted_at     TEXT NOT NULL,
    status           TEXT NOT NULL,
    file_name        TEXT NOT NULL,
    format           TEXT NOT NULL,
    note             TEXT NOT NULL DEFAULT '',
    observations     TEXT NOT NULL,
    observation_count INTEGER NOT NULL,
    report           TEXT NOT NULL,
    errors           INTEGER NOT NULL,
    warnings         INTEGER NOT NULL,
    decided_by       INTEGER REFERENCES users (id),
    decided_at       TEXT,
    decision_comment TEXT NOT NULL DEFAULT '',
    publish_at       TEXT,
    published_at     TEXT,
    published_version INTEGER,
    version          INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX sdg_submissions_indicator ON sdg_submissions (indicator, status);
CREATE INDEX sdg_submissions_due ON sdg_submissions (status, publish_at);

-- Every published version of an indicator's data, whole, so that any two can be compared.
CREATE TABLE sdg_versions (
    indicator     TEXT NOT NULL,
    number        INTEGER NOT NULL,
    submission_id INTEGER REFERENCES sdg_submissions (id),
    published_at  TEXT NOT NULL,
    observations  TEXT NOT NULL,
    observation_count INTEGER NOT NULL,
    PRIMARY KEY (indicator, number)
);

-- Nothing looks observations up by the dataset that wrote them (datasets are never deleted);
-- the index only added work to every observation written.
DROP INDEX sdg_observations_dataset;

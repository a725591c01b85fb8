-- The Roadmap: people and access, institutions, roadmaps with clusters, actions and
-- indicators, progress reports with evidence, assessments, the inbox and the audit trail.
-- Every editable record carries `version` (optimistic locking) and `archived` (records are
-- archived, never deleted).

CREATE TABLE institutions (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    name_ru    TEXT NOT NULL DEFAULT '',
    name_tk    TEXT NOT NULL DEFAULT '',
    kind       TEXT NOT NULL,
    archived   INTEGER NOT NULL DEFAULT 0,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    email         TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    archived      INTEGER NOT NULL DEFAULT 0,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE user_institutions (
    user_id        INTEGER NOT NULL REFERENCES users (id),
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    PRIMARY KEY (user_id, institution_id)
);

-- Browser sessions: only the SHA-256 of the cookie's secret is stored.
CREATE TABLE sessions (
    token_digest TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Personal API tokens for scripts: only the SHA-256 of the token is stored.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    label        TEXT NOT NULL,
    token_digest TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);

-- Failed logins, for throttling: kept per login name (and client address, where known).
CREATE TABLE login_failures (
    id     INTEGER PRIMARY KEY,
    name   TEXT NOT NULL,
    client TEXT NOT NULL DEFAULT '',
    at     TEXT NOT NULL
);
CREATE INDEX login_failures_name ON login_failures (name, at);

CREATE TABLE roadmaps (
    id              INTEGER PRIMARY KEY,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    review_id       INTEGER REFERENCES reviews (id),
    followup_months INTEGER NOT NULL DEFAULT 12,
    archived        INTEGER NOT NULL DEFAULT 0,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

-- Reviewers (NHRI, civil society) who may read this roadmap's drafts.
CREATE TABLE roadmap_reviewers (
    roadmap_id INTEGER NOT NULL REFERENCES roadmaps (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (roadmap_id, user_id)
);

CREATE TABLE clusters (
    id          INTEGER PRIMARY KEY,
    roadmap_id  INTEGER NOT NULL REFERENCES roadmaps (id),
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    archived    INTEGER NOT NULL DEFAULT 0,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE cluster_recommendations (
    cluster_id         INTEGER NOT NULL REFERENCES clusters (id),
    recommendation_uid TEXT NOT NULL REFERENCES recommendations (uid),
    PRIMARY KEY (cluster_id, recommendation_uid)
);
CREATE INDEX cluster_recommendations_uid ON cluster_recommendations (recommendation_uid);

CREATE TABLE actions (
    id                  INTEGER PRIMARY KEY,
    roadmap_id          INTEGER NOT NULL REFERENCES roadmaps (id),
    title               TEXT NOT NULL,
    description         TEXT NOT NULL DEFAULT '',
    expected_outcome    TEXT NOT NULL DEFAULT '',
    lead_institution_id INTEGER NOT NULL REFERENCES institutions (id),
    start_date          TEXT NOT NULL,
    end_date            TEXT NOT NULL,
    cost                TEXT NOT NULL DEFAULT '',
    currency            TEXT NOT NULL DEFAULT '',
    funding_source      TEXT NOT NULL DEFAULT '',
    status              TEXT NOT NULL DEFAULT 'planned',
    published           INTEGER NOT NULL DEFAULT 0,
    archived            INTEGER NOT NULL DEFAULT 0,
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX actions_roadmap ON actions (roadmap_id);
CREATE INDEX actions_lead ON actions (lead_institution_id);

-- Supporting institutions and partners (e.g. the ILO) of an action.
CREATE TABLE action_institutions (
    action_id      INTEGER NOT NULL REFERENCES actions (id),
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    role           TEXT NOT NULL,
    PRIMARY KEY (action_id, institution_id)
);
CREATE INDEX action_institutions_institution ON action_institutions (institution_id);

CREATE TABLE action_recommendations (
    action_id          INTEGER NOT NULL REFERENCES actions (id),
    recommendation_uid TEXT NOT NULL REFERENCES recommendations (uid),
    PRIMARY KEY (action_id, recommendation_uid)
);
CREATE INDEX action_recommendations_uid ON action_recommendations (recommendation_uid);

CREATE TABLE action_clusters (
    action_id  INTEGER NOT NULL REFERENCES actions (id),
    cluster_id INTEGER NOT NULL REFERENCES clusters (id),
    PRIMARY KEY (action_id, cluster_id)
);
CREATE INDEX action_clusters_cluster ON action_clusters (cluster_id);

CREATE TABLE action_sdg_targets (
    action_id   INTEGER NOT NULL REFERENCES actions (id),
    target_code TEXT NOT NULL REFERENCES sdg_targets (code),
    PRIMARY KEY (action_id, target_code)
);

CREATE TABLE indicators (
    id            INTEGER PRIMARY KEY,
    action_id     INTEGER NOT NULL REFERENCES actions (id),
    title         TEXT NOT NULL,
    baseline      TEXT NOT NULL DEFAULT '',
    target        TEXT NOT NULL DEFAULT '',
    unit          TEXT NOT NULL DEFAULT '',
    frequency     TEXT NOT NULL,
    sdg_indicator TEXT REFERENCES sdg_indicators (code),
    archived      INTEGER NOT NULL DEFAULT 0,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX indicators_action ON indicators (action_id);

-- One progress report per action and due date.
CREATE TABLE progress_reports (
    id           INTEGER PRIMARY KEY,
    action_id    INTEGER NOT NULL REFERENCES actions (id),
    due_date     TEXT NOT NULL,
    narrative    TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL DEFAULT 'draft',
    author_id    INTEGER REFERENCES users (id),
    submitted_at TEXT,
    validated_at TEXT,
    published_at TEXT,
    archived     INTEGER NOT NULL DEFAULT 0,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (action_id, due_date)
);
CREATE INDEX progress_reports_status ON progress_reports (status);

-- The value reported for each of the action's indicators.
CREATE TABLE report_values (
    report_id    INTEGER NOT NULL REFERENCES progress_reports (id),
    indicator_id INTEGER NOT NULL REFERENCES indicators (id),
    value        TEXT NOT NULL,
    PRIMARY KEY (report_id, indicator_id)
);

-- Comments made when a report is returned (and any other remark on it).
CREATE TABLE report_comments (
    id         INTEGER PRIMARY KEY,
    report_id  INTEGER NOT NULL REFERENCES progress_reports (id),
    author_id  INTEGER REFERENCES users (id),
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX report_comments_report ON report_comments (report_id);

-- Evidence of a report: an uploaded file (kept in the database, checked and size-limited)
-- or a link; public or internal.
CREATE TABLE evidence (
    id         INTEGER PRIMARY KEY,
    report_id  INTEGER NOT NULL REFERENCES progress_reports (id),
    title      TEXT NOT NULL,
    url        TEXT,
    file_name  TEXT,
    media_type TEXT,
    size       INTEGER NOT NULL DEFAULT 0,
    sha256     TEXT,
    content    BLOB,
    public     INTEGER NOT NULL DEFAULT 0,
    archived   INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX evidence_report ON evidence (report_id);

-- Implementation assessments per recommendation and reporting period: the government's
-- (author_key 'government') and each reviewer's shadow assessment (author_key 'user:ID').
CREATE TABLE assessments (
    id                 INTEGER PRIMARY KEY,
    recommendation_uid TEXT NOT NULL REFERENCES recommendations (uid),
    period             TEXT NOT NULL,
    level              TEXT NOT NULL,
    summary            TEXT NOT NULL DEFAULT '',
    shadow             INTEGER NOT NULL,
    author_key         TEXT NOT NULL,
    author_id          INTEGER REFERENCES users (id),
    status             TEXT NOT NULL DEFAULT 'draft',
    archived           INTEGER NOT NULL DEFAULT 0,
    version            INTEGER NOT NULL DEFAULT 1,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    UNIQUE (recommendation_uid, period, author_key)
);

-- The progress reports an assessment rests on.
CREATE TABLE assessment_reports (
    assessment_id INTEGER NOT NULL REFERENCES assessments (id),
    report_id     INTEGER NOT NULL REFERENCES progress_reports (id),
    PRIMARY KEY (assessment_id, report_id)
);

CREATE TABLE inbox (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    at         TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    link       TEXT NOT NULL DEFAULT '',
    read_at    TEXT,
    -- When it was sent by e-mail (SMTP configured and the user has an address).
    mailed_at  TEXT
);
CREATE INDEX inbox_user ON inbox (user_id, id);
CREATE INDEX inbox_unmailed ON inbox (mailed_at);

-- Every change: who, when, what, old and new values. Append-only: the triggers below refuse
-- any UPDATE or DELETE, whoever asks.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    user_id   INTEGER,
    user_name TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action    TEXT NOT NULL,
    changes   TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

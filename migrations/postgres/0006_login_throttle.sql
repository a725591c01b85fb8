-- Sign-in throttling by (login name, client address) with exponential back-off. It replaces
-- the per-name failure log of 0002, which let anyone lock any name for everyone and was
-- never purged; its rows only counted recent failures, so nothing of value is dropped.
DROP TABLE login_failures;

CREATE TABLE login_throttle (
    -- A login name as typed (trimmed), or '*' for the client's count over all names.
    name       TEXT NOT NULL,
    -- The client address ('' when unknown).
    client     TEXT NOT NULL,
    -- Failed (or still running) attempts since the count last started.
    failures   BIGINT NOT NULL DEFAULT 0,
    -- No attempt is checked before this time (milliseconds since the Unix epoch).
    blocked_ms BIGINT NOT NULL DEFAULT 0,
    -- The last attempt (milliseconds since the Unix epoch); old rows are purged by it.
    updated_ms BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (name, client)
);
CREATE INDEX login_throttle_updated ON login_throttle (updated_ms);

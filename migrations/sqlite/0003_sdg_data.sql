-- SDG observations imported from Open SDG CSV, SDMX-CSV and SDMX-ML files (hrtrack-sdg reads
-- them, hrtrack-db's sdg_data module writes them). Codes are text, ids integers, dimension
-- and attribute maps JSON objects stored as TEXT.

-- One row per imported file, by the name the importer gave it; re-importing a file with
-- other content updates its row. sha256 fingerprints the observations as read.
CREATE TABLE sdg_datasets (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    format       TEXT NOT NULL,
    dataflow     TEXT,
    sha256       TEXT NOT NULL,
    observations INTEGER NOT NULL,
    imported_at  TEXT NOT NULL
);

-- A series: the SDMX SERIES code, the SDG indicator ('' when unknown) and every other
-- dimension, as a canonical key (ids sorted, 'AGE=Y15T24|REF_AREA=KAZ|SEX=F' with '\', '|' and
-- '=' escaped by '\') and as a JSON object.
CREATE TABLE sdg_series (
    id            INTEGER PRIMARY KEY,
    series_code   TEXT NOT NULL,
    indicator     TEXT NOT NULL,
    dimension_key TEXT NOT NULL,
    dimensions    TEXT NOT NULL,
    UNIQUE (series_code, indicator, dimension_key)
);
CREATE INDEX sdg_series_indicator ON sdg_series (indicator);

-- One value per series and period; value NULL when missing (the attributes say why).
-- dataset_id: the file that last wrote it.
CREATE TABLE sdg_observations (
    series_id   INTEGER NOT NULL REFERENCES sdg_series (id),
    time_period TEXT NOT NULL,
    value       REAL,
    attributes  TEXT NOT NULL,
    dataset_id  INTEGER NOT NULL REFERENCES sdg_datasets (id),
    PRIMARY KEY (series_id, time_period)
);
CREATE INDEX sdg_observations_dataset ON sdg_observations (dataset_id);

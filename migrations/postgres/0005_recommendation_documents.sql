-- Imports never destroy what they do not carry (issue 10).

-- The document a recommendation is in (report or concluding observations symbol), part of
-- its identity outside the UPR: a State's special-procedure reports share one review, and
-- paragraph 1 of each is another recommendation. NULL where no file said it (then the
-- review's report_symbol is shown, and matching goes by paragraph alone).
ALTER TABLE recommendations ADD COLUMN report_symbol TEXT;

-- Texts of a recommendation in other languages than the original (recommendations.text,
-- kept verbatim): a translation an import brought, with the file it came from.
CREATE TABLE recommendation_texts (
    recommendation_id BIGINT NOT NULL REFERENCES recommendations (id),
    language          TEXT NOT NULL,
    text              TEXT NOT NULL,
    source            TEXT NOT NULL,
    PRIMARY KEY (recommendation_id, language)
);

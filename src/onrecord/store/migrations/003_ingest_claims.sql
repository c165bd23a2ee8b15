-- Articles an ingest has taken on and not yet stored, so that two ingests over the same inputs analyse
-- each article once. Rows are short-lived: writing the article, or the end of the run, removes them; a
-- claim whose owner died (same host, process gone) or whose lease ran out is ignored and replaced.
CREATE TABLE ingest_claims (
    article_id  TEXT PRIMARY KEY,             -- articles.id to be
    signature   TEXT NOT NULL,                -- the model signature the claimant analyses with
    owner       TEXT NOT NULL,                -- "host:pid:run": the ingest run holding the claim
    expires     REAL NOT NULL                 -- Unix time after which the claim lapses
);
CREATE INDEX ingest_claims_owner ON ingest_claims(owner);

-- Ingest claims (PostgreSQL dialect of ../003_ingest_claims.sql): articles an ingest has taken on and
-- not yet stored. Taken with INSERT ... ON CONFLICT DO UPDATE ... WHERE the old claim is void, so two
-- jobs racing for one article cannot both win it.
CREATE TABLE ingest_claims (
    article_id  TEXT PRIMARY KEY,
    signature   TEXT NOT NULL,
    owner       TEXT NOT NULL,
    expires     DOUBLE PRECISION NOT NULL
);
CREATE INDEX ingest_claims_owner ON ingest_claims(owner);

-- onrecord corpus schema, version 1. Offsets are character offsets into articles.text.
-- One row per distinct article (content hash); re-analysis replaces the article's child rows.

CREATE TABLE outlets (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE          -- as given (metadata, JSONL "outlet", HTML site name)
);

CREATE TABLE articles (
    id              TEXT PRIMARY KEY,         -- model.content_hash(text)
    title           TEXT,
    author          TEXT,
    url             TEXT,
    outlet_id       INTEGER REFERENCES outlets(id),
    published       TEXT,                     -- ISO date
    origin          TEXT NOT NULL,            -- where it was first read from
    language        TEXT,
    text            TEXT NOT NULL,
    model           TEXT NOT NULL,            -- analysis signature; a change triggers re-analysis
    analysis_json   TEXT NOT NULL,            -- the full ArticleAnalysis.to_dict(), for the JSON API
    n_words         INTEGER NOT NULL DEFAULT 0,
    ingested_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX articles_outlet ON articles(outlet_id);
CREATE INDEX articles_published ON articles(published);

CREATE TABLE sources (
    article_id      TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    id              TEXT NOT NULL,            -- "s1", unique within the article
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL,            -- model.SourceKind
    role            TEXT,
    affiliation     TEXT,
    country         TEXT,
    seniority       TEXT,
    status          TEXT,
    count           INTEGER,
    anonymity_reason TEXT,
    canonical_actor TEXT,
    PRIMARY KEY (article_id, id)
);
CREATE INDEX sources_kind ON sources(kind);
CREATE INDEX sources_name ON sources(name);
CREATE INDEX sources_affiliation ON sources(affiliation);

CREATE TABLE mentions (
    article_id      TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    source_id       TEXT NOT NULL,
    start           INTEGER NOT NULL,
    end             INTEGER NOT NULL,
    text            TEXT NOT NULL,
    FOREIGN KEY (article_id, source_id) REFERENCES sources(article_id, id) ON DELETE CASCADE
);
CREATE INDEX mentions_source ON mentions(article_id, source_id);

CREATE TABLE attributions (
    article_id      TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    id              TEXT NOT NULL,            -- "a1", unique within the article
    kind            TEXT NOT NULL,            -- model.AttributionKind
    channel         TEXT NOT NULL,
    source_id       TEXT,                     -- NULL: no source
    relay_source_id TEXT,
    source_start INTEGER, source_end INTEGER, source_text TEXT,
    cue_start INTEGER, cue_end INTEGER, cue_text TEXT,
    content_start INTEGER, content_end INTEGER, content_text TEXT,
    relay_start INTEGER, relay_end INTEGER, relay_text TEXT,
    confidence      REAL NOT NULL DEFAULT 1.0,
    PRIMARY KEY (article_id, id)
);
CREATE INDEX attributions_source ON attributions(article_id, source_id);

CREATE TABLE claims (
    article_id      TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    id              TEXT NOT NULL,
    type            TEXT NOT NULL,            -- model.ClaimType
    start INTEGER NOT NULL, end INTEGER NOT NULL, text TEXT NOT NULL,
    value           REAL,
    unit            TEXT,
    qualifier       TEXT,
    date            TEXT,
    date_end        TEXT,
    relative        INTEGER NOT NULL DEFAULT 0,
    attribution_id  TEXT,
    source_id       TEXT,
    PRIMARY KEY (article_id, id)
);
CREATE INDEX claims_type ON claims(type);

-- Full-text search, kept in step by the store's writer (delete + insert in the same
-- transaction as the rows they index). articles_fts.rowid = articles.rowid.
CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, tokenize='porter unicode61');
CREATE VIRTUAL TABLE statements_fts USING fts5(content_text, source_name, cue_text, tokenize='porter unicode61');
-- statements_fts.rowid -> (article_id, attribution_id)
CREATE TABLE statements_fts_map (
    rowid           INTEGER PRIMARY KEY,
    article_id      TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    attribution_id  TEXT NOT NULL
);
CREATE INDEX statements_fts_map_article ON statements_fts_map(article_id);

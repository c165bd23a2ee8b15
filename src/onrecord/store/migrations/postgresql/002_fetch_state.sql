-- Fetch state for URL inputs and `onrecord watch` (PostgreSQL dialect of ../002_fetch_state.sql).

CREATE TABLE fetched_urls (
    url             TEXT PRIMARY KEY,
    etag            TEXT,
    last_modified   TEXT,
    article_id      TEXT,
    fetched_at      TEXT NOT NULL,
    problem         TEXT
);

CREATE TABLE listed_items (
    listing_url     TEXT NOT NULL,
    item_url        TEXT NOT NULL,
    kind            TEXT NOT NULL DEFAULT 'page',
    position        INTEGER NOT NULL,
    title           TEXT,
    published       TEXT,
    author          TEXT,
    listed_marker   TEXT NOT NULL DEFAULT '',
    settled_marker  TEXT,
    PRIMARY KEY (listing_url, item_url)
);

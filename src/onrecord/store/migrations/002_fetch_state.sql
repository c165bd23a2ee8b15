-- Fetch state for URL inputs and `onrecord watch`: what each URL answered last time, and what each
-- feed or sitemap listed, so a re-run or the next round asks only conditionally, or not at all.

CREATE TABLE fetched_urls (
    url             TEXT PRIMARY KEY,          -- normalised URL as requested (page, feed or sitemap)
    etag            TEXT,                      -- validators for the next conditional GET
    last_modified   TEXT,
    article_id      TEXT,                      -- the article the page gave (articles.id), if any
    fetched_at      TEXT NOT NULL,
    problem         TEXT                       -- why the last fetch gave no article, if it did not
);

CREATE TABLE listed_items (
    listing_url     TEXT NOT NULL,             -- the feed or sitemap
    item_url        TEXT NOT NULL,             -- normalised URL it lists
    kind            TEXT NOT NULL DEFAULT 'page', -- 'page', or 'sitemap' for a sitemap index's children
    position        INTEGER NOT NULL,
    title           TEXT,
    published       TEXT,
    author          TEXT,
    listed_marker   TEXT NOT NULL DEFAULT '',  -- updated date / lastmod as last listed
    settled_marker  TEXT,                      -- the marker when the page was last fetched; NULL: not yet
    PRIMARY KEY (listing_url, item_url)
);

-- The story layer (issue 9; docs/linking.md): the linker's own state, split into rows so that
-- Linker.from_dict can be rebuilt from the store, and the results materialised for the pages and exports,
-- kept current by the refresh that runs after each ingest (onrecord.store.linking).

CREATE TABLE link_documents (
    article_id  TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    model       TEXT NOT NULL,      -- articles.model when linked: a different one means re-link
    state       TEXT NOT NULL       -- JSON: the Linker.as_dict()["documents"] item of this article
);
CREATE TABLE links (
    kind          TEXT NOT NULL CHECK (kind IN ('copy', 'story', 'statement', 'relay')),
    article_a     TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    attribution_a TEXT NOT NULL DEFAULT '',   -- '' for article-level links
    article_b     TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    attribution_b TEXT NOT NULL DEFAULT '',
    score         REAL,
    PRIMARY KEY (kind, article_a, attribution_a, article_b, attribution_b)
);
CREATE INDEX links_article_b ON links(article_b);
-- for relay links: article_a = relaying article, attribution_a = its attribution, article_b = relayed article

-- materialised results, kept current by the refresh after each ingest
CREATE TABLE stories (
    article_id  TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    story_id    TEXT NOT NULL,      -- "story:<id of the story's earliest article>" (Linker.story_of)
    copy_of     TEXT                -- the copy group's original article id when this article is a copy, else NULL
);
CREATE INDEX stories_story ON stories(story_id);
CREATE TABLE story_summaries (
    story_id        TEXT PRIMARY KEY,
    title           TEXT,           -- title of the earliest article
    first_published TEXT,
    last_published  TEXT,
    article_count   INTEGER NOT NULL,
    outlet_count    INTEGER NOT NULL,
    group_count     INTEGER NOT NULL  -- statement groups with members in this story
);
CREATE INDEX story_summaries_recent ON story_summaries(last_published DESC, story_id);
CREATE TABLE statement_groups (
    article_id      TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    attribution_id  TEXT NOT NULL,
    group_id        TEXT NOT NULL,  -- StatementGroup id
    is_first        INTEGER NOT NULL,  -- 1 when this member is (one of) the first appearance
    relays_article_id TEXT,          -- the member article this member relays, when a relay link says so
    PRIMARY KEY (article_id, attribution_id)
);
CREATE INDEX statement_groups_group ON statement_groups(group_id);
CREATE TABLE statement_group_summaries (
    group_id            TEXT PRIMARY KEY,
    story_id            TEXT,
    first_note          TEXT,       -- '' | 'tie' | 'undated'
    outlets             TEXT NOT NULL,  -- JSON list of outlet names that carried it
    member_count        INTEGER NOT NULL,
    independent_reports INTEGER NOT NULL,
    independent_outlets INTEGER NOT NULL,
    independent_sources INTEGER NOT NULL,
    echoes              INTEGER NOT NULL
);
CREATE INDEX statement_group_summaries_story ON statement_group_summaries(story_id);
CREATE TABLE corpus_sources (
    article_id        TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    source_id         TEXT NOT NULL,
    corpus_source_id  TEXT NOT NULL,  -- Linker.corpus_source_id: "person:donald trump", "org:...", "outlet:...", "local:..."
    PRIMARY KEY (article_id, source_id)
);
CREATE INDEX corpus_sources_id ON corpus_sources(corpus_source_id);
-- per named corpus source (never 'local:'): what its page and the corpus-source list show, kept by the refresh
-- for the ids whose rows it changed (store/corpus_source_reads.py: corpus_source_summary_rows)
CREATE TABLE corpus_source_summaries (
    corpus_source_id TEXT PRIMARY KEY,
    name             TEXT NOT NULL,     -- the most frequent stored sources.name (ties: the smallest)
    kind             TEXT NOT NULL,     -- the id's prefix: 'person' | 'org' | 'outlet'
    statement_count  INTEGER NOT NULL,  -- attributions whose (article_id, source_id) maps to the id
    article_count    INTEGER NOT NULL,
    outlet_count     INTEGER NOT NULL,
    outlets          TEXT NOT NULL,     -- JSON [{"outlet": name or null, "statements": n}], most statements first
    by_month         TEXT NOT NULL      -- JSON [{"month": "YYYY-MM", "statements": n}], month order (dated only)
);
CREATE INDEX corpus_source_summaries_rank ON corpus_source_summaries(statement_count DESC, corpus_source_id);
CREATE INDEX corpus_source_summaries_kind ON corpus_source_summaries(kind, statement_count DESC, corpus_source_id);

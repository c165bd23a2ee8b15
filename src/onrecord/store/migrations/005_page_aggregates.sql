-- Counts the web pages read instead of recounting millions of rows per request (issue 10, item 5).
-- The store's writer keeps them (store/aggregates.py), in the transaction that writes or replaces
-- the rows they count: an article's figures are added when it is stored and taken away before its
-- rows are replaced. Rows whose counts fall to zero are deleted, so every row counts something.

-- Articles and their rows per outlet (0: no outlet) and month (substr(published, 1, 7); '': undated).
CREATE TABLE outlet_month_counts (
    outlet_id   INTEGER NOT NULL,
    month       TEXT NOT NULL,
    articles    INTEGER NOT NULL,
    sources     INTEGER NOT NULL,
    statements  INTEGER NOT NULL,
    claims      INTEGER NOT NULL,
    PRIMARY KEY (outlet_id, month)
);
-- Statements per outlet and kind of their source ('': no source), for the sourcing figures.
CREATE TABLE outlet_kind_statements (
    outlet_id   INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    statements  INTEGER NOT NULL,
    PRIMARY KEY (outlet_id, kind)
);
-- The sources directory: sources grouped across the corpus by lower(name) and kind.
CREATE TABLE source_groups (
    name_key    TEXT NOT NULL,            -- lower(sources.name)
    kind        TEXT NOT NULL,
    statements  INTEGER NOT NULL,         -- attributions whose source is in the group
    articles    INTEGER NOT NULL,         -- articles with a source in the group
    PRIMARY KEY (name_key, kind)
);
CREATE INDEX source_groups_rank ON source_groups(statements DESC, articles DESC, name_key, kind);
-- What a group's row lists, each value with the number of source rows carrying it: field 'name'
-- (spellings; the directory shows the greatest), 'role', 'affiliation', 'outlet' and 'published'
-- (the articles' dates: min and max are first and last seen).
CREATE TABLE source_group_values (
    name_key    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    field       TEXT NOT NULL,
    value       TEXT NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (name_key, kind, field, value)
);
-- A source's statements (the /source page) and the newest-first article list, read through indexes.
CREATE INDEX sources_group ON sources(lower(name), kind);
CREATE INDEX articles_newest ON articles(coalesce(published, '') DESC, coalesce(title, ''), id);

-- backfill (store/aggregates.py runs the statements below again to rebuild the aggregates)
INSERT INTO outlet_month_counts (outlet_id, month, articles, sources, statements, claims)
SELECT coalesce(ar.outlet_id, 0), coalesce(substr(ar.published, 1, 7), ''), count(*),
       sum((SELECT count(*) FROM sources s WHERE s.article_id = ar.id)),
       sum((SELECT count(*) FROM attributions a WHERE a.article_id = ar.id)),
       sum((SELECT count(*) FROM claims c WHERE c.article_id = ar.id))
FROM articles ar GROUP BY 1, 2;
INSERT INTO outlet_kind_statements (outlet_id, kind, statements)
SELECT coalesce(ar.outlet_id, 0), coalesce(s.kind, ''), count(*)
FROM attributions a JOIN articles ar ON ar.id = a.article_id
LEFT JOIN sources s ON s.article_id = a.article_id AND s.id = a.source_id
GROUP BY 1, 2;
INSERT INTO source_groups (name_key, kind, statements, articles)
SELECT lower(s.name), s.kind, sum((SELECT count(*) FROM attributions a WHERE a.article_id = s.article_id
                                   AND a.source_id = s.id)), count(DISTINCT s.article_id)
FROM sources s GROUP BY 1, 2;
INSERT INTO source_group_values (name_key, kind, field, value, n)
SELECT name_key, kind, field, value, count(*) FROM (
    SELECT lower(s.name) AS name_key, s.kind AS kind, 'name' AS field, s.name AS value FROM sources s
    UNION ALL SELECT lower(s.name), s.kind, 'role', s.role FROM sources s WHERE s.role <> ''
    UNION ALL SELECT lower(s.name), s.kind, 'affiliation', s.affiliation FROM sources s WHERE s.affiliation <> ''
    UNION ALL SELECT lower(s.name), s.kind, 'outlet', o.name FROM sources s
              JOIN articles ar ON ar.id = s.article_id JOIN outlets o ON o.id = ar.outlet_id WHERE o.name <> ''
    UNION ALL SELECT lower(s.name), s.kind, 'published', ar.published FROM sources s
              JOIN articles ar ON ar.id = s.article_id WHERE ar.published IS NOT NULL
) AS v GROUP BY 1, 2, 3, 4;

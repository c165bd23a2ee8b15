-- The sources directory filtered by role, affiliation or outlet (issue 10, item 5): per value of each
-- field, what each source group counts among its source rows carrying that value, so the filtered
-- directory ranks and counts groups without grouping every matching source row per request. Kept by
-- the writer (store/aggregates.py) as the tables of migration 005 are; rows that count nothing are deleted.
CREATE TABLE source_group_facets (
    field       TEXT NOT NULL,            -- 'role' | 'affiliation' | 'outlet'
    value       TEXT NOT NULL,            -- sources.role / sources.affiliation / outlets.name (never '')
    name_key    TEXT NOT NULL,            -- the group: lower(sources.name), sources.kind
    kind        TEXT NOT NULL,
    sources     INTEGER NOT NULL,         -- source rows of the group with this value
    statements  INTEGER NOT NULL,         -- their attributions
    articles    INTEGER NOT NULL,         -- articles with at least one such row
    PRIMARY KEY (field, value, name_key, kind)
);

-- backfill (store/aggregates.py runs the statements below again to rebuild the aggregates)
INSERT INTO source_group_facets (field, value, name_key, kind, sources, statements, articles)
SELECT field, value, name_key, kind, count(*), sum(statements), count(DISTINCT article_id) FROM (
    SELECT 'role' AS field, s.role AS value, lower(s.name) AS name_key, s.kind AS kind, s.article_id AS article_id,
           (SELECT count(*) FROM attributions a WHERE a.article_id = s.article_id AND a.source_id = s.id) AS statements
    FROM sources s WHERE s.role <> ''
    UNION ALL
    SELECT 'affiliation', s.affiliation, lower(s.name), s.kind, s.article_id,
           (SELECT count(*) FROM attributions a WHERE a.article_id = s.article_id AND a.source_id = s.id)
    FROM sources s WHERE s.affiliation <> ''
    UNION ALL
    SELECT 'outlet', o.name, lower(s.name), s.kind, s.article_id,
           (SELECT count(*) FROM attributions a WHERE a.article_id = s.article_id AND a.source_id = s.id)
    FROM sources s JOIN articles ar ON ar.id = s.article_id JOIN outlets o ON o.id = ar.outlet_id
    WHERE o.name <> ''
) AS v GROUP BY field, value, name_key, kind;

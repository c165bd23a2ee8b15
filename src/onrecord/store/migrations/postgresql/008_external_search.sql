-- onrecord corpus schema, version 8, PostgreSQL dialect (as ../008_external_search.sql): nothing stored
-- twice (issue 10: at most 30 KB per article). The JSON texts that 007 packed go, and so do the
-- attributions' span texts (cut from the article text when read: store/rows.py span_text_sql).
ALTER TABLE articles DROP COLUMN analysis_json;
ALTER TABLE articles ALTER COLUMN analysis SET NOT NULL;
ALTER TABLE link_documents DROP COLUMN state;
ALTER TABLE link_documents RENAME COLUMN packed_state TO state;
ALTER TABLE link_documents ALTER COLUMN state SET NOT NULL;
ALTER TABLE attributions DROP COLUMN source_text, DROP COLUMN cue_text, DROP COLUMN content_text,
    DROP COLUMN relay_text;
DROP VIEW statements_fts_map;

-- An article's search vector is an index expression, not a stored column (store/postgres_pages.py
-- ARTICLE_VECTOR is the same expression, so the planner uses the index).
ALTER TABLE articles DROP COLUMN search;
CREATE INDEX articles_search ON articles USING GIN (
    (setweight(to_tsvector('english', coalesce(title, '')), 'A') || to_tsvector('english', text))
);

-- What a statement is found by, as SQLite's view of the same name: its content, its source (the entity's
-- full name where the attribution points at one, so "Peskov" finds the statements where the text only
-- said "he"), and its cue, vectorised separately so a phrase never spans two of them. The vector lives on
-- the attribution's row (the writer computes it on insert); statements_fts is a view naming it.
CREATE VIEW statement_texts AS
SELECT at.article_id, at.id AS attribution_id,
       coalesce(substr(ar.text, at.content_start + 1, at.content_end - at.content_start), '') AS content_text,
       coalesce(nullif(s.name, ''), substr(ar.text, at.source_start + 1, at.source_end - at.source_start), '')
           AS source_name,
       coalesce(substr(ar.text, at.cue_start + 1, at.cue_end - at.cue_start), '') AS cue_text
FROM attributions at
JOIN articles ar ON ar.id = at.article_id
LEFT JOIN sources s ON s.article_id = at.article_id AND s.id = at.source_id;
ALTER TABLE attributions ADD COLUMN search TSVECTOR;
UPDATE attributions at
SET search = to_tsvector('english', t.content_text) || to_tsvector('english', t.source_name)
             || to_tsvector('english', t.cue_text)
FROM statement_texts t WHERE t.article_id = at.article_id AND t.attribution_id = at.id;
DROP TABLE statements_fts;
CREATE VIEW statements_fts AS SELECT article_id, id AS attribution_id, search FROM attributions;
CREATE INDEX statements_fts_search ON attributions USING GIN (search);

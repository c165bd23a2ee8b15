-- onrecord corpus schema, version 8: nothing stored twice (issue 10: at most 30 KB per article).
-- The JSON texts that 007 packed go, and so do the attributions' span texts: each is the article text
-- between the span's offsets, cut when read (store/rows.py span_text_sql). The full-text indexes keep no
-- copy of what they index: articles_fts reads articles (external content), statements_fts reads the view
-- statement_texts; the writer keeps both in step, reading the values it indexes (or un-indexes) from those
-- same rows, and both can be rebuilt from them: INSERT INTO x (x) VALUES ('rebuild').
-- statements_fts.rowid is attributions.rowid, so statements_fts_map goes too.
ALTER TABLE articles DROP COLUMN analysis_json;
ALTER TABLE link_documents DROP COLUMN state;
ALTER TABLE link_documents RENAME COLUMN packed_state TO state;
ALTER TABLE attributions DROP COLUMN source_text;
ALTER TABLE attributions DROP COLUMN cue_text;
ALTER TABLE attributions DROP COLUMN content_text;
ALTER TABLE attributions DROP COLUMN relay_text;

-- A rare role's statements are found through its source rows (store/sqlite_search.py), as an affiliation's are
-- through sources_affiliation.
CREATE INDEX sources_role ON sources(role);

DROP TABLE articles_fts;
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, text, content='articles', content_rowid='rowid', tokenize='porter unicode61'
);
INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');

-- What a statement is found by: its content, its source (the entity's full name where the attribution
-- points at one, so "Peskov" finds the statements where the text only said "he"), and its cue.
CREATE VIEW statement_texts AS
SELECT at.rowid AS attribution_rowid,
       at.article_id AS article_id,
       at.id AS attribution_id,
       coalesce(substr(ar.text, at.content_start + 1, at.content_end - at.content_start), '') AS content_text,
       coalesce(nullif(s.name, ''), substr(ar.text, at.source_start + 1, at.source_end - at.source_start), '')
           AS source_name,
       coalesce(substr(ar.text, at.cue_start + 1, at.cue_end - at.cue_start), '') AS cue_text
FROM attributions at
JOIN articles ar ON ar.id = at.article_id
LEFT JOIN sources s ON s.article_id = at.article_id AND s.id = at.source_id;

DROP TABLE statements_fts;
DROP TABLE statements_fts_map;
CREATE VIRTUAL TABLE statements_fts USING fts5(
    content_text, source_name, cue_text, content='statement_texts', content_rowid='attribution_rowid',
    tokenize='porter unicode61'
);
INSERT INTO statements_fts (statements_fts) VALUES ('rebuild');

-- onrecord corpus schema, version 7, PostgreSQL dialect (as ../007_packed_analysis.sql): the analysis JSON
-- stored once, compressed against the article text (store/packing.py), and the link state compressed.
-- The data step pack_stored_rows (store/migration_steps.py) fills both; migration 008 drops the JSON texts.
ALTER TABLE articles ADD COLUMN analysis BYTEA;
ALTER TABLE link_documents ADD COLUMN packed_state BYTEA;

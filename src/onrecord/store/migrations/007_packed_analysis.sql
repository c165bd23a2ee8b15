-- onrecord corpus schema, version 7: the analysis JSON stored once (issue 10).
-- articles.analysis: the analysis without its text, zlib-compressed against the article text
-- (store/packing.py); link_documents.packed_state: the link state, compressed. The data step
-- pack_stored_rows (store/migration_steps.py) fills both from the JSON texts; migration 008 drops those.
ALTER TABLE articles ADD COLUMN analysis BLOB;
ALTER TABLE link_documents ADD COLUMN packed_state BLOB;

"""The SELECTs of ``onrecord export``, one per table, in the column order of ``store/export.py``.

Written once for both backends: plain SQL that SQLite and PostgreSQL read alike (``"end"`` quoted,
as PostgreSQL needs). Rows are ordered by the ``rowid`` columns (ingest order), so exports are
stable, diffable, and equal across backends byte for byte for the same corpus.
"""

from __future__ import annotations

from onrecord.store.rows import span_text_sql


def _span(name: str) -> str:
    return span_text_sql(name, attribution="a")


EXPORT_ATTRIBUTIONS = f"""
SELECT a.article_id, ar.title, o.name, ar.published, a.id, a.kind, a.channel, a.confidence,
       {_span("cue")}, a.cue_start, a.cue_end, {_span("content")}, a.content_start, a.content_end,
       {_span("source")}, a.source_start, a.source_end, a.source_id,
       s.name, s.kind, s.role, s.affiliation, s.country, s.seniority, s.status, s.count,
       s.anonymity_reason, s.canonical_actor,
       {_span("relay")}, a.relay_source_id, r.name
FROM attributions a
JOIN articles ar ON ar.id = a.article_id
LEFT JOIN outlets o ON o.id = ar.outlet_id
LEFT JOIN sources s ON s.article_id = a.article_id AND s.id = a.source_id
LEFT JOIN sources r ON r.article_id = a.article_id AND r.id = a.relay_source_id
ORDER BY ar.rowid, a.rowid
"""
EXPORT_SOURCES = """
SELECT s.article_id, ar.title, o.name, ar.published, s.id, s.name, s.kind, s.role, s.affiliation,
       s.country, s.seniority, s.status, s.count, s.anonymity_reason, s.canonical_actor,
       (SELECT count(*) FROM mentions m WHERE m.article_id = s.article_id AND m.source_id = s.id),
       (SELECT count(*) FROM attributions a WHERE a.article_id = s.article_id AND a.source_id = s.id)
FROM sources s
JOIN articles ar ON ar.id = s.article_id
LEFT JOIN outlets o ON o.id = ar.outlet_id
ORDER BY ar.rowid, s.rowid
"""
EXPORT_CLAIMS = """
SELECT c.article_id, o.name, ar.published, c.id, c.type, c.text, c.start, c."end", c.value, c.unit,
       c.qualifier, c.date, c.date_end, c.relative, c.attribution_id, c.source_id, s.name
FROM claims c
JOIN articles ar ON ar.id = c.article_id
LEFT JOIN outlets o ON o.id = ar.outlet_id
LEFT JOIN sources s ON s.article_id = c.article_id AND s.id = c.source_id
ORDER BY ar.rowid, c.rowid
"""
# The article columns before the figures (see ARTICLE_COLUMNS in store/export.py).
EXPORT_ARTICLES = """
SELECT ar.id, ar.title, ar.author, ar.url, o.name, ar.published, st.story_id, ar.language, ar.origin, ar.n_words,
       ar.model,
       (SELECT count(*) FROM sources s WHERE s.article_id = ar.id),
       (SELECT count(*) FROM claims c WHERE c.article_id = ar.id)
FROM articles ar
LEFT JOIN outlets o ON o.id = ar.outlet_id
LEFT JOIN stories st ON st.article_id = ar.id
ORDER BY ar.rowid
"""
# The story layer (migration 004): one row per linked article, per statement-group member, per source.
EXPORT_STORIES = """
SELECT st.story_id, st.article_id, st.copy_of, ss.title, ss.first_published, ss.last_published,
       ss.article_count, ss.outlet_count
FROM stories st
JOIN articles ar ON ar.id = st.article_id
LEFT JOIN story_summaries ss ON ss.story_id = st.story_id
ORDER BY ar.rowid
"""
EXPORT_STATEMENT_GROUPS = """
SELECT g.group_id, g.article_id, g.attribution_id, g.is_first, g.relays_article_id, gs.first_note,
       gs.member_count, gs.independent_reports, gs.independent_outlets, gs.independent_sources, gs.echoes
FROM statement_groups g
JOIN articles ar ON ar.id = g.article_id
JOIN attributions a ON a.article_id = g.article_id AND a.id = g.attribution_id
LEFT JOIN statement_group_summaries gs ON gs.group_id = g.group_id
ORDER BY ar.rowid, a.rowid
"""
EXPORT_CORPUS_SOURCES = """
SELECT cs.corpus_source_id, cs.article_id, cs.source_id, s.name, s.kind
FROM corpus_sources cs
JOIN articles ar ON ar.id = cs.article_id
JOIN sources s ON s.article_id = cs.article_id AND s.id = cs.source_id
ORDER BY ar.rowid, s.rowid
"""
EXPORT_SQL = {
    "attributions": EXPORT_ATTRIBUTIONS,
    "sources": EXPORT_SOURCES,
    "claims": EXPORT_CLAIMS,
    "stories": EXPORT_STORIES,
    "statement_groups": EXPORT_STATEMENT_GROUPS,
    "corpus_sources": EXPORT_CORPUS_SOURCES,
}

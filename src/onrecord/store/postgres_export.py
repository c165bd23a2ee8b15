"""The PostgreSQL SELECTs of ``onrecord export``: one per table, in the column order of ``store/export.py``.

The same queries as :mod:`onrecord.store.sqlite_export`; rows are ordered by the ``rowid`` identity
columns (ingest order), so exports are stable and equal SQLite's byte for byte for the same corpus.
Each chunk is one FETCH from a server-side cursor inside the export's read-only snapshot.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from onrecord.figures import figure_values
from onrecord.store.postgres_reads import Reader, article_figures

_EXPORT_ATTRIBUTIONS = """
SELECT a.article_id, ar.title, o.name, ar.published, a.id, a.kind, a.channel, a.confidence,
       a.cue_text, a.cue_start, a.cue_end, a.content_text, a.content_start, a.content_end,
       a.source_text, a.source_start, a.source_end, a.source_id,
       s.name, s.kind, s.role, s.affiliation, s.country, s.seniority, s.status, s.count,
       s.anonymity_reason, s.canonical_actor,
       a.relay_text, a.relay_source_id, r.name
FROM attributions a
JOIN articles ar ON ar.id = a.article_id
LEFT JOIN outlets o ON o.id = ar.outlet_id
LEFT JOIN sources s ON s.article_id = a.article_id AND s.id = a.source_id
LEFT JOIN sources r ON r.article_id = a.article_id AND r.id = a.relay_source_id
ORDER BY ar.rowid, a.rowid
"""
_EXPORT_SOURCES = """
SELECT s.article_id, ar.title, o.name, ar.published, s.id, s.name, s.kind, s.role, s.affiliation,
       s.country, s.seniority, s.status, s.count, s.anonymity_reason, s.canonical_actor,
       (SELECT count(*) FROM mentions m WHERE m.article_id = s.article_id AND m.source_id = s.id),
       (SELECT count(*) FROM attributions a WHERE a.article_id = s.article_id AND a.source_id = s.id)
FROM sources s
JOIN articles ar ON ar.id = s.article_id
LEFT JOIN outlets o ON o.id = ar.outlet_id
ORDER BY ar.rowid, s.rowid
"""
_EXPORT_CLAIMS = """
SELECT c.article_id, o.name, ar.published, c.id, c.type, c.text, c.start, c."end", c.value, c.unit,
       c.qualifier, c.date, c.date_end, c.relative, c.attribution_id, c.source_id, s.name
FROM claims c
JOIN articles ar ON ar.id = c.article_id
LEFT JOIN outlets o ON o.id = ar.outlet_id
LEFT JOIN sources s ON s.article_id = c.article_id AND s.id = c.source_id
ORDER BY ar.rowid, c.rowid
"""
_EXPORT_ARTICLES = """
SELECT ar.id, ar.title, ar.author, ar.url, o.name, ar.published, ar.language, ar.origin, ar.n_words, ar.model,
       (SELECT count(*) FROM sources s WHERE s.article_id = ar.id),
       (SELECT count(*) FROM claims c WHERE c.article_id = ar.id)
FROM articles ar
LEFT JOIN outlets o ON o.id = ar.outlet_id
ORDER BY ar.rowid
"""
_EXPORT_SQL = {"attributions": _EXPORT_ATTRIBUTIONS, "sources": _EXPORT_SOURCES, "claims": _EXPORT_CLAIMS}


def export_chunks(reader: Reader, table: str) -> Iterator[list[tuple[Any, ...]]]:
    if table == "articles":
        for chunk in reader.chunks(_EXPORT_ARTICLES):
            figures = article_figures(reader, [row[0] for row in chunk])
            yield [(*row, *figure_values(figures[row[0]])) for row in chunk]
        return
    yield from reader.chunks(_EXPORT_SQL[table])

"""The SQLite side of ``onrecord export``: chunks of rows from the shared SELECTs in :mod:`.export_sql`.

The ``articles`` table gets its figures from :func:`onrecord.store.sqlite_reads.article_figures`, i.e. from
:mod:`onrecord.figures`, chunk by chunk.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from onrecord.figures import figure_values
from onrecord.store.export_sql import EXPORT_ARTICLES, EXPORT_SQL
from onrecord.store.sqlite_reads import Reader, article_figures


def export_chunks(reader: Reader, table: str, size: int) -> Iterator[list[tuple[Any, ...]]]:
    if table == "articles":
        for chunk in reader.chunks(EXPORT_ARTICLES, (), size):
            figures = article_figures(reader, [row[0] for row in chunk])
            yield [(*row, *figure_values(figures[row[0]])) for row in chunk]
        return
    if table not in EXPORT_SQL:
        raise ValueError(f"export table {table!r}: expected one of articles, {', '.join(EXPORT_SQL)}")
    yield from reader.chunks(EXPORT_SQL[table], (), size)

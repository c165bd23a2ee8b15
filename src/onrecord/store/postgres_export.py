"""The PostgreSQL side of ``onrecord export``: chunks of rows from the shared SELECTs in :mod:`.export_sql`.

Each chunk is one FETCH from a server-side cursor inside the export's read-only snapshot.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from onrecord.figures import figure_values
from onrecord.store.export_sql import EXPORT_ARTICLES, EXPORT_SQL
from onrecord.store.postgres_reads import Reader, article_figures


def export_chunks(reader: Reader, table: str) -> Iterator[list[tuple[Any, ...]]]:
    if table == "articles":
        for chunk in reader.chunks(EXPORT_ARTICLES):
            figures = article_figures(reader, [row[0] for row in chunk])
            yield [(*row, *figure_values(figures[row[0]])) for row in chunk]
        return
    yield from reader.chunks(EXPORT_SQL[table])

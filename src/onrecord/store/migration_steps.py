"""Migrations' data steps: Python that converts stored rows where SQL alone cannot, on both backends.

A step runs right after its migration's SQL, inside the same transaction (a crash leaves the previous
version whole). It gets ``run(sql, args) -> rows`` with ``?`` placeholders on both dialects.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from onrecord.store.packing import pack_analysis_json, pack_state_json

Run = Callable[..., list[tuple[Any, ...]]]
DataStep = Callable[[Run], None]
CHUNK = 200  # rows read at a time: a corpus of any size converts in bounded memory


def pack_stored_rows(run: Run) -> None:
    """Migration 007: fill ``articles.analysis`` and ``link_documents.packed_state`` from the JSON texts
    that migration 008 then drops (``store/packing.py``)."""
    _convert(
        run,
        "SELECT id, analysis_json, text FROM articles WHERE id > ? ORDER BY id LIMIT ?",
        "UPDATE articles SET analysis = ? WHERE id = ?",
        lambda row: pack_analysis_json(row[1], row[2]),
    )
    _convert(
        run,
        "SELECT article_id, state FROM link_documents WHERE article_id > ? ORDER BY article_id LIMIT ?",
        "UPDATE link_documents SET packed_state = ? WHERE article_id = ?",
        lambda row: pack_state_json(row[1]),
    )


def _convert(run: Run, select: str, update: str, pack: Callable[[Sequence[Any]], bytes]) -> None:
    last = ""
    while True:
        rows = run(select, (last, CHUNK))
        for row in rows:
            run(update, (pack(row), row[0]))
        if len(rows) < CHUNK:
            return
        last = rows[-1][0]


DATA_STEPS: dict[int, DataStep] = {7: pack_stored_rows}

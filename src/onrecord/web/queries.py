"""The web app's names for the store's query layer; no SQL and no connections here.

Every query runs in :class:`onrecord.store.base.Database` (the SQLite implementation is
``onrecord/store/sqlite.py``); handlers in ``web/app.py`` call it with a :class:`StatementFilter`
built by ``web/params.py`` and get plain dicts and :class:`Page` objects back, so the HTML pages and
their JSON twins are built from the same data.
"""

from __future__ import annotations

from pathlib import Path

from onrecord.store.base import (
    DEFAULT_TIME_LIMIT_S,
    Database,
    Page,
    QueryError,
    QueryTimeout,
    StatementFilter,
    StoreError,
)

# A corpus database that is missing, not an onrecord corpus, or failing while serving (the web answers 503).
DatabaseError = StoreError

__all__ = [
    "DEFAULT_TIME_LIMIT_S",
    "DatabaseError",
    "Page",
    "QueryError",
    "QueryTimeout",
    "StatementFilter",
    "open_corpus",
]


def open_corpus(db: str | Path, time_limit_s: float | None = DEFAULT_TIME_LIMIT_S) -> Database:
    """The corpus at ``db`` (a path or ``sqlite:///`` URL) opened read-only, checked now; raises DatabaseError."""
    return Database.open(db, read_only=True, time_limit_s=time_limit_s)

"""store stage: the corpus database behind one interface (:class:`Database`), its SQLite implementation,
migrations, idempotent writes, ingest and export. Only this package talks SQL or imports sqlite3."""

from onrecord.store.base import (
    DEFAULT_TIME_LIMIT_S,
    Database,
    Page,
    QueryError,
    QueryTimeout,
    StatementFilter,
    StoreError,
    WriteOutcome,
)
from onrecord.store.db import DEFAULT_DB, db_path_from_url
from onrecord.store.ingest import IngestInterrupted, IngestReport, ingest_paths

# The name earlier versions used: ``Store.open(url)`` opens a corpus for reading and writing.
Store = Database

__all__ = [
    "DEFAULT_DB",
    "DEFAULT_TIME_LIMIT_S",
    "Database",
    "IngestInterrupted",
    "IngestReport",
    "Page",
    "QueryError",
    "QueryTimeout",
    "StatementFilter",
    "Store",
    "StoreError",
    "WriteOutcome",
    "db_path_from_url",
    "ingest_paths",
]
